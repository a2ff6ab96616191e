using Microsoft.ML.Recurrent.Gpu.Native;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Gpu.Tests;

/// <summary>Needs a CUDA device; every test is skipped with the reason on machines without one.</summary>
public unsafe class DeviceTests(ITestOutputHelper output)
{
    [GpuFact]
    public void Describe_names_the_devices_and_the_loaded_libraries()
    {
        var text = CudaRuntime.Describe();
        output.WriteLine(text);
        Assert.Contains("cuda:0 = ", text);
        Assert.Contains("cuda = ", text);
        Assert.Contains("cublas = ", text);
        Assert.Contains("nvrtc = ", text);
    }

    [GpuFact]
    public void Upload_download_round_trip_through_the_caching_allocator()
    {
        using var context = new CudaDeviceContext(0);
        var data = Enumerable.Range(0, 1000).Select(i => i * 0.5f).ToArray();
        var block = context.Allocator.Allocate(data.Length * sizeof(float));
        context.Upload<float>(data, block.Pointer);
        var back = new float[data.Length];
        context.Download<float>(block.Pointer, back);
        Assert.Equal(data, back);
        context.Allocator.Free(block.Pointer);
        var again = context.Allocator.Allocate(data.Length * sizeof(float));
        Assert.Equal(block.Pointer, again.Pointer);
        Assert.Equal(1, context.Allocator.Statistics.CacheHits);
    }

    [GpuFact]
    public void Cublas_sgemm_matches_a_host_reference()
    {
        using var context = new CudaDeviceContext(0);
        const int m = 33, k = 17, n = 9;
        var random = new Random(1);
        var a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
                expected[i * n + j] = (float)sum;
            }

        var da = context.Allocator.Allocate(a.Length * 4);
        var db = context.Allocator.Allocate(b.Length * 4);
        var dc = context.Allocator.Allocate(expected.Length * 4);
        context.Upload<float>(a, da.Pointer);
        context.Upload<float>(b, db.Pointer);
        CublasApi.Check(CublasApi.cublasSetMathMode(context.Cublas, CublasApi.MathPedantic), nameof(CublasApi.cublasSetMathMode));
        float alpha = 1, beta = 0;
        // Row-major C[m,n] = A[m,k]·B[k,n] is column-major Cᵀ[n,m] = Bᵀ[n,k]·Aᵀ[k,m]: swap operands, no transposes.
        CublasApi.Check(CublasApi.cublasSgemm(context.Cublas, CublasApi.OpN, CublasApi.OpN, n, m, k, &alpha, db.Pointer, n, da.Pointer, k, &beta, dc.Pointer, n),
            nameof(CublasApi.cublasSgemm));
        var actual = new float[expected.Length];
        context.Download<float>(dc.Pointer, actual);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4f);
    }

    private const string SaxpySource = """
        extern "C" __global__ void saxpy(float a, const float* x, float* y, int n)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) y[i] = a * x[i] + y[i];
        }
        """;

    [GpuFact]
    public void Nvrtc_kernel_compiles_loads_and_runs()
    {
        using var context = new CudaDeviceContext(0);
        var ptx = NvrtcApi.CompileToPtx(SaxpySource, "saxpy.cu", [context.ComputeArchitectureOption()]);
        var (module, function) = context.LoadFunction(ptx, "saxpy");
        using var _ = module;
        const int n = 1000;
        var x = Enumerable.Range(0, n).Select(i => (float)i).ToArray();
        var y = Enumerable.Repeat(1f, n).ToArray();
        var dx = context.Allocator.Allocate(n * 4);
        var dy = context.Allocator.Allocate(n * 4);
        context.Upload<float>(x, dx.Pointer);
        context.Upload<float>(y, dy.Pointer);
        float a = 2;
        ulong px = dx.Pointer, py = dy.Pointer;
        int count = n;
        var arguments = stackalloc void*[] { &a, &px, &py, &count };
        DriverApi.Check(DriverApi.cuLaunchKernel(function, (n + 255) / 256, 1, 1, 256, 1, 1, 0, context.Stream, arguments, null), nameof(DriverApi.cuLaunchKernel));
        context.Synchronize();
        context.Download<float>(dy.Pointer, y);
        for (int i = 0; i < n; i++) Assert.Equal(2f * i + 1f, y[i]);
    }

    [GpuFact]
    public void Nvrtc_compile_error_carries_the_compiler_log()
    {
        var e = Assert.Throws<CudaException>(() => NvrtcApi.CompileToPtx("extern \"C\" __global__ void k() { undefined_thing(); }", "broken.cu", []));
        Assert.Equal("NVRTC_ERROR_COMPILATION", e.StatusName);
        Assert.Contains("undefined_thing", e.Message);
    }

    [GpuFact]
    public void Driver_errors_name_the_call_and_status()
    {
        using var context = new CudaDeviceContext(0);
        var e = Assert.Throws<CudaException>(() => DriverApi.Check(DriverApi.cuMemcpyDtoD(0, 0, 16), "cuMemcpyDtoD"));
        Assert.Contains("cuMemcpyDtoD failed with CUDA_ERROR_", e.Message);
    }
}
