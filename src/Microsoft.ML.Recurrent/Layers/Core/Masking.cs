using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Core;

/// <summary>
/// Masks time steps whose features all equal <see cref="MaskValue"/> (Keras <c>Masking</c>). The mask
/// <c>(batch, time)</c> is 1 where any feature on the last axis differs from the value (exact comparison, so a NaN
/// mask value masks nothing); the output is the input with masked steps set to 0.
/// </summary>
public class Masking : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="maskValue">The padding value. Default 0.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    public Masking(double maskValue = 0.0, string? name = null, bool trainable = true, string? dtype = null)
        : base(name, trainable, dtype) => MaskValue = maskValue;

    /// <summary>The value that marks padding.</summary>
    public double MaskValue { get; }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    protected override Tensor[] Call(Tensor inputs, CallArguments arguments)
    {
        var keep = StepMask(inputs, keepDims: true);
        return [Ops.Where(keep, inputs, Tensor.Zeros(Shape.Scalar, inputs.DType, inputs.Device))];
    }

    /// <summary>The mask: 1 where any feature differs from <see cref="MaskValue"/>.</summary>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => StepMask(inputs, keepDims: false);

    private Tensor StepMask(Tensor inputs, bool keepDims)
    {
        using var _ = Autodiff.NoGrad();
        var differs = Ops.NotEqual(inputs, Tensor.Full(Shape.Scalar, MaskValue, inputs.DType, inputs.Device));
        return Ops.Max(differs, [-1], keepDims);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["mask_value"] = KerasJson.Float(MaskValue);
        return config;
    }

    /// <summary>Creates the layer from its Keras config.</summary>
    public static Masking FromConfig(JsonObject c)
    {
        KerasJson.RejectUnknownKeys(c, ["name", "trainable", "dtype", "mask_value", "batch_input_shape", "input_shape"], "Masking");
        return new Masking(KerasJson.GetDouble(c, "mask_value", 0.0), KerasJson.GetNullableString(c, "name"),
            KerasJson.GetBool(c, "trainable", true), DTypePolicy.FromConfig(c["dtype"]).Name);
    }
}
