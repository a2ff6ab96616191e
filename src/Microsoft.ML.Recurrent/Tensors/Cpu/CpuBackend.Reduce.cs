using System.Numerics.Tensors;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

internal sealed partial class CpuBackend
{
    public void Reduce(ReduceOp op, Tensor x, Tensor y)
    {
        if (x.DType == DType.Float32) ReduceRuns<float>(op, x, y);
        else ReduceRuns<double>(op, x, y);
    }

    private static void ReduceRuns<T>(ReduceOp op, Tensor x, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = ((CpuStorage)x.Storage).Array<T>();
        var ys = y.Span<T>();
        if (x.Size == 0)
        {
            ys.Fill(op switch
            {
                ReduceOp.Sum => T.Zero,
                ReduceOp.Mean => T.NaN,
                _ => throw new ArgumentException($"{op}: cannot reduce an empty tensor of shape {x.Shape} (there is no identity for {op}).", nameof(x)),
            });
            return;
        }
        long count = x.Size / Math.Max(1, y.Size);

        // Contiguous trailing reduction (the common case: a row per output element).
        bool trailing = true;
        for (int i = 0, firstReduced = -1; i < x.Rank; i++)
        {
            bool reduced = y.Shape[i] == 1 && x.Shape[i] != 1;
            if (reduced && firstReduced < 0) firstReduced = i;
            if (!reduced && firstReduced >= 0 && x.Shape[i] != 1) { trailing = false; break; }
        }
        if (trailing)
        {
            int width = (int)count;
            var yv = ((CpuStorage)y.Storage).Array<T>();
            ParallelRange(y.Size, (from, to) =>
            {
                for (long r = from; r < to; r++)
                {
                    var row = xs.AsSpan((int)(r * width), width);
                    yv[r] = op switch
                    {
                        ReduceOp.Sum => SumAccurate(row),
                        ReduceOp.Mean => SumAccurate(row) / T.CreateTruncating(width),
                        ReduceOp.Max => TensorPrimitives.Max<T>(row),
                        _ => TensorPrimitives.Min<T>(row),
                    };
                }
            }, minParallel: Math.Max(1, (1 << 16) / Math.Max(1, width)));
            return;
        }

        // General case: walk x in order, accumulating into the output element its indices map to.
        var acc = new double[y.Size];
        if (op is ReduceOp.Max) acc.AsSpan().Fill(double.NegativeInfinity);
        if (op is ReduceOp.Min) acc.AsSpan().Fill(double.PositiveInfinity);
        var outStrides = y.Shape.Strides();
        for (int i = 0; i < y.Rank; i++)
            if (y.Shape[i] == 1) outStrides[i] = 0;
        var layout = StridedLayout.Create(x.Shape.Dims, x.Shape.Strides(), outStrides);
        int n = layout.Inner;
        long sx = layout.InnerStrides[0], so = layout.InnerStrides[1];
        for (long r = 0; r < layout.OuterCount; r++)
        {
            long ox = layout.Offset(0, r), oo = layout.Offset(1, r);
            for (int i = 0; i < n; i++)
            {
                double v = double.CreateTruncating(xs[ox + i * sx]);
                ref double slot = ref acc[oo + i * so];
                slot = op switch
                {
                    ReduceOp.Max => double.IsNaN(v) || v > slot ? v : slot,
                    ReduceOp.Min => double.IsNaN(v) || v < slot ? v : slot,
                    _ => slot + v,
                };
            }
        }
        for (int i = 0; i < acc.Length; i++)
            ys[i] = T.CreateTruncating(op == ReduceOp.Mean ? acc[i] / count : acc[i]);
    }

    /// <summary>A float sum with a double accumulator over blocks, so long float32 rows keep their precision.</summary>
    private static T SumAccurate<T>(ReadOnlySpan<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double)) return TensorPrimitives.Sum(row);
        double total = 0;
        for (int i = 0; i < row.Length; i += 256)
            total += double.CreateTruncating(TensorPrimitives.Sum(row.Slice(i, Math.Min(256, row.Length - i))));
        return T.CreateTruncating(total);
    }

    public void ArgReduce(ArgReduceOp op, Tensor x, int axis, Tensor y)
    {
        if (x.DType == DType.Float32) ArgReduceRuns<float>(op, x, axis, y);
        else ArgReduceRuns<double>(op, x, axis, y);
    }

    private static void ArgReduceRuns<T>(ArgReduceOp op, Tensor x, int axis, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = x.Span<T>();
        var ys = y.Span<int>();
        int size = x.Shape[axis];
        if (size == 0) throw new ArgumentException($"{op}: axis {axis} of shape {x.Shape} is empty.", nameof(x));
        long inner = 1;
        for (int i = axis + 1; i < x.Rank; i++) inner *= x.Shape[i];
        long outer = x.Size / (size * inner);
        for (long o = 0; o < outer; o++)
            for (long j = 0; j < inner; j++)
            {
                long baseIndex = o * size * inner + j;
                int best = 0;
                T bestValue = xs[(int)baseIndex];
                for (int k = 1; k < size && !T.IsNaN(bestValue); k++)
                {
                    T v = xs[(int)(baseIndex + k * inner)];
                    bool better = T.IsNaN(v) || (op == ArgReduceOp.ArgMax ? v > bestValue : v < bestValue);
                    if (better) { best = k; bestValue = v; }
                }
                ys[(int)(o * inner + j)] = best;
            }
    }
}
