using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Tensors;

public class ShapeTests
{
    [Theory]
    [InlineData(new[] { 2, 3 }, "(2, 3)")]
    [InlineData(new[] { 5 }, "(5,)")]
    [InlineData(new int[0], "()")]
    [InlineData(new[] { 1, 0, 4 }, "(1, 0, 4)")]
    public void ToString_is_Python_tuple_syntax(int[] dims, string expected)
    {
        Assert.Equal(expected, new Shape(dims).ToString());
    }

    [Fact]
    public void Size_rank_and_strides_are_row_major()
    {
        var shape = new Shape(2, 3, 4);
        Assert.Equal(3, shape.Rank);
        Assert.Equal(24, shape.Size);
        Assert.Equal([12L, 4, 1], shape.Strides());
        Assert.Equal(1, Shape.Scalar.Size);
        Assert.Equal(0, Shape.Scalar.Rank);
        Assert.Equal(0, new Shape(3, 0).Size);
    }

    [Fact]
    public void Indexer_accepts_negative_axes()
    {
        var shape = new Shape(2, 3, 4);
        Assert.Equal(4, shape[-1]);
        Assert.Equal(2, shape[-3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => shape[3]);
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 3 }, new[] { 2, 3 })]
    [InlineData(new[] { 3, 1 }, new[] { 1, 4 }, new[] { 3, 4 })]
    [InlineData(new int[0], new[] { 2, 3 }, new[] { 2, 3 })]
    [InlineData(new[] { 2, 1, 3 }, new[] { 4, 1 }, new[] { 2, 4, 3 })]
    [InlineData(new[] { 1 }, new[] { 1 }, new[] { 1 })]
    [InlineData(new[] { 0, 3 }, new[] { 1, 3 }, new[] { 0, 3 })]
    public void Broadcast_follows_NumPy(int[] a, int[] b, int[] expected)
    {
        Assert.Equal(new Shape(expected), Shape.Broadcast(new Shape(a), new Shape(b), "test"));
        Assert.Equal(new Shape(expected), Shape.Broadcast(new Shape(b), new Shape(a), "test"));
    }

    [Fact]
    public void Broadcast_of_incompatible_shapes_names_the_operation_and_shapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Shape.Broadcast(new Shape(2, 3), new Shape(2), "Add"));
        Assert.Contains("Add", error.Message);
        Assert.Contains("(2, 3)", error.Message);
        Assert.Contains("(2,)", error.Message);
    }

    [Theory]
    [InlineData(0, 3, 0)]
    [InlineData(2, 3, 2)]
    [InlineData(-1, 3, 2)]
    [InlineData(-3, 3, 0)]
    [InlineData(0, 1, 0)]
    public void NormalizeAxis_maps_negative_axes_from_the_end(int axis, int rank, int expected)
    {
        Assert.Equal(expected, Shape.NormalizeAxis(axis, rank, "test"));
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(-4, 3)]
    [InlineData(0, 0)]
    public void NormalizeAxis_rejects_axes_outside_the_rank(int axis, int rank)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Shape.NormalizeAxis(axis, rank, "Mean"));
        Assert.Contains($"Mean: axis {axis}", error.Message);
        Assert.Contains($"rank {rank}", error.Message);
    }

    [Fact]
    public void Negative_dimensions_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new Shape(2, -1));
        Assert.Contains("dimension 1 is -1", error.Message);
    }

    [Fact]
    public void Shapes_are_values()
    {
        Assert.Equal(new Shape(2, 3), new Shape(2, 3));
        Assert.True(new Shape(2, 3) == new Shape([2, 3]));
        Assert.True(new Shape(2, 3) != new Shape(3, 2));
        Assert.Equal(new Shape(2, 3).GetHashCode(), new Shape(2, 3).GetHashCode());
        Assert.Equal(Shape.Scalar, default(Shape));
        Assert.Equal(new Shape(2, 5), new Shape(2, 3).With(-1, 5));
        Assert.Equal([2, 3], new Shape(2, 3).ToArray());
        Assert.Equal([2, 3], new Shape(2, 3));
    }

    [Fact]
    public void A_shape_does_not_share_the_array_it_was_made_from()
    {
        int[] dims = [2, 3];
        var shape = new Shape(dims);
        dims[0] = 7;
        shape.ToArray()[1] = 9;
        Assert.Equal(new Shape(2, 3), shape);
    }
}
