using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Core;

/// <summary>
/// Joins a list of tensors along <see cref="Axis"/> (Keras <c>Concatenate</c>); all other dimensions must match.
/// </summary>
/// <example><c>var both = new Concatenate().Apply([forwardStates, backwardStates]);  // (batch, u1 + u2)</c></example>
public sealed class Concatenate : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The axis to join along (negative counts from the end). Default -1.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    public Concatenate(int axis = -1, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
    {
        Axis = axis;
    }

    /// <summary>The axis joined along.</summary>
    public int Axis { get; }

    /// <inheritdoc/>
    protected override void CheckShapes(IReadOnlyList<Shape> shapes)
    {
        int rank = shapes[0].Rank;
        int axis = Axis < 0 ? Axis + rank : Axis;
        foreach (var s in shapes)
        {
            bool ok = s.Rank == rank && axis >= 0 && axis < rank;
            for (int d = 0; ok && d < rank; d++) ok = d == axis || s[d] == shapes[0][d];
            if (!ok)
                throw new ArgumentException($"A Concatenate layer ('{Name}') requires inputs with matching shapes except for the concatenation axis {Axis}. Received: input_shape={Describe(shapes)}.", "inputs");
        }
    }

    /// <inheritdoc/>
    protected override Tensor MergeFunction(IReadOnlyList<Tensor> inputs) => Ops.Concat(inputs, Axis);

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis;
        return config;
    }

    /// <summary>Creates the layer from its Keras config.</summary>
    public static Concatenate FromConfig(JsonObject c)
    {
        KerasJson.RejectUnknownKeys(c, ["name", "trainable", "dtype", "axis"], "Concatenate");
        return new Concatenate(KerasJson.GetInt(c, "axis", -1), KerasJson.GetNullableString(c, "name"), KerasJson.GetBool(c, "trainable", true), DTypePolicy.FromConfig(c["dtype"]).Name);
    }
}
