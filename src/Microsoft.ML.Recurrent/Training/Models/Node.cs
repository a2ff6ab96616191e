using System.Runtime.CompilerServices;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Training.Models;

/// <summary>
/// One call of a layer on symbolic tensors (Keras <c>Node</c>): the layer, the tensors it read (the main input, or
/// every input of a <see cref="Merge"/>; plus <c>initial_state</c> tensors for recurrent layers) and the tensors it
/// produced. A layer called twice (a shared layer) has two nodes.
/// </summary>
internal sealed class Node
{
    // The nodes of each layer in creation order; the position is Keras's node index.
    private static readonly ConditionalWeakTable<Layer, List<Node>> s_nodes = [];

    private Node(Layer layer, IReadOnlyList<KerasTensor> inputs, IReadOnlyList<KerasTensor> initialState)
    {
        Layer = layer;
        Inputs = inputs;
        InitialState = initialState;
    }

    public Layer Layer { get; }

    /// <summary>The positional inputs: one tensor, or the list a merge layer combines; empty for an input layer.</summary>
    public IReadOnlyList<KerasTensor> Inputs { get; }

    /// <summary>Tensors passed as <c>initial_state</c>; empty for none.</summary>
    public IReadOnlyList<KerasTensor> InitialState { get; }

    public KerasTensor[] Outputs { get; private set; } = [];

    /// <summary>Every tensor this node reads.</summary>
    public IEnumerable<KerasTensor> Dependencies => Inputs.Concat(InitialState);

    /// <summary>The nodes created for <paramref name="layer"/>, in order.</summary>
    public static IReadOnlyList<Node> Of(Layer layer) => s_nodes.TryGetValue(layer, out var list) ? list : [];

    /// <summary>The node of an input layer, with its one output.</summary>
    public static KerasTensor CreateInput(InputLayer layer)
    {
        if (Of(layer).Count > 0) return Of(layer)[0].Outputs[0];
        var node = new Node(layer, [], []);
        node.Outputs = [new KerasTensor(layer.BatchShape, layer.InputDType, node, 0)];
        s_nodes.GetOrCreateValue(layer).Add(node);
        return node.Outputs[0];
    }

    /// <summary>
    /// Records a call of <paramref name="layer"/> on symbolic tensors. The output shapes come from running the layer on
    /// zeros twice, with every unknown dimension set to 1 and then 2: dimensions that change are unknown (<c>None</c>).
    /// This also builds the layer, as Keras builds layers on their first symbolic call.
    /// </summary>
    /// <exception cref="ArgumentException">The layer cannot take these inputs (the message says why and names the shapes).</exception>
    public static KerasTensor[] Create(Layer layer, IReadOnlyList<KerasTensor> inputs, IReadOnlyList<KerasTensor>? initialState)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(inputs);
        initialState ??= [];
        if (layer is InputLayer)
            throw new ArgumentException($"Input layer '{layer.Name}' cannot be called; use the tensor Functional.Input returned.", nameof(layer));
        if (inputs.Count == 0 || inputs.Any(t => t is null) || initialState.Any(t => t is null))
            throw new ArgumentException($"Layer '{layer.Name}' ({layer.ClassName}) was called without inputs or with a null tensor.", nameof(inputs));
        if (layer is Merge ? inputs.Count < 2 : inputs.Count != 1)
            throw new ArgumentException(layer is Merge
                ? $"A merge layer ('{layer.Name}', {layer.ClassName}) should be called on a list of at least 2 inputs; received {inputs.Count}."
                : $"Layer '{layer.Name}' ({layer.ClassName}) takes one input tensor; received {inputs.Count}. Combine tensors with a merge layer such as Concatenate or Add.", nameof(inputs));
        if (initialState.Count > 0 && layer is not (Rnn or Bidirectional))
            throw new ArgumentException($"initial_state is only accepted by recurrent layers; layer '{layer.Name}' is {layer.ClassName}.", nameof(initialState));

        Tensor[] small, large;
        try
        {
            using var noGrad = Autodiff.NoGrad();
            small = Execute(layer, inputs.Select(t => Probe(t, 1)).ToList(), initialState.Select(t => Probe(t, 1)).ToList(), false, null, out _);
            large = Execute(layer, inputs.Select(t => Probe(t, 2)).ToList(), initialState.Select(t => Probe(t, 2)).ToList(), false, null, out _);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException($"Layer '{layer.Name}' ({layer.ClassName}) cannot be called on inputs of shape "
                + string.Join(", ", inputs.Select(t => KerasTensor.Format(t.Shape)))
                + (initialState.Count > 0 ? " with initial_state " + string.Join(", ", initialState.Select(t => KerasTensor.Format(t.Shape))) : "")
                + $": {e.Message}", nameof(inputs), e);
        }
        finally
        {
            // The probes must not leave anything behind in carried states.
            foreach (var l in Model.AllLayers(layer).Prepend(layer))
                if (l is Rnn { Stateful: true, States: not null } rnn) rnn.ResetStates();
        }

        var node = new Node(layer, inputs.ToArray(), initialState.ToArray());
        node.Outputs = small.Select((s, i) => new KerasTensor(
            Enumerable.Range(0, s.Rank).Select(d => s.Shape[d] == large[i].Shape[d] ? s.Shape[d] : (int?)null).ToArray(),
            s.DType, node, i)).ToArray();
        s_nodes.GetOrCreateValue(layer).Add(node);
        return node.Outputs;
    }

    /// <summary>Zeros of <paramref name="tensor"/>'s shape, unknown dimensions set to <paramref name="unknown"/>.</summary>
    private static Tensor Probe(KerasTensor tensor, int unknown) =>
        Tensor.Zeros(new Shape(tensor.Shape.Select(d => d ?? unknown).ToArray()), tensor.DType);

    /// <summary>Runs <paramref name="layer"/> on values as a node does; <paramref name="masks"/> gets one output mask per output.</summary>
    public static Tensor[] Execute(Layer layer, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> initialState, bool training,
        IReadOnlyList<Tensor?>? inputMasks, out Tensor?[] masks)
    {
        if (layer is Merge merge)
        {
            var merged = merge.Apply(inputs, training);
            masks = [inputMasks is null ? null : merge.ComputeMask(inputMasks)];
            return [merged];
        }
        var mask = inputMasks?[0];
        var outputs = layer.Apply(inputs[0], new CallArguments
        {
            Training = training,
            Mask = mask,
            InitialState = initialState.Count > 0 ? initialState : null,
        });
        masks = new Tensor?[outputs.Length];
        // Keras: the first output carries the mask; returned states have none.
        masks[0] = layer.ComputeMask(inputs[0], mask);
        return outputs;
    }
}
