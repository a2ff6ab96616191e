using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Training.Losses;

/// <summary>
/// The base of the Keras 3 losses (<c>keras.losses.Loss</c>): <see cref="Call"/> gives one value per sample (reduced
/// over the last axis), which <see cref="Compute"/> weights by the sample weights and the mask and reduces by
/// <see cref="Reduction"/>.
/// </summary>
/// <remarks>
/// Reductions follow Keras 3: <c>"sum_over_batch_size"</c> (default) sums the weighted values and divides by their
/// number (not by the sum of weights), <c>"sum"</c> sums, <c>"mean_with_sample_weight"</c> divides by the sum of the
/// weights, <c>"none"</c> returns the per-sample values. A mask (1 = valid) multiplies the weights; with
/// <c>"sum_over_batch_size"</c> the division is then by the number of valid entries, as Keras does.
/// </remarks>
public abstract class Loss
{
    /// <summary>The fuzz factor Keras uses in losses (<c>keras.backend.epsilon()</c>).</summary>
    public const double Epsilon = 1e-7;

    private static readonly string[] s_reductions = ["sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight"];

    /// <summary>Initializes the reduction and name.</summary>
    /// <param name="reduction">One of <c>"sum_over_batch_size"</c>, <c>"sum"</c>, <c>"mean"</c>, <c>"mean_with_sample_weight"</c>, <c>"none"</c>.</param>
    /// <param name="name">Name; null for the Keras function name.</param>
    /// <exception cref="ArgumentException">Unknown reduction.</exception>
    protected Loss(string reduction, string? name)
    {
        if (!s_reductions.Contains(reduction))
            throw new ArgumentException($"Invalid value for argument `reduction`. Expected one of {string.Join(", ", s_reductions)}. Received: reduction={reduction}", nameof(reduction));
        Reduction = reduction;
        _name = name;
    }

    private readonly string? _name;

    /// <summary>The loss name (the Keras function name by default, e.g. <c>"mean_squared_error"</c>).</summary>
    public string Name => _name ?? FunctionName;

    /// <summary>The Keras function name (<c>"mean_squared_error"</c>, ...).</summary>
    protected abstract string FunctionName { get; }

    /// <summary>The Keras class name (<c>"MeanSquaredError"</c>, ...).</summary>
    public abstract string ClassName { get; }

    /// <summary>How per-sample values are reduced.</summary>
    public string Reduction { get; }

    /// <summary>Per-sample loss values: <paramref name="yPred"/>'s shape without its last axis.</summary>
    public abstract Tensor Call(Tensor yTrue, Tensor yPred);

    /// <summary>
    /// The weighted, reduced loss (Keras <c>Loss.__call__</c>). <paramref name="sampleWeight"/> and
    /// <paramref name="mask"/> have the per-sample values' shape or a prefix of it (e.g. <c>(batch,)</c> for
    /// <c>(batch, time)</c> values).
    /// </summary>
    /// <exception cref="ArgumentException">The batch sizes differ.</exception>
    public Tensor Compute(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null, Tensor? mask = null)
    {
        if (yTrue.Rank > 0 && yPred.Rank > 0 && yTrue.Shape[0] != yPred.Shape[0])
            throw new ArgumentException($"Loss '{Name}': y_true has shape {yTrue.Shape} and y_pred {yPred.Shape}; expected the same batch size.", nameof(yTrue));
        if (yTrue.DType != yPred.DType && ClassName != nameof(SparseCategoricalCrossentropy)) yTrue = Ops.Cast(yTrue, yPred.DType);
        var values = Call(yTrue, yPred);
        Tensor? weight = null;
        if (sampleWeight is not null) weight = Align(Ops.Cast(sampleWeight, values.DType), values);
        if (mask is not null)
        {
            var m = Align(Ops.Cast(mask, values.DType), values);
            if (Reduction is "sum_over_batch_size" or "mean")
            {
                // Keras rescales the mask so that dividing by the element count divides by the valid count.
                double valid = Ops.Sum(Ops.BroadcastTo(m, values.Shape)).Item();
                m = Ops.Multiply(m, valid > 0 ? values.Size / valid : 0);
            }
            weight = weight is null ? m : Ops.Multiply(weight, m);
        }
        if (weight is not null) values = Ops.Multiply(values, weight);
        return Reduction switch
        {
            "none" => values,
            "sum" => Ops.Sum(values),
            "mean_with_sample_weight" when weight is not null => DivideNoNan(Ops.Sum(values), Ops.Sum(Ops.BroadcastTo(weight, values.Shape)).Item()),
            _ => DivideNoNan(Ops.Sum(values), values.Size),
        };
    }

    private static Tensor DivideNoNan(Tensor sum, double divisor) => divisor == 0 ? Ops.Multiply(sum, 0.0) : Ops.Divide(sum, divisor);

    /// <summary>Reshapes a weight to broadcast against <paramref name="values"/> (Keras <c>squeeze_or_expand_to_same_rank</c>).</summary>
    private static Tensor Align(Tensor weight, Tensor values)
    {
        if (weight.Rank == values.Rank + 1 && weight.Shape[^1] == 1) weight = Ops.Squeeze(weight, -1);
        while (weight.Rank < values.Rank) weight = Ops.ExpandDims(weight, -1);
        if (weight.Rank > values.Rank)
            throw new ArgumentException($"Sample weights of shape {weight.Shape} do not fit per-sample loss values of shape {values.Shape}.");
        return weight;
    }

    /// <summary>Keras config keys (<c>name</c>, <c>reduction</c>, plus the loss's own).</summary>
    public virtual JsonObject GetConfig() => new() { ["name"] = Name, ["reduction"] = Reduction };

    /// <summary>The Keras envelope <c>{"module": "keras.losses", "class_name", "config", "registered_name"}</c>.</summary>
    public JsonObject ToConfig() => new()
    {
        ["module"] = "keras.losses",
        ["class_name"] = ClassName,
        ["config"] = GetConfig(),
        ["registered_name"] = null,
    };

    /// <summary>Creates a loss from a Keras envelope or name (<c>"mse"</c>, <c>"mean_squared_error"</c>, <c>"MeanSquaredError"</c>, ...).</summary>
    /// <exception cref="FormatException">Unknown loss.</exception>
    public static Loss FromConfig(JsonNode configOrName)
    {
        if (configOrName is JsonValue v) return Get(v.GetValue<string>());
        var envelope = configOrName as JsonObject ?? throw new FormatException($"A loss config must be an object or a name; got {configOrName?.ToJsonString()}.");
        string className = envelope["class_name"]?.GetValue<string>() ?? "";
        var c = envelope["config"] as JsonObject ?? new JsonObject();
        string reduction = c["reduction"] is JsonValue r ? r.GetValue<string>() : "sum_over_batch_size";
        string? name = c["name"] is JsonValue n ? n.GetValue<string>() : null;
        double D(string key, double fallback) => KerasJson.GetDouble(c, key, fallback);
        bool B(string key) => KerasJson.GetBool(c, key, false);
        int I(string key, int fallback) => KerasJson.GetInt(c, key, fallback);
        return className switch
        {
            "MeanSquaredError" => new MeanSquaredError(reduction, name),
            "MeanAbsoluteError" => new MeanAbsoluteError(reduction, name),
            "MeanAbsolutePercentageError" => new MeanAbsolutePercentageError(reduction, name),
            "MeanSquaredLogarithmicError" => new MeanSquaredLogarithmicError(reduction, name),
            "Huber" => new Huber(D("delta", 1.0), reduction, name),
            "LogCosh" => new LogCosh(reduction, name),
            "BinaryCrossentropy" => new BinaryCrossentropy(B("from_logits"), D("label_smoothing", 0), I("axis", -1), reduction, name),
            "CategoricalCrossentropy" => new CategoricalCrossentropy(B("from_logits"), D("label_smoothing", 0), I("axis", -1), reduction, name),
            "SparseCategoricalCrossentropy" => new SparseCategoricalCrossentropy(B("from_logits"), KerasJson.GetNullableInt(c, "ignore_class"), reduction, name),
            "KLDivergence" => new KLDivergence(reduction, name),
            "Poisson" => new Poisson(reduction, name),
            "CosineSimilarity" => new CosineSimilarity(I("axis", -1), reduction, name),
            _ => FromFunctionName(className) ?? throw new FormatException($"Unknown loss class '{className}'."),
        };
    }

    /// <summary>A loss with default arguments from a Keras name or alias (<c>"mse"</c>, <c>"binary_crossentropy"</c>, ...).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Loss Get(string name) => FromFunctionName(name)
        ?? throw new ArgumentException($"Could not interpret loss identifier: '{name}'. Expected e.g. mse, mae, mape, msle, huber, log_cosh, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, kl_divergence, poisson, cosine_similarity.", nameof(name));

    private static Loss? FromFunctionName(string name) => name switch
    {
        "mse" or "mean_squared_error" or "MeanSquaredError" => new MeanSquaredError(),
        "mae" or "mean_absolute_error" or "MeanAbsoluteError" => new MeanAbsoluteError(),
        "mape" or "mean_absolute_percentage_error" or "MeanAbsolutePercentageError" => new MeanAbsolutePercentageError(),
        "msle" or "mean_squared_logarithmic_error" or "MeanSquaredLogarithmicError" => new MeanSquaredLogarithmicError(),
        "huber" or "Huber" => new Huber(),
        "log_cosh" or "logcosh" or "LogCosh" => new LogCosh(),
        "binary_crossentropy" or "BinaryCrossentropy" => new BinaryCrossentropy(),
        "categorical_crossentropy" or "CategoricalCrossentropy" => new CategoricalCrossentropy(),
        "sparse_categorical_crossentropy" or "SparseCategoricalCrossentropy" => new SparseCategoricalCrossentropy(),
        "kld" or "kl_divergence" or "kullback_leibler_divergence" or "KLDivergence" => new KLDivergence(),
        "poisson" or "Poisson" => new Poisson(),
        "cosine_similarity" or "CosineSimilarity" => new CosineSimilarity(),
        _ => null,
    };

    /// <summary>Mean over the last axis.</summary>
    private protected static Tensor MeanLast(Tensor x) => Ops.Mean(x, -1);
}
