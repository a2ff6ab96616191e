using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Autograd;

/// <summary>
/// Bad input fails fast with a message that names the operation, the shapes involved and what was expected, so a
/// user can fix the call without reading the engine.
/// </summary>
public class OpsErrorTests
{
    private static Tensor Floats(params int[] dims) => Tensor.Zeros(new Shape(dims), DType.Float32);

    private static Tensor Doubles(params int[] dims) => Tensor.Zeros(new Shape(dims), DType.Float64);

    private static Tensor Ints(params int[] dims) => Tensor.Zeros(new Shape(dims), DType.Int32);

    private static void AssertMessage(Exception error, params string[] fragments)
    {
        foreach (var fragment in fragments) Assert.Contains(fragment, error.Message);
    }

    // ------------------------------------------------------------------ shapes

    [Fact]
    public void Elementwise_op_on_shapes_that_do_not_broadcast()
    {
        var error = Assert.Throws<ArgumentException>(() => Floats(2, 3) + Floats(4));
        AssertMessage(error, "Add", "(2, 3)", "(4,)", "cannot be broadcast", "expected equal sizes or 1");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Maximum(Floats(2, 3), Floats(3, 2))), "Maximum", "(2, 3)", "(3, 2)");
    }

    [Fact]
    public void Where_with_a_condition_that_does_not_broadcast()
    {
        var error = Assert.Throws<ArgumentException>(() => Ops.Where(Floats(5), Floats(2, 3), Floats(3)));
        AssertMessage(error, "Where", "(5,)", "(2, 3)");
    }

    [Fact]
    public void MatMul_with_mismatched_inner_dimensions()
    {
        var error = Assert.Throws<ArgumentException>(() => Ops.MatMul(Floats(2, 3), Floats(4, 5)));
        AssertMessage(error, "MatMul", "(2, 3)", "(4, 5)", "3 vs 4", "expected equal");
        // Transposing b makes (5, 3)ᵀ = (3, 5) fit.
        Assert.Equal(new Shape(2, 5), Ops.MatMul(Floats(2, 3), Floats(5, 3), transposeB: true).Shape);
    }

    [Fact]
    public void MatMul_with_different_batch_sizes_or_wrong_rank()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.MatMul(Floats(2, 3, 4), Floats(3, 4, 5))), "MatMul", "(2, 3, 4)", "(3, 4, 5)", "batch");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.MatMul(Floats(3), Floats(3, 2))), "MatMul", "(3,)", "rank 2");
    }

    [Fact]
    public void Reshape_to_a_different_number_of_elements()
    {
        var error = Assert.Throws<ArgumentException>(() => Ops.Reshape(Floats(2, 3), 4, 2));
        AssertMessage(error, "Reshape", "(2, 3)", "6 elements", "(4, 2)", "8 elements");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Reshape(Floats(2, 3), 4, -1)), "Reshape", "-1", "(2, 3)");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Reshape(Floats(2, 3), -1, -1)), "Reshape", "-1");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Reshape(Floats(2, 3), -2, -3)), "Reshape", "(-2, -3)", "(2, 3)", "expected sizes >= 0");
    }

    [Fact]
    public void Concat_of_tensors_that_differ_off_the_axis()
    {
        var error = Assert.Throws<ArgumentException>(() => Ops.Concat([Floats(2, 3), Floats(3, 3)], 1));
        AssertMessage(error, "Concat", "(3, 3)", "(2, 3)", "except axis 1");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Concat([Floats(2, 3), Floats(6)], 0)), "Concat", "(6,)", "(2, 3)", "rank");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Concat([], 0)), "Concat", "at least one");
    }

    [Fact]
    public void Stack_of_unequal_shapes()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Stack([Floats(2), Floats(3)])), "Stack", "(3,)", "(2,)", "equal shapes");
    }

    [Fact]
    public void Split_sizes_that_do_not_add_up()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Split(Floats(2, 5), [2, 2], 1)), "Split", "(2, 2)", "adding up to 5", "(2, 5)");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Split(Floats(2, 5), 2)), "Split", "(2, 5)", "2 equal pieces");
    }

    [Fact]
    public void BroadcastTo_a_shape_the_tensor_does_not_broadcast_to()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.BroadcastTo(Floats(3), new Shape(2, 4))), "BroadcastTo", "(3,)", "(2, 4)");
        // Broadcasting never removes axes: (2, 3) does not fit into (3,).
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.BroadcastTo(Floats(2, 3), new Shape(3))), "BroadcastTo", "(2, 3)", "(3,)");
    }

    [Fact]
    public void Pad_with_the_wrong_number_of_pairs_or_negative_padding()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Pad(Floats(2, 3), [(1, 1)])), "Pad", "(2, 3)", "expected 2");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Pad(Floats(2), [(-1, 0)])), "Pad", "non-negative");
    }

    [Fact]
    public void Squeeze_of_an_axis_that_is_not_size_1()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Squeeze(Floats(2, 3), 1)), "Squeeze", "(2, 3)", "size 3", "expected 1");
    }

    // ------------------------------------------------------------------ dtypes

    [Fact]
    public void Mixing_float32_with_float64()
    {
        var error = Assert.Throws<ArgumentException>(() => Floats(2) * Doubles(2));
        AssertMessage(error, "Multiply", "float32", "float64", "(2,)", "same dtype");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.MatMul(Floats(2, 2), Doubles(2, 2))), "MatMul", "float32", "float64");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Concat([Floats(2), Doubles(2)])), "Concat", "float32", "float64");
    }

    [Fact]
    public void Int_tensors_where_floats_are_needed()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Tanh(Ints(3))), "Tanh", "int32", "(3,)", "expected a float32 or float64");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Add(Ints(3), Ints(3))), "Add", "int32", "(3,)");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Sum(Ints(2, 2))), "Sum", "int32", "(2, 2)");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Softmax(Ints(2))), "Softmax", "int32");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.ArgMax(Ints(2))), "ArgMax", "int32");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Gather(Ints(3, 2), Ints(1))), "Gather", "table", "int32", "(3, 2)");
        AssertMessage(Assert.Throws<InvalidOperationException>(() => Ints(2).RequiresGrad = true), "floating-point", "int32", "(2,)");
    }

    [Fact]
    public void Scalar_arithmetic_on_an_int_tensor()
    {
        // The scalar must not be converted to int first: 1e20 would overflow before the dtype is checked.
        AssertMessage(Assert.Throws<ArgumentException>(() => Ints(2) + 1e20), "Add", "int32", "(2,)", "expected a float32 or float64");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ints(2) * 0.5), "Multiply", "int32", "(2,)");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ints(2) / 2.0), "Divide", "int32", "(2,)");
    }

    [Fact]
    public void Random_tensors_of_an_int_dtype()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => new RandomGenerator(1).Normal(new Shape(2), dtype: DType.Int32)), "float32 or float64", "int32");
    }

    // ------------------------------------------------------------------ axes, permutations, slices

    [Fact]
    public void Out_of_range_axes()
    {
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Sum(Floats(2, 3), 2)), "Sum", "axis 2", "rank 2", "-2 <= axis < 2");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Softmax(Floats(2, 3), -3)), "Softmax", "axis -3", "rank 2");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Concat([Floats(2)], 1)), "Concat", "axis 1", "rank 1");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Ops.ArgMax(Floats(4), 1)), "ArgMax", "axis 1");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Flip(Floats(4), -2)), "Flip", "axis -2");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Ops.ExpandDims(Floats(4), 3)), "ExpandDims", "axis 3");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Stack([Floats(4)], 2)), "Stack", "axis 2");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Sum(Floats(2, 3), [1, -1])), "Sum", "listed twice");
    }

    [Fact]
    public void Bad_permutations()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Transpose(Floats(2, 3, 4), 0, 1)), "Transpose", "(0, 1)", "(2, 3, 4)", "expected 3");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Transpose(Floats(2, 3, 4), 0, 1, 1)), "Transpose", "(0, 1, 1)", "not a permutation", "(2, 3, 4)");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Transpose(Floats(2, 3), 0, 2)), "Transpose", "axis 2");
    }

    [Fact]
    public void Bad_slices()
    {
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Slice(Floats(3, 4), [1, 2], [3, 1])), "Slice", "axis 0", "(3, 4)", "start + size <= 3");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Slice(Floats(3, 4), [-1, 0], [1, 1])), "Slice", "start -1", "0 <= start");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Slice(Floats(3, 4), [5, 0], [-1, 1])), "Slice", "start 5", "(3, 4)");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Slice(Floats(3, 4), [0], [1])), "Slice", "(3, 4)", "2 entries");
    }

    [Fact]
    public void Gather_with_an_index_outside_the_table()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Gather(Floats(3, 2), Tensor.FromArray([0, 3], new Shape(2))));
        AssertMessage(error, "Gather", "index 3", "(3, 2)", "0 <= index < 3");
    }

    [Fact]
    public void Clip_with_min_above_max()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Clip(Floats(2), 1, 0)), "Clip", "min (1)", "max (0)");
    }

    // ------------------------------------------------------------------ autodiff

    [Fact]
    public void Backward_without_RequiresGrad()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Ops.Sum(Doubles(2, 3)).Backward());
        AssertMessage(error, "Backward", "()", "does not require gradients", "RequiresGrad");
    }

    [Fact]
    public void Backward_of_a_non_scalar_without_an_output_gradient()
    {
        var x = Doubles(2, 3);
        x.RequiresGrad = true;
        AssertMessage(Assert.Throws<InvalidOperationException>(() => Ops.Exp(x).Backward()), "Backward", "(2, 3)", "output gradient");
        AssertMessage(Assert.Throws<ArgumentException>(() => Ops.Exp(x).Backward(Doubles(3, 2))), "Backward", "(3, 2)", "expected (2, 3)");
    }

    [Fact]
    public void GradientCheck_of_float32_inputs()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => GradientCheck.Run(t => t[0], [Floats(2)])), "GradientCheck", "float32", "float64");
    }

    // ------------------------------------------------------------------ tensors

    [Fact]
    public void FromArray_with_the_wrong_number_of_elements()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[5], new Shape(2, 3))), "FromArray", "5 elements", "(2, 3)", "6");
    }

    [Fact]
    public void ToArray_of_the_wrong_element_type()
    {
        AssertMessage(Assert.Throws<InvalidOperationException>(() => Floats(2).ToArray<double>()), "ToArray", "float32", "float64");
    }

    [Fact]
    public void Item_of_a_tensor_with_several_elements()
    {
        AssertMessage(Assert.Throws<InvalidOperationException>(() => Floats(2, 2).Item()), "Item", "(2, 2)", "exactly one element");
    }

    [Fact]
    public void Ops_on_a_disposed_tensor()
    {
        var x = Floats(2);
        x.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Ops.Tanh(x));
        Assert.Throws<ObjectDisposedException>(() => x + Floats(2));
        Assert.Throws<ObjectDisposedException>(() => Ops.Reshape(x, 1, 2));
        Assert.Throws<ObjectDisposedException>(() => Ops.Transpose(x));
        Assert.Throws<ObjectDisposedException>(() => x.ToArray<float>());
    }
}
