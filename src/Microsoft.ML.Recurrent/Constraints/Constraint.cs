using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Constraints;

/// <summary>
/// A Keras weight constraint (<c>keras.constraints.*</c>): a projection applied to a weight after each optimizer
/// update (<c>kernel_constraint</c>, <c>recurrent_constraint</c>, <c>bias_constraint</c>).
/// </summary>
/// <remarks>
/// Lookup (<see cref="Get(JsonNode?)"/>): null; the strings <c>"max_norm"</c>, <c>"non_neg"</c>, <c>"unit_norm"</c>,
/// <c>"min_max_norm"</c> and the class names <c>"MaxNorm"</c>, <c>"NonNeg"</c>, <c>"UnitNorm"</c>,
/// <c>"MinMaxNorm"</c> (built with default arguments); or a dict with <c>class_name</c> and <c>config</c>, with or
/// without <c>module</c>. Norms use ε = 1e-7 (Keras's <c>backend.epsilon()</c>).
/// </remarks>
public abstract class Constraint
{
    /// <summary>The Keras module the envelope names: <c>"keras.constraints"</c>.</summary>
    public const string Module = "keras.constraints";

    /// <summary>The fuzz factor added to norms before dividing: 1e-7.</summary>
    public const double Epsilon = 1e-7;

    /// <summary>
    /// The projected weight: a new tensor of the same shape and dtype, computed without recording gradients (the
    /// caller assigns it to the weight).
    /// </summary>
    /// <param name="weight">A float tensor.</param>
    public abstract Tensor Apply(Tensor weight);

    /// <summary>The Keras class name written to configs, e.g. <c>"MaxNorm"</c>.</summary>
    public abstract string ClassName { get; }

    /// <summary>The Keras config dict, e.g. <c>{"max_value": 2, "axis": 0}</c>.</summary>
    public abstract JsonObject GetConfig();

    /// <summary>The Keras 3 envelope, e.g. <c>{"module": "keras.constraints", "class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}, "registered_name": null}</c>.</summary>
    public JsonObject ToConfig() => KerasJson.Envelope(Module, ClassName, GetConfig());

    /// <summary>The class name and config, e.g. <c>MaxNorm({"max_value":2,"axis":0})</c>.</summary>
    public override string ToString() => $"{ClassName}({GetConfig().ToJsonString()})";

    /// <summary>Reads a constraint as layers take it (see the remarks of <see cref="Constraint"/>); null gives null.</summary>
    /// <param name="node">The JSON value.</param>
    /// <exception cref="ArgumentException">Unknown name, unknown config key, or an invalid argument.</exception>
    /// <exception cref="FormatException">The JSON has the wrong shape or a config value has the wrong type.</exception>
    public static Constraint? Get(JsonNode? node)
    {
        if (node is null) return null;
        if (node is JsonValue value && value.TryGetValue<string>(out var name)) return FromConfig(name, new JsonObject());
        var (className, config) = KerasJson.ReadEnvelope(node, "constraint");
        return FromConfig(className, config);
    }

    /// <summary>Looks up a constraint by name with default arguments (<c>"max_norm"</c>, <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c> or a class name); null gives null.</summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    [return: NotNullIfNotNull(nameof(name))]
    public static Constraint? Get(string? name) => name is null ? null : FromConfig(name, new JsonObject());

    /// <summary>Builds the constraint <paramref name="className"/> (a class name or snake_case name) from its config dict.</summary>
    /// <exception cref="ArgumentException">Unknown class name, unknown config key, or an invalid argument.</exception>
    /// <exception cref="FormatException">A config value has the wrong type.</exception>
    public static Constraint FromConfig(string className, JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(className);
        ArgumentNullException.ThrowIfNull(config);
        switch (className)
        {
            case "MaxNorm" or "max_norm":
            {
                KerasJson.RejectUnknownKeys(config, ["max_value", "axis"], "MaxNorm");
                var (axes, asList) = ReadAxis(config);
                return new MaxNorm(KerasJson.GetDouble(config, "max_value", 2), axes, asList);
            }
            case "NonNeg" or "non_neg":
                KerasJson.RejectUnknownKeys(config, [], "NonNeg");
                return new NonNeg();
            case "UnitNorm" or "unit_norm":
            {
                KerasJson.RejectUnknownKeys(config, ["axis"], "UnitNorm");
                var (axes, asList) = ReadAxis(config);
                return new UnitNorm(axes, asList);
            }
            case "MinMaxNorm" or "min_max_norm":
            {
                KerasJson.RejectUnknownKeys(config, ["min_value", "max_value", "rate", "axis"], "MinMaxNorm");
                var (axes, asList) = ReadAxis(config);
                return new MinMaxNorm(
                    KerasJson.GetDouble(config, "min_value", 0.0),
                    KerasJson.GetDouble(config, "max_value", 1.0),
                    KerasJson.GetDouble(config, "rate", 1.0),
                    axes, asList);
            }
            default:
                throw new ArgumentException(
                    $"Could not interpret constraint identifier: '{className}'. Expected one of: max_norm, non_neg, unit_norm, min_max_norm, MaxNorm, NonNeg, UnitNorm, MinMaxNorm.",
                    nameof(className));
        }
    }

    private static (int[] Axes, bool AsList) ReadAxis(JsonObject config)
    {
        var axes = KerasJson.GetNullableIntList(config, "axis", [0])
            ?? throw new FormatException("Invalid value for 'axis': expected an integer or a list of integers, got None.");
        return (axes, config["axis"] is JsonArray);
    }
}

/// <summary>Base of the constraints that rescale by the L2 norm along <see cref="Axis"/>.</summary>
public abstract class NormConstraint : Constraint
{
    private readonly int[] _axis;
    private readonly bool _axisIsList;

    /// <summary>Stores the axes the norm is taken over.</summary>
    private protected NormConstraint(int[] axis, bool axisIsList)
    {
        ArgumentNullException.ThrowIfNull(axis);
        if (axis.Length == 0)
            throw new ArgumentException($"{GetType().Name}: expected at least one axis. Received: axis=[]", nameof(axis));
        _axis = (int[])axis.Clone();
        _axisIsList = axisIsList || axis.Length != 1;
    }

    /// <summary>
    /// The axes the norm is computed over (negative values count from the end). For a kernel <c>(F, n·U)</c> the
    /// default 0 gives one norm per column, the incoming weights of one unit.
    /// </summary>
    public IReadOnlyList<int> Axis => _axis;

    /// <summary>The config value of <c>axis</c>: an int, or a list when it was given as one.</summary>
    private protected JsonNode AxisConfig => KerasJson.IntOrList(_axis, _axisIsList);

    /// <summary>
    /// Computes, without recording gradients, <paramref name="project"/>(w, n) where n = ‖w‖₂ along
    /// <see cref="Axis"/> with the reduced axes kept (so it broadcasts against w).
    /// </summary>
    private protected Tensor ProjectWithNorms(Tensor weight, Func<Tensor, Tensor, Tensor> project)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var _ = Autodiff.NoGrad();
        var axes = _axis.Select(a => Shape.NormalizeAxis(a, weight.Rank, ClassName)).Distinct().ToArray();
        var norms = Ops.Sqrt(Ops.Sum(Ops.Square(weight), axes, keepDims: true));
        return project(weight, norms);
    }
}
