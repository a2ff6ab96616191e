using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Regularizers;

/// <summary>The L1 penalty <c>l1 · Σ|w|</c> (<c>keras.regularizers.L1</c>; string <c>"l1"</c>).</summary>
public sealed class L1 : Regularizer
{
    /// <summary>Creates the regularizer.</summary>
    /// <param name="l1">The factor, finite and ≥ 0; null means the default. Default: 0.01.</param>
    /// <exception cref="ArgumentException"><paramref name="l1"/> is negative or not finite.</exception>
    public L1(double? l1 = 0.01) => Factor = ValidateFactor(l1 ?? 0.01, "l1", "L1");

    /// <summary>The factor <c>l1</c>.</summary>
    public double Factor { get; }

    /// <inheritdoc/>
    public override string ClassName => "L1";

    /// <inheritdoc/>
    public override Tensor Compute(Tensor weight) => Ops.Multiply(Ops.Sum(Ops.Abs(weight)), Factor);

    /// <summary><c>{"l1": l1}</c>.</summary>
    public override JsonObject GetConfig() => new() { ["l1"] = KerasJson.Float(Factor) };
}

/// <summary>The L2 penalty <c>l2 · Σw²</c> (no ½) (<c>keras.regularizers.L2</c>; string <c>"l2"</c>).</summary>
public sealed class L2 : Regularizer
{
    /// <summary>Creates the regularizer.</summary>
    /// <param name="l2">The factor, finite and ≥ 0; null means the default. Default: 0.01.</param>
    /// <exception cref="ArgumentException"><paramref name="l2"/> is negative or not finite.</exception>
    public L2(double? l2 = 0.01) => Factor = ValidateFactor(l2 ?? 0.01, "l2", "L2");

    /// <summary>The factor <c>l2</c>.</summary>
    public double Factor { get; }

    /// <inheritdoc/>
    public override string ClassName => "L2";

    /// <inheritdoc/>
    public override Tensor Compute(Tensor weight) => Ops.Multiply(Ops.Sum(Ops.Square(weight)), Factor);

    /// <summary><c>{"l2": l2}</c>.</summary>
    public override JsonObject GetConfig() => new() { ["l2"] = KerasJson.Float(Factor) };
}

/// <summary>
/// The penalty <c>l1 · Σ|w| + l2 · Σw²</c> (<c>keras.regularizers.L1L2</c>; string <c>"l1l2"</c>). Both factors
/// default to 0, unlike the Keras 2 function <c>l1_l2</c> (0.01 each).
/// </summary>
public sealed class L1L2 : Regularizer
{
    /// <summary>Creates the regularizer.</summary>
    /// <param name="l1">The L1 factor, finite and ≥ 0; null means 0. Default: 0.0.</param>
    /// <param name="l2">The L2 factor, finite and ≥ 0; null means 0. Default: 0.0.</param>
    /// <exception cref="ArgumentException">A factor is negative or not finite.</exception>
    public L1L2(double? l1 = 0.0, double? l2 = 0.0)
    {
        L1Factor = ValidateFactor(l1 ?? 0.0, "l1", "L1L2");
        L2Factor = ValidateFactor(l2 ?? 0.0, "l2", "L1L2");
    }

    /// <summary>The factor <c>l1</c>.</summary>
    public double L1Factor { get; }

    /// <summary>The factor <c>l2</c>.</summary>
    public double L2Factor { get; }

    /// <inheritdoc/>
    public override string ClassName => "L1L2";

    /// <inheritdoc/>
    /// <remarks>Terms with a zero factor are skipped, as in Keras; with both zero the result is a constant 0.</remarks>
    public override Tensor Compute(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        Tensor penalty = Tensor.Zeros(Shape.Scalar, weight.DType, weight.Device);
        if (L1Factor != 0) penalty = Ops.Add(penalty, Ops.Multiply(Ops.Sum(Ops.Abs(weight)), L1Factor));
        if (L2Factor != 0) penalty = Ops.Add(penalty, Ops.Multiply(Ops.Sum(Ops.Square(weight)), L2Factor));
        return penalty;
    }

    /// <summary><c>{"l1": l1, "l2": l2}</c>.</summary>
    public override JsonObject GetConfig() => new()
    {
        ["l1"] = KerasJson.Float(L1Factor),
        ["l2"] = KerasJson.Float(L2Factor),
    };
}

/// <summary>
/// Encourages the rows (or columns) of a rank-2 weight to be orthogonal to each other
/// (<c>keras.regularizers.OrthogonalRegularizer</c>; string <c>"orthogonal_regularizer"</c>).
/// </summary>
/// <remarks>
/// The rows (<c>mode = "rows"</c>) or columns (<c>"columns"</c>) are L2-normalized (each divided by
/// max(‖v‖, 1e-7)), P is the matrix of their dot products, and the penalty is
/// <c>factor · 0.5 · Σ|offdiag(P)| / (n(n−1)/2)</c> with n the number of rows (columns): <c>factor/2</c> times the
/// mean absolute cosine over ordered pairs. With a single row (column) the pair count is 0 and the penalty is NaN,
/// as in Keras.
/// </remarks>
public sealed class OrthogonalRegularizer : Regularizer
{
    /// <summary>Creates the regularizer.</summary>
    /// <param name="factor">The factor, finite and ≥ 0. Default: 0.01.</param>
    /// <param name="mode"><c>"rows"</c> or <c>"columns"</c>. Default: <c>"rows"</c>.</param>
    /// <exception cref="ArgumentException">The factor is negative or not finite, or the mode is unknown.</exception>
    public OrthogonalRegularizer(double factor = 0.01, string mode = "rows")
    {
        Factor = ValidateFactor(factor, "factor", "OrthogonalRegularizer");
        if (mode is not ("rows" or "columns"))
            throw new ArgumentException($"Invalid value for argument `mode`. Expected one of {{\"rows\", \"columns\"}}. Received: mode={mode}", nameof(mode));
        Mode = mode;
    }

    /// <summary>The factor.</summary>
    public double Factor { get; }

    /// <summary><c>"rows"</c> or <c>"columns"</c>.</summary>
    public string Mode { get; }

    /// <inheritdoc/>
    public override string ClassName => "OrthogonalRegularizer";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The weight is not rank 2.</exception>
    public override Tensor Compute(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2)
            throw new ArgumentException($"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape={weight.Shape}", nameof(weight));
        bool rows = Mode == "rows";
        int normAxis = rows ? 1 : 0;
        var norms = Ops.Sqrt(Ops.Sum(Ops.Square(weight), normAxis, keepDims: true));
        var epsilon = Tensor.Full(Shape.Scalar, 1e-7, weight.DType, weight.Device);
        var normalized = Ops.Divide(weight, Ops.Maximum(norms, epsilon));
        var product = rows
            ? Ops.MatMul(normalized, normalized, transposeB: true)
            : Ops.MatMul(normalized, normalized, transposeA: true);
        int size = weight.Shape[rows ? 0 : 1];
        var mask = new double[(long)size * size];
        Array.Fill(mask, 1.0);
        for (int i = 0; i < size; i++) mask[(long)i * size + i] = 0;
        using var maskF64 = Tensor.FromArray(mask, new Shape(size, size), weight.Device);
        var offDiagonal = weight.DType == DType.Float64 ? maskF64.Clone() : Ops.Cast(maskF64, weight.DType);
        double pairs = size * (size - 1.0) / 2.0;
        return Ops.Multiply(Ops.Sum(Ops.Abs(Ops.Multiply(product, offDiagonal))), Factor * 0.5 / pairs);
    }

    /// <summary><c>{"factor": factor, "mode": mode}</c>.</summary>
    public override JsonObject GetConfig() => new()
    {
        ["factor"] = KerasJson.Float(Factor),
        ["mode"] = Mode,
    };
}
