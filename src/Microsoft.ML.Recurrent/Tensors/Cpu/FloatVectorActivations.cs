using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// Float32 sigmoid and tanh on eight lanes, float arithmetic only, within a few ulp of the exact functions over the
/// whole range (subnormal results to a couple of subnormal steps), NaN in → NaN out, ±∞ → the limits.
/// </summary>
/// <remarks>
/// <para>Each function comes in eight and sixteen lanes (<see cref="Vector256{T}"/>, <see cref="Vector512{T}"/>), the
/// same operations in the same order, as <c>TensorPrimitives</c> keeps one body per vector width.</para>
/// <para><c>TensorPrimitives</c>' float sigmoid runs at ~1.8 ns per element here and the accurate float tanh goes through
/// double (~5 ns), which made them the bulk of a batched LSTM step; these cost a fraction of that. Both are built on
/// <c>e^{−|x|}</c>, which cannot overflow: Cephes' <c>expf</c> (range reduction by ln 2 in two parts, degree-6
/// polynomial, evaluated with FMA), scaled by 2ⁿ with one rounding so results down to the subnormal range come out right
/// (<c>vscalefps</c> where AVX-512 runs: one instruction in place of nine, 16–19% off the LSTM gate loop; else two
/// normal halves, same bits).
/// sigmoid = <c>1/(1 + e^{−|x|})</c>, times <c>e^{−|x|}</c> for x &lt; 0. tanh = its Taylor series up to x⁹ below
/// |x| = 0.3 (truncation under one ulp; no cancellation near 0), else <c>(1 − e^{−2|x|})/(1 + e^{−2|x|})</c> with
/// the sign of x.</para>
/// </remarks>
internal static class FloatVectorActivations
{
    /// <summary>Whether <see cref="Vector256{T}"/> and FMA run in hardware (otherwise callers keep their <c>TensorPrimitives</c> path).</summary>
    public static bool IsSupported => Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported;

    /// <summary>
    /// Whether the sixteen-lane overloads run in hardware. <see cref="Vector512.IsHardwareAccelerated"/> is false on
    /// CPUs where .NET prefers 256-bit vectors by default (this Skylake-SP among them), yet AVX-512F still executes
    /// <see cref="Vector512{T}"/> operations natively, at about 1.8x the eight-lane throughput for these functions.
    /// </summary>
    public static bool IsSupported512 => IsSupported && System.Runtime.Intrinsics.X86.Avx512F.IsSupported;

    /// <summary>σ(x) = 1 / (1 + e⁻ˣ).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x)
    {
        // NaN passes through: Vector256.Max (in the exponential) propagates it, and it fails the comparison.
        var e = ExpOfNonPositive(-Vector256.Abs(x));
        var r = Vector256<float>.One / (Vector256<float>.One + e);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), e * r, r);
    }

    /// <summary>tanh(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var a = Vector256.Abs(x);
        var x2 = x * x;
        var p = Vector256.FusedMultiplyAdd(x2, Vector256.Create(62f / 2835), Vector256.Create(-17f / 315));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(2f / 15));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(-1f / 3));
        var series = Vector256.FusedMultiplyAdd(x * x2, p, x);
        var e = ExpOfNonPositive(-(a + a));
        var large = (Vector256<float>.One - e) / (Vector256<float>.One + e);
        // NaN fails the comparison and takes the series, which stays NaN.
        var y = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(a, Vector256.Create(0.3f)), large, series);
        // The sign bit from x (large is positive; the series gives +0 for −0), the rest from y.
        return Vector256.ConditionalSelect(Vector256.Create(-0f), x, y);
    }

    /// <summary>eˣ for x ≤ 0 (Cephes <c>expf</c>); below −104 the result rounds to 0 anyway.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ExpOfNonPositive(Vector256<float> x)
    {
        x = Vector256.Max(x, Vector256.Create(-104f));
        var fx = Vector256.Floor(Vector256.FusedMultiplyAdd(x, Vector256.Create(1.44269504088896341f), Vector256.Create(0.5f)));
        var r = Vector256.FusedMultiplyAdd(fx, Vector256.Create(-0.693359375f), x);
        r = Vector256.FusedMultiplyAdd(fx, Vector256.Create(2.12194440e-4f), r);
        var y = Vector256.Create(1.9875691500E-4f);
        y = Vector256.FusedMultiplyAdd(y, r, Vector256.Create(1.3981999507E-3f));
        y = Vector256.FusedMultiplyAdd(y, r, Vector256.Create(8.3334519073E-3f));
        y = Vector256.FusedMultiplyAdd(y, r, Vector256.Create(4.1665795894E-2f));
        y = Vector256.FusedMultiplyAdd(y, r, Vector256.Create(1.6666665459E-1f));
        y = Vector256.FusedMultiplyAdd(y, r, Vector256.Create(5.0000001201E-1f));
        y = Vector256.FusedMultiplyAdd(y, r * r, r) + Vector256<float>.One;
        return Avx512F.VL.IsSupported ? Avx512F.VL.Scale(y, fx) : ScaleByPowerOfTwo(y, fx);
    }

    /// <summary>
    /// y · 2ⁿ for a whole number n in [−150, 0], rounded once, as <c>vscalefps</c> computes it: 2ⁿ as two normal
    /// halves, so the first product is exact and only the second rounds (into the subnormal range where it must).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ScaleByPowerOfTwo(Vector256<float> y, Vector256<float> n)
    {
        var whole = Vector256.ConvertToInt32Native(n); // a whole number in [−150, 0]: no saturation needed
        var half = Vector256.ShiftRightArithmetic(whole, 1);
        var bias = Vector256.Create(127);
        var scale1 = Vector256.ShiftLeft(half + bias, 23).AsSingle();
        var scale2 = Vector256.ShiftLeft(whole - half + bias, 23).AsSingle();
        return y * scale1 * scale2;
    }

    /// <summary>σ(x) on sixteen lanes: the same operations as the eight-lane overload, so the same bits per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x)
    {
        var e = ExpOfNonPositive(-Vector512.Abs(x));
        var r = Vector512<float>.One / (Vector512<float>.One + e);
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), e * r, r);
    }

    /// <summary>tanh(x) on sixteen lanes (same bits per lane as the eight-lane overload).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var a = Vector512.Abs(x);
        var x2 = x * x;
        var p = Vector512.FusedMultiplyAdd(x2, Vector512.Create(62f / 2835), Vector512.Create(-17f / 315));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(2f / 15));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(-1f / 3));
        var series = Vector512.FusedMultiplyAdd(x * x2, p, x);
        var e = ExpOfNonPositive(-(a + a));
        var large = (Vector512<float>.One - e) / (Vector512<float>.One + e);
        var y = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(a, Vector512.Create(0.3f)), large, series);
        return Vector512.ConditionalSelect(Vector512.Create(-0f), x, y);
    }

    /// <summary>eˣ for x ≤ 0 on sixteen lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> ExpOfNonPositive(Vector512<float> x)
    {
        x = Vector512.Max(x, Vector512.Create(-104f));
        var fx = Vector512.Floor(Vector512.FusedMultiplyAdd(x, Vector512.Create(1.44269504088896341f), Vector512.Create(0.5f)));
        var r = Vector512.FusedMultiplyAdd(fx, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(fx, Vector512.Create(2.12194440e-4f), r);
        var y = Vector512.Create(1.9875691500E-4f);
        y = Vector512.FusedMultiplyAdd(y, r, Vector512.Create(1.3981999507E-3f));
        y = Vector512.FusedMultiplyAdd(y, r, Vector512.Create(8.3334519073E-3f));
        y = Vector512.FusedMultiplyAdd(y, r, Vector512.Create(4.1665795894E-2f));
        y = Vector512.FusedMultiplyAdd(y, r, Vector512.Create(1.6666665459E-1f));
        y = Vector512.FusedMultiplyAdd(y, r, Vector512.Create(5.0000001201E-1f));
        y = Vector512.FusedMultiplyAdd(y, r * r, r) + Vector512<float>.One;
        return Avx512F.Scale(y, fx);
    }
}
