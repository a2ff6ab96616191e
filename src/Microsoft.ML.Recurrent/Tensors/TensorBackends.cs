using System.Collections.Concurrent;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>
/// Finds the backend for a device. The CPU backend is built in; the CUDA package registers a factory for
/// <see cref="DeviceKind.Cuda"/> when it loads.
/// </summary>
public static class TensorBackends
{
    private static readonly ConcurrentDictionary<Device, ITensorBackend> s_backends = new();
    private static Func<Device, ITensorBackend>? s_cudaFactory;

    /// <summary>The CPU backend.</summary>
    public static ITensorBackend Cpu { get; } = new CpuBackend();

    /// <summary>Registers how CUDA backends are created (called by <c>Microsoft.ML.Recurrent.Gpu</c>).</summary>
    public static void RegisterCuda(Func<Device, ITensorBackend> factory) => s_cudaFactory = factory;

    /// <summary>True when a CUDA backend factory is registered.</summary>
    public static bool IsCudaRegistered => s_cudaFactory is not null;

    /// <summary>The backend for <paramref name="device"/>.</summary>
    /// <exception cref="InvalidOperationException">No backend can serve the device, or <paramref name="device"/> is <see cref="Device.Auto"/>.</exception>
    public static ITensorBackend For(Device device)
    {
        if (device.Kind == DeviceKind.Cpu) return Cpu;
        if (device.Kind == DeviceKind.Auto)
            throw new InvalidOperationException("Device.Auto is a choice, not a device: resolve it to Device.Cpu or Device.Cuda(n) before making tensors.");
        return s_backends.GetOrAdd(device, d => (s_cudaFactory ?? throw new InvalidOperationException(
            $"No backend for device {d}: the CUDA backend is not loaded. Reference Microsoft.ML.Recurrent.Gpu and call its registration, or use Device.Cpu."))(d));
    }
}
