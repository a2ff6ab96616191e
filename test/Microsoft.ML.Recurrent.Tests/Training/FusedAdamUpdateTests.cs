using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Optimizers;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Training;

/// <summary>
/// Adam updates its variables in place, chunk by chunk, on the CPU; the result must be bit for bit what the Keras rule
/// gives when written as whole-tensor ops in the variable's precision (one rounding per op).
/// </summary>
public class FusedAdamUpdateTests
{
    [Theory]
    [InlineData("float32", false)]
    [InlineData("float32", true)]
    [InlineData("float64", false)]
    [InlineData("float64", true)]
    public void In_place_update_matches_the_rule_written_as_ops_bit_for_bit(string dtype, bool amsgrad)
    {
        // 1300 elements: more than two chunks and a partial one.
        var type = dtype == "float64" ? DType.Float64 : DType.Float32;
        var dense = new Dense(1300, useBias: false, dtype: dtype);
        dense.Build(new Shape(1, 1));
        var variable = dense.Weights[0];
        var rng = new RandomGenerator(4);
        variable.Assign(rng.Normal(variable.Shape, dtype: type));
        var w = variable.Value.Clone();
        var m = Tensor.ZerosLike(w);
        var v = Tensor.ZerosLike(w);
        var vHat = Tensor.ZerosLike(w);
        double lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-7;
        var adam = new Adam(lr, beta1, beta2, eps, amsgrad);

        for (int step = 1; step <= 4; step++)
        {
            var g = rng.Normal(variable.Shape, 0, step, type);
            adam.Apply([g], [variable]);

            using var _ = Autodiff.NoGrad();
            double alpha = lr * Math.Sqrt(1 - Math.Pow(beta2, step)) / (1 - Math.Pow(beta1, step));
            m = Ops.Add(m, Ops.Multiply(Ops.Subtract(g, m), 1 - beta1));
            v = Ops.Add(v, Ops.Multiply(Ops.Subtract(Ops.Square(g), v), 1 - beta2));
            vHat = Ops.Maximum(vHat, v);
            var denominator = Ops.Add(Ops.Sqrt(amsgrad ? vHat : v), eps);
            w = Ops.Subtract(w, Ops.Divide(Ops.Multiply(m, alpha), denominator));

            Assert.Equal(w.ToDoubleArray(), variable.Value.ToDoubleArray());
        }
    }
}
