using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>
/// The generic recurrent layer (Keras <c>RNN</c>): runs a <see cref="RecurrentCell"/> over the time axis of a
/// <c>(batch, time, ...)</c> input.
/// </summary>
/// <remarks>
/// <para>Outputs: <c>(batch, time, ...output)</c> with <see cref="ReturnSequences"/>, else the last output
/// <c>(batch, ...output)</c>; with <see cref="ReturnState"/> the final states follow (<c>[output, h, c]</c> for an LSTM).</para>
/// <para>Masks (<c>(batch, time)</c>, 1 = valid): at a masked step the cell still runs, but each state keeps its previous
/// value and the output repeats the previous output (zeros before the first valid step), or is zero with
/// <see cref="ZeroOutputForMask"/> — the TensorFlow-backend semantics most Keras models were trained with.</para>
/// <para><see cref="GoBackwards"/> processes the sequence from the end and returns outputs in processing order (not
/// flipped back), as Keras does. <see cref="Stateful"/> carries the final states of one call into the next for a fixed
/// batch size until <see cref="ResetStates()"/>.</para>
/// </remarks>
public class Rnn : Layer
{
    private Tensor[]? _states;

    /// <summary>Creates an RNN over <paramref name="cell"/>.</summary>
    /// <param name="cell">The step computation.</param>
    /// <param name="returnSequences">Return the whole output sequence rather than the last output. Default false.</param>
    /// <param name="returnState">Also return the final states. Default false.</param>
    /// <param name="goBackwards">Process the input backwards. Default false.</param>
    /// <param name="stateful">Carry final states over to the next call (batch size fixed at build). Default false.</param>
    /// <param name="unroll">Accepted for Keras compatibility; the loop gives the same numbers either way. Default false.</param>
    /// <param name="zeroOutputForMask">Output zeros at masked steps instead of repeating the previous output. Default false.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Whether weights are trained. Default true.</param>
    /// <param name="dtype">Dtype policy. Default float32.</param>
    /// <param name="activityRegularizer">Penalty on outputs (and returned states). Default none.</param>
    public Rnn(RecurrentCell cell, bool returnSequences = false, bool returnState = false, bool goBackwards = false,
        bool stateful = false, bool unroll = false, bool zeroOutputForMask = false,
        string? name = null, bool trainable = true, string? dtype = null, Regularizer? activityRegularizer = null)
        : base(name, trainable, dtype ?? cell.DTypePolicy.Name, activityRegularizer)
    {
        ArgumentNullException.ThrowIfNull(cell);
        Cell = TrackLayer(cell);
        ReturnSequences = returnSequences;
        ReturnState = returnState;
        GoBackwards = goBackwards;
        Stateful = stateful;
        Unroll = unroll;
        ZeroOutputForMask = zeroOutputForMask;
        if (!trainable) Trainable = false;
    }

    /// <summary>Creates the layer from the base arguments as a Keras config holds them (including Keras 2 <c>time_major</c>).</summary>
    private protected Rnn(RecurrentCell cell, RecurrentLayerOptions options)
        : this(cell, options.ReturnSequences, options.ReturnState, options.GoBackwards, options.Stateful, options.Unroll,
            options.ZeroOutputForMask, options.Name, options.Trainable, options.DType, options.ActivityRegularizer)
    {
        TimeMajor = options.TimeMajor;
    }

    /// <inheritdoc/>
    public override string ClassName => "RNN";

    /// <summary>The cell run at every step.</summary>
    public RecurrentCell Cell { get; }

    /// <summary>Whether the whole output sequence is returned.</summary>
    public bool ReturnSequences { get; }

    /// <summary>Whether the final states are returned after the output.</summary>
    public bool ReturnState { get; }

    /// <summary>Whether the sequence is processed from its last step.</summary>
    public bool GoBackwards { get; }

    /// <summary>Whether final states carry over to the next call.</summary>
    public bool Stateful { get; }

    /// <summary>Accepted for compatibility; has no effect on results.</summary>
    public bool Unroll { get; }

    /// <summary>Whether masked steps output zeros (else the previous output). Bidirectional sets it.</summary>
    public bool ZeroOutputForMask { get; internal set; }

    /// <summary>Keras 2 <c>time_major</c>: inputs and sequence outputs are <c>(time, batch, ...)</c>. Default false.</summary>
    public bool TimeMajor { get; init; }

    /// <summary>
    /// Whether built-in layers (LSTM, GRU, SimpleRNN) run their fused sequence kernels; false forces the generic
    /// cell-by-cell loop, which gives the same numbers (tests compare the two).
    /// </summary>
    internal bool UseFusedKernels { get; set; } = true;

    /// <summary>The carried states of a stateful layer (null before the first build or for a non-stateful layer).</summary>
    public IReadOnlyList<Tensor>? States => _states;

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    protected override bool HasStaticBatch => Stateful;

    /// <inheritdoc/>
    protected override int? InputRank => 3 + StepInputExtraRank;

    /// <summary>Rank of one step's input minus 2 (0 for vector steps; the spatial rank for ConvLSTM).</summary>
    protected virtual int StepInputExtraRank => 0;

    /// <inheritdoc/>
    public override void Build(Shape inputShape)
    {
        var sequences = TimeMajor ? SwapBatchTime(inputShape) : inputShape;
        if (!Cell.Built) Cell.Build(new Shape([sequences[0], .. sequences.Dims[2..]]));
        if (Stateful) ResetStatesFor(sequences[0]);
        base.Build(inputShape);
    }

    private static Shape SwapBatchTime(Shape s) => new([s[1], s[0], .. s.Dims[2..]]);

    /// <summary>Sets the carried states to zeros (Keras <c>reset_states()</c>).</summary>
    /// <exception cref="InvalidOperationException">The layer is not stateful or not built.</exception>
    public void ResetStates()
    {
        if (!Stateful) throw new InvalidOperationException($"Layer '{Name}' must be stateful (stateful=true) to reset its states.");
        if (_states is null) throw new InvalidOperationException($"Layer '{Name}' is not built yet; its states exist once it has been called or built with a batch size.");
        ResetStatesFor(_states[0].Shape[0]);
    }

    /// <summary>Sets the carried states to <paramref name="values"/> (Keras 2 <c>reset_states(states)</c>).</summary>
    /// <exception cref="ArgumentException">Wrong number or shapes of states.</exception>
    public void ResetStates(IReadOnlyList<Tensor> values)
    {
        if (!Stateful) throw new InvalidOperationException($"Layer '{Name}' must be stateful (stateful=true) to reset its states.");
        if (_states is null) throw new InvalidOperationException($"Layer '{Name}' is not built yet.");
        ValidateStates(values, _states[0].Shape[0], "ResetStates(values)");
        _states = values.Select(v => v.Detach()).ToArray();
    }

    private void ResetStatesFor(int batchSize)
    {
        if (batchSize <= 0)
            throw new InvalidOperationException($"Layer '{Name}' is stateful, so it needs a static batch size; got {batchSize}.");
        _states = Cell.GetInitialState(batchSize, DTypePolicy.VariableDType, Device.Cpu);
    }

    private void ValidateStates(IReadOnlyList<Tensor> states, int batch, string what)
    {
        var expected = Cell.StateShapes;
        if (states.Count != expected.Count)
            throw new ArgumentException($"{what} has {states.Count} tensor(s); {ClassName} '{Name}' expects {expected.Count} ({string.Join(", ", expected.Select(s => "(batch, " + string.Join(", ", s.Dims.ToArray()) + ")"))}).");
        for (int i = 0; i < states.Count; i++)
        {
            var want = new Shape([batch, .. expected[i].Dims]);
            if (states[i].Shape != want)
                throw new ArgumentException($"{what}[{i}] has shape {states[i].Shape}; {ClassName} '{Name}' expects {want}.");
        }
    }

    /// <inheritdoc/>
    protected override Tensor[] Call(Tensor inputs, CallArguments arguments)
    {
        // Keras accepts integer sequences and computes in the layer's float dtype.
        if (!inputs.DType.IsFloatingPoint()) inputs = Ops.Cast(inputs, DTypePolicy.ComputeDType);
        var sequences = TimeMajor ? Ops.Transpose(inputs, [1, 0, .. Enumerable.Range(2, inputs.Rank - 2)]) : inputs;
        int batch = sequences.Shape[0], steps = sequences.Shape[1];

        Tensor[] initial;
        if (arguments.InitialState is { } given)
        {
            ValidateStates(given, batch, "initial_state");
            initial = given.Select(s => s.DType == sequences.DType ? s : Ops.Cast(s, sequences.DType)).ToArray();
        }
        else if (Stateful)
        {
            if (_states![0].Shape[0] != batch)
                throw new ArgumentException($"If an RNN is stateful, the batch size of the input sequences must be the same as the batch size of the initial state. - Expected batch size: {_states[0].Shape[0]} - Received batch size: {batch} (layer '{Name}', input shape {inputs.Shape}).");
            initial = _states;
        }
        else
        {
            initial = Cell.GetInitialState(batch, sequences.DType, sequences.Device);
        }

        var mask = arguments.Mask;
        if (mask is not null)
        {
            if (mask.Shape != new Shape(batch, steps))
                throw new ArgumentException($"mask has shape {mask.Shape}; layer '{Name}' expects (batch, time) = ({batch}, {steps}).", nameof(arguments));
            if (mask.DType != sequences.DType) mask = Ops.Cast(Ops.NotEqual(Ops.Cast(mask, DType.Float64), Tensor.Scalar(0, DType.Float64)), sequences.DType);
        }

        var (outputs, last, finalStates) = RunSequence(sequences, initial, mask, arguments);

        if (Stateful) _states = finalStates.Select(s => s.Detach()).ToArray();

        Tensor main = ReturnSequences
            ? (TimeMajor ? Ops.Transpose(outputs!, [1, 0, .. Enumerable.Range(2, outputs!.Rank - 2)]) : outputs!)
            : last;
        return ReturnState ? [main, .. finalStates] : [main];
    }

    /// <summary>
    /// Runs the cell over all steps; returns the stacked outputs in processing order (only needed with
    /// <see cref="ReturnSequences"/>), the last output and the final states. Built-in layers override this with fused kernels.
    /// </summary>
    protected virtual (Tensor? Outputs, Tensor Last, Tensor[] States) RunSequence(Tensor sequences, Tensor[] initialStates, Tensor? mask, CallArguments arguments)
    {
        int steps = sequences.Shape[1];
        var states = initialStates;
        var stepOutputs = ReturnSequences ? new List<Tensor>(steps) : null;
        Tensor? previous = null, last = null;
        var cellArguments = arguments with { InitialState = null, Mask = null };
        Cell.ResetDropoutMasks();
        try
        {
            for (int k = 0; k < steps; k++)
            {
                int t = GoBackwards ? steps - 1 - k : k;
                var input = Ops.Squeeze(Ops.Slice(sequences, 1, t, 1), 1);
                var (y, newStates) = Cell.Step(input, states, cellArguments);
                if (newStates.Length != states.Length)
                    throw new InvalidOperationException($"Cell '{Cell.Name}' returned {newStates.Length} states; it declares {states.Length}.");
                if (mask is null)
                {
                    states = newStates;
                    last = y;
                }
                else
                {
                    var valid = StepMask(mask, t, y.Rank);
                    previous ??= Tensor.ZerosLike(y);
                    last = Ops.Where(valid, y, ZeroOutputForMask ? Tensor.ZerosLike(y) : previous);
                    previous = last;
                    var kept = new Tensor[states.Length];
                    for (int i = 0; i < states.Length; i++) kept[i] = Ops.Where(StepMask(mask, t, states[i].Rank), newStates[i], states[i]);
                    states = kept;
                }
                stepOutputs?.Add(last);
            }
        }
        finally
        {
            Cell.ResetDropoutMasks();
        }

        if (last is null)
        {
            // A zero-length sequence: no step ran.
            last = Tensor.Zeros(new Shape([sequences.Shape[0], .. Cell.OutputShape.Dims]), sequences.DType, sequences.Device);
        }
        var outputs = stepOutputs is null ? null
            : stepOutputs.Count > 0 ? Ops.Stack(stepOutputs, 1)
            : Tensor.Zeros(new Shape([sequences.Shape[0], 0, .. Cell.OutputShape.Dims]), sequences.DType, sequences.Device);
        return (outputs, last, states);
    }

    /// <summary>Column <paramref name="t"/> of the mask, shaped <c>(batch, 1, ...)</c> to broadcast over a tensor of rank <paramref name="rank"/>.</summary>
    private static Tensor StepMask(Tensor mask, int t, int rank)
    {
        var column = Ops.Slice(mask, 1, t, 1);
        return rank == 2 ? column : Ops.Reshape(column, [mask.Shape[0], .. Enumerable.Repeat(1, rank - 1)]);
    }

    /// <summary>The output mask: the input mask when <see cref="ReturnSequences"/> (released Keras 3.15 behaviour), else none.</summary>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => ReturnSequences ? mask : null;

    /// <summary>Config keys of the RNN base, including Keras 2 keys a loader accepts (<c>time_major</c>, legacy input shapes).</summary>
    internal static readonly string[] RecurrentLayerKeys =
    [
        "name", "trainable", "dtype", "return_sequences", "return_state", "go_backwards", "stateful", "unroll",
        "zero_output_for_mask", "time_major", "batch_input_shape", "batch_size", "input_dim", "input_length",
    ];

    /// <summary>Creates the generic RNN from its Keras config, deserializing <c>cell</c> (a list of cells is stacked).</summary>
    public static Rnn FromConfig(JsonObject c, bool keras2 = false)
    {
        KerasJson.RejectUnknownKeys(c, [.. RecurrentLayerKeys, "cell", "num_constants", "activity_regularizer"], "RNN");
        if (c["cell"] is not { } cellNode) throw new FormatException("RNN config: the 'cell' key is required.");
        return new Rnn(KerasLayers.DeserializeCell(cellNode, keras2), RecurrentLayerOptions.Read(c));
    }

    /// <summary>
    /// The config of a layer that flattens its cell's keys into its own (LSTM, GRU, SimpleRNN), with
    /// <c>activity_regularizer</c> after <c>bias_regularizer</c> as Keras writes it.
    /// </summary>
    internal static JsonObject FlattenCellConfig(JsonObject layerConfig, JsonObject cellConfig, Regularizer? activityRegularizer)
    {
        foreach (var key in new[] { "name", "trainable", "dtype" }) cellConfig.Remove(key);
        foreach (var (key, value) in cellConfig)
        {
            layerConfig[key] = value?.DeepClone();
            if (key == "bias_regularizer") layerConfig["activity_regularizer"] = activityRegularizer?.ToConfig();
        }
        return layerConfig;
    }

    /// <summary>Whether the config holds the cell under <c>"cell"</c> (the generic RNN) or flattens its keys (LSTM, GRU, ...).</summary>
    protected virtual bool SerializesCell => true;

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["return_sequences"] = ReturnSequences;
        config["return_state"] = ReturnState;
        config["go_backwards"] = GoBackwards;
        config["stateful"] = Stateful;
        config["unroll"] = Unroll;
        config["zero_output_for_mask"] = ZeroOutputForMask;
        if (SerializesCell) config["cell"] = Cell.ToConfig();
        return config;
    }
}

/// <summary>The arguments every recurrent layer shares, read from a Keras config in one place.</summary>
internal sealed record RecurrentLayerOptions(bool ReturnSequences, bool ReturnState, bool GoBackwards, bool Stateful, bool Unroll,
    bool ZeroOutputForMask, bool TimeMajor, string? Name, bool Trainable, string? DType, Regularizer? ActivityRegularizer)
{
    public static RecurrentLayerOptions Read(JsonObject c) => new(
        KerasJson.GetBool(c, "return_sequences", false), KerasJson.GetBool(c, "return_state", false),
        KerasJson.GetBool(c, "go_backwards", false), KerasJson.GetBool(c, "stateful", false), KerasJson.GetBool(c, "unroll", false),
        KerasJson.GetBool(c, "zero_output_for_mask", false), KerasJson.GetBool(c, "time_major", false),
        KerasJson.GetNullableString(c, "name"), KerasJson.GetBool(c, "trainable", true), DTypePolicy.FromConfig(c["dtype"]).Name,
        Regularizer.Get(c["activity_regularizer"]));
}
