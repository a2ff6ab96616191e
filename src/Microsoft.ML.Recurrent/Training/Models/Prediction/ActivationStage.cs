using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Training.Models.Prediction;

/// <summary>An <c>Activation</c> layer, and the activation step that <see cref="DenseStage"/> shares.</summary>
internal sealed unsafe class ActivationStage(Activation activation, int width) : PredictorStage
{
    /// <inheritdoc/>
    public override int OutputWidth => width;

    /// <summary>Whether the predictor can apply <paramref name="activation"/>: elementwise built-ins, softmax and log_softmax.</summary>
    public static bool Supports(Activation activation) =>
        !activation.IsCustom && (activation.IsElementwise || activation.Name is "softmax" or "log_softmax");

    /// <inheritdoc/>
    public override void Run(ref PredictorPass pass, float* input, float* output)
    {
        long length = (long)pass.Rows * width;
        new ReadOnlySpan<float>(input, checked((int)length)).CopyTo(new Span<float>(output, (int)length));
        Apply(activation, output, pass.Rows, width);
    }

    /// <summary>Applies the activation in place to <paramref name="rows"/> rows of <paramref name="width"/>, as the CPU backend's op does.</summary>
    public static void Apply(Activation activation, float* data, int rows, int width)
    {
        if (activation.IsLinear) return;
        var span = new Span<float>(data, checked(rows * width));
        if (activation.Op is { } op) CpuBackend.UnarySpan<float>(op, span, span, activation.OpAlpha, activation.OpBeta);
        else CpuBackend.SoftmaxRows<float>(span, span, width, log: activation.Name == "log_softmax");
    }
}
