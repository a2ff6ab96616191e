using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
                for (int p = 0; p < kc; p++)
                {
                    Copy(d + (nint)p * mr, src + p * lda, panelRows);
                }
            }
            else if (typeof(T) == typeof(float) && Avx.IsSupported && mr >= 4)
            {
                PackRowsTransposed((float*)a + (nint)(i0 + ip) * lda + p0, lda, panelRows, kc, (float*)d, mr);
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
    /// Packs a panel of untransposed float A (rows x kc at src, stride lda) into dest[p * mr + i] by 8 x 8 register
    /// transposes: a scalar scatter is bound by one store per element, which made packing A cost a fifth of a small
    /// GEMM. Each transposed column is stored as 8 floats, so a block that ends past row mr spills into the next
    /// step's first rows; blocks are stored highest first so the lower blocks overwrite the spill, and the
    /// scalar tail and the next panel are written later still. The buffer needs 8 elements of slack at its end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRowsTransposed(float* src, nint lda, int rows, int kc, float* dest, int mr)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            int top = (mr - 1) / 8 * 8;
            for (int r0 = top; r0 >= 0; r0 -= 8)
            {
                // Rows past the panel repeat its last row: always readable, and never read back from the panel.
                float* row0 = src + (nint)Math.Min(r0, rows - 1) * lda + p;
                float* row1 = src + (nint)Math.Min(r0 + 1, rows - 1) * lda + p;
                float* row2 = src + (nint)Math.Min(r0 + 2, rows - 1) * lda + p;
                float* row3 = src + (nint)Math.Min(r0 + 3, rows - 1) * lda + p;
                float* row4 = src + (nint)Math.Min(r0 + 4, rows - 1) * lda + p;
                float* row5 = src + (nint)Math.Min(r0 + 5, rows - 1) * lda + p;
                float* row6 = src + (nint)Math.Min(r0 + 6, rows - 1) * lda + p;
                float* row7 = src + (nint)Math.Min(r0 + 7, rows - 1) * lda + p;
                Vector256<float> t0 = Avx.UnpackLow(Avx.LoadVector256(row0), Avx.LoadVector256(row1));
                Vector256<float> t1 = Avx.UnpackHigh(Avx.LoadVector256(row0), Avx.LoadVector256(row1));
                Vector256<float> t2 = Avx.UnpackLow(Avx.LoadVector256(row2), Avx.LoadVector256(row3));
                Vector256<float> t3 = Avx.UnpackHigh(Avx.LoadVector256(row2), Avx.LoadVector256(row3));
                Vector256<float> t4 = Avx.UnpackLow(Avx.LoadVector256(row4), Avx.LoadVector256(row5));
                Vector256<float> t5 = Avx.UnpackHigh(Avx.LoadVector256(row4), Avx.LoadVector256(row5));
                Vector256<float> t6 = Avx.UnpackLow(Avx.LoadVector256(row6), Avx.LoadVector256(row7));
                Vector256<float> t7 = Avx.UnpackHigh(Avx.LoadVector256(row6), Avx.LoadVector256(row7));
                Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44);
                Vector256<float> u1 = Avx.Shuffle(t0, t2, 0xEE);
                Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44);
                Vector256<float> u3 = Avx.Shuffle(t1, t3, 0xEE);
                Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44);
                Vector256<float> u5 = Avx.Shuffle(t4, t6, 0xEE);
                Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44);
                Vector256<float> u7 = Avx.Shuffle(t5, t7, 0xEE);
                float* d = dest + (nint)p * mr + r0;
                Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
                Avx.Store(d + mr, Avx.Permute2x128(u1, u5, 0x20));
                Avx.Store(d + (2 * mr), Avx.Permute2x128(u2, u6, 0x20));
                Avx.Store(d + (3 * mr), Avx.Permute2x128(u3, u7, 0x20));
                Avx.Store(d + (4 * mr), Avx.Permute2x128(u0, u4, 0x31));
                Avx.Store(d + (5 * mr), Avx.Permute2x128(u1, u5, 0x31));
                Avx.Store(d + (6 * mr), Avx.Permute2x128(u2, u6, 0x31));
                Avx.Store(d + (7 * mr), Avx.Permute2x128(u3, u7, 0x31));
            }
        }

        for (int i = 0; i < rows; i++)
        {
            float* row = src + (nint)i * lda;
            for (int q = p; q < kc; q++)
            {
                dest[(nint)q * mr + i] = row[q];
            }
        }
    }

    /// <summary>
    /// Packs steps [p0, p0 + kc) and columns [j0, j0 + cols) of op(B) into panels of <paramref name="nr"/> columns;
    /// the last panel is zero-padded to the full width so kernels never read undefined values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
                    for (int p = 0; p < kc; p++)
                    {
                        Copy(d + (nint)p * nr, src + p * ldb, nr);
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

    /// <summary>
    /// Copies a short run: panel rows are 4 to 32 elements, too short for a memmove call to pay off.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy<T>(T* dest, T* src, int count)
        where T : unmanaged
    {
        byte* d = (byte*)dest;
        byte* s = (byte*)src;
        nint bytes = (nint)count * sizeof(T);
        nint offset = 0;
        for (; offset + 32 <= bytes; offset += 32)
        {
            Vector256.Store(Vector256.Load(s + offset), d + offset);
        }

        for (; offset < bytes; offset += sizeof(T))
        {
            *(T*)(d + offset) = *(T*)(s + offset);
        }
    }
}

/// <summary>
/// Per-thread packing buffers, grown on demand and kept for the thread's lifetime so steady-state GEMM calls
/// allocate nothing. Pinned arrays (not native memory) so a retired thread's buffers are simply collected.
/// </summary>
internal sealed unsafe class GemmBuffers<T> where T : unmanaged
{
    private const int Alignment = 64;

    [ThreadStatic]
    private static GemmBuffers<T>? t_current;

    private T[]? _a;
    private T[]? _b;
    private T[]? _edge;

    /// <summary>The calling thread's buffers (one thread-static lookup per GEMM call, not per buffer).</summary>
    public static GemmBuffers<T> Current => t_current ??= new GemmBuffers<T>();

    public T* A(nint length) => Rent(ref _a, length);

    public T* B(nint length) => Rent(ref _b, length);

    public T* Edge(nint length) => Rent(ref _edge, length);

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
