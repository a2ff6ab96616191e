using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Autograd;

public static partial class Ops
{
    /// <summary>Sum over <paramref name="axes"/> (all axes when null), keeping reduced axes as size 1 when <paramref name="keepDims"/>.</summary>
    public static Tensor Sum(Tensor x, int[]? axes = null, bool keepDims = false) => Reduce(ReduceOp.Sum, x, axes, keepDims);

    /// <summary>Mean over <paramref name="axes"/> (all axes when null).</summary>
    public static Tensor Mean(Tensor x, int[]? axes = null, bool keepDims = false) => Reduce(ReduceOp.Mean, x, axes, keepDims);

    /// <summary>Maximum over <paramref name="axes"/>; the gradient is shared equally among tied maxima.</summary>
    public static Tensor Max(Tensor x, int[]? axes = null, bool keepDims = false) => Reduce(ReduceOp.Max, x, axes, keepDims);

    /// <summary>Minimum over <paramref name="axes"/>; the gradient is shared equally among tied minima.</summary>
    public static Tensor Min(Tensor x, int[]? axes = null, bool keepDims = false) => Reduce(ReduceOp.Min, x, axes, keepDims);

    /// <summary>Sum over one axis.</summary>
    public static Tensor Sum(Tensor x, int axis, bool keepDims = false) => Reduce(ReduceOp.Sum, x, [axis], keepDims);

    /// <summary>Mean over one axis.</summary>
    public static Tensor Mean(Tensor x, int axis, bool keepDims = false) => Reduce(ReduceOp.Mean, x, [axis], keepDims);

    /// <summary>The reduction <paramref name="op"/> over <paramref name="axes"/> (all axes when null).</summary>
    public static Tensor Reduce(ReduceOp op, Tensor x, int[]? axes = null, bool keepDims = false)
    {
        string name = op.ToString();
        CheckFloat(name, x);
        var reduced = new bool[x.Rank];
        if (axes is null) Array.Fill(reduced, true);
        else
            foreach (int axis in axes)
            {
                int a = Shape.NormalizeAxis(axis, x.Rank, name);
                if (reduced[a]) throw new ArgumentException($"{name}: axis {axis} is listed twice in [{string.Join(", ", axes)}].", nameof(axes));
                reduced[a] = true;
            }
        var keptShape = new int[x.Rank];
        var outShape = new List<int>();
        for (int i = 0; i < x.Rank; i++)
        {
            keptShape[i] = reduced[i] ? 1 : x.Shape[i];
            if (!reduced[i] || keepDims) outShape.Add(keptShape[i]);
        }
        var kept = NewLike(new Shape(keptShape), x);
        x.Backend.Reduce(op, x, kept);
        var y = keepDims ? kept : Reshape(kept, new Shape(outShape.ToArray()));
        var keptDims = new Shape(keptShape);
        return Record(y, name, [x], dy =>
        {
            var g = Reshape(dy, keptDims);
            switch (op)
            {
                case ReduceOp.Sum: return [BroadcastTo(g, x.Shape)];
                case ReduceOp.Mean: return [BroadcastTo(Multiply(g, (double)kept.Size / x.Size), x.Shape)];
                default:
                    var hits = Equal(x, Reshape(y, keptDims));
                    var count = Sum(hits, axes, keepDims: true);
                    return [Multiply(hits, Divide(g, count))];
            }
        });
    }

    /// <summary>Index of the maximum along <paramref name="axis"/> (first one on ties), as an int32 tensor.</summary>
    public static Tensor ArgMax(Tensor x, int axis = -1, bool keepDims = false) => ArgReduce(ArgReduceOp.ArgMax, x, axis, keepDims);

    /// <summary>Index of the minimum along <paramref name="axis"/> (first one on ties), as an int32 tensor.</summary>
    public static Tensor ArgMin(Tensor x, int axis = -1, bool keepDims = false) => ArgReduce(ArgReduceOp.ArgMin, x, axis, keepDims);

    private static Tensor ArgReduce(ArgReduceOp op, Tensor x, int axis, bool keepDims)
    {
        CheckFloat(op.ToString(), x);
        int a = Shape.NormalizeAxis(axis, x.Rank, op.ToString());
        var kept = Tensor.Zeros(x.Shape.With(a, 1), DType.Int32, x.Device);
        x.Backend.ArgReduce(op, x, a, kept);
        if (keepDims) return kept;
        var dims = x.Shape.ToArray().ToList();
        dims.RemoveAt(a);
        return Reshape(kept, new Shape(dims.ToArray()));
    }
}
