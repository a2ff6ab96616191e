using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Core;

/// <summary>
/// The base of layers that combine several tensors into one (Keras <c>Merge</c>: <see cref="Add"/>,
/// <see cref="Concatenate"/>). Call them with a list through <see cref="Apply(IReadOnlyList{Tensor}, bool)"/>; in a
/// functional model, call them on a list of symbolic tensors.
/// </summary>
public abstract class Merge : Layer
{
    /// <summary>Initializes the base layer arguments.</summary>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    protected Merge(string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
    {
    }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <summary>Combines <paramref name="inputs"/> (at least two, batch first).</summary>
    /// <param name="inputs">The tensors to combine.</param>
    /// <param name="training">Training mode (unused by the built-in merges).</param>
    /// <exception cref="ArgumentException">Fewer than two inputs, or shapes the merge cannot combine.</exception>
    public Tensor Apply(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count < 2)
            throw new ArgumentException($"A merge layer ('{Name}', {ClassName}) should be called on a list of at least 2 inputs; received {inputs.Count}.", nameof(inputs));
        var cast = inputs.Select(t => t.DType.IsFloatingPoint() && t.DType != DTypePolicy.ComputeDType ? Ops.Cast(t, DTypePolicy.ComputeDType) : t).ToList();
        CheckShapes(cast.Select(t => t.Shape).ToList());
        if (!Built) Build(cast[0].Shape);
        return MergeFunction(cast);
    }

    /// <summary>The output mask: a step is valid where every masked input is valid (null when no input is masked).</summary>
    /// <param name="masks">One mask (or null) per input, each <c>(batch, time)</c>.</param>
    public Tensor? ComputeMask(IReadOnlyList<Tensor?> masks)
    {
        Tensor? result = null;
        foreach (var mask in masks)
            if (mask is not null) result = result is null ? mask : Ops.Multiply(result, Ops.Cast(mask, result.DType));
        return result;
    }

    /// <summary>Builds from a build config; Keras writes a merge layer's <c>input_shape</c> as a list of shapes (one per input).</summary>
    public override void BuildFromConfig(JsonObject? buildConfig)
    {
        if (buildConfig?["input_shape"] is JsonArray { Count: > 0 } shapes && shapes[0] is JsonArray first)
            base.BuildFromConfig(new JsonObject { ["input_shape"] = first.DeepClone() });
        else
            base.BuildFromConfig(buildConfig);
    }

    /// <summary>Throws a clear error when the input shapes cannot be combined.</summary>
    /// <param name="shapes">The input shapes, batch first.</param>
    protected abstract void CheckShapes(IReadOnlyList<Shape> shapes);

    /// <summary>The combination of <paramref name="inputs"/> (shapes already checked).</summary>
    protected abstract Tensor MergeFunction(IReadOnlyList<Tensor> inputs);

    /// <summary>A single tensor passes through unchanged; merges take lists through <see cref="Apply(IReadOnlyList{Tensor}, bool)"/>.</summary>
    protected override Tensor[] Call(Tensor inputs, CallArguments arguments) =>
        throw new ArgumentException($"A merge layer ('{Name}', {ClassName}) should be called on a list of inputs; received one tensor {inputs.Shape}.", nameof(inputs));

    /// <summary>Text of shapes for error messages.</summary>
    protected static string Describe(IReadOnlyList<Shape> shapes) => "[" + string.Join(", ", shapes.Select(s => s.ToString())) + "]";
}
