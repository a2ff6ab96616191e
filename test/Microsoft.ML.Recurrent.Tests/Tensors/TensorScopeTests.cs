using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Tensors;

public class TensorScopeTests
{
    [Fact]
    public void Temporaries_are_disposed_at_the_end_of_the_scope()
    {
        Tensor a, b;
        using (TensorScope.Begin())
        {
            a = Tensor.Ones(new Shape(2));
            b = Ops.Exp(a) * 2.0;
        }
        Assert.True(a.IsDisposed);
        Assert.True(b.IsDisposed);
    }

    [Fact]
    public void Keep_moves_a_tensor_out_of_the_scope()
    {
        Tensor kept, temporary;
        using (var scope = TensorScope.Begin())
        {
            temporary = Tensor.FromArray([1.0, 2]);
            kept = scope.Keep(Ops.Sum(Ops.Square(temporary)));
        }
        Assert.True(temporary.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.Equal(5.0, kept.Item());
    }

    [Fact]
    public void Tensors_created_before_the_scope_survive_it()
    {
        var outside = Tensor.FromArray([3.0]);
        using (TensorScope.Begin())
        {
            _ = outside + 1.0;
        }
        Assert.False(outside.IsDisposed);
        Assert.Equal(3.0, outside.Item());
    }

    [Fact]
    public void Keep_in_a_nested_scope_hands_the_tensor_to_the_outer_scope()
    {
        Tensor kept;
        using (TensorScope.Begin())
        {
            using (var inner = TensorScope.Begin())
            {
                kept = inner.Keep(Tensor.Ones(new Shape(1)));
            }
            Assert.False(kept.IsDisposed);
        }
        Assert.True(kept.IsDisposed);
    }

    [Fact]
    public void Keep_of_a_tensor_from_outside_every_scope_does_not_adopt_it()
    {
        var parameter = Tensor.Ones(new Shape(2));
        using (TensorScope.Begin())
        {
            using (var inner = TensorScope.Begin())
            {
                inner.Keep(parameter);
            }
        }
        Assert.False(parameter.IsDisposed);
    }

    [Fact]
    public void A_view_of_a_kept_tensor_keeps_the_storage_alive()
    {
        Tensor kept;
        using (var scope = TensorScope.Begin())
        {
            var values = Tensor.FromArray([1.0, 2, 3, 4]);
            kept = scope.Keep(Ops.Reshape(values, 2, 2));
        }
        Assert.Equal([1.0, 2, 3, 4], kept.ToArray<double>());
    }

    [Fact]
    public void Gradients_from_Backward_inside_a_scope_outlive_it()
    {
        // The training-step pattern: temporaries die with the scope, the weights' gradients must not.
        var w = Tensor.FromArray([1.0, 2]);
        w.RequiresGrad = true;
        for (int step = 1; step <= 2; step++)
        {
            using (TensorScope.Begin())
            {
                Ops.Sum(w * w).Backward();
            }
            Assert.False(w.Grad!.IsDisposed);
            Assert.Equal([2.0 * step, 4.0 * step], w.Grad.ToArray<double>());
        }
    }

    [Fact]
    public void A_scope_only_collects_tensors_of_its_own_thread()
    {
        Tensor? fromOtherThread = null;
        using (TensorScope.Begin())
        {
            // A dedicated thread: a task awaited with .Result may run inline on this thread.
            var worker = new Thread(() => fromOtherThread = Tensor.Ones(new Shape(1)));
            worker.Start();
            worker.Join();
        }
        Assert.NotNull(fromOtherThread);
        Assert.False(fromOtherThread.IsDisposed);
    }
}
