using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.Recurrent.Layers.Recurrent;

namespace Microsoft.ML.Recurrent.Training.Models.Prediction;

/// <summary>
/// A <c>Bidirectional</c> wrapper over two built-in recurrent layers: both directions run on the input, the backward
/// one's sequence output is flipped back in time, then the two are merged (concat, sum, ave, mul; none keeps the
/// forward output, as a Sequential model does).
/// </summary>
internal sealed unsafe class BidirectionalStage : PredictorStage
{
    private readonly Bidirectional _layer;
    private readonly RecurrentStage _forward;
    private readonly RecurrentStage? _backward;
    private float[] _forwardOut = [], _backwardOut = [];

    private BidirectionalStage(Bidirectional layer, RecurrentStage forward, RecurrentStage? backward)
    {
        _layer = layer;
        _forward = forward;
        _backward = backward;
    }

    /// <summary>The stage for <paramref name="layer"/>, or null when either direction is not supported.</summary>
    public static BidirectionalStage? TryCreate(Bidirectional layer, int inputWidth)
    {
        if (RecurrentStage.TryCreate(layer.Forward, inputWidth) is not { } forward) return null;
        if (layer.MergeMode is null) return new BidirectionalStage(layer, forward, null);
        if (RecurrentStage.TryCreate(layer.Backward, inputWidth) is not { } backward) return null;
        return new BidirectionalStage(layer, forward, backward);
    }

    /// <inheritdoc/>
    public override int OutputWidth => _layer.MergeMode == "concat" ? _forward.OutputWidth + _backward!.OutputWidth : _forward.OutputWidth;

    /// <inheritdoc/>
    public override bool DropsSteps => _forward.DropsSteps;

    /// <inheritdoc/>
    public override bool PassesMask => _forward.PassesMask;

    /// <inheritdoc/>
    public override void Run(ref PredictorPass pass, float* input, float* output)
    {
        if (_backward is null)
        {
            _forward.Run(ref pass, input, output);
            return;
        }
        int rows = _forward.DropsSteps ? pass.Batch : pass.Batch * pass.Steps;
        int u1 = _forward.OutputWidth, u2 = _backward.OutputWidth;
        float* y = Reserve(ref _forwardOut, (long)rows * u1);
        float* yBack = Reserve(ref _backwardOut, (long)rows * u2);
        _forward.Run(ref pass, input, y);
        _backward.Run(ref pass, input, yBack);
        bool flip = !_forward.DropsSteps;
        int steps = pass.Steps;
        for (int r = 0; r < rows; r++)
        {
            // Row r = (b, t) with sequences; the backward output of time t sits at processing step T − 1 − t.
            int source = flip ? (r / steps * steps) + (steps - 1 - (r % steps)) : r;
            var forward = new ReadOnlySpan<float>(y + (long)r * u1, u1);
            var backward = new ReadOnlySpan<float>(yBack + (long)source * u2, u2);
            switch (_layer.MergeMode)
            {
                case "concat":
                    forward.CopyTo(new Span<float>(output + (long)r * (u1 + u2), u1));
                    backward.CopyTo(new Span<float>(output + ((long)r * (u1 + u2)) + u1, u2));
                    break;
                case "sum":
                    TensorPrimitives.Add(forward, backward, new Span<float>(output + (long)r * u1, u1));
                    break;
                case "ave":
                    var sum = new Span<float>(output + (long)r * u1, u1);
                    TensorPrimitives.Add(forward, backward, sum);
                    TensorPrimitives.Multiply(sum, 0.5f, sum);
                    break;
                default:
                    TensorPrimitives.Multiply(forward, backward, new Span<float>(output + (long)r * u1, u1));
                    break;
            }
        }
    }

    private static float* Reserve(ref float[] buffer, long length)
    {
        if (buffer.Length < length) buffer = GC.AllocateUninitializedArray<float>(checked((int)length), pinned: true);
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
    }
}
