using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>A compile-time row count: the JIT folds <see cref="Count"/> so one kernel body serves every tile height.</summary>
internal interface IRowCount
{
    static abstract int Count { get; }
}

internal readonly struct Rows1 : IRowCount { public static int Count => 1; }
internal readonly struct Rows2 : IRowCount { public static int Count => 2; }
internal readonly struct Rows3 : IRowCount { public static int Count => 3; }
internal readonly struct Rows4 : IRowCount { public static int Count => 4; }
internal readonly struct Rows5 : IRowCount { public static int Count => 5; }
internal readonly struct Rows6 : IRowCount { public static int Count => 6; }
internal readonly struct Rows8 : IRowCount { public static int Count => 8; }
internal readonly struct Rows12 : IRowCount { public static int Count => 12; }

/// <summary>
/// A register-blocked micro-kernel: computes a (rows x <see cref="Cols"/>) tile of
/// C = alpha * A * B + beta * C over k, with A read from a packed panel (row i of step p at a[p * aStep + i])
/// and B read as k rows of <see cref="Cols"/> contiguous elements spaced bStep apart (a packed panel or B itself).
/// </summary>
internal unsafe interface IGemmKernel<T> where T : unmanaged, INumber<T>
{
    /// <summary>Rows of the main tile (MR); A is packed in panels of this height.</summary>
    static abstract int Rows { get; }

    /// <summary>Columns of every tile (NR); B is packed in panels of this width.</summary>
    static abstract int Cols { get; }

    /// <summary>
    /// Computes one tile of <paramref name="rows"/> (1..Rows) rows; only the first <paramref name="cols"/>
    /// (1..Cols) columns are written to C, but B must hold Cols readable columns.
    /// <paramref name="scale"/> points at { alpha, beta }: passed in memory, not as arguments, so the two scalars
    /// do not pin two vector registers for the whole k loop (as arguments they made the JIT spill an accumulator).
    /// </summary>
    static abstract void Tile(int rows, nint k, T* a, nint aStep, T* b, nint bStep, T* c, nint ldc, int cols, T* scale);

    /// <summary>
    /// One row of C, 4 * <see cref="Cols"/> columns wide: c = alpha * a * B + beta * c with a (1 x k, elements
    /// aStep apart) and B as 4 panels of <see cref="Cols"/> columns, <paramref name="panelStride"/> apart, each
    /// k rows ldb apart (B in place: panelStride = Cols; pre-packed: ldb = Cols, panelStride = k * Cols).
    /// </summary>
    static abstract void RowTimesMatrix(nint k, T* a, nint aStep, T* b, nint ldb, nint panelStride, T* c, T* scale);

    /// <summary>
    /// Computes rows [i0, i1) of C over a leading run of columns [j0, returned) by a path that packs nothing (A
    /// read in place, B in place or pre-packed), where this kernel family has one and the shape suits it;
    /// <see cref="GemmDriver{T, TKernel}.Run"/> does the columns left over. Returns j0 (did nothing) by default.
    /// </summary>
    static virtual int RunUnpacked(ref GemmOperands<T> op, int i0, int i1, int j0, int j1) => j0;
}

/// <summary>Scalar tail of a tile store: used where a tile is narrower than the kernel (the right edge of C).</summary>
internal static unsafe class GemmTileStore
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Merge<T>(T* tile, int rows, int tileStride, T* c, nint ldc, int cols, T alpha, T beta)
        where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < rows; i++)
        {
            T* src = tile + (nint)i * tileStride;
            T* dst = c + i * ldc;
            if (beta == T.Zero)
            {
                for (int j = 0; j < cols; j++)
                {
                    dst[j] = alpha * src[j];
                }
            }
            else
            {
                for (int j = 0; j < cols; j++)
                {
                    dst[j] = alpha * src[j] + beta * dst[j];
                }
            }
        }
    }
}
