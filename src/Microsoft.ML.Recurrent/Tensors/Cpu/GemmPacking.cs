using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// Copies blocks of A and B into the layouts the micro-kernels stream through: A as panels of MR rows stored
/// k-major (row i of step p at p * MR + i), B as panels of NR columns stored k-major (column j of step p at
/// p * NR + j). Contiguous panels are what let a kernel run from L1/L2 with hardware prefetching, whatever
/// the strides and transposes of the caller's matrices.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs rows [i0, i0 + rows) and steps [p0, p0 + kc) of op(A) into panels of <paramref name="mr"/> rows.</summary>
    public static void PackA<T>(bool transA, T* a, nint lda, int i0, int rows, int p0, int kc, T* dest, int mr)
        where T : unmanaged
    {
        for (int ip = 0; ip < rows; ip += mr)
        {
            int panelRows = Math.Min(mr, rows - ip);
            T* d = dest + (nint)ip * kc;
            if (transA)
            {
                // op(A)(i, p) = a[p * lda + i]: each step is a contiguous run of the panel's rows.
                T* src = a + (nint)p0 * lda + i0 + ip;
                nint bytes = (nint)panelRows * sizeof(T);
                for (int p = 0; p < kc; p++)
                {
                    Unsafe.CopyBlockUnaligned(d + (nint)p * mr, src + p * lda, (uint)bytes);
                }
            }
            else
            {
                // op(A)(i, p) = a[i * lda + p]: read each row contiguously, scatter into the panel.
                for (int i = 0; i < panelRows; i++)
                {
                    T* src = a + (nint)(i0 + ip + i) * lda + p0;
                    T* di = d + i;
                    for (int p = 0; p < kc; p++)
                    {
                        di[(nint)p * mr] = src[p];
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs steps [p0, p0 + kc) and columns [j0, j0 + cols) of op(B) into panels of <paramref name="nr"/> columns;
    /// the last panel is zero-padded to the full width so kernels never read undefined values.
    /// </summary>
    public static void PackB<T>(bool transB, T* b, nint ldb, int p0, int kc, int j0, int cols, T* dest, int nr)
        where T : unmanaged
    {
        for (int jp = 0; jp < cols; jp += nr)
        {
            int panelCols = Math.Min(nr, cols - jp);
            T* d = dest + (nint)jp * kc;
            if (!transB)
            {
                // op(B)(p, j) = b[p * ldb + j]: each step is a contiguous run of the panel's columns.
                T* src = b + (nint)p0 * ldb + j0 + jp;
                if (panelCols == nr)
                {
                    uint bytes = (uint)(nr * sizeof(T));
                    for (int p = 0; p < kc; p++)
                    {
                        Unsafe.CopyBlockUnaligned(d + (nint)p * nr, src + p * ldb, bytes);
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        T* dp = d + (nint)p * nr;
                        T* sp = src + p * ldb;
                        int j = 0;
                        for (; j < panelCols; j++)
                        {
                            dp[j] = sp[j];
                        }

                        for (; j < nr; j++)
                        {
                            dp[j] = default;
                        }
                    }
                }
            }
            else
            {
                // op(B)(p, j) = b[j * ldb + p]: read each stored row contiguously, scatter into the panel.
                for (int j = 0; j < nr; j++)
                {
                    T* dj = d + j;
                    if (j < panelCols)
                    {
                        T* src = b + (nint)(j0 + jp + j) * ldb + p0;
                        for (int p = 0; p < kc; p++)
                        {
                            dj[(nint)p * nr] = src[p];
                        }
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++)
                        {
                            dj[(nint)p * nr] = default;
                        }
                    }
                }
            }
        }
    }
}

/// <summary>
/// Per-thread packing buffers, grown on demand and kept for the thread's lifetime so steady-state GEMM calls
/// allocate nothing. Pinned arrays (not native memory) so a retired thread's buffers are simply collected.
/// </summary>
internal static unsafe class GemmBuffers<T> where T : unmanaged
{
    private const int Alignment = 64;

    [ThreadStatic]
    private static T[]? t_a;

    [ThreadStatic]
    private static T[]? t_b;

    [ThreadStatic]
    private static T[]? t_edge;

    public static T* A(nint length) => Rent(ref t_a, length);

    public static T* B(nint length) => Rent(ref t_b, length);

    public static T* Edge(nint length) => Rent(ref t_edge, length);

    private static T* Rent(ref T[]? array, nint length)
    {
        nint padded = length + (Alignment / sizeof(T));
        if (array is null || array.Length < padded)
        {
            array = GC.AllocateUninitializedArray<T>(checked((int)padded), pinned: true);
        }

        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return (T*)((address + (Alignment - 1)) & ~(nint)(Alignment - 1));
    }
}
