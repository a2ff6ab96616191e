using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Training.Models;

/// <summary>
/// A symbolic tensor (Keras <c>KerasTensor</c>): the shape and dtype of a value in a functional model, and the layer
/// call that produces it. Start from <see cref="Functional.Input"/>, call layers on it with
/// <see cref="SymbolicLayerCalls"/>, and pass the inputs and outputs to <see cref="Functional"/>.
/// </summary>
public sealed class KerasTensor
{
    internal KerasTensor(IReadOnlyList<int?> shape, DType dtype, Node node, int index)
    {
        Shape = shape.ToArray();
        DType = dtype;
        Node = node;
        Index = index;
    }

    /// <summary>The shape, batch first; null where any size is accepted (the batch, or a variable time axis).</summary>
    public IReadOnlyList<int?> Shape { get; }

    /// <summary>The dtype.</summary>
    public DType DType { get; }

    /// <summary>The layer whose output this is (an <see cref="Layers.Core.InputLayer"/> for model inputs).</summary>
    public Layer Layer => Node.Layer;

    /// <summary>Which output of the layer call this is (e.g. 1 and 2 for an LSTM's <c>return_state</c> states).</summary>
    public int Index { get; }

    internal Node Node { get; }

    /// <summary>Text of a shape the way Keras prints it: <c>(None, 5, 2)</c>.</summary>
    internal static string Format(IReadOnlyList<int?> shape) =>
        "(" + string.Join(", ", shape.Select(d => d?.ToString(CultureInfo.InvariantCulture) ?? "None")) + (shape.Count == 1 ? ",)" : ")");

    /// <summary>A shape as Keras writes it in configs: <c>[null, 5, 2]</c>.</summary>
    internal static JsonArray ToConfig(IReadOnlyList<int?> shape) => new(shape.Select(d => d is { } v ? JsonValue.Create(v) : null).ToArray<JsonNode?>());

    /// <inheritdoc/>
    public override string ToString() => $"<KerasTensor shape={Format(Shape)}, dtype={DType.KerasName()}, layer='{Layer.Name}', index={Index}>";
}
