using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Training.Models.Prediction;

/// <summary>A <c>Dense</c> layer on the last axis: one GEMM over all rows, the bias, the activation.</summary>
internal sealed unsafe class DenseStage(Dense layer, int inputWidth) : PredictorStage
{
    /// <inheritdoc/>
    public override int OutputWidth => layer.Units;

    /// <inheritdoc/>
    public override void Run(ref PredictorPass pass, float* input, float* output)
    {
        int rows = pass.Rows, units = layer.Units;
        fixed (float* w = PredictorWeights.Of(layer.Kernel))
        fixed (float* b = PredictorWeights.Of(layer.Bias))
        {
            Gemm.Sgemm(false, false, rows, units, inputWidth, 1f, input, inputWidth, w, units, 0f, output, units);
            if (b != null)
            {
                var bias = new ReadOnlySpan<float>(b, units);
                for (int r = 0; r < rows; r++)
                {
                    var row = new Span<float>(output + (long)r * units, units);
                    System.Numerics.Tensors.TensorPrimitives.Add(row, bias, row);
                }
            }
        }
        ActivationStage.Apply(layer.Activation, output, rows, units);
    }
}
