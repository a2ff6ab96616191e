using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Autograd;

/// <summary>
/// How a tensor was computed: the op's name, its inputs, and a function that maps the gradient of the output to
/// the gradients of the inputs (null for an input that needs none). Backward functions are written with
/// <see cref="Ops"/> themselves, so they run on any backend.
/// </summary>
internal sealed class GradNode(string operation, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
{
    public string Operation { get; } = operation;

    public Tensor[] Inputs { get; } = inputs;

    public Func<Tensor, Tensor?[]> Backward { get; } = backward;
}
