namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a counter-based
/// generator. Element <c>i</c> of a draw depends only on (seed, counter), so every backend, thread count and machine
/// produces the same numbers, and a GPU kernel can compute any element independently.
/// </summary>
internal static class Philox
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>Four 32-bit random words for the 128-bit counter (c0..c3) under the 64-bit key.</summary>
    public static (uint, uint, uint, uint) Generate(ulong key, uint c0, uint c1, uint c2, uint c3)
    {
        uint k0 = (uint)key, k1 = (uint)(key >> 32);
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
            uint n1 = (uint)p1;
            uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            uint n3 = (uint)p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
            k0 += W0; k1 += W1;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>Uniform on [0, 1) with 53 random bits, from two words.</summary>
    public static double UnitDouble(uint hi, uint lo) => (((ulong)hi << 21) ^ (lo >> 11)) * (1.0 / (1UL << 53));

    /// <summary>Uniform on [0, 1) with 24 random bits (every value exactly representable in float32).</summary>
    public static float UnitFloat(uint word) => (word >> 8) * (1.0f / (1 << 24));

    /// <summary>
    /// The value of element <paramref name="index"/> of the stream starting at
    /// <paramref name="offset"/>: the definition of every random op, shared by all backends.
    /// </summary>
    public static double Sample(RandomDistribution distribution, double a, double b, ulong seed, ulong offset, long index, DType dtype)
    {
        ulong counter = offset + (ulong)index;
        if (distribution == RandomDistribution.TruncatedNormal)
        {
            for (uint attempt = 0; ; attempt++)
            {
                double z = StandardNormal(seed, counter, attempt);
                if (Math.Abs(z) <= 2.0) return a + b * z;
            }
        }
        var (w0, w1, _, _) = Generate(seed, (uint)counter, (uint)(counter >> 32), 0, 0);
        double u = dtype == DType.Float32 ? UnitFloat(w0) : UnitDouble(w0, w1);
        return distribution switch
        {
            RandomDistribution.Uniform => a + (b - a) * u,
            RandomDistribution.Normal => a + b * StandardNormal(seed, counter, 0),
            RandomDistribution.Bernoulli => u < a ? 1.0 : 0.0,
            _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "Unknown distribution."),
        };
    }

    private static double StandardNormal(ulong seed, ulong counter, uint attempt)
    {
        // Box-Muller on two 53-bit uniforms; u1 in (0, 1] so the log is finite.
        var (w0, w1, w2, w3) = Generate(seed, (uint)counter, (uint)(counter >> 32), attempt, 1);
        double u1 = 1.0 - UnitDouble(w0, w1);
        double u2 = UnitDouble(w2, w3);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
