using System.Numerics;

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
    /// Up to this many rows, a non-transposed B is streamed in place instead of being packed: with few rows
    /// the copy would cost as much as the product itself (recurrent steps, GEMV).
    /// </summary>
    public static int DirectBMaxRows => 4 * TKernel.Rows;

    /// <summary>Computes rows [i0, i1) and columns [j0, j1) of C; j0 must be a multiple of NR.</summary>
    public static void Run(ref GemmOperands<T> op, int i0, int i1, int j0, int j1)
    {
        int nr = TKernel.Cols;
        int mr = TKernel.Rows;
        int kcMax = Math.Min(KC, op.K);
        int mcMax = Math.Min(MC, RoundUp(i1 - i0, mr));
        bool packB = op.PackedB == null && (op.TransB || i1 - i0 > DirectBMaxRows);

        T* aBuf = GemmBuffers<T>.A((nint)mcMax * kcMax);
        T* bBuf = packB ? GemmBuffers<T>.B((nint)kcMax * Math.Min(NC, RoundUp(j1 - j0, nr))) : null;
        T* edge = op.PackedB == null && !packB ? GemmBuffers<T>.Edge((nint)kcMax * nr) : null;
        T* firstScale = stackalloc T[] { op.Alpha, op.Beta };
        T* laterScale = stackalloc T[] { op.Alpha, T.One };

        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < op.K; pc += KC)
            {
                int kc = Math.Min(KC, op.K - pc);
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

                for (int ic = i0; ic < i1; ic += MC)
                {
                    int mc = Math.Min(MC, i1 - ic);
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

    /// <summary>Packs all of op(B) (k x n) in the k-block / panel order <see cref="Run"/> reads with <see cref="GemmOperands{T}.PackedB"/>.</summary>
    public static void PackAll(bool transB, T* b, nint ldb, int k, int n, T* dest)
    {
        nint width = RoundUp(n, TKernel.Cols);
        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            GemmPacking.PackB(transB, b, ldb, pc, kc, 0, n, dest + pc * width, TKernel.Cols);
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
