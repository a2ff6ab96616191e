namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>The element type of a <see cref="Tensor"/>.</summary>
/// <remarks>
/// <see cref="Float32"/> is what models compute in; <see cref="Float64"/> exists so gradients can be checked
/// exactly and because Keras allows float64 layers. <see cref="Int32"/> holds indices only (embedding lookups,
/// <c>ArgMax</c> results) and supports creation, copies, casts and gathers, not arithmetic.
/// </remarks>
public enum DType
{
    /// <summary>32-bit IEEE float (Keras <c>"float32"</c>).</summary>
    Float32,

    /// <summary>64-bit IEEE float (Keras <c>"float64"</c>).</summary>
    Float64,

    /// <summary>32-bit signed integer, for indices.</summary>
    Int32,
}

/// <summary>Facts about <see cref="DType"/> values.</summary>
public static class DTypeExtensions
{
    /// <summary>Size of one element in bytes.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.Float32 => 4,
        DType.Float64 => 8,
        DType.Int32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>True for the floating-point types, the ones arithmetic and autodiff work on.</summary>
    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    /// <summary>The Keras name of the type (<c>"float32"</c>, <c>"float64"</c>, <c>"int32"</c>).</summary>
    public static string KerasName(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int32 => "int32",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>Parses a Keras dtype name (<c>"float32"</c>, <c>"float64"</c>/<c>"double"</c>, <c>"int32"</c>).</summary>
    /// <exception cref="ArgumentException">The name is not a supported dtype.</exception>
    public static DType ParseKerasName(string name) => name switch
    {
        "float32" or "float" => DType.Float32,
        "float64" or "double" => DType.Float64,
        "int32" => DType.Int32,
        _ => throw new ArgumentException($"Unsupported dtype '{name}'; expected 'float32', 'float64' or 'int32'.", nameof(name)),
    };

    /// <summary>The dtype of a CLR element type.</summary>
    public static DType Of<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(int)) return DType.Int32;
        throw new NotSupportedException($"Element type {typeof(T).Name} is not a tensor dtype; use float, double or int.");
    }
}
