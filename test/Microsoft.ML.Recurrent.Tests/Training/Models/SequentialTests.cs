using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Models;

namespace Microsoft.ML.Recurrent.Tests.Training.Models;

/// <summary>Sequential models whose input has a time axis of any length (Keras <c>keras.Input(shape=(None, 8))</c>).</summary>
public class SequentialTests : IDisposable
{
    /// <summary>
    /// <c>model.to_json()</c> of Keras 3's <c>Sequential([keras.Input(shape=(None, 8)), LSTM(4), Dense(2)])</c>: the
    /// time dimension is null in the input layer, in the LSTM's build config and in <c>build_input_shape</c>.
    /// </summary>
    private const string KerasConfig = """
        {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": true,
          "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
          "layers": [
            {"module": "keras.layers", "class_name": "InputLayer",
             "config": {"batch_shape": [null, null, 8], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null},
            {"module": "keras.layers", "class_name": "LSTM", "config": {"name": "lstm", "trainable": true,
               "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
               "return_sequences": false, "return_state": false, "go_backwards": false, "stateful": false, "unroll": false,
               "zero_output_for_mask": false, "units": 4, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true,
               "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
               "recurrent_initializer": {"module": "keras.initializers", "class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}, "registered_name": null},
               "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
               "unit_forget_bias": true, "kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null,
               "activity_regularizer": null, "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null,
               "dropout": 0.0, "recurrent_dropout": 0.0, "seed": null},
             "registered_name": null, "build_config": {"input_shape": [null, null, 8]}},
            {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true,
               "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
               "units": 2, "activation": "linear", "use_bias": true,
               "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
               "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
               "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
             "registered_name": null, "build_config": {"input_shape": [null, 4]}}],
          "build_input_shape": [null, null, 8]},
         "registered_name": null, "build_config": {"input_shape": [null, null, 8]}}
        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mlr-sequential-" + Guid.NewGuid().ToString("N"));

    public SequentialTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Tensor Random(int seed, params int[] shape)
    {
        var random = new Random(seed);
        var data = new float[new Shape(shape).Size];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        return Tensor.FromArray(data, new Shape(shape));
    }

    /// <summary>The Keras model with seeded random weights (so the outputs depend on every weight and step).</summary>
    private static Sequential LoadKerasModel()
    {
        var model = Assert.IsType<Sequential>(Model.FromModelConfig(JsonNode.Parse(KerasConfig)!.AsObject()));
        model.SetWeights(model.GetWeights().Select((w, i) => Random(100 + i, w.Shape.Dims.ToArray())).ToArray());
        return model;
    }

    private static JsonArray Json(params int?[] dims) => new(dims.Select(d => d is { } v ? JsonValue.Create(v) : null).ToArray<JsonNode?>());

    [Fact]
    public void A_Keras_model_with_a_time_axis_of_any_length_predicts_every_length_like_a_fixed_length_network()
    {
        var model = LoadKerasModel();

        Assert.Equal([null, 8], model.InputShape!);
        var outputs = new List<float[]>();
        foreach (int steps in new[] { 3, 7 })
        {
            var x = Random(steps, 2, steps, 8);
            var fixedLength = new Sequential([new Lstm(4), new Dense(2)], inputShape: [steps, 8]);
            fixedLength.SetWeights(model.GetWeights());

            float[] actual = model.Predict(x).ToFloatArray();
            Assert.Equal(fixedLength.Predict(x).ToFloatArray(), actual);
            outputs.Add(actual);
        }

        Assert.Equal(4, outputs[0].Length); // 2 sequences x 2 units, whatever the length
        Assert.NotEqual(outputs[0], outputs[1]);
    }

    [Fact]
    public void The_config_keeps_null_for_the_time_axis_through_a_round_trip()
    {
        var config = LoadKerasModel().GetConfig();

        var layers = config["layers"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(Json(null, null, 8), layers[0]!["config"]!["batch_shape"]), layers[0]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(Json(null, null, 8), layers[1]!["build_config"]!["input_shape"]), layers[1]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(Json(null, 4), layers[2]!["build_config"]!["input_shape"]), layers[2]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(Json(null, null, 8), config["build_input_shape"]), config.ToJsonString());

        var again = Sequential.FromConfig(config);
        Assert.Equal([null, 8], again.InputShape!);
        Assert.True(JsonNode.DeepEquals(config, again.GetConfig()), again.GetConfig().ToJsonString());
    }

    [Fact]
    public void Summary_shows_None_for_the_batch_and_the_time_axis()
    {
        var model = new Sequential([new Lstm(4, returnSequences: true, name: "encoder"), new Dense(2, name: "head")], inputShape: [null, 8]);

        string summary = model.Summary();

        var rows = summary.Split('\n');
        string encoder = Assert.Single(rows, r => r.Contains("encoder (LSTM)"));
        Assert.Contains("│ (None, None, 4) ", encoder);
        Assert.EndsWith(" 208 │", encoder.TrimEnd('\r'));
        string head = Assert.Single(rows, r => r.Contains("head (Dense)"));
        Assert.Contains("│ (None, None, 2) ", head);
        Assert.EndsWith(" 10 │", head.TrimEnd('\r'));
        Assert.Contains("Total params: 218", summary);
        // Predicting on some length must not change the shapes the table shows.
        model.Predict(Random(1, 1, 5, 8));
        Assert.Equal(summary, model.Summary());
    }

    [Fact]
    public void Save_and_Load_keep_the_time_axis_of_any_length_and_the_outputs()
    {
        var model = LoadKerasModel();
        model.Compile("adam", "mse");
        string path = Path.Combine(_directory, "variable.keras.zip");

        model.Save(path);
        var loaded = Assert.IsType<Sequential>(Model.Load(path));

        Assert.Equal([null, 8], loaded.InputShape!);
        Assert.Equal(model.ToModelConfig().ToJsonString(), loaded.ToModelConfig().ToJsonString());
        Assert.True(JsonNode.DeepEquals(Json(null, null, 8), loaded.ToModelConfig()["build_config"]!["input_shape"]));
        foreach (int steps in new[] { 2, 9 })
        {
            var x = Random(steps, 3, steps, 8);
            Assert.Equal(model.Predict(x).ToFloatArray(), loaded.Predict(x).ToFloatArray());
        }
    }

    [Fact]
    public void A_build_config_alone_declares_the_time_axis_of_any_length()
    {
        // Keras 2 style: no InputLayer entry and no build_input_shape; the envelope's build_config gives the shape, and a
        // nested Sequential's own build_config gives its shape.
        const string config = """
            {"class_name": "Sequential", "config": {"name": "outer", "layers": [
              {"class_name": "Sequential", "config": {"name": "inner", "layers": [{"class_name": "GRU", "config": {"name": "gru", "units": 3, "return_sequences": true}}]},
               "build_config": {"input_shape": [null, null, 2]}},
              {"class_name": "Dense", "config": {"name": "dense", "units": 1}}]},
             "build_config": {"input_shape": [null, null, 2]}}
            """;

        var model = Assert.IsType<Sequential>(Model.FromModelConfig(JsonNode.Parse(config)!.AsObject()));

        Assert.Equal([null, 2], model.InputShape!);
        Assert.Equal([null, 2], Assert.IsType<Sequential>(model.Layers[0]).InputShape!);
        Assert.Equal([1, 6, 1], model.Predict(Random(1, 1, 6, 2)).Shape.Dims.ToArray());
    }

    [Fact]
    public void A_non_positive_input_dimension_is_an_argument_error()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential([new Lstm(2)], inputShape: [null, 0]));

        Assert.Equal("inputShape", e.ParamName);
        Assert.Contains("(None, 0)", e.Message);
    }
}
