using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Autograd;

/// <summary>
/// Differentiable tensor ops, in the spirit of <c>keras.ops</c>: each validates its arguments (errors name the op,
/// the shapes and what was expected), allocates the result on the inputs' device, runs the backend kernel and, when
/// recording, remembers how to back-propagate. Shapes follow NumPy: broadcasting, negative axes, row-major order.
/// </summary>
public static partial class Ops
{
    /// <summary>Attaches a backward function to <paramref name="result"/> when recording and an input needs gradients.</summary>
    private static Tensor Record(Tensor result, string operation, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (!Autodiff.IsRecording) return result;
        foreach (var input in inputs)
        {
            if (!input.RequiresGrad) continue;
            result.RequiresGrad = true;
            result.Node = new GradNode(operation, inputs, backward);
            break;
        }
        return result;
    }

    private static void CheckFloat(string operation, Tensor x, string argument = "x")
    {
        ObjectDisposedException.ThrowIf(x.IsDisposed, x);
        if (!x.DType.IsFloatingPoint())
            throw new ArgumentException($"{operation}: {argument} is {x.DType.KerasName()} {x.Shape}; expected a float32 or float64 tensor.", argument);
    }

    private static void CheckSameKind(string operation, Tensor a, Tensor b, string nameA = "a", string nameB = "b")
    {
        CheckFloat(operation, a, nameA);
        CheckFloat(operation, b, nameB);
        CheckSameDTypeAndDevice(operation, a, b, nameA, nameB);
    }

    /// <summary>Same dtype (any, int32 included) and device: what data-movement ops need.</summary>
    private static void CheckSameDTypeAndDevice(string operation, Tensor a, Tensor b, string nameA, string nameB)
    {
        ObjectDisposedException.ThrowIf(a.IsDisposed, a);
        ObjectDisposedException.ThrowIf(b.IsDisposed, b);
        if (a.DType != b.DType)
            throw new ArgumentException($"{operation}: {nameA} is {a.DType.KerasName()} {a.Shape} and {nameB} is {b.DType.KerasName()} {b.Shape}; expected the same dtype (use Ops.Cast).");
        if (a.Device != b.Device)
            throw new ArgumentException($"{operation}: {nameA} {a.Shape} is on {a.Device} and {nameB} {b.Shape} on {b.Device}; expected the same device.");
    }

    private static Tensor NewLike(Shape shape, Tensor like) => Tensor.Zeros(shape, like.DType, like.Device);

    /// <summary>Sums a broadcast gradient back to the shape of the input it came from.</summary>
    internal static Tensor SumToShape(Tensor gradient, Shape shape)
    {
        if (gradient.Shape == shape) return gradient;
        int lead = gradient.Rank - shape.Rank;
        var keep = new int[gradient.Rank];
        for (int i = 0; i < gradient.Rank; i++)
            keep[i] = i < lead || shape[i - lead] == 1 ? 1 : gradient.Shape[i];
        var reduced = NewLike(new Shape(keep), gradient);
        gradient.Backend.Reduce(ReduceOp.Sum, gradient, reduced);
        return Reshape(reduced, shape);
    }

    /// <summary>A scalar tensor of <paramref name="like"/>'s dtype and device.</summary>
    /// <remarks>
    /// For an int32 <paramref name="like"/> the scalar is float64, so that the op's own dtype check reports the
    /// int tensor instead of an overflow from converting <paramref name="value"/> to int.
    /// </remarks>
    private static Tensor ScalarLike(double value, Tensor like) =>
        Tensor.Full(Shape.Scalar, value, like.DType.IsFloatingPoint() ? like.DType : DType.Float64, like.Device);
}
