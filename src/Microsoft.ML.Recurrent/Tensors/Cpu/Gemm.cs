using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>Which micro-kernel family runs a GEMM; <see cref="Auto"/> picks the widest the CPU supports.</summary>
internal enum GemmPath
{
    /// <summary>AVX-512 when supported, else AVX2 + FMA, else portable.</summary>
    Auto,

    /// <summary>AVX-512F kernels (Vector512).</summary>
    Avx512,

    /// <summary>AVX2 + FMA kernels (Vector256).</summary>
    Avx2,

    /// <summary>Vector&lt;T&gt; kernels that run on any platform.</summary>
    Portable,
}

/// <summary>
/// Dense matrix multiply on the CPU: C = alpha * op(A) * op(B) + beta * C with row-major storage, op(X) = X or
/// X^T, op(A) m x k, op(B) k x n, and lda/ldb/ldc the row strides (in elements) of the stored matrices.
/// </summary>
/// <remarks>
/// BLAS semantics: beta == 0 overwrites C without reading it (NaNs in C are ignored); k == 0 or alpha == 0 gives
/// C = beta * C without reading A or B. Results match a naive product up to rounding; the summation order
/// differs between kernel paths, thread counts and blockings.
/// <para>
/// Recurrent layers multiply by the same weight matrix at every time step: pack it once with
/// <see cref="PackB(bool, int, int, float*, int, GemmPath)"/> and call <see cref="SgemmPacked(bool, int, float, float*, int, PackedMatrix{float}, float, float*, int)"/>
/// per step, which skips the per-call copy of B entirely.
/// </para>
/// </remarks>
internal static unsafe class Gemm
{
    private static int s_maxThreads = Environment.ProcessorCount;

    /// <summary>
    /// Products below this many floating-point operations run on the calling thread: waking a pool thread costs
    /// a few microseconds, which is more than a small recurrent-step GEMM takes.
    /// </summary>
    internal const double ParallelFlopThreshold = 3e6;

    /// <summary>
    /// The same for M == 1, which is memory-bound: a second core only pays once B (2 * flops bytes) is well past one
    /// core's 1 MiB L2; at 1 x 1024 x 256 (B = 1 MiB) two threads measured 0.4-0.7x of single-threaded OpenBLAS.
    /// </summary>
    internal const double RowVectorParallelFlopThreshold = 2e6;

    /// <summary>Upper bound on threads used by one call (default: <see cref="Environment.ProcessorCount"/>); benchmarks set it to compare 1 vs 2 threads.</summary>
    internal static int MaxThreads
    {
        get => s_maxThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxThreads));
            s_maxThreads = value;
        }
    }

    /// <summary>The path <see cref="GemmPath.Auto"/> resolves to on this CPU.</summary>
    internal static GemmPath BestPath =>
        Avx512GemmKernel<float>.IsSupported ? GemmPath.Avx512 :
        Avx2GemmKernel<float>.IsSupported ? GemmPath.Avx2 : GemmPath.Portable;

    /// <summary>Whether <paramref name="path"/> can run on this CPU.</summary>
    internal static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Auto or GemmPath.Portable => true,
        GemmPath.Avx512 => Avx512GemmKernel<float>.IsSupported,
        GemmPath.Avx2 => Avx2GemmKernel<float>.IsSupported,
        _ => false,
    };

    /// <summary>C = alpha * op(A) * op(B) + beta * C in single precision.</summary>
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
        => Sgemm(GemmPath.Auto, s_maxThreads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>C = alpha * op(A) * op(B) + beta * C in double precision.</summary>
    internal static void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb, double beta, double* c, int ldc)
        => Dgemm(GemmPath.Auto, s_maxThreads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary><see cref="Sgemm(bool, bool, int, int, int, float, float*, int, float*, int, float, float*, int)"/> on a chosen kernel path and thread budget (tests, benchmarks).</summary>
    internal static void Sgemm(GemmPath path, int maxThreads, bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        var op = Operands(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        Run(path, maxThreads, ref op);
    }

    /// <summary><see cref="Dgemm(bool, bool, int, int, int, double, double*, int, double*, int, double, double*, int)"/> on a chosen kernel path and thread budget (tests, benchmarks).</summary>
    internal static void Dgemm(GemmPath path, int maxThreads, bool transA, bool transB, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb, double beta, double* c, int ldc)
    {
        var op = Operands(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        Run(path, maxThreads, ref op);
    }

    /// <summary>Span form of <see cref="Sgemm(bool, bool, int, int, int, float, float*, int, float*, int, float, float*, int)"/>: checks that every operand is long enough for its shape and stride.</summary>
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => Sgemm(GemmPath.Auto, s_maxThreads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>Span form of <see cref="Dgemm(bool, bool, int, int, int, double, double*, int, double*, int, double, double*, int)"/>: checks that every operand is long enough for its shape and stride.</summary>
    internal static void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
        => Dgemm(GemmPath.Auto, s_maxThreads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>Span form on a chosen path and thread budget.</summary>
    internal static void Sgemm(GemmPath path, int maxThreads, bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        CheckSpans(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Sgemm(path, maxThreads, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    /// <summary>Span form on a chosen path and thread budget.</summary>
    internal static void Dgemm(GemmPath path, int maxThreads, bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        CheckSpans(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        fixed (double* pa = a)
        fixed (double* pb = b)
        fixed (double* pc = c)
        {
            Dgemm(path, maxThreads, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    /// <summary>
    /// Packs op(B) (k x n) once into the panel layout of the <paramref name="path"/> kernels, for any number of
    /// later <see cref="SgemmPacked(bool, int, float, float*, int, PackedMatrix{float}, float, float*, int)"/> calls.
    /// </summary>
    /// <remarks>
    /// Use it for a matrix that multiplies many left operands, such as a recurrent kernel at every time step:
    /// each packed call then reads B as contiguous, prefetch-friendly panels and copies nothing (a small B is also
    /// kept row-major for one-row products, see <see cref="PackedMatrix{T}.RowMajorMaxBytes"/>). The packed
    /// matrix is a snapshot: repack after the weights change.
    /// </remarks>
    internal static PackedMatrix<float> PackB(bool transB, int k, int n, float* b, int ldb, GemmPath path = GemmPath.Auto)
        => PackedMatrix<float>.Create(transB, k, n, b, ldb, path);

    /// <summary>Double-precision <see cref="PackB(bool, int, int, float*, int, GemmPath)"/>.</summary>
    internal static PackedMatrix<double> PackB(bool transB, int k, int n, double* b, int ldb, GemmPath path = GemmPath.Auto)
        => PackedMatrix<double>.Create(transB, k, n, b, ldb, path);

    /// <summary>Span form of <see cref="PackB(bool, int, int, float*, int, GemmPath)"/>.</summary>
    internal static PackedMatrix<float> PackB(bool transB, int k, int n, ReadOnlySpan<float> b, int ldb, GemmPath path = GemmPath.Auto)
    {
        CheckMatrix(nameof(b), "op(B)", transB, k, n, b.Length, ldb, nameof(ldb));
        fixed (float* pb = b)
        {
            return PackB(transB, k, n, pb, ldb, path);
        }
    }

    /// <summary>Span form of <see cref="PackB(bool, int, int, double*, int, GemmPath)"/>.</summary>
    internal static PackedMatrix<double> PackB(bool transB, int k, int n, ReadOnlySpan<double> b, int ldb, GemmPath path = GemmPath.Auto)
    {
        CheckMatrix(nameof(b), "op(B)", transB, k, n, b.Length, ldb, nameof(ldb));
        fixed (double* pb = b)
        {
            return PackB(transB, k, n, pb, ldb, path);
        }
    }

    /// <summary>C = alpha * op(A) * B + beta * C with B pre-packed by <see cref="PackB(bool, int, int, float*, int, GemmPath)"/> (m x k times k x n).</summary>
    internal static void SgemmPacked(bool transA, int m, float alpha, float* a, int lda, PackedMatrix<float> b, float beta, float* c, int ldc)
        => RunPacked(s_maxThreads, transA, m, alpha, a, lda, b, beta, c, ldc);

    /// <summary>Double-precision <see cref="SgemmPacked(bool, int, float, float*, int, PackedMatrix{float}, float, float*, int)"/>.</summary>
    internal static void DgemmPacked(bool transA, int m, double alpha, double* a, int lda, PackedMatrix<double> b, double beta, double* c, int ldc)
        => RunPacked(s_maxThreads, transA, m, alpha, a, lda, b, beta, c, ldc);

    /// <summary>Span form of <see cref="SgemmPacked(bool, int, float, float*, int, PackedMatrix{float}, float, float*, int)"/>.</summary>
    internal static void SgemmPacked(bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda, PackedMatrix<float> b, float beta, Span<float> c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(b);
        CheckMatrix(nameof(a), "op(A)", transA, m, b.K, a.Length, lda, nameof(lda));
        CheckMatrix(nameof(c), "C", false, m, b.N, c.Length, ldc, nameof(ldc));
        fixed (float* pa = a)
        fixed (float* pc = c)
        {
            SgemmPacked(transA, m, alpha, pa, lda, b, beta, pc, ldc);
        }
    }

    /// <summary>Span form of <see cref="DgemmPacked(bool, int, double, double*, int, PackedMatrix{double}, double, double*, int)"/>.</summary>
    internal static void DgemmPacked(bool transA, int m, double alpha, ReadOnlySpan<double> a, int lda, PackedMatrix<double> b, double beta, Span<double> c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(b);
        CheckMatrix(nameof(a), "op(A)", transA, m, b.K, a.Length, lda, nameof(lda));
        CheckMatrix(nameof(c), "C", false, m, b.N, c.Length, ldc, nameof(ldc));
        fixed (double* pa = a)
        fixed (double* pc = c)
        {
            DgemmPacked(transA, m, alpha, pa, lda, b, beta, pc, ldc);
        }
    }

    /// <summary>Packed GEMM with an explicit thread budget (tests, benchmarks).</summary>
    internal static void RunPacked<T>(int maxThreads, bool transA, int m, T alpha, T* a, int lda, PackedMatrix<T> b, T beta, T* c, int ldc)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(b);
        var op = Operands(transA, false, m, b.N, b.K, alpha, a, lda, null, Math.Max(1, b.N), beta, c, ldc);
        if (m == 1 && b.RowMajor != null)
        {
            op.B = b.RowMajor;
        }
        else
        {
            op.PackedB = b.Data;
            op.PackedBWidth = b.PanelWidth;
        }

        Run(b.Path, maxThreads, ref op);
        GC.KeepAlive(b);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static GemmOperands<T> Operands<T>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc)
        where T : unmanaged
    {
        CheckDimensions(transA, transB, m, n, k, lda, ldb, ldc);
        return new GemmOperands<T>
        {
            TransA = transA,
            TransB = transB,
            M = m,
            N = n,
            K = k,
            Alpha = alpha,
            A = a,
            Lda = lda,
            B = b,
            Ldb = ldb,
            Beta = beta,
            C = c,
            Ldc = ldc,
        };
    }

    private static void Run<T>(GemmPath path, int maxThreads, ref GemmOperands<T> op)
        where T : unmanaged, INumber<T>
    {
        if (op.M == 0 || op.N == 0)
        {
            return;
        }

        if (op.K == 0 || op.Alpha == T.Zero)
        {
            ScaleC(ref op);
            return;
        }

        switch (path == GemmPath.Auto ? BestPath : path)
        {
            case GemmPath.Avx512 when Avx512GemmKernel<T>.IsSupported:
                RunOn<T, Avx512GemmKernel<T>>(maxThreads, ref op);
                break;
            case GemmPath.Avx2 when Avx2GemmKernel<T>.IsSupported:
                RunOn<T, Avx2GemmKernel<T>>(maxThreads, ref op);
                break;
            case GemmPath.Portable:
                RunOn<T, PortableGemmKernel<T>>(maxThreads, ref op);
                break;
            default:
                throw new PlatformNotSupportedException($"The GEMM path {path} is not supported on this CPU.");
        }
    }

    /// <summary>
    /// Splits C into one contiguous strip per thread (columns when C is at least as wide as tall, else rows) so
    /// each thread runs the whole blocked algorithm on its strip with its own buffers and no synchronization.
    /// </summary>
    private static void RunOn<T, TKernel>(int maxThreads, ref GemmOperands<T> op)
        where T : unmanaged, INumber<T>
        where TKernel : IGemmKernel<T>
    {
        int threads = Math.Min(maxThreads, Environment.ProcessorCount);
        double flops = 2.0 * op.M * op.N * op.K;
        if (op.M == 1 && (op.PackedB != null || !op.TransB))
        {
            RunRowVector<T, TKernel>(threads, ref op, flops);
            return;
        }

        if (threads <= 1 || flops < ParallelFlopThreshold)
        {
            GemmDriver<T, TKernel>.Run(ref op, 0, op.M, 0, op.N);
            return;
        }

        int nPanels = (op.N + TKernel.Cols - 1) / TKernel.Cols;
        int mPanels = (op.M + TKernel.Rows - 1) / TKernel.Rows;
        bool splitColumns = op.N >= op.M ? nPanels >= threads : mPanels < threads;
        int units = splitColumns ? nPanels : mPanels;
        threads = Math.Min(threads, units);
        if (threads <= 1)
        {
            GemmDriver<T, TKernel>.Run(ref op, 0, op.M, 0, op.N);
            return;
        }

        StripJob<T, TKernel>.Run(op, splitColumns, units, threads, rowVector: false);
    }

    /// <summary>
    /// M == 1: split columns once B is big enough that streaming it from two cores' caches beats the cost of waking
    /// a second thread (in a time loop each core then keeps its half of the recurrent kernel in its own L2).
    /// </summary>
    private static void RunRowVector<T, TKernel>(int threads, ref GemmOperands<T> op, double flops)
        where T : unmanaged, INumber<T>
        where TKernel : IGemmKernel<T>
    {
        int panels = (op.N + TKernel.Cols - 1) / TKernel.Cols;
        threads = Math.Min(threads, panels);
        if (threads <= 1 || flops < RowVectorParallelFlopThreshold)
        {
            GemmDriver<T, TKernel>.RunRowVector(ref op, 0, op.N);
            return;
        }

        StripJob<T, TKernel>.Run(op, splitColumns: true, panels, threads, rowVector: true);
    }

    /// <summary>
    /// One call's work split into strips, run by <see cref="ParallelParts"/>; one instance per calling thread is
    /// reused, so a threaded product allocates nothing.
    /// </summary>
    private sealed class StripJob<T, TKernel> : IPartedWork
        where T : unmanaged, INumber<T>
        where TKernel : IGemmKernel<T>
    {
        [ThreadStatic]
        private static StripJob<T, TKernel>? t_job;

        private GemmOperands<T> _op;
        private bool _splitColumns;
        private bool _rowVector;
        private int _units;
        private int _parts;

        public static void Run(GemmOperands<T> op, bool splitColumns, int units, int parts, bool rowVector)
        {
            var job = t_job ??= new StripJob<T, TKernel>();
            job._op = op;
            job._splitColumns = splitColumns;
            job._units = units;
            job._parts = parts;
            job._rowVector = rowVector;
            ParallelParts.Run(job, parts, parts);
        }

        public void Run(int part)
        {
            int units = _units, parts = _parts;
            int first = (int)((long)units * part / parts);
            int last = (int)((long)units * (part + 1) / parts);
            if (_splitColumns)
            {
                int j0 = first * TKernel.Cols;
                int j1 = Math.Min(_op.N, last * TKernel.Cols);
                if (_rowVector)
                {
                    GemmDriver<T, TKernel>.RunRowVector(ref _op, j0, j1);
                }
                else
                {
                    GemmDriver<T, TKernel>.Run(ref _op, 0, _op.M, j0, j1);
                }
            }
            else
            {
                int i0 = first * TKernel.Rows;
                int i1 = Math.Min(_op.M, last * TKernel.Rows);
                GemmDriver<T, TKernel>.Run(ref _op, i0, i1, 0, _op.N);
            }
        }
    }

    private static void ScaleC<T>(ref GemmOperands<T> op)
        where T : unmanaged, INumber<T>
    {
        if (op.Beta == T.One)
        {
            return;
        }

        for (int i = 0; i < op.M; i++)
        {
            var row = new Span<T>(op.C + i * op.Ldc, op.N);
            if (op.Beta == T.Zero)
            {
                row.Clear();
            }
            else
            {
                for (int j = 0; j < row.Length; j++)
                {
                    row[j] *= op.Beta;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckDimensions(bool transA, bool transB, int m, int n, int k, int lda, int ldb, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckStride(nameof(lda), lda, transA ? m : k, transA ? "m (op(A) is transposed)" : "k");
        CheckStride(nameof(ldb), ldb, transB ? k : n, transB ? "k (op(B) is transposed)" : "n");
        CheckStride(nameof(ldc), ldc, n, "n");
    }

    // Inlined into every call: a recurrent step makes one small product per time step, where an out-of-line check
    // with its message formatting cost ~3% of a 1 x 256 x 64 product (perf, 2026-11-21).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckStride(string name, int stride, int width, string widthName)
    {
        // Only the stored row width matters (an empty operand is never read), unlike reference BLAS's max(1, width).
        if (stride < width || stride < 0)
        {
            ThrowStride(name, stride, width, widthName);
        }
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowStride(string name, int stride, int width, string widthName) =>
        throw new ArgumentOutOfRangeException(
            name, stride, $"The row stride {name} = {stride} must be at least {widthName} = {width}, the width of a stored row.");

    private static void CheckSpans(bool transA, bool transB, int m, int n, int k, int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        CheckDimensions(transA, transB, m, n, k, lda, ldb, ldc);
        CheckMatrix("a", "op(A)", transA, m, k, aLength, lda, nameof(lda));
        CheckMatrix("b", "op(B)", transB, k, n, bLength, ldb, nameof(ldb));
        CheckMatrix("c", "C", false, m, n, cLength, ldc, nameof(ldc));
    }

    /// <summary>Checks that a buffer holds a rows x cols matrix (stored transposed when <paramref name="transposed"/>) at the given stride.</summary>
    private static void CheckMatrix(string name, string role, bool transposed, int rows, int cols, int length, int stride, string strideName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        int storedRows = transposed ? cols : rows;
        int storedCols = transposed ? rows : cols;
        CheckStride(strideName, stride, storedCols, transposed ? "its stored row width" : "its row width");
        long required = storedRows == 0 || storedCols == 0 ? 0 : ((long)(storedRows - 1) * stride) + storedCols;
        if (length < required)
        {
            throw new ArgumentException(
                $"{name} has {length} elements but {role} ({rows} x {cols}{(transposed ? ", stored transposed" : string.Empty)}) with {strideName} = {stride} needs at least {required}.",
                name);
        }
    }

    /// <summary>
    /// op(B) packed once in the panel layout of one kernel path, for repeated products with the same right operand
    /// (see <see cref="PackB(bool, int, int, float*, int, GemmPath)"/>). Holds a pinned array; no disposal needed.
    /// </summary>
    internal sealed class PackedMatrix<T>
        where T : unmanaged, INumber<T>
    {
        /// <summary>
        /// Up to this size op(B) is also kept row-major, for products with one row (a recurrent step at batch 1):
        /// such a GEMV streams B's rows faster than it reads panels (1 x 256 x 64: 1.08–1.13x OpenBLAS in place against
        /// 0.97–1.03x from the panels; gemm-table, one thread); bigger, the panels were as fast or faster (1 x 1024 x 256:
        /// 1.14–1.23x vs 1.02–1.10x).
        /// </summary>
        internal const int RowMajorMaxBytes = 256 * 1024;

        private PackedMatrix(T[] storage, T* data, T* rowMajor, int k, int n, nint panelWidth, GemmPath path)
        {
            Storage = storage;
            Data = data;
            RowMajor = rowMajor;
            K = k;
            N = n;
            PanelWidth = panelWidth;
            Path = path;
        }

        /// <summary>Rows of op(B): the inner dimension of the products.</summary>
        public int K { get; }

        /// <summary>Columns of op(B) and of C.</summary>
        public int N { get; }

        /// <summary>The kernel path the layout was made for; packed products always run on it.</summary>
        internal GemmPath Path { get; }

        /// <summary>The 64-byte aligned start of the packed panels inside <see cref="Storage"/>.</summary>
        internal T* Data { get; }

        /// <summary>op(B) row-major (row stride N) for one-row products, or null above <see cref="RowMajorMaxBytes"/>.</summary>
        internal T* RowMajor { get; }

        /// <summary>The pinned array that owns the packed panels (and the row-major copy).</summary>
        internal T[] Storage { get; }

        internal nint PanelWidth { get; }

        /// <summary>
        /// Row ranges that start at a multiple of this and span a multiple of it get, row for row, the same bits as one
        /// product over all rows: their tiles (full height, or 8 and 4 rows on AVX-512, 4 on AVX2) each sum k in order,
        /// as the unpacked AVX-512 tiles do, while the one- and two-row tiles split k for speed. A parted time loop
        /// splits its rows at multiples of this, so its results do not depend on where the split falls.
        /// </summary>
        internal int RowGroup => Path == GemmPath.Avx2 ? 6 : 4;

        /// <summary>
        /// Packs new values of the same-shaped op(B) into this matrix's storage (no allocation), e.g. after the
        /// weights it was packed from were assigned.
        /// </summary>
        internal void Repack(bool transB, T* b, int ldb)
        {
            CheckStride(nameof(ldb), ldb, transB ? K : N, transB ? "k (op(B) is transposed)" : "n");
            switch (Path)
            {
                case GemmPath.Avx512:
                    GemmDriver<T, Avx512GemmKernel<T>>.PackAll(transB, b, ldb, K, N, Data);
                    break;
                case GemmPath.Avx2:
                    GemmDriver<T, Avx2GemmKernel<T>>.PackAll(transB, b, ldb, K, N, Data);
                    break;
                default:
                    GemmDriver<T, PortableGemmKernel<T>>.PackAll(transB, b, ldb, K, N, Data);
                    break;
            }

            CopyRowMajor(transB, b, ldb, K, N, RowMajor);
        }

        private static nint RoundUp(nint value, nint multiple) => (value + multiple - 1) / multiple * multiple;

        /// <summary>Copies op(B) (k x n) row-major to <paramref name="dest"/>, when there is one.</summary>
        private static void CopyRowMajor(bool transB, T* b, int ldb, int k, int n, T* dest)
        {
            if (dest == null)
            {
                return;
            }

            for (int p = 0; p < k; p++)
            {
                if (!transB)
                {
                    new ReadOnlySpan<T>(b + ((nint)p * ldb), n).CopyTo(new Span<T>(dest + ((nint)p * n), n));
                    continue;
                }

                for (int j = 0; j < n; j++)
                {
                    dest[((nint)p * n) + j] = b[((nint)j * ldb) + p];
                }
            }
        }

        /// <summary>
        /// op(B) packed into <paramref name="reuse"/> when it has the same shape (see <see cref="Repack"/>), else
        /// into a new matrix on the best path.
        /// </summary>
        internal static PackedMatrix<T> Pack(PackedMatrix<T>? reuse, bool transB, int k, int n, T* b, int ldb)
        {
            if (reuse is null || reuse.K != k || reuse.N != n)
            {
                return Create(transB, k, n, b, ldb, GemmPath.Auto);
            }

            reuse.Repack(transB, b, ldb);
            return reuse;
        }

        internal static PackedMatrix<T> Create(bool transB, int k, int n, T* b, int ldb, GemmPath path)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(k);
            ArgumentOutOfRangeException.ThrowIfNegative(n);
            CheckStride(nameof(ldb), ldb, transB ? k : n, transB ? "k (op(B) is transposed)" : "n");
            GemmPath resolved = path == GemmPath.Auto ? BestPath : path;
            if (!IsSupported(resolved))
            {
                throw new PlatformNotSupportedException($"The GEMM path {path} is not supported on this CPU.");
            }

            return resolved switch
            {
                GemmPath.Avx512 => Create<Avx512GemmKernel<T>>(transB, k, n, b, ldb, resolved),
                GemmPath.Avx2 => Create<Avx2GemmKernel<T>>(transB, k, n, b, ldb, resolved),
                _ => Create<PortableGemmKernel<T>>(transB, k, n, b, ldb, resolved),
            };
        }

        private static PackedMatrix<T> Create<TKernel>(bool transB, int k, int n, T* b, int ldb, GemmPath path)
            where TKernel : IGemmKernel<T>
        {
            nint width = (n + TKernel.Cols - 1) / TKernel.Cols * TKernel.Cols;
            const int alignment = 64;
            nint panels = RoundUp(width * k, alignment / sizeof(T));
            nint rowMajor = (long)k * n * sizeof(T) <= RowMajorMaxBytes ? (nint)k * n : 0;
            nint length = panels + rowMajor + (alignment / sizeof(T));
            T[] storage = GC.AllocateUninitializedArray<T>(checked((int)length), pinned: true);
            nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(storage));
            T* data = (T*)((address + (alignment - 1)) & ~(nint)(alignment - 1));
            T* rows = rowMajor > 0 ? data + panels : null;
            GemmDriver<T, TKernel>.PackAll(transB, b, ldb, k, n, data);
            CopyRowMajor(transB, b, ldb, k, n, rows);
            return new PackedMatrix<T>(storage, data, rows, k, n, width, path);
        }
    }
}
