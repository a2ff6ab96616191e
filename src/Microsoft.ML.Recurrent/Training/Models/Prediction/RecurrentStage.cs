using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Training.Models.Prediction;

/// <summary>
/// A built-in LSTM, GRU or SimpleRNN layer run by the inference kernel, which keeps the packed recurrent kernel (and,
/// for large batches, the packed input kernel) and repacks them when either weight has been assigned since (training,
/// <c>SetWeights</c>).
/// </summary>
internal sealed unsafe class RecurrentStage : PredictorStage
{
    private readonly Rnn _layer;
    private readonly DenseRecurrentCell _cell;
    private readonly RecurrentInferenceKernel<float> _kernel;
    private (Tensor? Value, int Version) _packedKernel, _packedRecurrentKernel;

    private RecurrentStage(Rnn layer, DenseRecurrentCell cell, RecurrentSequenceSpec spec, int inputWidth)
    {
        _layer = layer;
        _cell = cell;
        _kernel = new RecurrentInferenceKernel<float>(spec, inputWidth);
    }

    /// <summary>The stage for <paramref name="layer"/>, or null when the predictor cannot run it without the tensor path.</summary>
    public static RecurrentStage? TryCreate(Rnn layer, int inputWidth)
    {
        if (layer.Stateful || layer.TimeMajor || !layer.UseFusedKernels) return null;
        if (FusedRecurrentSequence.Describe(layer) is not var (cell, spec)) return null;
        if (!PredictorWeights.Readable(cell.Kernel) || !PredictorWeights.Readable(cell.RecurrentKernel) || !PredictorWeights.Readable(cell.Bias)) return null;
        if (cell.Kernel.Shape[0] != inputWidth) return null;
        return new RecurrentStage(layer, cell, spec, inputWidth);
    }

    /// <inheritdoc/>
    public override int OutputWidth => _cell.Units;

    /// <inheritdoc/>
    public override bool DropsSteps => !_layer.ReturnSequences;

    /// <inheritdoc/>
    public override bool PassesMask => _layer.ReturnSequences;

    /// <inheritdoc/>
    public override void Run(ref PredictorPass pass, float* input, float* output) => Run(ref pass, input, output, hFinal: null);

    /// <summary>Runs the layer; <paramref name="hFinal"/> receives the final h when not null.</summary>
    public void Run(ref PredictorPass pass, float* input, float* output, float* hFinal)
    {
        RefreshPack();
        fixed (float* w = PredictorWeights.Of(_cell.Kernel))
        fixed (float* b = PredictorWeights.Of(_cell.Bias))
        {
            _kernel.Forward(pass.Batch, pass.Steps, input, w, b, null, null, pass.Mask, output, hFinal, null);
        }
    }

    /// <summary>Packs on first use and after every assignment to the kernel or the recurrent kernel.</summary>
    private void RefreshPack()
    {
        Variable kernel = _cell.Kernel, recurrentKernel = _cell.RecurrentKernel;
        if (_kernel.IsPacked && Unchanged(kernel, _packedKernel) && Unchanged(recurrentKernel, _packedRecurrentKernel)) return;
        fixed (float* r = PredictorWeights.Of(recurrentKernel)) _kernel.Pack(r);
        _packedKernel = (kernel.Value, kernel.Version);
        _packedRecurrentKernel = (recurrentKernel.Value, recurrentKernel.Version);
    }

    private static bool Unchanged(Variable variable, (Tensor? Value, int Version) packed) =>
        ReferenceEquals(variable.Value, packed.Value) && variable.Version == packed.Version;
}
