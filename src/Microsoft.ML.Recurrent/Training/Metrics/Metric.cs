using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Training.Metrics;

/// <summary>
/// A stateful metric (Keras <c>keras.metrics.Metric</c>): <see cref="UpdateState"/> accumulates batches,
/// <see cref="Result"/> reads the value so far, <see cref="ResetState"/> starts over (Fit resets at each epoch).
/// Metrics accumulate on the host in double precision.
/// </summary>
public abstract class Metric
{
    /// <summary>Initializes the name.</summary>
    /// <param name="name">The name shown in logs and History (e.g. <c>"accuracy"</c>).</param>
    protected Metric(string name) => Name = name;

    /// <summary>The name used in logs and <see cref="Models.History"/> (validation values get a <c>val_</c> prefix).</summary>
    public string Name { get; }

    /// <summary>The Keras class name.</summary>
    public abstract string ClassName { get; }

    /// <summary>Adds a batch: targets, predictions and optional per-sample weights.</summary>
    public abstract void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null);

    /// <summary>The metric's value over everything accumulated since the last reset.</summary>
    public abstract double Result();

    /// <summary>Forgets the accumulated state.</summary>
    public abstract void ResetState();

    /// <summary>The Keras config (<c>name</c>, <c>dtype</c>, plus the metric's own keys).</summary>
    public virtual JsonObject GetConfig() => new() { ["name"] = Name, ["dtype"] = "float32" };

    /// <summary>The Keras envelope <c>{"module": "keras.metrics", "class_name", "config", "registered_name"}</c>.</summary>
    public JsonObject ToConfig() => new()
    {
        ["module"] = "keras.metrics",
        ["class_name"] = ClassName,
        ["config"] = GetConfig(),
        ["registered_name"] = null,
    };

    /// <summary>A metric from a Keras name (<c>"mae"</c>, <c>"mse"</c>, <c>"rmse"</c>, <c>"auc"</c>, <c>"binary_accuracy"</c>, ...); <c>"accuracy"</c> gives <see cref="Accuracy"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Metric Get(string name) => name switch
    {
        "accuracy" or "acc" => new Accuracy(),
        "binary_accuracy" => new BinaryAccuracy(),
        "categorical_accuracy" => new CategoricalAccuracy(),
        "sparse_categorical_accuracy" => new SparseCategoricalAccuracy(),
        "top_k_categorical_accuracy" => new TopKCategoricalAccuracy(),
        "mae" or "mean_absolute_error" => new MeanAbsoluteError(),
        "mse" or "mean_squared_error" => new MeanSquaredError(),
        "rmse" or "root_mean_squared_error" => new RootMeanSquaredError(),
        "auc" => new Auc(),
        _ => throw new ArgumentException($"Could not interpret metric identifier: '{name}'. Expected accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy, mae, mse, rmse or auc.", nameof(name)),
    };

    /// <summary>A metric from its Keras envelope (as written by <see cref="ToConfig"/>) or name.</summary>
    /// <exception cref="FormatException">Unknown class.</exception>
    public static Metric FromConfig(JsonNode configOrName)
    {
        if (configOrName is JsonValue v) return Get(v.GetValue<string>());
        var envelope = (JsonObject)configOrName;
        var c = envelope["config"] as JsonObject ?? new JsonObject();
        string? name = c["name"] is JsonValue n ? n.GetValue<string>() : null;
        double D(string key, double fallback) => KerasJson.GetDouble(c, key, fallback);
        return envelope["class_name"]?.GetValue<string>() switch
        {
            "Accuracy" => new Accuracy(name ?? "accuracy"),
            "BinaryAccuracy" => new BinaryAccuracy(D("threshold", 0.5), name ?? "binary_accuracy"),
            "CategoricalAccuracy" => new CategoricalAccuracy(name ?? "categorical_accuracy"),
            "SparseCategoricalAccuracy" => new SparseCategoricalAccuracy(name ?? "sparse_categorical_accuracy"),
            "TopKCategoricalAccuracy" => new TopKCategoricalAccuracy((int)D("k", 5), name ?? "top_k_categorical_accuracy"),
            "MeanAbsoluteError" => new MeanAbsoluteError(name ?? "mean_absolute_error"),
            "MeanSquaredError" => new MeanSquaredError(name ?? "mean_squared_error"),
            "RootMeanSquaredError" => new RootMeanSquaredError(name ?? "root_mean_squared_error"),
            "AUC" => new Auc((int)D("num_thresholds", 200), c["curve"]?.GetValue<string>() ?? "ROC", c["summation_method"]?.GetValue<string>() ?? "interpolation", KerasJson.GetBool(c, "from_logits", false), name ?? "auc"),
            "Mean" => new Mean(name ?? "mean"),
            var other => throw new FormatException($"Unknown metric class '{other}'."),
        };
    }

    /// <summary>Host copies of a batch: targets, predictions, prediction shape and per-row weights (rows = all axes but the last).</summary>
    private protected static (double[] True, double[] Pred, Shape PredShape, double[]? Weights) Host(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
        => (yTrue.ToDoubleArray(), yPred.ToDoubleArray(), yPred.Shape, sampleWeight?.ToDoubleArray());

    /// <summary>The weight of value <paramref name="index"/> of <paramref name="count"/> values, given per-sample weights (broadcast over trailing axes).</summary>
    private protected static double WeightAt(double[]? weights, long index, long count)
    {
        if (weights is null || weights.Length == 0) return 1;
        long per = count / weights.Length;
        return weights[per == 0 ? 0 : index / per];
    }
}

/// <summary>A weighted mean of values (Keras <c>Mean</c>), used to track losses.</summary>
/// <param name="name">Name. Default <c>"mean"</c>.</param>
public sealed class Mean(string name = "mean") : Metric(name)
{
    private double _total;
    private double _count;

    /// <inheritdoc/>
    public override string ClassName => "Mean";

    /// <summary>Adds <paramref name="value"/> with weight <paramref name="weight"/>.</summary>
    public void Update(double value, double weight = 1)
    {
        _total += value * weight;
        _count += weight;
    }

    /// <summary>Adds every element of <paramref name="yPred"/> (the target is ignored).</summary>
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        var values = yPred.ToDoubleArray();
        var weights = sampleWeight?.ToDoubleArray();
        for (long i = 0; i < values.Length; i++) Update(values[i], WeightAt(weights, i, values.Length));
    }

    /// <inheritdoc/>
    public override double Result() => _count == 0 ? 0 : _total / _count;

    /// <inheritdoc/>
    public override void ResetState() => _total = _count = 0;
}

/// <summary>
/// A metric that averages a per-row value (Keras <c>MeanMetricWrapper</c>): each row (all axes of the prediction but
/// the last) contributes its value, weighted by its sample weight.
/// </summary>
public abstract class MeanMetricWrapper : Metric
{
    private double _total;
    private double _count;

    /// <summary>Initializes the name.</summary>
    /// <param name="name">The metric name.</param>
    protected MeanMetricWrapper(string name) : base(name)
    {
    }

    /// <summary>The value of one row: <paramref name="yTrue"/> and <paramref name="yPred"/> hold the row's targets and predictions.</summary>
    protected abstract double RowValue(ReadOnlySpan<double> yTrue, ReadOnlySpan<double> yPred);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Targets do not fit the predictions.</exception>
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        var (t, p, shape, w) = Host(yTrue, yPred, sampleWeight);
        int width = shape.Rank == 0 ? 1 : shape[^1];
        long rows = p.Length / Math.Max(width, 1);
        int trueWidth = rows == 0 ? 0 : (int)(t.Length / rows);
        if (rows > 0 && trueWidth * rows != t.Length)
            throw new ArgumentException($"Metric '{Name}': y_true has shape {yTrue.Shape} and y_pred {yPred.Shape}; they do not have the same rows.", nameof(yTrue));
        for (long r = 0; r < rows; r++)
        {
            double weight = WeightAt(w, r, rows);
            _total += weight * RowValue(t.AsSpan((int)(r * trueWidth), trueWidth), p.AsSpan((int)(r * width), width));
            _count += weight;
        }
    }

    /// <inheritdoc/>
    public override double Result() => _count == 0 ? 0 : _total / _count;

    /// <inheritdoc/>
    public override void ResetState() => _total = _count = 0;

    /// <summary>Index of the largest element (the first on ties, like argmax).</summary>
    private protected static int ArgMax(ReadOnlySpan<double> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}

/// <summary>Fraction of predictions exactly equal to the targets (Keras <c>Accuracy</c>).</summary>
/// <param name="name">Name. Default <c>"accuracy"</c>.</param>
public sealed class Accuracy(string name = "accuracy") : MeanMetricWrapper(name)
{
    /// <inheritdoc/>
    public override string ClassName => "Accuracy";

    /// <inheritdoc/>
    protected override double RowValue(ReadOnlySpan<double> yTrue, ReadOnlySpan<double> yPred)
    {
        double hits = 0;
        for (int i = 0; i < yPred.Length; i++) if (yTrue[i] == yPred[i]) hits++;
        return hits / yPred.Length;
    }
}

/// <summary>Fraction of <c>(y_pred &gt; threshold) == y_true</c> (Keras <c>BinaryAccuracy</c>).</summary>
/// <param name="threshold">Decision threshold. Default 0.5.</param>
/// <param name="name">Name. Default <c>"binary_accuracy"</c>.</param>
public sealed class BinaryAccuracy(double threshold = 0.5, string name = "binary_accuracy") : MeanMetricWrapper(name)
{
    /// <summary>The decision threshold.</summary>
    public double Threshold { get; } = threshold;

    /// <inheritdoc/>
    public override string ClassName => "BinaryAccuracy";

    /// <inheritdoc/>
    protected override double RowValue(ReadOnlySpan<double> yTrue, ReadOnlySpan<double> yPred)
    {
        double hits = 0;
        for (int i = 0; i < yPred.Length; i++) if ((yPred[i] > Threshold ? 1.0 : 0.0) == yTrue[i]) hits++;
        return hits / yPred.Length;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["threshold"] = Threshold;
        return c;
    }
}

/// <summary>Fraction of rows whose predicted argmax equals the one-hot target's argmax (Keras <c>CategoricalAccuracy</c>).</summary>
/// <param name="name">Name. Default <c>"categorical_accuracy"</c>.</param>
public sealed class CategoricalAccuracy(string name = "categorical_accuracy") : MeanMetricWrapper(name)
{
    /// <inheritdoc/>
    public override string ClassName => "CategoricalAccuracy";

    /// <inheritdoc/>
    protected override double RowValue(ReadOnlySpan<double> yTrue, ReadOnlySpan<double> yPred) => ArgMax(yTrue) == ArgMax(yPred) ? 1 : 0;
}

/// <summary>Fraction of rows whose predicted argmax equals the integer target (Keras <c>SparseCategoricalAccuracy</c>).</summary>
/// <param name="name">Name. Default <c>"sparse_categorical_accuracy"</c>.</param>
public sealed class SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy") : MeanMetricWrapper(name)
{
    /// <inheritdoc/>
    public override string ClassName => "SparseCategoricalAccuracy";

    /// <inheritdoc/>
    protected override double RowValue(ReadOnlySpan<double> yTrue, ReadOnlySpan<double> yPred) => ArgMax(yPred) == (int)yTrue[0] ? 1 : 0;
}

/// <summary>Fraction of rows whose one-hot target class is among the <c>k</c> largest predictions (Keras <c>TopKCategoricalAccuracy</c>).</summary>
/// <param name="k">How many top predictions count. Default 5.</param>
/// <param name="name">Name. Default <c>"top_k_categorical_accuracy"</c>.</param>
public sealed class TopKCategoricalAccuracy(int k = 5, string name = "top_k_categorical_accuracy") : MeanMetricWrapper(name)
{
    /// <summary>How many top predictions count.</summary>
    public int K { get; } = k;

    /// <inheritdoc/>
    public override string ClassName => "TopKCategoricalAccuracy";

    /// <inheritdoc/>
    protected override double RowValue(ReadOnlySpan<double> yTrue, ReadOnlySpan<double> yPred)
    {
        int target = ArgMax(yTrue);
        int above = 0;
        for (int i = 0; i < yPred.Length; i++) if (yPred[i] > yPred[target]) above++;
        return above < K ? 1 : 0;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["k"] = K;
        return c;
    }
}

/// <summary>Mean absolute error, averaged per row then over rows (Keras metric <c>MeanAbsoluteError</c>).</summary>
/// <param name="name">Name. Default <c>"mean_absolute_error"</c>.</param>
public sealed class MeanAbsoluteError(string name = "mean_absolute_error") : MeanMetricWrapper(name)
{
    /// <inheritdoc/>
    public override string ClassName => "MeanAbsoluteError";

    /// <inheritdoc/>
    protected override double RowValue(ReadOnlySpan<double> yTrue, ReadOnlySpan<double> yPred)
    {
        double sum = 0;
        for (int i = 0; i < yPred.Length; i++) sum += Math.Abs(yPred[i] - yTrue[i]);
        return sum / yPred.Length;
    }
}

/// <summary>Mean squared error, averaged per row then over rows (Keras metric <c>MeanSquaredError</c>).</summary>
/// <param name="name">Name. Default <c>"mean_squared_error"</c>.</param>
public sealed class MeanSquaredError(string name = "mean_squared_error") : MeanMetricWrapper(name)
{
    /// <inheritdoc/>
    public override string ClassName => "MeanSquaredError";

    /// <inheritdoc/>
    protected override double RowValue(ReadOnlySpan<double> yTrue, ReadOnlySpan<double> yPred)
    {
        double sum = 0;
        for (int i = 0; i < yPred.Length; i++) sum += (yPred[i] - yTrue[i]) * (yPred[i] - yTrue[i]);
        return sum / yPred.Length;
    }
}

/// <summary>Root of the weighted mean of squared errors over all elements (Keras <c>RootMeanSquaredError</c>).</summary>
/// <param name="name">Name. Default <c>"root_mean_squared_error"</c>.</param>
public sealed class RootMeanSquaredError(string name = "root_mean_squared_error") : Metric(name)
{
    private double _total;
    private double _count;

    /// <inheritdoc/>
    public override string ClassName => "RootMeanSquaredError";

    /// <inheritdoc/>
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        var (t, p, _, w) = Host(yTrue, yPred, sampleWeight);
        if (t.Length != p.Length)
            throw new ArgumentException($"Metric '{Name}': y_true has shape {yTrue.Shape} and y_pred {yPred.Shape}; expected the same number of elements.", nameof(yTrue));
        for (long i = 0; i < p.Length; i++)
        {
            double weight = WeightAt(w, i, p.Length);
            _total += weight * (p[i] - t[i]) * (p[i] - t[i]);
            _count += weight;
        }
    }

    /// <inheritdoc/>
    public override double Result() => _count == 0 ? 0 : Math.Sqrt(_total / _count);

    /// <inheritdoc/>
    public override void ResetState() => _total = _count = 0;
}
