namespace Microsoft.ML.Recurrent.Gpu.Native;

/// <summary>A CUDA library call returned an error status.</summary>
public sealed class CudaException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CudaException(string library, string call, int status, string statusName, string? detail = null)
        : base($"{call} failed with {statusName} ({status}) in {library}" + (string.IsNullOrWhiteSpace(detail) ? "." : $": {detail}"))
    {
        Library = library;
        Call = call;
        Status = status;
        StatusName = statusName;
    }

    /// <summary>The library ("CUDA driver", "cuBLAS", "cuDNN", "NVRTC").</summary>
    public string Library { get; }

    /// <summary>The native function that failed.</summary>
    public string Call { get; }

    /// <summary>The numeric status.</summary>
    public int Status { get; }

    /// <summary>The status' symbolic name, e.g. <c>CUDA_ERROR_OUT_OF_MEMORY</c>.</summary>
    public string StatusName { get; }
}

/// <summary>Status-name tables per library and the checks that turn a failed status into <see cref="CudaException"/>.</summary>
internal static class CudaStatus
{
    private static readonly Dictionary<int, string> s_driver = new()
    {
        [0] = "CUDA_SUCCESS", [1] = "CUDA_ERROR_INVALID_VALUE", [2] = "CUDA_ERROR_OUT_OF_MEMORY",
        [3] = "CUDA_ERROR_NOT_INITIALIZED", [4] = "CUDA_ERROR_DEINITIALIZED", [34] = "CUDA_ERROR_STUB_LIBRARY",
        [46] = "CUDA_ERROR_DEVICE_UNAVAILABLE", [100] = "CUDA_ERROR_NO_DEVICE", [101] = "CUDA_ERROR_INVALID_DEVICE",
        [102] = "CUDA_ERROR_DEVICE_NOT_LICENSED", [200] = "CUDA_ERROR_INVALID_IMAGE", [201] = "CUDA_ERROR_INVALID_CONTEXT",
        [209] = "CUDA_ERROR_NO_BINARY_FOR_GPU", [218] = "CUDA_ERROR_INVALID_PTX", [222] = "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
        [300] = "CUDA_ERROR_INVALID_SOURCE", [301] = "CUDA_ERROR_FILE_NOT_FOUND", [400] = "CUDA_ERROR_INVALID_HANDLE",
        [500] = "CUDA_ERROR_NOT_FOUND", [600] = "CUDA_ERROR_NOT_READY", [700] = "CUDA_ERROR_ILLEGAL_ADDRESS",
        [701] = "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", [702] = "CUDA_ERROR_LAUNCH_TIMEOUT",
        [719] = "CUDA_ERROR_LAUNCH_FAILED", [801] = "CUDA_ERROR_NOT_SUPPORTED", [803] = "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH",
        [804] = "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE", [999] = "CUDA_ERROR_UNKNOWN",
    };

    private static readonly Dictionary<int, string> s_cublas = new()
    {
        [0] = "CUBLAS_STATUS_SUCCESS", [1] = "CUBLAS_STATUS_NOT_INITIALIZED", [3] = "CUBLAS_STATUS_ALLOC_FAILED",
        [7] = "CUBLAS_STATUS_INVALID_VALUE", [8] = "CUBLAS_STATUS_ARCH_MISMATCH", [11] = "CUBLAS_STATUS_MAPPING_ERROR",
        [13] = "CUBLAS_STATUS_EXECUTION_FAILED", [14] = "CUBLAS_STATUS_INTERNAL_ERROR", [15] = "CUBLAS_STATUS_NOT_SUPPORTED",
        [16] = "CUBLAS_STATUS_LICENSE_ERROR",
    };

    private static readonly Dictionary<int, string> s_nvrtc = new()
    {
        [0] = "NVRTC_SUCCESS", [1] = "NVRTC_ERROR_OUT_OF_MEMORY", [2] = "NVRTC_ERROR_PROGRAM_CREATION_FAILURE",
        [3] = "NVRTC_ERROR_INVALID_INPUT", [4] = "NVRTC_ERROR_INVALID_PROGRAM", [5] = "NVRTC_ERROR_INVALID_OPTION",
        [6] = "NVRTC_ERROR_COMPILATION", [7] = "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE",
        [8] = "NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION", [9] = "NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION",
        [10] = "NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID", [11] = "NVRTC_ERROR_INTERNAL_ERROR",
    };

    // cuDNN 9 numbering: category = code / 1000 * 1000; sub-codes refine it (gpu-notes §1.2).
    private static readonly Dictionary<int, string> s_cudnn = new()
    {
        [0] = "CUDNN_STATUS_SUCCESS", [1000] = "CUDNN_STATUS_NOT_INITIALIZED", [1001] = "CUDNN_STATUS_NOT_INITIALIZED",
        [1002] = "CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH", [1003] = "CUDNN_STATUS_SERIALIZATION_VERSION_MISMATCH",
        [1004] = "CUDNN_STATUS_DEPRECATED", [1005] = "CUDNN_STATUS_LICENSE_ERROR", [1006] = "CUDNN_STATUS_RUNTIME_IN_PROGRESS",
        [1007] = "CUDNN_STATUS_RUNTIME_FP_OVERFLOW", [1008] = "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED",
        [2000] = "CUDNN_STATUS_BAD_PARAM", [2002] = "CUDNN_STATUS_BAD_PARAM_NULL_POINTER",
        [2003] = "CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER", [2004] = "CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED",
        [2005] = "CUDNN_STATUS_BAD_PARAM_OUT_OF_BOUND", [2006] = "CUDNN_STATUS_BAD_PARAM_SIZE_INSUFFICIENT",
        [2007] = "CUDNN_STATUS_BAD_PARAM_STREAM_MISMATCH", [2008] = "CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH",
        [2009] = "CUDNN_STATUS_BAD_PARAM_DUPLICATED_ENTRIES", [2010] = "CUDNN_STATUS_BAD_PARAM_ATTRIBUTE_TYPE",
        [3000] = "CUDNN_STATUS_NOT_SUPPORTED", [3001] = "CUDNN_STATUS_NOT_SUPPORTED_GRAPH_PATTERN",
        [3002] = "CUDNN_STATUS_NOT_SUPPORTED_SHAPE", [3003] = "CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE",
        [3004] = "CUDNN_STATUS_NOT_SUPPORTED_LAYOUT", [3005] = "CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER",
        [3006] = "CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDART", [3007] = "CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH",
        [3008] = "CUDNN_STATUS_NOT_SUPPORTED_RUNTIME_PREREQUISITE_MISSING", [3009] = "CUDNN_STATUS_NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE",
        [3010] = "CUDNN_STATUS_NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT", [3011] = "CUDNN_STATUS_NOT_SUPPORTED_PADDING",
        [3012] = "CUDNN_STATUS_NOT_SUPPORTED_BAD_LAUNCH_PARAM", [3013] = "CUDNN_STATUS_NOT_SUPPORTED_CUDA_GRAPH_NATIVE_API",
        [4000] = "CUDNN_STATUS_INTERNAL_ERROR", [4001] = "CUDNN_STATUS_INTERNAL_ERROR_COMPILATION_FAILED",
        [4002] = "CUDNN_STATUS_INTERNAL_ERROR_UNEXPECTED_VALUE", [4003] = "CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED",
        [4004] = "CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED", [4005] = "CUDNN_STATUS_INTERNAL_ERROR_BAD_LAUNCH_PARAM",
        [4006] = "CUDNN_STATUS_INTERNAL_ERROR_TEXTURE_CREATION_FAILED",
        [5000] = "CUDNN_STATUS_EXECUTION_FAILED", [5001] = "CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER",
        [5002] = "CUDNN_STATUS_EXECUTION_FAILED_CUBLAS", [5003] = "CUDNN_STATUS_EXECUTION_FAILED_CUDART",
        [5004] = "CUDNN_STATUS_EXECUTION_FAILED_CURAND",
    };

    public static string DriverName(int status) => s_driver.TryGetValue(status, out var n) ? n : $"CUDA_ERROR_{status}";

    public static string CublasName(int status) => s_cublas.TryGetValue(status, out var n) ? n : $"CUBLAS_STATUS_{status}";

    public static string NvrtcName(int status) => s_nvrtc.TryGetValue(status, out var n) ? n : $"NVRTC_ERROR_{status}";

    /// <summary>cuDNN 9 name; unknown sub-codes fall back to their category's name (e.g. 2099 → BAD_PARAM).</summary>
    public static string CudnnName(int status)
    {
        if (s_cudnn.TryGetValue(status, out var name)) return name;
        if (status >= 1000 && s_cudnn.TryGetValue(status / 1000 * 1000, out var category)) return $"{category} (sub-code {status})";
        return $"CUDNN_STATUS_{status}";
    }

    public static void CheckDriver(int status, string call)
    {
        if (status != 0) throw new CudaException("CUDA driver", call, status, DriverName(status));
    }

    public static void CheckCublas(int status, string call)
    {
        if (status != 0) throw new CudaException("cuBLAS", call, status, CublasName(status));
    }

    public static void CheckNvrtc(int status, string call, string? log = null)
    {
        if (status != 0) throw new CudaException("NVRTC", call, status, NvrtcName(status), log);
    }

    public static void CheckCudnn(int status, string call)
    {
        if (status != 0) throw new CudaException("cuDNN", call, status, CudnnName(status), CudnnApi.TryLastErrorString());
    }
}
