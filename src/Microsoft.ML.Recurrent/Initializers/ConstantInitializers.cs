using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Initializers;

/// <summary>All zeros (<c>keras.initializers.Zeros</c>; aliases <c>zeros</c>, <c>zero</c>). The default <c>bias_initializer</c>.</summary>
public sealed class Zeros : Initializer
{
    /// <inheritdoc/>
    public override string ClassName => "Zeros";

    /// <inheritdoc/>
    public override Tensor Create(Shape shape, DType dtype = DType.Float32)
    {
        CheckDType(dtype);
        return Tensor.Zeros(shape, dtype);
    }

    /// <summary><c>{}</c>.</summary>
    public override JsonObject GetConfig() => [];
}

/// <summary>All ones (<c>keras.initializers.Ones</c>; aliases <c>ones</c>, <c>one</c>).</summary>
public sealed class Ones : Initializer
{
    /// <inheritdoc/>
    public override string ClassName => "Ones";

    /// <inheritdoc/>
    public override Tensor Create(Shape shape, DType dtype = DType.Float32)
    {
        CheckDType(dtype);
        return Tensor.Ones(shape, dtype);
    }

    /// <summary><c>{}</c>.</summary>
    public override JsonObject GetConfig() => [];
}

/// <summary>
/// A constant (<c>keras.initializers.Constant</c>): every element equal to <see cref="Value"/>, or an array
/// broadcast to the weight's shape with NumPy rules.
/// </summary>
/// <remarks>
/// The config is <c>{"value": v}</c>. An array value is read from a JSON list (nested for rank ≥ 2) or from the
/// Keras 3 encodings <c>{"class_name": "__numpy__" | "__tensor__", "config": {"value": [...], "dtype": ...}}</c>,
/// and written back in the form it was read (a list when built in code).
/// </remarks>
public sealed class Constant : Initializer
{
    private readonly double[]? _values;
    private readonly Shape _valueShape;
    private readonly string? _arrayClassName;
    private readonly string? _arrayDType;

    /// <summary>Creates the initializer with a scalar.</summary>
    /// <param name="value">The value of every element, finite. Default: 0.0.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is NaN or infinite.</exception>
    public Constant(double value = 0.0)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"Constant: expected a finite value. Received: value={value}", nameof(value));
        Value = value;
    }

    /// <summary>Creates the initializer with an array that is broadcast to the weight's shape.</summary>
    /// <param name="values">The elements, row-major, finite.</param>
    /// <param name="shape">The array's shape; its size must equal the number of values.</param>
    /// <exception cref="ArgumentException">The sizes differ or a value is not finite.</exception>
    public Constant(double[] values, Shape shape) : this(values, shape, null, null)
    {
    }

    private Constant(double[] values, Shape shape, string? arrayClassName, string? arrayDType)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != shape.Size)
            throw new ArgumentException($"Constant: {values.Length} values do not fill shape {shape} ({shape.Size} elements).", nameof(values));
        if (values.Any(v => !double.IsFinite(v)))
            throw new ArgumentException("Constant: expected finite values; the array holds NaN or infinity.", nameof(values));
        _values = (double[])values.Clone();
        _valueShape = shape;
        _arrayClassName = arrayClassName;
        _arrayDType = arrayDType;
        Value = double.NaN;
    }

    /// <summary>The value of every element; NaN when the initializer holds an array (see <see cref="Values"/>).</summary>
    public double Value { get; }

    /// <summary>The array broadcast to the weight's shape, row-major; null for a scalar constant.</summary>
    public IReadOnlyList<double>? Values => _values;

    /// <summary>The shape of <see cref="Values"/>; null for a scalar constant.</summary>
    public Shape? ValueShape => _values is null ? null : (Shape?)_valueShape;

    /// <inheritdoc/>
    public override string ClassName => "Constant";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The array does not broadcast to <paramref name="shape"/>.</exception>
    public override Tensor Create(Shape shape, DType dtype = DType.Float32)
    {
        CheckDType(dtype);
        if (_values is null) return Tensor.Full(shape, Value, dtype);
        if (Shape.Broadcast(_valueShape, shape, "Constant") != shape)
            throw new ArgumentException($"Constant: the value of shape {_valueShape} cannot be broadcast to the weight shape {shape}.", nameof(shape));
        using var array = Tensor.FromArray(_values, _valueShape);
        using var broadcast = Ops.BroadcastTo(array, shape);
        return dtype == DType.Float64 ? broadcast.Clone() : Ops.Cast(broadcast, dtype);
    }

    /// <summary><c>{"value": value}</c>, the value a float, a (nested) list, or a <c>__numpy__</c>/<c>__tensor__</c> dict.</summary>
    public override JsonObject GetConfig()
    {
        if (_values is null) return new JsonObject { ["value"] = KerasJson.Float(Value) };
        var nested = NestedList(_values, _valueShape.ToArray(), 0, 0);
        if (_arrayClassName is null) return new JsonObject { ["value"] = nested };
        return new JsonObject
        {
            ["value"] = new JsonObject
            {
                ["class_name"] = _arrayClassName,
                ["config"] = new JsonObject { ["value"] = nested, ["dtype"] = _arrayDType },
            },
        };
    }

    private static JsonNode NestedList(double[] values, int[] dims, int axis, long offset)
    {
        if (axis == dims.Length) return KerasJson.Float(values[offset]);
        long stride = 1;
        for (int a = axis + 1; a < dims.Length; a++) stride *= dims[a];
        var list = new JsonArray();
        for (int i = 0; i < dims[axis]; i++) list.Add(NestedList(values, dims, axis + 1, offset + i * stride));
        return list;
    }

    internal static Constant FromConfig(JsonObject config)
    {
        KerasJson.RejectUnknownKeys(config, ["value", LegacyDTypeKey], "Constant");
        switch (config["value"])
        {
            case JsonArray list:
            {
                var (values, shape) = ReadNestedList(list);
                return new Constant(values, shape, null, null);
            }
            case JsonObject encoded:
            {
                var (className, inner) = KerasJson.ReadEnvelope(encoded, "Constant value");
                if (className is not ("__numpy__" or "__tensor__"))
                    throw new FormatException($"Invalid value for 'value': expected a number, a list or a __numpy__/__tensor__ dict, got {KerasJson.PythonRepr(encoded)}.");
                var dtype = KerasJson.GetNullableString(inner, "dtype");
                switch (inner["value"])
                {
                    case JsonArray innerList:
                    {
                        var (values, shape) = ReadNestedList(innerList);
                        return new Constant(values, shape, className, dtype);
                    }
                    default:
                        return new Constant([KerasJson.GetDouble(inner, "value", 0.0)], Shape.Scalar, className, dtype);
                }
            }
            default:
                return new Constant(KerasJson.GetDouble(config, "value", 0.0));
        }
    }

    private static (double[] Values, Shape Shape) ReadNestedList(JsonArray list)
    {
        var dims = new List<int>();
        for (JsonNode? node = list; node is JsonArray a; node = a.Count > 0 ? a[0] : null) dims.Add(a.Count);
        var values = new List<double>();
        void Read(JsonNode? node, int axis)
        {
            if (axis == dims.Count)
            {
                if (!KerasJson.TryReadNumber(node, out double v))
                    throw new FormatException($"Invalid value for 'value': expected numbers in a rectangular nested list, got {KerasJson.PythonRepr(node)}.");
                values.Add(v);
                return;
            }
            if (node is not JsonArray a || a.Count != dims[axis])
                throw new FormatException($"Invalid value for 'value': the nested list is not rectangular (expected {dims[axis]} entries at depth {axis}, got {KerasJson.PythonRepr(node)}).");
            foreach (var item in a) Read(item, axis + 1);
        }
        Read(list, 0);
        return (values.ToArray(), new Shape(dims.ToArray()));
    }
}

/// <summary>
/// <c>gain</c> times the identity matrix (<c>keras.initializers.Identity</c>; aliases <c>identity</c>,
/// <c>IdentityInitializer</c>): ones on the main diagonal of a rank-2 weight, also when it is not square.
/// </summary>
/// <remarks>As in Keras 3, <c>gain</c> is not written to the config (which is <c>{}</c>), so a non-default gain does
/// not survive a round trip; it is read when present (Keras 2 configs write it).</remarks>
public sealed class Identity : Initializer
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="gain">Multiplicative factor, finite. Default: 1.0.</param>
    /// <exception cref="ArgumentException"><paramref name="gain"/> is NaN or infinite.</exception>
    public Identity(double gain = 1.0)
    {
        if (!double.IsFinite(gain))
            throw new ArgumentException($"Identity: expected a finite gain. Received: gain={gain}", nameof(gain));
        Gain = gain;
    }

    /// <summary>The multiplicative factor.</summary>
    public double Gain { get; }

    /// <inheritdoc/>
    public override string ClassName => "Identity";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The shape is not rank 2.</exception>
    public override Tensor Create(Shape shape, DType dtype = DType.Float32)
    {
        CheckDType(dtype);
        if (shape.Rank != 2)
            throw new ArgumentException($"Identity matrix initializer can only be used for 2D square matrices. Received: shape={shape} of rank {shape.Rank}.", nameof(shape));
        int rows = shape[0], cols = shape[1];
        var values = new double[(long)rows * cols];
        for (int i = 0; i < Math.Min(rows, cols); i++) values[(long)i * cols + i] = Gain;
        using var eye = Tensor.FromArray(values, shape);
        return dtype == DType.Float64 ? eye.Clone() : Ops.Cast(eye, dtype);
    }

    /// <summary><c>{}</c> (Keras 3 does not serialize <c>gain</c>).</summary>
    public override JsonObject GetConfig() => [];

    internal static Identity FromConfig(JsonObject config)
    {
        KerasJson.RejectUnknownKeys(config, ["gain", LegacyDTypeKey], "Identity");
        return new Identity(KerasJson.GetDouble(config, "gain", 1.0));
    }
}
