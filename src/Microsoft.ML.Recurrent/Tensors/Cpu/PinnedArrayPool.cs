namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// Pinned arrays of exact lengths handed back and forth between the calls of the fused recurrent kernels, so a
/// training or inference loop that repeats one shape stops allocating (and page-faulting, and zeroing) its large
/// buffers after the first call.
/// </summary>
/// <remarks>
/// Returned arrays are held weakly (<see cref="WeakSlotPool{TItem}"/>): a full garbage collection may take them back
/// (they live on the pinned object heap, which only gen-2 collections sweep). Safe to use from any thread.
/// </remarks>
internal static class PinnedArrayPool<T> where T : unmanaged
{
    private static readonly WeakSlotPool<T[]> s_arrays = new(32);

    /// <summary>A pinned array of exactly <paramref name="length"/> elements, zeroed when <paramref name="clear"/>.</summary>
    public static T[] Rent(int length, bool clear)
    {
        if (s_arrays.Take(length) is { } array)
        {
            if (clear) Array.Clear(array);
            return array;
        }
        return clear ? GC.AllocateArray<T>(length, pinned: true) : GC.AllocateUninitializedArray<T>(length, pinned: true);
    }

    /// <summary>Hands <paramref name="array"/> (from <see cref="Rent"/>) back; the caller must not use it afterwards.</summary>
    public static void Return(T[] array)
    {
        if (array.Length > 0) s_arrays.Add(array.Length, array);
    }
}
