using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Layers.Core;

public class CoreLayersTests
{
    [Fact]
    public void Masking_masks_steps_whose_features_all_equal_the_mask_value_and_zeroes_them()
    {
        var x = Tensor.FromArray([1f, 2f, 0f, 0f, 0f, 3f, 5f, 5f], new Shape(1, 4, 2));
        var masking = new Masking(maskValue: 0.0);
        Assert.Equal([1f, 0f, 1f, 1f], masking.ComputeMask(x, null)!.ToArray<float>());

        var same = new Masking(maskValue: 5.0);
        Assert.Equal([1f, 2f, 0f, 0f, 0f, 3f, 0f, 0f], same.Apply(x).ToArray<float>());
        Assert.Equal([1f, 1f, 1f, 0f], same.ComputeMask(x, null)!.ToArray<float>());
    }

    [Fact]
    public void Masking_with_NaN_masks_nothing()
    {
        var x = Tensor.FromArray([float.NaN, float.NaN, 1f, 2f], new Shape(1, 2, 2));
        Assert.Equal([1f, 1f], new Masking(double.NaN).ComputeMask(x, null)!.ToArray<float>());
    }

    [Fact]
    public void Masking_feeds_an_lstm_the_same_as_an_explicit_mask()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 0f, 0f, 5f, 6f, 0f, 0f, 0f, 0f], new Shape(2, 3, 2));
        var masking = new Masking();
        var lstm = new Lstm(3, kernelInitializer: new Microsoft.ML.Recurrent.Initializers.Constant(0.1), recurrentInitializer: new Microsoft.ML.Recurrent.Initializers.Constant(0.2), returnSequences: true);
        var viaMasking = lstm.Apply(masking.Apply(x), mask: masking.ComputeMask(x, null));
        var explicitMask = lstm.Apply(x, mask: Tensor.FromArray([1f, 1f, 0f, 1f, 0f, 0f], new Shape(2, 3)));
        Assert.Equal(explicitMask.ToArray<float>(), viaMasking.ToArray<float>());
    }

    [Fact]
    public void Dropout_is_identity_at_inference_and_scales_kept_units_in_training()
    {
        var x = Tensor.Ones(new Shape(1000));
        var dropout = new Dropout(0.25, seed: 1);
        Assert.Equal(x.ToArray<float>(), dropout.Apply(x).ToArray<float>());
        var y = dropout.Apply(x, training: true).ToArray<float>();
        Assert.All(y, v => Assert.True(v == 0f || Math.Abs(v - 1f / 0.75f) < 1e-6));
        Assert.InRange(y.Count(v => v == 0f), 200, 300);
        Assert.Contains("between 0 and 1", Assert.Throws<ArgumentException>(() => new Dropout(1.5)).Message);
    }

    [Fact]
    public void Dropout_with_a_noise_shape_shares_the_mask_along_size_1_axes()
    {
        var y = new Dropout(0.5, noiseShape: [1, 6], seed: 4).Apply(Tensor.Ones(new Shape(5, 6)), training: true).ToArray<float>();
        for (int row = 1; row < 5; row++)
            Assert.Equal(y[..6], y[(row * 6)..((row + 1) * 6)]);
    }

    [Fact]
    public void Embedding_looks_up_rows_and_masks_index_zero()
    {
        var embedding = new Embedding(4, 2, new Microsoft.ML.Recurrent.Initializers.Constant(0), maskZero: true);
        embedding.Build(new Shape(1, 3));
        embedding.SetWeights([Tensor.FromArray([0f, 0f, 1f, 10f, 2f, 20f, 3f, 30f], new Shape(4, 2))]);
        var ids = Tensor.FromArray([3, 0, 1], new Shape(1, 3));
        Assert.Equal([3f, 30f, 0f, 0f, 1f, 10f], embedding.Apply(ids).ToArray<float>());
        Assert.Equal([1f, 0f, 1f], embedding.ComputeMask(ids, null)!.ToArray<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => embedding.Apply(Tensor.FromArray([4], new Shape(1, 1))));
    }

    [Fact]
    public void Embedding_gradient_accumulates_into_the_looked_up_rows()
    {
        var embedding = new Embedding(3, 2);
        var ids = Tensor.FromArray([2, 2, 0], new Shape(1, 3));
        var loss = Ops.Sum(embedding.Apply(ids));
        var grad = Autodiff.Gradients(loss, [embedding.Embeddings.Value])[0];
        Assert.Equal([1f, 1f, 0f, 0f, 2f, 2f], grad.ToArray<float>());
    }

    [Fact]
    public void Activation_layer_applies_its_function_and_serializes_as_Activation()
    {
        var layer = new ActivationLayer(Activation.Relu);
        Assert.Equal([0f, 2f], layer.Apply(Tensor.FromArray([-1f, 2f])).ToArray<float>());
        var config = layer.ToConfig();
        Assert.Equal("Activation", config["class_name"]!.GetValue<string>());
        Assert.Equal("relu", config["config"]!["activation"]!.GetValue<string>());
        Assert.IsType<ActivationLayer>(KerasLayers.Deserialize(config));
    }

    [Fact]
    public void Dense_applies_to_the_last_axis_of_any_rank()
    {
        var dense = new Dense(2, kernelInitializer: new Microsoft.ML.Recurrent.Initializers.Constant(1), biasInitializer: new Microsoft.ML.Recurrent.Initializers.Constant(0.5));
        var y = dense.Apply(Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], new Shape(1, 3, 2)));
        Assert.Equal(new Shape(1, 3, 2), y.Shape);
        Assert.Equal([3.5f, 3.5f, 7.5f, 7.5f, 11.5f, 11.5f], y.ToArray<float>());
    }

    [Fact]
    public void Core_layer_configs_round_trip()
    {
        foreach (var layer in new Layer[] { new Masking(2.5), new Dropout(0.3, [1, 4], 7), new Embedding(10, 4, maskZero: true), new ActivationLayer(Activation.Get("gelu")), new Dense(3, Activation.Tanh) })
        {
            var config = layer.ToConfig().ToJsonString();
            Assert.Equal(config, KerasLayers.Deserialize(layer.ToConfig()).ToConfig().ToJsonString());
        }
    }
}
