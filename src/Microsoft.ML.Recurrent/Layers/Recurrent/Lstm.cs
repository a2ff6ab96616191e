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
/// One step of a Long Short-Term Memory layer (Keras <c>LSTMCell</c>). States <c>[h, c]</c>, each <c>(batch, units)</c>;
/// gate blocks in Keras order i, f, c, o:
/// <c>i = σ(x·Wᵢ + h·Rᵢ + bᵢ)</c>, <c>f = σ(x·W_f + h·R_f + b_f)</c>, <c>c' = f⊙c + i⊙φ(x·W_c + h·R_c + b_c)</c>,
/// <c>o = σ(x·W_o + h·R_o + b_o)</c>, <c>h' = o⊙φ(c')</c>.
/// </summary>
public class LstmCell : DenseRecurrentCell
{
    /// <summary>Creates the cell; arguments and defaults as Keras's <c>LSTMCell</c>.</summary>
    /// <param name="units">Dimensionality of the output space (positive).</param>
    /// <param name="activation">φ, for the candidate and the output. Default tanh.</param>
    /// <param name="recurrentActivation">σ, for the gates. Default sigmoid.</param>
    /// <param name="useBias">Default true.</param>
    /// <param name="kernelInitializer">Default glorot_uniform.</param>
    /// <param name="recurrentInitializer">Default orthogonal.</param>
    /// <param name="biasInitializer">Default zeros.</param>
    /// <param name="unitForgetBias">Initialize the forget-gate bias to exactly 1. Default true.</param>
    /// <param name="kernelRegularizer">Default none.</param>
    /// <param name="recurrentRegularizer">Default none.</param>
    /// <param name="biasRegularizer">Default none.</param>
    /// <param name="kernelConstraint">Default none.</param>
    /// <param name="recurrentConstraint">Default none.</param>
    /// <param name="biasConstraint">Default none.</param>
    /// <param name="dropout">Input dropout rate in [0, 1]. Default 0.</param>
    /// <param name="recurrentDropout">Recurrent dropout rate in [0, 1] (forces implementation 1). Default 0.</param>
    /// <param name="seed">Dropout seed. Default none.</param>
    /// <param name="implementation">1 (per-gate products, one dropout mask per gate) or 2 (fused). Default 2; same numbers without dropout.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Dtype policy. Default float32.</param>
    public LstmCell(int units, Activation? activation = null, Activation? recurrentActivation = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        bool unitForgetBias = true, Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null,
        Regularizer? biasRegularizer = null, Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null,
        Constraint? biasConstraint = null, double dropout = 0.0, double recurrentDropout = 0.0, int? seed = null,
        int implementation = 2, string? name = null, bool trainable = true, string? dtype = null)
        : base(units, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, kernelRegularizer,
            recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint, dropout,
            recurrentDropout, seed, name, trainable, dtype)
    {
        RecurrentActivation = recurrentActivation ?? Activation.Sigmoid;
        UnitForgetBias = unitForgetBias;
        if (implementation is < 0 or > 2)
            throw new ArgumentException($"Received an invalid value for argument `implementation`, expected 1 or 2, got {implementation}.", nameof(implementation));
        Implementation = RecurrentDropout != 0 ? 1 : Math.Max(1, implementation);
    }

    /// <inheritdoc/>
    public override string ClassName => "LSTMCell";

    /// <summary>σ, the gate activation. Default sigmoid.</summary>
    public Activation RecurrentActivation { get; }

    /// <summary>Whether the forget-gate bias starts at 1.</summary>
    public bool UnitForgetBias { get; }

    /// <summary>1 or 2 (not serialized, as in Keras 3).</summary>
    public int Implementation { get; }

    /// <inheritdoc/>
    protected override int Gates => 4;

    /// <inheritdoc/>
    public override IReadOnlyList<Shape> StateShapes => [new Shape(Units), new Shape(Units)];

    /// <summary>With unit_forget_bias: <c>init((U,)) ‖ ones(U) ‖ init((2U,))</c>, three separate initializer calls, as Keras.</summary>
    protected override Tensor InitialBias() => UnitForgetBias ? ForgetBiasOfOne(Units) : base.InitialBias();

    /// <inheritdoc/>
    public override (Tensor Output, Tensor[] States) Step(Tensor input, IReadOnlyList<Tensor> states, CallArguments arguments)
    {
        var h = states[0];
        var c = states[1];
        var (xMasks, hMasks) = SequenceDropoutMasks(input, h, arguments.Training);
        var gates = new Tensor[4];
        if (Implementation == 1 && (xMasks is not null || hMasks is not null))
        {
            for (int k = 0; k < 4; k++)
            {
                var xk = xMasks is null ? input : input * xMasks[k];
                var hk = hMasks is null ? h : h * hMasks[k];
                var z = Ops.MatMul(xk, Ops.Slice(Kernel.Value, 1, k * Units, Units))
                    + Ops.MatMul(hk, Ops.Slice(RecurrentKernel.Value, 1, k * Units, Units));
                gates[k] = Bias is null ? z : z + Ops.Slice(Bias.Value, 0, k * Units, Units);
            }
        }
        else
        {
            var x = xMasks is null ? input : input * xMasks[0];
            var z = Ops.MatMul(x, Kernel.Value) + Ops.MatMul(h, RecurrentKernel.Value);
            if (Bias is not null) z += Bias.Value;
            gates = Ops.Split(z, 4, -1);
        }
        var i = RecurrentActivation.Apply(gates[0]);
        var f = RecurrentActivation.Apply(gates[1]);
        var cNew = f * c + i * Activation.Apply(gates[2]);
        var o = RecurrentActivation.Apply(gates[3]);
        var hNew = o * Activation.Apply(cNew);
        return (hNew, [hNew, cNew]);
    }

    /// <inheritdoc/>
    internal override (Tensor[]? Input, Tensor[]? Recurrent) SequenceDropoutMasks(Tensor input, Tensor state, bool training)
    {
        bool inputDropout = training && Dropout is > 0 and < 1;
        bool stateDropout = training && RecurrentDropout is > 0 and < 1;
        // Implementation 1 draws one mask per gate; implementation 2 one input mask (recurrent dropout forces 1).
        bool perGate = Implementation == 1 && (inputDropout || stateDropout);
        var x = inputDropout ? InputMasks(input, perGate ? 4 : 1) : null;
        var h = stateDropout ? RecurrentMasks(state, 4) : null;
        return (x, h);
    }

    /// <inheritdoc/>
    protected override void WriteGateKeys(JsonObject config) => config["recurrent_activation"] = RecurrentActivation.ToConfig();

    /// <inheritdoc/>
    protected override void WriteBiasKeys(JsonObject config) => config["unit_forget_bias"] = UnitForgetBias;

    internal static readonly string[] CellKeys = [.. CommonKeys, "recurrent_activation", "unit_forget_bias", "implementation"];

    /// <summary>Creates the cell from its Keras config (Keras 2 and 3).</summary>
    public static LstmCell FromConfig(JsonObject config, bool keras2 = false)
    {
        KerasJson.RejectUnknownKeys(config, [.. CellKeys, "enable_caching_device"], "LSTMCell");
        return Create(config, keras2, KerasJson.GetNullableString(config, "name"));
    }

    internal static LstmCell Create(JsonObject c, bool keras2, string? name)
    {
        var a = CellWeightArguments.Read(c, keras2);
        return new LstmCell(KerasJson.GetInt(c, "units", 0), a.Activation,
            CellWeightArguments.RecurrentActivation(c, keras2),
            a.UseBias, a.KernelInitializer, a.RecurrentInitializer, a.BiasInitializer, KerasJson.GetBool(c, "unit_forget_bias", true),
            a.KernelRegularizer, a.RecurrentRegularizer, a.BiasRegularizer, a.KernelConstraint, a.RecurrentConstraint, a.BiasConstraint,
            a.Dropout, a.RecurrentDropout, a.Seed, KerasJson.GetInt(c, "implementation", 2), name, a.Trainable, a.DType);
    }
}

/// <summary>
/// Long Short-Term Memory layer (Keras <c>LSTM</c>, Hochreiter &amp; Schmidhuber 1997) over inputs
/// <c>(batch, time, features)</c>. Weights <c>kernel (features, 4·units)</c>, <c>recurrent_kernel (units, 4·units)</c>,
/// <c>bias (4·units,)</c>. Returns <c>(batch, units)</c>, or <c>(batch, time, units)</c> with <c>returnSequences</c>;
/// with <c>returnState</c> the final <c>h</c> and <c>c</c> follow.
/// </summary>
public class Lstm : Rnn
{
    /// <summary>Creates the layer; arguments and defaults as Keras's <c>LSTM</c> (see <see cref="LstmCell"/> and <see cref="Rnn"/>).</summary>
    /// <param name="units">Dimensionality of the output space (positive).</param>
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
    /// <param name="activityRegularizer">Default none.</param>
    /// <param name="kernelConstraint">Default none.</param>
    /// <param name="recurrentConstraint">Default none.</param>
    /// <param name="biasConstraint">Default none.</param>
    /// <param name="dropout">Default 0.</param>
    /// <param name="recurrentDropout">Default 0.</param>
    /// <param name="seed">Default none.</param>
    /// <param name="returnSequences">Default false.</param>
    /// <param name="returnState">Default false.</param>
    /// <param name="goBackwards">Default false.</param>
    /// <param name="stateful">Default false.</param>
    /// <param name="unroll">Default false (same numbers either way).</param>
    /// <param name="zeroOutputForMask">Default false.</param>
    /// <param name="useCudnn"><c>"auto"</c>, <c>true</c> or <c>false</c>; accepted, not serialized. Default "auto".</param>
    /// <param name="implementation">1 or 2. Default 2.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    public Lstm(int units, Activation? activation = null, Activation? recurrentActivation = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        bool unitForgetBias = true, Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null,
        Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null, Constraint? kernelConstraint = null,
        Constraint? recurrentConstraint = null, Constraint? biasConstraint = null, double dropout = 0.0,
        double recurrentDropout = 0.0, int? seed = null, bool returnSequences = false, bool returnState = false,
        bool goBackwards = false, bool stateful = false, bool unroll = false, bool zeroOutputForMask = false,
        string useCudnn = "auto", int implementation = 2, string? name = null, bool trainable = true, string? dtype = null)
        : this(new LstmCell(units, activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer,
                biasInitializer, unitForgetBias, kernelRegularizer, recurrentRegularizer, biasRegularizer, kernelConstraint,
                recurrentConstraint, biasConstraint, dropout, recurrentDropout, seed, implementation, "lstm_cell", trainable, dtype),
            new RecurrentLayerOptions(returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, false, name, trainable, dtype, activityRegularizer),
            useCudnn)
    {
    }

    private Lstm(LstmCell cell, RecurrentLayerOptions options, string useCudnn)
        : base(cell, options)
    {
        UseCudnn = CudnnChoice.Parse(useCudnn);
    }

    /// <inheritdoc/>
    public override string ClassName => "LSTM";

    /// <summary>The cell.</summary>
    public new LstmCell Cell => (LstmCell)base.Cell;

    /// <summary>The <c>use_cudnn</c> argument as given (<c>"auto"</c>, <c>"true"</c>, <c>"false"</c>).</summary>
    public string UseCudnn { get; internal set; }

    /// <summary>Runs the fused LSTM sequence kernel (same numbers as the generic loop), falling back to the generic loop where it does not apply.</summary>
    protected override (Tensor? Outputs, Tensor Last, Tensor[] States) RunSequence(Tensor sequences, Tensor[] initialStates, Tensor? mask, CallArguments arguments) =>
        FusedRecurrentSequence.TryRun(this, Cell, RecurrentCellKind.Lstm, Cell.RecurrentActivation, resetAfter: false, sequences, initialStates, mask, arguments)
        ?? base.RunSequence(sequences, initialStates, mask, arguments);

    /// <inheritdoc/>
    protected override bool SerializesCell => false;

    /// <summary>Accepts Keras 2 CuDNNLSTM weights (recognized by an <c>(8·units,)</c> bias) and converts them.</summary>
    protected internal override IReadOnlyList<Tensor> AdaptLegacyWeights(IReadOnlyList<Tensor> values) =>
        values.Count == 3 && values[2].Rank == 1 && values[2].Shape[0] == 8 * Cell.Units
            ? CudnnWeightLayout.LstmFromCudnn(values[0], values[1], values[2])
            : values;

    /// <inheritdoc/>
    public override JsonObject GetConfig() => FlattenCellConfig(base.GetConfig(), Cell.GetConfig(), ActivityRegularizer);

    /// <summary>Creates the layer from its Keras config (Keras 3, or Keras 2 with <c>time_major</c>/<c>implementation</c>).</summary>
    public static new Lstm FromConfig(JsonObject c, bool keras2 = false)
    {
        KerasJson.RejectUnknownKeys(c, [.. LstmCell.CellKeys, .. RecurrentLayerKeys, "activity_regularizer", "use_cudnn"], "LSTM");
        var cell = LstmCell.Create(c, keras2, "lstm_cell");
        return new Lstm(cell, RecurrentLayerOptions.Read(c), CudnnChoice.Read(c));
    }
}
