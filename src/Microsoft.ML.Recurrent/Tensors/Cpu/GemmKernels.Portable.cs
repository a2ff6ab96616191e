// The kernel bodies below are regular on purpose (one accumulator pair per row, guarded by a compile-time row
// count); keep them in step across the three instruction sets when editing.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>Portable micro-kernel over <see cref="Vector{T}"/>: 4 rows x 2 vectors; runs wherever the runtime vectorizes (or not).</summary>
internal readonly unsafe struct PortableGemmKernel<T> : IGemmKernel<T> where T : unmanaged, INumber<T>
{
    public static int Rows => 4;

    public static int Cols => 2 * Vector<T>.Count;

    public static bool IsSupported => true;

    public static void Tile(int rows, nint k, T* a, nint aStep, T* b, nint bStep, T* c, nint ldc, int cols, T* scale)
    {
        if (rows == 4)
        {
            Compute<Rows4>(k, a, aStep, b, bStep, c, ldc, cols, scale);
            return;
        }

        // Remainder rows as a sum of powers of two, so four small kernels cover every height.
        if ((rows & 2) != 0)
        {
            ComputeTwoRows(k, a, aStep, b, bStep, c, ldc, cols, scale);
            a += 2;
            c += 2 * ldc;
        }

        if ((rows & 1) != 0)
        {
            ComputeOneRow(k, a, aStep, b, bStep, c, ldc, cols, scale);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void Compute<R>(nint k, T* a, nint aStep, T* b, nint bStep, T* c, nint ldc, int cols, T* scale)
        where R : IRowCount
    {
        nint w = Vector<T>.Count;
        Vector<T> c00 = Vector<T>.Zero, c01 = Vector<T>.Zero;
        Vector<T> c10 = Vector<T>.Zero, c11 = Vector<T>.Zero;
        Vector<T> c20 = Vector<T>.Zero, c21 = Vector<T>.Zero;
        Vector<T> c30 = Vector<T>.Zero, c31 = Vector<T>.Zero;
        for (; k > 0; k--)
        {
            Vector<T> b0 = Vector.Load(b);
            Vector<T> b1 = Vector.Load(b + w);
            Vector<T> ai = new Vector<T>(a[0]);
            c00 = MultiplyAdd(ai, b0, c00);
            c01 = MultiplyAdd(ai, b1, c01);
            if (R.Count > 1)
            {
                ai = new Vector<T>(a[1]);
                c10 = MultiplyAdd(ai, b0, c10);
                c11 = MultiplyAdd(ai, b1, c11);
            }

            if (R.Count > 2)
            {
                ai = new Vector<T>(a[2]);
                c20 = MultiplyAdd(ai, b0, c20);
                c21 = MultiplyAdd(ai, b1, c21);
            }

            if (R.Count > 3)
            {
                ai = new Vector<T>(a[3]);
                c30 = MultiplyAdd(ai, b0, c30);
                c31 = MultiplyAdd(ai, b1, c31);
            }
            a += aStep;
            b += bStep;
        }

        if (cols == 2 * w)
        {
            Vector<T> va = new Vector<T>(scale[0]);
            StoreRow(c, c00, c01, va, scale[1]);
            if (R.Count > 1)
            {
                StoreRow(c + 1 * ldc, c10, c11, va, scale[1]);
            }

            if (R.Count > 2)
            {
                StoreRow(c + 2 * ldc, c20, c21, va, scale[1]);
            }

            if (R.Count > 3)
            {
                StoreRow(c + 3 * ldc, c30, c31, va, scale[1]);
            }
        }
        else
        {
            T* tile = stackalloc T[4 * 2 * Vector<T>.Count];
            c00.Store(tile);
            c01.Store(tile + w);
            if (R.Count > 1)
            {
                c10.Store(tile + 2 * w);
                c11.Store(tile + 3 * w);
            }

            if (R.Count > 2)
            {
                c20.Store(tile + 4 * w);
                c21.Store(tile + 5 * w);
            }

            if (R.Count > 3)
            {
                c30.Store(tile + 6 * w);
                c31.Store(tile + 7 * w);
            }
            GemmTileStore.Merge(tile, R.Count, 2 * (int)w, c, ldc, cols, scale[0], scale[1]);
        }
    }

    // A single row has only two accumulators, which would leave the kernel waiting on FMA latency;
    // splitting k four ways gives eight independent chains (this is the M == 1, GEMV-like case).
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void ComputeOneRow(nint k, T* a, nint aStep, T* b, nint bStep, T* c, nint ldc, int cols, T* scale)
    {
        nint w = Vector<T>.Count;
        Vector<T> s00 = Vector<T>.Zero, s01 = Vector<T>.Zero;
        Vector<T> s10 = Vector<T>.Zero, s11 = Vector<T>.Zero;
        Vector<T> s20 = Vector<T>.Zero, s21 = Vector<T>.Zero;
        Vector<T> s30 = Vector<T>.Zero, s31 = Vector<T>.Zero;
        for (; k >= 4; k -= 4)
        {
            Vector<T> a0 = new Vector<T>(a[0]);
            s00 = MultiplyAdd(a0, Vector.Load(b), s00);
            s01 = MultiplyAdd(a0, Vector.Load(b + w), s01);
            Vector<T> a1 = new Vector<T>(a[1 * aStep]);
            s10 = MultiplyAdd(a1, Vector.Load(b + 1 * bStep), s10);
            s11 = MultiplyAdd(a1, Vector.Load(b + 1 * bStep + w), s11);
            Vector<T> a2 = new Vector<T>(a[2 * aStep]);
            s20 = MultiplyAdd(a2, Vector.Load(b + 2 * bStep), s20);
            s21 = MultiplyAdd(a2, Vector.Load(b + 2 * bStep + w), s21);
            Vector<T> a3 = new Vector<T>(a[3 * aStep]);
            s30 = MultiplyAdd(a3, Vector.Load(b + 3 * bStep), s30);
            s31 = MultiplyAdd(a3, Vector.Load(b + 3 * bStep + w), s31);
            a += 4 * aStep;
            b += 4 * bStep;
        }

        for (; k > 0; k--)
        {
            Vector<T> a0 = new Vector<T>(a[0]);
            s00 = MultiplyAdd(a0, Vector.Load(b), s00);
            s01 = MultiplyAdd(a0, Vector.Load(b + w), s01);
            a += aStep;
            b += bStep;
        }

        s00 = (s00 + s10) + (s20 + s30);
        s01 = (s01 + s11) + (s21 + s31);
        if (cols == 2 * w)
        {
            StoreRow(c, s00, s01, new Vector<T>(scale[0]), scale[1]);
        }
        else
        {
            T* tile = stackalloc T[2 * Vector<T>.Count];
            s00.Store(tile);
            s01.Store(tile + w);
            GemmTileStore.Merge(tile, 1, 2 * (int)w, c, ldc, cols, scale[0], scale[1]);
        }
    }

    // Two rows give four accumulators; splitting k two ways doubles that to hide the FMA latency.
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void ComputeTwoRows(nint k, T* a, nint aStep, T* b, nint bStep, T* c, nint ldc, int cols, T* scale)
    {
        nint w = Vector<T>.Count;
        Vector<T> s000 = Vector<T>.Zero, s001 = Vector<T>.Zero, s010 = Vector<T>.Zero, s011 = Vector<T>.Zero;
        Vector<T> s100 = Vector<T>.Zero, s101 = Vector<T>.Zero, s110 = Vector<T>.Zero, s111 = Vector<T>.Zero;
        for (; k >= 2; k -= 2)
        {
            Vector<T> x00 = Vector.Load(b);
            Vector<T> x01 = Vector.Load(b + w);
            Vector<T> a00 = new Vector<T>((a)[0]);
            Vector<T> a01 = new Vector<T>((a)[1]);
            s000 = MultiplyAdd(a00, x00, s000);
            s001 = MultiplyAdd(a00, x01, s001);
            s010 = MultiplyAdd(a01, x00, s010);
            s011 = MultiplyAdd(a01, x01, s011);
            Vector<T> x10 = Vector.Load(b + bStep);
            Vector<T> x11 = Vector.Load(b + bStep + w);
            Vector<T> a10 = new Vector<T>((a + aStep)[0]);
            Vector<T> a11 = new Vector<T>((a + aStep)[1]);
            s100 = MultiplyAdd(a10, x10, s100);
            s101 = MultiplyAdd(a10, x11, s101);
            s110 = MultiplyAdd(a11, x10, s110);
            s111 = MultiplyAdd(a11, x11, s111);
            a += 2 * aStep;
            b += 2 * bStep;
        }

        if (k > 0)
        {
            Vector<T> x0 = Vector.Load(b);
            Vector<T> x1 = Vector.Load(b + w);
            Vector<T> a0 = new Vector<T>(a[0]);
            Vector<T> a1 = new Vector<T>(a[1]);
            s000 = MultiplyAdd(a0, x0, s000);
            s001 = MultiplyAdd(a0, x1, s001);
            s010 = MultiplyAdd(a1, x0, s010);
            s011 = MultiplyAdd(a1, x1, s011);
        }

        s000 += s100;
        s001 += s101;
        s010 += s110;
        s011 += s111;
        if (cols == 2 * w)
        {
            Vector<T> va = new Vector<T>(scale[0]);
            StoreRow(c, s000, s001, va, scale[1]);
            StoreRow(c + ldc, s010, s011, va, scale[1]);
        }
        else
        {
            T* tile = stackalloc T[4 * Vector<T>.Count];
            s000.Store(tile);
            s001.Store(tile + w);
            s010.Store(tile + 2 * w);
            s011.Store(tile + 3 * w);
            GemmTileStore.Merge(tile, 2, 2 * (int)w, c, ldc, cols, scale[0], scale[1]);
        }
    }

    /// <summary>
    /// M == 1: 8 vectors (4 tiles wide) of the C row stay in registers while each step reads two vectors from each
    /// of 4 panels, <paramref name="panelStride"/> apart: 2 vectors when B is read in place (one contiguous
    /// 8-vector run of a B row, a stream the hardware prefetcher follows across rows), k * Cols for pre-packed B.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    public static void RowTimesMatrix(nint k, T* a, nint aStep, T* b, nint ldb, nint panelStride, T* c, T* scale)
    {
        T* b1 = b + panelStride;
        T* b2 = b + (2 * panelStride);
        T* b3 = b + (3 * panelStride);
        nint w = Vector<T>.Count;
        Vector<T> s0 = Vector<T>.Zero, s1 = Vector<T>.Zero, s2 = Vector<T>.Zero, s3 = Vector<T>.Zero;
        Vector<T> s4 = Vector<T>.Zero, s5 = Vector<T>.Zero, s6 = Vector<T>.Zero, s7 = Vector<T>.Zero;
        for (; k > 0; k--)
        {
            Vector<T> ai = new Vector<T>(a[0]);
            s0 = MultiplyAdd(ai, Vector.Load(b), s0);
            s1 = MultiplyAdd(ai, Vector.Load(b + w), s1);
            s2 = MultiplyAdd(ai, Vector.Load(b1), s2);
            s3 = MultiplyAdd(ai, Vector.Load(b1 + w), s3);
            s4 = MultiplyAdd(ai, Vector.Load(b2), s4);
            s5 = MultiplyAdd(ai, Vector.Load(b2 + w), s5);
            s6 = MultiplyAdd(ai, Vector.Load(b3), s6);
            s7 = MultiplyAdd(ai, Vector.Load(b3 + w), s7);
            a += aStep;
            b += ldb;
            b1 += ldb;
            b2 += ldb;
            b3 += ldb;
        }

        Vector<T> va = new Vector<T>(scale[0]);
        StoreRow(c, s0, s1, va, scale[1]);
        StoreRow(c + (2 * w), s2, s3, va, scale[1]);
        StoreRow(c + (4 * w), s4, s5, va, scale[1]);
        StoreRow(c + (6 * w), s6, s7, va, scale[1]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(T* c, Vector<T> x0, Vector<T> x1, Vector<T> alpha, T beta)
    {
        x0 *= alpha;
        x1 *= alpha;
        if (beta == T.One)
        {
            x0 += Vector.Load(c);
            x1 += Vector.Load(c + Vector<T>.Count);
        }
        else if (beta != T.Zero)
        {
            Vector<T> vb = new Vector<T>(beta);
            x0 = MultiplyAdd(vb, Vector.Load(c), x0);
            x1 = MultiplyAdd(vb, Vector.Load(c + Vector<T>.Count), x1);
        }

        x0.Store(c);
        x1.Store(c + Vector<T>.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> MultiplyAdd(Vector<T> x, Vector<T> y, Vector<T> z)
    {
        // Multiply then add: a fused form is not guaranteed to be a single instruction on every platform.
        return (x * y) + z;
    }
}
