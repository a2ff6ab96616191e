using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Initializers;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>
/// What SimpleRNN, LSTM and GRU cells share: <c>units</c>, an activation, and the weights <c>kernel (F, G·units)</c>,
/// <c>recurrent_kernel (units, G·units)</c> and <c>bias</c> for G gate blocks, with their initializers,
/// regularizers and constraints, and the config keys that describe them.
/// </summary>
public abstract class DenseRecurrentCell : DropoutRecurrentCell
{
    /// <summary>Validates and stores the shared arguments.</summary>
    protected DenseRecurrentCell(int units, Activation? activation, bool useBias,
        Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer,
        Regularizer? kernelRegularizer, Regularizer? recurrentRegularizer, Regularizer? biasRegularizer,
        Constraint? kernelConstraint, Constraint? recurrentConstraint, Constraint? biasConstraint,
        double dropout, double recurrentDropout, int? seed, string? name, bool trainable, string? dtype)
        : base(dropout, recurrentDropout, seed, name, trainable, dtype, null)
    {
        if (units <= 0)
            throw new ArgumentException($"Received an invalid value for argument `units`, expected a positive integer, got {units}.", nameof(units));
        Units = units;
        Activation = activation ?? Activation.Tanh;
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? new GlorotUniform();
        RecurrentInitializer = recurrentInitializer ?? new Orthogonal();
        BiasInitializer = biasInitializer ?? new Zeros();
        KernelRegularizer = kernelRegularizer;
        RecurrentRegularizer = recurrentRegularizer;
        BiasRegularizer = biasRegularizer;
        KernelConstraint = kernelConstraint;
        RecurrentConstraint = recurrentConstraint;
        BiasConstraint = biasConstraint;
    }

    /// <summary>Dimensionality of the output space.</summary>
    public int Units { get; }

    /// <summary>Activation of the output / candidate. Default tanh.</summary>
    public Activation Activation { get; }

    /// <summary>Whether the cell has a bias. Default true.</summary>
    public bool UseBias { get; }

    /// <summary>Initializer of <c>kernel</c>. Default glorot_uniform.</summary>
    public Initializer KernelInitializer { get; }

    /// <summary>Initializer of <c>recurrent_kernel</c>. Default orthogonal.</summary>
    public Initializer RecurrentInitializer { get; }

    /// <summary>Initializer of <c>bias</c>. Default zeros.</summary>
    public Initializer BiasInitializer { get; }

    /// <summary>Regularizer of <c>kernel</c>. Default none.</summary>
    public Regularizer? KernelRegularizer { get; }

    /// <summary>Regularizer of <c>recurrent_kernel</c>. Default none.</summary>
    public Regularizer? RecurrentRegularizer { get; }

    /// <summary>Regularizer of <c>bias</c>. Default none.</summary>
    public Regularizer? BiasRegularizer { get; }

    /// <summary>Constraint of <c>kernel</c>. Default none.</summary>
    public Constraint? KernelConstraint { get; }

    /// <summary>Constraint of <c>recurrent_kernel</c>. Default none.</summary>
    public Constraint? RecurrentConstraint { get; }

    /// <summary>Constraint of <c>bias</c>. Default none.</summary>
    public Constraint? BiasConstraint { get; }

    /// <summary>The input kernel <c>(F, G·units)</c>.</summary>
    public Variable Kernel { get; private set; } = null!;

    /// <summary>The recurrent kernel <c>(units, G·units)</c>.</summary>
    public Variable RecurrentKernel { get; private set; } = null!;

    /// <summary>The bias, or null without <see cref="UseBias"/>.</summary>
    public Variable? Bias { get; private set; }

    /// <summary>Number of gate blocks G (1 SimpleRNN, 3 GRU, 4 LSTM).</summary>
    protected abstract int Gates { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<Shape> StateShapes => [new Shape(Units)];

    /// <summary>The bias's initial value; override for LSTM's unit_forget_bias or GRU's two-row bias.</summary>
    protected virtual Tensor InitialBias() => BiasInitializer.Create(new Shape(Gates * Units), DTypePolicy.VariableDType);

    /// <inheritdoc/>
    public override void Build(Shape inputShape)
    {
        int features = inputShape[^1];
        Kernel = AddWeight("kernel", new Shape(features, Gates * Units), KernelInitializer, KernelRegularizer, KernelConstraint);
        RecurrentKernel = AddWeight("recurrent_kernel", new Shape(Units, Gates * Units), RecurrentInitializer, RecurrentRegularizer, RecurrentConstraint);
        if (UseBias) Bias = AddWeight("bias", InitialBias(), BiasRegularizer, BiasConstraint);
        base.Build(inputShape);
    }

    /// <summary>
    /// The dropout masks of the current sequence, drawn on first use in the order <c>Step</c> draws them: the input
    /// masks (one shared, or one per gate) shaped like <paramref name="input"/>, then the recurrent masks shaped like
    /// <paramref name="state"/>; null where that dropout is inactive. The fused sequence kernels use the same masks.
    /// </summary>
    internal virtual (Tensor[]? Input, Tensor[]? Recurrent) SequenceDropoutMasks(Tensor input, Tensor state, bool training) => (null, null);

    /// <summary>The cell's config keys in Keras order, starting from the base layer keys.</summary>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["units"] = Units;
        config["activation"] = Activation.ToConfig();
        WriteGateKeys(config);
        config["use_bias"] = UseBias;
        config["kernel_initializer"] = KernelInitializer.ToConfig();
        config["recurrent_initializer"] = RecurrentInitializer.ToConfig();
        config["bias_initializer"] = BiasInitializer.ToConfig();
        WriteBiasKeys(config);
        config["kernel_regularizer"] = KernelRegularizer?.ToConfig();
        config["recurrent_regularizer"] = RecurrentRegularizer?.ToConfig();
        config["bias_regularizer"] = BiasRegularizer?.ToConfig();
        config["kernel_constraint"] = KernelConstraint?.ToConfig();
        config["recurrent_constraint"] = RecurrentConstraint?.ToConfig();
        config["bias_constraint"] = BiasConstraint?.ToConfig();
        config["dropout"] = KerasJson.Float(Dropout);
        config["recurrent_dropout"] = KerasJson.Float(RecurrentDropout);
        config["seed"] = Seed;
        return config;
    }

    /// <summary>Writes keys that follow <c>activation</c> (LSTM/GRU: <c>recurrent_activation</c>).</summary>
    protected virtual void WriteGateKeys(JsonObject config)
    {
    }

    /// <summary>Writes keys that follow <c>bias_initializer</c> (LSTM: <c>unit_forget_bias</c>; GRU: <c>reset_after</c>).</summary>
    protected virtual void WriteBiasKeys(JsonObject config)
    {
    }

    /// <summary>The config keys every built-in dense cell reads (besides the cell-specific ones).</summary>
    internal static readonly string[] CommonKeys =
    [
        "name", "trainable", "dtype", "units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
        "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
        "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed",
    ];
}

/// <summary>The shared cell arguments read from a Keras config, so layers and cells parse them in one place.</summary>
internal sealed record DenseCellArguments(
    int Units, Activation Activation, bool UseBias,
    Initializer? KernelInitializer, Initializer? RecurrentInitializer, Initializer? BiasInitializer,
    Regularizer? KernelRegularizer, Regularizer? RecurrentRegularizer, Regularizer? BiasRegularizer,
    Constraint? KernelConstraint, Constraint? RecurrentConstraint, Constraint? BiasConstraint,
    double Dropout, double RecurrentDropout, int? Seed, string? Name, bool Trainable, string? DType)
{
    public static DenseCellArguments Read(JsonObject c, bool keras2) => new(
        KerasJson.GetInt(c, "units", 0),
        Activation.Get(c.ContainsKey("activation") ? c["activation"] : JsonValue.Create("tanh"), keras2),
        KerasJson.GetBool(c, "use_bias", true),
        Initializer.Get(c["kernel_initializer"]), Initializer.Get(c["recurrent_initializer"]), Initializer.Get(c["bias_initializer"]),
        Regularizer.Get(c["kernel_regularizer"]), Regularizer.Get(c["recurrent_regularizer"]), Regularizer.Get(c["bias_regularizer"]),
        Constraint.Get(c["kernel_constraint"]), Constraint.Get(c["recurrent_constraint"]), Constraint.Get(c["bias_constraint"]),
        KerasJson.GetDouble(c, "dropout", 0.0), KerasJson.GetDouble(c, "recurrent_dropout", 0.0),
        KerasJson.GetNullableInt(c, "seed"), KerasJson.GetNullableString(c, "name"), KerasJson.GetBool(c, "trainable", true),
        DTypePolicy.FromConfig(c["dtype"]).Name);
}
