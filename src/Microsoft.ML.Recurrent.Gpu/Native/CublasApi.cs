using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Gpu.Native;

/// <summary>The cuBLAS v2 subset the backend uses. cuBLAS is column-major: a row-major C = A·B is computed as Cᵀ = Bᵀ·Aᵀ.</summary>
internal static unsafe partial class CublasApi
{
    private const string Library = "cublas";

    public const int OpN = 0;
    public const int OpT = 1;
    public const int MathDefault = 0;
    public const int MathPedantic = 2;

    [LibraryImport(Library, EntryPoint = "cublasCreate_v2")] public static partial int cublasCreate(nint* handle);
    [LibraryImport(Library, EntryPoint = "cublasDestroy_v2")] public static partial int cublasDestroy(nint handle);
    [LibraryImport(Library, EntryPoint = "cublasGetVersion_v2")] public static partial int cublasGetVersion(nint handle, int* version);
    [LibraryImport(Library, EntryPoint = "cublasSetStream_v2")] public static partial int cublasSetStream(nint handle, nint stream);
    [LibraryImport(Library)] public static partial int cublasSetMathMode(nint handle, int mode);

    [LibraryImport(Library, EntryPoint = "cublasSgemm_v2")]
    public static partial int cublasSgemm(nint handle, int transA, int transB, int m, int n, int k,
        float* alpha, ulong a, int lda, ulong b, int ldb, float* beta, ulong c, int ldc);

    [LibraryImport(Library, EntryPoint = "cublasDgemm_v2")]
    public static partial int cublasDgemm(nint handle, int transA, int transB, int m, int n, int k,
        double* alpha, ulong a, int lda, ulong b, int ldb, double* beta, ulong c, int ldc);

    [LibraryImport(Library)]
    public static partial int cublasSgemmStridedBatched(nint handle, int transA, int transB, int m, int n, int k,
        float* alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB, float* beta, ulong c, int ldc, long strideC, int batchCount);

    public static void Check(int status, string call) => CudaStatus.CheckCublas(status, call);
}
