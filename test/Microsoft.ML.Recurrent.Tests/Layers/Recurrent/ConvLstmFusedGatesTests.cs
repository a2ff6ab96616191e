using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Layers.Recurrent;

/// <summary>
/// The ConvLSTM step with its gates fused (<see cref="Ops.LstmGates"/>, channels_last) against the same step op by op:
/// outputs, final states and the gradients of the inputs, weights and initial states.
/// </summary>
public class ConvLstmFusedGatesTests
{
    [Theory]
    [InlineData("default", true, "float64")]
    [InlineData("default", false, "float64")] // no bias
    [InlineData("hard_sigmoid_relu", true, "float64")]
    [InlineData("linear_softsign", true, "float64")]
    [InlineData("default", true, "float32")] // the vectorized gate loop
    public void Fused_gates_give_the_op_by_op_numbers(string activations, bool useBias, string dtype)
    {
        (Activation? activation, Activation? recurrent) = activations switch
        {
            "hard_sigmoid_relu" => (Activation.Relu, Activation.HardSigmoidKeras2),
            "linear_softsign" => (Activation.Get("linear"), Activation.Get("softsign")),
            _ => ((Activation?)null, (Activation?)null),
        };
        ConvLstm2D Make() => new(3, [3, 3], padding: "same", activation: activation, recurrentActivation: recurrent, useBias: useBias,
            returnSequences: true, returnState: true, dtype: dtype);
        var fused = Make();
        var reference = Make();
        reference.Cell.UseFusedGates = false;
        var rng = new RandomGenerator(8);
        var type = dtype == "float32" ? DType.Float32 : DType.Float64;
        double tolerance = dtype == "float32" ? 2e-5 : 1e-12;
        var x = rng.Normal(new Shape(2, 4, 5, 5, 2), dtype: type);
        fused.Build(x.Shape);
        reference.Build(x.Shape);
        var weights = fused.Weights.Select(w => rng.Normal(w.Shape, 0, 0.4, type)).ToArray();
        fused.SetWeights(weights);
        reference.SetWeights(weights);
        var states = new[] { rng.Normal(new Shape(2, 5, 5, 3), dtype: type), rng.Normal(new Shape(2, 5, 5, 3), dtype: type) };

        var (fusedOutputs, fusedGradients) = FusedRecurrentKernelTests.RunWithGradients(fused, x, states, null, training: false);
        var (referenceOutputs, referenceGradients) = FusedRecurrentKernelTests.RunWithGradients(reference, x, states, null, training: false);

        for (int i = 0; i < fusedOutputs.Length; i++) FusedRecurrentKernelTests.AssertClose(referenceOutputs[i], fusedOutputs[i], tolerance, $"output {i}");
        for (int i = 0; i < fusedGradients.Length; i++) FusedRecurrentKernelTests.AssertClose(referenceGradients[i], fusedGradients[i], tolerance, $"gradient {i}");
    }

    [Fact]
    public void Channels_first_keeps_the_op_by_op_step()
    {
        // A position's gate inputs are not one row there; the layer must still run (and match Keras's layout).
        var layer = new ConvLstm2D(2, [3, 3], padding: "same", dataFormat: "channels_first", dtype: "float64");
        var x = new RandomGenerator(9).Normal(new Shape(1, 3, 2, 4, 4), dtype: DType.Float64);

        var output = layer.Apply(x);

        Assert.Equal(new Shape(1, 2, 4, 4), output.Shape);
    }

    [Fact]
    public void A_state_of_the_wrong_shape_is_named()
    {
        var spec = new RecurrentSequenceSpec(RecurrentCellKind.Lstm, 3, null, null);
        var z = Tensor.Zeros(new Shape(2, 4, 12));

        var error = Assert.Throws<ArgumentException>(() => Ops.LstmGates(spec, z, z, null, Tensor.Zeros(new Shape(2, 4, 4))));

        Assert.Equal("c", error.ParamName);
        Assert.Contains("(2, 4, 3)", error.Message);
    }
}
