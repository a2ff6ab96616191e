using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Keras;

/// <summary>Keras 2 configs load (keras-rnn-spec §4): legacy keys, origin-dependent defaults and the Keras 2 hard_sigmoid.</summary>
public class Keras2ConfigTests
{
    [Fact]
    public void Keras2_gru_without_reset_after_defaults_to_false_and_keras3_to_true()
    {
        var config = JsonNode.Parse("""{"class_name": "GRU", "config": {"units": 2}}""")!;
        Assert.False(((Gru)KerasLayers.Deserialize(config, keras2: true)).Cell.ResetAfter);
        Assert.True(((Gru)KerasLayers.Deserialize(config)).Cell.ResetAfter);
    }

    [Fact]
    public void Keras2_hard_sigmoid_uses_the_0_2x_formula()
    {
        var config = JsonNode.Parse("""
            {"class_name": "SimpleRNN", "config": {"units": 1, "activation": "hard_sigmoid", "use_bias": false,
             "kernel_initializer": {"class_name": "Ones", "config": {}}, "recurrent_initializer": {"class_name": "Zeros", "config": {}}}}
            """)!;
        var x = Tensor.FromArray([1f], new Shape(1, 1, 1));
        Assert.Equal(0.7f, KerasLayers.Deserialize(config, keras2: true).Apply(x).ToArray<float>()[0], 6);
        Assert.Equal(1f / 6 + 0.5f, KerasLayers.Deserialize(config).Apply(x).ToArray<float>()[0], 6);
    }

    [Fact]
    public void Keras2_time_major_transposes_inputs_and_sequence_outputs()
    {
        var k2 = JsonNode.Parse("""
            {"class_name": "LSTM", "config": {"name": "lstm", "units": 2, "time_major": true, "return_sequences": true, "implementation": 1,
             "kernel_initializer": {"class_name": "Constant", "config": {"value": 0.1}}, "recurrent_initializer": {"class_name": "Constant", "config": {"value": 0.2}}}}
            """)!;
        var batchMajor = JsonNode.Parse(k2.ToJsonString())!;
        batchMajor["config"]!["time_major"] = false;
        var x = new RandomGenerator(1).Uniform(new Shape(2, 3, 4));
        var expected = KerasLayers.Deserialize(batchMajor, keras2: true).Apply(x);
        var actual = KerasLayers.Deserialize(k2, keras2: true).Apply(Microsoft.ML.Recurrent.Autograd.Ops.Transpose(x, 1, 0, 2));
        Assert.Equal(Microsoft.ML.Recurrent.Autograd.Ops.Transpose(expected, 1, 0, 2).ToArray<float>(), actual.ToArray<float>());
    }

    [Fact]
    public void Keras2_dtype_policy_dict_and_string_dtype_load()
    {
        var mixed = JsonNode.Parse("""{"class_name": "LSTM", "config": {"units": 2, "dtype": {"class_name": "Policy", "config": {"name": "mixed_float16"}}}}""")!;
        Assert.Equal("mixed_float16", KerasLayers.Deserialize(mixed, keras2: true).DTypePolicy.Name);
        var f64 = JsonNode.Parse("""{"class_name": "GRU", "config": {"units": 2, "dtype": "float64"}}""")!;
        var layer = KerasLayers.Deserialize(f64);
        Assert.Equal(DType.Float64, layer.Apply(Tensor.Ones(new Shape(1, 2, 3))).DType);
    }

    [Fact]
    public void Keras3_envelope_with_module_and_build_config_builds_the_layer()
    {
        var envelope = JsonNode.Parse("""{"module": "keras.layers", "class_name": "LSTM", "registered_name": null, "build_config": {"input_shape": [null, 10, 8]}, "config": {"name": "lstm", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "return_sequences": false, "return_state": false, "go_backwards": false, "stateful": false, "unroll": false, "zero_output_for_mask": false, "units": 32, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}, "recurrent_initializer": {"module": "keras.initializers", "class_name": "Orthogonal", "config": {"seed": null, "gain": 1.0}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "unit_forget_bias": true, "kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null, "dropout": 0.0, "recurrent_dropout": 0.0, "seed": null}}""")!;
        var layer = (Lstm)KerasLayers.Deserialize(envelope);
        Assert.True(layer.Built);
        Assert.Equal(new[] { new Shape(8, 128), new Shape(32, 128), new Shape(128) }, layer.Weights.Select(w => w.Shape));
        Assert.Equal(Enumerable.Repeat(1f, 32), layer.Cell.Bias!.Value.ToArray<float>()[32..64]);
        var written = layer.ToConfig();
        Assert.True(JsonNode.DeepEquals(envelope["config"], written["config"]), written["config"]!.ToJsonString());
    }
}
