using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Initializers;

/// <summary>
/// Initializer that adapts its scale to the shape of the weight (<c>keras.initializers.VarianceScaling</c>).
/// </summary>
/// <remarks>
/// <para>With n = max(1, fan_in), max(1, fan_out) or max(1, (fan_in + fan_out)/2) for <c>mode</c> <c>"fan_in"</c>,
/// <c>"fan_out"</c> or <c>"fan_avg"</c> (fans from <see cref="Initializer.ComputeFans"/>) and v = scale / n:</para>
/// <list type="bullet">
/// <item><c>"truncated_normal"</c>: normal with stddev sqrt(v) / 0.87962566103423978 (the standard deviation of a
/// standard normal truncated to ±2), values beyond two standard deviations redrawn, so the result has variance v;</item>
/// <item><c>"untruncated_normal"</c>: normal with stddev sqrt(v);</item>
/// <item><c>"uniform"</c>: uniform on [−sqrt(3v), sqrt(3v)].</item>
/// </list>
/// <para>Keras 3.15 configs carry <c>input_axes</c>/<c>output_axes</c>; they are accepted when null (the default
/// fan rule) and written as null.</para>
/// </remarks>
public class VarianceScaling : RandomInitializer
{
    /// <summary>The standard deviation of a standard normal truncated to [−2, 2].</summary>
    public const double TruncatedNormalStddev = 0.87962566103423978;

    private static readonly string[] s_modes = ["fan_in", "fan_out", "fan_avg"];
    private static readonly string[] s_distributions = ["truncated_normal", "untruncated_normal", "uniform"];

    /// <summary>Creates the initializer.</summary>
    /// <param name="scale">Scaling factor, a positive number. Default: 1.0.</param>
    /// <param name="mode">One of <c>"fan_in"</c>, <c>"fan_out"</c>, <c>"fan_avg"</c>. Default: <c>"fan_in"</c>.</param>
    /// <param name="distribution">One of <c>"truncated_normal"</c>, <c>"untruncated_normal"</c>, <c>"uniform"</c>
    /// (case-insensitive; the legacy <c>"normal"</c> means <c>"truncated_normal"</c>). Default: <c>"truncated_normal"</c>.</param>
    /// <param name="seed">Seed; null draws one from <see cref="RandomSeeds"/>. Default: null.</param>
    /// <exception cref="ArgumentException"><paramref name="scale"/> is not positive, or the mode or distribution is unknown.</exception>
    public VarianceScaling(double scale = 1.0, string mode = "fan_in", string distribution = "truncated_normal", int? seed = null)
        : base(seed)
    {
        if (!(scale > 0) || double.IsInfinity(scale))
            throw new ArgumentException($"Argument `scale` must be a positive float. Received: scale={scale}", nameof(scale));
        if (!s_modes.Contains(mode))
            throw new ArgumentException($"Invalid `mode` argument: '{mode}'. Expected one of: {string.Join(", ", s_modes)}.", nameof(mode));
        ArgumentNullException.ThrowIfNull(distribution);
        string normalized = distribution.ToLowerInvariant();
        if (normalized == "normal") normalized = "truncated_normal";
        if (!s_distributions.Contains(normalized))
            throw new ArgumentException($"Invalid `distribution` argument: '{distribution}'. Expected one of: {string.Join(", ", s_distributions)}.", nameof(distribution));
        Scale = scale;
        Mode = mode;
        Distribution = normalized;
    }

    /// <summary>The scaling factor.</summary>
    public double Scale { get; }

    /// <summary><c>"fan_in"</c>, <c>"fan_out"</c> or <c>"fan_avg"</c>.</summary>
    public string Mode { get; }

    /// <summary><c>"truncated_normal"</c>, <c>"untruncated_normal"</c> or <c>"uniform"</c>.</summary>
    public string Distribution { get; }

    /// <inheritdoc/>
    public override string ClassName => "VarianceScaling";

    /// <inheritdoc/>
    public override Tensor Create(Shape shape, DType dtype = DType.Float32)
    {
        CheckDType(dtype);
        var (fanIn, fanOut) = ComputeFans(shape);
        double n = Mode switch
        {
            "fan_in" => Math.Max(1.0, fanIn),
            "fan_out" => Math.Max(1.0, fanOut),
            _ => Math.Max(1.0, (fanIn + fanOut) / 2.0),
        };
        double variance = Scale / n;
        var rng = NewGenerator();
        return Distribution switch
        {
            "truncated_normal" => rng.TruncatedNormal(shape, 0, Math.Sqrt(variance) / TruncatedNormalStddev, dtype),
            "untruncated_normal" => rng.Normal(shape, 0, Math.Sqrt(variance), dtype),
            _ => rng.Uniform(shape, -Math.Sqrt(3 * variance), Math.Sqrt(3 * variance), dtype),
        };
    }

    /// <summary><c>{"seed", "scale", "mode", "distribution", "input_axes": null, "output_axes": null}</c>.</summary>
    public override JsonObject GetConfig() => new()
    {
        ["seed"] = SeedConfig,
        ["scale"] = KerasJson.Float(Scale),
        ["mode"] = Mode,
        ["distribution"] = Distribution,
        ["input_axes"] = null,
        ["output_axes"] = null,
    };

    /// <summary>The config of the named subclasses (Glorot, He, Lecun): <c>{"seed", "input_axes": null, "output_axes": null}</c>.</summary>
    private protected JsonObject SeedOnlyConfig() => new()
    {
        ["seed"] = SeedConfig,
        ["input_axes"] = null,
        ["output_axes"] = null,
    };

    internal static VarianceScaling FromConfig(JsonObject config)
    {
        KerasJson.RejectUnknownKeys(config, ["seed", "scale", "mode", "distribution", "input_axes", "output_axes", LegacyDTypeKey], "VarianceScaling");
        CheckAxesAreDefault(config, "VarianceScaling");
        return new VarianceScaling(
            KerasJson.GetDouble(config, "scale", 1.0),
            KerasJson.GetString(config, "mode", "fan_in"),
            KerasJson.GetString(config, "distribution", "truncated_normal"),
            ReadSeed(config));
    }

    /// <summary>Explicit fan axes (Keras 3.15+) are not supported; null, the default, is.</summary>
    internal static void CheckAxesAreDefault(JsonObject config, string className)
    {
        foreach (var key in (string[])["input_axes", "output_axes"])
            if (config[key] is { } axes)
                throw new NotSupportedException(
                    $"{className}: '{key}' = {KerasJson.PythonRepr(axes)} is not supported; only null (fans from the default rule for the weight's rank) is.");
    }
}

/// <summary>
/// The Glorot (Xavier) uniform initializer: uniform on [−limit, limit], limit = sqrt(6 / (fan_in + fan_out))
/// (<c>VarianceScaling(1.0, "fan_avg", "uniform")</c>). The default <c>kernel_initializer</c> of recurrent layers.
/// </summary>
public sealed class GlorotUniform : VarianceScaling
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="seed">Seed; null draws one from <see cref="RandomSeeds"/>. Default: null.</param>
    public GlorotUniform(int? seed = null) : base(1.0, "fan_avg", "uniform", seed) { }

    /// <inheritdoc/>
    public override string ClassName => "GlorotUniform";

    /// <summary><c>{"seed", "input_axes": null, "output_axes": null}</c>.</summary>
    public override JsonObject GetConfig() => SeedOnlyConfig();
}

/// <summary>
/// The Glorot (Xavier) normal initializer: truncated normal with stddev sqrt(2 / (fan_in + fan_out)) after
/// truncation (<c>VarianceScaling(1.0, "fan_avg", "truncated_normal")</c>).
/// </summary>
public sealed class GlorotNormal : VarianceScaling
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="seed">Seed; null draws one from <see cref="RandomSeeds"/>. Default: null.</param>
    public GlorotNormal(int? seed = null) : base(1.0, "fan_avg", "truncated_normal", seed) { }

    /// <inheritdoc/>
    public override string ClassName => "GlorotNormal";

    /// <summary><c>{"seed", "input_axes": null, "output_axes": null}</c>.</summary>
    public override JsonObject GetConfig() => SeedOnlyConfig();
}

/// <summary>
/// The He uniform initializer: uniform on [−limit, limit], limit = sqrt(6 / fan_in)
/// (<c>VarianceScaling(2.0, "fan_in", "uniform")</c>).
/// </summary>
public sealed class HeUniform : VarianceScaling
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="seed">Seed; null draws one from <see cref="RandomSeeds"/>. Default: null.</param>
    public HeUniform(int? seed = null) : base(2.0, "fan_in", "uniform", seed) { }

    /// <inheritdoc/>
    public override string ClassName => "HeUniform";

    /// <summary><c>{"seed", "input_axes": null, "output_axes": null}</c>.</summary>
    public override JsonObject GetConfig() => SeedOnlyConfig();
}

/// <summary>
/// The He normal initializer: truncated normal with stddev sqrt(2 / fan_in) after truncation
/// (<c>VarianceScaling(2.0, "fan_in", "truncated_normal")</c>).
/// </summary>
public sealed class HeNormal : VarianceScaling
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="seed">Seed; null draws one from <see cref="RandomSeeds"/>. Default: null.</param>
    public HeNormal(int? seed = null) : base(2.0, "fan_in", "truncated_normal", seed) { }

    /// <inheritdoc/>
    public override string ClassName => "HeNormal";

    /// <summary><c>{"seed", "input_axes": null, "output_axes": null}</c>.</summary>
    public override JsonObject GetConfig() => SeedOnlyConfig();
}

/// <summary>
/// The Lecun uniform initializer: uniform on [−limit, limit], limit = sqrt(3 / fan_in)
/// (<c>VarianceScaling(1.0, "fan_in", "uniform")</c>).
/// </summary>
public sealed class LecunUniform : VarianceScaling
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="seed">Seed; null draws one from <see cref="RandomSeeds"/>. Default: null.</param>
    public LecunUniform(int? seed = null) : base(1.0, "fan_in", "uniform", seed) { }

    /// <inheritdoc/>
    public override string ClassName => "LecunUniform";

    /// <summary><c>{"seed", "input_axes": null, "output_axes": null}</c>.</summary>
    public override JsonObject GetConfig() => SeedOnlyConfig();
}

/// <summary>
/// The Lecun normal initializer: truncated normal with stddev sqrt(1 / fan_in) after truncation
/// (<c>VarianceScaling(1.0, "fan_in", "truncated_normal")</c>).
/// </summary>
public sealed class LecunNormal : VarianceScaling
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="seed">Seed; null draws one from <see cref="RandomSeeds"/>. Default: null.</param>
    public LecunNormal(int? seed = null) : base(1.0, "fan_in", "truncated_normal", seed) { }

    /// <inheritdoc/>
    public override string ClassName => "LecunNormal";

    /// <summary><c>{"seed", "input_axes": null, "output_axes": null}</c>.</summary>
    public override JsonObject GetConfig() => SeedOnlyConfig();
}
