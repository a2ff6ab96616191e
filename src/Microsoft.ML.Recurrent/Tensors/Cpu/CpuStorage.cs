namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>Host memory: a managed array of the element type, so spans and vector loads work without pinning rules.</summary>
internal sealed class CpuStorage : TensorStorage
{
    private Array? _data;

    public CpuStorage(DType dtype, long length) : base(Device.Cpu, dtype, length)
    {
        if (length > System.Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"A CPU tensor holds at most {System.Array.MaxLength} elements.");
        _data = dtype switch
        {
            DType.Float32 => new float[length],
            DType.Float64 => new double[length],
            DType.Int32 => new int[length],
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
        };
    }

    private CpuStorage(DType dtype, Array data) : base(Device.Cpu, dtype, data.Length)
    {
        _data = data;
        Pooled = true;
    }

    /// <summary>True when the array came from <see cref="PinnedArrayPool{T}"/> and goes back there when released.</summary>
    public bool Pooled { get; }

    /// <summary>
    /// Pinned storage from <see cref="PinnedArrayPool{T}"/> with undefined contents (for buffers the caller overwrites
    /// before reading, such as a recurrent workspace); releasing it hands the array back to the pool.
    /// </summary>
    public static CpuStorage RentPinned(DType dtype, int length) => dtype switch
    {
        DType.Float32 => new CpuStorage(dtype, PinnedArrayPool<float>.Rent(length, clear: false)),
        DType.Float64 => new CpuStorage(dtype, PinnedArrayPool<double>.Rent(length, clear: false)),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Pinned pooled storage holds float32 or float64."),
    };

    public Span<T> Span<T>() where T : unmanaged => Array<T>();

    public T[] Array<T>() where T : unmanaged =>
        (T[])(_data ?? throw new ObjectDisposedException(nameof(CpuStorage), "The tensor's storage was released (the tensor or its scope was disposed)."));

    protected override void Free()
    {
        if (Pooled)
        {
            if (_data is float[] f) PinnedArrayPool<float>.Return(f);
            else if (_data is double[] d) PinnedArrayPool<double>.Return(d);
        }
        _data = null;
    }
}
