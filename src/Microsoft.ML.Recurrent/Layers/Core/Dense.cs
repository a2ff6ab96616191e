using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Initializers;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Core;

/// <summary>
/// Densely-connected layer (Keras <c>Dense</c>): <c>activation(inputs · kernel + bias)</c> over the last axis.
/// Input <c>(batch, ..., input_dim)</c>, output <c>(batch, ..., units)</c>; weights <c>kernel (input_dim, units)</c>
/// and <c>bias (units,)</c>.
/// </summary>
public class Dense : Layer
{
    /// <summary>Creates the layer; arguments and defaults as Keras's <c>Dense</c>.</summary>
    /// <param name="units">Dimensionality of the output space (positive).</param>
    /// <param name="activation">Default linear (none).</param>
    /// <param name="useBias">Default true.</param>
    /// <param name="kernelInitializer">Default glorot_uniform.</param>
    /// <param name="biasInitializer">Default zeros.</param>
    /// <param name="kernelRegularizer">Default none.</param>
    /// <param name="biasRegularizer">Default none.</param>
    /// <param name="activityRegularizer">Default none.</param>
    /// <param name="kernelConstraint">Default none.</param>
    /// <param name="biasConstraint">Default none.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    public Dense(int units, Activation? activation = null, bool useBias = true, Initializer? kernelInitializer = null,
        Initializer? biasInitializer = null, Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null,
        Regularizer? activityRegularizer = null, Constraint? kernelConstraint = null, Constraint? biasConstraint = null,
        string? name = null, bool trainable = true, string? dtype = null)
        : base(name, trainable, dtype, activityRegularizer)
    {
        if (units <= 0)
            throw new ArgumentException($"Received an invalid value for argument `units`, expected a positive integer, got {units}.", nameof(units));
        Units = units;
        Activation = activation ?? Activation.Linear;
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? new GlorotUniform();
        BiasInitializer = biasInitializer ?? new Zeros();
        KernelRegularizer = kernelRegularizer;
        BiasRegularizer = biasRegularizer;
        KernelConstraint = kernelConstraint;
        BiasConstraint = biasConstraint;
    }

    /// <summary>Output size.</summary>
    public int Units { get; }

    /// <summary>Activation applied to the affine map.</summary>
    public Activation Activation { get; }

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }

    /// <summary>Initializer of the kernel.</summary>
    public Initializer KernelInitializer { get; }

    /// <summary>Initializer of the bias.</summary>
    public Initializer BiasInitializer { get; }

    /// <summary>Regularizer of the kernel.</summary>
    public Regularizer? KernelRegularizer { get; }

    /// <summary>Regularizer of the bias.</summary>
    public Regularizer? BiasRegularizer { get; }

    /// <summary>Constraint of the kernel.</summary>
    public Constraint? KernelConstraint { get; }

    /// <summary>Constraint of the bias.</summary>
    public Constraint? BiasConstraint { get; }

    /// <summary>The kernel <c>(input_dim, units)</c>.</summary>
    public Variable Kernel { get; private set; } = null!;

    /// <summary>The bias <c>(units,)</c>, or null.</summary>
    public Variable? Bias { get; private set; }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    public override void Build(Shape inputShape)
    {
        if (inputShape.Rank < 1)
            throw new ArgumentException($"Dense '{Name}' needs inputs of rank >= 1; got shape {inputShape}.", nameof(inputShape));
        Kernel = AddWeight("kernel", new Shape(inputShape[^1], Units), KernelInitializer, KernelRegularizer, KernelConstraint);
        if (UseBias) Bias = AddWeight("bias", new Shape(Units), BiasInitializer, BiasRegularizer, BiasConstraint);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    protected override Tensor[] Call(Tensor inputs, CallArguments arguments)
    {
        var flat = inputs.Rank == 2 ? inputs : Ops.Reshape(inputs, -1, inputs.Shape[^1]);
        var y = Ops.MatMul(flat, Kernel.Value);
        if (Bias is not null) y += Bias.Value;
        if (inputs.Rank != 2) y = Ops.Reshape(y, [.. inputs.Shape.Dims[..^1], Units]);
        return [Activation.Apply(y)];
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["units"] = Units;
        config["activation"] = Activation.ToConfig();
        config["use_bias"] = UseBias;
        config["kernel_initializer"] = KernelInitializer.ToConfig();
        config["bias_initializer"] = BiasInitializer.ToConfig();
        config["kernel_regularizer"] = KernelRegularizer?.ToConfig();
        config["bias_regularizer"] = BiasRegularizer?.ToConfig();
        config["kernel_constraint"] = KernelConstraint?.ToConfig();
        config["bias_constraint"] = BiasConstraint?.ToConfig();
        return config;
    }

    /// <summary>Creates the layer from its Keras config.</summary>
    public static Dense FromConfig(JsonObject c)
    {
        KerasJson.RejectUnknownKeys(c, ["name", "trainable", "dtype", "units", "activation", "use_bias", "kernel_initializer",
            "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
            "bias_constraint", "lora_rank", "lora_alpha", "quantization_config", "batch_input_shape", "input_dim"], "Dense");
        return new Dense(KerasJson.GetInt(c, "units", 0), Activation.Get(c["activation"]), KerasJson.GetBool(c, "use_bias", true),
            Initializer.Get(c["kernel_initializer"]), Initializer.Get(c["bias_initializer"]), Regularizer.Get(c["kernel_regularizer"]),
            Regularizer.Get(c["bias_regularizer"]), Regularizer.Get(c["activity_regularizer"]), Constraint.Get(c["kernel_constraint"]),
            Constraint.Get(c["bias_constraint"]), KerasJson.GetNullableString(c, "name"), KerasJson.GetBool(c, "trainable", true),
            DTypePolicy.FromConfig(c["dtype"]).Name);
    }
}
