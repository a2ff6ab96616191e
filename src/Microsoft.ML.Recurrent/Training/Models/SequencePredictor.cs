using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Models.Prediction;

namespace Microsoft.ML.Recurrent.Training.Models;

/// <summary>
/// Scores sequences with a model's current weights without an autograd tape and, in the steady state, without
/// allocating: the buffers and the packed recurrent kernels are kept between calls. Made by
/// <see cref="Model.CreatePredictor"/>; the results equal <see cref="Model.Predict(Tensor, int)"/>'s.
/// </summary>
/// <remarks>
/// <para><b>Allocation-free layers</b>: <c>LSTM</c>, <c>GRU</c> and <c>SimpleRNN</c> (any built-in activations,
/// return_sequences, go_backwards, masks, stacked), <c>Bidirectional</c> over them, <c>Dense</c> (elementwise
/// activations, softmax, log_softmax), <c>Dropout</c> (the identity at inference), <c>Masking</c> and
/// <c>Activation</c>, all float32 on the CPU. A model with any other layer, a custom activation, a float64 policy or a
/// stateful recurrent layer is scored through the regular no-grad tensor path (<see cref="Model.PredictOnBatch(Tensor)"/>),
/// which gives the same numbers and allocates; <see cref="IsAllocationFree"/> tells which applies.</para>
/// <para><b>Stateful models</b> take the tensor path, so the carried states advance with every call exactly as they
/// do with <see cref="Model.Predict(Tensor, int)"/> (and the batch size must be the model's fixed one).</para>
/// <para><b>Weights</b> are read at every call, so training the model or calling <c>SetWeights</c> after creating
/// the predictor is seen by the next call (the packed recurrent kernels are refreshed when their weight has been
/// assigned). Weights changed other than through <see cref="Variable.Assign(Tensor)"/> are not detected.</para>
/// <para><b>Not thread-safe</b>: one predictor serves one caller at a time (as ML.NET's <c>PredictionEngine</c>);
/// create one per thread. Different predictors of one model may run concurrently when nobody trains it meanwhile.</para>
/// </remarks>
/// <example>
/// <code>
/// using var predictor = model.CreatePredictor();
/// var output = new float[predictor.GetOutputLength(steps)];
/// predictor.Predict(sequence, output);   // sequence: steps × Features values, row-major
/// </code>
/// </example>
public sealed unsafe class SequencePredictor : IDisposable
{
    private readonly Model _model;
    private readonly PredictorStage[]? _stages;
    private readonly bool _outputHasSteps;
    private readonly int _outputWidth;
    private float[] _ping = [], _pong = [], _mask = [];
    private bool _disposed;

    internal SequencePredictor(Model model)
    {
        _model = model;
        if (!model.Built || model.BuildInputShape is not { Rank: >= 3 } shape)
            throw new InvalidOperationException($"Model '{model.Name}' is not built for sequences yet; build it with an input shape (batch, steps, features), or fit or predict once, before creating a predictor.");
        Features = shape[^1];
        _stages = Compile(model, Features, out _outputHasSteps, out _outputWidth);
    }

    /// <summary>Features per time step: a sequence of <c>steps</c> steps holds <c>steps × Features</c> values.</summary>
    public int Features { get; }

    /// <summary>Whether calls run the allocation-free path (false: the model has a layer it does not cover; see the remarks).</summary>
    public bool IsAllocationFree => _stages is not null;

    /// <summary>
    /// Number of output values for one sequence of <paramref name="steps"/> steps: the last layer's width, times
    /// <paramref name="steps"/> when the model outputs a sequence.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is negative.</exception>
    public int GetOutputLength(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_stages is not null) return _outputHasSteps ? checked(steps * _outputWidth) : _outputWidth;
        return ProbeOutputLength(steps);
    }

    /// <summary>Scores one sequence <c>(steps, Features)</c>, row-major; steps = <c>sequence.Length / Features</c>.</summary>
    /// <param name="sequence">The sequence; its length must be a positive multiple of <see cref="Features"/>.</param>
    /// <param name="output">Receives the model's output for the sequence; exactly <see cref="GetOutputLength"/>(steps) long.</param>
    /// <exception cref="ArgumentException">A length does not fit.</exception>
    public void Predict(ReadOnlySpan<float> sequence, Span<float> output) => Predict(sequence, 1, output, nameof(sequence));

    /// <summary>Scores <paramref name="batchSize"/> sequences of equal length, <c>(batchSize, steps, Features)</c> row-major.</summary>
    /// <param name="batch">The sequences one after another; its length must be a positive multiple of <c>batchSize × Features</c>.</param>
    /// <param name="batchSize">Number of sequences (at least 1).</param>
    /// <param name="output">Receives the outputs one sequence after another; exactly <c>batchSize × GetOutputLength(steps)</c> long.</param>
    /// <exception cref="ArgumentException">A length does not fit.</exception>
    public void Predict(ReadOnlySpan<float> batch, int batchSize, Span<float> output) => Predict(batch, batchSize, output, nameof(batch));

    private void Predict(ReadOnlySpan<float> batch, int batchSize, Span<float> output, string inputName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        long perStep = (long)batchSize * Features;
        if (batch.Length == 0 || batch.Length % perStep != 0)
            throw new ArgumentException($"The input has {batch.Length} values; {batchSize} sequence(s) of {Features} features per step need a positive multiple of {perStep}.", inputName);
        int steps = (int)(batch.Length / perStep);
        long expected = (long)batchSize * GetOutputLength(steps);
        if (output.Length != expected)
            throw new ArgumentException($"The output has {output.Length} values; {batchSize} sequence(s) of {steps} steps give {expected} (GetOutputLength({steps}) = {GetOutputLength(steps)} each).", nameof(output));

        if (_stages is null)
        {
            PredictThroughTensors(batch, batchSize, steps, output);
            return;
        }
        RunStages(batch, batchSize, steps, output);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposed = true;
        _ping = _pong = _mask = [];
    }

    private void RunStages(ReadOnlySpan<float> batch, int batchSize, int steps, Span<float> output)
    {
        var stages = _stages!;
        long largest = 0;
        int width = Features;
        bool hasSteps = true;
        for (int i = 0; i < stages.Length; i++)
        {
            hasSteps &= !stages[i].DropsSteps;
            width = stages[i].OutputWidth;
            largest = Math.Max(largest, (long)batchSize * (hasSteps ? steps : 1) * width);
        }
        float* ping = Reserve(ref _ping, largest), pong = Reserve(ref _pong, largest);
        float* maskBuffer = Reserve(ref _mask, (long)batchSize * steps);
        fixed (float* input = batch)
        fixed (float* result = output)
        {
            var pass = new PredictorPass { Batch = batchSize, Steps = steps, HasSteps = true, MaskBuffer = maskBuffer };
            float* current = input;
            for (int i = 0; i < stages.Length; i++)
            {
                float* destination = i == stages.Length - 1 ? result : current == ping ? pong : ping;
                var stage = stages[i];
                var mask = pass.Mask;
                stage.Run(ref pass, current, destination);
                if (stage is not MaskingStage) pass.Mask = stage.PassesMask ? mask : null;
                pass.HasSteps &= !stage.DropsSteps;
                current = destination;
            }
            if (stages.Length == 0) batch.CopyTo(output);
        }
    }

    private static float* Reserve(ref float[] buffer, long length)
    {
        if (buffer.Length < length) buffer = GC.AllocateUninitializedArray<float>(checked((int)Math.Max(1, length)), pinned: true);
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
    }

    /// <summary>The stages of a Sequential model, or null when a layer needs the tensor path.</summary>
    private static PredictorStage[]? Compile(Model model, int features, out bool hasSteps, out int width)
    {
        hasSteps = true;
        width = features;
        if (model is not Sequential sequential || model.IsStateful) return null;
        if (sequential.DTypePolicy.ComputeDType != DType.Float32) return null;
        var stages = new List<PredictorStage>();
        foreach (var layer in sequential.Layers)
        {
            PredictorStage? stage = layer switch
            {
                Dropout => null,
                Masking m when hasSteps => new MaskingStage(m, width),
                ActivationLayer a when ActivationStage.Supports(a.Activation) => new ActivationStage(a.Activation, width),
                Dense d when ActivationStage.Supports(d.Activation) && d.Kernel.Shape[0] == width
                    && PredictorWeights.Readable(d.Kernel) && PredictorWeights.Readable(d.Bias) => new DenseStage(d, width),
                Bidirectional b when hasSteps => BidirectionalStage.TryCreate(b, width),
                Rnn r when hasSteps => RecurrentStage.TryCreate(r, width),
                _ => null,
            };
            if (layer is Dropout) continue;
            if (stage is null) return null;
            stages.Add(stage);
            hasSteps &= !stage.DropsSteps;
            width = stage.OutputWidth;
        }
        return stages.ToArray();
    }

    // ------------------------------------------------------------------ the tensor path

    private readonly Dictionary<int, int> _probedLengths = [];

    private void PredictThroughTensors(ReadOnlySpan<float> batch, int batchSize, int steps, Span<float> output)
    {
        using var noGrad = Autodiff.NoGrad();
        var x = Tensor.FromSpan(batch, new Shape(batchSize, steps, Features));
        if (x.DType != _model.DTypePolicy.ComputeDType) x = Ops.Cast(x, _model.DTypePolicy.ComputeDType);
        var y = _model.PredictOnBatch(x);
        y.ToFloatArray().AsSpan().CopyTo(output);
    }

    /// <summary>The tensor path's output length, from one run on zeros (the carried states of a stateful model are restored after).</summary>
    private int ProbeOutputLength(int steps)
    {
        if (_probedLengths.TryGetValue(steps, out int known)) return known;
        var stateful = Model.AllLayers(_model).OfType<Rnn>().Where(r => r.Stateful && r.States is not null).ToList();
        var saved = stateful.Select(r => r.States!.ToArray()).ToList();
        int batch = stateful.Count > 0 ? saved[0][0].Shape[0] : 1;
        using var noGrad = Autodiff.NoGrad();
        var y = _model.PredictOnBatch(Tensor.Zeros(new Shape(batch, steps, Features), _model.DTypePolicy.ComputeDType));
        for (int i = 0; i < stateful.Count; i++) stateful[i].ResetStates(saved[i]);
        int length = checked((int)(y.Shape.Size / batch));
        _probedLengths[steps] = length;
        return length;
    }
}
