using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// Keras dtype policy: the dtype weights are stored in and the dtype a layer computes in. <c>float32</c> and
/// <c>float64</c> compute natively. <c>mixed_float16</c> / <c>mixed_bfloat16</c> are accepted with float32
/// variables; the CPU backend computes them in float32 (a GPU backend may use 16-bit compute).
/// </summary>
public sealed record DTypePolicy(string Name)
{
    /// <summary>The default policy, <c>float32</c>.</summary>
    public static DTypePolicy Float32 { get; } = new("float32");

    /// <summary>Storage dtype of the weights.</summary>
    public DType VariableDType => Name == "float64" ? DType.Float64 : DType.Float32;

    /// <summary>Dtype the layer computes in on the CPU.</summary>
    public DType ComputeDType => VariableDType;

    /// <summary>Reads a policy from a Keras config value: a name, a K3 <c>DTypePolicy</c> envelope or a K2 <c>Policy</c> dict; null gives float32.</summary>
    /// <exception cref="FormatException">An unknown policy name.</exception>
    public static DTypePolicy FromConfig(JsonNode? node)
    {
        string? name = node switch
        {
            null => null,
            JsonValue v => v.GetValue<string>(),
            JsonObject o => o["config"]?["name"]?.GetValue<string>() ?? o["name"]?.GetValue<string>(),
            _ => null,
        };
        return name switch
        {
            null or "float32" or "float" => Float32,
            "float64" or "double" => new DTypePolicy("float64"),
            "mixed_float16" or "mixed_bfloat16" or "float16" or "bfloat16" => new DTypePolicy(name),
            _ => throw new FormatException($"dtype: unknown dtype policy '{name}'; expected 'float32', 'float64', 'mixed_float16' or 'mixed_bfloat16'."),
        };
    }

    /// <summary>The Keras 3 (3.4+) config: <c>{"module":"keras","class_name":"DTypePolicy","config":{"name":…}}</c>.</summary>
    public JsonObject ToConfig() => new()
    {
        ["module"] = "keras",
        ["class_name"] = "DTypePolicy",
        ["config"] = new JsonObject { ["name"] = Name },
        ["registered_name"] = null,
    };
}
