namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>The cell a fused recurrent sequence op runs at every step.</summary>
public enum RecurrentCellKind
{
    /// <summary>Keras <c>SimpleRNNCell</c>: one gate block, <c>h' = φ(x·W + b + h·R)</c>.</summary>
    SimpleRnn,

    /// <summary>Keras <c>LSTMCell</c>: gate blocks i, f, c, o; states <c>[h, c]</c>.</summary>
    Lstm,

    /// <summary>Keras <c>GRUCell</c>: gate blocks z, r, h; <see cref="RecurrentSequenceSpec.ResetAfter"/> picks the variant.</summary>
    Gru,
}

/// <summary>
/// What a fused recurrent sequence op (<see cref="ITensorBackend.RecurrentSequenceForward"/>) computes: the cell, its
/// activations as elementwise ops, and the Keras <c>RNN</c> options that shape the time loop.
/// </summary>
/// <param name="Kind">The cell.</param>
/// <param name="Units">Units U; gate blocks are U wide.</param>
/// <param name="Activation">φ as an elementwise op; null is the identity (Keras <c>linear</c>).</param>
/// <param name="RecurrentActivation">σ (LSTM/GRU gates) as an elementwise op; null is the identity. Ignored for SimpleRNN.</param>
/// <param name="GoBackwards">Process the sequence from its last step; outputs come in processing order (as Keras).</param>
/// <param name="ZeroOutputForMask">Masked steps output zeros instead of the previous output.</param>
/// <param name="ReturnSequences">The output is <c>(batch, time, U)</c> rather than the last output <c>(batch, U)</c>.</param>
/// <param name="HasBias">Whether a bias is added (GRU with <see cref="ResetAfter"/>: a <c>(2, 3U)</c> input and recurrent bias).</param>
/// <param name="ResetAfter">GRU only: apply the reset gate after the recurrent product (Keras 3 default).</param>
public sealed record RecurrentSequenceSpec(
    RecurrentCellKind Kind,
    int Units,
    UnaryOp? Activation,
    UnaryOp? RecurrentActivation,
    bool GoBackwards = false,
    bool ZeroOutputForMask = false,
    bool ReturnSequences = false,
    bool HasBias = true,
    bool ResetAfter = true)
{
    /// <summary>The <c>alpha</c> parameter of <see cref="Activation"/> (e.g. the leaky_relu slope).</summary>
    public double ActivationAlpha { get; init; }

    /// <summary>The <c>beta</c> parameter of <see cref="Activation"/>.</summary>
    public double ActivationBeta { get; init; }

    /// <summary>The <c>alpha</c> parameter of <see cref="RecurrentActivation"/>.</summary>
    public double RecurrentActivationAlpha { get; init; }

    /// <summary>The <c>beta</c> parameter of <see cref="RecurrentActivation"/>.</summary>
    public double RecurrentActivationBeta { get; init; }

    /// <summary>Number of gate blocks G: 1 (SimpleRNN), 4 (LSTM), 3 (GRU).</summary>
    public int Gates => Kind switch
    {
        RecurrentCellKind.Lstm => 4,
        RecurrentCellKind.Gru => 3,
        _ => 1,
    };

    /// <summary>Number of states: 2 for LSTM (<c>[h, c]</c>), else 1.</summary>
    public int StateCount => Kind == RecurrentCellKind.Lstm ? 2 : 1;

    /// <summary>Whether the GRU has a separate recurrent bias (reset_after with a bias).</summary>
    public bool HasRecurrentBias => Kind == RecurrentCellKind.Gru && ResetAfter && HasBias;
}

/// <summary>
/// The operands of a fused recurrent sequence op, in Keras shapes (all on one device, one float dtype, contiguous).
/// </summary>
/// <param name="X">Inputs <c>(batch, time, features)</c>.</param>
/// <param name="Kernel">Input kernel <c>(features, G·U)</c>.</param>
/// <param name="RecurrentKernel">Recurrent kernel <c>(U, G·U)</c>.</param>
/// <param name="Bias">Bias <c>(G·U)</c>, GRU reset_after <c>(2, 3U)</c>; null without one.</param>
/// <param name="InitialStates">Initial states, each <c>(batch, U)</c> (<c>[h, c]</c> for LSTM).</param>
/// <param name="Mask">Optional <c>(batch, time)</c> mask, nonzero = valid step.</param>
/// <param name="InputDropoutMasks">Optional input dropout masks <c>(batch, features)</c> (already scaled): one shared by all gates, or one per gate.</param>
/// <param name="RecurrentDropoutMasks">Optional recurrent dropout masks <c>(batch, U)</c> (already scaled): one shared, or one per gate.</param>
public sealed record RecurrentSequenceOperands(
    Tensor X,
    Tensor Kernel,
    Tensor RecurrentKernel,
    Tensor? Bias,
    IReadOnlyList<Tensor> InitialStates,
    Tensor? Mask = null,
    IReadOnlyList<Tensor>? InputDropoutMasks = null,
    IReadOnlyList<Tensor>? RecurrentDropoutMasks = null);
