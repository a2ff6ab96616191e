using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>
/// Runs a built-in LSTM / GRU / SimpleRNN layer as one fused sequence op (<see cref="Ops.RecurrentSequence"/>)
/// instead of the generic cell-by-cell loop of <see cref="Rnn"/>, with the same numbers: the dropout masks are drawn
/// through the cell's own mask machinery, in the order and shapes its <c>Step</c> draws them.
/// </summary>
internal static class FusedRecurrentSequence
{
    /// <summary>Whether a fused kernel can apply <paramref name="activation"/> (the identity or an elementwise op).</summary>
    public static bool CanFuse(Activation activation) => activation.IsLinear || activation.Op is not null;

    /// <summary>The fused op's spec for a built-in layer and its cell.</summary>
    public static RecurrentSequenceSpec Spec(Rnn layer, DenseRecurrentCell cell, RecurrentCellKind kind, Activation? recurrentActivation, bool resetAfter) =>
        new(kind, cell.Units, cell.Activation.Op, recurrentActivation?.Op, layer.GoBackwards, layer.ZeroOutputForMask,
            layer.ReturnSequences, cell.UseBias, resetAfter)
        {
            ActivationAlpha = cell.Activation.OpAlpha,
            ActivationBeta = cell.Activation.OpBeta,
            RecurrentActivationAlpha = recurrentActivation?.OpAlpha ?? 0,
            RecurrentActivationBeta = recurrentActivation?.OpBeta ?? 0,
        };

    /// <summary>
    /// The fused form of a built-in LSTM / GRU / SimpleRNN layer (its cell, kind, recurrent activation and GRU
    /// variant), or null for any other recurrent layer or a cell whose activations cannot be fused.
    /// </summary>
    public static (DenseRecurrentCell Cell, RecurrentSequenceSpec Spec)? Describe(Rnn layer)
    {
        (DenseRecurrentCell cell, RecurrentCellKind kind, Activation? recurrent, bool resetAfter) = layer switch
        {
            Lstm l => ((DenseRecurrentCell)l.Cell, RecurrentCellKind.Lstm, (Activation?)l.Cell.RecurrentActivation, false),
            Gru g => (g.Cell, RecurrentCellKind.Gru, g.Cell.RecurrentActivation, g.Cell.ResetAfter),
            SimpleRnn s => (s.Cell, RecurrentCellKind.SimpleRnn, null, false),
            _ => (null!, default, null, false),
        };
        if (cell is null || !CanFuse(cell.Activation) || (recurrent is not null && !CanFuse(recurrent))) return null;
        return (cell, Spec(layer, cell, kind, recurrent, resetAfter));
    }

    /// <summary>
    /// Runs the sequence fused, or returns null when the fused op does not cover the configuration (a custom or
    /// softmax activation, weights of another dtype or device, an empty batch or sequence, or fused kernels switched off).
    /// </summary>
    public static (Tensor? Outputs, Tensor Last, Tensor[] States)? TryRun(Rnn layer, DenseRecurrentCell cell, RecurrentCellKind kind,
        Activation? recurrentActivation, bool resetAfter, Tensor sequences, Tensor[] initialStates, Tensor? mask, CallArguments arguments)
    {
        int batch = sequences.Shape[0], steps = sequences.Shape[1];
        if (!layer.UseFusedKernels || batch == 0 || steps == 0 || sequences.Rank != 3) return null;
        if (!CanFuse(cell.Activation) || (recurrentActivation is not null && !CanFuse(recurrentActivation))) return null;
        var kernel = cell.Kernel.Value;
        var recurrentKernel = cell.RecurrentKernel.Value;
        var bias = cell.Bias?.Value;
        foreach (var t in (Tensor?[])[kernel, recurrentKernel, bias, .. initialStates])
            if (t is not null && (t.DType != sequences.DType || t.Device != sequences.Device)) return null;

        var spec = Spec(layer, cell, kind, recurrentActivation, resetAfter);

        cell.ResetDropoutMasks();
        try
        {
            Tensor[]? inputMasks = null, recurrentMasks = null;
            if (arguments.Training && (cell.Dropout > 0 || cell.RecurrentDropout > 0))
            {
                // Templates shaped like one step's input and state, as the generic loop passes them to Step.
                var inputTemplate = Tensor.Zeros(new Shape(batch, sequences.Shape[2]), sequences.DType, sequences.Device);
                var stateTemplate = Tensor.Zeros(new Shape(batch, cell.Units), sequences.DType, sequences.Device);
                (inputMasks, recurrentMasks) = cell.SequenceDropoutMasks(inputTemplate, stateTemplate, training: true);
            }
            var (output, states) = Ops.RecurrentSequence(spec, sequences, kernel, recurrentKernel, bias, initialStates, mask, inputMasks, recurrentMasks);
            if (!layer.ReturnSequences) return (null, output, states);
            var last = Ops.Squeeze(Ops.Slice(output, 1, steps - 1, 1), 1);
            return (output, last, states);
        }
        finally
        {
            cell.ResetDropoutMasks();
        }
    }
}
