using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Core;

/// <summary>Adds a list of tensors of the same shape element-wise (Keras <c>Add</c>).</summary>
/// <example><c>var sum = new Add().Apply([a, b]);</c></example>
public sealed class Add : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    public Add(string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
    {
    }

    /// <inheritdoc/>
    protected override void CheckShapes(IReadOnlyList<Shape> shapes)
    {
        for (int i = 1; i < shapes.Count; i++)
            if (!shapes[i].Dims[1..].SequenceEqual(shapes[0].Dims[1..]) || shapes[i][0] != shapes[0][0])
                throw new ArgumentException($"Inputs of layer '{Name}' (Add) must have the same shape; received shapes {Describe(shapes)}.", "inputs");
    }

    /// <inheritdoc/>
    protected override Tensor MergeFunction(IReadOnlyList<Tensor> inputs)
    {
        var sum = inputs[0];
        for (int i = 1; i < inputs.Count; i++) sum = Ops.Add(sum, inputs[i]);
        return sum;
    }

    /// <summary>Creates the layer from its Keras config.</summary>
    public static Add FromConfig(JsonObject c)
    {
        KerasJson.RejectUnknownKeys(c, ["name", "trainable", "dtype"], "Add");
        return new Add(KerasJson.GetNullableString(c, "name"), KerasJson.GetBool(c, "trainable", true), DTypePolicy.FromConfig(c["dtype"]).Name);
    }
}
