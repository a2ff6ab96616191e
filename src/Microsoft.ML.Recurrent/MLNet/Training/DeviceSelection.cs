using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNet.Training;

/// <summary>
/// Resolves a trainer's <see cref="Device"/> choice the way ML.NET's GPU components do: <c>MLContext.GpuDeviceId</c>
/// picks the GPU when the choice is <see cref="Device.Auto"/>; a GPU that cannot be used falls back to the CPU with a
/// warning when <c>MLContext.FallbackToCpu</c> is set (or the choice was Auto), and throws otherwise.
/// </summary>
internal static class DeviceSelection
{
    /// <summary>The device to train and score on.</summary>
    /// <param name="requested">The options' choice.</param>
    /// <param name="gpuDeviceId"><c>MLContext.GpuDeviceId</c>.</param>
    /// <param name="fallbackToCpu"><c>MLContext.FallbackToCpu</c>.</param>
    /// <param name="channel">Receives the fallback warning; null for none.</param>
    /// <exception cref="InvalidOperationException">A GPU was asked for explicitly, it cannot be used, and fallback is off.</exception>
    public static Device Resolve(Device requested, int? gpuDeviceId, bool fallbackToCpu, IChannel? channel)
    {
        if (requested.Kind == DeviceKind.Cpu) return Device.Cpu;
        bool automatic = requested.Kind == DeviceKind.Auto;
        Device gpu = automatic ? Device.Cuda(gpuDeviceId ?? 0) : requested;
        // Auto with no GpuDeviceId only tries a GPU when the GPU package is loaded; Auto never fails.
        bool allowFallback = fallbackToCpu || (automatic && gpuDeviceId is null);
        if (automatic && gpuDeviceId is null && !TensorBackends.IsCudaRegistered) return Device.Cpu;

        string? reason = null;
        if (!TensorBackends.IsCudaRegistered)
            reason = "the CUDA backend is not loaded (reference Microsoft.ML.Recurrent.Gpu and register it)";
        else
        {
            try
            {
                TensorBackends.For(gpu);
            }
            catch (Exception e) when (e is InvalidOperationException or DllNotFoundException or NotSupportedException)
            {
                reason = e.Message;
            }
            // The recurrent trainers run their networks on the CPU backend; GPU training is not wired into them yet.
            reason ??= "the recurrent trainers do not run networks on CUDA yet";
        }

        if (!allowFallback)
            throw new InvalidOperationException($"Device {gpu} was requested but cannot be used: {reason}. Use Device.Cpu, or set MLContext.FallbackToCpu = true to fall back to the CPU.");
        channel?.Warning(MessageSensitivity.None, $"Device {gpu} cannot be used ({reason}); training on the CPU.");
        return Device.Cpu;
    }
}
