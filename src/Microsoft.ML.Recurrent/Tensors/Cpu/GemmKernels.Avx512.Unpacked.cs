using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// The AVX-512 path for few rows (a recurrent step: M = batch, small K): nothing is packed. Each tile is up to 6 rows x
/// 4 vectors (6 x 64 floats, 24 zmm accumulators) that broadcasts A's elements straight from A's rows and reads B's
/// rows in place (or two adjacent pre-packed panels), the way OpenBLAS's SkylakeX small-matrix kernels work.
/// </summary>
/// <remarks>
/// At 32 x 256 x 64 packing A cost as much as a tenth of the call, and the 12-row tiles left a short 8-row tile at
/// M = 32; here 32 rows run as 6 + 6 + 5 + 5 + 5 + 5.
/// </remarks>
internal readonly unsafe partial struct Avx512GemmKernel<T>
{
    /// <summary>Rows up to which the unpacked path runs (more rows amortize packing A over more columns of C).</summary>
    public static int UnpackedMaxRows => 96;

    /// <summary>
    /// Depth up to which the unpacked path runs. Deeper, the blocked path was faster: with B in place its rows 4 KiB
    /// apart (N = 1024) crowd a few L1 sets (32 x 1024 x 256: ~50 vs ~90 GFLOP/s), and with B pre-packed the
    /// re-read rows of A no longer stay in L1 (~104 vs ~120).
    /// </summary>
    public static int UnpackedMaxDepth => 64;

    private const int UnpackedTileRows = 6;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int RunUnpacked(ref GemmOperands<T> op, int i0, int i1, int j0, int j1)
    {
        int block = 2 * Cols;
        int rows = i1 - i0;
        int jEnd = j0 + ((j1 - j0) / block * block);
        if ((op.TransB && op.PackedB == null) || rows > UnpackedMaxRows || op.K > UnpackedMaxDepth || jEnd == j0)
        {
            return j0;
        }

        // k <= UnpackedMaxDepth <= KC: a pre-packed B is one k-block of panels k * Cols apart.
        nint rowStride = op.TransA ? 1 : op.Lda;
        nint aStep = op.TransA ? op.Lda : 1;
        int k = op.K;
        T* scale = stackalloc T[] { op.Alpha, op.Beta };
        int tiles = (rows + UnpackedTileRows - 1) / UnpackedTileRows;

        // Even heights (6 + 6 + 5 + 5 + 5 + 5 for 32 rows): a short last tile would run its few accumulators into the
        // FMA latency. Computed once: two divisions per tile and column block were ~5% of a 32 x 256 x 64 call.
        int* starts = stackalloc int[tiles + 1];
        for (int t = 0; t <= tiles; t++)
        {
            starts[t] = i0 + (rows * t / tiles);
        }

        for (int j = j0; j < jEnd; j += block)
        {
            T* b;
            nint bStep;
            nint half;
            if (op.PackedB != null)
            {
                b = op.PackedB + ((nint)(j / Cols) * k * Cols);
                bStep = Cols;
                half = (nint)k * Cols;
            }
            else
            {
                b = op.B + j;
                bStep = op.Ldb;
                half = Cols;
            }

            // B read in place has rows ldb apart, often a multiple of 1 KiB, so its column block crowds a few L1
            // sets and would come from L2 again for every row tile: unless the block is contiguous already, the
            // first tile also copies it to a buffer the others read (4 stores per 24 FMAs, hidden under them;
            // 32 x 256 x 64 measured ~3% faster).
            T* copy = op.PackedB == null && tiles > 1 && op.Ldb != block ? GemmBuffers<T>.Current.B((nint)k * block) : null;
            for (int t = 0; t < tiles; t++)
            {
                int r0 = starts[t], r1 = starts[t + 1];
                T* a = op.A + (r0 * rowStride);
                T* c = op.C + (r0 * op.Ldc) + j;
                if (copy == null)
                {
                    UnpackedTile<NoBCopy>(r1 - r0, k, a, rowStride, aStep, b, bStep, half, null, c, op.Ldc, scale);
                }
                else if (t == 0)
                {
                    UnpackedTile<BCopy>(r1 - r0, k, a, rowStride, aStep, b, bStep, half, copy, c, op.Ldc, scale);
                }
                else
                {
                    UnpackedTile<NoBCopy>(r1 - r0, k, a, rowStride, aStep, copy, block, Cols, null, c, op.Ldc, scale);
                }
            }
        }

        return jEnd;
    }

    /// <summary>A tile of 1..6 rows (see <see cref="UnpackedTile{R, TCopy}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UnpackedTile<TCopy>(int rows, nint k, T* a, nint rowStride, nint aStep, T* b, nint bStep, nint half, T* copy, T* c, nint ldc, T* scale)
        where TCopy : IBCopy
    {
        switch (rows)
        {
            case 6:
                UnpackedTile<Rows6, TCopy>(k, a, rowStride, aStep, b, bStep, half, copy, c, ldc, scale);
                break;
            case 5:
                UnpackedTile<Rows5, TCopy>(k, a, rowStride, aStep, b, bStep, half, copy, c, ldc, scale);
                break;
            case 4:
                UnpackedTile<Rows4, TCopy>(k, a, rowStride, aStep, b, bStep, half, copy, c, ldc, scale);
                break;
            case 3:
                UnpackedTile<Rows3, TCopy>(k, a, rowStride, aStep, b, bStep, half, copy, c, ldc, scale);
                break;
            case 2:
                UnpackedTile<Rows2, TCopy>(k, a, rowStride, aStep, b, bStep, half, copy, c, ldc, scale);
                break;
            default:
                UnpackedTile<Rows1, TCopy>(k, a, rowStride, aStep, b, bStep, half, copy, c, ldc, scale);
                break;
        }
    }

    /// <summary>
    /// One R x 4-vector tile of C: row i of A at a + i * rowStride with its elements aStep apart; B's k rows bStep
    /// apart, the first two vectors of each at b and the last two at b + half (in place: half = 2 vectors; pre-packed:
    /// two adjacent panels). With <typeparamref name="TCopy"/> = <see cref="BCopy"/> it also writes the k x 4 vectors
    /// of B it reads to <paramref name="copy"/>, contiguously.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void UnpackedTile<R, TCopy>(nint k, T* a, nint rowStride, nint aStep, T* b, nint bStep, nint half, T* copy, T* c, nint ldc, T* scale)
        where R : IRowCount
        where TCopy : IBCopy
    {
        nint w = Vector512<T>.Count;
        Vector512<T> c00 = Vector512<T>.Zero, c01 = Vector512<T>.Zero, c02 = Vector512<T>.Zero, c03 = Vector512<T>.Zero;
        Vector512<T> c10 = Vector512<T>.Zero, c11 = Vector512<T>.Zero, c12 = Vector512<T>.Zero, c13 = Vector512<T>.Zero;
        Vector512<T> c20 = Vector512<T>.Zero, c21 = Vector512<T>.Zero, c22 = Vector512<T>.Zero, c23 = Vector512<T>.Zero;
        Vector512<T> c30 = Vector512<T>.Zero, c31 = Vector512<T>.Zero, c32 = Vector512<T>.Zero, c33 = Vector512<T>.Zero;
        Vector512<T> c40 = Vector512<T>.Zero, c41 = Vector512<T>.Zero, c42 = Vector512<T>.Zero, c43 = Vector512<T>.Zero;
        Vector512<T> c50 = Vector512<T>.Zero, c51 = Vector512<T>.Zero, c52 = Vector512<T>.Zero, c53 = Vector512<T>.Zero;
        T* a1 = a + (1 * rowStride);
        T* a2 = a + (2 * rowStride);
        T* a3 = a + (3 * rowStride);
        T* a4 = a + (4 * rowStride);
        T* a5 = a + (5 * rowStride);
        T* bHigh = b + half;
        nint end = k * aStep;
        for (nint p = 0; p < end; p += aStep)
        {
            Vector512<T> x0 = Vector512.Load(b);
            Vector512<T> x1 = Vector512.Load(b + w);
            Vector512<T> x2 = Vector512.Load(bHigh);
            Vector512<T> x3 = Vector512.Load(bHigh + w);
            if (TCopy.Enabled)
            {
                x0.Store(copy);
                x1.Store(copy + w);
                x2.Store(copy + (2 * w));
                x3.Store(copy + (3 * w));
                copy += 4 * w;
            }

            Vector512<T> ai = Vector512.Create(a[p]);
            c00 = MultiplyAdd(ai, x0, c00);
            c01 = MultiplyAdd(ai, x1, c01);
            c02 = MultiplyAdd(ai, x2, c02);
            c03 = MultiplyAdd(ai, x3, c03);

            if (R.Count > 1)
            {
                ai = Vector512.Create(a1[p]);
                c10 = MultiplyAdd(ai, x0, c10);
                c11 = MultiplyAdd(ai, x1, c11);
                c12 = MultiplyAdd(ai, x2, c12);
                c13 = MultiplyAdd(ai, x3, c13);
            }

            if (R.Count > 2)
            {
                ai = Vector512.Create(a2[p]);
                c20 = MultiplyAdd(ai, x0, c20);
                c21 = MultiplyAdd(ai, x1, c21);
                c22 = MultiplyAdd(ai, x2, c22);
                c23 = MultiplyAdd(ai, x3, c23);
            }

            if (R.Count > 3)
            {
                ai = Vector512.Create(a3[p]);
                c30 = MultiplyAdd(ai, x0, c30);
                c31 = MultiplyAdd(ai, x1, c31);
                c32 = MultiplyAdd(ai, x2, c32);
                c33 = MultiplyAdd(ai, x3, c33);
            }

            if (R.Count > 4)
            {
                ai = Vector512.Create(a4[p]);
                c40 = MultiplyAdd(ai, x0, c40);
                c41 = MultiplyAdd(ai, x1, c41);
                c42 = MultiplyAdd(ai, x2, c42);
                c43 = MultiplyAdd(ai, x3, c43);
            }

            if (R.Count > 5)
            {
                ai = Vector512.Create(a5[p]);
                c50 = MultiplyAdd(ai, x0, c50);
                c51 = MultiplyAdd(ai, x1, c51);
                c52 = MultiplyAdd(ai, x2, c52);
                c53 = MultiplyAdd(ai, x3, c53);
            }
            b += bStep;
            bHigh += bStep;
        }

        // Read alpha and beta once: the stores to C could alias them, so the JIT would reload them for every row.
        T alpha = scale[0];
        T beta = scale[1];
        if (alpha == T.One && beta == T.Zero)
        {
            c00.Store(c);
            c01.Store(c + w);
            c02.Store(c + (2 * w));
            c03.Store(c + (3 * w));

            if (R.Count > 1)
            {
                c10.Store(c + (1 * ldc));
                c11.Store(c + (1 * ldc) + w);
                c12.Store(c + (1 * ldc) + (2 * w));
                c13.Store(c + (1 * ldc) + (3 * w));
            }

            if (R.Count > 2)
            {
                c20.Store(c + (2 * ldc));
                c21.Store(c + (2 * ldc) + w);
                c22.Store(c + (2 * ldc) + (2 * w));
                c23.Store(c + (2 * ldc) + (3 * w));
            }

            if (R.Count > 3)
            {
                c30.Store(c + (3 * ldc));
                c31.Store(c + (3 * ldc) + w);
                c32.Store(c + (3 * ldc) + (2 * w));
                c33.Store(c + (3 * ldc) + (3 * w));
            }

            if (R.Count > 4)
            {
                c40.Store(c + (4 * ldc));
                c41.Store(c + (4 * ldc) + w);
                c42.Store(c + (4 * ldc) + (2 * w));
                c43.Store(c + (4 * ldc) + (3 * w));
            }

            if (R.Count > 5)
            {
                c50.Store(c + (5 * ldc));
                c51.Store(c + (5 * ldc) + w);
                c52.Store(c + (5 * ldc) + (2 * w));
                c53.Store(c + (5 * ldc) + (3 * w));
            }
        }
        else
        {
            Vector512<T> va = Vector512.Create(alpha);
            StoreRow(c, c00, c01, va, beta);
            StoreRow(c + (2 * w), c02, c03, va, beta);

            if (R.Count > 1)
            {
                StoreRow(c + (1 * ldc), c10, c11, va, beta);
                StoreRow(c + (1 * ldc) + (2 * w), c12, c13, va, beta);
            }

            if (R.Count > 2)
            {
                StoreRow(c + (2 * ldc), c20, c21, va, beta);
                StoreRow(c + (2 * ldc) + (2 * w), c22, c23, va, beta);
            }

            if (R.Count > 3)
            {
                StoreRow(c + (3 * ldc), c30, c31, va, beta);
                StoreRow(c + (3 * ldc) + (2 * w), c32, c33, va, beta);
            }

            if (R.Count > 4)
            {
                StoreRow(c + (4 * ldc), c40, c41, va, beta);
                StoreRow(c + (4 * ldc) + (2 * w), c42, c43, va, beta);
            }

            if (R.Count > 5)
            {
                StoreRow(c + (5 * ldc), c50, c51, va, beta);
                StoreRow(c + (5 * ldc) + (2 * w), c52, c53, va, beta);
            }
        }
    }
}

/// <summary>Whether an unpacked tile also copies the block of B it reads (a compile-time flag, like <see cref="IRowCount"/>).</summary>
internal interface IBCopy
{
    static abstract bool Enabled { get; }
}

internal readonly struct BCopy : IBCopy { public static bool Enabled => true; }

internal readonly struct NoBCopy : IBCopy { public static bool Enabled => false; }
