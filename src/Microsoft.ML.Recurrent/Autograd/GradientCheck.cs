using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Autograd;

/// <summary>The outcome of <see cref="GradientCheck.Run"/>.</summary>
/// <param name="MaxRelativeError">The largest <c>|analytic − numeric| / max(|analytic|, |numeric|, floor)</c> over all checked elements.</param>
/// <param name="WorstInput">Which input holds that element.</param>
/// <param name="WorstIndex">Its row-major index in that input.</param>
/// <param name="Analytic">The autodiff gradient there.</param>
/// <param name="Numeric">The central-difference estimate there.</param>
public sealed record GradientCheckResult(double MaxRelativeError, int WorstInput, long WorstIndex, double Analytic, double Numeric)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"max relative error {MaxRelativeError:E3} at input {WorstInput}[{WorstIndex}] (analytic {Analytic:G10}, numeric {Numeric:G10})";
}

/// <summary>
/// Compares autodiff gradients with central finite differences in float64: the test every op and layer passes.
/// The function's output is reduced to a scalar with fixed random weights, so every output element counts.
/// </summary>
/// <example>
/// <code>
/// var x = rng.Normal(new Shape(3, 4), dtype: DType.Float64);
/// var result = GradientCheck.Run(inputs => Ops.Tanh(inputs[0]), [x]);
/// Assert.True(result.MaxRelativeError &lt; 1e-6, result.ToString());
/// </code>
/// </example>
public static class GradientCheck
{
    /// <summary>
    /// Checks <paramref name="function"/> at <paramref name="inputs"/> (float64 tensors; they are not modified).
    /// </summary>
    /// <param name="function">The computation; it receives copies of the inputs that require gradients.</param>
    /// <param name="inputs">Points to check at, float64.</param>
    /// <param name="epsilon">Step of the central difference. Default 1e-6.</param>
    /// <param name="floor">Lower bound of the relative error's denominator, so tiny gradients are compared absolutely. Default 1e-3.</param>
    /// <param name="seed">Seed of the output weights.</param>
    /// <exception cref="ArgumentException">An input is not float64.</exception>
    public static GradientCheckResult Run(Func<Tensor[], Tensor> function, IReadOnlyList<Tensor> inputs, double epsilon = 1e-6, double floor = 1e-3, long seed = 1234)
    {
        for (int i = 0; i < inputs.Count; i++)
            if (inputs[i].DType != DType.Float64)
                throw new ArgumentException($"GradientCheck: inputs[{i}] is {inputs[i].DType.KerasName()}; finite differences need float64 inputs.", nameof(inputs));

        var values = inputs.Select(t => t.ToArray<double>()).ToArray();
        Tensor[] Leaves() => inputs.Select((t, i) =>
        {
            var leaf = Tensor.FromArray((double[])values[i].Clone(), t.Shape, t.Device);
            leaf.RequiresGrad = true;
            return leaf;
        }).ToArray();

        // Analytic gradients of L = Σ f(x) ∘ w.
        var leaves = Leaves();
        var output = function(leaves);
        var weights = new RandomGenerator(seed).Uniform(output.Shape, 0.5, 1.5, DType.Float64, output.Device);
        var analytic = Autodiff.Gradients(Ops.Sum(Ops.Multiply(output, weights)), leaves).Select(g => g.ToArray<double>()).ToArray();

        double Loss(int input, long index, double delta)
        {
            using var _ = Autodiff.NoGrad();
            double saved = values[input][index];
            values[input][index] = saved + delta;
            var y = function(Leaves());
            values[input][index] = saved;
            return Ops.Sum(Ops.Multiply(y, weights)).Item();
        }

        var worst = new GradientCheckResult(0, -1, -1, 0, 0);
        for (int i = 0; i < inputs.Count; i++)
            for (long k = 0; k < values[i].Length; k++)
            {
                double numeric = (Loss(i, k, epsilon) - Loss(i, k, -epsilon)) / (2 * epsilon);
                double a = analytic[i][k];
                double error = Math.Abs(a - numeric) / Math.Max(Math.Max(Math.Abs(a), Math.Abs(numeric)), floor);
                if (double.IsNaN(error)) error = double.PositiveInfinity;
                if (error > worst.MaxRelativeError || worst.WorstInput < 0)
                    worst = new GradientCheckResult(error, i, k, a, numeric);
            }
        return worst;
    }
}
