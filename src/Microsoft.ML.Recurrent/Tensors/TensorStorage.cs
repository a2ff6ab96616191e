namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>
/// A block of elements owned by one backend. Storage is reference counted so that views (reshapes) share it;
/// the memory is released when the last tensor using it is disposed, never by a finalizer.
/// </summary>
public abstract class TensorStorage
{
    private int _references = 1;

    /// <summary>Creates storage for <paramref name="length"/> elements of <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    protected TensorStorage(Device device, DType dtype, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Device = device;
        DType = dtype;
        Length = length;
    }

    /// <summary>Where the elements live.</summary>
    public Device Device { get; }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>True once the memory has been released.</summary>
    public bool IsReleased => Volatile.Read(ref _references) <= 0;

    internal void Retain()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new ObjectDisposedException(nameof(TensorStorage), "The tensor's storage was already released.");
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0) Free();
    }

    /// <summary>Returns the memory to the backend (called once, when the last user is disposed).</summary>
    protected abstract void Free();
}
