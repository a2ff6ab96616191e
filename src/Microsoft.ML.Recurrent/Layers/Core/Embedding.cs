using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Initializers;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Core;

/// <summary>
/// Turns indices into dense vectors (Keras <c>Embedding</c>): input <c>(batch, time)</c> of integer indices (int32,
/// or floats holding integers), output <c>(batch, time, output_dim)</c>; weight <c>embeddings (input_dim, output_dim)</c>.
/// With <see cref="MaskZero"/>, index 0 is padding and the layer produces a mask for the layers after it.
/// </summary>
public class Embedding : Layer
{
    /// <summary>Creates the layer; arguments and defaults as Keras's <c>Embedding</c>.</summary>
    /// <param name="inputDim">Vocabulary size (largest index + 1), positive.</param>
    /// <param name="outputDim">Embedding size, positive.</param>
    /// <param name="embeddingsInitializer">Default uniform (RandomUniform(−0.05, 0.05)).</param>
    /// <param name="embeddingsRegularizer">Default none.</param>
    /// <param name="embeddingsConstraint">Default none.</param>
    /// <param name="maskZero">Treat index 0 as padding and emit a mask. Default false.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    public Embedding(int inputDim, int outputDim, Initializer? embeddingsInitializer = null, Regularizer? embeddingsRegularizer = null,
        Constraint? embeddingsConstraint = null, bool maskZero = false, string? name = null, bool trainable = true, string? dtype = null)
        : base(name, trainable, dtype)
    {
        if (inputDim <= 0 || outputDim <= 0)
            throw new ArgumentException($"Both `input_dim` and `output_dim` should be positive, Received input_dim = {inputDim} and output_dim = {outputDim}", nameof(inputDim));
        InputDim = inputDim;
        OutputDim = outputDim;
        EmbeddingsInitializer = embeddingsInitializer ?? new RandomUniform();
        EmbeddingsRegularizer = embeddingsRegularizer;
        EmbeddingsConstraint = embeddingsConstraint;
        MaskZero = maskZero;
    }

    /// <summary>Vocabulary size.</summary>
    public int InputDim { get; }

    /// <summary>Embedding size.</summary>
    public int OutputDim { get; }

    /// <summary>Initializer of the table.</summary>
    public Initializer EmbeddingsInitializer { get; }

    /// <summary>Regularizer of the table.</summary>
    public Regularizer? EmbeddingsRegularizer { get; }

    /// <summary>Constraint of the table.</summary>
    public Constraint? EmbeddingsConstraint { get; }

    /// <summary>Whether index 0 is padding.</summary>
    public bool MaskZero { get; }

    /// <summary>The table <c>(input_dim, output_dim)</c>.</summary>
    public Variable Embeddings { get; private set; } = null!;

    /// <inheritdoc/>
    public override bool SupportsMasking => MaskZero;

    /// <inheritdoc/>
    public override void Build(Shape inputShape)
    {
        Embeddings = AddWeight("embeddings", new Shape(InputDim, OutputDim), EmbeddingsInitializer, EmbeddingsRegularizer, EmbeddingsConstraint);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    protected override Tensor[] Call(Tensor inputs, CallArguments arguments) => [Ops.Gather(Embeddings.Value, inputs)];

    /// <summary>With <see cref="MaskZero"/>: 1 where the index is not 0 (in the compute dtype); otherwise none.</summary>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask)
    {
        if (!MaskZero) return null;
        using var _ = Autodiff.NoGrad();
        var indices = Ops.Cast(inputs, DTypePolicy.ComputeDType);
        return Ops.NotEqual(indices, Tensor.Zeros(Shape.Scalar, indices.DType, indices.Device));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["input_dim"] = InputDim;
        config["output_dim"] = OutputDim;
        config["embeddings_initializer"] = EmbeddingsInitializer.ToConfig();
        config["embeddings_regularizer"] = EmbeddingsRegularizer?.ToConfig();
        config["activity_regularizer"] = ActivityRegularizer?.ToConfig();
        config["embeddings_constraint"] = EmbeddingsConstraint?.ToConfig();
        config["mask_zero"] = MaskZero;
        return config;
    }

    /// <summary>Creates the layer from its Keras config (Keras 2's <c>input_length</c> is accepted and ignored).</summary>
    public static Embedding FromConfig(JsonObject c)
    {
        KerasJson.RejectUnknownKeys(c, ["name", "trainable", "dtype", "input_dim", "output_dim", "embeddings_initializer",
            "embeddings_regularizer", "activity_regularizer", "embeddings_constraint", "mask_zero", "input_length",
            "lora_rank", "lora_alpha", "quantization_config", "batch_input_shape"], "Embedding");
        return new Embedding(KerasJson.GetInt(c, "input_dim", 0), KerasJson.GetInt(c, "output_dim", 0),
            Initializer.Get(c["embeddings_initializer"]), Regularizer.Get(c["embeddings_regularizer"]),
            Constraint.Get(c["embeddings_constraint"]), KerasJson.GetBool(c, "mask_zero", false), KerasJson.GetNullableString(c, "name"),
            KerasJson.GetBool(c, "trainable", true), DTypePolicy.FromConfig(c["dtype"]).Name);
    }
}
