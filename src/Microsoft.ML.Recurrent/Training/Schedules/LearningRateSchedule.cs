using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Keras;

namespace Microsoft.ML.Recurrent.Training.Schedules;

/// <summary>
/// A learning rate that depends on the optimizer step (Keras <c>keras.optimizers.schedules.LearningRateSchedule</c>).
/// The step passed is the optimizer's <see cref="Optimizers.Optimizer.Iterations"/> before the update (0 on the first step).
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate at optimizer step <paramref name="step"/> (0-based).</summary>
    public abstract double this[long step] { get; }

    /// <summary>The Keras class name (<c>"ExponentialDecay"</c>, ...).</summary>
    public abstract string ClassName { get; }

    /// <summary>The Keras config of the schedule.</summary>
    public abstract JsonObject GetConfig();

    /// <summary>The Keras envelope <c>{"module", "class_name", "config", "registered_name"}</c>.</summary>
    public JsonObject ToConfig() => new()
    {
        ["module"] = "keras.optimizers.schedules",
        ["class_name"] = ClassName,
        ["config"] = GetConfig(),
        ["registered_name"] = null,
    };

    /// <summary>Creates a schedule from a Keras envelope written by <see cref="ToConfig"/> (or by Keras).</summary>
    /// <exception cref="FormatException">Unknown schedule class.</exception>
    public static LearningRateSchedule FromConfig(JsonObject envelope)
    {
        string className = envelope["class_name"]?.GetValue<string>() ?? "";
        var c = envelope["config"] as JsonObject ?? new JsonObject();
        double D(string key, double fallback) => KerasJson.GetDouble(c, key, fallback);
        bool B(string key) => KerasJson.GetBool(c, key, false);
        return className switch
        {
            "ExponentialDecay" => new ExponentialDecay(D("initial_learning_rate", 0), (long)D("decay_steps", 1), D("decay_rate", 1), B("staircase")),
            "InverseTimeDecay" => new InverseTimeDecay(D("initial_learning_rate", 0), (long)D("decay_steps", 1), D("decay_rate", 1), B("staircase")),
            "PiecewiseConstantDecay" => new PiecewiseConstantDecay(
                ((JsonArray)c["boundaries"]!).Select(b => KerasJson.TryReadNumber(b, out double v) ? (long)v : throw new FormatException("PiecewiseConstantDecay boundaries must be numbers.")).ToArray(),
                ((JsonArray)c["values"]!).Select(v => KerasJson.TryReadNumber(v, out double x) ? x : throw new FormatException("PiecewiseConstantDecay values must be numbers.")).ToArray()),
            "CosineDecay" => new CosineDecay(D("initial_learning_rate", 0), (long)D("decay_steps", 1), D("alpha", 0),
                KerasJson.GetNullableDouble(c, "warmup_target"), (long)D("warmup_steps", 0)),
            _ => throw new FormatException($"Unknown learning-rate schedule class '{className}'; expected ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay or CosineDecay."),
        };
    }

    private protected static void CheckPositive(long value, string argument)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(argument, value, $"Received an invalid value for argument `{argument}`, expected a positive integer, got {value}.");
    }
}

/// <summary>
/// <c>initialLearningRate · decayRate^(step / decaySteps)</c>, the exponent floored when <see cref="Staircase"/>
/// (Keras <c>ExponentialDecay</c>).
/// </summary>
/// <param name="initialLearningRate">The rate at step 0.</param>
/// <param name="decaySteps">Steps per decay period; positive.</param>
/// <param name="decayRate">Factor per period.</param>
/// <param name="staircase">Decay in whole periods. Default false.</param>
public sealed class ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, bool staircase = false) : LearningRateSchedule
{
    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; } = initialLearningRate;

    /// <summary>Steps per decay period.</summary>
    public long DecaySteps { get; } = Positive(decaySteps);

    /// <summary>Factor per period.</summary>
    public double DecayRate { get; } = decayRate;

    /// <summary>Whether the exponent is floored.</summary>
    public bool Staircase { get; } = staircase;

    private static long Positive(long v) { CheckPositive(v, "decay_steps"); return v; }

    /// <inheritdoc/>
    public override double this[long step]
    {
        get
        {
            double p = (double)step / DecaySteps;
            if (Staircase) p = Math.Floor(p);
            return InitialLearningRate * Math.Pow(DecayRate, p);
        }
    }

    /// <inheritdoc/>
    public override string ClassName => "ExponentialDecay";

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new()
    {
        ["initial_learning_rate"] = InitialLearningRate,
        ["decay_steps"] = DecaySteps,
        ["decay_rate"] = DecayRate,
        ["staircase"] = Staircase,
        ["name"] = "ExponentialDecay",
    };
}

/// <summary>
/// <c>initialLearningRate / (1 + decayRate · step / decaySteps)</c>, the ratio floored when <see cref="Staircase"/>
/// (Keras <c>InverseTimeDecay</c>).
/// </summary>
/// <param name="initialLearningRate">The rate at step 0.</param>
/// <param name="decaySteps">Steps per decay period; positive.</param>
/// <param name="decayRate">Decay per period.</param>
/// <param name="staircase">Decay in whole periods. Default false.</param>
public sealed class InverseTimeDecay(double initialLearningRate, long decaySteps, double decayRate, bool staircase = false) : LearningRateSchedule
{
    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; } = initialLearningRate;

    /// <summary>Steps per decay period.</summary>
    public long DecaySteps { get; } = Positive(decaySteps);

    /// <summary>Decay per period.</summary>
    public double DecayRate { get; } = decayRate;

    /// <summary>Whether the ratio is floored.</summary>
    public bool Staircase { get; } = staircase;

    private static long Positive(long v) { CheckPositive(v, "decay_steps"); return v; }

    /// <inheritdoc/>
    public override double this[long step]
    {
        get
        {
            double p = (double)step / DecaySteps;
            if (Staircase) p = Math.Floor(p);
            return InitialLearningRate / (1 + DecayRate * p);
        }
    }

    /// <inheritdoc/>
    public override string ClassName => "InverseTimeDecay";

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new()
    {
        ["initial_learning_rate"] = InitialLearningRate,
        ["decay_steps"] = DecaySteps,
        ["decay_rate"] = DecayRate,
        ["staircase"] = Staircase,
        ["name"] = "InverseTimeDecay",
    };
}

/// <summary>
/// A step function (Keras <c>PiecewiseConstantDecay</c>): <c>values[0]</c> while <c>step ≤ boundaries[0]</c>,
/// <c>values[i]</c> while <c>boundaries[i-1] &lt; step ≤ boundaries[i]</c>, and the last value after the last boundary.
/// </summary>
public sealed class PiecewiseConstantDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="boundaries">Increasing step boundaries.</param>
    /// <param name="values">One more value than boundaries.</param>
    /// <exception cref="ArgumentException">The counts do not match, or the boundaries do not increase.</exception>
    public PiecewiseConstantDecay(IReadOnlyList<long> boundaries, IReadOnlyList<double> values)
    {
        if (values.Count != boundaries.Count + 1)
            throw new ArgumentException($"The length of `boundaries` should be 1 less than the length of `values`. Received: boundaries={boundaries.Count} values, values={values.Count} values.", nameof(values));
        for (int i = 1; i < boundaries.Count; i++)
            if (boundaries[i] <= boundaries[i - 1])
                throw new ArgumentException($"`boundaries` must increase; boundary {i} ({boundaries[i]}) is not above boundary {i - 1} ({boundaries[i - 1]}).", nameof(boundaries));
        Boundaries = boundaries.ToArray();
        Values = values.ToArray();
    }

    /// <summary>The step boundaries.</summary>
    public IReadOnlyList<long> Boundaries { get; }

    /// <summary>The rates, one per interval.</summary>
    public IReadOnlyList<double> Values { get; }

    /// <inheritdoc/>
    public override double this[long step]
    {
        get
        {
            for (int i = 0; i < Boundaries.Count; i++)
                if (step <= Boundaries[i]) return Values[i];
            return Values[^1];
        }
    }

    /// <inheritdoc/>
    public override string ClassName => "PiecewiseConstantDecay";

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new()
    {
        ["boundaries"] = new JsonArray(Boundaries.Select(b => (JsonNode)JsonValue.Create(b)).ToArray()),
        ["values"] = new JsonArray(Values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
        ["name"] = "PiecewiseConstant",
    };
}

/// <summary>
/// Cosine decay with optional linear warmup (Keras <c>CosineDecay</c>). Without a warmup target the rate goes from
/// <c>initialLearningRate</c> to <c>alpha · initialLearningRate</c> over <c>decaySteps</c>; with one it first rises
/// linearly from <c>initialLearningRate</c> to <c>warmupTarget</c> over <c>warmupSteps</c>, then decays from the target.
/// </summary>
/// <param name="initialLearningRate">The rate at step 0.</param>
/// <param name="decaySteps">Length of the decay; positive.</param>
/// <param name="alpha">Final rate as a fraction of the decay's start. Default 0.</param>
/// <param name="warmupTarget">Rate reached at the end of warmup; null for no warmup. Default null.</param>
/// <param name="warmupSteps">Length of the warmup. Default 0.</param>
public sealed class CosineDecay(double initialLearningRate, long decaySteps, double alpha = 0.0, double? warmupTarget = null, long warmupSteps = 0) : LearningRateSchedule
{
    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; } = initialLearningRate;

    /// <summary>Length of the decay.</summary>
    public long DecaySteps { get; } = Positive(decaySteps);

    /// <summary>Final fraction of the rate.</summary>
    public double Alpha { get; } = alpha;

    /// <summary>Rate after warmup, or null.</summary>
    public double? WarmupTarget { get; } = warmupTarget;

    /// <summary>Length of the warmup.</summary>
    public long WarmupSteps { get; } = warmupSteps;

    private static long Positive(long v) { CheckPositive(v, "decay_steps"); return v; }

    private double Decay(double step, double from)
    {
        double fraction = step / DecaySteps;
        double cosine = 0.5 * (1.0 + Math.Cos(Math.PI * fraction));
        return from * ((1 - Alpha) * cosine + Alpha);
    }

    /// <inheritdoc/>
    public override double this[long step]
    {
        get
        {
            if (WarmupTarget is not { } target) return Decay(Math.Min(step, DecaySteps), InitialLearningRate);
            double s = Math.Min(step, DecaySteps + WarmupSteps);
            if (s < WarmupSteps) return (target - InitialLearningRate) * (s / WarmupSteps) + InitialLearningRate;
            return Decay(s - WarmupSteps, target);
        }
    }

    /// <inheritdoc/>
    public override string ClassName => "CosineDecay";

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new()
    {
        ["initial_learning_rate"] = InitialLearningRate,
        ["decay_steps"] = DecaySteps,
        ["alpha"] = Alpha,
        ["name"] = "CosineDecay",
        ["warmup_target"] = WarmupTarget,
        ["warmup_steps"] = WarmupSteps,
    };
}
