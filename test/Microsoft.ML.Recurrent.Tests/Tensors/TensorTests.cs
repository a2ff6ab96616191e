using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void FromArray_and_ToArray_round_trip_each_dtype()
    {
        var f = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], new Shape(2, 3));
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal(new Shape(2, 3), f.Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], f.ToArray<float>());

        var d = Tensor.FromArray([1.5, -2.5]);
        Assert.Equal(DType.Float64, d.DType);
        Assert.Equal(new Shape(2), d.Shape);
        Assert.Equal([1.5, -2.5], d.ToArray<double>());

        var i = Tensor.FromArray([7, 8, 9], new Shape(3, 1));
        Assert.Equal(DType.Int32, i.DType);
        Assert.Equal([7, 8, 9], i.ToArray<int>());
        Assert.Equal([7.0, 8, 9], i.ToDoubleArray());
        Assert.Equal([7f, 8f, 9f], i.ToFloatArray());
    }

    [Fact]
    public void FromArray_copies_the_data()
    {
        double[] data = [1, 2];
        var t = Tensor.FromArray(data);
        data[0] = 99;
        Assert.Equal([1.0, 2], t.ToArray<double>());
    }

    [Fact]
    public void Creation_helpers()
    {
        Assert.Equal(new float[6], Tensor.Zeros(new Shape(2, 3)).ToArray<float>());
        Assert.Equal([1.0, 1, 1], Tensor.Ones(new Shape(3), DType.Float64).ToArray<double>());
        Assert.Equal([2.5f, 2.5f], Tensor.Full(new Shape(2), 2.5).ToArray<float>());
        Assert.Equal([-3, -3], Tensor.Full(new Shape(2), -3, DType.Int32).ToArray<int>());
        Assert.Equal(Shape.Scalar, Tensor.Scalar(4).Shape);
        Assert.Equal([0f, 0.5f, 1f, 1.5f], Tensor.Arange(0, 2, 0.5).ToArray<float>());
        Assert.Equal([3.0, 2, 1], Tensor.Arange(3, 0, -1, DType.Float64).ToArray<double>());
        Assert.Equal(new Shape(0), Tensor.Arange(0, 0).Shape);
        var like = Tensor.ZerosLike(Tensor.Ones(new Shape(2, 1), DType.Float64));
        Assert.Equal((new Shape(2, 1), DType.Float64), (like.Shape, like.DType));
    }

    [Fact]
    public void Item_reads_the_single_element()
    {
        Assert.Equal(4.0, Tensor.Scalar(4).Item());
        Assert.Equal(-2.0, Tensor.FromArray([-2.0], new Shape(1, 1)).Item());
        Assert.Equal(5.0, Tensor.FromArray([5], Shape.Scalar).Item());
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(new Shape(2)).Item());
    }

    [Fact]
    public void ToString_shows_shape_dtype_and_small_values()
    {
        Assert.Equal("Tensor(2,) float32 [1, 2.5]", Tensor.FromArray([1f, 2.5f]).ToString());
        Assert.Equal("Tensor(2, 10) float64", Tensor.Zeros(new Shape(2, 10), DType.Float64).ToString());
    }

    // ------------------------------------------------------------------ lifetime

    [Fact]
    public void Dispose_releases_storage_and_later_use_throws()
    {
        var t = Tensor.FromArray([1f]);
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.True(t.Storage.IsReleased);
        Assert.Throws<ObjectDisposedException>(() => t.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => t.Item());
        Assert.Throws<ObjectDisposedException>(() => t.Clone());
        Assert.Throws<ObjectDisposedException>(() => t.Detach());
        t.Dispose(); // a second Dispose is harmless
    }

    [Fact]
    public void Reshape_views_share_storage_released_only_after_the_last_one()
    {
        var original = Tensor.FromArray([1.0, 2, 3, 4, 5, 6], new Shape(2, 3));
        var view = Ops.Reshape(original, 3, 2);
        var flat = Ops.Reshape(view, -1);
        Assert.Same(original.Storage, view.Storage);
        Assert.Same(original.Storage, flat.Storage);

        original.Dispose();
        Assert.False(view.Storage.IsReleased);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], view.ToArray<double>());

        view.Dispose();
        Assert.False(flat.Storage.IsReleased);
        Assert.Equal(6.0, flat.ToArray<double>()[5]);

        flat.Dispose();
        Assert.True(flat.Storage.IsReleased);
    }

    [Fact]
    public void Reshape_to_the_same_shape_returns_the_tensor_itself()
    {
        var t = Tensor.Zeros(new Shape(2, 3));
        Assert.Same(t, Ops.Reshape(t, 2, 3));
    }

    [Fact]
    public void Clone_copies_values_into_independent_storage()
    {
        var x = Tensor.FromArray([1.0, 2]);
        x.RequiresGrad = true;
        var copy = x.Clone();
        Assert.NotSame(x.Storage, copy.Storage);
        Assert.False(copy.RequiresGrad);
        x.Dispose();
        Assert.Equal([1.0, 2], copy.ToArray<double>());
    }

    [Fact]
    public void Detach_shares_values_but_leaves_the_graph()
    {
        var x = Tensor.FromArray([1.0, 2]);
        x.RequiresGrad = true;
        var y = Ops.Exp(x);
        Assert.False(y.IsLeaf);

        var detached = y.Detach();
        Assert.True(detached.IsLeaf);
        Assert.False(detached.RequiresGrad);
        Assert.Same(y.Storage, detached.Storage);
        Assert.Equal(y.ToArray<double>(), detached.ToArray<double>());

        // Gradients do not flow through the detached copy: only the direct path reaches x.
        Ops.Sum(y + detached * 3.0).Backward();
        Assert.Equal(y.ToArray<double>(), x.Grad!.ToArray<double>());
    }

    [Fact]
    public void RequiresGrad_propagates_to_results_and_not_to_constants()
    {
        var w = Tensor.FromArray([1.0]);
        var c = Tensor.FromArray([2.0]);
        w.RequiresGrad = true;
        Assert.True((w * c).RequiresGrad);
        Assert.False((c * c).RequiresGrad);
        Assert.True(w.IsLeaf);
    }
}
