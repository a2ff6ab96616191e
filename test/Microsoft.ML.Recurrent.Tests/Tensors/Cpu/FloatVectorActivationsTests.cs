using System.Runtime.Intrinsics;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Tensors.Cpu;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tensors.Cpu;

/// <summary>
/// The float32 vector sigmoid and tanh (and the LSTM gate loop built on them) against double-precision
/// <see cref="Math.Tanh"/> and 1 / (1 + e⁻ˣ), over the whole float range.
/// </summary>
public unsafe class FloatVectorActivationsTests
{
    /// <summary>Allowed error: 1e-6 of the exact value (8–16 ulp; measured worst: 2.1 ulp sigmoid, 1.8 ulp tanh), or two subnormal steps below the normal range.</summary>
    private const double Relative = 1e-6;
    private const double SubnormalSlack = 2 * 1.401298464324817e-45;

    private static double ExactSigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>Every 4099th float bit pattern of both signs (~1M values, all exponents), plus edges and special values.</summary>
    private static float[] Sweep()
    {
        var values = new List<float>();
        for (long bits = 0; bits < 0x7F800000L; bits += 4099)
        {
            values.Add(BitConverter.Int32BitsToSingle((int)bits));
            values.Add(-BitConverter.Int32BitsToSingle((int)bits));
        }
        foreach (float v in new[] { 0f, 0.3f, 0.29999998f, 1e-30f, float.Epsilon, 87f, 88.7f, 89f, 103.9f, 104f, 150f, float.MaxValue, float.PositiveInfinity })
        {
            values.Add(v);
            values.Add(-v);
        }
        while (values.Count % 8 != 0) values.Add(1f);
        return [.. values];
    }

    private static float[] Apply(Func<Vector256<float>, Vector256<float>> f, float[] x)
    {
        var y = new float[x.Length];
        fixed (float* px = x, py = y)
            for (int i = 0; i < x.Length; i += 8) f(Vector256.Load(px + i)).Store(py + i);
        return y;
    }

    private static void AssertWithinBound(float[] x, float[] y, Func<double, double> exact, string name)
    {
        double worstUlps = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double e = exact(x[i]);
            double error = Math.Abs(y[i] - e);
            if (error > (Relative * Math.Abs(e)) + SubnormalSlack)
                Assert.Fail($"{name}({x[i]:R}) = {y[i]:R}, exact {e:R}: error {error:G3} > bound {(Relative * Math.Abs(e)) + SubnormalSlack:G3}");
            if (Math.Abs(e) >= 1.1754943508222875e-38) worstUlps = Math.Max(worstUlps, error / (MathF.BitIncrement((float)Math.Abs(e)) - (float)Math.Abs(e)));
        }
        // The documented "few ulp" (the bound above is looser, as the fixtures' 1e-5 needs far less).
        Assert.True(worstUlps <= 4, $"{name}: worst error {worstUlps:F2} ulp");
    }

    [Fact]
    public void Sigmoid_is_within_a_few_ulp_of_the_exact_function_over_the_whole_range()
    {
        var x = Sweep();
        AssertWithinBound(x, Apply(FloatVectorActivations.Sigmoid, x), ExactSigmoid, "sigmoid");
    }

    [Fact]
    public void Tanh_is_within_a_few_ulp_of_the_exact_function_over_the_whole_range()
    {
        var x = Sweep();
        AssertWithinBound(x, Apply(FloatVectorActivations.Tanh, x), Math.Tanh, "tanh");
    }

    [Fact]
    public void Special_values_give_the_limits_and_NaN_stays_NaN()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 200f, -200f, -float.NaN];
        var s = Apply(FloatVectorActivations.Sigmoid, x);
        var t = Apply(FloatVectorActivations.Tanh, x);
        Assert.Equal([float.NaN, 1f, 0f, 0.5f, 0.5f, 1f, 0f, float.NaN], s);
        Assert.Equal([float.NaN, 1f, -1f, 0f, -0f, 1f, -1f, float.NaN], t);
        Assert.True(float.IsNegative(t[4]), "tanh(-0) keeps the sign");
    }

    [Fact]
    public void Lstm_gate_row_matches_the_cell_in_double_including_the_units_past_the_last_full_vector()
    {
        const int u = 13; // one full vector of 8, then 5 through the padded tail
        var rng = new Random(4);
        float[] projection = [.. Enumerable.Range(0, 4 * u).Select(_ => (float)(rng.NextDouble() * 8 - 4))];
        float[] rec = [.. Enumerable.Range(0, 4 * u).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        float[] c = [.. Enumerable.Range(0, u).Select(_ => (float)(rng.NextDouble() * 4 - 2))];
        float[] cNew = new float[u], hNew = new float[u], z = new float[4 * u], a = new float[4 * u], tanhC = new float[u];
        fixed (float* pp = projection, pr = rec, pc = c, pcn = cNew, ph = hNew, pz = z, pa = a, pt = tanhC)
            LstmGateVectors.Row(u, pp, pr, pc, pcn, ph, pz, pa, pt);

        for (int j = 0; j < u; j++)
        {
            double Gate(int g) => (double)(projection[(g * u) + j] + rec[(g * u) + j]);
            double i = ExactSigmoid(Gate(0)), f = ExactSigmoid(Gate(1)), g = Math.Tanh(Gate(2)), o = ExactSigmoid(Gate(3));
            double cExact = (f * c[j]) + (i * g), hExact = o * Math.Tanh(cExact);
            Assert.Equal(projection[(2 * u) + j] + rec[(2 * u) + j], z[(2 * u) + j]);
            Assert.Equal(o, a[(3 * u) + j], 1e-6);
            Assert.Equal(cExact, cNew[j], 1e-5);
            Assert.Equal(Math.Tanh(cNew[j]), tanhC[j], 1e-6);
            Assert.Equal(hExact, hNew[j], 1e-5);
        }
    }
}
