using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Data;
using Microsoft.ML.Recurrent.Training.Models;

namespace Microsoft.ML.Recurrent.MLNet.Scoring;

/// <summary>
/// Runs a trainer's network on one sequence at a time, as <c>PredictionEngine</c> and row cursors need, through the
/// engine's allocation-free <see cref="SequencePredictor"/>: one per cursor or engine (<see cref="CreateRowScorer"/>),
/// since a predictor serves one caller at a time.
/// </summary>
internal sealed class SequenceScorer
{
    private readonly Model _network;
    private readonly SequenceColumn _sequence;

    public SequenceScorer(Model network, SequenceColumn sequence, int outputs)
    {
        _network = network;
        _sequence = sequence;
        Outputs = outputs;
    }

    /// <summary>Network outputs per sequence.</summary>
    public int Outputs { get; }

    /// <summary>A scorer for one cursor or prediction engine (not thread-safe, like them).</summary>
    public RowScorer CreateRowScorer() => new(this);

    /// <summary>Scores sequences for one caller; reuses its predictor and buffer.</summary>
    internal sealed class RowScorer
    {
        private readonly SequenceScorer _owner;
        private readonly SequencePredictor _predictor;
        private float[] _buffer = [];

        public RowScorer(SequenceScorer owner)
        {
            _owner = owner;
            _predictor = owner._network.CreatePredictor();
        }

        /// <summary>Scores the sequence <paramref name="value"/> (row <paramref name="row"/>, for messages) into <paramref name="output"/>.</summary>
        /// <exception cref="InvalidOperationException">A bad sequence (the message names column and row).</exception>
        public void Score(in VBuffer<float> value, long row, Span<float> output)
        {
            int steps = _owner._sequence.CheckedSteps(value, row);
            int outputs = _predictor.GetOutputLength(steps);
            if (outputs != _owner.Outputs)
                throw new InvalidOperationException($"The network gives {outputs} outputs for a sequence of {steps} steps; expected {_owner.Outputs}.");
            ReadOnlySpan<float> sequence;
            if (value.IsDense) sequence = value.GetValues();
            else
            {
                if (_buffer.Length != value.Length) _buffer = new float[value.Length];
                value.CopyTo(_buffer);
                sequence = _buffer;
            }
            _predictor.Predict(sequence, output[..outputs]);
        }
    }
}
