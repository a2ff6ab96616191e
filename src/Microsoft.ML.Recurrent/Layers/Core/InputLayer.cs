using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Core;

/// <summary>
/// The entry point of a functional model (Keras <c>InputLayer</c>): it declares the shape and dtype of one model input
/// and passes the data through unchanged. Create it with <c>Functional.Input(...)</c> rather than directly.
/// </summary>
public sealed class InputLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="batchShape">The full input shape, batch first; null marks a dimension of any size (e.g. <c>[null, null, 8]</c>).</param>
    /// <param name="dtype">The input dtype (<c>"float32"</c>, <c>"float64"</c> or <c>"int32"</c>). Default <c>"float32"</c>.</param>
    /// <param name="name">Layer name; null for <c>input_layer</c>, <c>input_layer_1</c>, ...</param>
    /// <exception cref="ArgumentException">An empty shape or a dimension below 1.</exception>
    public InputLayer(IReadOnlyList<int?> batchShape, string dtype = "float32", string? name = null) : base(name)
    {
        ArgumentNullException.ThrowIfNull(batchShape);
        if (batchShape.Count < 2)
            throw new ArgumentException($"An input needs a batch axis and at least one more axis; got batch shape ({string.Join(", ", batchShape.Select(d => d?.ToString() ?? "None"))}).", nameof(batchShape));
        if (batchShape.Any(d => d is < 1))
            throw new ArgumentException($"Input dimensions must be positive or null (any size); got ({string.Join(", ", batchShape.Select(d => d?.ToString() ?? "None"))}).", nameof(batchShape));
        BatchShape = batchShape.ToArray();
        InputDType = DTypeExtensions.ParseKerasName(dtype);
        Built = true;
    }

    /// <summary>The declared input shape, batch first; null for any size.</summary>
    public IReadOnlyList<int?> BatchShape { get; }

    /// <summary>The dtype of the data this input takes.</summary>
    public DType InputDType { get; }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    protected override Tensor[] Call(Tensor inputs, CallArguments arguments) => [inputs];

    /// <inheritdoc/>
    public override JsonObject? GetBuildConfig() => null;

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new()
    {
        ["batch_shape"] = new JsonArray(BatchShape.Select(d => d is { } v ? JsonValue.Create(v) : null).ToArray<JsonNode?>()),
        ["dtype"] = InputDType.KerasName(),
        ["sparse"] = false,
        ["name"] = Name,
    };

    /// <summary>Creates the layer from its Keras 3 config (<c>batch_shape</c>) or Keras 2 config (<c>batch_input_shape</c>).</summary>
    /// <exception cref="FormatException">No shape, or a shape that is not a list of integers and nulls.</exception>
    public static InputLayer FromConfig(JsonObject c)
    {
        KerasJson.RejectUnknownKeys(c, ["batch_shape", "batch_input_shape", "shape", "batch_size", "dtype", "sparse", "ragged", "name", "input_tensor", "optional"], "InputLayer");
        IReadOnlyList<int?> shape;
        if ((c["batch_shape"] ?? c["batch_input_shape"]) is JsonArray batch) shape = ReadDims(batch);
        else if (c["shape"] is JsonArray sample) shape = [KerasJson.GetNullableInt(c, "batch_size"), .. ReadDims(sample)];
        else throw new FormatException($"An InputLayer config needs \"batch_shape\" (Keras 3) or \"batch_input_shape\" (Keras 2); got {KerasJson.Describe(c)}.");
        if (KerasJson.GetBool(c, "sparse", false) || KerasJson.GetBool(c, "ragged", false))
            throw new FormatException($"InputLayer '{c["name"]}': sparse and ragged inputs are not supported.");
        string dtype = c["dtype"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "float32";
        return new InputLayer(shape, dtype, KerasJson.GetNullableString(c, "name"));
    }

    private static int?[] ReadDims(JsonArray dims) => dims.Select(d => d is null ? (int?)null
        : KerasJson.TryReadInt(d, out int v) ? v : throw new FormatException($"An input shape holds integers and nulls; got {KerasJson.Describe(dims)}.")).ToArray();
}
