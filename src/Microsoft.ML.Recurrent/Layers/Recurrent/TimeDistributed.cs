using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>
/// Applies a layer to every time step of a <c>(batch, time, ...)</c> input independently (Keras <c>TimeDistributed</c>).
/// The inner layer is built for <c>(batch, ...)</c> and called on all steps at once (batch and time merged), which
/// gives the same result as a per-step loop for any layer without state across samples. Output
/// <c>(batch, time, ...inner output)</c>.
/// </summary>
public class TimeDistributed : Layer
{
    /// <summary>Wraps <paramref name="layer"/>.</summary>
    public TimeDistributed(Layer layer, string? name = null, bool trainable = true, string? dtype = null)
        : base(name, trainable, dtype ?? layer.DTypePolicy.Name)
    {
        Layer = TrackLayer(layer ?? throw new ArgumentNullException(nameof(layer)));
        if (!trainable) Trainable = false;
    }

    /// <inheritdoc/>
    public override string ClassName => "TimeDistributed";

    /// <summary>The wrapped layer.</summary>
    public Layer Layer { get; }

    /// <inheritdoc/>
    public override void Build(Shape inputShape)
    {
        if (inputShape.Rank < 3)
            throw new ArgumentException($"`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, received: {inputShape}", nameof(inputShape));
        if (!Layer.Built) Layer.Build(new Shape([inputShape[0], .. inputShape.Dims[2..]]));
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    protected override Tensor[] Call(Tensor inputs, CallArguments arguments)
    {
        int batch = inputs.Shape[0], steps = inputs.Shape[1];
        Tensor? mask = null;
        if (arguments.Mask is { } m)
        {
            if (m.Rank < 2 || m.Shape[0] != batch || m.Shape[1] != steps)
                throw new ArgumentException($"TimeDistributed '{Name}': the mask has shape {m.Shape}; its first two dimensions must match the input's ({batch}, {steps}).", nameof(arguments));
            mask = Ops.Reshape(m, [batch * steps, .. m.Shape.Dims[2..]]);
        }
        var merged = Ops.Reshape(inputs, [batch * steps, .. inputs.Shape.Dims[2..]]);
        var outputs = Layer.CallDirect(merged, arguments with { Mask = mask });
        return outputs.Select(y => Ops.Reshape(y, [batch, steps, .. y.Shape.Dims[1..]])).ToArray();
    }

    /// <inheritdoc/>
    protected internal override IReadOnlyList<Tensor> AdaptLegacyWeights(IReadOnlyList<Tensor> values) => Layer.AdaptLegacyWeights(values);

    /// <inheritdoc/>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => mask;

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        var inner = Layer.ToConfig();
        inner.Remove("build_config");
        config["layer"] = inner;
        return config;
    }

    /// <summary>Creates the wrapper from its Keras config.</summary>
    public static TimeDistributed FromConfig(JsonObject c, bool keras2 = false)
    {
        KerasJson.RejectUnknownKeys(c, ["name", "trainable", "dtype", "layer"], "TimeDistributed");
        var inner = KerasLayers.Deserialize(c["layer"] ?? throw new FormatException("TimeDistributed config: the 'layer' key is required."), keras2);
        return new TimeDistributed(inner, KerasJson.GetNullableString(c, "name"), KerasJson.GetBool(c, "trainable", true),
            c["dtype"] is null ? null : DTypePolicy.FromConfig(c["dtype"]).Name);
    }
}
