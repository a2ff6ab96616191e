using System.Globalization;
using System.Text;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>
/// A dense, contiguous, row-major array of <see cref="DType"/> elements on a <see cref="Device"/>, with optional
/// gradient tracking. Ops on tensors live in <see cref="Ops"/> (and the operators here); every op dispatches to
/// the backend of the tensor's device, so the same code runs on the CPU and on a GPU.
/// </summary>
/// <remarks>
/// Dispose tensors (or use a <see cref="TensorScope"/>) to release memory deterministically; on the CPU an
/// undisposed tensor is simply collected. A tensor records how it was computed when gradients are enabled and an
/// input has <see cref="RequiresGrad"/>; call <see cref="Backward"/> on a scalar result to fill <see cref="Grad"/>.
/// </remarks>
public sealed class Tensor : IDisposable
{
    private bool _disposed;
    private bool _requiresGrad;

    internal Tensor(TensorStorage storage, Shape shape)
    {
        if (storage.Length != shape.Size)
            throw new ArgumentException($"Storage holds {storage.Length} elements but shape {shape} needs {shape.Size}.", nameof(shape));
        Storage = storage;
        Shape = shape;
        TensorScope.Register(this);
    }

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; }

    /// <summary>The element type.</summary>
    public DType DType => Storage.DType;

    /// <summary>Where the elements live.</summary>
    public Device Device => Storage.Device;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public long Size => Shape.Size;

    /// <summary>The memory behind the tensor (shared with reshaped views of it).</summary>
    public TensorStorage Storage { get; }

    /// <summary>The backend that computes on this tensor's device.</summary>
    public ITensorBackend Backend => TensorBackends.For(Device);

    /// <summary>An optional name, used in error messages and by layers for their weights.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (weights, inputs you differentiate by); results
    /// of ops on such tensors require gradients automatically while gradient recording is on.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set to true on an integer tensor.</exception>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (value && !DType.IsFloatingPoint())
                throw new InvalidOperationException($"Only floating-point tensors can require gradients; this tensor is {DType.KerasName()} {Shape}.");
            _requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient of the last <see cref="Backward"/> calls (null until one reaches this tensor).</summary>
    public Tensor? Grad { get; set; }

    /// <summary>How this tensor was computed, when it was recorded for autodiff (null for leaves).</summary>
    internal GradNode? Node { get; set; }

    /// <summary>True when the tensor is the result of a recorded op rather than a leaf.</summary>
    public bool IsLeaf => Node is null;

    // ---------------------------------------------------------------- creation

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape, DType dtype = DType.Float32, Device? device = null)
    {
        var backend = TensorBackends.For(device ?? Device.Cpu);
        return new Tensor(backend.Allocate(dtype, shape.Size), shape);
    }

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(Shape shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 1.0, dtype, device);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(Shape shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        var t = Zeros(shape, dtype, device);
        if (value != 0) t.Backend.Fill(t, value);
        return t;
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) => Full(Shape.Scalar, value, dtype, device);

    /// <summary>A zero tensor with the shape, dtype and device of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Zeros(like.Shape, like.DType, like.Device);

    /// <summary>Copies <paramref name="data"/> (row-major) into a new float32 tensor of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The data length differs from the shape's size.</exception>
    public static Tensor FromArray(float[] data, Shape shape, Device? device = null) => FromSpan<float>(data, shape, device);

    /// <summary>Copies <paramref name="data"/> (row-major) into a new float64 tensor of <paramref name="shape"/>.</summary>
    public static Tensor FromArray(double[] data, Shape shape, Device? device = null) => FromSpan<double>(data, shape, device);

    /// <summary>Copies <paramref name="data"/> (row-major) into a new int32 tensor of <paramref name="shape"/>.</summary>
    public static Tensor FromArray(int[] data, Shape shape, Device? device = null) => FromSpan<int>(data, shape, device);

    /// <summary>A 1-D float32 tensor of <paramref name="data"/>.</summary>
    public static Tensor FromArray(float[] data) => FromSpan<float>(data, new Shape(data.Length), null);

    /// <summary>A 1-D float64 tensor of <paramref name="data"/>.</summary>
    public static Tensor FromArray(double[] data) => FromSpan<double>(data, new Shape(data.Length), null);

    /// <summary>Copies <paramref name="data"/> (row-major) into a new tensor of <paramref name="shape"/>, dtype from <typeparamref name="T"/>.</summary>
    public static Tensor FromSpan<T>(ReadOnlySpan<T> data, Shape shape, Device? device = null) where T : unmanaged
    {
        if (data.Length != shape.Size)
            throw new ArgumentException($"Tensor.FromArray: data has {data.Length} elements but shape {shape} needs {shape.Size}.", nameof(data));
        var t = Zeros(shape, DTypeExtensions.Of<T>(), device);
        t.Backend.Upload(data, t);
        return t;
    }

    /// <summary><c>[start, start + step, ...)</c> up to <paramref name="stop"/> (exclusive), like <c>numpy.arange</c>.</summary>
    public static Tensor Arange(double start, double stop, double step = 1, DType dtype = DType.Float32)
    {
        if (step == 0) throw new ArgumentException("Tensor.Arange: step must not be 0.", nameof(step));
        int n = Math.Max(0, (int)Math.Ceiling((stop - start) / step));
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = start + i * step;
        using var t = FromArray(values, new Shape(n));
        return dtype == DType.Float64 ? t.Clone() : Ops.Cast(t, dtype);
    }

    // ---------------------------------------------------------------- reading

    /// <summary>Copies the elements out, row-major, as <typeparamref name="T"/> (which must match <see cref="DType"/>).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        CheckElementType<T>("ToArray");
        var result = new T[Size];
        Backend.Download<T>(this, result);
        return result;
    }

    /// <summary>The elements converted to float (any dtype).</summary>
    public float[] ToFloatArray() => DType == DType.Float32 ? ToArray<float>() : Ops.Cast(this, DType.Float32).ToArray<float>();

    /// <summary>The elements converted to double (any dtype).</summary>
    public double[] ToDoubleArray() => DType == DType.Float64 ? ToArray<double>() : Ops.Cast(this, DType.Float64).ToArray<double>();

    /// <summary>The single element of a size-1 tensor, as double.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public double Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item() needs a tensor with exactly one element; this one has shape {Shape}.");
        return ToDoubleArray()[0];
    }

    /// <summary>Direct access to CPU memory, for kernels. The tensor must be on the CPU and of type <typeparamref name="T"/>.</summary>
    internal Span<T> Span<T>() where T : unmanaged
    {
        CheckElementType<T>("Span");
        if (Storage is not CpuStorage cpu)
            throw new InvalidOperationException($"Direct element access needs a CPU tensor; this one is on {Device}.");
        return cpu.Span<T>();
    }

    private void CheckElementType<T>(string operation) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (DTypeExtensions.Of<T>() != DType)
            throw new InvalidOperationException($"{operation}<{typeof(T).Name}>: the tensor is {DType.KerasName()}; expected {DTypeExtensions.Of<T>().KerasName()}.");
    }

    // ---------------------------------------------------------------- autodiff

    /// <summary>
    /// Back-propagates from this tensor: accumulates d(this)/d(leaf) into the <see cref="Grad"/> of every leaf
    /// that requires gradients. For a non-scalar tensor pass <paramref name="gradient"/> (same shape).
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor does not require gradients, or is not a scalar and no gradient was given.</exception>
    public void Backward(Tensor? gradient = null) => Autodiff.Backward(this, gradient);

    /// <summary>A tensor sharing this one's values but cut from the autodiff graph.</summary>
    public Tensor Detach() => new(ShareStorage(), Shape);

    /// <summary>A copy of the values (not connected to the autodiff graph).</summary>
    public Tensor Clone()
    {
        var copy = Zeros(Shape, DType, Device);
        Backend.Copy(TensorView.Of(this), TensorView.Of(copy), accumulate: false);
        return copy;
    }

    internal TensorStorage ShareStorage()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Storage.Retain();
        return Storage;
    }

    /// <summary>A tensor of a different shape over the same storage (used by <c>Ops.Reshape</c>).</summary>
    internal Tensor ViewAs(Shape shape) => new(ShareStorage(), shape);

    // ---------------------------------------------------------------- operators

    /// <summary>Elementwise sum with broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);

    /// <summary>Elementwise difference with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Subtract(a, b);

    /// <summary>Elementwise product with broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Multiply(a, b);

    /// <summary>Elementwise quotient with broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Divide(a, b);

    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, double b) => Ops.Add(a, b);

    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, double b) => Ops.Add(a, -b);

    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => Ops.Multiply(a, b);

    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => Ops.Multiply(b, a);

    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => Ops.Divide(a, b);

    /// <summary>Subtracts from a scalar.</summary>
    public static Tensor operator -(double a, Tensor b) => Ops.Add(Ops.Negate(b), a);

    /// <summary>Adds to a scalar.</summary>
    public static Tensor operator +(double a, Tensor b) => Ops.Add(b, a);

    /// <summary>Elementwise negation.</summary>
    public static Tensor operator -(Tensor a) => Ops.Negate(a);

    // ---------------------------------------------------------------- lifetime

    /// <summary>Releases this tensor's claim on its storage; the memory is freed when no view uses it.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Storage.Release();
    }

    /// <summary>True once <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>Shape, dtype, device and (for small tensors) the values.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(Shape).Append(' ').Append(DType.KerasName());
        if (Device.Kind != DeviceKind.Cpu) sb.Append(' ').Append(Device);
        if (!_disposed && Size <= 16)
        {
            sb.Append(" [");
            sb.AppendJoin(", ", ToDoubleArray().Select(v => v.ToString("G6", CultureInfo.InvariantCulture)));
            sb.Append(']');
        }
        return sb.ToString();
    }
}
