using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// The keyword arguments of a Keras layer call besides the inputs: <c>training</c>, <c>mask</c> and, for recurrent
/// layers, <c>initial_state</c> and (Keras 2 generic RNN) <c>constants</c>.
/// </summary>
public sealed record CallArguments
{
    /// <summary>Training mode: dropout is active only when true. Default false (Keras's RNN default).</summary>
    public bool Training { get; init; }

    /// <summary>
    /// A <c>(batch, time)</c> mask of 1 (valid step) and 0 (masked step), in the input's float dtype; null for none.
    /// </summary>
    public Tensor? Mask { get; init; }

    /// <summary>Initial states for a recurrent layer (e.g. <c>[h, c]</c> for LSTM), each <c>(batch, units)</c>; null for zeros.</summary>
    public IReadOnlyList<Tensor>? InitialState { get; init; }

    /// <summary>Tensors passed unchanged to the cell at every step (Keras 2 <c>constants</c>); null for none.</summary>
    public IReadOnlyList<Tensor>? Constants { get; init; }

    /// <summary>No mask, no initial state, inference mode.</summary>
    public static CallArguments Default { get; } = new();
}
