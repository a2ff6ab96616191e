using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Autograd;

/// <summary>
/// Reverse-mode automatic differentiation over <see cref="Ops"/>: recording switches, back-propagation, and
/// gradients as values.
/// </summary>
public static class Autodiff
{
    [ThreadStatic] private static int t_noGradDepth;

    /// <summary>True when ops record their inputs for back-propagation (the default; false inside <see cref="NoGrad"/>).</summary>
    public static bool IsRecording => t_noGradDepth == 0;

    /// <summary>Turns recording off on this thread until the returned scope is disposed (inference, optimizer updates).</summary>
    public static IDisposable NoGrad()
    {
        t_noGradDepth++;
        return new NoGradScope();
    }

    private sealed class NoGradScope : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            t_noGradDepth--;
        }
    }

    /// <summary>
    /// Gradients of <paramref name="output"/> with respect to <paramref name="inputs"/>, without touching any
    /// <see cref="Tensor.Grad"/>. An input the output does not depend on gets a zero gradient.
    /// </summary>
    /// <param name="output">The tensor to differentiate; a scalar unless <paramref name="outputGradient"/> is given.</param>
    /// <param name="inputs">Tensors with <see cref="Tensor.RequiresGrad"/> set.</param>
    /// <param name="outputGradient">d(loss)/d(output), same shape as <paramref name="output"/>; defaults to 1 for a scalar.</param>
    public static Tensor[] Gradients(Tensor output, IReadOnlyList<Tensor> inputs, Tensor? outputGradient = null)
    {
        var grads = Propagate(output, outputGradient);
        var result = new Tensor[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
            result[i] = grads.TryGetValue(inputs[i], out var g) ? g : Tensor.ZerosLike(inputs[i]);
        return result;
    }

    /// <summary>Back-propagates from <paramref name="output"/>, adding into the <see cref="Tensor.Grad"/> of every leaf reached.</summary>
    public static void Backward(Tensor output, Tensor? outputGradient = null)
    {
        var grads = Propagate(output, outputGradient);
        var assigned = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        using (NoGrad())
        {
            foreach (var (tensor, grad) in grads)
            {
                if (!tensor.IsLeaf) continue;
                // A gradient can be the caller's output gradient, or one tensor shared by several leaves (a + b
                // passes dy to both): each leaf gets its own, so disposing or updating one Grad leaves the others.
                var own = ReferenceEquals(grad, outputGradient) || !assigned.Add(grad) ? grad.Clone() : grad;
                var total = tensor.Grad is null ? own : Ops.Add(tensor.Grad, own);
                // Grad belongs to the leaf (a weight), not to the TensorScope of the training step that ran Backward.
                TensorScope.Forget(total);
                tensor.Grad = total;
            }
        }
    }

    private static Dictionary<Tensor, Tensor> Propagate(Tensor output, Tensor? outputGradient)
    {
        if (!output.RequiresGrad)
            throw new InvalidOperationException(
                $"Backward: the tensor {output.Shape} does not require gradients. Set RequiresGrad on the leaves you differentiate by (weights, inputs) before computing it, and do not compute it inside Autodiff.NoGrad().");
        if (outputGradient is null && output.Size != 1)
            throw new InvalidOperationException($"Backward: the output has shape {output.Shape}; pass the output gradient (same shape) or reduce the output to a scalar first.");
        if (outputGradient is not null && outputGradient.Shape != output.Shape)
            throw new ArgumentException($"Backward: the output gradient has shape {outputGradient.Shape}; expected {output.Shape}.", nameof(outputGradient));

        var order = TopologicalOrder(output);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance)
        {
            [output] = outputGradient ?? Tensor.Full(output.Shape, 1.0, output.DType, output.Device),
        };
        using (NoGrad())
        {
            for (int i = order.Count - 1; i >= 0; i--)
            {
                var tensor = order[i];
                if (tensor.Node is not { } node || !grads.TryGetValue(tensor, out var grad)) continue;
                var inputGrads = node.Backward(grad);
                for (int k = 0; k < node.Inputs.Length; k++)
                {
                    var input = node.Inputs[k];
                    var g = inputGrads[k];
                    if (g is null || !input.RequiresGrad) continue;
                    if (g.Shape != input.Shape)
                        throw new InvalidOperationException($"Internal error in the backward of {node.Operation}: gradient {g.Shape} for input {k} of shape {input.Shape}.");
                    grads[input] = grads.TryGetValue(input, out var existing) ? Ops.Add(existing, g) : g;
                }
            }
        }
        return grads;
    }

    /// <summary>Tensors reachable from <paramref name="root"/> that require gradients, each after all of its inputs.</summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Tensor, bool Expanded)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (tensor, expanded) = stack.Pop();
            if (expanded)
            {
                order.Add(tensor);
                continue;
            }
            if (!visited.Add(tensor)) continue;
            stack.Push((tensor, true));
            if (tensor.Node is { } node)
                foreach (var input in node.Inputs)
                    if (input.RequiresGrad && !visited.Contains(input)) stack.Push((input, false));
        }
        return order;
    }
}
