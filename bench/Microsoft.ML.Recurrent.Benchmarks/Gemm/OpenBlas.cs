using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// The peer we measure against: Debian's OpenBLAS (pthreads build), loaded as libopenblas.so.0 from
/// /usr/lib/x86_64-linux-gnu (package libopenblas0-pthread). Used by the benchmarks only, never by the library.
/// </summary>
internal static unsafe partial class OpenBlas
{
    private const string Library = "libopenblas.so.0";

    public const int RowMajor = 101;
    public const int NoTrans = 111;
    public const int Trans = 112;

    public const string InstallHint = "OpenBLAS was not found: install it with `sudo apt-get install libopenblas0-pthread` (provides libopenblas.so.0).";

    [LibraryImport(Library, EntryPoint = "cblas_sgemm")]
    public static partial void Sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library, EntryPoint = "cblas_dgemm")]
    public static partial void Dgemm(int order, int transA, int transB, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb, double beta, double* c, int ldc);

    [LibraryImport(Library, EntryPoint = "openblas_set_num_threads")]
    public static partial void SetNumThreads(int threads);

    [LibraryImport(Library, EntryPoint = "openblas_get_config")]
    private static partial nint GetConfigNative();

    /// <summary>OpenBLAS's build description (version, target core, thread model), or null if it cannot be loaded.</summary>
    public static string? TryGetConfig()
    {
        try
        {
            return Marshal.PtrToStringAnsi(GetConfigNative());
        }
        catch (DllNotFoundException)
        {
            return null;
        }
    }
}
