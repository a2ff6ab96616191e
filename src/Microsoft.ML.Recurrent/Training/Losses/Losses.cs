using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Training.Losses;

/// <summary>Mean of <c>(y_pred − y_true)²</c> over the last axis (Keras <c>MeanSquaredError</c>).</summary>
/// <param name="reduction">Reduction. Default <c>"sum_over_batch_size"</c>.</param>
/// <param name="name">Name. Default <c>"mean_squared_error"</c>.</param>
public sealed class MeanSquaredError(string reduction = "sum_over_batch_size", string? name = null) : Loss(reduction, name)
{
    /// <inheritdoc/>
    protected override string FunctionName => "mean_squared_error";

    /// <inheritdoc/>
    public override string ClassName => "MeanSquaredError";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => MeanLast(Ops.Square(Ops.Subtract(yPred, yTrue)));
}

/// <summary>Mean of <c>|y_pred − y_true|</c> over the last axis (Keras <c>MeanAbsoluteError</c>).</summary>
/// <param name="reduction">Reduction. Default <c>"sum_over_batch_size"</c>.</param>
/// <param name="name">Name. Default <c>"mean_absolute_error"</c>.</param>
public sealed class MeanAbsoluteError(string reduction = "sum_over_batch_size", string? name = null) : Loss(reduction, name)
{
    /// <inheritdoc/>
    protected override string FunctionName => "mean_absolute_error";

    /// <inheritdoc/>
    public override string ClassName => "MeanAbsoluteError";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => MeanLast(Ops.Abs(Ops.Subtract(yPred, yTrue)));
}

/// <summary><c>100 · mean(|y_true − y_pred| / max(|y_true|, ε))</c> over the last axis (Keras <c>MeanAbsolutePercentageError</c>).</summary>
/// <param name="reduction">Reduction. Default <c>"sum_over_batch_size"</c>.</param>
/// <param name="name">Name. Default <c>"mean_absolute_percentage_error"</c>.</param>
public sealed class MeanAbsolutePercentageError(string reduction = "sum_over_batch_size", string? name = null) : Loss(reduction, name)
{
    /// <inheritdoc/>
    protected override string FunctionName => "mean_absolute_percentage_error";

    /// <inheritdoc/>
    public override string ClassName => "MeanAbsolutePercentageError";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var denominator = Ops.Maximum(Ops.Abs(yTrue), Tensor.Scalar(Epsilon, yTrue.DType));
        return Ops.Multiply(MeanLast(Ops.Abs(Ops.Divide(Ops.Subtract(yTrue, yPred), denominator))), 100.0);
    }
}

/// <summary>Mean of <c>(log(max(y_pred, ε) + 1) − log(max(y_true, ε) + 1))²</c> over the last axis (Keras <c>MeanSquaredLogarithmicError</c>).</summary>
/// <param name="reduction">Reduction. Default <c>"sum_over_batch_size"</c>.</param>
/// <param name="name">Name. Default <c>"mean_squared_logarithmic_error"</c>.</param>
public sealed class MeanSquaredLogarithmicError(string reduction = "sum_over_batch_size", string? name = null) : Loss(reduction, name)
{
    /// <inheritdoc/>
    protected override string FunctionName => "mean_squared_logarithmic_error";

    /// <inheritdoc/>
    public override string ClassName => "MeanSquaredLogarithmicError";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var eps = Tensor.Scalar(Epsilon, yPred.DType);
        var first = Ops.Log(Ops.Add(Ops.Maximum(yPred, eps), 1.0));
        var second = Ops.Log(Ops.Add(Ops.Maximum(yTrue, eps), 1.0));
        return MeanLast(Ops.Square(Ops.Subtract(first, second)));
    }
}

/// <summary>
/// Huber loss (Keras <c>Huber</c>): mean over the last axis of <c>½e²</c> where <c>|e| ≤ δ</c> and <c>δ|e| − ½δ²</c> elsewhere.
/// </summary>
/// <param name="delta">The switch point δ. Default 1.0.</param>
/// <param name="reduction">Reduction. Default <c>"sum_over_batch_size"</c>.</param>
/// <param name="name">Name. Default <c>"huber_loss"</c>.</param>
public sealed class Huber(double delta = 1.0, string reduction = "sum_over_batch_size", string? name = null) : Loss(reduction, name)
{
    /// <summary>The switch point δ.</summary>
    public double Delta { get; } = delta;

    /// <inheritdoc/>
    protected override string FunctionName => "huber_loss";

    /// <inheritdoc/>
    public override string ClassName => "Huber";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var error = Ops.Subtract(yPred, yTrue);
        var absError = Ops.Abs(error);
        var quadratic = Ops.Multiply(Ops.Square(error), 0.5);
        var linear = Ops.Add(Ops.Multiply(absError, Delta), -0.5 * Delta * Delta);
        return MeanLast(Ops.Where(Ops.LessEqual(absError, Tensor.Scalar(Delta, absError.DType)), quadratic, linear));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["delta"] = Delta;
        return c;
    }
}

/// <summary>Mean of <c>log(cosh(y_pred − y_true))</c> over the last axis, computed as <c>e + softplus(−2e) − log 2</c> (Keras <c>LogCosh</c>).</summary>
/// <param name="reduction">Reduction. Default <c>"sum_over_batch_size"</c>.</param>
/// <param name="name">Name. Default <c>"log_cosh"</c>.</param>
public sealed class LogCosh(string reduction = "sum_over_batch_size", string? name = null) : Loss(reduction, name)
{
    /// <inheritdoc/>
    protected override string FunctionName => "log_cosh";

    /// <inheritdoc/>
    public override string ClassName => "LogCosh";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var e = Ops.Subtract(yPred, yTrue);
        return MeanLast(Ops.Add(Ops.Add(e, Ops.Softplus(Ops.Multiply(e, -2.0))), -Math.Log(2.0)));
    }
}

/// <summary>
/// Binary cross-entropy (Keras <c>BinaryCrossentropy</c>), mean over the last axis. Probabilities are clipped to
/// [ε, 1 − ε]; logits use the stable <c>max(x, 0) − x·z + log(1 + e^(−|x|))</c>. Label smoothing maps targets to
/// <c>z(1 − s) + s/2</c>.
/// </summary>
/// <param name="fromLogits">Predictions are logits rather than probabilities. Default false.</param>
/// <param name="labelSmoothing">Smoothing s in [0, 1]. Default 0.</param>
/// <param name="axis">The class axis that is averaged. Default -1.</param>
/// <param name="reduction">Reduction. Default <c>"sum_over_batch_size"</c>.</param>
/// <param name="name">Name. Default <c>"binary_crossentropy"</c>.</param>
public sealed class BinaryCrossentropy(bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1, string reduction = "sum_over_batch_size", string? name = null) : Loss(reduction, name)
{
    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>Label smoothing.</summary>
    public double LabelSmoothing { get; } = labelSmoothing;

    /// <summary>The averaged axis.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    protected override string FunctionName => "binary_crossentropy";

    /// <inheritdoc/>
    public override string ClassName => "BinaryCrossentropy";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        if (LabelSmoothing != 0) yTrue = Ops.Add(Ops.Multiply(yTrue, 1.0 - LabelSmoothing), 0.5 * LabelSmoothing);
        Tensor elementwise;
        if (FromLogits)
        {
            elementwise = Ops.Add(Ops.Subtract(Ops.Relu(yPred), Ops.Multiply(yPred, yTrue)), Ops.Softplus(Ops.Negate(Ops.Abs(yPred))));
        }
        else
        {
            var p = Ops.Clip(yPred, Epsilon, 1.0 - Epsilon);
            var positive = Ops.Multiply(yTrue, Ops.Log(p));
            var negative = Ops.Multiply(Ops.Add(Ops.Negate(yTrue), 1.0), Ops.Log(Ops.Add(Ops.Negate(p), 1.0)));
            elementwise = Ops.Negate(Ops.Add(positive, negative));
        }
        return Ops.Mean(elementwise, Axis);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits;
        c["label_smoothing"] = LabelSmoothing;
        c["axis"] = Axis;
        return c;
    }
}

/// <summary>
/// Categorical cross-entropy over one-hot targets (Keras <c>CategoricalCrossentropy</c>): probabilities are
/// renormalized to sum 1, clipped to [ε, 1 − ε] and logged; logits go through log-softmax. Label smoothing maps
/// targets to <c>y(1 − s) + s/classes</c>.
/// </summary>
/// <param name="fromLogits">Predictions are logits. Default false.</param>
/// <param name="labelSmoothing">Smoothing s in [0, 1]. Default 0.</param>
/// <param name="axis">The class axis. Default -1.</param>
/// <param name="reduction">Reduction. Default <c>"sum_over_batch_size"</c>.</param>
/// <param name="name">Name. Default <c>"categorical_crossentropy"</c>.</param>
public sealed class CategoricalCrossentropy(bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1, string reduction = "sum_over_batch_size", string? name = null) : Loss(reduction, name)
{
    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>Label smoothing.</summary>
    public double LabelSmoothing { get; } = labelSmoothing;

    /// <summary>The class axis.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    protected override string FunctionName => "categorical_crossentropy";

    /// <inheritdoc/>
    public override string ClassName => "CategoricalCrossentropy";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        if (LabelSmoothing != 0) yTrue = Ops.Add(Ops.Multiply(yTrue, 1.0 - LabelSmoothing), LabelSmoothing / yPred.Shape[Axis]);
        return Crossentropy(yTrue, yPred, FromLogits, Axis);
    }

    internal static Tensor Crossentropy(Tensor target, Tensor output, bool fromLogits, int axis)
    {
        Tensor logProbabilities;
        if (fromLogits)
        {
            logProbabilities = Ops.LogSoftmax(output, axis);
        }
        else
        {
            var normalized = Ops.Divide(output, Ops.Sum(output, axis, keepDims: true));
            logProbabilities = Ops.Log(Ops.Clip(normalized, Epsilon, 1.0 - Epsilon));
        }
        return Ops.Negate(Ops.Sum(Ops.Multiply(target, logProbabilities), axis));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits;
        c["label_smoothing"] = LabelSmoothing;
        c["axis"] = Axis;
        return c;
    }
}

/// <summary>
/// Categorical cross-entropy with integer class targets (Keras <c>SparseCategoricalCrossentropy</c>). Targets have
/// the predictions' shape without the class axis (or with a trailing 1); entries equal to <c>ignoreClass</c> get zero
/// loss and are excluded from the mean.
/// </summary>
/// <param name="fromLogits">Predictions are logits. Default false.</param>
/// <param name="ignoreClass">A target value to ignore; null for none. Default null.</param>
/// <param name="reduction">Reduction. Default <c>"sum_over_batch_size"</c>.</param>
/// <param name="name">Name. Default <c>"sparse_categorical_crossentropy"</c>.</param>
public sealed class SparseCategoricalCrossentropy(bool fromLogits = false, int? ignoreClass = null, string reduction = "sum_over_batch_size", string? name = null) : Loss(reduction, name)
{
    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>The ignored target value, or null.</summary>
    public int? IgnoreClass { get; } = ignoreClass;

    /// <inheritdoc/>
    protected override string FunctionName => "sparse_categorical_crossentropy";

    /// <inheritdoc/>
    public override string ClassName => "SparseCategoricalCrossentropy";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A target is outside [0, classes) and not the ignored class.</exception>
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var oneHot = OneHot(yTrue, yPred, IgnoreClass, out var valid);
        var values = CategoricalCrossentropy.Crossentropy(oneHot, yPred, FromLogits, -1);
        return valid is null ? values : Ops.Multiply(values, valid);
    }

    /// <summary>One-hot targets (built on the host: targets carry no gradient) and, with an ignored class, a 0/1 validity mask.</summary>
    internal static Tensor OneHot(Tensor yTrue, Tensor yPred, int? ignoreClass, out Tensor? valid)
    {
        int classes = yPred.Shape[^1];
        var labels = yTrue.ToDoubleArray();
        long rows = yPred.Size / classes;
        if (labels.Length != rows)
            throw new ArgumentException($"sparse_categorical_crossentropy: y_true has shape {yTrue.Shape} ({labels.Length} labels) but y_pred {yPred.Shape} has {rows} rows of {classes} classes; expected one integer label per row.", nameof(yTrue));
        var oneHot = new double[yPred.Size];
        double[]? validity = ignoreClass is null ? null : new double[rows];
        for (long r = 0; r < rows; r++)
        {
            int label = (int)labels[r];
            if (ignoreClass == label) continue;
            if (validity is not null) validity[r] = 1;
            if (label < 0 || label >= classes)
                throw new ArgumentException($"sparse_categorical_crossentropy: label {labels[r]} at row {r} is outside [0, {classes}).", nameof(yTrue));
            oneHot[r * classes + label] = 1;
        }
        var predictionShape = yPred.Shape;
        var rowShape = new Shape(predictionShape.ToArray()[..^1]);
        valid = validity is null ? null : Ops.Cast(Tensor.FromArray(validity, rowShape), yPred.DType);
        return Ops.Cast(Tensor.FromArray(oneHot, predictionShape), yPred.DType);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits;
        c["ignore_class"] = IgnoreClass;
        return c;
    }
}

/// <summary>Kullback-Leibler divergence <c>Σ y_true·log(y_true / y_pred)</c> over the last axis, both clipped to [ε, 1] (Keras <c>KLDivergence</c>).</summary>
/// <param name="reduction">Reduction. Default <c>"sum_over_batch_size"</c>.</param>
/// <param name="name">Name. Default <c>"kl_divergence"</c>.</param>
public sealed class KLDivergence(string reduction = "sum_over_batch_size", string? name = null) : Loss(reduction, name)
{
    /// <inheritdoc/>
    protected override string FunctionName => "kl_divergence";

    /// <inheritdoc/>
    public override string ClassName => "KLDivergence";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var t = Ops.Clip(yTrue, Epsilon, 1.0);
        var p = Ops.Clip(yPred, Epsilon, 1.0);
        return Ops.Sum(Ops.Multiply(t, Ops.Log(Ops.Divide(t, p))), -1);
    }
}

/// <summary>Mean of <c>y_pred − y_true·log(y_pred + ε)</c> over the last axis (Keras <c>Poisson</c>).</summary>
/// <param name="reduction">Reduction. Default <c>"sum_over_batch_size"</c>.</param>
/// <param name="name">Name. Default <c>"poisson"</c>.</param>
public sealed class Poisson(string reduction = "sum_over_batch_size", string? name = null) : Loss(reduction, name)
{
    /// <inheritdoc/>
    protected override string FunctionName => "poisson";

    /// <inheritdoc/>
    public override string ClassName => "Poisson";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => MeanLast(Ops.Subtract(yPred, Ops.Multiply(yTrue, Ops.Log(Ops.Add(yPred, Epsilon)))));
}

/// <summary>
/// Negative cosine similarity <c>−Σ ŷ_true·ŷ_pred</c> of the L2-normalized vectors along <c>axis</c> (Keras
/// <c>CosineSimilarity</c>): −1 for aligned vectors, 0 for orthogonal ones.
/// </summary>
/// <param name="axis">The vector axis. Default -1.</param>
/// <param name="reduction">Reduction. Default <c>"sum_over_batch_size"</c>.</param>
/// <param name="name">Name. Default <c>"cosine_similarity"</c>.</param>
public sealed class CosineSimilarity(int axis = -1, string reduction = "sum_over_batch_size", string? name = null) : Loss(reduction, name)
{
    /// <summary>The vector axis.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    protected override string FunctionName => "cosine_similarity";

    /// <inheritdoc/>
    public override string ClassName => "CosineSimilarity";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) =>
        Ops.Negate(Ops.Sum(Ops.Multiply(Normalize(yTrue, Axis), Normalize(yPred, Axis)), Axis));

    private static Tensor Normalize(Tensor x, int axis)
    {
        var squareSum = Ops.Sum(Ops.Square(x), axis, keepDims: true);
        return Ops.Divide(x, Ops.Sqrt(Ops.Maximum(squareSum, Tensor.Scalar(1e-12, x.DType))));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        return c;
    }
}
