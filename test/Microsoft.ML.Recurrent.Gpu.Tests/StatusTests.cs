using Microsoft.ML.Recurrent.Gpu.Native;

namespace Microsoft.ML.Recurrent.Gpu.Tests;

public class StatusTests
{
    [Theory]
    [InlineData(0, "CUDA_SUCCESS")]
    [InlineData(2, "CUDA_ERROR_OUT_OF_MEMORY")]
    [InlineData(100, "CUDA_ERROR_NO_DEVICE")]
    [InlineData(222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION")]
    [InlineData(700, "CUDA_ERROR_ILLEGAL_ADDRESS")]
    [InlineData(12345, "CUDA_ERROR_12345")]
    public void Driver_names(int status, string name) => Assert.Equal(name, CudaStatus.DriverName(status));

    [Theory]
    [InlineData(7, "CUBLAS_STATUS_INVALID_VALUE")]
    [InlineData(13, "CUBLAS_STATUS_EXECUTION_FAILED")]
    [InlineData(99, "CUBLAS_STATUS_99")]
    public void Cublas_names(int status, string name) => Assert.Equal(name, CudaStatus.CublasName(status));

    [Theory]
    [InlineData(6, "NVRTC_ERROR_COMPILATION")]
    [InlineData(5, "NVRTC_ERROR_INVALID_OPTION")]
    public void Nvrtc_names(int status, string name) => Assert.Equal(name, CudaStatus.NvrtcName(status));

    [Theory]
    [InlineData(0, "CUDNN_STATUS_SUCCESS")]
    [InlineData(1008, "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED")]
    [InlineData(2000, "CUDNN_STATUS_BAD_PARAM")]
    [InlineData(3007, "CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH")]
    [InlineData(5002, "CUDNN_STATUS_EXECUTION_FAILED_CUBLAS")]
    public void Cudnn9_names(int status, string name) => Assert.Equal(name, CudaStatus.CudnnName(status));

    [Fact]
    public void Unknown_cudnn9_subcode_falls_back_to_its_category()
    {
        Assert.Equal("CUDNN_STATUS_BAD_PARAM (sub-code 2099)", CudaStatus.CudnnName(2099));
        Assert.Equal("CUDNN_STATUS_NOT_SUPPORTED (sub-code 3999)", CudaStatus.CudnnName(3999));
        Assert.Equal("CUDNN_STATUS_7", CudaStatus.CudnnName(7)); // old cuDNN 8 numbering is not guessed
    }

    [Fact]
    public void Failed_status_throws_naming_call_library_and_status()
    {
        var e = Assert.Throws<CudaException>(() => CudaStatus.CheckDriver(2, "cuMemAlloc"));
        Assert.Equal("cuMemAlloc failed with CUDA_ERROR_OUT_OF_MEMORY (2) in CUDA driver.", e.Message);
        Assert.Equal(2, e.Status);

        var n = Assert.Throws<CudaException>(() => CudaStatus.CheckNvrtc(6, "nvrtcCompileProgram", "kernel.cu(3): error: expected a \";\""));
        Assert.Contains("NVRTC_ERROR_COMPILATION", n.Message);
        Assert.Contains("kernel.cu(3)", n.Message);

        var c = Assert.Throws<CudaException>(() => CudaStatus.CheckCublas(7, "cublasSgemm"));
        Assert.Equal("cuBLAS", c.Library);
        Assert.Equal("CUBLAS_STATUS_INVALID_VALUE", c.StatusName);

        CudaStatus.CheckDriver(0, "cuInit"); // success does not throw
    }

    [Theory]
    [InlineData(90600ul, 9, 6, 0)]
    [InlineData(91002ul, 9, 10, 2)]
    [InlineData(8907ul, 8, 9, 7)]
    public void Cudnn_version_decoding(ulong raw, int major, int minor, int patch)
        => Assert.Equal((major, minor, patch), CudnnApi.DecodeVersion(raw));
}
