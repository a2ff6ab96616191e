namespace Microsoft.ML.Recurrent.Gpu.Memory;

/// <summary>A block handed out by <see cref="CachingDeviceAllocator"/>.</summary>
/// <param name="Pointer">Device address.</param>
/// <param name="Bytes">Size of the block (the request rounded up to its bin).</param>
internal readonly record struct DeviceBlock(ulong Pointer, nuint Bytes);

/// <summary>Counters of a <see cref="CachingDeviceAllocator"/>.</summary>
internal readonly record struct DeviceAllocatorStatistics(
    long BytesInUse,
    long PeakBytesInUse,
    long BytesCached,
    int BlocksInUse,
    int BlocksCached,
    long RawAllocations,
    long RawFrees,
    long CacheHits,
    long CacheMisses,
    long OutOfMemoryRetries);

/// <summary>
/// Caches freed device blocks by size bin and hands them out again, because cuMemAlloc/cuMemFree synchronize the
/// device and cost far more than a training step's small tensors. Sizes round up to a bin (512-byte steps doubling
/// up to 1 MiB, then 2 MiB multiples) so that blocks of nearby sizes are interchangeable. When the device runs out
/// of memory the cache is released and the allocation retried once. Memory goes back to the driver only through
/// <see cref="ReleaseCached"/>, a cache limit, or <see cref="Dispose"/> — never a finalizer.
/// </summary>
internal sealed class CachingDeviceAllocator : IDisposable
{
    /// <summary>Smallest bin; also the alignment every block has.</summary>
    public const long MinimumBlockBytes = 512;

    /// <summary>Above this size bins are multiples of <see cref="LargeBlockGranularity"/> rather than powers of two.</summary>
    public const long SmallBlockLimit = 1L << 20;

    /// <summary>Bin step for large blocks.</summary>
    public const long LargeBlockGranularity = 2L << 20;

    private readonly IRawDeviceMemory _raw;
    private readonly long _maxCachedBytes;
    private readonly object _gate = new();
    private readonly SortedDictionary<long, Stack<ulong>> _cached = new();
    private readonly Dictionary<ulong, long> _inUse = new();
    private long _bytesInUse, _peakBytesInUse, _bytesCached, _rawAllocations, _rawFrees, _cacheHits, _cacheMisses, _oomRetries;
    private int _blocksCached;
    private bool _disposed;

    /// <param name="raw">Where blocks really come from.</param>
    /// <param name="maxCachedBytes">Freed blocks beyond this many cached bytes go straight back to <paramref name="raw"/>.</param>
    public CachingDeviceAllocator(IRawDeviceMemory raw, long maxCachedBytes = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCachedBytes);
        _raw = raw;
        _maxCachedBytes = maxCachedBytes;
    }

    /// <summary>The bin a request of <paramref name="bytes"/> is served from.</summary>
    public static long BinSize(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes <= MinimumBlockBytes) return MinimumBlockBytes;
        if (bytes <= SmallBlockLimit) return (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)bytes);
        return checked((bytes + LargeBlockGranularity - 1) / LargeBlockGranularity * LargeBlockGranularity);
    }

    /// <summary>Allocates at least <paramref name="bytes"/> (a zero-byte request still gets a distinct minimum block).</summary>
    /// <exception cref="OutOfMemoryException">The device has no room even after the cache was released.</exception>
    public DeviceBlock Allocate(long bytes)
    {
        long bin = BinSize(bytes);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ulong pointer;
            if (_cached.TryGetValue(bin, out var stack) && stack.Count > 0)
            {
                pointer = stack.Pop();
                _bytesCached -= bin;
                _blocksCached--;
                _cacheHits++;
            }
            else
            {
                _cacheMisses++;
                if (!_raw.TryAllocate((nuint)bin, out pointer))
                {
                    _oomRetries++;
                    ReleaseCachedLocked();
                    if (!_raw.TryAllocate((nuint)bin, out pointer))
                        throw new OutOfMemoryException(
                            $"The CUDA device is out of memory allocating {bytes} bytes (bin {bin}); {_bytesInUse} bytes are in use by {_inUse.Count} live blocks. Reduce the batch size or free tensors.");
                }
                _rawAllocations++;
            }
            _inUse.Add(pointer, bin);
            _bytesInUse += bin;
            _peakBytesInUse = Math.Max(_peakBytesInUse, _bytesInUse);
            return new DeviceBlock(pointer, (nuint)bin);
        }
    }

    /// <summary>Returns a block to the cache (or to the driver when the cache is full).</summary>
    /// <exception cref="InvalidOperationException">The pointer is not a live block of this allocator (double free).</exception>
    public void Free(ulong pointer)
    {
        lock (_gate)
        {
            if (_disposed) return; // everything was already returned to the driver by Dispose
            if (!_inUse.Remove(pointer, out long bin))
                throw new InvalidOperationException($"Device pointer 0x{pointer:X} is not a live block of this allocator (freed twice or never allocated here).");
            _bytesInUse -= bin;
            if (_bytesCached + bin > _maxCachedBytes)
            {
                _raw.Free(pointer);
                _rawFrees++;
                return;
            }
            if (!_cached.TryGetValue(bin, out var stack)) _cached[bin] = stack = new Stack<ulong>();
            stack.Push(pointer);
            _bytesCached += bin;
            _blocksCached++;
        }
    }

    /// <summary>Returns every cached (free) block to the driver; live blocks are untouched.</summary>
    public void ReleaseCached()
    {
        lock (_gate) ReleaseCachedLocked();
    }

    /// <summary>A snapshot of the counters.</summary>
    public DeviceAllocatorStatistics Statistics
    {
        get
        {
            lock (_gate)
                return new DeviceAllocatorStatistics(_bytesInUse, _peakBytesInUse, _bytesCached, _inUse.Count, _blocksCached,
                    _rawAllocations, _rawFrees, _cacheHits, _cacheMisses, _oomRetries);
        }
    }

    /// <summary>Returns all memory, cached and live, to the driver (the device context is going away).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            ReleaseCachedLocked();
            foreach (var pointer in _inUse.Keys)
            {
                _raw.Free(pointer);
                _rawFrees++;
            }
            _inUse.Clear();
            _bytesInUse = 0;
            _disposed = true;
        }
    }

    private void ReleaseCachedLocked()
    {
        foreach (var stack in _cached.Values)
            while (stack.Count > 0)
            {
                _raw.Free(stack.Pop());
                _rawFrees++;
            }
        _cached.Clear();
        _bytesCached = 0;
        _blocksCached = 0;
    }
}
