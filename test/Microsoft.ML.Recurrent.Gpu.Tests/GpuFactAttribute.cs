using Microsoft.ML.Recurrent.Gpu;

namespace Microsoft.ML.Recurrent.Gpu.Tests;

/// <summary>A fact that needs a CUDA device: skipped, with the reason CUDA is unavailable, on machines without one.</summary>
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute()
    {
        if (!CudaRuntime.TryInitialize(out var reason)) Skip = "No CUDA device: " + reason;
    }
}

/// <summary>A GPU fact that also needs cuDNN.</summary>
public sealed class CudnnFactAttribute : FactAttribute
{
    public CudnnFactAttribute()
    {
        if (!CudaRuntime.TryInitialize(out var reason)) Skip = "No CUDA device: " + reason;
        else if (!CudaRuntime.IsCudnnAvailable) Skip = "No cuDNN: " + CudaRuntime.Describe();
    }
}
