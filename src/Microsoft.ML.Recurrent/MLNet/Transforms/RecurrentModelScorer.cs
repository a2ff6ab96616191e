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
        if (network.BuildInputShape is { Rank: >= 3 } built && built[^1] != sequence.Features)
        {
            throw new ArgumentException($"Model '{network.Name}' takes {built[^1]} features per step (built for inputs {built}), but sequence column '{sequence.Name}' has {sequence.Features}; declare featuresPerStep or use a column of the model's width.", "inputColumnName");
        }

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

    /// <summary>A scorer for one cursor or prediction engine (not thread-safe, like them).</summary>
    public RowScorer CreateRowScorer() => new(this);

    /// <summary>The output for one sequence of <paramref name="steps"/> steps, <paramref name="values"/> step-major, through the tensor path.</summary>
    private float[] Score(float[] values, int steps)
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

    /// <summary>
    /// Scores rows one at a time for one reader: the network's <see cref="SequencePredictor"/> and the buffers are kept
    /// between rows, so scoring allocates nothing in the steady state when the predictor covers the network's layers.
    /// The final-states output runs through the tensor path.
    /// </summary>
    internal sealed class RowScorer
    {
        private readonly RecurrentModelScorer _owner;
        private readonly SequencePredictor? _predictor;
        private float[] _input = [];
        private float[] _full = [];

        public RowScorer(RecurrentModelScorer owner)
        {
            _owner = owner;
            if (owner._output != RecurrentModelOutput.States)
            {
                _predictor = owner._network.CreatePredictor();
            }
        }

        /// <summary>Writes the output for <paramref name="value"/> (already checked: <paramref name="steps"/> whole steps, no NaN) to <paramref name="destination"/>.</summary>
        public void Score(in VBuffer<float> value, int steps, ref VBuffer<float> destination)
        {
            ReadOnlySpan<float> sequence;
            if (value.IsDense)
            {
                sequence = value.GetValues();
            }
            else
            {
                if (_input.Length < value.Length)
                {
                    _input = new float[value.Length];
                }

                value.CopyTo(_input);
                sequence = _input.AsSpan(0, value.Length);
            }

            if (_predictor is null)
            {
                Write(_owner.Score(sequence.ToArray(), steps), ref destination);
                return;
            }

            int length = _predictor.GetOutputLength(steps);
            if (_owner._output == RecurrentModelOutput.LastStep)
            {
                if (_full.Length != length)
                {
                    _full = new float[length];
                }

                Predict(sequence, _full);
                Write(_full.AsSpan(length - (length / steps)), ref destination);
                return;
            }

            var editor = VBufferEditor.Create(ref destination, length);
            Predict(sequence, editor.Values);
            destination = editor.Commit();
        }

        private void Predict(ReadOnlySpan<float> sequence, Span<float> output)
        {
            if (_predictor!.IsAllocationFree)
            {
                _predictor.Predict(sequence, output);
                return;
            }

            // The predictor's fallback is the tensor path, whose layers keep per-call bookkeeping.
            lock (_owner._network)
            {
                _predictor.Predict(sequence, output);
            }
        }

        private static void Write(ReadOnlySpan<float> values, ref VBuffer<float> destination)
        {
            var editor = VBufferEditor.Create(ref destination, values.Length);
            values.CopyTo(editor.Values);
            destination = editor.Commit();
        }
    }
}
