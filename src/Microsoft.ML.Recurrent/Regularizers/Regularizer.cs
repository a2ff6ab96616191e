using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Regularizers;

/// <summary>
/// A Keras weight regularizer (<c>keras.regularizers.*</c>): a penalty on a weight that is added to the loss
/// (<c>kernel_regularizer</c>, <c>recurrent_regularizer</c>, <c>bias_regularizer</c>, <c>activity_regularizer</c>).
/// </summary>
/// <remarks>
/// Lookup (<see cref="Get(JsonNode?)"/>): null; the strings <c>"l1"</c>, <c>"l2"</c>, <c>"l1l2"</c>,
/// <c>"orthogonal_regularizer"</c> and the class names <c>"L1"</c>, <c>"L2"</c>, <c>"L1L2"</c>,
/// <c>"OrthogonalRegularizer"</c> (built with default arguments; Keras 3 does not accept <c>"l1_l2"</c> as a
/// string); or a dict with <c>class_name</c> and <c>config</c>, with or without <c>module</c>.
/// </remarks>
public abstract class Regularizer
{
    /// <summary>The Keras module the envelope names: <c>"keras.regularizers"</c>.</summary>
    public const string Module = "keras.regularizers";

    /// <summary>The penalty for <paramref name="weight"/>: a differentiable scalar of the weight's dtype.</summary>
    /// <param name="weight">A float tensor.</param>
    public abstract Tensor Compute(Tensor weight);

    /// <summary>The Keras class name written to configs, e.g. <c>"L2"</c>.</summary>
    public abstract string ClassName { get; }

    /// <summary>The Keras config dict, e.g. <c>{"l2": 0.01}</c>.</summary>
    public abstract JsonObject GetConfig();

    /// <summary>The Keras 3 envelope, e.g. <c>{"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": null}</c>.</summary>
    public JsonObject ToConfig() => KerasJson.Envelope(Module, ClassName, GetConfig());

    /// <summary>The class name and config, e.g. <c>L2({"l2":0.01})</c>.</summary>
    public override string ToString() => $"{ClassName}({GetConfig().ToJsonString()})";

    /// <summary>Reads a regularizer as layers take it (see the remarks of <see cref="Regularizer"/>); null gives null.</summary>
    /// <param name="node">The JSON value.</param>
    /// <exception cref="ArgumentException">Unknown name, unknown config key, or an invalid factor.</exception>
    /// <exception cref="FormatException">The JSON has the wrong shape or a config value has the wrong type.</exception>
    public static Regularizer? Get(JsonNode? node)
    {
        if (node is null) return null;
        if (node is JsonValue value && value.TryGetValue<string>(out var name)) return FromConfig(name, new JsonObject());
        var (className, config) = KerasJson.ReadEnvelope(node, "regularizer");
        return FromConfig(className, config);
    }

    /// <summary>Looks up a regularizer by name with default arguments: <c>"l1"</c>, <c>"l2"</c>, <c>"l1l2"</c>, <c>"orthogonal_regularizer"</c> or a class name; null gives null.</summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    [return: NotNullIfNotNull(nameof(name))]
    public static Regularizer? Get(string? name) => name is null ? null : FromConfig(name, new JsonObject());

    /// <summary>Builds the regularizer <paramref name="className"/> (a class name or snake_case name) from its config dict.</summary>
    /// <exception cref="ArgumentException">Unknown class name, unknown config key, or an invalid factor.</exception>
    /// <exception cref="FormatException">A config value has the wrong type.</exception>
    public static Regularizer FromConfig(string className, JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(className);
        ArgumentNullException.ThrowIfNull(config);
        switch (className)
        {
            case "L1" or "l1":
                KerasJson.RejectUnknownKeys(config, ["l1"], "L1");
                return new L1(KerasJson.GetNullableDouble(config, "l1", 0.01));
            case "L2" or "l2":
                KerasJson.RejectUnknownKeys(config, ["l2"], "L2");
                return new L2(KerasJson.GetNullableDouble(config, "l2", 0.01));
            case "L1L2" or "l1l2":
                KerasJson.RejectUnknownKeys(config, ["l1", "l2"], "L1L2");
                return new L1L2(KerasJson.GetNullableDouble(config, "l1", 0.0), KerasJson.GetNullableDouble(config, "l2", 0.0));
            case "OrthogonalRegularizer" or "orthogonal_regularizer":
                KerasJson.RejectUnknownKeys(config, ["factor", "mode"], "OrthogonalRegularizer");
                return new OrthogonalRegularizer(KerasJson.GetDouble(config, "factor", 0.01), KerasJson.GetString(config, "mode", "rows"));
            default:
                throw new ArgumentException(
                    $"Could not interpret regularizer identifier: '{className}'. Expected one of: l1, l2, l1l2, orthogonal_regularizer, L1, L2, L1L2, OrthogonalRegularizer" +
                    (className == "l1_l2" ? " ('l1_l2' is a Python function alias, not a serialized name; use 'l1l2' or 'L1L2')." : "."),
                    nameof(className));
        }
    }

    /// <summary>Returns <paramref name="value"/> if it is finite and ≥ 0; otherwise throws naming the argument and class.</summary>
    private protected static double ValidateFactor(double value, string argument, string className)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentException($"{className}: invalid value for argument {argument}: expected a non-negative float. Received: {argument}={value}", argument);
        return value;
    }
}
