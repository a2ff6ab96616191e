namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>The kind of memory a tensor lives in.</summary>
public enum DeviceKind
{
    /// <summary>Host memory, computed by the CPU backend.</summary>
    Cpu,

    /// <summary>Memory of a CUDA GPU, computed by the CUDA backend (package <c>Microsoft.ML.Recurrent.Gpu</c>).</summary>
    Cuda,
}

/// <summary>Where a tensor lives: the CPU, or CUDA device number <see cref="Index"/>.</summary>
public readonly record struct Device(DeviceKind Kind, int Index)
{
    /// <summary>Host memory.</summary>
    public static Device Cpu => new(DeviceKind.Cpu, 0);

    /// <summary>CUDA device <paramref name="index"/> (0-based, as <c>MLContext.GpuDeviceId</c>).</summary>
    public static Device Cuda(int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new(DeviceKind.Cuda, index);
    }

    /// <inheritdoc/>
    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : $"cuda:{Index}";
}
