using System.Text.Json.Nodes;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.MLNet.Data;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Recurrent.MLNet.Transforms;

/// <summary>
/// Runs a network on one sequence at a time and shapes what comes out for <see cref="RecurrentModelOutput"/>: the output
/// column's type is found by running zero sequences through the network (two lengths, to tell per-step outputs from
/// per-sequence ones). Calls are serialized because layers keep per-call bookkeeping.
/// </summary>
internal sealed class RecurrentModelScorer
{
    private readonly Model _network;
    private readonly SequenceColumn _sequence;
    private readonly RecurrentModelOutput _output;
    private readonly Layer? _stateLayer;
    private readonly int _stateLayerIndex;

    public RecurrentModelScorer(Model network, SequenceColumn sequence, RecurrentModelOutput output)
    {
        _network = network;
        _sequence = sequence;
        _output = output;
        if (output == RecurrentModelOutput.States)
        {
            (_stateLayer, _stateLayerIndex) = StateLayer(network);
        }

        int probeSteps = sequence.IsVariableLength ? 2 : sequence.Timesteps;
        var shape = ComputeShape(probeSteps);
        bool perStep = shape.Rank >= 3 && shape[1] == probeSteps && FollowsLength(probeSteps + 1);
        OutputType = output switch
        {
            RecurrentModelOutput.LastStep when !perStep => throw new ArgumentException(
                $"RecurrentModelOutput.LastStep needs a model whose output is one vector per step (last layer with return_sequences=True), but model '{network.Name}' returns {shape} for a {probeSteps}-step sequence; use RecurrentModelOutput.Output.", "output"),
            RecurrentModelOutput.LastStep => Vector(shape.Dims[2..].ToArray()),
            RecurrentModelOutput.Output when perStep && sequence.IsVariableLength => new VectorDataViewType(NumberDataViewType.Single),
            _ => Vector(shape.Dims[1..].ToArray()),
        };
    }

    /// <summary>The sequence column read.</summary>
    public SequenceColumn Sequence => _sequence;

    /// <summary>The output column's type.</summary>
    public VectorDataViewType OutputType { get; }

    /// <summary>The output for one sequence of <paramref name="steps"/> steps, <paramref name="values"/> step-major.</summary>
    public float[] Score(float[] values, int steps)
    {
        using var input = Tensor.FromArray(values, new Shape(1, steps, _sequence.Features));
        lock (_network)
        {
            using var result = Run(input);
            var all = result.ToFloatArray();
            if (_output != RecurrentModelOutput.LastStep)
            {
                return all;
            }

            int width = all.Length / steps;
            return all.AsSpan(all.Length - width).ToArray();
        }
    }

    private static VectorDataViewType Vector(int[] dims) =>
        new(NumberDataViewType.Single, dims.Length == 0 ? [1] : dims);

    private Shape ComputeShape(int steps)
    {
        using var zeros = Tensor.Zeros(new Shape(1, steps, _sequence.Features));
        lock (_network)
        {
            using var result = Run(zeros);
            return result.Shape;
        }
    }

    private bool FollowsLength(int steps)
    {
        try
        {
            var shape = ComputeShape(steps);
            return shape.Rank >= 3 && shape[1] == steps;
        }
        catch (ArgumentException)
        {
            // A network that accepts only its declared length cannot have a length-following output.
            return false;
        }
    }

    private Tensor Run(Tensor input)
    {
        if (_stateLayer is null)
        {
            return _network.PredictOnBatch(input);
        }

        using var noGrad = Autodiff.NoGrad();
        var x = input;
        Tensor? mask = null;
        for (int i = 0; i < _stateLayerIndex; i++)
        {
            var layer = _network.Layers[i];
            var y = layer.Apply(x, new CallArguments { Mask = mask })[0];
            mask = layer.ComputeMask(x, mask);
            x = y;
        }

        var outputs = _stateLayer.Apply(x, new CallArguments { Mask = mask });
        return outputs.Length == 2 ? outputs[1] : Ops.Concat(outputs[1..], -1);
    }

    /// <summary>A copy of the last recurrent layer that also returns its final states, with the same weights.</summary>
    private static (Layer Layer, int Index) StateLayer(Model network)
    {
        int index = -1;
        for (int i = 0; i < network.Layers.Count; i++)
        {
            if (network.Layers[i] is Rnn or Bidirectional)
            {
                index = i;
            }
        }

        if (index < 0 || network is not Sequential)
        {
            throw new ArgumentException($"RecurrentModelOutput.States needs a Sequential model with a recurrent layer (SimpleRNN, LSTM, GRU, RNN, Bidirectional); model '{network.Name}' has none.", "output");
        }

        var original = network.Layers[index];
        var envelope = original.ToConfig();
        var config = (JsonObject)envelope["config"]!;
        config["return_state"] = true;
        foreach (string wrapped in new[] { "layer", "backward_layer" })
        {
            if (config[wrapped]?["config"] is JsonObject inner)
            {
                inner["return_state"] = true;
            }
        }

        var copy = KerasLayers.Deserialize(envelope);
        copy.Build(original.BuildInputShape ?? throw new ArgumentException($"Layer '{original.Name}' is not built.", "output"));
        copy.SetWeights(original.GetWeights());
        return (copy, index);
    }
}
