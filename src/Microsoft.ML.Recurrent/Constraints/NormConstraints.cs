using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Constraints;

/// <summary>
/// Caps the L2 norm along <c>axis</c> at <c>max_value</c> (<c>keras.constraints.MaxNorm</c>; string
/// <c>"max_norm"</c>): <c>w · clip(n, 0, max_value) / (ε + n)</c>.
/// </summary>
public sealed class MaxNorm : NormConstraint
{
    /// <summary>Creates the constraint.</summary>
    /// <param name="maxValue">The maximum norm, finite and ≥ 0. Default: 2.</param>
    /// <param name="axis">The axis the norm is computed over. Default: 0 (per column of a kernel).</param>
    /// <exception cref="ArgumentException"><paramref name="maxValue"/> is negative or not finite.</exception>
    public MaxNorm(double maxValue = 2, int axis = 0) : this(maxValue, [axis], axisIsList: false) { }

    /// <summary>Creates the constraint with the norm over several axes.</summary>
    /// <param name="maxValue">The maximum norm, finite and ≥ 0.</param>
    /// <param name="axis">The axes the norm is computed over (written to the config as a list).</param>
    /// <exception cref="ArgumentException"><paramref name="maxValue"/> is negative or not finite, or no axis is given.</exception>
    public MaxNorm(double maxValue, int[] axis) : this(maxValue, axis, axisIsList: true) { }

    internal MaxNorm(double maxValue, int[] axis, bool axisIsList) : base(axis, axisIsList)
    {
        if (!double.IsFinite(maxValue) || maxValue < 0)
            throw new ArgumentException($"MaxNorm: expected a finite, non-negative max_value. Received: max_value={maxValue}", nameof(maxValue));
        MaxValue = maxValue;
    }

    /// <summary>The maximum norm.</summary>
    public double MaxValue { get; }

    /// <inheritdoc/>
    public override string ClassName => "MaxNorm";

    /// <inheritdoc/>
    public override Tensor Apply(Tensor weight) =>
        ProjectWithNorms(weight, (w, norms) => Ops.Multiply(w, Ops.Divide(Ops.Clip(norms, 0, MaxValue), Ops.Add(norms, Epsilon))));

    /// <summary><c>{"max_value": max_value, "axis": axis}</c>.</summary>
    public override JsonObject GetConfig() => new()
    {
        ["max_value"] = WholeOrFloat(MaxValue),
        ["axis"] = AxisConfig,
    };

    /// <summary>Keras's default <c>max_value=2</c> is a Python int and is written as <c>2</c>; other values as floats.</summary>
    private static JsonNode WholeOrFloat(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < int.MaxValue ? JsonValue.Create((int)value) : KerasJson.Float(value);
}

/// <summary>
/// Rescales to unit L2 norm along <c>axis</c> (<c>keras.constraints.UnitNorm</c>; string <c>"unit_norm"</c>):
/// <c>w / (ε + n)</c>.
/// </summary>
public sealed class UnitNorm : NormConstraint
{
    /// <summary>Creates the constraint.</summary>
    /// <param name="axis">The axis the norm is computed over. Default: 0 (per column of a kernel).</param>
    public UnitNorm(int axis = 0) : this([axis], axisIsList: false) { }

    /// <summary>Creates the constraint with the norm over several axes.</summary>
    /// <param name="axis">The axes the norm is computed over (written to the config as a list).</param>
    /// <exception cref="ArgumentException">No axis is given.</exception>
    public UnitNorm(int[] axis) : this(axis, axisIsList: true) { }

    internal UnitNorm(int[] axis, bool axisIsList) : base(axis, axisIsList) { }

    /// <inheritdoc/>
    public override string ClassName => "UnitNorm";

    /// <inheritdoc/>
    public override Tensor Apply(Tensor weight) => ProjectWithNorms(weight, (w, norms) => Ops.Divide(w, Ops.Add(norms, Epsilon)));

    /// <summary><c>{"axis": axis}</c>.</summary>
    public override JsonObject GetConfig() => new() { ["axis"] = AxisConfig };
}

/// <summary>
/// Keeps the L2 norm along <c>axis</c> between <c>min_value</c> and <c>max_value</c>
/// (<c>keras.constraints.MinMaxNorm</c>; string <c>"min_max_norm"</c>):
/// <c>w · (rate · clip(n, min_value, max_value) + (1 − rate) · n) / (ε + n)</c>.
/// </summary>
public sealed class MinMaxNorm : NormConstraint
{
    /// <summary>Creates the constraint.</summary>
    /// <param name="minValue">The minimum norm. Default: 0.0.</param>
    /// <param name="maxValue">The maximum norm, ≥ <paramref name="minValue"/>. Default: 1.0.</param>
    /// <param name="rate">How far to move toward the clipped norm per application: 1.0 enforces the bounds
    /// strictly, smaller values move gradually. Default: 1.0.</param>
    /// <param name="axis">The axis the norm is computed over. Default: 0 (per column of a kernel).</param>
    /// <exception cref="ArgumentException">A value is not finite, or <paramref name="maxValue"/> &lt; <paramref name="minValue"/>.</exception>
    public MinMaxNorm(double minValue = 0.0, double maxValue = 1.0, double rate = 1.0, int axis = 0)
        : this(minValue, maxValue, rate, [axis], axisIsList: false) { }

    /// <summary>Creates the constraint with the norm over several axes.</summary>
    /// <param name="minValue">The minimum norm.</param>
    /// <param name="maxValue">The maximum norm.</param>
    /// <param name="rate">The rate (see the other constructor).</param>
    /// <param name="axis">The axes the norm is computed over (written to the config as a list).</param>
    /// <exception cref="ArgumentException">A value is not finite, <paramref name="maxValue"/> &lt; <paramref name="minValue"/>, or no axis is given.</exception>
    public MinMaxNorm(double minValue, double maxValue, double rate, int[] axis)
        : this(minValue, maxValue, rate, axis, axisIsList: true) { }

    internal MinMaxNorm(double minValue, double maxValue, double rate, int[] axis, bool axisIsList) : base(axis, axisIsList)
    {
        if (!double.IsFinite(minValue) || !double.IsFinite(maxValue) || !double.IsFinite(rate) || maxValue < minValue)
            throw new ArgumentException(
                $"MinMaxNorm: expected finite values with min_value <= max_value. Received: min_value={minValue}, max_value={maxValue}, rate={rate}",
                nameof(maxValue));
        MinValue = minValue;
        MaxValue = maxValue;
        Rate = rate;
    }

    /// <summary>The minimum norm.</summary>
    public double MinValue { get; }

    /// <summary>The maximum norm.</summary>
    public double MaxValue { get; }

    /// <summary>The rate.</summary>
    public double Rate { get; }

    /// <inheritdoc/>
    public override string ClassName => "MinMaxNorm";

    /// <inheritdoc/>
    public override Tensor Apply(Tensor weight) => ProjectWithNorms(weight, (w, norms) =>
    {
        var desired = Ops.Add(Ops.Multiply(Ops.Clip(norms, MinValue, MaxValue), Rate), Ops.Multiply(norms, 1 - Rate));
        return Ops.Multiply(w, Ops.Divide(desired, Ops.Add(norms, Epsilon)));
    });

    /// <summary><c>{"min_value", "max_value", "rate", "axis"}</c>.</summary>
    public override JsonObject GetConfig() => new()
    {
        ["min_value"] = KerasJson.Float(MinValue),
        ["max_value"] = KerasJson.Float(MaxValue),
        ["rate"] = KerasJson.Float(Rate),
        ["axis"] = AxisConfig,
    };
}

/// <summary>Sets negative weights to zero (<c>keras.constraints.NonNeg</c>; string <c>"non_neg"</c>): <c>max(w, 0)</c>.</summary>
public sealed class NonNeg : Constraint
{
    /// <inheritdoc/>
    public override string ClassName => "NonNeg";

    /// <inheritdoc/>
    public override Tensor Apply(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var _ = Autodiff.NoGrad();
        var zero = Tensor.Zeros(Shape.Scalar, weight.DType, weight.Device);
        return Ops.Maximum(weight, zero);
    }

    /// <summary><c>{}</c>.</summary>
    public override JsonObject GetConfig() => [];
}
