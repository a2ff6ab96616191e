using System.Numerics;
using System.Numerics.Tensors;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// The CPU implementation of <see cref="ITensorBackend"/>. Float kernels are generic over <c>float</c>/<c>double</c>
/// (the JIT specializes each), vectorized through <see cref="TensorPrimitives"/> on contiguous runs, and split across
/// cores when the work is large enough to pay for it.
/// </summary>
internal sealed partial class CpuBackend : ITensorBackend
{
    public Device Device => Device.Cpu;

    public TensorStorage Allocate(DType dtype, long length) => new CpuStorage(dtype, length);

    public void Upload<T>(ReadOnlySpan<T> source, Tensor destination) where T : unmanaged =>
        source.CopyTo(destination.Span<T>());

    public void Download<T>(Tensor source, Span<T> destination) where T : unmanaged =>
        source.Span<T>().CopyTo(destination);

    public void Fill(Tensor destination, double value)
    {
        switch (destination.DType)
        {
            case DType.Float32: destination.Span<float>().Fill((float)value); break;
            case DType.Float64: destination.Span<double>().Fill(value); break;
            case DType.Int32: destination.Span<int>().Fill(checked((int)value)); break;
        }
    }

    public void Cast(Tensor source, Tensor destination)
    {
        switch (source.DType, destination.DType)
        {
            case (DType.Float32, DType.Float64): CastLoop<float, double>(source, destination); break;
            case (DType.Float64, DType.Float32): CastLoop<double, float>(source, destination); break;
            case (DType.Int32, DType.Float32): CastLoop<int, float>(source, destination); break;
            case (DType.Int32, DType.Float64): CastLoop<int, double>(source, destination); break;
            case (DType.Float32, DType.Int32): CastLoop<float, int>(source, destination); break;
            case (DType.Float64, DType.Int32): CastLoop<double, int>(source, destination); break;
            default: Copy(TensorView.Of(source), TensorView.Of(destination), accumulate: false); break;
        }
    }

    private static void CastLoop<TFrom, TTo>(Tensor source, Tensor destination)
        where TFrom : unmanaged, INumberBase<TFrom> where TTo : unmanaged, INumberBase<TTo>
    {
        var s = source.Span<TFrom>();
        var d = destination.Span<TTo>();
        for (int i = 0; i < s.Length; i++) d[i] = TTo.CreateTruncating(s[i]);
    }

    // ------------------------------------------------------------------ data movement

    public void Copy(TensorView source, TensorView destination, bool accumulate)
    {
        switch (source.Tensor.DType)
        {
            case DType.Float32: CopyStrided<float>(source, destination, accumulate); break;
            case DType.Float64: CopyStrided<double>(source, destination, accumulate); break;
            case DType.Int32:
                if (accumulate) throw new NotSupportedException("Accumulating copies are defined for floating-point tensors only.");
                CopyStrided<int>(source, destination, false);
                break;
        }
    }

    private static void CopyStrided<T>(TensorView source, TensorView destination, bool accumulate) where T : unmanaged, INumberBase<T>
    {
        var src = ((CpuStorage)source.Tensor.Storage).Array<T>();
        var dst = ((CpuStorage)destination.Tensor.Storage).Array<T>();
        var layout = StridedLayout.Create(source.Shape, destination.Strides, source.Strides);
        int n = layout.Inner;
        long sd = layout.InnerStrides[0], ss = layout.InnerStrides[1];
        layout.ForEachRange(source.Size, (from, to) =>
        {
            for (long r = from; r < to; r++)
            {
                long d0 = destination.Offset + layout.Offset(0, r), s0 = source.Offset + layout.Offset(1, r);
                if (sd == 1 && ss == 1)
                {
                    var s = src.AsSpan((int)s0, n);
                    var d = dst.AsSpan((int)d0, n);
                    if (accumulate) AddInPlace(d, s);
                    else s.CopyTo(d);
                }
                else if (accumulate)
                {
                    for (int i = 0; i < n; i++) dst[d0 + i * sd] += src[s0 + i * ss];
                }
                else
                {
                    for (int i = 0; i < n; i++) dst[d0 + i * sd] = src[s0 + i * ss];
                }
            }
        });
    }

    private static void AddInPlace<T>(Span<T> destination, ReadOnlySpan<T> source) where T : unmanaged, INumberBase<T>
    {
        if (typeof(T) == typeof(float) || typeof(T) == typeof(double))
            TensorPrimitives.Add(destination, source, destination);
        else
            for (int i = 0; i < destination.Length; i++) destination[i] += source[i];
    }

    public void Gather(Tensor table, Tensor indices, Tensor y)
    {
        switch (table.DType)
        {
            case DType.Float32: GatherRows<float>(table, indices, y, scatter: false); break;
            case DType.Float64: GatherRows<double>(table, indices, y, scatter: false); break;
            case DType.Int32: GatherRows<int>(table, indices, y, scatter: false); break;
        }
    }

    public void ScatterAdd(Tensor updates, Tensor indices, Tensor table)
    {
        switch (table.DType)
        {
            case DType.Float32: GatherRows<float>(table, indices, updates, scatter: true); break;
            case DType.Float64: GatherRows<double>(table, indices, updates, scatter: true); break;
            default: throw new NotSupportedException("ScatterAdd is defined for floating-point tables only.");
        }
    }

    private static void GatherRows<T>(Tensor table, Tensor indices, Tensor rows, bool scatter) where T : unmanaged, INumberBase<T>
    {
        var t = table.Span<T>();
        var r = rows.Span<T>();
        var idx = indices.Span<int>();
        int vocabulary = table.Shape[0];
        int width = (int)(table.Size / Math.Max(1, vocabulary));
        for (int i = 0; i < idx.Length; i++)
        {
            int row = idx[i];
            if ((uint)row >= (uint)vocabulary)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Gather: index {row} at position {i} is out of range for a table of {vocabulary} rows (shape {table.Shape}); expected 0 <= index < {vocabulary}.");
            var tableRow = t.Slice(row * width, width);
            var slot = r.Slice(i * width, width);
            if (scatter) AddInPlace(tableRow, slot);
            else tableRow.CopyTo(slot);
        }
    }

    // ------------------------------------------------------------------ matmul

    public unsafe void MatMul(Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor y, double alpha, double beta)
    {
        int batch = y.Rank == 3 ? y.Shape[0] : 1;
        int m = y.Shape[^2], n = y.Shape[^1];
        int k = transposeA ? a.Shape[^2] : a.Shape[^1];
        int lda = a.Shape[^1], ldb = b.Shape[^1];
        long aStride = a.Rank == 3 ? (long)a.Shape[1] * a.Shape[2] : 0;
        long bStride = b.Rank == 3 ? (long)b.Shape[1] * b.Shape[2] : 0;
        long yStride = (long)m * n;
        if (y.DType == DType.Float32)
        {
            fixed (float* pa = a.Span<float>(), pb = b.Span<float>(), py = y.Span<float>())
                for (int i = 0; i < batch; i++)
                    Gemm.Sgemm(transposeA, transposeB, m, n, k, (float)alpha, pa + i * aStride, lda, pb + i * bStride, ldb, (float)beta, py + i * yStride, n);
        }
        else
        {
            fixed (double* pa = a.Span<double>(), pb = b.Span<double>(), py = y.Span<double>())
                for (int i = 0; i < batch; i++)
                    Gemm.Dgemm(transposeA, transposeB, m, n, k, alpha, pa + i * aStride, lda, pb + i * bStride, ldb, beta, py + i * yStride, n);
        }
    }

    // ------------------------------------------------------------------ softmax

    public void Softmax(Tensor x, Tensor y, bool log)
    {
        if (x.DType == DType.Float32) SoftmaxRows<float>(x, y, log);
        else SoftmaxRows<double>(x, y, log);
    }

    private static void SoftmaxRows<T>(Tensor x, Tensor y, bool log) where T : unmanaged, IFloatingPointIeee754<T> =>
        SoftmaxRows<T>(x.Span<T>(), y.Span<T>(), x.Rank == 0 ? 1 : x.Shape[^1], log);

    /// <summary>Softmax (or log-softmax) of each <paramref name="width"/>-long row of <paramref name="xs"/>; allocates nothing.</summary>
    internal static void SoftmaxRows<T>(ReadOnlySpan<T> xs, Span<T> ys, int width, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (width == 0) return;
        for (int start = 0; start < xs.Length; start += width)
        {
            var row = xs.Slice(start, width);
            var outRow = ys.Slice(start, width);
            T max = TensorPrimitives.Max<T>(row);
            TensorPrimitives.Subtract(row, max, outRow);
            if (log)
            {
                double sum = 0;
                foreach (var v in outRow) sum += Math.Exp(double.CreateTruncating(v));
                TensorPrimitives.Subtract(outRow, T.CreateTruncating(Math.Log(sum)), outRow);
            }
            else
            {
                TensorPrimitives.Exp<T>(outRow, outRow);
                T sum = TensorPrimitives.Sum<T>(outRow);
                TensorPrimitives.Divide(outRow, sum, outRow);
            }
        }
    }

    public void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, bool log)
    {
        if (y.DType == DType.Float32) SoftmaxBackwardRows<float>(y, dy, dx, log);
        else SoftmaxBackwardRows<double>(y, dy, dx, log);
    }

    private static void SoftmaxBackwardRows<T>(Tensor y, Tensor dy, Tensor dx, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ys = y.Span<T>();
        var gs = dy.Span<T>();
        var ds = dx.Span<T>();
        int width = y.Rank == 0 ? 1 : y.Shape[^1];
        if (width == 0) return;
        for (int start = 0; start < ys.Length; start += width)
        {
            var yr = ys.Slice(start, width);
            var gr = gs.Slice(start, width);
            var dr = ds.Slice(start, width);
            if (log)
            {
                // y = log softmax: dx = dy - softmax · Σdy
                T total = TensorPrimitives.Sum<T>(gr);
                for (int i = 0; i < width; i++) dr[i] = gr[i] - T.Exp(yr[i]) * total;
            }
            else
            {
                // y = softmax: dx = y · (dy - Σ dy·y)
                T dot = TensorPrimitives.Dot<T>(gr, yr);
                for (int i = 0; i < width; i++) dr[i] = yr[i] * (gr[i] - dot);
            }
        }
    }

    // ------------------------------------------------------------------ random

    public void FillRandom(Tensor destination, RandomDistribution distribution, double a, double b, ulong seed, ulong offset)
    {
        if (destination.DType == DType.Float32)
        {
            var d = ((CpuStorage)destination.Storage).Array<float>();
            ParallelRange(d.Length, (from, to) =>
            {
                for (long i = from; i < to; i++) d[i] = (float)Philox.Sample(distribution, a, b, seed, offset, i, DType.Float32);
            });
        }
        else if (destination.DType == DType.Float64)
        {
            var d = ((CpuStorage)destination.Storage).Array<double>();
            ParallelRange(d.Length, (from, to) =>
            {
                for (long i = from; i < to; i++) d[i] = Philox.Sample(distribution, a, b, seed, offset, i, DType.Float64);
            });
        }
        else
        {
            throw new NotSupportedException($"Random fills need a floating-point tensor; got {destination.DType.KerasName()}.");
        }
    }

    /// <summary>Splits <c>[0, length)</c> across cores when it is long enough.</summary>
    internal static void ParallelRange(long length, Action<long, long> body, long minParallel = 1 << 16)
    {
        int workers = Environment.ProcessorCount;
        if (length < minParallel || workers < 2)
        {
            body(0, length);
            return;
        }
        Parallel.For(0, workers, c => body(length * c / workers, length * (c + 1) / workers));
    }
}
