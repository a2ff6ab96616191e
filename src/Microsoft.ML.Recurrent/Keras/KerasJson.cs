using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Recurrent.Keras;

/// <summary>
/// Reading and writing Keras config JSON: the <c>{"module", "class_name", "config", "registered_name"}</c>
/// envelope of Keras 3 (and the <c>{"class_name", "config"}</c> dicts of Keras 2), and typed access to config
/// values with errors that name the key, the value received and what was expected.
/// </summary>
/// <remarks>
/// Readers accept a missing key (the default applies); an explicit JSON <c>null</c> is accepted only by the
/// <c>GetNullable…</c> readers, as Python's <c>None</c> is only valid where Keras documents it. Numbers written
/// by Python as floats (<c>1.0</c>) are accepted where an integer is expected as long as they are whole.
/// </remarks>
public static class KerasJson
{
    /// <summary>
    /// The Keras 3 envelope of a serialized object:
    /// <c>{"module": module, "class_name": className, "config": config, "registered_name": null}</c>.
    /// </summary>
    /// <param name="module">The Keras module, e.g. <c>"keras.initializers"</c>.</param>
    /// <param name="className">The class name, e.g. <c>"GlorotUniform"</c>.</param>
    /// <param name="config">The object's config; it is moved into the envelope, so it must not have a parent.</param>
    public static JsonObject Envelope(string module, string className, JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new JsonObject
        {
            ["module"] = module,
            ["class_name"] = className,
            ["config"] = config,
            ["registered_name"] = null,
        };
    }

    /// <summary>
    /// Reads an envelope: a Keras 3 dict (<c>module</c>, <c>class_name</c>, <c>config</c>,
    /// <c>registered_name</c>, optionally <c>shared_object_id</c>) or a Keras 2 dict (<c>class_name</c>,
    /// <c>config</c>). A missing or null <c>config</c> reads as an empty object.
    /// </summary>
    /// <param name="node">The JSON to read.</param>
    /// <param name="what">What is being read, for error messages (e.g. <c>"initializer"</c>).</param>
    /// <returns>The class name and a detached copy of the config.</returns>
    /// <exception cref="FormatException">The node is not an object, has no string <c>class_name</c>, or its config is not an object.</exception>
    public static (string ClassName, JsonObject Config) ReadEnvelope(JsonNode node, string what)
    {
        if (node is not JsonObject envelope)
            throw new FormatException($"Could not interpret {what} {Describe(node)}: expected a string or a dict with \"class_name\" and \"config\".");
        if (!envelope.TryGetPropertyValue("class_name", out var classNode) || classNode is not JsonValue classValue
            || !classValue.TryGetValue<string>(out var className))
            throw new FormatException($"Could not interpret {what} {Describe(node)}: expected a dict with a string \"class_name\".");
        if (!envelope.TryGetPropertyValue("config", out var configNode) || configNode is null)
            return (className, new JsonObject());
        if (configNode is not JsonObject config)
            throw new FormatException($"Could not interpret {what} {Describe(node)}: \"config\" is {Describe(configNode)}; expected a dict.");
        return (className, (JsonObject)config.DeepClone());
    }

    // ------------------------------------------------------------------ typed readers

    /// <summary>Reads a number; <paramref name="defaultValue"/> when the key is missing.</summary>
    /// <exception cref="FormatException">The value is not a number (null included).</exception>
    public static double GetDouble(JsonObject config, string key, double defaultValue) =>
        GetNullableDouble(config, key, defaultValue) ?? throw Invalid(key, null, "a number");

    /// <summary>Reads a number or null; <paramref name="defaultValue"/> when the key is missing.</summary>
    /// <exception cref="FormatException">The value is neither a number nor null.</exception>
    public static double? GetNullableDouble(JsonObject config, string key, double? defaultValue = null)
    {
        if (!config.TryGetPropertyValue(key, out var node)) return defaultValue;
        if (node is null) return null;
        if (TryReadNumber(node, out double value)) return value;
        throw Invalid(key, node, "a number");
    }

    /// <summary>Reads a whole number; <paramref name="defaultValue"/> when the key is missing.</summary>
    /// <exception cref="FormatException">The value is not a whole number within the range of <see cref="int"/> (null included).</exception>
    public static int GetInt(JsonObject config, string key, int defaultValue) =>
        GetNullableInt(config, key, defaultValue) ?? throw Invalid(key, null, "an integer");

    /// <summary>Reads a whole number or null; <paramref name="defaultValue"/> when the key is missing.</summary>
    /// <exception cref="FormatException">The value is neither null nor a whole number within the range of <see cref="int"/>.</exception>
    public static int? GetNullableInt(JsonObject config, string key, int? defaultValue = null)
    {
        if (!config.TryGetPropertyValue(key, out var node)) return defaultValue;
        if (node is null) return null;
        if (TryReadInt(node, out int value)) return value;
        throw Invalid(key, node, "an integer");
    }

    /// <summary>Reads a boolean; <paramref name="defaultValue"/> when the key is missing.</summary>
    /// <exception cref="FormatException">The value is not <c>true</c> or <c>false</c>.</exception>
    public static bool GetBool(JsonObject config, string key, bool defaultValue)
    {
        if (!config.TryGetPropertyValue(key, out var node)) return defaultValue;
        if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return v.GetValue<bool>();
        throw Invalid(key, node, "a boolean");
    }

    /// <summary>Reads a string; <paramref name="defaultValue"/> when the key is missing.</summary>
    /// <exception cref="FormatException">The value is not a string (null included).</exception>
    public static string GetString(JsonObject config, string key, string defaultValue) =>
        GetNullableString(config, key, defaultValue) ?? throw Invalid(key, null, "a string");

    /// <summary>Reads a string or null; <paramref name="defaultValue"/> when the key is missing.</summary>
    /// <exception cref="FormatException">The value is neither a string nor null.</exception>
    public static string? GetNullableString(JsonObject config, string key, string? defaultValue = null)
    {
        if (!config.TryGetPropertyValue(key, out var node)) return defaultValue;
        if (node is null) return null;
        if (node is JsonValue v && v.TryGetValue<string>(out var s)) return s;
        throw Invalid(key, node, "a string");
    }

    /// <summary>
    /// Reads a tuple of <paramref name="n"/> integers written as a list, or as one integer meaning that value
    /// repeated <paramref name="n"/> times (Keras's <c>standardize_tuple</c>, e.g. <c>kernel_size: 3</c> →
    /// <c>(3, 3)</c>); <paramref name="defaultValue"/> when the key is missing.
    /// </summary>
    /// <exception cref="FormatException">The value is not an integer or a list of <paramref name="n"/> integers.</exception>
    public static int[] GetIntTuple(JsonObject config, string key, int n, int[] defaultValue)
    {
        if (!config.TryGetPropertyValue(key, out var node)) return (int[])defaultValue.Clone();
        string expected = $"an integer or a list of {n} integers";
        if (node is not null && TryReadInt(node, out int single)) return Enumerable.Repeat(single, n).ToArray();
        var list = node is JsonArray ? ReadIntList(node, key, expected) : throw Invalid(key, node, expected);
        if (list.Length != n) throw Invalid(key, node, expected);
        return list;
    }

    /// <summary>
    /// Reads an integer or a list of integers as an array (an integer gives a one-element array), or null;
    /// <paramref name="defaultValue"/> when the key is missing. Used for <c>axis</c> arguments.
    /// </summary>
    /// <exception cref="FormatException">The value is not null, an integer or a list of integers.</exception>
    public static int[]? GetNullableIntList(JsonObject config, string key, int[]? defaultValue = null)
    {
        if (!config.TryGetPropertyValue(key, out var node)) return defaultValue is null ? null : (int[])defaultValue.Clone();
        if (node is null) return null;
        const string expected = "an integer or a list of integers";
        if (TryReadInt(node, out int single)) return [single];
        if (node is JsonArray) return ReadIntList(node, key, expected);
        throw Invalid(key, node, expected);
    }

    /// <summary>
    /// Throws when <paramref name="config"/> has keys outside <paramref name="known"/>, the way Python rejects
    /// unexpected keyword arguments: <c>Unrecognized keyword arguments passed to LSTM: {'foo': 1}</c>.
    /// </summary>
    /// <param name="config">The config to check.</param>
    /// <param name="known">Every key the class accepts (legacy keys it ignores included).</param>
    /// <param name="className">The class, for the message.</param>
    /// <exception cref="ArgumentException">An unknown key is present; the message lists all of them with their values.</exception>
    public static void RejectUnknownKeys(JsonObject config, IEnumerable<string> known, string className)
    {
        var allowed = known as ISet<string> ?? new HashSet<string>(known, StringComparer.Ordinal);
        var unknown = config.Where(p => !allowed.Contains(p.Key)).ToList();
        if (unknown.Count == 0) return;
        var listed = string.Join(", ", unknown.Select(p => $"{PythonRepr(JsonValue.Create(p.Key))}: {PythonRepr(p.Value)}"));
        throw new ArgumentException(
            $"Unrecognized keyword arguments passed to {className}: {{{listed}}}. Expected only: {string.Join(", ", allowed.Order(StringComparer.Ordinal))}.",
            nameof(config));
    }

    // ------------------------------------------------------------------ writers and formatting

    /// <summary>
    /// A JSON number for a Python float: whole values keep a <c>.0</c> (<c>1.0</c>, not <c>1</c>) so written
    /// configs read like the ones Keras writes.
    /// </summary>
    /// <param name="value">The value; must be finite (JSON has no NaN or infinity).</param>
    /// <exception cref="ArgumentException">The value is NaN or infinite.</exception>
    public static JsonNode Float(double value)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"Cannot write {value} to Keras JSON; expected a finite number.", nameof(value));
        if (value == Math.Floor(value) && Math.Abs(value) < 1e15)
            // Parsed rather than created from a double so it keeps the ".0" when written and still reads back
            // with GetValue<double>() like any parsed number.
            return JsonNode.Parse(value.ToString("F1", CultureInfo.InvariantCulture))!;
        return JsonValue.Create(value);
    }

    /// <summary>A JSON int or list of ints: a single axis stays an int unless <paramref name="asList"/>.</summary>
    /// <param name="values">The integers.</param>
    /// <param name="asList">Write a list even when there is one value.</param>
    public static JsonNode IntOrList(IReadOnlyList<int> values, bool asList)
    {
        if (values.Count == 1 && !asList) return JsonValue.Create(values[0]);
        var array = new JsonArray();
        foreach (int v in values) array.Add(JsonValue.Create(v));
        return array;
    }

    /// <summary>
    /// Python-style text of a JSON value for error messages: <c>'abc'</c>, <c>1.5</c>, <c>None</c>,
    /// <c>True</c>, <c>[1, 2]</c>, <c>{'a': 1}</c>.
    /// </summary>
    public static string PythonRepr(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return "None";
            case JsonArray array:
                return "[" + string.Join(", ", array.Select(PythonRepr)) + "]";
            case JsonObject obj:
                return "{" + string.Join(", ", obj.Select(p => $"'{p.Key}': {PythonRepr(p.Value)}")) + "}";
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        var s = value.GetValue<string>();
                        return "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
                    case JsonValueKind.True: return "True";
                    case JsonValueKind.False: return "False";
                    case JsonValueKind.Null: return "None";
                    default: return value.ToJsonString();
                }
            default:
                return node.ToJsonString();
        }
    }

    /// <summary>Short text of a JSON value for error messages (its JSON, truncated when long).</summary>
    public static string Describe(JsonNode? node)
    {
        string text = node?.ToJsonString() ?? "null";
        return text.Length <= 200 ? text : text[..200] + "…";
    }

    // ------------------------------------------------------------------ internals

    /// <summary>Reads any JSON number (however it was created) as a double.</summary>
    internal static bool TryReadNumber(JsonNode? node, out double value)
    {
        value = 0;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return false;
        if (v.TryGetValue(out double d)) value = d;
        else if (v.TryGetValue(out long l)) value = l;
        else if (v.TryGetValue(out int i)) value = i;
        else if (v.TryGetValue(out decimal m)) value = (double)m;
        else if (v.TryGetValue(out float f)) value = f;
        else if (v.TryGetValue(out JsonElement e) && e.TryGetDouble(out double ed)) value = ed;
        else value = double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>Reads a JSON number that is a whole value within <see cref="int"/>'s range.</summary>
    internal static bool TryReadInt(JsonNode? node, out int value)
    {
        value = 0;
        if (!TryReadNumber(node, out double d) || d != Math.Floor(d) || d < int.MinValue || d > int.MaxValue) return false;
        value = (int)d;
        return true;
    }

    private static int[] ReadIntList(JsonNode node, string key, string expected)
    {
        var array = (JsonArray)node;
        var result = new int[array.Count];
        for (int i = 0; i < array.Count; i++)
            if (!TryReadInt(array[i], out result[i])) throw Invalid(key, node, expected);
        return result;
    }

    private static FormatException Invalid(string key, JsonNode? node, string expected) =>
        new($"Invalid value for '{key}': expected {expected}, got {PythonRepr(node)}.");
}
