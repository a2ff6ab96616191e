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
        while (values.Count % 16 != 0) values.Add(1f);
        return [.. values];
    }

    private static float[] Apply8(Func<Vector256<float>, Vector256<float>> f, float[] x)
    {
        var y = new float[x.Length];
        fixed (float* px = x, py = y)
            for (int i = 0; i < x.Length; i += 8) f(Vector256.Load(px + i)).Store(py + i);
        return y;
    }

    private static float[] Apply16(Func<Vector512<float>, Vector512<float>> f, float[] x)
    {
        var y = new float[x.Length];
        fixed (float* px = x, py = y)
            for (int i = 0; i < x.Length; i += 16) f(Vector512.Load(px + i)).Store(py + i);
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
        AssertWithinBound(x, Apply8(FloatVectorActivations.Sigmoid, x), ExactSigmoid, "sigmoid");
    }

    [Fact]
    public void Tanh_is_within_a_few_ulp_of_the_exact_function_over_the_whole_range()
    {
        var x = Sweep();
        AssertWithinBound(x, Apply8(FloatVectorActivations.Tanh, x), Math.Tanh, "tanh");
    }

    [Fact]
    public void Sixteen_lanes_give_the_eight_lane_bits_everywhere()
    {
        if (!FloatVectorActivations.IsSupported512)
        {
            Console.WriteLine("Skipped: AVX-512F is not available here, so the sixteen-lane overloads never run.");
            return;
        }
        var x = Sweep();
        Assert.Equal(Bits(Apply8(FloatVectorActivations.Sigmoid, x)), Bits(Apply16(FloatVectorActivations.Sigmoid, x)));
        Assert.Equal(Bits(Apply8(FloatVectorActivations.Tanh, x)), Bits(Apply16(FloatVectorActivations.Tanh, x)));
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];

    [Fact]
    public void Scale_instruction_rounds_as_the_two_halves_of_the_eight_lane_fallback()
    {
        // e^x = y · 2ⁿ: AVX-512 scales with vscalefps, CPUs without it by two normal halves; both must round the
        // same way, down into the subnormal range, for every y the polynomial can give and every n it is used with.
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            Console.WriteLine("Skipped: AVX-512F is not available here, so vscalefps never runs.");
            return;
        }
        int compared = 0;
        for (int bits = BitConverter.SingleToInt32Bits(0.5f); bits < BitConverter.SingleToInt32Bits(2f); bits += 16 * 61)
        {
            var y = Vector512.Create(BitConverter.Int32BitsToSingle(bits)) + Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) * Vector512.Create(BitConverter.Int32BitsToSingle(bits) * 6e-8f);
            for (int n = -150; n <= 0; n++)
            {
                var power = Vector512.Create((float)n);
                var scaled = System.Runtime.Intrinsics.X86.Avx512F.Scale(y, power);
                var halves = Vector512.Create(
                    FloatVectorActivations.ScaleByPowerOfTwo(y.GetLower(), power.GetLower()),
                    FloatVectorActivations.ScaleByPowerOfTwo(y.GetUpper(), power.GetUpper()));
                if (!Vector512.EqualsAll(scaled.AsInt32(), halves.AsInt32()))
                    Assert.Fail($"y = {y}, n = {n}: vscalefps {scaled}, halves {halves}");
                compared += 16;
            }
        }
        Assert.True(compared > 3_000_000, $"compared {compared}");
    }

    [Fact]
    public void Special_values_give_the_limits_and_NaN_stays_NaN()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 200f, -200f, -float.NaN];
        var s = Apply8(FloatVectorActivations.Sigmoid, x);
        var t = Apply8(FloatVectorActivations.Tanh, x);
        Assert.Equal([float.NaN, 1f, 0f, 0.5f, 0.5f, 1f, 0f, float.NaN], s);
        Assert.Equal([float.NaN, 1f, -1f, 0f, -0f, 1f, -1f, float.NaN], t);
        Assert.True(float.IsNegative(t[4]), "tanh(-0) keeps the sign");
    }

    [Theory]
    [InlineData(13, false)] // one vector of 8, then 5 through the padded tail
    [InlineData(29, true)] // 16 + 8 + 5: every width, with the bias added on the way
    public void Lstm_gate_row_matches_the_cell_in_double_including_the_units_past_the_last_full_vector(int u, bool withBias)
    {
        var rng = new Random(4);
        float[] projection = [.. Enumerable.Range(0, 4 * u).Select(_ => (float)(rng.NextDouble() * 8 - 4))];
        float[] bias = [.. Enumerable.Range(0, 4 * u).Select(_ => withBias ? (float)(rng.NextDouble() - 0.5) : 0f)];
        float[] rec = [.. Enumerable.Range(0, 4 * u).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        float[] c = [.. Enumerable.Range(0, u).Select(_ => (float)(rng.NextDouble() * 4 - 2))];
        float[] cNew = new float[u], hNew = new float[u], z = new float[4 * u], a = new float[4 * u], tanhC = new float[u];
        fixed (float* pp = projection, pb = bias, pr = rec, pc = c, pcn = cNew, ph = hNew, pz = z, pa = a, pt = tanhC)
            LstmGateVectors.Row(u, pp, withBias ? pb : null, pr, pc, pcn, ph, pz, pa, pt);

        for (int j = 0; j < u; j++)
        {
            float Z(int g) => projection[(g * u) + j] + bias[(g * u) + j] + rec[(g * u) + j];
            double i = ExactSigmoid(Z(0)), f = ExactSigmoid(Z(1)), g = Math.Tanh(Z(2)), o = ExactSigmoid(Z(3));
            double cExact = (f * c[j]) + (i * g), hExact = o * Math.Tanh(cExact);
            Assert.Equal(Z(2), z[(2 * u) + j]);
            Assert.Equal(o, a[(3 * u) + j], 1e-6);
            Assert.Equal(cExact, cNew[j], 1e-5);
            Assert.Equal(Math.Tanh(cNew[j]), tanhC[j], 1e-6);
            Assert.Equal(hExact, hNew[j], 1e-5);
        }
    }

    [Fact]
    public void Lstm_gate_row_may_write_the_new_cell_state_over_the_recurrent_input()
    {
        // The inference kernel passes its rec row as c': each block reads rec before it writes c' there.
        const int u = 29;
        var rng = new Random(5);
        float[] projection = [.. Enumerable.Range(0, 4 * u).Select(_ => (float)(rng.NextDouble() * 8 - 4))];
        float[] rec = [.. Enumerable.Range(0, 4 * u).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        float[] c = [.. Enumerable.Range(0, u).Select(_ => (float)(rng.NextDouble() * 4 - 2))];
        float[] shared = [.. rec];
        float[] cNew = new float[u], hNew = new float[u], hShared = new float[u];
        fixed (float* pp = projection, pr = rec, pc = c, pcn = cNew, ph = hNew, ps = shared, phs = hShared)
        {
            LstmGateVectors.Row(u, pp, null, pr, pc, pcn, ph, null, null, null);
            LstmGateVectors.Row(u, pp, null, ps, pc, ps, phs, null, null, null);
        }
        Assert.Equal(Bits(cNew), Bits(shared[..u]));
        Assert.Equal(Bits(hNew), Bits(hShared));
    }
}
