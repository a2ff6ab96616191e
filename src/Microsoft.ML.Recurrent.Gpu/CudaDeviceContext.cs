using System.Runtime.InteropServices;
using Microsoft.ML.Recurrent.Gpu.Memory;
using Microsoft.ML.Recurrent.Gpu.Native;

namespace Microsoft.ML.Recurrent.Gpu;

/// <summary>
/// Everything one CUDA device needs to run work: its primary context (shared with cuBLAS/cuDNN, which use the CUDA
/// runtime's primary context), one stream, the caching allocator and lazily created cuBLAS/cuDNN handles. This is the
/// base the backend's ops are written on; it is internal until the op set is implemented.
/// </summary>
internal sealed unsafe class CudaDeviceContext : IDisposable
{
    private readonly PrimaryContextHandle _context;
    private readonly StreamHandle _stream;
    private CublasHandle? _cublas;
    private CudnnHandle? _cudnn;

    public CudaDeviceContext(int ordinal)
    {
        if (!CudaRuntime.TryInitialize(out var reason)) throw new InvalidOperationException("CUDA is unavailable: " + reason);
        if ((uint)ordinal >= (uint)CudaRuntime.DeviceCount)
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, $"This machine has {CudaRuntime.DeviceCount} CUDA device(s).");
        Ordinal = ordinal;
        int device;
        nint context;
        DriverApi.Check(DriverApi.cuDeviceGet(&device, ordinal), nameof(DriverApi.cuDeviceGet));
        DriverApi.Check(DriverApi.cuDevicePrimaryCtxRetain(&context, device), nameof(DriverApi.cuDevicePrimaryCtxRetain));
        _context = new PrimaryContextHandle(context, device);
        MakeCurrent();
        nint stream;
        DriverApi.Check(DriverApi.cuStreamCreate(&stream, 1 /* CU_STREAM_NON_BLOCKING */), nameof(DriverApi.cuStreamCreate));
        _stream = new StreamHandle(stream);
        Allocator = new CachingDeviceAllocator(new DriverDeviceMemory());
    }

    public int Ordinal { get; }

    public nint Stream => _stream.DangerousGetHandle();

    public CachingDeviceAllocator Allocator { get; }

    /// <summary>Binds the context to the calling thread (required on every thread that issues work, pool threads included).</summary>
    public void MakeCurrent() => DriverApi.Check(DriverApi.cuCtxSetCurrent(_context.DangerousGetHandle()), nameof(DriverApi.cuCtxSetCurrent));

    public void Synchronize() => DriverApi.Check(DriverApi.cuStreamSynchronize(Stream), nameof(DriverApi.cuStreamSynchronize));

    public nint Cublas
    {
        get
        {
            if (_cublas is null)
            {
                nint handle;
                CublasApi.Check(CublasApi.cublasCreate(&handle), nameof(CublasApi.cublasCreate));
                _cublas = new CublasHandle(handle);
                CublasApi.Check(CublasApi.cublasSetStream(handle, Stream), nameof(CublasApi.cublasSetStream));
            }
            return _cublas.DangerousGetHandle();
        }
    }

    public nint Cudnn
    {
        get
        {
            if (_cudnn is null)
            {
                if (!CudaRuntime.IsCudnnAvailable) throw new InvalidOperationException("cuDNN is unavailable: " + CudaRuntime.Describe());
                nint handle;
                CudnnApi.Check(CudnnApi.cudnnCreate(&handle), nameof(CudnnApi.cudnnCreate));
                _cudnn = new CudnnHandle(handle);
                CudnnApi.Check(CudnnApi.cudnnSetStream(handle, Stream), nameof(CudnnApi.cudnnSetStream));
            }
            return _cudnn.DangerousGetHandle();
        }
    }

    public void Upload<T>(ReadOnlySpan<T> source, ulong destination) where T : unmanaged
    {
        fixed (T* p = source)
            DriverApi.Check(DriverApi.cuMemcpyHtoDAsync(destination, p, (nuint)(source.Length * sizeof(T)), Stream), nameof(DriverApi.cuMemcpyHtoDAsync));
        Synchronize(); // the host span may be freed as soon as we return
    }

    public void Download<T>(ulong source, Span<T> destination) where T : unmanaged
    {
        fixed (T* p = destination)
            DriverApi.Check(DriverApi.cuMemcpyDtoHAsync(p, source, (nuint)(destination.Length * sizeof(T)), Stream), nameof(DriverApi.cuMemcpyDtoHAsync));
        Synchronize();
    }

    /// <summary>Loads a PTX/cubin image (NUL-terminated PTX from NVRTC) and returns the module and one function.</summary>
    public (CudaModuleHandle Module, nint Function) LoadFunction(byte[] image, string functionName)
    {
        MakeCurrent();
        nint module, function;
        fixed (byte* p = image) DriverApi.Check(DriverApi.cuModuleLoadData(&module, p), nameof(DriverApi.cuModuleLoadData));
        var handle = new CudaModuleHandle(module);
        fixed (byte* name = NvrtcApi.Utf8z(functionName))
            DriverApi.Check(DriverApi.cuModuleGetFunction(&function, module, name), nameof(DriverApi.cuModuleGetFunction));
        return (handle, function);
    }

    /// <summary>The <c>--gpu-architecture</c> NVRTC option for this device (virtual arch, so the driver JITs it).</summary>
    public string ComputeArchitectureOption()
    {
        int major, minor;
        DriverApi.Check(DriverApi.cuDeviceGetAttribute(&major, DriverApi.AttributeComputeCapabilityMajor, Ordinal), nameof(DriverApi.cuDeviceGetAttribute));
        DriverApi.Check(DriverApi.cuDeviceGetAttribute(&minor, DriverApi.AttributeComputeCapabilityMinor, Ordinal), nameof(DriverApi.cuDeviceGetAttribute));
        return $"--gpu-architecture=compute_{major}{minor}";
    }

    public void Dispose()
    {
        MakeCurrent();
        _cudnn?.Dispose();
        _cublas?.Dispose();
        Allocator.Dispose();
        _stream.Dispose();
        _context.Dispose();
    }
}
