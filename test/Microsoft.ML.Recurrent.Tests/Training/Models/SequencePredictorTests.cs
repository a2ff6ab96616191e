using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Tensors.Cpu;
using Microsoft.ML.Recurrent.Training.Models;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Training.Models;

/// <summary>
/// <see cref="SequencePredictor"/> against <see cref="Model.PredictOnBatch"/> on the same weights: the same numbers
/// for every covered layer (masks, go_backwards, stacking, Bidirectional, Dense heads), nothing allocated per call
/// in the steady state, weights changed after its creation seen by the next call, and the tensor path for the rest.
/// </summary>
public class SequencePredictorTests
{
    private const int Features = 3;

    /// <summary>Models the allocation-free path covers, by name.</summary>
    private static Sequential Create(string name, int steps) => name switch
    {
        "lstm" => new Sequential([new Lstm(6)], [steps, Features]),
        "gru_sequences_backwards" => new Sequential([new Gru(5, returnSequences: true, goBackwards: true)], [steps, Features]),
        "gru_reset_before_dense" => new Sequential([new Gru(4, resetAfter: false), new Dropout(0.5), new Dense(2, Activation.Tanh)], [steps, Features]),
        "simple_rnn_relu_sequences_dense" => new Sequential(
            [new SimpleRnn(5, activation: Activation.Relu, returnSequences: true), new Dense(4), new ActivationLayer(Activation.Get("elu"))], [steps, Features]),
        "masked_stack_softmax" => new Sequential(
            [new Masking(), new Lstm(6, returnSequences: true), new Gru(5, goBackwards: true), new Dense(3, Activation.Softmax)], [steps, Features]),
        "masked_zero_output_sequences" => new Sequential(
            [new Masking(), new SimpleRnn(4, returnSequences: true, zeroOutputForMask: true), new Lstm(3, returnSequences: true, goBackwards: true)], [steps, Features]),
        "bidirectional" => new Sequential(
            [new Masking(), new Bidirectional(new Lstm(4, returnSequences: true)), new Bidirectional(new Gru(3), mergeMode: "ave"), new Dense(1)], [steps, Features]),
        "bidirectional_sum_mul" => new Sequential(
            [new Bidirectional(new SimpleRnn(4, returnSequences: true), mergeMode: "sum"), new Bidirectional(new Lstm(3, returnSequences: true), mergeMode: "mul")], [steps, Features]),
        "lstm_hard_sigmoid_no_bias" => new Sequential(
            [new Lstm(5, activation: Activation.Get("softsign"), recurrentActivation: Activation.HardSigmoidKeras2, useBias: false)], [steps, Features]),
        _ => throw new ArgumentException(name),
    };

    public static TheoryData<string> CoveredModels => new()
    {
        "lstm", "gru_sequences_backwards", "gru_reset_before_dense", "simple_rnn_relu_sequences_dense", "masked_stack_softmax",
        "masked_zero_output_sequences", "bidirectional", "bidirectional_sum_mul", "lstm_hard_sigmoid_no_bias",
    };

    /// <summary>Random sequences; with <paramref name="padded"/>, sequence n has its last n % steps steps zeroed (padding).</summary>
    private static float[] Sequences(int batch, int steps, int seed, bool padded = false)
    {
        var random = new Random(seed);
        var x = new float[batch * steps * Features];
        for (int n = 0; n < batch; n++)
            for (int t = 0; t < steps; t++)
                for (int f = 0; f < Features; f++)
                    x[(n * steps + t) * Features + f] = padded && t >= steps - n % steps ? 0f : (float)(random.NextDouble() * 2 - 1);
        return x;
    }

    private static float[] Reference(Model model, float[] x, int batch, int steps) =>
        model.PredictOnBatch(Tensor.FromArray(x, new Shape(batch, steps, Features))).ToFloatArray();

    [Theory]
    [MemberData(nameof(CoveredModels))]
    public void OneSequenceGivesModelPredictsNumbers(string name)
    {
        const int steps = 7;
        var model = Create(name, steps);
        using var predictor = model.CreatePredictor();
        Assert.True(predictor.IsAllocationFree);
        Assert.Equal(Features, predictor.Features);

        for (int n = 0; n < 4; n++)
        {
            // Row n of a padded batch: n = 0 has no padding, later ones end with n padded steps.
            var x = Sequences(4, steps, seed: 5, padded: true).AsSpan(n * steps * Features, steps * Features).ToArray();
            var output = new float[predictor.GetOutputLength(steps)];
            predictor.Predict(x, output);
            Assert.Equal(Reference(model, x, 1, steps), output);
        }
    }

    [Theory]
    [MemberData(nameof(CoveredModels))]
    public void BatchGivesModelPredictsNumbers(string name)
    {
        const int steps = 5, batch = 6;
        var model = Create(name, steps);
        using var predictor = model.CreatePredictor();
        var x = Sequences(batch, steps, seed: 9, padded: true);
        var output = new float[batch * predictor.GetOutputLength(steps)];
        predictor.Predict(x, batch, output);
        Assert.Equal(Reference(model, x, batch, steps), output);
    }

    [Fact]
    public void LargeBatchSplitOverThreadsGivesModelPredictsNumbers()
    {
        // 64 × LSTM(48): big enough per step that the step runs in parts on several threads.
        const int steps = 4, batch = 64;
        var model = new Sequential([new Masking(), new Lstm(48, returnSequences: true), new Gru(40), new Dense(2)], [steps, Features]);
        using var predictor = model.CreatePredictor();
        var x = Sequences(batch, steps, seed: 3, padded: true);
        var output = new float[batch * predictor.GetOutputLength(steps)];
        predictor.Predict(x, batch, output);
        Assert.Equal(Reference(model, x, batch, steps), output);
    }

    [Fact]
    public void StepsMayVaryFromCallToCall()
    {
        var model = Create("masked_stack_softmax", 6);
        using var predictor = model.CreatePredictor();
        foreach (int steps in new[] { 6, 11, 2, 6 })
        {
            var x = Sequences(1, steps, seed: steps);
            var output = new float[predictor.GetOutputLength(steps)];
            predictor.Predict(x, output);
            Assert.Equal(Reference(model, x, 1, steps), output);
        }
        Assert.Equal(3, predictor.GetOutputLength(40));
        Assert.Equal(12 * 5, Create("gru_sequences_backwards", 6).CreatePredictor().GetOutputLength(12));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    public void SteadyStateCallsAllocateNothing(int batch)
    {
        const int steps = 10;
        var model = new Sequential(
            [new Masking(), new Lstm(48, returnSequences: true), new Dropout(0.2), new Bidirectional(new Gru(16)), new Dense(3, Activation.Softmax)],
            [steps, Features]);
        using var predictor = model.CreatePredictor();
        var x = Sequences(batch, steps, seed: 1, padded: true);
        var output = new float[batch * predictor.GetOutputLength(steps)];
        for (int i = 0; i < 20; i++) predictor.Predict(x, batch, output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) predictor.Predict(x, batch, output);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(Reference(model, x, batch, steps), output);
    }

    [Fact]
    public void TrainingAfterCreationIsSeenByTheNextCall()
    {
        const int steps = 5;
        var model = new Sequential([new Lstm(6, returnSequences: true), new Gru(4), new Dense(1)], [steps, Features]);
        model.Compile("adam", "mse");
        using var predictor = model.CreatePredictor();
        var x = Sequences(1, steps, seed: 2);
        var before = new float[1];
        predictor.Predict(x, before);

        var batch = Sequences(8, steps, seed: 4);
        model.TrainOnBatch(Tensor.FromArray(batch, new Shape(8, steps, Features)), Tensor.FromArray(new float[8], new Shape(8, 1)));
        var after = new float[1];
        predictor.Predict(x, after);

        Assert.NotEqual(before, after);
        Assert.Equal(Reference(model, x, 1, steps), after);
    }

    [Fact]
    public void AnInputKernelAssignedAloneIsSeenByTheNextLargeBatchCall()
    {
        // A batch this large projects each step's inputs in the loop, from a packed copy of the input kernel.
        const int steps = 40, batch = 32, units = 64;
        Assert.True(RecurrentLoopPlan.ProjectsPerStep(batch, steps, units, 4 * units, sizeof(float)));
        var model = new Sequential([new Lstm(units)], [steps, Features]);
        using var predictor = model.CreatePredictor();
        var x = Sequences(batch, steps, seed: 9);
        var first = new float[batch * units];
        predictor.Predict(x, batch, first);

        var kernel = model.Layers[0].Weights[0];
        Assert.Equal(new Shape(Features, 4 * units), kernel.Shape);
        kernel.Assign(Ops.Multiply(kernel.Value, 0.5));
        var second = new float[batch * units];
        predictor.Predict(x, batch, second);

        Assert.NotEqual(first, second);
        Assert.Equal(Reference(model, x, batch, steps), second);
    }

    [Fact]
    public void SetWeightsAfterCreationIsSeenByTheNextCall()
    {
        const int steps = 4;
        var model = new Sequential([new SimpleRnn(3)], [steps, Features]);
        using var predictor = model.CreatePredictor();
        var x = Sequences(1, steps, seed: 8);
        var first = new float[3];
        predictor.Predict(x, first);

        var layer = model.Layers[0];
        layer.SetWeights(layer.GetWeights().Select(w => Ops.Multiply(w, 0.5)).ToArray());
        var second = new float[3];
        predictor.Predict(x, second);

        Assert.NotEqual(first, second);
        Assert.Equal(Reference(model, x, 1, steps), second);
    }

    [Fact]
    public void OtherLayersTakeTheTensorPath()
    {
        const int steps = 5;
        var model = new Sequential([new Lstm(4, returnSequences: true), new TimeDistributed(new Dense(2))], [steps, Features]);
        using var predictor = model.CreatePredictor();
        Assert.False(predictor.IsAllocationFree);
        Assert.Equal(steps * 2, predictor.GetOutputLength(steps));
        var x = Sequences(1, steps, seed: 6);
        var output = new float[steps * 2];
        predictor.Predict(x, output);
        Assert.Equal(Reference(model, x, 1, steps), output);
    }

    [Fact]
    public void StatefulModelsCarryTheirStatesAsModelPredictDoes()
    {
        const int steps = 3;
        var model = new Sequential([new Gru(4, stateful: true), new Dense(1)], [steps, Features], batchSize: 1);
        var x = Sequences(1, steps, seed: 7);
        using var predictor = model.CreatePredictor();
        Assert.False(predictor.IsAllocationFree);
        Assert.Equal(1, predictor.GetOutputLength(steps));
        float[] first = new float[1], second = new float[1];
        predictor.Predict(x, first);
        predictor.Predict(x, second);

        model.ResetStates();
        Assert.Equal(Reference(model, x, 1, steps), first);
        Assert.Equal(Reference(model, x, 1, steps), second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void WrongLengthsAreRejectedWithTheExpectedSize()
    {
        var model = Create("lstm", 4);
        using var predictor = model.CreatePredictor();
        var input = Assert.Throws<ArgumentException>(() => predictor.Predict(new float[10], new float[6]));
        Assert.Equal("sequence", input.ParamName);
        Assert.Contains("multiple of 3", input.Message);
        var output = Assert.Throws<ArgumentException>(() => predictor.Predict(new float[12], new float[5]));
        Assert.Equal("output", output.ParamName);
        Assert.Contains("give 6", output.Message);
        Assert.Throws<ArgumentException>(() => predictor.Predict(new float[12], 2, new float[10]));
    }

    [Fact]
    public void AnUnbuiltModelCannotCreateAPredictor()
    {
        var model = new Sequential([new Lstm(2)]);
        var error = Assert.Throws<InvalidOperationException>(() => model.CreatePredictor());
        Assert.Contains("not built", error.Message);
    }
}
