using System.Text;
using Microsoft.ML.Recurrent.Gpu.Native;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Gpu;

/// <summary>
/// Whether this process can use CUDA, and why not. Initialization runs once: it loads the driver (libcuda), cuBLAS and
/// NVRTC, calls <c>cuInit</c> and counts devices; cuDNN is loaded too but is optional (our own kernels cover what it
/// would run). Nothing here throws for a machine without a GPU; <see cref="SelectDevice"/> turns "no GPU" into the CPU
/// for automatic selection and into an exception carrying the reason for an explicit CUDA device.
/// </summary>
public static class CudaRuntime
{
    private static readonly Lazy<InitializationResult> s_result = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Initializes CUDA once; false (with <paramref name="reason"/>) when no usable device or library is present.</summary>
    public static bool TryInitialize(out string reason)
    {
        var result = s_result.Value;
        reason = result.Failure ?? "";
        return result.Failure is null;
    }

    /// <summary>True when at least one CUDA device and the required libraries are usable.</summary>
    public static bool IsAvailable => TryInitialize(out _);

    /// <summary>Number of usable CUDA devices (0 when CUDA is unavailable).</summary>
    public static int DeviceCount => s_result.Value.DeviceCount;

    /// <summary>True when cuDNN 9 loaded as well (cuDNN-backed recurrent kernels can be used).</summary>
    public static bool IsCudnnAvailable => s_result.Value.Failure is null && s_result.Value.CudnnFailure is null;

    /// <summary>A human-readable summary: driver version, devices, library paths, or why CUDA is unavailable.</summary>
    public static string Describe() => s_result.Value.Description;

    /// <summary>
    /// Resolves where to compute. <paramref name="requested"/> null (or <see cref="Device.Auto"/>) means automatic: CUDA device 0 when available,
    /// otherwise the CPU. A CPU request is returned as is; an explicit CUDA device must exist.
    /// </summary>
    /// <exception cref="InvalidOperationException">An explicit CUDA device was requested and CUDA is unavailable or the index is out of range.</exception>
    public static Device SelectDevice(Device? requested)
    {
        if (requested is null || requested.Value.Kind == DeviceKind.Auto) return IsAvailable ? Device.Cuda(0) : Device.Cpu;
        var device = requested.Value;
        if (device.Kind == DeviceKind.Cpu) return device;
        if (!TryInitialize(out var reason))
            throw new InvalidOperationException($"Device {device} was requested but CUDA is unavailable: {reason}");
        if (device.Index >= DeviceCount)
            throw new InvalidOperationException($"Device {device} was requested but this machine has {DeviceCount} CUDA device(s) (valid indices 0..{DeviceCount - 1}).");
        return device;
    }

    private sealed record InitializationResult(string? Failure, int DeviceCount, string? CudnnFailure, string Description);

    private static unsafe InitializationResult Initialize()
    {
        var environment = SearchEnvironment.Current();
        if (!CudaLibraries.TryLoad(CudaLibrarySearch.Driver, out var driverFailure, environment))
            return Fail($"no NVIDIA driver: {driverFailure}");
        try
        {
            int status = DriverApi.cuInit(0);
            if (status != 0) return Fail($"cuInit failed with {CudaStatus.DriverName(status)} ({status})");
            int count, driverVersion;
            DriverApi.Check(DriverApi.cuDeviceGetCount(&count), nameof(DriverApi.cuDeviceGetCount));
            DriverApi.Check(DriverApi.cuDriverGetVersion(&driverVersion), nameof(DriverApi.cuDriverGetVersion));
            if (count == 0) return Fail("the NVIDIA driver reports no CUDA device");
            environment = environment with { DriverVersion = driverVersion };

            if (!CudaLibraries.TryLoad(CudaLibrarySearch.Cublas, out var cublasFailure, environment)) return Fail(cublasFailure!);
            if (!CudaLibraries.TryLoad(CudaLibrarySearch.Nvrtc, out var nvrtcFailure, environment)) return Fail(nvrtcFailure!);
            CudaLibraries.TryLoad(CudaLibrarySearch.Cudnn, out var cudnnFailure, environment);

            var text = new StringBuilder();
            text.Append($"CUDA driver {driverVersion / 1000}.{driverVersion % 1000 / 10}, {count} device(s)");
            for (int i = 0; i < count; i++) text.Append($"; cuda:{i} = {DeviceName(i)} (sm_{Attribute(i, DriverApi.AttributeComputeCapabilityMajor)}{Attribute(i, DriverApi.AttributeComputeCapabilityMinor)})");
            if (cudnnFailure is null)
            {
                var (major, minor, patch) = CudnnApi.DecodeVersion(CudnnApi.cudnnGetVersion());
                text.Append($"; cuDNN {major}.{minor}.{patch} for CUDA runtime {CudnnApi.cudnnGetCudartVersion()}");
            }
            else text.Append($"; cuDNN unavailable: {cudnnFailure}");
            foreach (var (name, path) in CudaLibraries.LoadedPaths.OrderBy(p => p.Key, StringComparer.Ordinal))
                text.Append($"; {name} = {path}");
            return new InitializationResult(null, count, cudnnFailure, text.ToString());
        }
        catch (Exception e) when (e is CudaException or EntryPointNotFoundException or DllNotFoundException)
        {
            return Fail(e.Message);
        }

        static InitializationResult Fail(string reason) => new(reason, 0, reason, "CUDA unavailable: " + reason);
    }

    private static unsafe string DeviceName(int ordinal)
    {
        var buffer = stackalloc byte[256];
        DriverApi.Check(DriverApi.cuDeviceGetName(buffer, 256, ordinal), nameof(DriverApi.cuDeviceGetName));
        return Encoding.UTF8.GetString(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpanFromNullTerminated(buffer));
    }

    private static unsafe int Attribute(int ordinal, int attribute)
    {
        int value;
        DriverApi.Check(DriverApi.cuDeviceGetAttribute(&value, attribute, ordinal), nameof(DriverApi.cuDeviceGetAttribute));
        return value;
    }
}
