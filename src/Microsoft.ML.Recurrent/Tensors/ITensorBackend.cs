namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>
/// The op set every device implements. Layers and <see cref="Autograd.Ops"/> never touch memory directly; they
/// validate shapes, allocate outputs and call these methods, so a new backend (CUDA) runs every layer unchanged.
/// </summary>
/// <remarks>
/// Methods receive fully validated arguments: outputs are allocated with the right shape, dtype and device, and
/// all tensors are contiguous and live on <see cref="Device"/>. Broadcasting follows NumPy rules: an input's
/// shape is right-aligned with the output's and its size-1 dimensions repeat. The interface is partial so that
/// op families (fused recurrent kernels, convolutions) are declared next to their implementations.
/// </remarks>
public partial interface ITensorBackend
{
    /// <summary>The device this backend computes on.</summary>
    Device Device { get; }

    /// <summary>Allocates zero-filled storage for <paramref name="length"/> elements.</summary>
    TensorStorage Allocate(DType dtype, long length);

    /// <summary>Copies host elements into <paramref name="destination"/> (same element count and type).</summary>
    void Upload<T>(ReadOnlySpan<T> source, Tensor destination) where T : unmanaged;

    /// <summary>Copies the elements of <paramref name="source"/> to host memory.</summary>
    void Download<T>(Tensor source, Span<T> destination) where T : unmanaged;

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    void Fill(Tensor destination, double value);

    /// <summary>Converts elements to the destination's dtype (float → int truncates toward zero).</summary>
    void Cast(Tensor source, Tensor destination);

    /// <summary><c>y = f(x)</c> elementwise; <paramref name="alpha"/>/<paramref name="beta"/> are the op's parameters.</summary>
    void Unary(UnaryOp op, Tensor x, Tensor y, double alpha, double beta);

    /// <summary><c>dx = dy · f'(x)</c> elementwise, given <c>y = f(x)</c> from the forward pass.</summary>
    void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, double alpha, double beta);

    /// <summary><c>y = a ∘ b</c> with <paramref name="a"/> and <paramref name="b"/> broadcast to <paramref name="y"/>'s shape.</summary>
    void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y);

    /// <summary><c>y = condition != 0 ? a : b</c>, all three broadcast to <paramref name="y"/>'s shape.</summary>
    void Where(Tensor condition, Tensor a, Tensor b, Tensor y);

    /// <summary>
    /// Reduces <paramref name="x"/> into <paramref name="y"/>, which has the same rank with size 1 on every reduced
    /// axis (the <c>keepdims</c> form): each axis where <paramref name="y"/> has 1 and <paramref name="x"/> more is reduced.
    /// </summary>
    void Reduce(ReduceOp op, Tensor x, Tensor y);

    /// <summary>Index of the max/min along <paramref name="axis"/> into the int32 tensor <paramref name="y"/> (keepdims form).</summary>
    void ArgReduce(ArgReduceOp op, Tensor x, int axis, Tensor y);

    /// <summary>
    /// <c>y = alpha · op(a) · op(b) + beta · y</c>. Rank 2 inputs are matrices; rank 3 inputs are batches of
    /// matrices, where a rank-2 operand is shared by every batch entry.
    /// </summary>
    void MatMul(Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor y, double alpha, double beta);

    /// <summary>Copies (or adds, when <paramref name="accumulate"/>) a strided view into another; shapes are equal.</summary>
    void Copy(TensorView source, TensorView destination, bool accumulate);

    /// <summary><c>y[i, ...] = table[indices[i], ...]</c> for int32 <paramref name="indices"/> (any shape), along axis 0 of the table.</summary>
    void Gather(Tensor table, Tensor indices, Tensor y);

    /// <summary><c>table[indices[i], ...] += updates[i, ...]</c>: the gradient of <see cref="Gather"/>.</summary>
    void ScatterAdd(Tensor updates, Tensor indices, Tensor table);

    /// <summary>Softmax (or log-softmax) along the last axis.</summary>
    void Softmax(Tensor x, Tensor y, bool log);

    /// <summary>Gradient of <see cref="Softmax"/> given its output <paramref name="y"/>.</summary>
    void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, bool log);

    /// <summary>
    /// Fills <paramref name="destination"/> with draws from <paramref name="distribution"/> (parameters
    /// <paramref name="a"/>, <paramref name="b"/>), using the counter-based stream of <paramref name="seed"/>
    /// starting at <paramref name="offset"/>. The same arguments give the same numbers on every device and machine.
    /// </summary>
    void FillRandom(Tensor destination, RandomDistribution distribution, double a, double b, ulong seed, ulong offset);
}
