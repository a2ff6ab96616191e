using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Autograd;

public static partial class Ops
{
    /// <summary>Same elements, new shape. Shares storage with <paramref name="x"/>.</summary>
    public static Tensor Reshape(Tensor x, Shape shape) => Reshape(x, shape.ToArray());

    /// <summary>Same elements, new dimensions; one of them may be -1 and is inferred. Shares storage with <paramref name="x"/>.</summary>
    public static Tensor Reshape(Tensor x, params int[] dims)
    {
        ObjectDisposedException.ThrowIf(x.IsDisposed, x);
        dims = (int[])dims.Clone();
        if (dims.Any(d => d < -1))
            throw new ArgumentException($"Reshape: target {FormatDims(dims)} for shape {x.Shape} has a negative dimension; expected sizes >= 0 and at most one -1.", nameof(dims));
        int inferred = Array.IndexOf(dims, -1);
        if (inferred >= 0)
        {
            long known = 1;
            for (int i = 0; i < dims.Length; i++)
                if (i != inferred) known *= dims[i];
            if (known <= 0 || x.Size % known != 0 || Array.LastIndexOf(dims, -1) != inferred)
                throw new ArgumentException($"Reshape: cannot infer the -1 dimension of {FormatDims(dims)} for {x.Size} elements (shape {x.Shape}).", nameof(dims));
            dims[inferred] = (int)(x.Size / known);
        }
        var target = new Shape(dims);
        if (target.Size != x.Size)
            throw new ArgumentException($"Reshape: cannot reshape {x.Shape} ({x.Size} elements) to {target} ({target.Size} elements).", nameof(dims));
        if (target == x.Shape) return x;
        var y = x.ViewAs(target);
        return Record(y, "Reshape", [x], dy => [Reshape(dy, x.Shape)]);
    }

    private static string FormatDims(int[] dims) => "(" + string.Join(", ", dims) + ")";

    /// <summary>Repeats size-1 axes (and adds leading axes) to reach <paramref name="shape"/>, NumPy style.</summary>
    public static Tensor BroadcastTo(Tensor x, Shape shape)
    {
        ObjectDisposedException.ThrowIf(x.IsDisposed, x);
        if (x.Shape == shape) return x;
        if (Shape.Broadcast(x.Shape, shape, "BroadcastTo") != shape)
            throw new ArgumentException($"BroadcastTo: {x.Shape} cannot be broadcast to {shape}.", nameof(shape));
        var y = Tensor.Zeros(shape, x.DType, x.Device);
        var strides = Tensors.Cpu.StridedLayout.BroadcastStrides(x.Shape, shape);
        x.Backend.Copy(new TensorView(x, 0, shape.ToArray(), strides), TensorView.Of(y), accumulate: false);
        return Record(y, "BroadcastTo", [x], dy => [SumToShape(dy, x.Shape)]);
    }

    /// <summary>Reorders axes: output axis i is input axis <paramref name="permutation"/>[i]. Without a permutation, reverses the axes.</summary>
    public static Tensor Transpose(Tensor x, params int[]? permutation)
    {
        ObjectDisposedException.ThrowIf(x.IsDisposed, x);
        var perm = permutation is null || permutation.Length == 0 ? Enumerable.Range(0, x.Rank).Reverse().ToArray() : permutation;
        if (perm.Length != x.Rank)
            throw new ArgumentException($"Transpose: permutation {FormatDims(perm)} has {perm.Length} axes; expected {x.Rank} for shape {x.Shape}.", nameof(permutation));
        var normalized = perm.Select(p => Shape.NormalizeAxis(p, x.Rank, "Transpose")).ToArray();
        if (normalized.Distinct().Count() != perm.Length)
            throw new ArgumentException($"Transpose: {FormatDims(perm)} is not a permutation of the axes of {x.Shape}.", nameof(permutation));
        var strides = x.Shape.Strides();
        var outShape = normalized.Select(p => x.Shape[p]).ToArray();
        var y = Tensor.Zeros(new Shape(outShape), x.DType, x.Device);
        x.Backend.Copy(new TensorView(x, 0, outShape, normalized.Select(p => strides[p]).ToArray()), TensorView.Of(y), accumulate: false);
        var inverse = new int[perm.Length];
        for (int i = 0; i < normalized.Length; i++) inverse[normalized[i]] = i;
        return Record(y, "Transpose", [x], dy => [Transpose(dy, inverse)]);
    }

    /// <summary>
    /// The sub-tensor starting at <paramref name="starts"/> with <paramref name="sizes"/> elements per axis
    /// (a size of -1 means "to the end"). A copy, like <c>keras.ops.slice</c>.
    /// </summary>
    public static Tensor Slice(Tensor x, int[] starts, int[] sizes)
    {
        ObjectDisposedException.ThrowIf(x.IsDisposed, x);
        if (starts.Length != x.Rank || sizes.Length != x.Rank)
            throw new ArgumentException($"Slice: starts {FormatDims(starts)} and sizes {FormatDims(sizes)} must each have {x.Rank} entries for shape {x.Shape}.");
        var shape = new int[x.Rank];
        long offset = 0;
        var strides = x.Shape.Strides();
        for (int i = 0; i < x.Rank; i++)
        {
            int size = sizes[i] == -1 ? x.Shape[i] - starts[i] : sizes[i];
            if (starts[i] < 0 || size < 0 || starts[i] + size > x.Shape[i])
                throw new ArgumentOutOfRangeException(nameof(starts), $"Slice: axis {i} start {starts[i]} size {sizes[i]} is outside shape {x.Shape}; expected 0 <= start and start + size <= {x.Shape[i]}.");
            shape[i] = size;
            offset += starts[i] * strides[i];
        }
        var view = new TensorView(x, offset, shape, strides);
        var y = Tensor.Zeros(new Shape(shape), x.DType, x.Device);
        x.Backend.Copy(view, TensorView.Of(y), accumulate: false);
        return Record(y, "Slice", [x], dy =>
        {
            var dx = Tensor.ZerosLike(x);
            x.Backend.Copy(TensorView.Of(dy), view with { Tensor = dx }, accumulate: true);
            return [dx];
        });
    }

    /// <summary>Elements <c>[start, start + length)</c> along one axis.</summary>
    public static Tensor Slice(Tensor x, int axis, int start, int length)
    {
        int a = Shape.NormalizeAxis(axis, x.Rank, "Slice");
        var starts = new int[x.Rank];
        var sizes = x.Shape.ToArray();
        starts[a] = start;
        sizes[a] = length;
        return Slice(x, starts, sizes);
    }

    /// <summary>Joins tensors along an existing axis; all other dimensions must agree.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis = -1)
    {
        if (tensors.Count == 0) throw new ArgumentException("Concat: needs at least one tensor.", nameof(tensors));
        var first = tensors[0];
        int a = Shape.NormalizeAxis(axis, first.Rank, "Concat");
        int total = 0;
        for (int t = 0; t < tensors.Count; t++)
        {
            var x = tensors[t];
            // Any dtype: concatenating int32 index tensors is a copy like any other.
            CheckSameDTypeAndDevice("Concat", first, x, "tensors[0]", $"tensors[{t}]");
            if (x.Rank != first.Rank)
                throw new ArgumentException($"Concat: tensors[{t}] has shape {x.Shape} but tensors[0] has {first.Shape}; expected the same rank.", nameof(tensors));
            for (int i = 0; i < x.Rank; i++)
                if (i != a && x.Shape[i] != first.Shape[i])
                    throw new ArgumentException($"Concat: tensors[{t}] has shape {x.Shape} but tensors[0] has {first.Shape}; all dimensions except axis {a} must match.", nameof(tensors));
            total += x.Shape[a];
        }
        var y = Tensor.Zeros(first.Shape.With(a, total), first.DType, first.Device);
        var yStrides = y.Shape.Strides();
        var offsets = new long[tensors.Count];
        long offset = 0;
        for (int t = 0; t < tensors.Count; t++)
        {
            offsets[t] = offset;
            var x = tensors[t];
            first.Backend.Copy(TensorView.Of(x), new TensorView(y, offset, x.Shape.ToArray(), yStrides), accumulate: false);
            offset += x.Shape[a] * yStrides[a];
        }
        var inputs = tensors.ToArray();
        return Record(y, "Concat", inputs, dy =>
        {
            var grads = new Tensor?[inputs.Length];
            int start = 0;
            for (int t = 0; t < inputs.Length; t++)
            {
                int len = inputs[t].Shape[a];
                if (inputs[t].RequiresGrad) grads[t] = Slice(dy, a, start, len);
                start += len;
            }
            return grads;
        });
    }

    /// <summary>Joins equally shaped tensors along a new axis.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Stack: needs at least one tensor.", nameof(tensors));
        int rank = tensors[0].Rank + 1;
        int a = Shape.NormalizeAxis(axis, rank, "Stack");
        for (int t = 1; t < tensors.Count; t++)
            if (tensors[t].Shape != tensors[0].Shape)
                throw new ArgumentException($"Stack: tensors[{t}] has shape {tensors[t].Shape} but tensors[0] has {tensors[0].Shape}; expected equal shapes.", nameof(tensors));
        return Concat(tensors.Select(t => ExpandDims(t, a)).ToArray(), a);
    }

    /// <summary>Splits along <paramref name="axis"/> into pieces of the given <paramref name="sizes"/> (which must add up to the axis length).</summary>
    public static Tensor[] Split(Tensor x, int[] sizes, int axis = -1)
    {
        int a = Shape.NormalizeAxis(axis, x.Rank, "Split");
        if (sizes.Any(s => s < 0) || sizes.Sum() != x.Shape[a])
            throw new ArgumentException($"Split: sizes {FormatDims(sizes)} add up to {sizes.Sum()}; expected non-negative sizes adding up to {x.Shape[a]} (axis {a} of {x.Shape}).", nameof(sizes));
        var pieces = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            pieces[i] = Slice(x, a, start, sizes[i]);
            start += sizes[i];
        }
        return pieces;
    }

    /// <summary>Splits along <paramref name="axis"/> into <paramref name="count"/> equal pieces.</summary>
    public static Tensor[] Split(Tensor x, int count, int axis = -1)
    {
        int a = Shape.NormalizeAxis(axis, x.Rank, "Split");
        if (count <= 0 || x.Shape[a] % count != 0)
            throw new ArgumentException($"Split: axis {a} of {x.Shape} has {x.Shape[a]} elements, which cannot be split into {count} equal pieces.", nameof(count));
        return Split(x, Enumerable.Repeat(x.Shape[a] / count, count).ToArray(), a);
    }

    /// <summary>Pads each axis with <c>(before, after)</c> elements of <paramref name="value"/>.</summary>
    public static Tensor Pad(Tensor x, (int Before, int After)[] padding, double value = 0)
    {
        ObjectDisposedException.ThrowIf(x.IsDisposed, x);
        if (padding.Length != x.Rank)
            throw new ArgumentException($"Pad: {padding.Length} (before, after) pairs for shape {x.Shape}; expected {x.Rank}.", nameof(padding));
        if (padding.Any(p => p.Before < 0 || p.After < 0))
            throw new ArgumentException($"Pad: padding must be non-negative; got [{string.Join(", ", padding)}].", nameof(padding));
        var shape = x.Shape.ToArray();
        var starts = new int[x.Rank];
        for (int i = 0; i < x.Rank; i++)
        {
            shape[i] += padding[i].Before + padding[i].After;
            starts[i] = padding[i].Before;
        }
        var y = Tensor.Full(new Shape(shape), value, x.DType, x.Device);
        var strides = y.Shape.Strides();
        long offset = 0;
        for (int i = 0; i < x.Rank; i++) offset += starts[i] * strides[i];
        x.Backend.Copy(TensorView.Of(x), new TensorView(y, offset, x.Shape.ToArray(), strides), accumulate: false);
        return Record(y, "Pad", [x], dy => [Slice(dy, starts, x.Shape.ToArray())]);
    }

    /// <summary>Reverses the order of elements along <paramref name="axis"/>.</summary>
    public static Tensor Flip(Tensor x, int axis)
    {
        ObjectDisposedException.ThrowIf(x.IsDisposed, x);
        int a = Shape.NormalizeAxis(axis, x.Rank, "Flip");
        var strides = x.Shape.Strides();
        long offset = x.Shape[a] == 0 ? 0 : (x.Shape[a] - 1) * strides[a];
        strides[a] = -strides[a];
        var y = Tensor.ZerosLike(x);
        x.Backend.Copy(new TensorView(x, offset, x.Shape.ToArray(), strides), TensorView.Of(y), accumulate: false);
        return Record(y, "Flip", [x], dy => [Flip(dy, a)]);
    }

    /// <summary>Inserts a size-1 axis at <paramref name="axis"/> (a view).</summary>
    public static Tensor ExpandDims(Tensor x, int axis)
    {
        int a = Shape.NormalizeAxis(axis, x.Rank + 1, "ExpandDims");
        var dims = x.Shape.ToArray().ToList();
        dims.Insert(a, 1);
        return Reshape(x, new Shape(dims.ToArray()));
    }

    /// <summary>Removes size-1 axes: the given one, or all of them.</summary>
    public static Tensor Squeeze(Tensor x, int? axis = null)
    {
        var dims = x.Shape.ToArray().ToList();
        if (axis is { } ax)
        {
            int a = Shape.NormalizeAxis(ax, x.Rank, "Squeeze");
            if (x.Shape[a] != 1)
                throw new ArgumentException($"Squeeze: axis {ax} of {x.Shape} has size {x.Shape[a]}; expected 1.", nameof(axis));
            dims.RemoveAt(a);
        }
        else dims.RemoveAll(d => d == 1);
        return Reshape(x, new Shape(dims.ToArray()));
    }

    /// <summary>
    /// Rows of <paramref name="table"/> <c>(V, ...)</c> picked by <paramref name="indices"/> (int32, or float holding
    /// integers), giving shape <c>indices.shape + table.shape[1:]</c>: the embedding lookup. The table gets the
    /// scatter-added gradient.
    /// </summary>
    public static Tensor Gather(Tensor table, Tensor indices)
    {
        CheckFloat("Gather", table, nameof(table));
        if (table.Rank < 1) throw new ArgumentException($"Gather: the table must have rank >= 1; got {table.Shape}.", nameof(table));
        var idx = indices.DType == DType.Int32 ? indices : Cast(indices, DType.Int32);
        var shape = idx.Shape.ToArray().Concat(table.Shape.ToArray().Skip(1)).ToArray();
        var y = Tensor.Zeros(new Shape(shape), table.DType, table.Device);
        table.Backend.Gather(table, idx, y);
        return Record(y, "Gather", [table], dy =>
        {
            var dt = Tensor.ZerosLike(table);
            table.Backend.ScatterAdd(dy, idx, dt);
            return [dt];
        });
    }

    /// <summary>Softmax along <paramref name="axis"/> (default last).</summary>
    public static Tensor Softmax(Tensor x, int axis = -1) => SoftmaxAlong(x, axis, log: false);

    /// <summary>Log-softmax along <paramref name="axis"/> (default last), computed stably.</summary>
    public static Tensor LogSoftmax(Tensor x, int axis = -1) => SoftmaxAlong(x, axis, log: true);

    private static Tensor SoftmaxAlong(Tensor x, int axis, bool log)
    {
        string name = log ? "LogSoftmax" : "Softmax";
        CheckFloat(name, x);
        if (x.Rank == 0) throw new ArgumentException($"{name}: needs rank >= 1; got a scalar.", nameof(x));
        int a = Shape.NormalizeAxis(axis, x.Rank, name);
        if (a != x.Rank - 1)
        {
            var perm = Enumerable.Range(0, x.Rank).ToArray();
            (perm[a], perm[^1]) = (perm[^1], perm[a]);
            return Transpose(SoftmaxAlong(Transpose(x, perm), -1, log), perm);
        }
        var y = NewLike(x.Shape, x);
        x.Backend.Softmax(x, y, log);
        return Record(y, name, [x], dy =>
        {
            var dx = NewLike(x.Shape, x);
            x.Backend.SoftmaxBackward(y, dy, dx, log);
            return [dx];
        });
    }
}
