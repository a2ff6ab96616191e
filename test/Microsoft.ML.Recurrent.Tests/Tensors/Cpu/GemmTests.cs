using System.Numerics;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Tests.Tensors.Cpu;

public sealed class GemmTests
{
    // Odd sizes reach every remainder of the 12/6/4-row and 32/16/8-column tiles.
    private static readonly int[] Sizes = [1, 2, 3, 5, 7, 13, 17, 33, 64, 127];
    private static readonly double[] Scalars = [0, 1, -0.75];

    // Kernel paths by name: GemmPath is internal, so it cannot appear in a public theory signature.
    public static TheoryData<string, int> PathsAndThreads()
    {
        var data = new TheoryData<string, int>();
        foreach (string path in new[] { nameof(GemmPath.Avx512), nameof(GemmPath.Avx2), nameof(GemmPath.Portable) })
        {
            data.Add(path, 1);
            data.Add(path, 2);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndThreads))]
    public void SgemmMatchesNaiveProduct(string pathName, int threads)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!Gemm.IsSupported(path))
        {
            return;
        }

        foreach (GemmCase gemmCase in Cases(seed: 20261121 + (int)path))
        {
            Check<float>(path, threads, gemmCase);
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndThreads))]
    public void DgemmMatchesNaiveProduct(string pathName, int threads)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!Gemm.IsSupported(path))
        {
            return;
        }

        foreach (GemmCase gemmCase in Cases(seed: 20261122 + (int)path))
        {
            Check<double>(path, threads, gemmCase);
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndThreads))]
    public void PackedProductMatchesNaiveProduct(string pathName, int threads)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!Gemm.IsSupported(path))
        {
            return;
        }

        foreach (GemmCase gemmCase in Cases(seed: 20261123 + (int)path))
        {
            Check<float>(path, threads, gemmCase with { Packed = true });
            Check<double>(path, threads, gemmCase with { Packed = true });
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public unsafe void Small_pre_packed_matrices_serve_one_row_products_from_fresh_values_after_a_repack(bool transB)
    {
        // Up to RowMajorMaxBytes a packed B also keeps a row-major copy for M = 1; Repack must refresh it (and the
        // transposed source must land in it untransposed), and two-row products still read the panels.
        const int k = 20, n = 45;
        var random = new Random(31);
        float[] Fill(int length) => [.. Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        float[] a = Fill(2 * k), first = Fill(k * n), second = Fill(k * n);
        int ldb = transB ? k : n;
        fixed (float* pFirst = first, pSecond = second)
        {
            var packed = Gemm.PackB(transB, k, n, pFirst, ldb);
            Assert.True(packed.RowMajor != null, "a 20 x 45 matrix keeps its row-major copy");
            AssertProducts(packed, first);
            packed.Repack(transB, pSecond, ldb);
            AssertProducts(packed, second);
        }

        void AssertProducts(Gemm.PackedMatrix<float> b, float[] values)
        {
            foreach (int m in new[] { 1, 2 })
            {
                var c = new float[m * n];
                fixed (float* pa = a, pc = c) Gemm.RunPacked(1, false, m, 1f, pa, k, b, 0f, pc, n);
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        double expected = 0;
                        for (int p = 0; p < k; p++) expected += (double)a[(i * k) + p] * values[transB ? (j * k) + p : (p * n) + j];
                        Assert.True(Math.Abs(c[(i * n) + j] - expected) < 1e-5, $"m = {m}, C[{i}, {j}] = {c[(i * n) + j]}, expected {expected}");
                    }
                }
            }
        }
    }

    [Fact]
    public void RecurrentStepShapesMatchNaiveProduct()
    {
        foreach (int k in new[] { 64, 256 })
        {
            foreach (int m in new[] { 1, 32, 64 })
            {
                foreach (bool packed in new[] { false, true })
                {
                    Check<float>(GemmPath.Auto, 2, new GemmCase(false, false, m, 4 * k, k, 1, 1, 0, 0, 0, packed));
                }
            }
        }
    }

    /// <summary>
    /// Few rows and a shallow depth take the AVX-512 path that packs nothing (tiles of up to 6 rows x 64 columns):
    /// every tile height (1..9 rows and balanced splits of 13, 32, 33, 97), ragged column blocks left to the packed
    /// path, k = 1, both sides of the depth limit (64, 65), B in place, transposed and pre-packed, and A transposed.
    /// </summary>
    [Fact]
    public void FewRowsAndShallowDepthMatchNaiveProduct()
    {
        GemmPath path = Gemm.IsSupported(GemmPath.Avx512) ? GemmPath.Avx512 : GemmPath.Auto;
        int[] rows = [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 32, 33, 97];
        int[] columns = [64, 70, 145, 256, 33];
        int[] depths = [1, 3, 64, 65, 256];
        int index = 0;
        foreach (int m in rows)
        {
            foreach (bool transA in new[] { false, true })
            {
                for (int mode = 0; mode < 3; mode++)
                {
                    int n = columns[index % columns.Length];
                    int k = depths[(index / columns.Length + index) % depths.Length];
                    double alpha = index % 4 == 0 ? -0.5 : 1;
                    double beta = (index % 3) switch { 0 => 0, 1 => 1, _ => 0.25 };
                    int pad = index % 2;
                    index++;
                    var gemmCase = new GemmCase(transA, mode == 1, m, n, k, alpha, beta, pad, pad, pad, mode == 2);
                    Check<float>(path, 1, gemmCase);
                    Check<double>(path, 2, gemmCase);
                }
            }
        }
    }

    [Fact]
    public void BetaZeroIgnoresNaNInC()
    {
        float[] a = [1, 2, 3, 4];
        float[] b = [5, 6, 7, 8];
        float[] c = [float.NaN, float.NaN, float.NaN, float.NaN];
        Gemm.Sgemm(false, false, 2, 2, 2, 1f, a, 2, b, 2, 0f, c, 2);
        Assert.Equal([19f, 22f, 43f, 50f], c);
    }

    [Fact]
    public void ZeroDepthScalesC()
    {
        double[] c = [1, 2, 3, 4, 5, 6];
        Gemm.Dgemm(false, false, 2, 3, 0, 1.0, ReadOnlySpan<double>.Empty, 1, ReadOnlySpan<double>.Empty, 3, 0.5, c, 3);
        Assert.Equal([0.5, 1, 1.5, 2, 2.5, 3], c);

        float[] d = [float.NaN, 7];
        Gemm.Sgemm(false, false, 1, 2, 0, 1f, ReadOnlySpan<float>.Empty, 1, ReadOnlySpan<float>.Empty, 2, 0f, d, 2);
        Assert.Equal([0f, 0f], d);
    }

    [Fact]
    public void AlphaZeroDoesNotReadAOrB()
    {
        float[] a = [float.NaN, float.NaN];
        float[] b = [float.NaN, float.NaN];
        float[] c = [2, 4];
        Gemm.Sgemm(false, false, 1, 2, 1, 0f, a, 1, b, 2, 0.5f, c, 2);
        Assert.Equal([1f, 2f], c);
    }

    [Fact]
    public void SpanOverloadsRejectShortOrMisstridedOperands()
    {
        float[] a = new float[6];
        float[] b = new float[6];
        float[] c = new float[4];

        var shortA = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a.AsSpan(0, 5), 3, b, 2, 0f, c, 2));
        Assert.Equal("a", shortA.ParamName);
        Assert.Contains("5", shortA.Message);

        var shortC = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c.AsSpan(0, 3), 2));
        Assert.Equal("c", shortC.ParamName);

        var narrowLda = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 2, b, 2, 0f, c, 2));
        Assert.Equal("lda", narrowLda.ParamName);

        var narrowLdb = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, true, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
        Assert.Equal("ldb", narrowLdb.ParamName);

        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, -1, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));

        var packed = Gemm.PackB(false, 3, 2, b, 2);
        var shortPackedA = Assert.Throws<ArgumentException>(() => Gemm.SgemmPacked(false, 2, 1f, a.AsSpan(0, 4), 3, packed, 0f, c, 2));
        Assert.Equal("a", shortPackedA.ParamName);
    }

    [Fact]
    public void MaxThreadsRejectsLessThanOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MaxThreads = 0);
    }

    /// <summary>
    /// A deterministic mix: random odd shapes from <see cref="Sizes"/> over all transposes and alpha/beta pairs,
    /// padded strides, plus a few products big enough to be split across threads (by columns and by rows).
    /// </summary>
    private static IEnumerable<GemmCase> Cases(int seed)
    {
        var random = new Random(seed);
        int index = 0;
        foreach (bool transA in new[] { false, true })
        {
            foreach (bool transB in new[] { false, true })
            {
                foreach (double alpha in Scalars)
                {
                    foreach (double beta in Scalars)
                    {
                        for (int repeat = 0; repeat < 2; repeat++)
                        {
                            int m = Sizes[random.Next(Sizes.Length)];
                            int n = Sizes[random.Next(Sizes.Length)];
                            int k = Sizes[random.Next(Sizes.Length)];
                            int pad = (index++ % 3) * 3;
                            yield return new GemmCase(transA, transB, m, n, k, alpha, beta, pad, pad + 1, pad, false);
                        }
                    }
                }

                yield return new GemmCase(transA, transB, 1000, 17, 33, 1, 0.5, 1, 0, 2, false);
                yield return new GemmCase(transA, transB, 3, 1000, 127, -1, 1, 0, 3, 1, false);

                // One row (the GEMV path) with a ragged last panel, single- and multi-threaded.
                yield return new GemmCase(transA, transB, 1, 700, 300, 1, 0.5, 3, 1, 2, false);
                yield return new GemmCase(transA, transB, 1, 45, 20, 2, 0, 0, 0, 0, false);
                yield return new GemmCase(transA, transB, 1, 4100, 300, 1, 0.5, 0, 1, 2, false);

                // Remainder row tiles below one full panel (8 + 1, 8 + 2, 12 + 8 + 2 rows on AVX-512).
                yield return new GemmCase(transA, transB, 9, 70, 40, 1, 0, 1, 0, 2, false);
                yield return new GemmCase(transA, transB, 10, 33, 17, 2, 0.5, 0, 2, 1, false);
                yield return new GemmCase(transA, transB, 22, 70, 40, 1, 0.5, 1, 2, 0, false);

                // Over the parallel threshold: split by columns, then by rows; k = 300 spans two KC blocks.
                yield return new GemmCase(transA, transB, 90, 300, 60, 1, 0, 2, 1, 0, false);
                yield return new GemmCase(transA, transB, 60, 33, 300, 0.5, 1, 0, 0, 0, false);
                yield return new GemmCase(transA, transB, 400, 33, 120, 0.5, 0, 0, 0, 0, false);
            }
        }
    }

    private static unsafe void Check<T>(GemmPath path, int threads, GemmCase g)
        where T : unmanaged, IFloatingPoint<T>
    {
        bool transB = g.Packed ? false : g.TransB;
        int lda = (g.TransA ? g.M : g.K) + g.PadA;
        int ldb = (transB ? g.K : g.N) + g.PadB;
        int ldc = g.N + g.PadC;
        var random = new Random(g.M * 7919 + g.N * 104729 + g.K);
        T[] a = Fill<T>(random, (g.TransA ? g.K : g.M) * lda);
        T[] b = Fill<T>(random, (transB ? g.N : g.K) * ldb);
        T[] c = Fill<T>(random, g.M * ldc);
        if (g.Beta == 0)
        {
            Array.Fill(c, T.CreateChecked(double.NaN));
        }

        T[] original = (T[])c.Clone();
        T alpha = T.CreateChecked(g.Alpha);
        T beta = T.CreateChecked(g.Beta);

        if (g.Packed)
        {
            fixed (T* pa = a)
            fixed (T* pb = b)
            fixed (T* pc = c)
            {
                if (typeof(T) == typeof(float))
                {
                    var packed = Gemm.PackB(false, g.K, g.N, (float*)pb, ldb, path);
                    Gemm.RunPacked(threads, g.TransA, g.M, (float)g.Alpha, (float*)pa, lda, packed, (float)g.Beta, (float*)pc, ldc);
                }
                else
                {
                    var packed = Gemm.PackB(false, g.K, g.N, (double*)pb, ldb, path);
                    Gemm.RunPacked(threads, g.TransA, g.M, g.Alpha, (double*)pa, lda, packed, g.Beta, (double*)pc, ldc);
                }
            }
        }
        else if (typeof(T) == typeof(float))
        {
            Gemm.Sgemm(path, threads, g.TransA, transB, g.M, g.N, g.K, (float)g.Alpha, (float[])(object)a, lda, (float[])(object)b, ldb, (float)g.Beta, (float[])(object)c, ldc);
        }
        else
        {
            Gemm.Dgemm(path, threads, g.TransA, transB, g.M, g.N, g.K, g.Alpha, (double[])(object)a, lda, (double[])(object)b, ldb, g.Beta, (double[])(object)c, ldc);
        }

        // Reference in double, from op(A) and op(B) copied out once; the bound is the classic gamma_k * sum |a b|.
        double epsilon = double.CreateChecked(T.One - BitDecrement(T.One)) * 2;
        double[] opA = new double[g.M * g.K];
        double[] opB = new double[g.K * g.N];
        for (int i = 0; i < g.M; i++)
        {
            for (int p = 0; p < g.K; p++)
            {
                opA[i * g.K + p] = double.CreateChecked(a[g.TransA ? p * lda + i : i * lda + p]);
            }
        }

        for (int p = 0; p < g.K; p++)
        {
            for (int j = 0; j < g.N; j++)
            {
                opB[p * g.N + j] = double.CreateChecked(b[transB ? j * ldb + p : p * ldb + j]);
            }
        }

        double[] sum = new double[g.N];
        double[] magnitude = new double[g.N];
        for (int i = 0; i < g.M; i++)
        {
            Array.Clear(sum);
            Array.Clear(magnitude);
            for (int p = 0; p < g.K; p++)
            {
                double x = opA[i * g.K + p];
                for (int j = 0; j < g.N; j++)
                {
                    double product = x * opB[p * g.N + j];
                    sum[j] += product;
                    magnitude[j] += Math.Abs(product);
                }
            }

            for (int j = 0; j < g.N; j++)
            {
                double old = g.Beta == 0 ? 0 : double.CreateChecked(original[i * ldc + j]);
                double expected = g.Alpha * sum[j] + g.Beta * old;
                double tolerance = 2 * epsilon * (g.K + 2) * (Math.Abs(g.Alpha) * magnitude[j] + Math.Abs(g.Beta * old)) + 1e-30;
                double actual = double.CreateChecked(c[i * ldc + j]);
                if (!(Math.Abs(actual - expected) <= tolerance))
                {
                    Assert.Fail($"{typeof(T).Name} {path} threads={threads} {g}: C[{i},{j}] = {actual}, expected {expected} (tolerance {tolerance}).");
                }
            }

            for (int j = g.N; j < ldc; j++)
            {
                if (!c[i * ldc + j].Equals(original[i * ldc + j]))
                {
                    Assert.Fail($"{typeof(T).Name} {path} threads={threads} {g}: padding C[{i},{j}] was written.");
                }
            }
        }
    }

    private static T BitDecrement<T>(T value)
        where T : IFloatingPoint<T>
        => typeof(T) == typeof(float) ? T.CreateChecked(MathF.BitDecrement(float.CreateChecked(value))) : T.CreateChecked(Math.BitDecrement(double.CreateChecked(value)));

    private static T[] Fill<T>(Random random, int length)
        where T : IFloatingPoint<T>
    {
        var values = new T[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = T.CreateChecked(random.NextDouble() * 2 - 1);
        }

        return values;
    }

    private readonly record struct GemmCase(
        bool TransA, bool TransB, int M, int N, int K, double Alpha, double Beta, int PadA, int PadB, int PadC, bool Packed);
}
