using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Tests.Tensors;

public class RandomGeneratorTests
{
    // Large enough for the CPU backend to split the fill across threads (it does so from 65,536 elements).
    private const int LargeSample = 200_000;

    private static (double Mean, double StdDev) Moments(double[] values)
    {
        double mean = values.Average();
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
        return (mean, Math.Sqrt(variance));
    }

    // ------------------------------------------------------------------ the generator itself

    [Theory]
    // Known-answer vectors of Philox-4x32-10 from the Random123 distribution (kat_vectors).
    [InlineData(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x0000000000000000ul, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffffffffff, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0x299f31d0a4093822ul, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void Philox_matches_the_Random123_known_answers(uint c0, uint c1, uint c2, uint c3, ulong key, uint r0, uint r1, uint r2, uint r3)
    {
        Assert.Equal((r0, r1, r2, r3), Philox.Generate(key, c0, c1, c2, c3));
    }

    // ------------------------------------------------------------------ reproducibility

    [Fact]
    public void The_same_seed_gives_identical_numbers()
    {
        var a = new RandomGenerator(42);
        var b = new RandomGenerator(42);
        Assert.Equal(a.Normal(new Shape(3, 5)).ToArray<float>(), b.Normal(new Shape(3, 5)).ToArray<float>());
        Assert.Equal(a.Uniform(new Shape(7), -1, 1, DType.Float64).ToArray<double>(), b.Uniform(new Shape(7), -1, 1, DType.Float64).ToArray<double>());
        Assert.Equal(a.Bernoulli(new Shape(50), 0.5).ToArray<float>(), b.Bernoulli(new Shape(50), 0.5).ToArray<float>());
        Assert.Equal(a.TruncatedNormal(new Shape(9)).ToArray<float>(), b.TruncatedNormal(new Shape(9)).ToArray<float>());
    }

    [Fact]
    public void Different_seeds_give_different_numbers()
    {
        var x = new RandomGenerator(1).Uniform(new Shape(100), dtype: DType.Float64).ToArray<double>();
        var y = new RandomGenerator(2).Uniform(new Shape(100), dtype: DType.Float64).ToArray<double>();
        Assert.NotEqual(x, y);
        Assert.True(x.Zip(y).Count(p => p.First == p.Second) < 2);
        // Seeds that differ only in their high 32 bits are different keys too.
        var z = new RandomGenerator(1L + (1L << 32)).Uniform(new Shape(100), dtype: DType.Float64).ToArray<double>();
        Assert.NotEqual(x, z);
    }

    [Fact]
    public void Consecutive_draws_continue_the_stream_instead_of_repeating()
    {
        var rng = new RandomGenerator(3);
        var first = rng.Normal(new Shape(64), dtype: DType.Float64).ToArray<double>();
        Assert.Equal(64UL, rng.Offset);
        var second = rng.Normal(new Shape(64), dtype: DType.Float64).ToArray<double>();
        Assert.Equal(128UL, rng.Offset);
        Assert.Empty(first.Intersect(second));
    }

    [Fact]
    public void Element_i_depends_only_on_seed_and_position_whatever_the_thread_count()
    {
        // The large draw is filled by several threads, the small ones by one: the values must still agree.
        var whole = new RandomGenerator(11).Normal(new Shape(LargeSample), dtype: DType.Float64).ToArray<double>();
        var prefix = new RandomGenerator(11).Normal(new Shape(1000), dtype: DType.Float64).ToArray<double>();
        Assert.Equal(prefix, whole.Take(1000));

        // A generator that first skips ahead reaches the same tail.
        var skipping = new RandomGenerator(11);
        skipping.Normal(new Shape(LargeSample - 500), dtype: DType.Float64);
        Assert.Equal(whole.Skip(LargeSample - 500), skipping.Normal(new Shape(500), dtype: DType.Float64).ToArray<double>());
    }

    [Fact]
    public void Float32_uniform_draws_are_also_position_determined()
    {
        var whole = new RandomGenerator(12).Uniform(new Shape(LargeSample)).ToArray<float>();
        var prefix = new RandomGenerator(12).Uniform(new Shape(333)).ToArray<float>();
        Assert.Equal(prefix, whole.Take(333));
    }

    // ------------------------------------------------------------------ distributions

    [Fact]
    public void Uniform_stays_in_range_with_the_right_mean_and_spread()
    {
        var values = new RandomGenerator(5).Uniform(new Shape(LargeSample), -2, 6, DType.Float64).ToArray<double>();
        Assert.InRange(values.Min(), -2, -1.99);
        Assert.InRange(values.Max(), 5.99, 6 - 1e-12);
        var (mean, std) = Moments(values);
        Assert.Equal(2.0, mean, 0.05);                     // 8 / √12 / √n ≈ 0.005: ten standard errors
        Assert.Equal(8 / Math.Sqrt(12), std, 0.02);
    }

    [Fact]
    public void Float32_uniform_is_in_the_half_open_interval()
    {
        var values = new RandomGenerator(6).Uniform(new Shape(LargeSample)).ToArray<float>();
        Assert.True(values.Min() >= 0f);
        Assert.True(values.Max() < 1f);
        Assert.Equal(0.5, values.Average(v => (double)v), 0.005);
    }

    [Fact]
    public void Normal_has_the_requested_mean_and_stddev()
    {
        var (mean, std) = Moments(new RandomGenerator(7).Normal(new Shape(LargeSample), 2, 3, DType.Float64).ToArray<double>());
        Assert.Equal(2.0, mean, 0.04);
        Assert.Equal(3.0, std, 0.03);
    }

    [Fact]
    public void Truncated_normal_stays_within_two_stddevs_with_std_0_8796_stddev()
    {
        var values = new RandomGenerator(8).TruncatedNormal(new Shape(LargeSample), 1, 1.5, DType.Float64).ToArray<double>();
        Assert.InRange(values.Min(), 1 - 3.0, 1 - 2.99);
        Assert.InRange(values.Max(), 1 + 2.99, 1 + 3.0);
        var (mean, std) = Moments(values);
        Assert.Equal(1.0, mean, 0.02);
        // The standard normal truncated to [-2, 2] has standard deviation 0.87962.
        Assert.Equal(0.87962 * 1.5, std, 0.01);
    }

    [Fact]
    public void Bernoulli_gives_zeros_and_ones_at_the_requested_rate()
    {
        var values = new RandomGenerator(9).Bernoulli(new Shape(LargeSample), 0.3).ToArray<float>();
        Assert.True(values.All(v => v is 0f or 1f));
        Assert.Equal(0.3, values.Average(v => (double)v), 0.005);
        Assert.All(new RandomGenerator(9).Bernoulli(new Shape(100), 0).ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(new RandomGenerator(9).Bernoulli(new Shape(100), 1).ToArray<float>(), v => Assert.Equal(1f, v));
    }

    // ------------------------------------------------------------------ arguments

    [Fact]
    public void Invalid_parameters_are_rejected()
    {
        var rng = new RandomGenerator(1);
        Assert.Contains("maxValue", Assert.Throws<ArgumentException>(() => rng.Uniform(new Shape(2), 1, 0)).Message);
        Assert.Contains("stddev", Assert.Throws<ArgumentOutOfRangeException>(() => rng.Normal(new Shape(2), 0, -1)).Message);
        Assert.Contains("stddev", Assert.Throws<ArgumentOutOfRangeException>(() => rng.TruncatedNormal(new Shape(2), 0, double.NaN)).Message);
        Assert.Contains("probability", Assert.Throws<ArgumentOutOfRangeException>(() => rng.Bernoulli(new Shape(2), 1.5)).Message);
        Assert.Equal(0UL, rng.Offset);
    }
}
