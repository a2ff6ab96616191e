namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// Pinned arrays of exact lengths handed back and forth between the calls of the fused recurrent kernels, so a
/// training or inference loop that repeats one shape stops allocating (and page-faulting, and zeroing) its large
/// buffers after the first call.
/// </summary>
/// <remarks>
/// Returned arrays are held weakly: a full garbage collection may take them back (they live on the pinned object heap,
/// which only gen-2 collections sweep), so the pool never keeps memory alive that the process needs. A fixed number of
/// slots bounds the bookkeeping; a return into a full pool replaces the oldest entry. Safe to use from any thread.
/// </remarks>
internal static class PinnedArrayPool<T> where T : unmanaged
{
    private const int Slots = 32;
    private static readonly WeakReference<T[]?>[] s_arrays = CreateSlots();
    private static readonly int[] s_lengths = new int[Slots];
    private static readonly long[] s_returned = new long[Slots];
    private static long s_clock;
    private static readonly Lock s_lock = new();

    /// <summary>A pinned array of exactly <paramref name="length"/> elements, zeroed when <paramref name="clear"/>.</summary>
    public static T[] Rent(int length, bool clear)
    {
        lock (s_lock)
        {
            for (int i = 0; i < Slots; i++)
            {
                if (s_lengths[i] != length) continue;
                s_lengths[i] = 0;
                bool alive = s_arrays[i].TryGetTarget(out var array);
                s_arrays[i].SetTarget(null);
                if (!alive || array is null) continue;
                if (clear) Array.Clear(array);
                return array;
            }
        }
        return clear ? GC.AllocateArray<T>(length, pinned: true) : GC.AllocateUninitializedArray<T>(length, pinned: true);
    }

    /// <summary>Hands <paramref name="array"/> (from <see cref="Rent"/>) back; the caller must not use it afterwards.</summary>
    public static void Return(T[] array)
    {
        lock (s_lock)
        {
            int slot = 0;
            for (int i = 0; i < Slots; i++)
            {
                if (s_lengths[i] == 0 || !s_arrays[i].TryGetTarget(out _))
                {
                    slot = i;
                    break;
                }
                if (s_returned[i] < s_returned[slot]) slot = i;
            }
            s_arrays[slot].SetTarget(array);
            s_lengths[slot] = array.Length;
            s_returned[slot] = ++s_clock;
        }
    }

    private static WeakReference<T[]?>[] CreateSlots()
    {
        var slots = new WeakReference<T[]?>[Slots];
        for (int i = 0; i < Slots; i++) slots[i] = new WeakReference<T[]?>(null);
        return slots;
    }
}
