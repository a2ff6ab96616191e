using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>The operands of one GEMM call, passed by reference through the blocking loops.</summary>
internal unsafe struct GemmOperands<T> where T : unmanaged
{
    public bool TransA;
    public bool TransB;
    public int M;
    public int N;
    public int K;
    public T Alpha;
    public T* A;
    public nint Lda;
    public T* B;
    public nint Ldb;
    public T Beta;
    public T* C;
    public nint Ldc;

    /// <summary>Pre-packed op(B) (see <see cref="Gemm.PackedMatrix{T}"/>), or null to read <see cref="B"/>.</summary>
    public T* PackedB;

    /// <summary>Row length of one k-block of <see cref="PackedB"/>: the panel count times NR.</summary>
    public nint PackedBWidth;
}

/// <summary>
/// The cache-blocked GEMM loops (Goto/BLIS order): N in blocks of NC, K in blocks of KC (B block packed once and
/// shared by every row block), M in blocks of MC (A block packed to stay in L2), then NR-wide column panels
/// (kept in L1) times MR-high row panels through the micro-kernel.
/// </summary>
/// <remarks>
/// The loops are marked AggressiveOptimization, like the kernels: tiered compilation would otherwise run the first
/// calls (a whole short time series) through unoptimized loop code.
/// </remarks>
internal static unsafe class GemmDriver<T, TKernel>
    where T : unmanaged, INumber<T>
    where TKernel : IGemmKernel<T>
{
    /// <summary>Depth of a k-block: a KC x NR panel of B (32 KiB at KC = 256 floats x 32) fits L1 beside the A stream.</summary>
    public static int KC => sizeof(T) == 4 ? 256 : 256;

    /// <summary>Height of a row block: an MC x KC block of packed A should sit in the 1 MiB L2.</summary>
    public static int MC => TKernel.Rows * (sizeof(T) == 4 ? 24 : 12);

    /// <summary>Width of a column block: the packed KC x NC block of B is shared through L3.</summary>
    public static int NC => TKernel.Cols * 128;

    /// <summary>
    /// Up to this many rows, a non-transposed B is streamed in place instead of being packed. Each element of B
    /// then feeds only 2 * M flops, so the copy is a large share of the call (measured on 64 x 256 x 64: 77 GFLOP/s
    /// packing B per call vs 100 with B pre-packed), while reading B's rows in place cost about 3% (32 x 256 x 64).
    /// </summary>
    public static int DirectBMaxRows => 96;

    /// <summary>Computes rows [i0, i1) and columns [j0, j1) of C; j0 must be a multiple of NR.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(ref GemmOperands<T> op, int i0, int i1, int j0, int j1)
    {
        j0 = TKernel.RunUnpacked(ref op, i0, i1, j0, j1);
        if (j0 >= j1)
        {
            return;
        }

        int nr = TKernel.Cols;
        int mr = TKernel.Rows;
        int kcMax = Depth(op.K);
        int mcMax = RoundUp(Balanced(i1 - i0, MC), mr);
        bool packB = op.PackedB == null && (op.TransB || i1 - i0 > DirectBMaxRows);

        GemmBuffers<T> buffers = GemmBuffers<T>.Current;
        T* aBuf = buffers.A(((nint)mcMax * kcMax) + 8);
        T* bBuf = packB ? buffers.B((nint)kcMax * Math.Min(NC, RoundUp(j1 - j0, nr))) : null;
        T* edge = op.PackedB == null && !packB ? buffers.Edge((nint)kcMax * nr) : null;
        T* firstScale = stackalloc T[] { op.Alpha, op.Beta };
        T* laterScale = stackalloc T[] { op.Alpha, T.One };

        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < op.K; pc += kcMax)
            {
                int kc = Math.Min(kcMax, op.K - pc);
                T* scale = pc == 0 ? firstScale : laterScale;

                T* bBlock;
                nint bStep;
                nint bPanelStride;
                if (op.PackedB != null)
                {
                    bBlock = op.PackedB + pc * op.PackedBWidth + (nint)(jc / nr) * kc * nr;
                    bStep = nr;
                    bPanelStride = (nint)kc * nr;
                }
                else if (packB)
                {
                    GemmPacking.PackB(op.TransB, op.B, op.Ldb, pc, kc, jc, nc, bBuf, nr);
                    bBlock = bBuf;
                    bStep = nr;
                    bPanelStride = (nint)kc * nr;
                }
                else
                {
                    bBlock = op.B + pc * op.Ldb + jc;
                    bStep = op.Ldb;
                    bPanelStride = nr;
                    if (nc % nr != 0)
                    {
                        // Only the ragged last panel is copied (zero-padded), so kernels never read past B's edge.
                        int last = nc - (nc % nr);
                        GemmPacking.PackB(false, op.B, op.Ldb, pc, kc, jc + last, nc - last, edge, nr);
                    }
                }

                for (int ic = i0; ic < i1; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, i1 - ic);
                    GemmPacking.PackA(op.TransA, op.A, op.Lda, ic, mc, pc, kc, aBuf, mr);
                    T* cBlock = op.C + ic * op.Ldc + jc;
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        T* bPanel;
                        nint step = bStep;
                        if (edge != null && cols < nr)
                        {
                            bPanel = edge;
                            step = nr;
                        }
                        else
                        {
                            bPanel = bBlock + (jr / nr) * bPanelStride;
                        }

                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            TKernel.Tile(
                                Math.Min(mr, mc - ir), kc, aBuf + (nint)ir * kc, mr, bPanel, step,
                                cBlock + ir * op.Ldc + jr, op.Ldc, cols, scale);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The M == 1 case (a GEMV, e.g. a recurrent step at batch 1) for columns [j0, j1), j0 a multiple of NR:
    /// nothing is packed (A is read in place, B in place or pre-packed), since every element of B is used once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunRowVector(ref GemmOperands<T> op, int j0, int j1)
    {
        int nr = TKernel.Cols;
        nint aStep = op.TransA ? op.Lda : 1;
        T* firstScale = stackalloc T[] { op.Alpha, op.Beta };
        T* laterScale = stackalloc T[] { op.Alpha, T.One };
        if (op.PackedB != null)
        {
            int depth = Depth(op.K);
            for (int pc = 0; pc < op.K; pc += depth)
            {
                int kc = Math.Min(depth, op.K - pc);
                T* scale = pc == 0 ? firstScale : laterScale;
                T* block = op.PackedB + pc * op.PackedBWidth;
                nint panelStride = (nint)kc * nr;
                int jr = j0;

                // Four panels per call: one panel per call spent as long on the call, split-k reduction and
                // store as on its k = 64 multiply-adds (1 x 256 x 64 ran at 0.8x of B read in place).
                for (; jr + (4 * nr) <= j1; jr += 4 * nr)
                {
                    TKernel.RowTimesMatrix(kc, op.A + pc * aStep, aStep, block + (jr / nr) * panelStride, nr, panelStride, op.C + jr, scale);
                }

                for (; jr < j1; jr += nr)
                {
                    TKernel.Tile(1, kc, op.A + pc * aStep, aStep, block + (nint)(jr / nr) * kc * nr, nr, op.C + jr, op.Ldc, Math.Min(nr, j1 - jr), scale);
                }
            }

            return;
        }

        int jr0 = j0;
        for (; jr0 + (4 * nr) <= j1; jr0 += 4 * nr)
        {
            TKernel.RowTimesMatrix(op.K, op.A, aStep, op.B + jr0, op.Ldb, nr, op.C + jr0, firstScale);
        }

        int full = jr0 + ((j1 - jr0) / nr * nr);
        for (int jr = jr0; jr < full; jr += nr)
        {
            TKernel.Tile(1, op.K, op.A, aStep, op.B + jr, op.Ldb, op.C + jr, op.Ldc, nr, firstScale);
        }

        if (full < j1)
        {
            // The ragged last panel is copied (zero-padded) so the kernel never reads past B's edge.
            T* edge = GemmBuffers<T>.Current.Edge((nint)op.K * nr);
            GemmPacking.PackB(false, op.B, op.Ldb, 0, op.K, full, j1 - full, edge, nr);
            TKernel.Tile(1, op.K, op.A, aStep, edge, nr, op.C + full, op.Ldc, j1 - full, firstScale);
        }
    }

    /// <summary>Packs all of op(B) (k x n) in the k-block / panel order <see cref="Run"/> reads with <see cref="GemmOperands{T}.PackedB"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackAll(bool transB, T* b, nint ldb, int k, int n, T* dest)
    {
        nint width = RoundUp(n, TKernel.Cols);
        int depth = Depth(k);
        for (int pc = 0; pc < k; pc += depth)
        {
            int kc = Math.Min(depth, k - pc);
            GemmPacking.PackB(transB, b, ldb, pc, kc, 0, n, dest + pc * width, TKernel.Cols);
        }
    }

    /// <summary>The k-block depth for a given k: at most KC, with the blocks evenly sized (300 = 150 + 150, not 256 + 44).</summary>
    public static int Depth(int k) => Math.Max(1, Balanced(k, KC));

    /// <summary>Splits <paramref name="length"/> into the fewest blocks of at most <paramref name="limit"/> and returns the even block size.</summary>
    private static int Balanced(int length, int limit)
    {
        int blocks = Math.Max(1, (length + limit - 1) / limit);
        return (length + blocks - 1) / blocks;
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
