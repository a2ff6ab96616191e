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
/// One step of a Gated Recurrent Unit (Keras <c>GRUCell</c>). One state <c>h (batch, units)</c>; gate blocks z, r, h.
/// With <c>reset_after</c> (default): <c>hh = φ(x·W_h + bˣ_h + r⊙(h·R_h + bʰ_h))</c> and a <c>(2, 3·units)</c> bias
/// (row 0 input, row 1 recurrent); without: <c>hh = φ(x·W_h + b_h + (r⊙h)·R_h)</c> and a <c>(3·units,)</c> bias.
/// Then <c>h' = z⊙h + (1 − z)⊙hh</c>.
/// </summary>
public class GruCell : DenseRecurrentCell
{
    /// <summary>Creates the cell; arguments and defaults as Keras's <c>GRUCell</c>.</summary>
    /// <param name="units">Dimensionality of the output space (positive).</param>
    /// <param name="activation">φ. Default tanh.</param>
    /// <param name="recurrentActivation">σ for the gates. Default sigmoid.</param>
    /// <param name="useBias">Default true.</param>
    /// <param name="kernelInitializer">Default glorot_uniform.</param>
    /// <param name="recurrentInitializer">Default orthogonal.</param>
    /// <param name="biasInitializer">Default zeros.</param>
    /// <param name="kernelRegularizer">Default none.</param>
    /// <param name="recurrentRegularizer">Default none.</param>
    /// <param name="biasRegularizer">Default none.</param>
    /// <param name="kernelConstraint">Default none.</param>
    /// <param name="recurrentConstraint">Default none.</param>
    /// <param name="biasConstraint">Default none.</param>
    /// <param name="dropout">Default 0.</param>
    /// <param name="recurrentDropout">Default 0 (forces implementation 1).</param>
    /// <param name="seed">Default none.</param>
    /// <param name="resetAfter">Apply the reset gate after the recurrent product (cuDNN-compatible). Default true.</param>
    /// <param name="implementation">1 or 2. Default 2.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    public GruCell(int units, Activation? activation = null, Activation? recurrentActivation = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
        Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null, Constraint? biasConstraint = null,
        double dropout = 0.0, double recurrentDropout = 0.0, int? seed = null, bool resetAfter = true, int implementation = 2,
        string? name = null, bool trainable = true, string? dtype = null)
        : base(units, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, kernelRegularizer,
            recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint, dropout,
            recurrentDropout, seed, name, trainable, dtype)
    {
        RecurrentActivation = recurrentActivation ?? Activation.Sigmoid;
        ResetAfter = resetAfter;
        if (implementation is < 0 or > 2)
            throw new ArgumentException($"Received an invalid value for argument `implementation`, expected 1 or 2, got {implementation}.", nameof(implementation));
        Implementation = RecurrentDropout != 0 ? 1 : Math.Max(1, implementation);
    }

    /// <inheritdoc/>
    public override string ClassName => "GRUCell";

    /// <summary>σ, the gate activation. Default sigmoid.</summary>
    public Activation RecurrentActivation { get; }

    /// <summary>Whether the reset gate applies after the recurrent product.</summary>
    public bool ResetAfter { get; }

    /// <summary>1 or 2 (not serialized).</summary>
    public int Implementation { get; }

    /// <inheritdoc/>
    protected override int Gates => 3;

    /// <inheritdoc/>
    protected override Tensor InitialBias() => ResetAfter
        ? BiasInitializer.Create(new Shape(2, 3 * Units), DTypePolicy.VariableDType)
        : base.InitialBias();

    /// <inheritdoc/>
    public override (Tensor Output, Tensor[] States) Step(Tensor input, IReadOnlyList<Tensor> states, CallArguments arguments)
    {
        var h = states[0];
        var (xMasks, hMasks) = SequenceDropoutMasks(input, h, arguments.Training);
        Tensor X(int k) => xMasks is null ? input : input * xMasks[Implementation == 1 ? k : 0];
        Tensor H(int k) => hMasks is null ? h : h * hMasks[k];

        Tensor? inputBias = null, recurrentBias = null;
        if (Bias is not null)
        {
            if (ResetAfter)
            {
                inputBias = Ops.Reshape(Ops.Slice(Bias.Value, 0, 0, 1), 3 * Units);
                recurrentBias = Ops.Reshape(Ops.Slice(Bias.Value, 0, 1, 1), 3 * Units);
            }
            else inputBias = Bias.Value;
        }
        Tensor Block(Tensor t, int k) => Ops.Slice(t, -1, k * Units, Units);
        Tensor InputPart(int k)
        {
            var z = Ops.MatMul(X(k), Block(Kernel.Value, k));
            return inputBias is null ? z : z + Block(inputBias, k);
        }
        Tensor RecurrentPart(Tensor state, int k)
        {
            var z = Ops.MatMul(state, Block(RecurrentKernel.Value, k));
            return recurrentBias is null ? z : z + Block(recurrentBias, k);
        }

        var zGate = RecurrentActivation.Apply(InputPart(0) + RecurrentPart(H(0), 0));
        var rGate = RecurrentActivation.Apply(InputPart(1) + RecurrentPart(H(1), 1));
        var candidate = ResetAfter
            ? Activation.Apply(InputPart(2) + rGate * RecurrentPart(H(2), 2))
            : Activation.Apply(InputPart(2) + RecurrentPart(rGate * H(2), 2));
        var hNew = zGate * h + (1.0 - zGate) * candidate;
        return (hNew, [hNew]);
    }

    /// <inheritdoc/>
    internal override (Tensor[]? Input, Tensor[]? Recurrent) SequenceDropoutMasks(Tensor input, Tensor state, bool training)
    {
        bool inputDropout = training && Dropout is > 0 and < 1;
        bool stateDropout = training && RecurrentDropout is > 0 and < 1;
        var x = inputDropout ? InputMasks(input, Implementation == 1 ? 3 : 1) : null;
        var h = stateDropout ? RecurrentMasks(state, 3) : null;
        return (x, h);
    }

    /// <inheritdoc/>
    protected override void WriteGateKeys(JsonObject config) => config["recurrent_activation"] = RecurrentActivation.ToConfig();

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        // Keras writes reset_after just before seed.
        var seed = config["seed"]?.DeepClone();
        config.Remove("seed");
        config["reset_after"] = ResetAfter;
        config["seed"] = seed;
        return config;
    }

    internal static readonly string[] CellKeys = [.. CommonKeys, "recurrent_activation", "reset_after", "implementation"];

    /// <summary>Creates the cell from its Keras config. A config without <c>reset_after</c> gets the default of its origin (Keras 2: false).</summary>
    public static GruCell FromConfig(JsonObject config, bool keras2 = false)
    {
        KerasJson.RejectUnknownKeys(config, [.. CellKeys, "enable_caching_device"], "GRUCell");
        return Create(config, keras2, KerasJson.GetNullableString(config, "name"));
    }

    internal static GruCell Create(JsonObject c, bool keras2, string? name)
    {
        var a = CellWeightArguments.Read(c, keras2);
        return new GruCell(KerasJson.GetInt(c, "units", 0), a.Activation,
            CellWeightArguments.RecurrentActivation(c, keras2),
            a.UseBias, a.KernelInitializer, a.RecurrentInitializer, a.BiasInitializer, a.KernelRegularizer, a.RecurrentRegularizer,
            a.BiasRegularizer, a.KernelConstraint, a.RecurrentConstraint, a.BiasConstraint, a.Dropout, a.RecurrentDropout, a.Seed,
            KerasJson.GetBool(c, "reset_after", !keras2), KerasJson.GetInt(c, "implementation", 2), name, a.Trainable, a.DType);
    }
}

/// <summary>
/// Gated Recurrent Unit layer (Keras <c>GRU</c>, Cho et al. 2014) over <c>(batch, time, features)</c>. Weights
/// <c>kernel (features, 3·units)</c>, <c>recurrent_kernel (units, 3·units)</c>, <c>bias (2, 3·units)</c> with
/// <c>reset_after</c> (default) or <c>(3·units,)</c>. Returns <c>(batch, units)</c> or the sequence; with
/// <c>returnState</c> the final <c>h</c> follows.
/// </summary>
public class Gru : Rnn
{
    /// <summary>Creates the layer; arguments and defaults as Keras's <c>GRU</c> (see <see cref="GruCell"/> and <see cref="Rnn"/>).</summary>
    /// <param name="units">Dimensionality of the output space.</param>
    /// <param name="activation">Default tanh.</param>
    /// <param name="recurrentActivation">Default sigmoid.</param>
    /// <param name="useBias">Default true.</param>
    /// <param name="kernelInitializer">Default glorot_uniform.</param>
    /// <param name="recurrentInitializer">Default orthogonal.</param>
    /// <param name="biasInitializer">Default zeros.</param>
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
    /// <param name="unroll">Default false.</param>
    /// <param name="resetAfter">Default true.</param>
    /// <param name="zeroOutputForMask">Default false.</param>
    /// <param name="useCudnn">Default "auto"; accepted, not serialized.</param>
    /// <param name="implementation">Default 2.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    public Gru(int units, Activation? activation = null, Activation? recurrentActivation = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
        Regularizer? activityRegularizer = null, Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null,
        Constraint? biasConstraint = null, double dropout = 0.0, double recurrentDropout = 0.0, int? seed = null,
        bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false,
        bool unroll = false, bool resetAfter = true, bool zeroOutputForMask = false, string useCudnn = "auto",
        int implementation = 2, string? name = null, bool trainable = true, string? dtype = null)
        : this(new GruCell(units, activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint,
                dropout, recurrentDropout, seed, resetAfter, implementation, "gru_cell", trainable, dtype),
            new RecurrentLayerOptions(returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, false, name, trainable, dtype, activityRegularizer),
            useCudnn)
    {
    }

    private Gru(GruCell cell, RecurrentLayerOptions options, string useCudnn)
        : base(cell, options)
    {
        UseCudnn = CudnnChoice.Parse(useCudnn);
    }

    /// <inheritdoc/>
    public override string ClassName => "GRU";

    /// <summary>The cell.</summary>
    public new GruCell Cell => (GruCell)base.Cell;

    /// <summary>The <c>use_cudnn</c> argument as given.</summary>
    public string UseCudnn { get; internal set; }

    /// <summary>Runs the fused GRU sequence kernel (same numbers as the generic loop), falling back to the generic loop where it does not apply.</summary>
    protected override (Tensor? Outputs, Tensor Last, Tensor[] States) RunSequence(Tensor sequences, Tensor[] initialStates, Tensor? mask, CallArguments arguments) =>
        FusedRecurrentSequence.TryRun(this, Cell, RecurrentCellKind.Gru, Cell.RecurrentActivation, Cell.ResetAfter, sequences, initialStates, mask, arguments)
        ?? base.RunSequence(sequences, initialStates, mask, arguments);

    /// <inheritdoc/>
    protected override bool SerializesCell => false;

    /// <summary>
    /// Accepts Keras 2 CuDNNGRU weights (recognized by a <c>(6·units,)</c> bias) and converts them; they fit only
    /// <c>reset_after=true</c>, as in Keras 2.
    /// </summary>
    protected internal override IReadOnlyList<Tensor> AdaptLegacyWeights(IReadOnlyList<Tensor> values)
    {
        if (values.Count != 3 || values[2].Rank != 1 || values[2].Shape[0] != 6 * Cell.Units) return values;
        if (!Cell.ResetAfter)
            throw new ArgumentException($"GRU '{Name}': these are CuDNNGRU weights (bias ({6 * Cell.Units},)), which only fit GRU(reset_after=true); this layer has reset_after=false.", nameof(values));
        return CudnnWeightLayout.GruFromCudnn(values[0], values[1], values[2]);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => FlattenCellConfig(base.GetConfig(), Cell.GetConfig(), ActivityRegularizer);

    /// <summary>Creates the layer from its Keras config (Keras 3, or Keras 2 where a missing <c>reset_after</c> means false).</summary>
    public static new Gru FromConfig(JsonObject c, bool keras2 = false)
    {
        KerasJson.RejectUnknownKeys(c, [.. GruCell.CellKeys, .. RecurrentLayerKeys, "activity_regularizer", "use_cudnn"], "GRU");
        var cell = GruCell.Create(c, keras2, "gru_cell");
        return new Gru(cell, RecurrentLayerOptions.Read(c), CudnnChoice.Read(c));
    }
}
