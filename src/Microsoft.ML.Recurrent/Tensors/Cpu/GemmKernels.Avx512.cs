// The kernel bodies below are regular on purpose (one accumulator pair per row, guarded by a compile-time row
// count); keep them in step across the three instruction sets when editing.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>AVX-512F micro-kernel: 12 rows x 2 vectors (12x32 floats, 12x16 doubles), 24 of the 32 zmm registers as accumulators; 12 rather than 14 rows because it measured faster (106 vs 92 GFLOP/s on one tile at k = 64).</summary>
internal readonly unsafe partial struct Avx512GemmKernel<T> : IGemmKernel<T> where T : unmanaged, INumber<T>
{
    public static int Rows => 12;

    public static int Cols => 2 * Vector512<T>.Count;

    public static bool IsSupported => Avx512F.IsSupported;

    public static void Tile(int rows, nint k, T* a, nint aStep, T* b, nint bStep, T* c, nint ldc, int cols, T* scale)
    {
        if (rows == 12)
        {
            Compute<Rows12>(k, a, aStep, b, bStep, c, ldc, cols, scale);
            return;
        }

        // Remainder rows as a sum of powers of two, so four small kernels cover every height.
        if ((rows & 8) != 0)
        {
            Compute<Rows8>(k, a, aStep, b, bStep, c, ldc, cols, scale);
            a += 8;
            c += 8 * ldc;
        }

        if ((rows & 4) != 0)
        {
            Compute<Rows4>(k, a, aStep, b, bStep, c, ldc, cols, scale);
            a += 4;
            c += 4 * ldc;
        }

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
        nint w = Vector512<T>.Count;
        Vector512<T> c00 = Vector512<T>.Zero, c01 = Vector512<T>.Zero;
        Vector512<T> c10 = Vector512<T>.Zero, c11 = Vector512<T>.Zero;
        Vector512<T> c20 = Vector512<T>.Zero, c21 = Vector512<T>.Zero;
        Vector512<T> c30 = Vector512<T>.Zero, c31 = Vector512<T>.Zero;
        Vector512<T> c40 = Vector512<T>.Zero, c41 = Vector512<T>.Zero;
        Vector512<T> c50 = Vector512<T>.Zero, c51 = Vector512<T>.Zero;
        Vector512<T> c60 = Vector512<T>.Zero, c61 = Vector512<T>.Zero;
        Vector512<T> c70 = Vector512<T>.Zero, c71 = Vector512<T>.Zero;
        Vector512<T> c80 = Vector512<T>.Zero, c81 = Vector512<T>.Zero;
        Vector512<T> c90 = Vector512<T>.Zero, c91 = Vector512<T>.Zero;
        Vector512<T> c100 = Vector512<T>.Zero, c101 = Vector512<T>.Zero;
        Vector512<T> c110 = Vector512<T>.Zero, c111 = Vector512<T>.Zero;

        // C rows are ldc apart (often a multiple of 4 KiB, so they miss L1 together): fetch the tile now,
        // under the k loop, instead of stalling on 2 * rows misses when it is stored.
        Prefetch(c, w);
        if (R.Count > 1)
        {
            Prefetch(c + 1 * ldc, w);
        }

        if (R.Count > 2)
        {
            Prefetch(c + 2 * ldc, w);
        }

        if (R.Count > 3)
        {
            Prefetch(c + 3 * ldc, w);
        }

        if (R.Count > 4)
        {
            Prefetch(c + 4 * ldc, w);
        }

        if (R.Count > 5)
        {
            Prefetch(c + 5 * ldc, w);
        }

        if (R.Count > 6)
        {
            Prefetch(c + 6 * ldc, w);
        }

        if (R.Count > 7)
        {
            Prefetch(c + 7 * ldc, w);
        }

        if (R.Count > 8)
        {
            Prefetch(c + 8 * ldc, w);
        }

        if (R.Count > 9)
        {
            Prefetch(c + 9 * ldc, w);
        }

        if (R.Count > 10)
        {
            Prefetch(c + 10 * ldc, w);
        }

        if (R.Count > 11)
        {
            Prefetch(c + 11 * ldc, w);
        }

        // B rows may be ldb apart (B read in place): prefetch ahead, as strided rows defeat the hardware prefetcher.
        nint ahead = 8 * bStep;
        for (; k > 0; k--)
        {
            Sse.Prefetch0(b + ahead);
            Sse.Prefetch0(b + ahead + w);
            Vector512<T> b0 = Vector512.Load(b);
            Vector512<T> b1 = Vector512.Load(b + w);
            Vector512<T> ai = Vector512.Create(a[0]);
            c00 = MultiplyAdd(ai, b0, c00);
            c01 = MultiplyAdd(ai, b1, c01);
            if (R.Count > 1)
            {
                ai = Vector512.Create(a[1]);
                c10 = MultiplyAdd(ai, b0, c10);
                c11 = MultiplyAdd(ai, b1, c11);
            }

            if (R.Count > 2)
            {
                ai = Vector512.Create(a[2]);
                c20 = MultiplyAdd(ai, b0, c20);
                c21 = MultiplyAdd(ai, b1, c21);
            }

            if (R.Count > 3)
            {
                ai = Vector512.Create(a[3]);
                c30 = MultiplyAdd(ai, b0, c30);
                c31 = MultiplyAdd(ai, b1, c31);
            }

            if (R.Count > 4)
            {
                ai = Vector512.Create(a[4]);
                c40 = MultiplyAdd(ai, b0, c40);
                c41 = MultiplyAdd(ai, b1, c41);
            }

            if (R.Count > 5)
            {
                ai = Vector512.Create(a[5]);
                c50 = MultiplyAdd(ai, b0, c50);
                c51 = MultiplyAdd(ai, b1, c51);
            }

            if (R.Count > 6)
            {
                ai = Vector512.Create(a[6]);
                c60 = MultiplyAdd(ai, b0, c60);
                c61 = MultiplyAdd(ai, b1, c61);
            }

            if (R.Count > 7)
            {
                ai = Vector512.Create(a[7]);
                c70 = MultiplyAdd(ai, b0, c70);
                c71 = MultiplyAdd(ai, b1, c71);
            }

            if (R.Count > 8)
            {
                ai = Vector512.Create(a[8]);
                c80 = MultiplyAdd(ai, b0, c80);
                c81 = MultiplyAdd(ai, b1, c81);
            }

            if (R.Count > 9)
            {
                ai = Vector512.Create(a[9]);
                c90 = MultiplyAdd(ai, b0, c90);
                c91 = MultiplyAdd(ai, b1, c91);
            }

            if (R.Count > 10)
            {
                ai = Vector512.Create(a[10]);
                c100 = MultiplyAdd(ai, b0, c100);
                c101 = MultiplyAdd(ai, b1, c101);
            }

            if (R.Count > 11)
            {
                ai = Vector512.Create(a[11]);
                c110 = MultiplyAdd(ai, b0, c110);
                c111 = MultiplyAdd(ai, b1, c111);
            }
            a += aStep;
            b += bStep;
        }

        if (cols == 2 * w)
        {
            Vector512<T> va = Vector512.Create(scale[0]);
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

            if (R.Count > 4)
            {
                StoreRow(c + 4 * ldc, c40, c41, va, scale[1]);
            }

            if (R.Count > 5)
            {
                StoreRow(c + 5 * ldc, c50, c51, va, scale[1]);
            }

            if (R.Count > 6)
            {
                StoreRow(c + 6 * ldc, c60, c61, va, scale[1]);
            }

            if (R.Count > 7)
            {
                StoreRow(c + 7 * ldc, c70, c71, va, scale[1]);
            }

            if (R.Count > 8)
            {
                StoreRow(c + 8 * ldc, c80, c81, va, scale[1]);
            }

            if (R.Count > 9)
            {
                StoreRow(c + 9 * ldc, c90, c91, va, scale[1]);
            }

            if (R.Count > 10)
            {
                StoreRow(c + 10 * ldc, c100, c101, va, scale[1]);
            }

            if (R.Count > 11)
            {
                StoreRow(c + 11 * ldc, c110, c111, va, scale[1]);
            }
        }
        else
        {
            T* tile = stackalloc T[12 * 2 * Vector512<T>.Count];
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

            if (R.Count > 4)
            {
                c40.Store(tile + 8 * w);
                c41.Store(tile + 9 * w);
            }

            if (R.Count > 5)
            {
                c50.Store(tile + 10 * w);
                c51.Store(tile + 11 * w);
            }

            if (R.Count > 6)
            {
                c60.Store(tile + 12 * w);
                c61.Store(tile + 13 * w);
            }

            if (R.Count > 7)
            {
                c70.Store(tile + 14 * w);
                c71.Store(tile + 15 * w);
            }

            if (R.Count > 8)
            {
                c80.Store(tile + 16 * w);
                c81.Store(tile + 17 * w);
            }

            if (R.Count > 9)
            {
                c90.Store(tile + 18 * w);
                c91.Store(tile + 19 * w);
            }

            if (R.Count > 10)
            {
                c100.Store(tile + 20 * w);
                c101.Store(tile + 21 * w);
            }

            if (R.Count > 11)
            {
                c110.Store(tile + 22 * w);
                c111.Store(tile + 23 * w);
            }
            GemmTileStore.Merge(tile, R.Count, 2 * (int)w, c, ldc, cols, scale[0], scale[1]);
        }
    }

    // A single row has only two accumulators, which would leave the kernel waiting on FMA latency;
    // splitting k four ways gives eight independent chains (this is the M == 1, GEMV-like case).
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void ComputeOneRow(nint k, T* a, nint aStep, T* b, nint bStep, T* c, nint ldc, int cols, T* scale)
    {
        nint w = Vector512<T>.Count;
        Vector512<T> s00 = Vector512<T>.Zero, s01 = Vector512<T>.Zero;
        Vector512<T> s10 = Vector512<T>.Zero, s11 = Vector512<T>.Zero;
        Vector512<T> s20 = Vector512<T>.Zero, s21 = Vector512<T>.Zero;
        Vector512<T> s30 = Vector512<T>.Zero, s31 = Vector512<T>.Zero;
        for (; k >= 4; k -= 4)
        {
            Vector512<T> a0 = Vector512.Create(a[0]);
            s00 = MultiplyAdd(a0, Vector512.Load(b), s00);
            s01 = MultiplyAdd(a0, Vector512.Load(b + w), s01);
            Vector512<T> a1 = Vector512.Create(a[1 * aStep]);
            s10 = MultiplyAdd(a1, Vector512.Load(b + 1 * bStep), s10);
            s11 = MultiplyAdd(a1, Vector512.Load(b + 1 * bStep + w), s11);
            Vector512<T> a2 = Vector512.Create(a[2 * aStep]);
            s20 = MultiplyAdd(a2, Vector512.Load(b + 2 * bStep), s20);
            s21 = MultiplyAdd(a2, Vector512.Load(b + 2 * bStep + w), s21);
            Vector512<T> a3 = Vector512.Create(a[3 * aStep]);
            s30 = MultiplyAdd(a3, Vector512.Load(b + 3 * bStep), s30);
            s31 = MultiplyAdd(a3, Vector512.Load(b + 3 * bStep + w), s31);
            a += 4 * aStep;
            b += 4 * bStep;
        }

        for (; k > 0; k--)
        {
            Vector512<T> a0 = Vector512.Create(a[0]);
            s00 = MultiplyAdd(a0, Vector512.Load(b), s00);
            s01 = MultiplyAdd(a0, Vector512.Load(b + w), s01);
            a += aStep;
            b += bStep;
        }

        s00 = (s00 + s10) + (s20 + s30);
        s01 = (s01 + s11) + (s21 + s31);
        if (cols == 2 * w)
        {
            StoreRow(c, s00, s01, Vector512.Create(scale[0]), scale[1]);
        }
        else
        {
            T* tile = stackalloc T[2 * Vector512<T>.Count];
            s00.Store(tile);
            s01.Store(tile + w);
            GemmTileStore.Merge(tile, 1, 2 * (int)w, c, ldc, cols, scale[0], scale[1]);
        }
    }

    // Two rows give four accumulators; splitting k two ways doubles that to hide the FMA latency.
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void ComputeTwoRows(nint k, T* a, nint aStep, T* b, nint bStep, T* c, nint ldc, int cols, T* scale)
    {
        nint w = Vector512<T>.Count;
        Vector512<T> s000 = Vector512<T>.Zero, s001 = Vector512<T>.Zero, s010 = Vector512<T>.Zero, s011 = Vector512<T>.Zero;
        Vector512<T> s100 = Vector512<T>.Zero, s101 = Vector512<T>.Zero, s110 = Vector512<T>.Zero, s111 = Vector512<T>.Zero;
        Prefetch(c, w);
        Prefetch(c + ldc, w);
        for (; k >= 2; k -= 2)
        {
            Vector512<T> x00 = Vector512.Load(b);
            Vector512<T> x01 = Vector512.Load(b + w);
            Vector512<T> a00 = Vector512.Create((a)[0]);
            Vector512<T> a01 = Vector512.Create((a)[1]);
            s000 = MultiplyAdd(a00, x00, s000);
            s001 = MultiplyAdd(a00, x01, s001);
            s010 = MultiplyAdd(a01, x00, s010);
            s011 = MultiplyAdd(a01, x01, s011);
            Vector512<T> x10 = Vector512.Load(b + bStep);
            Vector512<T> x11 = Vector512.Load(b + bStep + w);
            Vector512<T> a10 = Vector512.Create((a + aStep)[0]);
            Vector512<T> a11 = Vector512.Create((a + aStep)[1]);
            s100 = MultiplyAdd(a10, x10, s100);
            s101 = MultiplyAdd(a10, x11, s101);
            s110 = MultiplyAdd(a11, x10, s110);
            s111 = MultiplyAdd(a11, x11, s111);
            a += 2 * aStep;
            b += 2 * bStep;
        }

        if (k > 0)
        {
            Vector512<T> x0 = Vector512.Load(b);
            Vector512<T> x1 = Vector512.Load(b + w);
            Vector512<T> a0 = Vector512.Create(a[0]);
            Vector512<T> a1 = Vector512.Create(a[1]);
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
            Vector512<T> va = Vector512.Create(scale[0]);
            StoreRow(c, s000, s001, va, scale[1]);
            StoreRow(c + ldc, s010, s011, va, scale[1]);
        }
        else
        {
            T* tile = stackalloc T[4 * Vector512<T>.Count];
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
        nint w = Vector512<T>.Count;
        Vector512<T> s0 = Vector512<T>.Zero, s1 = Vector512<T>.Zero, s2 = Vector512<T>.Zero, s3 = Vector512<T>.Zero;
        Vector512<T> s4 = Vector512<T>.Zero, s5 = Vector512<T>.Zero, s6 = Vector512<T>.Zero, s7 = Vector512<T>.Zero;
        for (; k > 0; k--)
        {
            Vector512<T> ai = Vector512.Create(a[0]);
            s0 = MultiplyAdd(ai, Vector512.Load(b), s0);
            s1 = MultiplyAdd(ai, Vector512.Load(b + w), s1);
            s2 = MultiplyAdd(ai, Vector512.Load(b1), s2);
            s3 = MultiplyAdd(ai, Vector512.Load(b1 + w), s3);
            s4 = MultiplyAdd(ai, Vector512.Load(b2), s4);
            s5 = MultiplyAdd(ai, Vector512.Load(b2 + w), s5);
            s6 = MultiplyAdd(ai, Vector512.Load(b3), s6);
            s7 = MultiplyAdd(ai, Vector512.Load(b3 + w), s7);
            a += aStep;
            b += ldb;
            b1 += ldb;
            b2 += ldb;
            b3 += ldb;
        }

        Vector512<T> va = Vector512.Create(scale[0]);
        StoreRow(c, s0, s1, va, scale[1]);
        StoreRow(c + (2 * w), s2, s3, va, scale[1]);
        StoreRow(c + (4 * w), s4, s5, va, scale[1]);
        StoreRow(c + (6 * w), s6, s7, va, scale[1]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(T* c, Vector512<T> x0, Vector512<T> x1, Vector512<T> alpha, T beta)
    {
        x0 *= alpha;
        x1 *= alpha;
        if (beta == T.One)
        {
            x0 += Vector512.Load(c);
            x1 += Vector512.Load(c + Vector512<T>.Count);
        }
        else if (beta != T.Zero)
        {
            Vector512<T> vb = Vector512.Create(beta);
            x0 = MultiplyAdd(vb, Vector512.Load(c), x0);
            x1 = MultiplyAdd(vb, Vector512.Load(c + Vector512<T>.Count), x1);
        }

        x0.Store(c);
        x1.Store(c + Vector512<T>.Count);
    }

    /// <summary>Prefetches the cache lines of one tile row (2 * w elements, possibly straddling three lines).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(T* row, nint w)
    {
        Sse.Prefetch0(row);
        Sse.Prefetch0(row + w);
        Sse.Prefetch0(row + (2 * w) - 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> MultiplyAdd(Vector512<T> x, Vector512<T> y, Vector512<T> z)
    {
        if (typeof(T) == typeof(float))
        {
            return Avx512F.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        }

        return Avx512F.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
    }
}
