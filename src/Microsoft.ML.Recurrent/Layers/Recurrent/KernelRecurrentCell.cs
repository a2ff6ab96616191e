using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Initializers;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>
/// What every built-in cell shares (SimpleRNN, LSTM, GRU and ConvLSTM): an activation and the weights
/// <c>kernel</c>, <c>recurrent_kernel</c> and <c>bias</c> with their initializers, regularizers and constraints, the
/// dropout rates, and the config keys that describe them, in Keras's order.
/// </summary>
public abstract class KernelRecurrentCell : DropoutRecurrentCell
{
    /// <summary>Stores the shared arguments, with Keras's defaults for the ones left null.</summary>
    protected KernelRecurrentCell(Activation? activation, bool useBias,
        Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer,
        Regularizer? kernelRegularizer, Regularizer? recurrentRegularizer, Regularizer? biasRegularizer,
        Constraint? kernelConstraint, Constraint? recurrentConstraint, Constraint? biasConstraint,
        double dropout, double recurrentDropout, int? seed, string? name, bool trainable, string? dtype)
        : base(dropout, recurrentDropout, seed, name, trainable, dtype, null)
    {
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

    /// <summary>The input kernel.</summary>
    public Variable Kernel { get; private set; } = null!;

    /// <summary>The recurrent kernel.</summary>
    public Variable RecurrentKernel { get; private set; } = null!;

    /// <summary>The bias, or null without <see cref="UseBias"/>.</summary>
    public Variable? Bias { get; private set; }

    /// <summary>Creates <c>kernel</c>, <c>recurrent_kernel</c> and (with <see cref="UseBias"/>) <c>bias</c>, in that order.</summary>
    protected void AddCellWeights(Shape kernelShape, Shape recurrentShape, Func<Tensor> initialBias)
    {
        Kernel = AddWeight("kernel", kernelShape, KernelInitializer, KernelRegularizer, KernelConstraint);
        RecurrentKernel = AddWeight("recurrent_kernel", recurrentShape, RecurrentInitializer, RecurrentRegularizer, RecurrentConstraint);
        if (UseBias) Bias = AddWeight("bias", initialBias(), BiasRegularizer, BiasConstraint);
    }

    /// <summary>
    /// Keras's <c>unit_forget_bias</c> start for four gate blocks i, f, c, o: <c>init((n,)) ‖ ones(n) ‖ init((2n,))</c>,
    /// three separate initializer calls, so the forget block is exactly 1 whatever the initializer.
    /// </summary>
    protected Tensor ForgetBiasOfOne(int n)
    {
        var dtype = DTypePolicy.VariableDType;
        return Autograd.Ops.Concat([BiasInitializer.Create(new Shape(n), dtype), Tensor.Ones(new Shape(n), dtype), BiasInitializer.Create(new Shape(2 * n), dtype)], 0);
    }

    /// <summary>The cell's config keys in Keras order, starting from the base layer keys.</summary>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        WriteSizeKeys(config);
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

    /// <summary>Writes the keys that size the cell, before <c>activation</c> (<c>units</c>; ConvLSTM: <c>filters</c>, <c>kernel_size</c>, ...).</summary>
    protected abstract void WriteSizeKeys(JsonObject config);

    /// <summary>Writes keys that follow <c>activation</c> (LSTM/GRU/ConvLSTM: <c>recurrent_activation</c>).</summary>
    protected virtual void WriteGateKeys(JsonObject config)
    {
    }

    /// <summary>Writes keys that follow <c>bias_initializer</c> (LSTM/ConvLSTM: <c>unit_forget_bias</c>; GRU: <c>reset_after</c>).</summary>
    protected virtual void WriteBiasKeys(JsonObject config)
    {
    }

    /// <summary>The config keys every built-in cell reads besides its size and cell-specific keys.</summary>
    internal static readonly string[] WeightKeys =
    [
        "name", "trainable", "dtype", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
        "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
        "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed",
    ];
}

/// <summary>The shared cell arguments read from a Keras config, so every layer and cell parses them in one place.</summary>
internal sealed record CellWeightArguments(
    Activation Activation, bool UseBias,
    Initializer? KernelInitializer, Initializer? RecurrentInitializer, Initializer? BiasInitializer,
    Regularizer? KernelRegularizer, Regularizer? RecurrentRegularizer, Regularizer? BiasRegularizer,
    Constraint? KernelConstraint, Constraint? RecurrentConstraint, Constraint? BiasConstraint,
    double Dropout, double RecurrentDropout, int? Seed, string? Name, bool Trainable, string? DType)
{
    public static CellWeightArguments Read(JsonObject c, bool keras2) => new(
        Activation.Get(c.ContainsKey("activation") ? c["activation"] : JsonValue.Create("tanh"), keras2),
        KerasJson.GetBool(c, "use_bias", true),
        Initializer.Get(c["kernel_initializer"]), Initializer.Get(c["recurrent_initializer"]), Initializer.Get(c["bias_initializer"]),
        Regularizer.Get(c["kernel_regularizer"]), Regularizer.Get(c["recurrent_regularizer"]), Regularizer.Get(c["bias_regularizer"]),
        Constraint.Get(c["kernel_constraint"]), Constraint.Get(c["recurrent_constraint"]), Constraint.Get(c["bias_constraint"]),
        KerasJson.GetDouble(c, "dropout", 0.0), KerasJson.GetDouble(c, "recurrent_dropout", 0.0),
        KerasJson.GetNullableInt(c, "seed"), KerasJson.GetNullableString(c, "name"), KerasJson.GetBool(c, "trainable", true),
        DTypePolicy.FromConfig(c["dtype"]).Name);

    /// <summary>The σ of a gated cell (<c>recurrent_activation</c>), sigmoid when absent.</summary>
    public static Activation RecurrentActivation(JsonObject c, bool keras2) =>
        Activation.Get(c.ContainsKey("recurrent_activation") ? c["recurrent_activation"] : JsonValue.Create("sigmoid"), keras2);
}
