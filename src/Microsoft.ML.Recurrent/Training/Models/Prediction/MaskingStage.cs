using Microsoft.ML.Recurrent.Layers.Core;

namespace Microsoft.ML.Recurrent.Training.Models.Prediction;

/// <summary>A <c>Masking</c> layer: a step is valid where any feature differs from the mask value; padded steps become zeros.</summary>
internal sealed unsafe class MaskingStage(Masking layer, int width) : PredictorStage
{
    private readonly float _maskValue = (float)layer.MaskValue;

    /// <inheritdoc/>
    public override int OutputWidth => width;

    /// <inheritdoc/>
    public override bool PassesMask => false;

    /// <inheritdoc/>
    public override void Run(ref PredictorPass pass, float* input, float* output)
    {
        int rows = pass.Rows;
        for (int r = 0; r < rows; r++)
        {
            var x = new ReadOnlySpan<float>(input + (long)r * width, width);
            var y = new Span<float>(output + (long)r * width, width);
            bool valid = x.IndexOfAnyExcept(_maskValue) >= 0;
            if (valid) x.CopyTo(y);
            else y.Clear();
            pass.MaskBuffer[r] = valid ? 1f : 0f;
        }
        pass.Mask = pass.HasSteps ? pass.MaskBuffer : null;
    }
}
