using System.Numerics.Tensors;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Tensors.Cpu;
using Tensor = Microsoft.ML.Recurrent.Tensors.Tensor;

namespace Microsoft.ML.Recurrent.Training.Optimizers;

/// <summary>
/// Adam's update of one variable in place on the CPU, in cache-sized chunks, without temporaries:
/// <c>m += (g − m)·(1 − β₁)</c>, <c>v += (g² − v)·(1 − β₂)</c>, (AMSGrad: <c>v̂ = max(v̂, v)</c>),
/// <c>w −= (m·α) / (√v + ε)</c>. Each element goes through the same float operations, in the same order and
/// precision, as the op-by-op form in <see cref="Adam"/>, so both give identical bits.
/// </summary>
internal static class FusedAdamUpdate
{
    private const int Chunk = 512;

    /// <summary>Updates in place and returns true when every tensor is a CPU tensor of the variable's dtype; else false (nothing changed).</summary>
    public static bool TryApply(Tensor weights, Tensor gradient, Tensor m, Tensor v, Tensor? vHat, double alpha, double beta1, double beta2, double epsilon)
    {
        var dtype = weights.DType;
        Tensor?[] all = [weights, gradient, m, v, vHat];
        foreach (var t in all)
            if (t is not null && (t.Storage is not CpuStorage || t.DType != dtype || t.Size != weights.Size))
                return false;
        if (dtype == DType.Float32) Apply<float>(weights, gradient, m, v, vHat, alpha, beta1, beta2, epsilon);
        else if (dtype == DType.Float64) Apply<double>(weights, gradient, m, v, vHat, alpha, beta1, beta2, epsilon);
        else return false;
        return true;
    }

    private static void Apply<T>(Tensor weights, Tensor gradient, Tensor mTensor, Tensor vTensor, Tensor? vHatTensor,
        double alpha, double beta1, double beta2, double epsilon) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = Values<T>(weights);
        var g = Values<T>(gradient);
        var m = Values<T>(mTensor);
        var v = Values<T>(vTensor);
        var vHat = vHatTensor is null ? default : Values<T>(vHatTensor);
        // The op-by-op form turns each scalar into a tensor of the element type first.
        T oneMinusBeta1 = T.CreateTruncating(1 - beta1), oneMinusBeta2 = T.CreateTruncating(1 - beta2);
        T step = T.CreateTruncating(alpha), eps = T.CreateTruncating(epsilon);
        Span<T> a = stackalloc T[Chunk];
        Span<T> b = stackalloc T[Chunk];
        for (int start = 0; start < w.Length; start += Chunk)
        {
            int n = Math.Min(Chunk, w.Length - start);
            var gc = g.Slice(start, n);
            var mc = m.Slice(start, n);
            var vc = v.Slice(start, n);
            var wc = w.Slice(start, n);
            var ta = a[..n];
            var tb = b[..n];
            TensorPrimitives.Subtract<T>(gc, mc, ta);
            TensorPrimitives.Multiply<T>(ta, oneMinusBeta1, ta);
            TensorPrimitives.Add<T>(mc, ta, mc);
            TensorPrimitives.Multiply<T>(gc, gc, ta);
            TensorPrimitives.Subtract<T>(ta, vc, ta);
            TensorPrimitives.Multiply<T>(ta, oneMinusBeta2, ta);
            TensorPrimitives.Add<T>(vc, ta, vc);
            if (vHatTensor is not null)
            {
                var hc = vHat.Slice(start, n);
                TensorPrimitives.Max<T>(hc, vc, hc);
                vc = hc;
            }
            TensorPrimitives.Sqrt<T>(vc, ta);
            TensorPrimitives.Add<T>(ta, eps, ta);
            TensorPrimitives.Multiply<T>(mc, step, tb);
            TensorPrimitives.Divide<T>(tb, ta, tb);
            TensorPrimitives.Subtract<T>(wc, tb, wc);
        }
    }

    private static Span<T> Values<T>(Tensor tensor) where T : unmanaged =>
        ((CpuStorage)tensor.Storage).Span<T>()[..checked((int)tensor.Size)];
}
