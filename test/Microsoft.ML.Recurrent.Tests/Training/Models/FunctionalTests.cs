using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Losses;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Recurrent.Training.Optimizers;
using AddLayer = Microsoft.ML.Recurrent.Layers.Core.Add;

namespace Microsoft.ML.Recurrent.Tests.Training.Models;

public class FunctionalTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mlr-functional-" + Guid.NewGuid().ToString("N"));

    public FunctionalTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Tensor Random(int seed, params int[] shape)
    {
        var random = new Random(seed);
        var data = new float[new Shape(shape).Size];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        return Tensor.FromArray(data, new Shape(shape));
    }

    /// <summary>
    /// Keras's seq2seq example in miniature: the encoder reads 4 steps of 2 features, its final states start the decoder,
    /// and the decoder must output, at each of its 3 steps, the mean of the encoder's first feature (which only the
    /// states carry: the decoder's own input is just the step number).
    /// </summary>
    private static (Tensor Encoder, Tensor Decoder, Tensor Target) Seq2SeqData(int samples)
    {
        var encoder = Random(7, samples, 4, 2);
        var e = encoder.ToFloatArray();
        var decoder = new float[samples * 3];
        var target = new float[samples * 3];
        for (int n = 0; n < samples; n++)
        {
            float mean = (e[(n * 4) * 2] + e[(n * 4 + 1) * 2] + e[(n * 4 + 2) * 2] + e[(n * 4 + 3) * 2]) / 4;
            for (int t = 0; t < 3; t++)
            {
                decoder[n * 3 + t] = t / 3f;
                target[n * 3 + t] = mean;
            }
        }
        return (encoder, Tensor.FromArray(decoder, new Shape(samples, 3, 1)), Tensor.FromArray(target, new Shape(samples, 3, 1)));
    }

    private static Functional Seq2Seq()
    {
        RandomSeeds.Set(11);
        var encoderInputs = Functional.Input([null, 2], name: "encoder_inputs");
        var encoder = new Lstm(8, returnState: true, name: "encoder").ApplyAll(encoderInputs);       // [outputs, h, c]
        var decoderInputs = Functional.Input([null, 1], name: "decoder_inputs");
        var decoded = new Lstm(8, returnSequences: true, name: "decoder").Apply(decoderInputs, initialState: [encoder[1], encoder[2]]);
        var outputs = new Dense(1, name: "readout").Apply(decoded);
        return new Functional([encoderInputs, decoderInputs], [outputs], name: "seq2seq");
    }

    [Fact]
    public void Seq2seq_encoder_states_start_the_decoder_and_the_model_trains_and_round_trips()
    {
        var (encoder, decoder, target) = Seq2SeqData(48);
        var model = Seq2Seq();
        Assert.Equal(2, model.InputCount);
        Assert.Equal(new int?[] { null, null, 1 }, model.Outputs[0].Shape);

        model.Compile(new Adam(learningRate: 0.03), new MeanSquaredError());
        var history = model.Fit([encoder, decoder], [target], batchSize: 16, epochs: 15, verbose: 0);
        Assert.True(history["loss"][^1] < 0.3 * history["loss"][0], "loss: " + string.Join(", ", history["loss"]));

        // The config names the encoder's state outputs (tensors 1 and 2 of its first node) as the decoder's initial_state.
        var config = model.ToModelConfig();
        Assert.Equal("Functional", config["class_name"]!.GetValue<string>());
        var decoderEntry = config["config"]!["layers"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "decoder")!;
        var states = decoderEntry["inbound_nodes"]![0]!["kwargs"]!["initial_state"]!.AsArray();
        Assert.Equal("""["encoder",0,1]""", states[0]!["config"]!["keras_history"]!.ToJsonString());
        Assert.Equal("""["encoder",0,2]""", states[1]!["config"]!["keras_history"]!.ToJsonString());
        Assert.Equal("""[["encoder_inputs",0,0],["decoder_inputs",0,0]]""", config["config"]!["input_layers"]!.ToJsonString());
        // Sequences of any length: the build shape keeps None for the time axis, as Keras writes it.
        var encoderEntry = config["config"]!["layers"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "encoder")!;
        Assert.Equal("[null,null,2]", encoderEntry["build_config"]!["input_shape"]!.ToJsonString());

        var expected = model.Predict([encoder, decoder])[0].ToFloatArray();
        var copy = Model.FromModelConfig((JsonObject)JsonNode.Parse(config.ToJsonString())!);
        copy.SetWeights(model.GetWeights());
        Assert.Equal(expected, copy.Predict([encoder, decoder])[0].ToFloatArray());

        string path = Path.Combine(_directory, "seq2seq.mlrmodel");
        model.Save(path);
        var loaded = Assert.IsType<Functional>(Model.Load(path));
        Assert.Equal(expected, loaded.Predict([encoder, decoder])[0].ToFloatArray());
        Assert.Equal(model.Optimizer!.Iterations, loaded.Optimizer!.Iterations);
    }

    [Fact]
    public void Per_output_losses_and_loss_weights_add_up_to_the_total_loss_as_Keras_computes_it()
    {
        RandomSeeds.Set(3);
        var input = Functional.Input([5, 2], name: "series");
        var features = new Lstm(4, name: "features").Apply(input);
        var level = new Dense(1, name: "level").Apply(features);
        var spread = new Dense(2, name: "spread").Apply(features);
        var model = new Functional([input], [level, spread]);
        Assert.Equal(["level", "spread"], model.OutputNames);
        model.Compile(new Sgd(learningRate: 0.01), [new MeanSquaredError(), new MeanAbsoluteError()], lossWeights: [0.3, 2.0]);

        var x = Random(1, 16, 5, 2);
        var yLevel = Random(2, 16, 1);
        var ySpread = Random(3, 16, 2);
        var weights = new double[16];
        for (int i = 0; i < 16; i++) weights[i] = (i % 4) * 0.5;
        var logs = model.Evaluate([x], [yLevel, ySpread], batchSize: 16, sampleWeight: [Tensor.FromArray(weights, new Shape(16))]);

        // By hand: sum_over_batch_size divides the weighted per-sample losses by the batch size.
        var predictions = model.Predict([x]);
        var pLevel = predictions[0].ToFloatArray();
        var pSpread = predictions[1].ToFloatArray();
        var tLevel = yLevel.ToFloatArray();
        var tSpread = ySpread.ToFloatArray();
        double mse = 0, mae = 0;
        for (int i = 0; i < 16; i++)
        {
            mse += weights[i] * Math.Pow((double)pLevel[i] - tLevel[i], 2) / 16;
            mae += weights[i] * (Math.Abs((double)pSpread[2 * i] - tSpread[2 * i]) + Math.Abs((double)pSpread[2 * i + 1] - tSpread[2 * i + 1])) / 2 / 16;
        }
        Assert.Equal(0.3 * mse + 2.0 * mae, logs["loss"], 5);
        Assert.Equal(0.3 * mse, logs["level_loss"], 5);
        Assert.Equal(2.0 * mae, logs["spread_loss"], 5);

        // One loss for a model with several outputs applies to each of them, unweighted.
        model.Compile(new Sgd(learningRate: 0.01), new MeanSquaredError());
        double mseLevel = 0, mseSpread = 0;
        for (int i = 0; i < 16; i++)
        {
            mseLevel += Math.Pow((double)pLevel[i] - tLevel[i], 2) / 16;
            mseSpread += (Math.Pow((double)pSpread[2 * i] - tSpread[2 * i], 2) + Math.Pow((double)pSpread[2 * i + 1] - tSpread[2 * i + 1], 2)) / 2 / 16;
        }
        Assert.Equal(mseLevel + mseSpread, model.Evaluate([x], [yLevel, ySpread], batchSize: 16)["loss"], 5);
    }

    [Fact]
    public void A_multi_output_model_fits_with_per_output_logs_and_weighted_validation_data()
    {
        RandomSeeds.Set(4);
        var input = Functional.Input([5, 2]);
        var features = new Lstm(4).Apply(input);
        var model = new Functional([input], [new Dense(1, name: "first").Apply(features), new Dense(1, name: "second").Apply(features)]);
        model.Compile(new Adam(learningRate: 0.05), [new MeanSquaredError(), new MeanSquaredError()], lossWeights: [1.0, 0.5],
            metrics: [[new Microsoft.ML.Recurrent.Training.Metrics.MeanAbsoluteError("mae")], null]);
        var x = Random(5, 32, 5, 2);
        var y1 = Random(6, 32, 1);
        var y2 = Random(7, 32, 1);
        var validation = new ValidationData([x], [y1, y2], [Tensor.FromArray(Enumerable.Repeat(2.0f, 32).ToArray(), new Shape(32))]);
        var history = model.Fit([x], [y1, y2], batchSize: 8, epochs: 4, verbose: 0, validationData: validation);
        foreach (var key in new[] { "loss", "first_loss", "second_loss", "first_mae", "val_loss", "val_first_loss", "val_second_loss", "val_first_mae" })
            Assert.True(history.Values.ContainsKey(key), key + " missing; logs: " + string.Join(", ", history.Values.Keys));
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        // Validation weights of 2 double the validation loss (sum_over_batch_size).
        var unweighted = model.Evaluate([x], [y1, y2], batchSize: 8);
        Assert.Equal(2 * unweighted["loss"], history["val_loss"][^1], 4);

        // Save/Load keeps the per-output losses, loss weights and metrics.
        string path = Path.Combine(_directory, "two-outputs.mlrmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal([1.0, 0.5], loaded.LossWeights!);
        Assert.Equal(unweighted, loaded.Evaluate([x], [y1, y2], batchSize: 8));
    }

    [Fact]
    public void A_compile_config_may_key_losses_and_loss_weights_by_output_name()
    {
        RandomSeeds.Set(9);
        var input = Functional.Input([5, 2]);
        var features = new Lstm(2).Apply(input);
        var model = new Functional([input], [new Dense(1, name: "price").Apply(features), new Dense(1, name: "volume").Apply(features)]);
        var config = model.ToModelConfig();
        // As Keras 3 writes compile(loss={"price": "mse", "volume": "mae"}, loss_weights={"price": 1.0, "volume": 0.2}).
        config["compile_config"] = JsonNode.Parse("""
            {"optimizer": "adam", "loss": {"volume": "mean_absolute_error", "price": "mean_squared_error"},
             "loss_weights": {"price": 1.0, "volume": 0.2}, "metrics": null}
            """);
        var loaded = Model.FromModelConfig(config);
        Assert.IsType<MeanSquaredError>(loaded.OutputLosses[0]);
        Assert.IsType<MeanAbsoluteError>(loaded.OutputLosses[1]);
        Assert.Equal([1.0, 0.2], loaded.LossWeights!);
    }

    [Fact]
    public void A_shared_layer_is_one_set_of_weights_counted_once_and_keeps_its_two_calls_through_config()
    {
        RandomSeeds.Set(5);
        var left = Functional.Input([5, 2], name: "left");
        var right = Functional.Input([5, 2], name: "right");
        var shared = new Lstm(3, name: "shared_lstm");
        var both = new Concatenate(name: "both").Apply([shared.Apply(left), shared.Apply(right)]);
        var score = new Dense(1, name: "score").Apply(both);
        var model = new Functional([left, right], [score], name: "siamese");

        // LSTM(3) on 2 features: 4·3·(2 + 3 + 1) = 72; Dense on 6 features: 6 + 1 = 7.
        Assert.Equal(79, model.CountParams());
        Assert.Equal(5, model.Weights.Count);
        Assert.Equal(["left", "right", "shared_lstm", "both", "score"], model.Layers.Select(l => l.Name));

        string summary = model.Summary();
        Assert.Contains("Connected to", summary);
        Assert.Contains("left[0][0]", summary);
        Assert.Contains("right[0][0]", summary);
        Assert.Contains("shared_lstm[1][0]", summary);
        Assert.Contains("Total params: 79", summary);

        var config = model.ToModelConfig();
        var sharedEntry = config["config"]!["layers"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "shared_lstm")!;
        Assert.Equal(2, sharedEntry["inbound_nodes"]!.AsArray().Count);
        var bothEntry = config["config"]!["layers"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "both")!;
        Assert.Equal("[[null,3],[null,3]]", bothEntry["build_config"]!["input_shape"]!.ToJsonString());

        var a = Random(8, 4, 5, 2);
        var b = Random(9, 4, 5, 2);
        var copy = Model.FromModelConfig((JsonObject)JsonNode.Parse(config.ToJsonString())!);
        Assert.Equal(79, copy.CountParams());
        copy.SetWeights(model.GetWeights());
        Assert.Equal(model.Predict([a, b])[0].ToFloatArray(), copy.Predict([a, b])[0].ToFloatArray());
        // Swapping the inputs swaps the halves the Dense layer sees, so the two calls really are separate nodes.
        Assert.NotEqual(copy.Predict([a, b])[0].ToFloatArray(), copy.Predict([b, a])[0].ToFloatArray());
    }

    // A config as Keras 3 writes it for: inputs = keras.Input((5, 2)); x = LSTM(3)(inputs); outputs = Dense(1)(x)
    private const string Keras3Config = """
        {"module": "keras", "class_name": "Functional", "config": {"name": "functional", "trainable": true, "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 5, 2], "dtype": "float32", "sparse": false, "name": "input_layer"},
           "registered_name": null, "name": "input_layer", "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "LSTM", "config": {"name": "lstm", "trainable": true,
             "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
             "return_sequences": false, "return_state": false, "go_backwards": false, "stateful": false, "unroll": false,
             "zero_output_for_mask": false, "units": 3, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true,
             "unit_forget_bias": true, "dropout": 0.0, "recurrent_dropout": 0.0, "seed": null},
           "registered_name": null, "build_config": {"input_shape": [null, 5, 2]}, "name": "lstm",
           "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 5, 2], "dtype": "float32", "keras_history": ["input_layer", 0, 0]}}],
                              "kwargs": {"training": false, "mask": null}}]},
          {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true,
             "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
             "units": 1, "activation": "linear", "use_bias": true},
           "registered_name": null, "build_config": {"input_shape": [null, 3]}, "name": "dense",
           "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 3], "dtype": "float32", "keras_history": ["lstm", 0, 0]}}], "kwargs": {}}]}],
          "input_layers": [["input_layer", 0, 0]], "output_layers": [["dense", 0, 0]]},
         "registered_name": "Functional", "build_config": {"input_shape": null}}
        """;

    // The same model as Keras 2 (tf.keras) writes it: batch_input_shape and [[[layer, node, tensor, kwargs]]] nodes.
    private const string Keras2Config = """
        {"class_name": "Functional", "config": {"name": "model", "layers": [
          {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 5, 2], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_1"},
           "name": "input_1", "inbound_nodes": []},
          {"class_name": "LSTM", "config": {"name": "lstm", "trainable": true, "dtype": "float32", "return_sequences": false, "return_state": false,
             "go_backwards": false, "stateful": false, "unroll": false, "time_major": false, "units": 3, "activation": "tanh",
             "recurrent_activation": "sigmoid", "use_bias": true, "unit_forget_bias": true, "dropout": 0.0, "recurrent_dropout": 0.0, "implementation": 2},
           "name": "lstm", "inbound_nodes": [[["input_1", 0, 0, {}]]]},
          {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 1, "activation": "linear", "use_bias": true},
           "name": "dense", "inbound_nodes": [[["lstm", 0, 0, {}]]]}],
          "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}, "keras_version": "2.13.1", "backend": "tensorflow"}
        """;

    [Theory]
    [InlineData(Keras3Config)]
    [InlineData(Keras2Config)]
    public void A_Keras_functional_config_loads_and_predicts_like_the_equivalent_Sequential(string json)
    {
        var model = Assert.IsType<Functional>(Model.FromModelConfig((JsonObject)JsonNode.Parse(json)!));
        Assert.Equal(["InputLayer", "LSTM", "Dense"], model.Layers.Select(l => l.ClassName));

        RandomSeeds.Set(6);
        var sequential = new Sequential([new Lstm(3), new Dense(1)], inputShape: [5, 2]);
        model.SetWeights(sequential.GetWeights());
        var x = Random(10, 6, 5, 2);
        Assert.Equal(sequential.Predict(x).ToFloatArray(), model.Predict(x).ToFloatArray());
    }

    [Fact]
    public void Input_and_output_layers_may_be_a_single_flat_reference()
    {
        var config = (JsonObject)JsonNode.Parse(Keras3Config)!;
        config["config"]!["input_layers"] = JsonNode.Parse("""["input_layer", 0, 0]""");
        config["config"]!["output_layers"] = JsonNode.Parse("""["dense", 0, 0]""");
        var model = Assert.IsType<Functional>(Model.FromModelConfig(config));
        Assert.Equal(1, model.InputCount);
        Assert.Equal(1, model.OutputCount);
        Assert.Equal(new Shape(3, 1), model.Predict(Random(1, 3, 5, 2)).Shape);
    }

    [Fact]
    public void A_Keras_2_seq2seq_config_passes_extra_inbound_tensors_as_initial_state()
    {
        // tf.keras writes decoder_lstm(decoder_inputs, initial_state=[state_h, state_c]) as three inbound tensors.
        const string json = """
            {"class_name": "Functional", "config": {"name": "model", "layers": [
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, null, 2], "dtype": "float32", "name": "input_1"}, "name": "input_1", "inbound_nodes": []},
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, null, 1], "dtype": "float32", "name": "input_2"}, "name": "input_2", "inbound_nodes": []},
              {"class_name": "LSTM", "config": {"name": "encoder", "units": 8, "return_state": true}, "name": "encoder", "inbound_nodes": [[["input_1", 0, 0, {}]]]},
              {"class_name": "LSTM", "config": {"name": "decoder", "units": 8, "return_sequences": true}, "name": "decoder",
               "inbound_nodes": [[["input_2", 0, 0, {}], ["encoder", 0, 1, {}], ["encoder", 0, 2, {}]]]},
              {"class_name": "Dense", "config": {"name": "readout", "units": 1}, "name": "readout", "inbound_nodes": [[["decoder", 0, 0, {}]]]}],
              "input_layers": [["input_1", 0, 0], ["input_2", 0, 0]], "output_layers": [["readout", 0, 0]]}}
            """;
        var loaded = Model.FromModelConfig((JsonObject)JsonNode.Parse(json)!);
        var reference = Seq2Seq();
        loaded.SetWeights(reference.GetWeights());
        var (encoder, decoder, _) = Seq2SeqData(5);
        Assert.Equal(reference.Predict([encoder, decoder])[0].ToFloatArray(), loaded.Predict([encoder, decoder])[0].ToFloatArray());
        // The decoder's own input is unchanged; only the encoder's states can carry other encoder data to the output.
        Assert.NotEqual(loaded.Predict([encoder, decoder])[0].ToFloatArray(), loaded.Predict([Random(99, 5, 4, 2), decoder])[0].ToFloatArray());
    }

    [Fact]
    public void Masks_flow_along_the_graph_as_in_the_equivalent_Sequential()
    {
        RandomSeeds.Set(8);
        var sequential = new Sequential([new Masking(maskValue: 0.0), new Lstm(3), new Dense(1)], inputShape: [4, 2]);
        var input = Functional.Input([4, 2]);
        var model = new Functional(input, new Dense(1).Apply(new Lstm(3).Apply(new Masking(maskValue: 0.0).Apply(input))));
        model.SetWeights(sequential.GetWeights());
        // The second sample's last two steps are padding: masked, they must not change its output.
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 0, 0, 0, 0 }, new Shape(2, 4, 2));
        var y = model.Predict(x).ToFloatArray();
        Assert.Equal(sequential.Predict(x).ToFloatArray(), y);
        var shorter = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, new Shape(1, 2, 2));
        Assert.Equal(sequential.Predict(shorter).ToFloatArray()[0], y[1], 6);
    }

    [Fact]
    public void A_Sequential_nested_inside_a_model_deserializes()
    {
        RandomSeeds.Set(7);
        var inner = new Sequential([new Lstm(4, returnSequences: true), new Dense(2)], inputShape: [5, 2], name: "inner");
        var input = Functional.Input([5, 2], name: "sequence");
        var residual = new AddLayer(name: "residual").Apply([inner.Apply(input), new Dense(2, name: "skip").Apply(input)]);
        var model = new Functional(input, new Lstm(3, name: "head").Apply(residual));
        var copy = Model.FromModelConfig((JsonObject)JsonNode.Parse(model.ToModelConfig().ToJsonString())!);
        Assert.IsType<Sequential>(copy.Layers.Single(l => l.Name == "inner"));
        copy.SetWeights(model.GetWeights());
        var x = Random(11, 3, 5, 2);
        Assert.Equal(model.Predict(x).ToFloatArray(), copy.Predict(x).ToFloatArray());

        // A Sequential inside a Sequential, too.
        var outer = new Sequential([new Sequential([new Dense(3)], inputShape: [4], name: "block"), new Dense(1)], inputShape: [4]);
        var outerCopy = Model.FromModelConfig((JsonObject)JsonNode.Parse(outer.ToModelConfig().ToJsonString())!);
        outerCopy.SetWeights(outer.GetWeights());
        var z = Random(12, 2, 4);
        Assert.Equal(outer.Predict(z).ToFloatArray(), outerCopy.Predict(z).ToFloatArray());
    }

    [Fact]
    public void Bad_graphs_and_bad_data_throw_clear_errors()
    {
        var a = Functional.Input([5, 2], name: "a_in");
        var b = Functional.Input([5, 2], name: "b_in");
        var fromB = new Dense(1).Apply(new Lstm(2).Apply(b));
        var disconnected = Assert.Throws<ArgumentException>(() => new Functional(a, fromB));
        Assert.Contains("Graph disconnected", disconnected.Message);
        Assert.Contains("b_in", disconnected.Message);

        var merged = new Concatenate().Apply([new Lstm(2).Apply(a), new Lstm(2).Apply(b)]);
        var model = new Functional([a, b], [merged]);
        var count = Assert.Throws<ArgumentException>(() => model.Predict([Random(1, 3, 5, 2)]));
        Assert.Contains("expects 2 inputs", count.Message);
        var shape = Assert.Throws<ArgumentException>(() => model.Predict([Random(1, 3, 5, 2), Random(2, 3, 5, 3)]));
        Assert.Contains("Input 1 ('b_in')", shape.Message);
        Assert.Contains("(None, 5, 2)", shape.Message);
        Assert.Throws<InvalidOperationException>(() => new Functional([a], [new Dense(1).Apply(new Lstm(2).Apply(a)), new Dense(1).Apply(new Lstm(2).Apply(a))]).Predict(Random(1, 3, 5, 2)));

        var add = Assert.Throws<ArgumentException>(() => new AddLayer().Apply([new Lstm(3).Apply(a), new Lstm(4).Apply(b)]));
        Assert.Contains("same shape", add.Message);
        var dense = new Dense(2, name: "picky");
        dense.Apply(Functional.Input([3]));
        var mismatch = Assert.Throws<ArgumentException>(() => dense.Apply(Functional.Input([4])));
        Assert.Contains("picky", mismatch.Message);
        Assert.Contains("(None, 4)", mismatch.Message);

        var missing = Keras3Config.Replace("[\"lstm\", 0, 0]", "[\"lstm_typo\", 0, 0]", StringComparison.Ordinal);
        var format = Assert.Throws<FormatException>(() => Model.FromModelConfig((JsonObject)JsonNode.Parse(missing)!));
        Assert.Contains("lstm_typo", format.Message);
    }
}
