namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>
/// A seeded, reproducible source of random tensors: the same seed gives the same numbers in the same order on
/// every machine, thread count and device. Each draw consumes a fresh block of the seed's counter-based stream
/// (Philox-4x32-10), so draws never overlap.
/// </summary>
/// <example>
/// <code>
/// var rng = new RandomGenerator(seed: 42);
/// Tensor w = rng.Normal(new Shape(8, 64), mean: 0, stddev: 0.05);
/// Tensor keep = rng.Bernoulli(new Shape(32, 64), probability: 0.8);   // a dropout mask
/// </code>
/// </example>
public sealed class RandomGenerator
{
    private ulong _offset;

    /// <summary>Creates a generator for <paramref name="seed"/>.</summary>
    public RandomGenerator(long seed) => Seed = seed;

    /// <summary>The seed.</summary>
    public long Seed { get; }

    /// <summary>How many elements have been drawn so far (the position in the stream).</summary>
    public ulong Offset => _offset;

    /// <summary>Uniform values on <c>[minValue, maxValue)</c>.</summary>
    public Tensor Uniform(Shape shape, double minValue = 0, double maxValue = 1, DType dtype = DType.Float32, Device? device = null)
    {
        if (!(maxValue >= minValue)) throw new ArgumentException($"Uniform: maxValue ({maxValue}) must be >= minValue ({minValue}).", nameof(maxValue));
        return Draw(shape, RandomDistribution.Uniform, minValue, maxValue, dtype, device);
    }

    /// <summary>Normal values with <paramref name="mean"/> and <paramref name="stddev"/>.</summary>
    public Tensor Normal(Shape shape, double mean = 0, double stddev = 1, DType dtype = DType.Float32, Device? device = null)
    {
        CheckStddev(stddev);
        return Draw(shape, RandomDistribution.Normal, mean, stddev, dtype, device);
    }

    /// <summary>Normal values with values beyond two standard deviations redrawn (Keras <c>TruncatedNormal</c>).</summary>
    public Tensor TruncatedNormal(Shape shape, double mean = 0, double stddev = 1, DType dtype = DType.Float32, Device? device = null)
    {
        CheckStddev(stddev);
        return Draw(shape, RandomDistribution.TruncatedNormal, mean, stddev, dtype, device);
    }

    /// <summary>1 with <paramref name="probability"/>, else 0: e.g. a dropout keep-mask.</summary>
    public Tensor Bernoulli(Shape shape, double probability, DType dtype = DType.Float32, Device? device = null)
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "Bernoulli: probability must be in [0, 1].");
        return Draw(shape, RandomDistribution.Bernoulli, probability, 0, dtype, device);
    }

    private Tensor Draw(Shape shape, RandomDistribution distribution, double a, double b, DType dtype, Device? device)
    {
        if (!dtype.IsFloatingPoint()) throw new ArgumentException($"Random tensors are float32 or float64; got {dtype.KerasName()}.", nameof(dtype));
        var t = Tensor.Zeros(shape, dtype, device);
        t.Backend.FillRandom(t, distribution, a, b, unchecked((ulong)Seed), _offset);
        _offset += (ulong)shape.Size;
        return t;
    }

    private static void CheckStddev(double stddev)
    {
        if (!(stddev >= 0)) throw new ArgumentOutOfRangeException(nameof(stddev), stddev, "stddev must be >= 0.");
    }
}
