using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Autograd;

public class AutodiffTests
{
    [Fact]
    public void Backward_of_a_tensor_used_twice_accumulates_both_paths()
    {
        var x = Tensor.FromArray([1.0, 2.0, 3.0]);
        x.RequiresGrad = true;

        // y = Σ (x·x + 3x): dy/dx = 2x + 3
        var y = Ops.Sum(x * x + x * 3.0);
        y.Backward();

        Assert.Equal([5.0, 7.0, 9.0], x.Grad!.ToArray<double>());
    }

    [Fact]
    public void Backward_twice_adds_into_Grad_like_Keras_tape_accumulation()
    {
        var x = Tensor.FromArray([2.0]);
        x.RequiresGrad = true;
        Ops.Sum(Ops.Square(x)).Backward();
        Ops.Sum(Ops.Square(x)).Backward();
        Assert.Equal([8.0], x.Grad!.ToArray<double>());
    }

    [Fact]
    public void Backward_on_a_tensor_that_does_not_require_gradients_throws_a_clear_error()
    {
        var x = Tensor.FromArray([1f, 2f]);
        var y = Ops.Sum(x);
        var error = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("does not require gradients", error.Message);
    }

    [Fact]
    public void Ops_inside_NoGrad_are_not_recorded()
    {
        var x = Tensor.FromArray([1.0]);
        x.RequiresGrad = true;
        Tensor y;
        using (Autodiff.NoGrad()) y = Ops.Exp(x);
        Assert.False(y.RequiresGrad);
        Assert.Throws<InvalidOperationException>(() => y.Backward());
    }

    [Fact]
    public void Non_scalar_backward_needs_an_output_gradient()
    {
        var x = Tensor.FromArray([1.0, 2.0]);
        x.RequiresGrad = true;
        var y = Ops.Exp(x);
        Assert.Throws<InvalidOperationException>(() => y.Backward());
        y.Backward(Tensor.FromArray([1.0, 0.5]));
        Assert.Equal(Math.Exp(2.0) * 0.5, x.Grad!.ToArray<double>()[1], 12);
    }

    [Fact]
    public void Gradients_returns_zero_for_an_input_the_output_does_not_use()
    {
        var x = Tensor.FromArray([1.0]);
        var unused = Tensor.FromArray([1.0, 2.0]);
        x.RequiresGrad = unused.RequiresGrad = true;
        var grads = Autodiff.Gradients(Ops.Sum(Ops.Tanh(x)), [x, unused]);
        Assert.Equal([0.0, 0.0], grads[1].ToArray<double>());
        Assert.Null(x.Grad);
    }

    [Fact]
    public void Leaves_that_receive_the_same_upstream_gradient_get_separate_Grad_tensors()
    {
        // Add passes dy unchanged to both inputs; disposing one weight's gradient must not touch the other's.
        var a = Tensor.FromArray([1.0]);
        var b = Tensor.FromArray([2.0]);
        a.RequiresGrad = b.RequiresGrad = true;
        Ops.Sum(a + b).Backward();
        Assert.NotSame(a.Grad, b.Grad);
        a.Grad!.Dispose();
        Assert.Equal([1.0], b.Grad!.ToArray<double>());
    }

    [Fact]
    public void Grad_is_not_the_caller_s_output_gradient_tensor()
    {
        var x = Tensor.FromArray([1.0, 2]);
        x.RequiresGrad = true;
        var outputGradient = Tensor.FromArray([0.5, 0.25]);
        (x + 1.0).Backward(outputGradient);
        Assert.NotSame(outputGradient, x.Grad);
        outputGradient.Dispose();
        Assert.Equal([0.5, 0.25], x.Grad!.ToArray<double>());
    }

    [Fact]
    public void Gradient_check_of_a_small_network_passes()
    {
        var rng = new RandomGenerator(7);
        var x = rng.Normal(new Shape(4, 3), dtype: DType.Float64);
        var w = rng.Normal(new Shape(3, 5), dtype: DType.Float64);
        var b = rng.Normal(new Shape(5), dtype: DType.Float64);
        var result = GradientCheck.Run(t => Ops.Softmax(Ops.Tanh(Ops.MatMul(t[0], t[1]) + t[2])), [x, w, b]);
        Assert.True(result.MaxRelativeError < 1e-6, result.ToString());
    }
}
