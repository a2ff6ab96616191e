using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Initializers;

/// <summary>Draws from a normal distribution (<c>keras.initializers.RandomNormal</c>; alias <c>normal</c>).</summary>
public sealed class RandomNormal : RandomInitializer
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="mean">Mean. Default: 0.0.</param>
    /// <param name="stddev">Standard deviation, ≥ 0. Default: 0.05.</param>
    /// <param name="seed">Seed; null draws one from <see cref="RandomSeeds"/>. Default: null.</param>
    /// <exception cref="ArgumentException"><paramref name="stddev"/> is negative or not finite.</exception>
    public RandomNormal(double mean = 0.0, double stddev = 0.05, int? seed = null) : base(seed)
    {
        Mean = mean;
        Stddev = ParameterChecks.NonNegative(stddev, "stddev", "RandomNormal");
    }

    /// <summary>Mean.</summary>
    public double Mean { get; }

    /// <summary>Standard deviation.</summary>
    public double Stddev { get; }

    /// <inheritdoc/>
    public override string ClassName => "RandomNormal";

    /// <inheritdoc/>
    public override Tensor Create(Shape shape, DType dtype = DType.Float32)
    {
        CheckDType(dtype);
        return NewGenerator().Normal(shape, Mean, Stddev, dtype);
    }

    /// <summary><c>{"seed", "mean", "stddev"}</c>.</summary>
    public override JsonObject GetConfig() => new()
    {
        ["seed"] = SeedConfig,
        ["mean"] = KerasJson.Float(Mean),
        ["stddev"] = KerasJson.Float(Stddev),
    };

    internal static RandomNormal FromConfig(JsonObject config)
    {
        KerasJson.RejectUnknownKeys(config, ["seed", "mean", "stddev", LegacyDTypeKey], "RandomNormal");
        return new RandomNormal(KerasJson.GetDouble(config, "mean", 0.0), KerasJson.GetDouble(config, "stddev", 0.05), ReadSeed(config));
    }
}

/// <summary>
/// Draws from a normal distribution with values beyond two standard deviations from the mean redrawn
/// (<c>keras.initializers.TruncatedNormal</c>). <c>stddev</c> is that of the normal before truncation.
/// </summary>
public sealed class TruncatedNormal : RandomInitializer
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="mean">Mean. Default: 0.0.</param>
    /// <param name="stddev">Standard deviation of the untruncated normal, ≥ 0. Default: 0.05.</param>
    /// <param name="seed">Seed; null draws one from <see cref="RandomSeeds"/>. Default: null.</param>
    /// <exception cref="ArgumentException"><paramref name="stddev"/> is negative or not finite.</exception>
    public TruncatedNormal(double mean = 0.0, double stddev = 0.05, int? seed = null) : base(seed)
    {
        Mean = mean;
        Stddev = ParameterChecks.NonNegative(stddev, "stddev", "TruncatedNormal");
    }

    /// <summary>Mean.</summary>
    public double Mean { get; }

    /// <summary>Standard deviation before truncation.</summary>
    public double Stddev { get; }

    /// <inheritdoc/>
    public override string ClassName => "TruncatedNormal";

    /// <inheritdoc/>
    public override Tensor Create(Shape shape, DType dtype = DType.Float32)
    {
        CheckDType(dtype);
        return NewGenerator().TruncatedNormal(shape, Mean, Stddev, dtype);
    }

    /// <summary><c>{"seed", "mean", "stddev"}</c>.</summary>
    public override JsonObject GetConfig() => new()
    {
        ["seed"] = SeedConfig,
        ["mean"] = KerasJson.Float(Mean),
        ["stddev"] = KerasJson.Float(Stddev),
    };

    internal static TruncatedNormal FromConfig(JsonObject config)
    {
        KerasJson.RejectUnknownKeys(config, ["seed", "mean", "stddev", LegacyDTypeKey], "TruncatedNormal");
        return new TruncatedNormal(KerasJson.GetDouble(config, "mean", 0.0), KerasJson.GetDouble(config, "stddev", 0.05), ReadSeed(config));
    }
}

/// <summary>Draws from a uniform distribution on [minval, maxval) (<c>keras.initializers.RandomUniform</c>; alias <c>uniform</c>).</summary>
public sealed class RandomUniform : RandomInitializer
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="minval">Lower bound (inclusive). Default: −0.05.</param>
    /// <param name="maxval">Upper bound (exclusive), ≥ <paramref name="minval"/>. Default: 0.05.</param>
    /// <param name="seed">Seed; null draws one from <see cref="RandomSeeds"/>. Default: null.</param>
    /// <exception cref="ArgumentException"><paramref name="maxval"/> is less than <paramref name="minval"/>, or a bound is not finite.</exception>
    public RandomUniform(double minval = -0.05, double maxval = 0.05, int? seed = null) : base(seed)
    {
        if (!double.IsFinite(minval) || !double.IsFinite(maxval) || maxval < minval)
            throw new ArgumentException($"RandomUniform: expected finite bounds with minval <= maxval. Received: minval={minval}, maxval={maxval}", nameof(maxval));
        Minval = minval;
        Maxval = maxval;
    }

    /// <summary>Lower bound.</summary>
    public double Minval { get; }

    /// <summary>Upper bound.</summary>
    public double Maxval { get; }

    /// <inheritdoc/>
    public override string ClassName => "RandomUniform";

    /// <inheritdoc/>
    public override Tensor Create(Shape shape, DType dtype = DType.Float32)
    {
        CheckDType(dtype);
        return NewGenerator().Uniform(shape, Minval, Maxval, dtype);
    }

    /// <summary><c>{"seed", "minval", "maxval"}</c>.</summary>
    public override JsonObject GetConfig() => new()
    {
        ["seed"] = SeedConfig,
        ["minval"] = KerasJson.Float(Minval),
        ["maxval"] = KerasJson.Float(Maxval),
    };

    internal static RandomUniform FromConfig(JsonObject config)
    {
        KerasJson.RejectUnknownKeys(config, ["seed", "minval", "maxval", LegacyDTypeKey], "RandomUniform");
        return new RandomUniform(KerasJson.GetDouble(config, "minval", -0.05), KerasJson.GetDouble(config, "maxval", 0.05), ReadSeed(config));
    }
}

/// <summary>Argument checks shared by the initializers, regularizers and constraints, with Keras-style messages.</summary>
internal static class ParameterChecks
{
    /// <summary>Returns <paramref name="value"/> if it is finite and ≥ 0; otherwise throws naming the argument and class.</summary>
    public static double NonNegative(double value, string argument, string className)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentException($"{className}: invalid value for argument {argument}: expected a finite, non-negative float. Received: {argument}={value}", argument);
        return value;
    }
}
