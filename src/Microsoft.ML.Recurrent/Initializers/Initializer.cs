using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Initializers;

/// <summary>
/// A Keras weight initializer (<c>keras.initializers.*</c>): creates the initial value of a weight of a given
/// shape, and serializes to and from the Keras config JSON.
/// </summary>
/// <remarks>
/// Lookup names (<see cref="Get(JsonNode?)"/>): the class names and their snake_case forms (<c>glorot_uniform</c>,
/// <c>glorot_normal</c>, <c>he_uniform</c>, <c>he_normal</c>, <c>lecun_uniform</c>, <c>lecun_normal</c>,
/// <c>orthogonal</c>, <c>random_normal</c>, <c>random_uniform</c>, <c>truncated_normal</c>, <c>variance_scaling</c>,
/// <c>zeros</c>, <c>ones</c>, <c>constant</c>, <c>identity</c>) plus the aliases <c>normal</c>, <c>uniform</c>,
/// <c>one</c>, <c>zero</c>, <c>OrthogonalInitializer</c> and <c>IdentityInitializer</c>.
/// </remarks>
public abstract class Initializer
{
    /// <summary>The Keras module the envelope names: <c>"keras.initializers"</c>.</summary>
    public const string Module = "keras.initializers";

    /// <summary>Creates the initial value of a weight.</summary>
    /// <param name="shape">The weight's shape.</param>
    /// <param name="dtype">A floating-point dtype. Default: float32.</param>
    /// <returns>A new CPU tensor of <paramref name="shape"/> and <paramref name="dtype"/>.</returns>
    public abstract Tensor Create(Shape shape, DType dtype = DType.Float32);

    /// <summary>The Keras class name written to configs, e.g. <c>"GlorotUniform"</c>.</summary>
    public abstract string ClassName { get; }

    /// <summary>The Keras config dict (the <c>"config"</c> of the envelope), with the keys Keras 3.15 writes.</summary>
    public abstract JsonObject GetConfig();

    /// <summary>
    /// The full Keras 3 envelope, e.g.
    /// <c>{"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}</c>.
    /// </summary>
    public JsonObject ToConfig() => KerasJson.Envelope(Module, ClassName, GetConfig());

    /// <summary>The class name and config, e.g. <c>GlorotUniform({"seed":null,…})</c>.</summary>
    public override string ToString() => $"{ClassName}({GetConfig().ToJsonString()})";

    /// <summary>
    /// Reads an initializer as layers take it: null (→ null), a name (<c>"glorot_uniform"</c>, <c>"Orthogonal"</c>,
    /// aliases; built with default arguments), or a dict with <c>class_name</c> and <c>config</c>, with or without
    /// <c>module</c>/<c>registered_name</c> (Keras 3 and Keras 2 files).
    /// </summary>
    /// <param name="node">The JSON value.</param>
    /// <exception cref="ArgumentException">Unknown class name, unknown config key, or an invalid argument value.</exception>
    /// <exception cref="FormatException">The JSON has the wrong shape or a config value has the wrong type.</exception>
    public static Initializer? Get(JsonNode? node)
    {
        if (node is null) return null;
        if (node is JsonValue value && value.TryGetValue<string>(out var name)) return FromConfig(name, new JsonObject());
        var (className, config) = KerasJson.ReadEnvelope(node, "initializer");
        return FromConfig(className, config);
    }

    /// <summary>Looks up an initializer by name or class name, with default arguments; null gives null (see <see cref="Get(JsonNode?)"/>).</summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    [return: NotNullIfNotNull(nameof(name))]
    public static Initializer? Get(string? name) => name is null ? null : FromConfig(name, new JsonObject());

    /// <summary>Builds the initializer <paramref name="className"/> (a class name or alias) from its config dict.</summary>
    /// <param name="className">A class name or lookup alias.</param>
    /// <param name="config">The config; keys not accepted by the class are rejected (a legacy <c>dtype</c> key is ignored).</param>
    /// <exception cref="ArgumentException">Unknown class name, unknown config key, or an invalid argument value.</exception>
    /// <exception cref="FormatException">A config value has the wrong type.</exception>
    public static Initializer FromConfig(string className, JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(className);
        ArgumentNullException.ThrowIfNull(config);
        return className switch
        {
            "GlorotUniform" or "glorot_uniform" => new GlorotUniform(ReadVarianceScalingSeed(config, "GlorotUniform")),
            "GlorotNormal" or "glorot_normal" => new GlorotNormal(ReadVarianceScalingSeed(config, "GlorotNormal")),
            "HeUniform" or "he_uniform" => new HeUniform(ReadVarianceScalingSeed(config, "HeUniform")),
            "HeNormal" or "he_normal" => new HeNormal(ReadVarianceScalingSeed(config, "HeNormal")),
            "LecunUniform" or "lecun_uniform" => new LecunUniform(ReadVarianceScalingSeed(config, "LecunUniform")),
            "LecunNormal" or "lecun_normal" => new LecunNormal(ReadVarianceScalingSeed(config, "LecunNormal")),
            "VarianceScaling" or "variance_scaling" => VarianceScaling.FromConfig(config),
            "Orthogonal" or "orthogonal" or "OrthogonalInitializer" => Orthogonal.FromConfig(config),
            "RandomNormal" or "random_normal" or "normal" => RandomNormal.FromConfig(config),
            "RandomUniform" or "random_uniform" or "uniform" => RandomUniform.FromConfig(config),
            "TruncatedNormal" or "truncated_normal" => TruncatedNormal.FromConfig(config),
            "Zeros" or "zeros" or "zero" => ReadEmpty(config, "Zeros", new Zeros()),
            "Ones" or "ones" or "one" => ReadEmpty(config, "Ones", new Ones()),
            "Constant" or "constant" => Constant.FromConfig(config),
            "Identity" or "identity" or "IdentityInitializer" => Identity.FromConfig(config),
            _ => throw new ArgumentException(
                $"Unknown initializer: '{className}'. Expected one of: {string.Join(", ", KnownNames)}.", nameof(className)),
        };
    }

    /// <summary>Every class name and alias <see cref="Get(JsonNode?)"/> accepts.</summary>
    public static IReadOnlyList<string> KnownNames { get; } =
    [
        "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity", "IdentityInitializer",
        "LecunNormal", "LecunUniform", "Ones", "Orthogonal", "OrthogonalInitializer", "RandomNormal", "RandomUniform",
        "TruncatedNormal", "VarianceScaling", "Zeros",
        "constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "identity", "lecun_normal",
        "lecun_uniform", "normal", "one", "ones", "orthogonal", "random_normal", "random_uniform", "truncated_normal",
        "uniform", "variance_scaling", "zero", "zeros",
    ];

    /// <summary>
    /// <c>(fan_in, fan_out)</c> of a weight shape, as Keras computes them: rank 0 → (1, 1); rank 1 → (s0, s0);
    /// rank 2 → (s0, s1); rank ≥ 3 (convolution kernels <c>(..., in, out)</c>) → r = ∏ s[:-2],
    /// (s[-2]·r, s[-1]·r). Fans are taken over the whole shape: an LSTM kernel <c>(F, 4U)</c> has fan_out 4U.
    /// </summary>
    public static (long FanIn, long FanOut) ComputeFans(Shape shape)
    {
        switch (shape.Rank)
        {
            case 0: return (1, 1);
            case 1: return (shape[0], shape[0]);
            case 2: return (shape[0], shape[1]);
            default:
                long receptiveField = 1;
                for (int i = 0; i < shape.Rank - 2; i++) receptiveField *= shape[i];
                return (shape[^2] * receptiveField, shape[^1] * receptiveField);
        }
    }

    /// <summary>Checks that <paramref name="dtype"/> is floating point, naming the initializer.</summary>
    private protected void CheckDType(DType dtype)
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"{ClassName}: cannot create a {dtype.KerasName()} weight; expected float32 or float64.", nameof(dtype));
    }

    /// <summary>The legacy key older tf.keras wrote into initializer configs; accepted and ignored.</summary>
    private protected const string LegacyDTypeKey = "dtype";

    private static int? ReadVarianceScalingSeed(JsonObject config, string className)
    {
        KerasJson.RejectUnknownKeys(config, ["seed", "input_axes", "output_axes", LegacyDTypeKey], className);
        VarianceScaling.CheckAxesAreDefault(config, className);
        return RandomInitializer.ReadSeed(config);
    }

    private static Initializer ReadEmpty(JsonObject config, string className, Initializer initializer)
    {
        KerasJson.RejectUnknownKeys(config, [LegacyDTypeKey], className);
        return initializer;
    }
}

/// <summary>
/// Base of the initializers that draw random values. A seeded initializer returns the same values on every
/// <see cref="Initializer.Create"/> call; an unseeded one draws its seed once, at construction, from
/// <see cref="RandomSeeds"/> (so it too repeats its values, as in Keras 3, and a program that calls
/// <see cref="RandomSeeds.Set"/> first is reproducible).
/// </summary>
/// <remarks>Keras random streams are backend-specific; the values match Keras's distributions, not its bits.</remarks>
public abstract class RandomInitializer : Initializer
{
    /// <summary>Creates the initializer with <paramref name="seed"/> (null: draw one from <see cref="RandomSeeds"/>).</summary>
    private protected RandomInitializer(int? seed)
    {
        Seed = seed;
        EffectiveSeed = seed ?? RandomSeeds.Next();
    }

    /// <summary>The seed given at construction, or null (written to the config as is).</summary>
    public int? Seed { get; }

    /// <summary>The seed the values are drawn with: <see cref="Seed"/>, or the one drawn at construction.</summary>
    public long EffectiveSeed { get; }

    /// <summary>A generator positioned at the start of this initializer's stream.</summary>
    private protected RandomGenerator NewGenerator() => new(EffectiveSeed);

    /// <summary>The config's <c>seed</c>: an int, null, or a serialized <c>SeedGenerator</c> (its initial seed is used).</summary>
    internal static int? ReadSeed(JsonObject config)
    {
        if (config["seed"] is JsonObject generator)
        {
            var (className, generatorConfig) = KerasJson.ReadEnvelope(generator, "seed");
            if (className != "SeedGenerator")
                throw new FormatException($"Invalid value for 'seed': expected an integer, null or a SeedGenerator, got {KerasJson.PythonRepr(generator)}.");
            return KerasJson.GetNullableInt(generatorConfig, "seed");
        }
        return KerasJson.GetNullableInt(config, "seed");
    }

    /// <summary>The seed as Keras writes it: the int given, or null.</summary>
    private protected JsonNode? SeedConfig => Seed is { } s ? JsonValue.Create(s) : null;
}
