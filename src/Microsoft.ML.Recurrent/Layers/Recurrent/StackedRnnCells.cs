using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>
/// Several cells run as one (Keras <c>StackedRNNCells</c>): at each step cell k's output is cell k+1's input. The states
/// are every cell's states in cell order (flattened: <c>[h₁, c₁, h₂, c₂]</c> for two LSTM cells); the output is the
/// last cell's.
/// </summary>
public class StackedRnnCells : RecurrentCell
{
    /// <summary>Stacks <paramref name="cells"/> (at least one), first cell first.</summary>
    public StackedRnnCells(IReadOnlyList<RecurrentCell> cells, string? name = null, bool trainable = true, string? dtype = null)
        : base(name, trainable, dtype)
    {
        if (cells.Count == 0) throw new ArgumentException("StackedRNNCells needs at least one cell.", nameof(cells));
        Cells = cells.Select(TrackLayer).ToArray();
    }

    /// <inheritdoc/>
    public override string ClassName => "StackedRNNCells";

    /// <summary>The cells, in order.</summary>
    public IReadOnlyList<RecurrentCell> Cells { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<Shape> StateShapes => Cells.SelectMany(c => c.StateShapes).ToArray();

    /// <inheritdoc/>
    public override Shape OutputShape => Cells[^1].OutputShape;

    /// <inheritdoc/>
    public override void Build(Shape inputShape)
    {
        var shape = inputShape;
        foreach (var cell in Cells)
        {
            if (!cell.Built) cell.Build(shape);
            shape = new Shape([inputShape[0], .. cell.OutputShape.Dims]);
        }
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override Tensor[] GetInitialState(int batchSize, DType dtype, Device device) =>
        Cells.SelectMany(c => c.GetInitialState(batchSize, dtype, device)).ToArray();

    /// <inheritdoc/>
    public override (Tensor Output, Tensor[] States) Step(Tensor input, IReadOnlyList<Tensor> states, CallArguments arguments)
    {
        var x = input;
        var newStates = new List<Tensor>(states.Count);
        int offset = 0;
        foreach (var cell in Cells)
        {
            int count = cell.StateShapes.Count;
            var (y, cellStates) = cell.Step(x, states.Skip(offset).Take(count).ToArray(), arguments);
            newStates.AddRange(cellStates);
            offset += count;
            x = y;
        }
        return (x, newStates.ToArray());
    }

    /// <inheritdoc/>
    public override void ResetDropoutMasks()
    {
        foreach (var cell in Cells) cell.ResetDropoutMasks();
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["cells"] = new JsonArray(Cells.Select(c => (JsonNode)c.ToConfig()).ToArray());
        return config;
    }

    /// <summary>Creates the stack from its Keras config, deserializing each of <c>cells</c>.</summary>
    public static StackedRnnCells FromConfig(JsonObject config, bool keras2 = false)
    {
        KerasJson.RejectUnknownKeys(config, ["name", "trainable", "dtype", "cells"], "StackedRNNCells");
        if (config["cells"] is not JsonArray cells)
            throw new FormatException("StackedRNNCells config: 'cells' must be a list of cell configs.");
        return new StackedRnnCells(cells.Select(c => KerasLayers.DeserializeCell(c!, keras2)).ToArray(),
            KerasJson.GetNullableString(config, "name"), KerasJson.GetBool(config, "trainable", true), DTypePolicy.FromConfig(config["dtype"]).Name);
    }
}
