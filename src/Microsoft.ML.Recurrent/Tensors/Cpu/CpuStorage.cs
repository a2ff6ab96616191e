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

    public Span<T> Span<T>() where T : unmanaged => Array<T>();

    public T[] Array<T>() where T : unmanaged =>
        (T[])(_data ?? throw new ObjectDisposedException(nameof(CpuStorage), "The tensor's storage was released (the tensor or its scope was disposed)."));

    protected override void Free() => _data = null;
}
