using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// A built-in activation (<see cref="UnaryOp"/>, or null for the identity) applied to one gate row inside a fused
/// recurrent kernel, and its derivative. tanh and sigmoid, the activations of nearly every recurrent model, are
/// vectorized; the rest use the scalar reference definitions of <see cref="ElementwiseMath"/>, so the fused path
/// gives the same numbers as the op-by-op path for every activation.
/// </summary>
internal static class FusedActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary><c>y = f(x)</c>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void Forward(UnaryOp? op, double alpha, double beta, ReadOnlySpan<T> x, Span<T> y)
    {
        switch (op)
        {
            case null:
                x.CopyTo(y);
                break;
            case UnaryOp.Tanh when typeof(T) == typeof(float):
                TanhThroughDouble(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y));
                break;
            case UnaryOp.Tanh:
                TensorPrimitives.Tanh<T>(x, y);
                break;
            case UnaryOp.Sigmoid:
                TensorPrimitives.Sigmoid<T>(x, y);
                break;
            default:
                for (int i = 0; i < x.Length; i++)
                    y[i] = T.CreateTruncating(ElementwiseMath.Forward(op.Value, double.CreateTruncating(x[i]), alpha, beta));
                break;
        }
    }

    /// <summary><c>dx = dy · f'(x)</c> given <c>y = f(x)</c>; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void Backward(UnaryOp? op, double alpha, double beta, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
    {
        int n = dy.Length, i = 0;
        switch (op)
        {
            case null:
                dy.CopyTo(dx);
                return;
            case UnaryOp.Tanh:
                if (Vector.IsHardwareAccelerated)
                {
                    var one = Vector<T>.One;
                    for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                    {
                        var yv = new Vector<T>(y[i..]);
                        (new Vector<T>(dy[i..]) * (one - yv * yv)).CopyTo(dx[i..]);
                    }
                }
                for (; i < n; i++) dx[i] = dy[i] * (T.One - y[i] * y[i]);
                return;
            case UnaryOp.Sigmoid:
                if (Vector.IsHardwareAccelerated)
                {
                    var one = Vector<T>.One;
                    for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                    {
                        var yv = new Vector<T>(y[i..]);
                        (new Vector<T>(dy[i..]) * (yv * (one - yv))).CopyTo(dx[i..]);
                    }
                }
                for (; i < n; i++) dx[i] = dy[i] * (y[i] * (T.One - y[i]));
                return;
            default:
                for (; i < n; i++)
                {
                    double d = ElementwiseMath.Derivative(op.Value, double.CreateTruncating(x[i]), double.CreateTruncating(y[i]), alpha, beta);
                    dx[i] = dy[i] * T.CreateTruncating(d);
                }
                return;
        }
    }

    /// <summary>
    /// Float32 tanh through the double kernel, as the CPU backend's elementwise tanh does:
    /// <c>TensorPrimitives.Tanh&lt;float&gt;</c> loses relative accuracy near 0.
    /// </summary>
    private static void TanhThroughDouble(ReadOnlySpan<float> x, Span<float> y)
    {
        Span<double> buffer = stackalloc double[256];
        for (int i = 0; i < x.Length; i += buffer.Length)
        {
            int n = Math.Min(buffer.Length, x.Length - i);
            var chunk = buffer[..n];
            TensorPrimitives.ConvertTruncating<float, double>(x.Slice(i, n), chunk);
            TensorPrimitives.Tanh<double>(chunk, chunk);
            TensorPrimitives.ConvertTruncating<double, float>(chunk, y.Slice(i, n));
        }
    }
}
