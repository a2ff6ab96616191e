using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Losses;

namespace Microsoft.ML.Recurrent.Tests.Training;

/// <summary>Loss values against the examples of the Keras 3 docstrings and hand computations.</summary>
public class LossTests
{
    private static Tensor T(float[] data, params int[] shape) => Tensor.FromArray(data, new Shape(shape));

    private static double Value(Loss loss, Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) => loss.Compute(yTrue, yPred, sampleWeight).Item();

    [Fact]
    public void Regression_losses_match_Keras_examples()
    {
        var yTrue = T([0, 1, 0, 0], 2, 2);
        Assert.Equal(0.5, Value(new MeanSquaredError(), yTrue, T([1, 1, 1, 0], 2, 2)), 6);
        Assert.Equal(0.5, Value(new MeanAbsoluteError(), yTrue, T([1, 1, 1, 0], 2, 2)), 6);
        Assert.Equal(0.2402265, Value(new MeanSquaredLogarithmicError(), yTrue, T([1, 1, 1, 0], 2, 2)), 5);
        Assert.Equal(0.155, Value(new Huber(), yTrue, T([0.6f, 0.4f, 0.4f, 0.6f], 2, 2)), 5);
        Assert.Equal(0.10844523, Value(new LogCosh(), yTrue, T([1, 1, 0, 0], 2, 2)), 5);
        Assert.Equal(0.5, Value(new Poisson(), yTrue, T([1, 1, 0, 0], 2, 2)), 5);
        Assert.Equal(-0.5, Value(new CosineSimilarity(), T([0, 1, 1, 1], 2, 2), T([1, 0, 1, 1], 2, 2)), 5);
        // |1-2|/1 = 1, |4-3|/4 = 0.25 → mean 0.625 → 62.5
        Assert.Equal(62.5, Value(new MeanAbsolutePercentageError(), T([1, 4], 1, 2), T([2, 3], 1, 2)), 4);
    }

    [Fact]
    public void Huber_switches_to_linear_beyond_delta()
    {
        // error 3 with delta 1: 1*3 - 0.5 = 2.5; error 0.5: 0.125 → mean 1.3125
        Assert.Equal(1.3125, Value(new Huber(), T([0, 0], 1, 2), T([3, 0.5f], 1, 2)), 6);
    }

    [Fact]
    public void Crossentropies_match_Keras_examples()
    {
        Assert.Equal(0.865458, Value(new BinaryCrossentropy(fromLogits: true), T([0, 1, 0, 0], 4), T([-18.6f, 0.51f, 2.94f, -12.8f], 4)), 4);
        var probabilities = T([0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f], 2, 3);
        Assert.Equal(1.176939, Value(new CategoricalCrossentropy(), T([0, 1, 0, 0, 0, 1], 2, 3), probabilities), 5);
        Assert.Equal(1.176939, Value(new SparseCategoricalCrossentropy(), T([1, 2], 2), probabilities), 5);
        Assert.Equal(1.176939, Value(new SparseCategoricalCrossentropy(), T([1, 2], 2, 1), probabilities), 5);
        Assert.Equal(0.458143, Value(new KLDivergence(), T([0, 1, 0, 0], 2, 2), T([0.6f, 0.4f, 0.4f, 0.6f], 2, 2)), 5);
    }

    [Fact]
    public void Logits_and_probabilities_agree()
    {
        var logits = T([0.3f, -1.2f, 2.0f, 0.1f, 0.4f, -0.7f], 2, 3);
        var probabilities = Ops.Softmax(logits);
        var target = T([0, 0, 1, 1, 0, 0], 2, 3);
        Assert.Equal(Value(new CategoricalCrossentropy(), target, probabilities), Value(new CategoricalCrossentropy(fromLogits: true), target, logits), 5);
        Assert.Equal(Value(new SparseCategoricalCrossentropy(), T([2, 0], 2), probabilities), Value(new SparseCategoricalCrossentropy(fromLogits: true), T([2, 0], 2), logits), 5);
        var binaryLogits = T([0.3f, -1.2f, 2.0f], 3, 1);
        var binaryTarget = T([1, 0, 0], 3, 1);
        Assert.Equal(Value(new BinaryCrossentropy(), binaryTarget, Ops.Sigmoid(binaryLogits)), Value(new BinaryCrossentropy(fromLogits: true), binaryTarget, binaryLogits), 5);
    }

    [Fact]
    public void Label_smoothing_moves_targets_toward_uniform()
    {
        // BCE with smoothing 0.2 on target 1 is BCE with target 0.9.
        var p = T([0.7f], 1, 1);
        Assert.Equal(Value(new BinaryCrossentropy(), T([0.9f], 1, 1), p), Value(new BinaryCrossentropy(labelSmoothing: 0.2), T([1], 1, 1), p), 6);
        // CCE with smoothing 0.3 over 3 classes: [0, 1, 0] → [0.1, 0.8, 0.1].
        var q = T([0.2f, 0.5f, 0.3f], 1, 3);
        Assert.Equal(Value(new CategoricalCrossentropy(), T([0.1f, 0.8f, 0.1f], 1, 3), q), Value(new CategoricalCrossentropy(labelSmoothing: 0.3), T([0, 1, 0], 1, 3), q), 6);
    }

    [Fact]
    public void Reductions_and_sample_weights_follow_Keras()
    {
        var yTrue = T([0, 1, 0, 0], 2, 2);
        var yPred = T([1, 1, 1, 0], 2, 2);
        var weights = T([0.7f, 0.3f], 2);
        Assert.Equal(0.25, Value(new MeanSquaredError(), yTrue, yPred, weights), 6);
        Assert.Equal(1.0, Value(new MeanSquaredError(reduction: "sum"), yTrue, yPred), 6);
        Assert.Equal(0.5, Value(new MeanSquaredError(reduction: "mean_with_sample_weight"), yTrue, yPred, weights), 6);
        var none = new MeanSquaredError(reduction: "none").Compute(yTrue, yPred).ToFloatArray();
        Assert.Equal([0.5f, 0.5f], none);
        Assert.Throws<ArgumentException>(() => new MeanSquaredError(reduction: "average"));
    }

    [Fact]
    public void Mask_averages_over_valid_steps_only()
    {
        // (batch 1, time 3, 1): errors 1, 2, 3; last step masked → (1 + 4) / 2.
        var loss = new MeanSquaredError().Compute(T([0, 0, 0], 1, 3, 1), T([1, 2, 3], 1, 3, 1), mask: T([1, 1, 0], 1, 3));
        Assert.Equal(2.5, loss.Item(), 6);
    }

    [Fact]
    public void Sparse_crossentropy_ignores_class_and_rejects_bad_labels()
    {
        var p = T([0.2f, 0.8f, 0.6f, 0.4f], 2, 2);
        var ignored = new SparseCategoricalCrossentropy(ignoreClass: -1, reduction: "none").Compute(T([1, -1], 2), p).ToFloatArray();
        Assert.Equal(-Math.Log(0.8), ignored[0], 5);
        Assert.Equal(0, ignored[1]);
        Assert.Throws<ArgumentException>(() => new SparseCategoricalCrossentropy().Compute(T([1, 5], 2), p));
    }

    [Fact]
    public void Configs_round_trip_and_names_resolve()
    {
        Loss[] losses = [new MeanSquaredError(), new MeanAbsoluteError(), new MeanAbsolutePercentageError(), new MeanSquaredLogarithmicError(), new Huber(2.0), new LogCosh(),
            new BinaryCrossentropy(true, 0.1), new CategoricalCrossentropy(true, 0.2), new SparseCategoricalCrossentropy(true, 3), new KLDivergence(), new Poisson(), new CosineSimilarity()];
        foreach (var loss in losses)
        {
            var copy = Loss.FromConfig(loss.ToConfig());
            Assert.Equal(loss.ToConfig().ToJsonString(), copy.ToConfig().ToJsonString());
        }
        Assert.IsType<MeanSquaredError>(Loss.Get("mse"));
        Assert.IsType<SparseCategoricalCrossentropy>(Loss.Get("sparse_categorical_crossentropy"));
        Assert.Throws<ArgumentException>(() => Loss.Get("nope"));
    }

    [Fact]
    public void Losses_are_differentiable()
    {
        var yPred = T([0.2f, 0.5f, 0.3f, 0.6f, 0.1f, 0.3f], 2, 3);
        yPred.RequiresGrad = true;
        foreach (var loss in new Loss[] { new MeanSquaredError(), new Huber(), new LogCosh(), new CategoricalCrossentropy(), new SparseCategoricalCrossentropy(), new KLDivergence(), new Poisson(), new CosineSimilarity(), new BinaryCrossentropy() })
        {
            var target = loss is SparseCategoricalCrossentropy ? T([1, 0], 2) : T([0, 1, 0, 1, 0, 0], 2, 3);
            var grad = Autodiff.Gradients(loss.Compute(target, yPred), [yPred])[0].ToFloatArray();
            Assert.All(grad, g => Assert.True(float.IsFinite(g)));
            Assert.Contains(grad, g => g != 0);
        }
    }
}
