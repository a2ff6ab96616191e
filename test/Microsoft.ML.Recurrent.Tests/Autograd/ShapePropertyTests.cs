using FsCheck;
using FsCheck.Fluent;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Autograd;

/// <summary>
/// Shape rules checked on random shapes (FsCheck): broadcasting against a reference written out here, and data
/// movement ops composed with their inverses giving back the input exactly.
/// </summary>
public class ShapePropertyTests
{
    /// <summary>Dimensions of 1 to 4, rank 0 to <paramref name="maxRank"/>: small, with plenty of size-1 axes.</summary>
    private static Gen<int[]> Dims(int minRank, int maxRank) =>
        Gen.Choose(minRank, maxRank).SelectMany(rank => Gen.ArrayOf(Gen.Choose(1, 4), rank));

    /// <summary>A tensor 0, 1, 2, ... of the shape: every element distinct, so any misplaced element shows.</summary>
    private static Tensor Numbered(int[] dims)
    {
        var shape = new Shape(dims);
        return Tensor.FromArray(Enumerable.Range(0, (int)shape.Size).Select(i => (double)i).ToArray(), shape);
    }

    private static bool SameTensor(Tensor expected, Tensor actual) =>
        expected.Shape == actual.Shape && expected.ToArray<double>().SequenceEqual(actual.ToArray<double>());

    // ------------------------------------------------------------------ broadcasting

    /// <summary>NumPy's rule, written independently: right-align, then per axis equal sizes or a 1.</summary>
    private static int[]? ReferenceBroadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 1; i <= rank; i++)
        {
            int da = i <= a.Length ? a[^i] : 1, db = i <= b.Length ? b[^i] : 1;
            if (da != db && da != 1 && db != 1) return null;
            result[^i] = Math.Max(da, db);
        }
        return result;
    }

    /// <summary>Pairs of shapes where the second is derived from the first (so that most pairs broadcast) or random.</summary>
    private static readonly Arbitrary<(int[] A, int[] B)> s_shapePairs =
        Dims(0, 4).SelectMany(a => Gen.OneOf(
            Gen.ArrayOf(Gen.Elements(true, false), a.Length).SelectMany(ones =>
                Gen.Choose(0, a.Length).Select(drop => a.Select((d, i) => ones[i] ? 1 : d).Skip(drop).ToArray())),
            Dims(0, 4)).Select(b => (a, b))).ToArbitrary();

    [Fact]
    public void Broadcast_is_symmetric_and_matches_the_reference_rule()
    {
        Check.QuickThrowOnFailure(Prop.ForAll(s_shapePairs, pair =>
        {
            var expected = ReferenceBroadcast(pair.A, pair.B);
            if (expected is null)
            {
                Assert.Throws<ArgumentException>(() => Shape.Broadcast(new Shape(pair.A), new Shape(pair.B), "test"));
                Assert.Throws<ArgumentException>(() => Shape.Broadcast(new Shape(pair.B), new Shape(pair.A), "test"));
                return;
            }
            Assert.Equal(new Shape(expected), Shape.Broadcast(new Shape(pair.A), new Shape(pair.B), "test"));
            Assert.Equal(new Shape(expected), Shape.Broadcast(new Shape(pair.B), new Shape(pair.A), "test"));
        }));
    }

    [Fact]
    public void Broadcast_addition_reads_each_operand_at_its_broadcast_index()
    {
        Check.QuickThrowOnFailure(Prop.ForAll(s_shapePairs, pair =>
        {
            var shape = ReferenceBroadcast(pair.A, pair.B);
            if (shape is null) return;
            var a = Numbered(pair.A);
            var b = Numbered(pair.B) * 1000.0;
            var sum = (a + b).ToArray<double>();
            var av = a.ToArray<double>();
            var bv = b.ToArray<double>();
            var output = new Shape(shape);
            var index = new int[shape.Length];
            for (long flat = 0; flat < output.Size; flat++)
            {
                long rest = flat;
                for (int axis = shape.Length - 1; axis >= 0; axis--)
                {
                    index[axis] = (int)(rest % shape[axis]);
                    rest /= shape[axis];
                }
                Assert.Equal(av[OperandOffset(pair.A, index)] + bv[OperandOffset(pair.B, index)], sum[flat]);
            }
        }));
    }

    /// <summary>Row-major offset in an operand of the output index, with size-1 axes pinned to 0.</summary>
    private static long OperandOffset(int[] dims, int[] outputIndex)
    {
        long offset = 0;
        int shift = outputIndex.Length - dims.Length;
        for (int axis = 0; axis < dims.Length; axis++)
            offset = offset * dims[axis] + (dims[axis] == 1 ? 0 : outputIndex[axis + shift]);
        return offset;
    }

    // ------------------------------------------------------------------ round trips

    [Fact]
    public void Reshape_there_and_back_is_identity()
    {
        var cases = Dims(0, 4).SelectMany(dims => Gen.Shuffle(dims).Select(target => (dims, target))).ToArbitrary();
        Check.QuickThrowOnFailure(Prop.ForAll(cases, c =>
        {
            var x = Numbered(c.dims);
            var reshaped = Ops.Reshape(x, c.target);
            Assert.Equal(x.ToArray<double>(), reshaped.ToArray<double>());   // row-major order is kept
            Assert.True(SameTensor(x, Ops.Reshape(reshaped, new Shape(c.dims))));
            Assert.True(SameTensor(x, Ops.Reshape(Ops.Reshape(x, -1), new Shape(c.dims))));
        }));
    }

    [Fact]
    public void Transpose_then_the_inverse_permutation_is_identity()
    {
        var cases = Dims(1, 4).SelectMany(dims =>
            Gen.Shuffle(Enumerable.Range(0, dims.Length).ToArray()).Select(perm => (dims, perm))).ToArbitrary();
        Check.QuickThrowOnFailure(Prop.ForAll(cases, c =>
        {
            var inverse = new int[c.perm.Length];
            for (int i = 0; i < c.perm.Length; i++) inverse[c.perm[i]] = i;
            var x = Numbered(c.dims);
            var transposed = Ops.Transpose(x, c.perm);
            Assert.Equal(new Shape(c.perm.Select(p => c.dims[p]).ToArray()), transposed.Shape);
            Assert.True(SameTensor(x, Ops.Transpose(transposed, inverse)));
        }));
    }

    [Fact]
    public void Concat_then_Split_gives_back_the_pieces()
    {
        var cases = Dims(1, 3).SelectMany(dims =>
            Gen.Choose(0, dims.Length - 1).SelectMany(axis =>
                // Pieces of size 0 included: an empty piece must concatenate and split like any other.
                Gen.Choose(1, 4).SelectMany(count => Gen.ArrayOf(Gen.Choose(0, 3), count))
                    .Select(sizes => (dims, axis, sizes)))).ToArbitrary();
        Check.QuickThrowOnFailure(Prop.ForAll(cases, c =>
        {
            var pieces = c.sizes.Select((size, i) =>
            {
                var dims = (int[])c.dims.Clone();
                dims[c.axis] = size;
                return Numbered(dims) + 100.0 * i;
            }).ToArray();
            var joined = Ops.Concat(pieces, c.axis);
            Assert.Equal(c.sizes.Sum(), joined.Shape[c.axis]);
            var split = Ops.Split(joined, c.sizes, c.axis);
            Assert.Equal(pieces.Length, split.Length);
            for (int i = 0; i < pieces.Length; i++) Assert.True(SameTensor(pieces[i], split[i]), $"piece {i}");
        }));
    }

    [Fact]
    public void Flip_twice_is_identity_and_once_reverses_the_axis()
    {
        var cases = Dims(1, 4).SelectMany(dims => Gen.Choose(-dims.Length, dims.Length - 1).Select(axis => (dims, axis))).ToArbitrary();
        Check.QuickThrowOnFailure(Prop.ForAll(cases, c =>
        {
            var x = Numbered(c.dims);
            var flipped = Ops.Flip(x, c.axis);
            Assert.True(SameTensor(x, Ops.Flip(flipped, c.axis)));
            int axis = c.axis < 0 ? c.axis + c.dims.Length : c.axis;
            int n = c.dims[axis];
            for (int i = 0; i < n; i++)
                Assert.True(SameTensor(Ops.Slice(x, axis, i, 1), Ops.Slice(flipped, axis, n - 1 - i, 1)), $"index {i} of axis {axis}");
        }));
    }
}
