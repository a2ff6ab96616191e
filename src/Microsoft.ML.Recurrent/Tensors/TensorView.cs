namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>
/// A strided window on a tensor's storage: element <c>(i0, i1, ...)</c> is at
/// <c>Offset + i0 * Strides[0] + i1 * Strides[1] + ...</c>. Strides may be 0 (broadcast) or negative (flip).
/// Every data-movement op (permute, slice, concat, stack, split, pad, flip, broadcast) is one strided copy, so a
/// backend implements data movement once.
/// </summary>
public readonly record struct TensorView(Tensor Tensor, long Offset, int[] Shape, long[] Strides)
{
    /// <summary>The whole tensor, row-major.</summary>
    public static TensorView Of(Tensor tensor) => new(tensor, 0, tensor.Shape.ToArray(), tensor.Shape.Strides());

    /// <summary>Number of elements the view addresses.</summary>
    public long Size
    {
        get
        {
            long n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }
}
