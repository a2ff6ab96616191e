using Microsoft.ML.Recurrent.Gpu.Native;

namespace Microsoft.ML.Recurrent.Gpu.Memory;

/// <summary>
/// Uncached device memory (cuMemAlloc/cuMemFree). The caching allocator is written against this interface so its
/// bookkeeping is tested with a fake on machines without a GPU.
/// </summary>
internal interface IRawDeviceMemory
{
    /// <summary>Allocates <paramref name="bytes"/>; false when the device is out of memory, an exception for any other failure.</summary>
    bool TryAllocate(nuint bytes, out ulong pointer);

    /// <summary>Frees a pointer returned by <see cref="TryAllocate"/>.</summary>
    void Free(ulong pointer);
}

/// <summary>Raw device memory from the CUDA driver; the caller keeps the device's context current on this thread.</summary>
internal sealed unsafe class DriverDeviceMemory : IRawDeviceMemory
{
    private const int OutOfMemory = 2; // CUDA_ERROR_OUT_OF_MEMORY

    public bool TryAllocate(nuint bytes, out ulong pointer)
    {
        ulong result;
        int status = DriverApi.cuMemAlloc(&result, bytes);
        pointer = result;
        if (status == OutOfMemory) return false;
        DriverApi.Check(status, nameof(DriverApi.cuMemAlloc));
        return true;
    }

    public void Free(ulong pointer) => DriverApi.Check(DriverApi.cuMemFree(pointer), nameof(DriverApi.cuMemFree));
}
