using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

internal sealed partial class CpuBackend
{
    public void Unary(UnaryOp op, Tensor x, Tensor y, double alpha, double beta)
    {
        if (x.DType == DType.Float32) UnaryRuns<float>(op, x, y, alpha, beta);
        else UnaryRuns<double>(op, x, y, alpha, beta);
    }

    private static void UnaryRuns<T>(UnaryOp op, Tensor x, Tensor y, double alpha, double beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = ((CpuStorage)x.Storage).Array<T>();
        var ys = ((CpuStorage)y.Storage).Array<T>();
        ParallelRange(xs.Length, (from, to) =>
        {
            UnarySpan<T>(op, xs.AsSpan((int)from, (int)(to - from)), ys.AsSpan((int)from, (int)(to - from)), alpha, beta);
        });
    }

    /// <summary>The elementwise op on one run of elements (what <see cref="Unary"/> applies to each chunk); allocates nothing.</summary>
    internal static void UnarySpan<T>(UnaryOp op, ReadOnlySpan<T> s, Span<T> d, double alpha, double beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case UnaryOp.Negate: TensorPrimitives.Negate<T>(s, d); break;
            case UnaryOp.Abs: TensorPrimitives.Abs<T>(s, d); break;
            case UnaryOp.Square: TensorPrimitives.Multiply<T>(s, s, d); break;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt<T>(s, d); break;
            case UnaryOp.Reciprocal: TensorPrimitives.Reciprocal<T>(s, d); break;
            case UnaryOp.Exp: TensorPrimitives.Exp<T>(s, d); break;
            case UnaryOp.Log: TensorPrimitives.Log<T>(s, d); break;
            case UnaryOp.Sin: TensorPrimitives.Sin<T>(s, d); break;
            case UnaryOp.Cos: TensorPrimitives.Cos<T>(s, d); break;
            case UnaryOp.Tanh when typeof(T) == typeof(float):
                TanhThroughDouble(MemoryMarshal.Cast<T, float>(s), MemoryMarshal.Cast<T, float>(d));
                break;
            case UnaryOp.Tanh: TensorPrimitives.Tanh<T>(s, d); break;
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid<T>(s, d); break;
            default:
                for (int i = 0; i < s.Length; i++)
                    d[i] = T.CreateTruncating(ElementwiseMath.Forward(op, double.CreateTruncating(s[i]), alpha, beta));
                break;
        }
    }

    /// <summary>
    /// Float32 tanh evaluated by the double kernel: <c>TensorPrimitives.Tanh&lt;float&gt;</c> loses its relative
    /// accuracy near 0 (tanh(0) = −6e−8, 3e−4 relative error at 1e−4, 5% at 1e−6), where Keras's tanh is exact to an ulp.
    /// </summary>
    private static void TanhThroughDouble(ReadOnlySpan<float> x, Span<float> y)
    {
        Span<double> buffer = stackalloc double[512];
        for (int i = 0; i < x.Length; i += buffer.Length)
        {
            int n = Math.Min(buffer.Length, x.Length - i);
            var chunk = buffer[..n];
            TensorPrimitives.ConvertTruncating<float, double>(x.Slice(i, n), chunk);
            TensorPrimitives.Tanh<double>(chunk, chunk);
            TensorPrimitives.ConvertTruncating<double, float>(chunk, y.Slice(i, n));
        }
    }

    public void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, double alpha, double beta)
    {
        if (x.DType == DType.Float32) UnaryBackwardRuns<float>(op, x, y, dy, dx, alpha, beta);
        else UnaryBackwardRuns<double>(op, x, y, dy, dx, alpha, beta);
    }

    private static void UnaryBackwardRuns<T>(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, double alpha, double beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = ((CpuStorage)x.Storage).Array<T>();
        var ys = ((CpuStorage)y.Storage).Array<T>();
        var gs = ((CpuStorage)dy.Storage).Array<T>();
        var ds = ((CpuStorage)dx.Storage).Array<T>();
        ParallelRange(xs.Length, (from, to) =>
        {
            for (long i = from; i < to; i++)
            {
                double derivative = ElementwiseMath.Derivative(op, double.CreateTruncating(xs[i]), double.CreateTruncating(ys[i]), alpha, beta);
                ds[i] = gs[i] * T.CreateTruncating(derivative);
            }
        });
    }

    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        if (y.DType == DType.Float32) BinaryRuns<float>(op, a, b, y);
        else BinaryRuns<double>(op, a, b, y);
    }

    private static void BinaryRuns<T>(BinaryOp op, Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var av = ((CpuStorage)a.Storage).Array<T>();
        var bv = ((CpuStorage)b.Storage).Array<T>();
        var yv = ((CpuStorage)y.Storage).Array<T>();
        var layout = StridedLayout.Create(y.Shape.Dims, y.Shape.Strides(),
            StridedLayout.BroadcastStrides(a.Shape, y.Shape), StridedLayout.BroadcastStrides(b.Shape, y.Shape));
        int n = layout.Inner;
        long sa = layout.InnerStrides[1], sb = layout.InnerStrides[2];
        layout.ForEachRange(y.Size, (from, to) =>
        {
            for (long r = from; r < to; r++)
            {
                int oy = (int)layout.Offset(0, r), oa = (int)layout.Offset(1, r), ob = (int)layout.Offset(2, r);
                var d = yv.AsSpan(oy, n);
                if (sa == 1 && sb == 1) BinarySpans(op, av.AsSpan(oa, n), bv.AsSpan(ob, n), d);
                else if (sa == 1 && sb == 0) BinarySpanScalar(op, av.AsSpan(oa, n), bv[ob], d);
                else if (sa == 0 && sb == 1 && IsCommutative(op)) BinarySpanScalar(op, bv.AsSpan(ob, n), av[oa], d);
                else
                {
                    for (int i = 0; i < n; i++)
                        d[i] = T.CreateTruncating(ElementwiseMath.Binary(op, double.CreateTruncating(av[oa + i * sa]), double.CreateTruncating(bv[ob + i * sb])));
                }
            }
        });
    }

    private static bool IsCommutative(BinaryOp op) => op is BinaryOp.Add or BinaryOp.Multiply or BinaryOp.Maximum or BinaryOp.Minimum;

    private static void BinarySpans<T>(BinaryOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
            case BinaryOp.Subtract: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Multiply: TensorPrimitives.Multiply(a, b, y); break;
            case BinaryOp.Divide: TensorPrimitives.Divide(a, b, y); break;
            case BinaryOp.Maximum: TensorPrimitives.Max(a, b, y); break;
            case BinaryOp.Minimum: TensorPrimitives.Min(a, b, y); break;
            default:
                for (int i = 0; i < y.Length; i++)
                    y[i] = T.CreateTruncating(ElementwiseMath.Binary(op, double.CreateTruncating(a[i]), double.CreateTruncating(b[i])));
                break;
        }
    }

    private static void BinarySpanScalar<T>(BinaryOp op, ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
            case BinaryOp.Subtract: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Multiply: TensorPrimitives.Multiply(a, b, y); break;
            case BinaryOp.Divide: TensorPrimitives.Divide(a, b, y); break;
            case BinaryOp.Maximum: TensorPrimitives.Max(a, b, y); break;
            case BinaryOp.Minimum: TensorPrimitives.Min(a, b, y); break;
            default:
                double bd = double.CreateTruncating(b);
                for (int i = 0; i < y.Length; i++)
                    y[i] = T.CreateTruncating(ElementwiseMath.Binary(op, double.CreateTruncating(a[i]), bd));
                break;
        }
    }

    public void Where(Tensor condition, Tensor a, Tensor b, Tensor y)
    {
        if (y.DType == DType.Float32) WhereRuns<float>(condition, a, b, y);
        else WhereRuns<double>(condition, a, b, y);
    }

    private static void WhereRuns<T>(Tensor condition, Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var cv = ((CpuStorage)condition.Storage).Array<T>();
        var av = ((CpuStorage)a.Storage).Array<T>();
        var bv = ((CpuStorage)b.Storage).Array<T>();
        var yv = ((CpuStorage)y.Storage).Array<T>();
        var layout = StridedLayout.Create(y.Shape.Dims, y.Shape.Strides(), StridedLayout.BroadcastStrides(condition.Shape, y.Shape),
            StridedLayout.BroadcastStrides(a.Shape, y.Shape), StridedLayout.BroadcastStrides(b.Shape, y.Shape));
        int n = layout.Inner;
        long sy = layout.InnerStrides[0], sc = layout.InnerStrides[1], sa = layout.InnerStrides[2], sb = layout.InnerStrides[3];
        layout.ForEachRange(y.Size, (from, to) =>
        {
            for (long r = from; r < to; r++)
            {
                long oy = layout.Offset(0, r), oc = layout.Offset(1, r), oa = layout.Offset(2, r), ob = layout.Offset(3, r);
                for (int i = 0; i < n; i++)
                    yv[oy + i * sy] = cv[oc + i * sc] != T.Zero ? av[oa + i * sa] : bv[ob + i * sb];
            }
        });
    }
}
