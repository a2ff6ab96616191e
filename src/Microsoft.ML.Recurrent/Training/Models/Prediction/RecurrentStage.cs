using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Training.Models.Prediction;

/// <summary>
/// A built-in LSTM, GRU or SimpleRNN layer run by the inference kernel, which keeps the packed recurrent kernel and
/// repacks it when the weight has been assigned since (training, <c>SetWeights</c>).
/// </summary>
internal sealed unsafe class RecurrentStage : PredictorStage
{
    private readonly Rnn _layer;
    private readonly DenseRecurrentCell _cell;
    private readonly RecurrentInferenceKernel<float> _kernel;
    private Tensor? _packedTensor;
    private int _packedVersion;

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

    /// <summary>Packs the recurrent kernel on first use and after every assignment to it.</summary>
    private void RefreshPack()
    {
        var variable = _cell.RecurrentKernel;
        var tensor = variable.Value;
        if (_kernel.IsPacked && ReferenceEquals(tensor, _packedTensor) && variable.Version == _packedVersion) return;
        fixed (float* r = PredictorWeights.Of(variable)) _kernel.Pack(r);
        _packedTensor = tensor;
        _packedVersion = variable.Version;
    }
}
