using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Core;

/// <summary>
/// Sets a fraction <see cref="Rate"/> of the inputs to 0 in training and scales the rest by <c>1/(1 − rate)</c>
/// (Keras <c>Dropout</c>); at inference the input passes through unchanged.
/// </summary>
public class Dropout : Layer
{
    private readonly RandomGenerator _random;

    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Fraction of units to drop, in [0, 1].</param>
    /// <param name="noiseShape">Shape of the binary mask, broadcast against the input (size 1 shares the mask along an axis); null for the input's shape.</param>
    /// <param name="seed">Seed of the masks; null draws one from <see cref="RandomSeeds"/>.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    /// <exception cref="ArgumentException"><paramref name="rate"/> outside [0, 1].</exception>
    public Dropout(double rate, int[]? noiseShape = null, int? seed = null, string? name = null, bool trainable = true, string? dtype = null)
        : base(name, trainable, dtype)
    {
        if (!(rate >= 0 && rate <= 1))
            throw new ArgumentException($"Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate={rate}", nameof(rate));
        Rate = rate;
        NoiseShape = noiseShape;
        Seed = seed;
        _random = new RandomGenerator(seed ?? RandomSeeds.Next());
    }

    /// <summary>Fraction of units dropped in training.</summary>
    public double Rate { get; }

    /// <summary>Mask shape (null: the input's).</summary>
    public int[]? NoiseShape { get; }

    /// <summary>Seed of the masks.</summary>
    public int? Seed { get; }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    protected override Tensor[] Call(Tensor inputs, CallArguments arguments)
    {
        if (!arguments.Training || Rate == 0) return [inputs];
        if (Rate >= 1) return [inputs * 0.0];
        var shape = NoiseShape is null ? inputs.Shape : new Shape(NoiseShape.Select((d, i) => d <= 0 ? inputs.Shape[i] : d).ToArray());
        var keep = _random.Bernoulli(shape, 1 - Rate, inputs.DType, inputs.Device);
        return [inputs * Ops.Multiply(keep, 1.0 / (1 - Rate))];
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["rate"] = KerasJson.Float(Rate);
        config["seed"] = Seed;
        config["noise_shape"] = NoiseShape is null ? null : new JsonArray(NoiseShape.Select(d => (JsonNode)d).ToArray());
        return config;
    }

    /// <summary>Creates the layer from its Keras config.</summary>
    public static Dropout FromConfig(JsonObject c)
    {
        KerasJson.RejectUnknownKeys(c, ["name", "trainable", "dtype", "rate", "seed", "noise_shape"], "Dropout");
        return new Dropout(KerasJson.GetDouble(c, "rate", double.NaN), KerasJson.GetNullableIntList(c, "noise_shape"),
            KerasJson.GetNullableInt(c, "seed"), KerasJson.GetNullableString(c, "name"), KerasJson.GetBool(c, "trainable", true),
            DTypePolicy.FromConfig(c["dtype"]).Name);
    }
}
