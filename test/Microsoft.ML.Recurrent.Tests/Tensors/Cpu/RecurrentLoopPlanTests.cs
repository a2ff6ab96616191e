using Microsoft.ML.Recurrent.Tensors.Cpu;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tensors.Cpu;

public sealed unsafe class RecurrentLoopPlanTests
{
    [Theory]
    [InlineData(nameof(GemmPath.Avx512), 48)] // shallow: the unpacked AVX-512 tiles
    [InlineData(nameof(GemmPath.Avx512), 200)]
    [InlineData(nameof(GemmPath.Avx2), 48)]
    [InlineData(nameof(GemmPath.Avx2), 200)]
    [InlineData(nameof(GemmPath.Portable), 48)]
    [InlineData(nameof(GemmPath.Portable), 200)]
    public void A_row_gets_the_same_bits_wherever_the_rows_are_split(string pathName, int k)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!Gemm.IsSupported(path))
        {
            Console.WriteLine($"Skipped: the {path} GEMM path is not supported on this CPU.");
            return;
        }

        // 37 rows: a tail of 1 row beyond the last whole group of 4 (AVX-512, portable) or 6 (AVX2); 96 columns.
        const int batch = 37, n = 96;
        var random = new Random(7);
        float[] a = [.. Enumerable.Range(0, batch * k).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] b = [.. Enumerable.Range(0, k * n).Select(_ => (float)(random.NextDouble() - 0.5))];
        fixed (float* pb = b)
        {
            var packed = Gemm.PackedMatrix<float>.Create(false, k, n, pb, n, path);
            int g = packed.RowGroup;
            float[] whole = Product(packed, a, k, [0, batch]);

            int[][] splits = [[0, g, batch], [0, 2 * g, 5 * g, batch], [0, 6 * g, batch], [0, g, 2 * g, 3 * g, batch]];
            foreach (int[] bounds in splits)
            {
                Assert.Equal(whole, Product(packed, a, k, bounds));
            }
        }
    }

    /// <summary>A · B by <see cref="RecurrentLoopPlan.Product"/>, one call per row range [bounds[i], bounds[i + 1]).</summary>
    private static float[] Product(Gemm.PackedMatrix<float> packed, float[] a, int k, int[] bounds)
    {
        int batch = bounds[^1], n = packed.N;
        var c = new float[batch * n];
        fixed (float* pa = a, pc = c)
        {
            for (int i = 0; i + 1 < bounds.Length; i++)
            {
                RecurrentLoopPlan.Product(1, batch, bounds[i], bounds[i + 1], pa, k, packed, 0f, pc, n);
            }
        }

        return c;
    }
}
