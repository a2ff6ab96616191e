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

/// <summary>Every element equal to <see cref="Value"/> (<c>keras.initializers.Constant</c>).</summary>
/// <remarks>Keras also accepts an array broadcast to the shape; only scalars are supported here.</remarks>
public sealed class Constant : Initializer
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="value">The value of every element, finite. Default: 0.0.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is NaN or infinite.</exception>
    public Constant(double value = 0.0)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"Constant: expected a finite value. Received: value={value}", nameof(value));
        Value = value;
    }

    /// <summary>The value of every element.</summary>
    public double Value { get; }

    /// <inheritdoc/>
    public override string ClassName => "Constant";

    /// <inheritdoc/>
    public override Tensor Create(Shape shape, DType dtype = DType.Float32)
    {
        CheckDType(dtype);
        return Tensor.Full(shape, Value, dtype);
    }

    /// <summary><c>{"value": value}</c>.</summary>
    public override JsonObject GetConfig() => new() { ["value"] = KerasJson.Float(Value) };

    internal static Constant FromConfig(JsonObject config)
    {
        KerasJson.RejectUnknownKeys(config, ["value", LegacyDTypeKey], "Constant");
        if (config["value"] is JsonArray or JsonObject)
            throw new NotSupportedException(
                $"Constant: value {KerasJson.Describe(config["value"])} is an array; only scalar values are supported.");
        return new Constant(KerasJson.GetDouble(config, "value", 0.0));
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
