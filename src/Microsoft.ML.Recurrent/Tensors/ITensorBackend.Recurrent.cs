namespace Microsoft.ML.Recurrent.Tensors;

public partial interface ITensorBackend
{
    /// <summary>
    /// Number of elements of the workspace that <see cref="RecurrentSequenceForward"/> fills in training for
    /// <see cref="RecurrentSequenceBackward"/> (the stored gate activations and states of every step).
    /// </summary>
    long RecurrentWorkspaceLength(RecurrentSequenceSpec spec, int batch, int steps, int features);

    /// <summary>
    /// Storage for a workspace of <see cref="RecurrentWorkspaceLength"/> elements of <paramref name="dtype"/>, with
    /// undefined contents (the forward pass writes every element the backward pass reads). The backend may reuse the
    /// memory of released workspaces, so release it (dispose its tensor) as soon as the backward pass is done.
    /// </summary>
    TensorStorage AllocateRecurrentWorkspace(RecurrentSequenceSpec spec, int batch, int steps, int features, DType dtype);

    /// <summary>
    /// Runs a whole LSTM / GRU / SimpleRNN sequence with Keras <c>RNN</c> semantics: at a masked step the states
    /// carry over and the output repeats the previous output (zeros before the first valid step), or is zero with
    /// <see cref="RecurrentSequenceSpec.ZeroOutputForMask"/>; <see cref="RecurrentSequenceSpec.GoBackwards"/> returns
    /// outputs in processing order.
    /// </summary>
    /// <param name="spec">The cell and loop options.</param>
    /// <param name="operands">Inputs, weights, initial states, mask and dropout masks.</param>
    /// <param name="output">Overwritten: <c>(batch, time, U)</c> with <see cref="RecurrentSequenceSpec.ReturnSequences"/>, else the last output <c>(batch, U)</c>.</param>
    /// <param name="finalStates">Overwritten: the final states, each <c>(batch, U)</c>.</param>
    /// <param name="workspace">Null for inference (nothing stored); else <see cref="RecurrentWorkspaceLength"/> elements that the backward pass reads.</param>
    void RecurrentSequenceForward(RecurrentSequenceSpec spec, RecurrentSequenceOperands operands, Tensor output, IReadOnlyList<Tensor> finalStates, Tensor? workspace);

    /// <summary>
    /// Back-propagates through a sequence run by <see cref="RecurrentSequenceForward"/> with a workspace: every
    /// gradient output is overwritten.
    /// </summary>
    /// <param name="spec">The forward's spec.</param>
    /// <param name="operands">The forward's operands.</param>
    /// <param name="workspace">The forward's workspace.</param>
    /// <param name="dOutput">Gradient of the output (the forward's output shape), or null for zero.</param>
    /// <param name="dFinalStates">Gradients of the final states (entries may be null for zero).</param>
    /// <param name="dx">Gradient of the inputs, or null when not needed.</param>
    /// <param name="dKernel">Gradient of the kernel.</param>
    /// <param name="dRecurrentKernel">Gradient of the recurrent kernel.</param>
    /// <param name="dBias">Gradient of the bias, or null without one.</param>
    /// <param name="dInitialStates">Gradients of the initial states.</param>
    void RecurrentSequenceBackward(RecurrentSequenceSpec spec, RecurrentSequenceOperands operands, Tensor workspace,
        Tensor? dOutput, IReadOnlyList<Tensor?> dFinalStates, Tensor? dx, Tensor dKernel, Tensor dRecurrentKernel, Tensor? dBias,
        IReadOnlyList<Tensor> dInitialStates);

    /// <summary>
    /// The LSTM gates of one step over rows of U = <c>spec.Units</c> units (a ConvLSTM's spatial positions): per row,
    /// <c>z = zx + b + zh</c> (gate blocks i, f, c, o), <c>c' = σ(z_f)⊙c + σ(z_i)⊙φ(z_c)</c>, <c>h' = σ(z_o)⊙φ(c')</c>,
    /// with σ and φ the spec's activations. <paramref name="zx"/> and <paramref name="zh"/> hold rows of 4·U,
    /// <paramref name="c"/>, <paramref name="hNew"/> and <paramref name="cNew"/> rows of U (any shapes with those
    /// element counts); <paramref name="bias"/> is 4·U or null.
    /// </summary>
    void LstmGates(RecurrentSequenceSpec spec, Tensor zx, Tensor zh, Tensor? bias, Tensor c, Tensor hNew, Tensor cNew);

    /// <summary>
    /// The backward pass of <see cref="LstmGates"/>, recomputed from its inputs: from the gradients of h' and c' (null
    /// for zero) writes the gradient of z (<paramref name="dz"/>, the shape of <paramref name="zx"/>; it is also the
    /// gradient of zx and of zh) and of c (<paramref name="dc"/>).
    /// </summary>
    void LstmGatesBackward(RecurrentSequenceSpec spec, Tensor zx, Tensor zh, Tensor? bias, Tensor c, Tensor? dhNew, Tensor? dcNew, Tensor dz, Tensor dc);
}
