using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Initializers;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>
/// One step of a convolutional LSTM of spatial rank 1, 2 or 3 (Keras's internal <c>ConvLSTMCell</c>): the LSTM equations
/// with <c>x·W + b</c> replaced by <c>conv(x, kernel; strides, padding, dilation) + b</c> and <c>h·R</c> by
/// <c>conv(h, recurrent_kernel; stride 1, "same")</c>. Kernels <c>kernel_size + (channels, 4·filters)</c> and
/// <c>kernel_size + (filters, 4·filters)</c>, gate blocks i, f, c, o on the last axis. States <c>[h, c]</c> of shape
/// <c>(batch, *out_spatial, filters)</c> (channels_last) or <c>(batch, filters, *out_spatial)</c>.
/// </summary>
public class ConvLstmCell : KernelRecurrentCell
{
    private Shape[] _stateShapes = [];

    /// <summary>Creates the cell; arguments and defaults as Keras's <c>ConvLSTMCell</c>.</summary>
    /// <param name="rank">Spatial rank: 1, 2 or 3.</param>
    /// <param name="filters">Output channels (positive).</param>
    /// <param name="kernelSize">One size for every axis or one per axis.</param>
    /// <param name="strides">Default 1.</param>
    /// <param name="padding"><c>"valid"</c> (default) or <c>"same"</c>, case-insensitive.</param>
    /// <param name="dataFormat"><c>"channels_last"</c> (default, also for null) or <c>"channels_first"</c>.</param>
    /// <param name="dilationRate">Default 1; cannot exceed 1 together with a stride above 1.</param>
    /// <param name="activation">Default tanh.</param>
    /// <param name="recurrentActivation">Default sigmoid.</param>
    /// <param name="useBias">Default true.</param>
    /// <param name="kernelInitializer">Default glorot_uniform.</param>
    /// <param name="recurrentInitializer">Default orthogonal.</param>
    /// <param name="biasInitializer">Default zeros.</param>
    /// <param name="unitForgetBias">Default true.</param>
    /// <param name="kernelRegularizer">Default none.</param>
    /// <param name="recurrentRegularizer">Default none.</param>
    /// <param name="biasRegularizer">Default none.</param>
    /// <param name="kernelConstraint">Default none.</param>
    /// <param name="recurrentConstraint">Default none.</param>
    /// <param name="biasConstraint">Default none.</param>
    /// <param name="dropout">Default 0 (4 element-wise input masks in training).</param>
    /// <param name="recurrentDropout">Default 0 (4 element-wise recurrent masks in training).</param>
    /// <param name="seed">Default none.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    public ConvLstmCell(int rank, int filters, int[] kernelSize, int[]? strides = null, string padding = "valid",
        string? dataFormat = null, int[]? dilationRate = null, Activation? activation = null, Activation? recurrentActivation = null,
        bool useBias = true, Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null,
        Initializer? biasInitializer = null, bool unitForgetBias = true, Regularizer? kernelRegularizer = null,
        Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null, Constraint? kernelConstraint = null,
        Constraint? recurrentConstraint = null, Constraint? biasConstraint = null, double dropout = 0.0,
        double recurrentDropout = 0.0, int? seed = null, string? name = null, bool trainable = true, string? dtype = null)
        : base(activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, kernelRegularizer,
            recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint,
            dropout, recurrentDropout, seed, name, trainable, dtype)
    {
        if (rank is < 1 or > 3) throw new ArgumentException($"ConvLSTM rank must be 1, 2 or 3; got {rank}.", nameof(rank));
        if (filters <= 0) throw new ArgumentException($"Received an invalid value for argument `filters`, expected a positive integer, got {filters}.", nameof(filters));
        Rank = rank;
        Filters = filters;
        KernelSize = Tuple(kernelSize, rank, "kernel_size", allowZero: false);
        Strides = Tuple(strides ?? [1], rank, "strides", allowZero: true);
        DilationRate = Tuple(dilationRate ?? [1], rank, "dilation_rate", allowZero: false);
        Padding = padding.ToLowerInvariant() is "valid" or "same" ? padding.ToLowerInvariant()
            : throw new ArgumentException($"The `padding` argument must be one of \"valid\", \"same\". Received: {padding}", nameof(padding));
        DataFormat = (dataFormat ?? "channels_last") is "channels_last" or "channels_first" ? dataFormat ?? "channels_last"
            : throw new ArgumentException($"The `data_format` argument must be one of \"channels_first\", \"channels_last\". Received: {dataFormat}", nameof(dataFormat));
        if (Strides.Any(s => s > 1) && DilationRate.Any(d => d > 1))
            throw new ArgumentException($"`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=({string.Join(", ", Strides)}) and dilation_rate=({string.Join(", ", DilationRate)})", nameof(strides));
        RecurrentActivation = recurrentActivation ?? Activation.Sigmoid;
        UnitForgetBias = unitForgetBias;
    }

    private static int[] Tuple(int[] value, int n, string argument, bool allowZero)
    {
        var result = value.Length == 1 ? Enumerable.Repeat(value[0], n).ToArray() : value;
        if (result.Length != n || result.Any(v => v < 0 || (!allowZero && v == 0)))
            throw new ArgumentException($"The `{argument}` argument must be a tuple of {n} integers. Received {argument}=({string.Join(", ", value)})", argument);
        return result;
    }

    /// <inheritdoc/>
    public override string ClassName => "ConvLSTMCell";

    /// <summary>Spatial rank.</summary>
    public int Rank { get; }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel size per spatial axis.</summary>
    public int[] KernelSize { get; }

    /// <summary>Input-convolution strides per axis.</summary>
    public int[] Strides { get; }

    /// <summary>Input-convolution padding, <c>"valid"</c> or <c>"same"</c>.</summary>
    public string Padding { get; }

    /// <summary><c>"channels_last"</c> or <c>"channels_first"</c>.</summary>
    public string DataFormat { get; }

    /// <summary>Input-convolution dilation per axis.</summary>
    public int[] DilationRate { get; }

    /// <summary>σ. Default sigmoid.</summary>
    public Activation RecurrentActivation { get; }

    /// <summary>Whether the forget-gate bias starts at 1.</summary>
    public bool UnitForgetBias { get; }

    private bool ChannelsLast => DataFormat == "channels_last";

    /// <inheritdoc/>
    public override IReadOnlyList<Shape> StateShapes => Built ? _stateShapes
        : throw new InvalidOperationException($"ConvLSTM cell '{Name}' knows its state shape only after it is built with an input shape.");

    /// <inheritdoc/>
    public override void Build(Shape inputShape)
    {
        if (inputShape.Rank != Rank + 2)
            throw new ArgumentException($"ConvLSTM cell '{Name}' (rank {Rank}) expects step inputs of rank {Rank + 2}; got {inputShape}.", nameof(inputShape));
        int channels = ChannelsLast ? inputShape[^1] : inputShape[1];
        var spatial = ChannelsLast ? inputShape.Dims[1..^1].ToArray() : inputShape.Dims[2..].ToArray();
        var outSpatial = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            outSpatial[i] = Padding == "same"
                ? (spatial[i] - 1) / Math.Max(1, Strides[i]) + 1
                : (spatial[i] - DilationRate[i] * (KernelSize[i] - 1) - 1) / Math.Max(1, Strides[i]) + 1;
            if (outSpatial[i] <= 0)
                throw new ArgumentException($"ConvLSTM cell '{Name}': spatial size {spatial[i]} is too small for kernel {KernelSize[i]} with dilation {DilationRate[i]} and padding \"valid\" (input {inputShape}).", nameof(inputShape));
        }
        var state = ChannelsLast ? new Shape([.. outSpatial, Filters]) : new Shape([Filters, .. outSpatial]);
        _stateShapes = [state, state];
        AddCellWeights(new Shape([.. KernelSize, channels, 4 * Filters]), new Shape([.. KernelSize, Filters, 4 * Filters]),
            () => UnitForgetBias ? ForgetBiasOfOne(Filters) : BiasInitializer.Create(new Shape(4 * Filters), DTypePolicy.VariableDType));
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override (Tensor Output, Tensor[] States) Step(Tensor input, IReadOnlyList<Tensor> states, CallArguments arguments)
    {
        var h = states[0];
        var c = states[1];
        int channelAxis = ChannelsLast ? -1 : 1;
        bool inputDropout = arguments.Training && Dropout is > 0 and < 1;
        bool stateDropout = arguments.Training && RecurrentDropout is > 0 and < 1;
        var xMasks = inputDropout ? InputMasks(input, 4) : null;
        var hMasks = stateDropout ? RecurrentMasks(h, 4) : null;
        if (xMasks is null && hMasks is null && FusedGates() is { } spec)
        {
            // channels_last puts each position's 4·filters gate inputs in one row: the gates run as one fused op.
            var (hFused, cFused) = Ops.LstmGates(spec, InputConv(input, Kernel.Value), RecurrentConv(h, RecurrentKernel.Value), Bias?.Value, c);
            return (hFused, [hFused, cFused]);
        }
        var gates = new Tensor[4];
        if (xMasks is null && hMasks is null)
        {
            var z = InputConv(input, Kernel.Value) + RecurrentConv(h, RecurrentKernel.Value);
            gates = Ops.Split(z, 4, channelAxis);
        }
        else
        {
            for (int k = 0; k < 4; k++)
            {
                var xk = xMasks is null ? input : input * xMasks[k];
                var hk = hMasks is null ? h : h * hMasks[k];
                gates[k] = InputConv(xk, Ops.Slice(Kernel.Value, -1, k * Filters, Filters))
                    + RecurrentConv(hk, Ops.Slice(RecurrentKernel.Value, -1, k * Filters, Filters));
            }
        }
        if (Bias is not null)
        {
            var biases = Ops.Split(Bias.Value, 4, 0);
            for (int k = 0; k < 4; k++)
                gates[k] += ChannelsLast ? biases[k] : Ops.Reshape(biases[k], [Filters, .. Enumerable.Repeat(1, Rank)]);
        }
        var i = RecurrentActivation.Apply(gates[0]);
        var f = RecurrentActivation.Apply(gates[1]);
        var cNew = f * c + i * Activation.Apply(gates[2]);
        var o = RecurrentActivation.Apply(gates[3]);
        var hNew = o * Activation.Apply(cNew);
        return (hNew, [hNew, cNew]);
    }

    /// <summary>Whether <see cref="Step"/> may run the gates as one fused op (<see cref="Ops.LstmGates"/>); tests turn it off for a reference.</summary>
    internal bool UseFusedGates { get; set; } = true;

    /// <summary>
    /// The fused gates' spec, or null where the op-by-op path runs: channels_first (a position's gate inputs are not
    /// one row), or an activation the fused kernels cannot apply.
    /// </summary>
    private RecurrentSequenceSpec? FusedGates()
    {
        if (!UseFusedGates || !ChannelsLast || !FusedRecurrentSequence.CanFuse(Activation) || !FusedRecurrentSequence.CanFuse(RecurrentActivation)) return null;
        return new RecurrentSequenceSpec(RecurrentCellKind.Lstm, Filters, Activation.Op, RecurrentActivation.Op, HasBias: UseBias)
        {
            ActivationAlpha = Activation.OpAlpha,
            ActivationBeta = Activation.OpBeta,
            RecurrentActivationAlpha = RecurrentActivation.OpAlpha,
            RecurrentActivationBeta = RecurrentActivation.OpBeta,
        };
    }

    private Tensor InputConv(Tensor x, Tensor kernel) => Ops.Conv(x, kernel, Strides, Padding, DilationRate, DataFormat);

    private Tensor RecurrentConv(Tensor h, Tensor kernel) => Ops.Conv(h, kernel, null, "same", null, DataFormat);

    /// <inheritdoc/>
    protected override void WriteSizeKeys(JsonObject config)
    {
        config["filters"] = Filters;
        config["kernel_size"] = IntList(KernelSize);
        config["strides"] = IntList(Strides);
        config["padding"] = Padding;
        config["data_format"] = DataFormat;
        config["dilation_rate"] = IntList(DilationRate);
    }

    /// <inheritdoc/>
    protected override void WriteGateKeys(JsonObject config) => config["recurrent_activation"] = RecurrentActivation.ToConfig();

    /// <inheritdoc/>
    protected override void WriteBiasKeys(JsonObject config) => config["unit_forget_bias"] = UnitForgetBias;

    private static JsonArray IntList(int[] values) => new(values.Select(v => (JsonNode)v).ToArray());

    internal static readonly string[] CellKeys =
        [.. WeightKeys, "rank", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "recurrent_activation", "unit_forget_bias"];

    /// <summary>Creates the cell from its config (which carries <c>rank</c>, as Keras's internal class does).</summary>
    public static ConvLstmCell FromConfig(JsonObject c, bool keras2 = false)
    {
        KerasJson.RejectUnknownKeys(c, CellKeys, "ConvLSTMCell");
        return Create(c, KerasJson.GetInt(c, "rank", 2), keras2, KerasJson.GetNullableString(c, "name"));
    }

    internal static ConvLstmCell Create(JsonObject c, int rank, bool keras2, string? name)
    {
        var a = CellWeightArguments.Read(c, keras2);
        return new(rank, KerasJson.GetInt(c, "filters", 0), KerasJson.GetIntTuple(c, "kernel_size", rank, [0]),
            KerasJson.GetIntTuple(c, "strides", rank, [1]), KerasJson.GetString(c, "padding", "valid"),
            KerasJson.GetNullableString(c, "data_format"), KerasJson.GetIntTuple(c, "dilation_rate", rank, [1]), a.Activation,
            CellWeightArguments.RecurrentActivation(c, keras2), a.UseBias, a.KernelInitializer, a.RecurrentInitializer,
            a.BiasInitializer, KerasJson.GetBool(c, "unit_forget_bias", true), a.KernelRegularizer, a.RecurrentRegularizer,
            a.BiasRegularizer, a.KernelConstraint, a.RecurrentConstraint, a.BiasConstraint, a.Dropout, a.RecurrentDropout, a.Seed,
            name, a.Trainable, a.DType);
    }
}

/// <summary>
/// Convolutional LSTM of spatial rank 1, 2 or 3 (Keras <c>ConvLSTM1D</c>/<c>2D</c>/<c>3D</c>) over
/// <c>(batch, time, *spatial, channels)</c> (or <c>(batch, time, channels, *spatial)</c>). Returns
/// <c>(batch, *out_spatial, filters)</c>, or the sequence; with <c>returnState</c> the final <c>h</c> and <c>c</c> follow.
/// </summary>
public class ConvLstm : Rnn
{
    /// <summary>Wraps a configured cell; use <see cref="ConvLstm1D"/>, <see cref="ConvLstm2D"/> or <see cref="ConvLstm3D"/>.</summary>
    private protected ConvLstm(ConvLstmCell cell, RecurrentLayerOptions options)
        : base(cell, options)
    {
    }

    /// <inheritdoc/>
    public override string ClassName => $"ConvLSTM{Cell.Rank}D";

    /// <summary>The cell.</summary>
    public new ConvLstmCell Cell => (ConvLstmCell)base.Cell;

    /// <inheritdoc/>
    protected override int StepInputExtraRank => Cell.Rank;

    /// <inheritdoc/>
    protected override bool SerializesCell => false;

    /// <inheritdoc/>
    public override JsonObject GetConfig() => FlattenCellConfig(base.GetConfig(), Cell.GetConfig(), ActivityRegularizer);

    /// <summary>Creates ConvLSTM1D/2D/3D (by <paramref name="rank"/>) from its Keras config.</summary>
    public static ConvLstm FromConfig(JsonObject c, int rank, bool keras2 = false)
    {
        KerasJson.RejectUnknownKeys(c, [.. ConvLstmCell.CellKeys.Where(k => k != "rank"), .. RecurrentLayerKeys, "activity_regularizer"], $"ConvLSTM{rank}D");
        var cell = ConvLstmCell.Create(c, rank, keras2, "conv_lstm_cell");
        return new ConvLstm(cell, RecurrentLayerOptions.Read(c));
    }

    /// <summary>Creates the layer around a cell (for the rank-specific classes).</summary>
    protected static ConvLstmCell MakeCell(int rank, int filters, int[] kernelSize, int[]? strides, string padding, string? dataFormat,
        int[]? dilationRate, Activation? activation, Activation? recurrentActivation, bool useBias, Initializer? kernelInitializer,
        Initializer? recurrentInitializer, Initializer? biasInitializer, bool unitForgetBias, Regularizer? kernelRegularizer,
        Regularizer? recurrentRegularizer, Regularizer? biasRegularizer, Constraint? kernelConstraint, Constraint? recurrentConstraint,
        Constraint? biasConstraint, double dropout, double recurrentDropout, int? seed, bool trainable, string? dtype) =>
        new(rank, filters, kernelSize, strides, padding, dataFormat, dilationRate, activation, recurrentActivation, useBias,
            kernelInitializer, recurrentInitializer, biasInitializer, unitForgetBias, kernelRegularizer, recurrentRegularizer,
            biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint, dropout, recurrentDropout, seed, "conv_lstm_cell", trainable, dtype);
}
