namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// A few reusable objects, each filed under a size key, held weakly: a full garbage collection may take them back, so
/// the pool never keeps memory alive that the process needs, while a loop that repeats one shape finds its objects
/// again. A fixed number of slots bounds the bookkeeping; adding to a full pool replaces the oldest entry. Thread-safe.
/// </summary>
internal sealed class WeakSlotPool<TItem> where TItem : class
{
    private readonly WeakReference<TItem?>[] _items;
    private readonly long[] _keys;
    private readonly long[] _added;
    private readonly Lock _lock = new();
    private long _clock;

    /// <summary>Creates a pool of <paramref name="slots"/> entries.</summary>
    public WeakSlotPool(int slots)
    {
        _items = new WeakReference<TItem?>[slots];
        for (int i = 0; i < slots; i++) _items[i] = new WeakReference<TItem?>(null);
        _keys = new long[slots];
        _added = new long[slots];
    }

    /// <summary>Removes and returns an object filed under <paramref name="key"/> (not 0), or null when none is left.</summary>
    public TItem? Take(long key)
    {
        lock (_lock)
        {
            for (int i = 0; i < _items.Length; i++)
            {
                if (_keys[i] != key) continue;
                _keys[i] = 0;
                bool alive = _items[i].TryGetTarget(out var item);
                _items[i].SetTarget(null);
                if (alive && item is not null) return item;
            }
        }
        return null;
    }

    /// <summary>Files <paramref name="item"/> under <paramref name="key"/> (not 0); the caller must not use it afterwards.</summary>
    public void Add(long key, TItem item)
    {
        lock (_lock)
        {
            int slot = 0;
            for (int i = 0; i < _items.Length; i++)
            {
                if (_keys[i] == 0 || !_items[i].TryGetTarget(out _))
                {
                    slot = i;
                    break;
                }
                if (_added[i] < _added[slot]) slot = i;
            }
            _items[slot].SetTarget(item);
            _keys[slot] = key;
            _added[slot] = ++_clock;
        }
    }
}
