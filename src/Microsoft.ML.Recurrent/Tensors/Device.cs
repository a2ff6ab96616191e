namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>The kind of memory a tensor lives in.</summary>
public enum DeviceKind
{
    /// <summary>Host memory, computed by the CPU backend.</summary>
    Cpu,

    /// <summary>Memory of a CUDA GPU, computed by the CUDA backend (package <c>Microsoft.ML.Recurrent.Gpu</c>).</summary>
    Cuda,

    /// <summary>
    /// Not a place but a choice, for options: a CUDA GPU when the GPU package finds one, else the CPU. Resolved before
    /// any tensor is made (the ML.NET trainers do it, honouring <c>MLContext.GpuDeviceId</c>/<c>FallbackToCpu</c>).
    /// </summary>
    Auto,
}

/// <summary>Where a tensor lives: the CPU, or CUDA device number <see cref="Index"/>.</summary>
public readonly record struct Device(DeviceKind Kind, int Index)
{
    /// <summary>Host memory.</summary>
    public static Device Cpu => new(DeviceKind.Cpu, 0);

    /// <summary>A GPU when one is usable, else the CPU (a choice for options, resolved before use; see <see cref="DeviceKind.Auto"/>).</summary>
    public static Device Auto => new(DeviceKind.Auto, 0);

    /// <summary>CUDA device <paramref name="index"/> (0-based, as <c>MLContext.GpuDeviceId</c>).</summary>
    public static Device Cuda(int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new(DeviceKind.Cuda, index);
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch { DeviceKind.Cpu => "cpu", DeviceKind.Auto => "auto", _ => $"cuda:{Index}" };
}
