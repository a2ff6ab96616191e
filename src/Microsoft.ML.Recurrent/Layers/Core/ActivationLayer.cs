using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Core;

/// <summary>Applies an activation function to its input (Keras <c>Activation</c> layer; named so in configs).</summary>
public class ActivationLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="activation">The function, e.g. <see cref="Activation.Relu"/>.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    public ActivationLayer(Activation activation, string? name = null, bool trainable = true, string? dtype = null)
        : base(name, trainable, dtype) => Activation = activation ?? throw new ArgumentNullException(nameof(activation));

    /// <inheritdoc/>
    public override string ClassName => "Activation";

    /// <summary>The function applied.</summary>
    public Activation Activation { get; }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    protected override Tensor[] Call(Tensor inputs, CallArguments arguments) => [Activation.Apply(inputs)];

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["activation"] = Activation.ToConfig();
        return config;
    }

    /// <summary>Creates the layer from its Keras config.</summary>
    public static ActivationLayer FromConfig(JsonObject c, bool keras2 = false)
    {
        KerasJson.RejectUnknownKeys(c, ["name", "trainable", "dtype", "activation"], "Activation");
        return new ActivationLayer(Activation.Get(c["activation"], keras2), KerasJson.GetNullableString(c, "name"),
            KerasJson.GetBool(c, "trainable", true), DTypePolicy.FromConfig(c["dtype"]).Name);
    }
}
