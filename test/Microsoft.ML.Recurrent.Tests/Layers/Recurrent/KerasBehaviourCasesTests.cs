using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Tests.Layers;

namespace Microsoft.ML.Recurrent.Tests.Layers.Recurrent;

/// <summary>The non-numeric checks of ../shared/testdata/keras-behaviour-cases.md that apply to a C# port.</summary>
public class KerasBehaviourCasesTests
{
    static KerasBehaviourCasesTests()
    {
        OneStateRnnCell.Register();
        TwoStatesRnnCell.Register();
    }

    private static Tensor Random(params int[] shape) => new RandomGenerator(3).Uniform(new Shape(shape), -1, 1);

    /// <summary>Builds, calls on a random input and checks the output shape and weight counts (Keras's run_layer_test core).</summary>
    private static void RunLayerTest(Layer layer, int[] inputShape, int[] expectedOutput, int trainable, int nonTrainable = 0,
        bool training = false, int? losses = null)
    {
        var output = layer.Apply(Random(inputShape), new CallArguments { Training = training })[0];
        Assert.Equal(new Shape(expectedOutput), output.Shape);
        Assert.True(layer.Built);
        Assert.Equal(trainable, layer.TrainableWeights.Count);
        Assert.Equal(nonTrainable, layer.NonTrainableWeights.Count);
        if (losses is { } l) Assert.Equal(l, layer.Losses.Count);
        AssertConfigRoundTrip(layer);
    }

    private static void AssertConfigRoundTrip(Layer layer)
    {
        var config = layer.ToConfig();
        config.Remove("build_config");
        var revived = KerasLayers.Deserialize(config);
        var again = revived.ToConfig();
        again.Remove("build_config");
        Assert.Equal(config.ToJsonString(), again.ToJsonString());
    }

    [Fact]
    public void Lstm_with_dropout_in_training_has_three_trainable_weights()
    {
        RunLayerTest(new Lstm(3, dropout: 0.5), [3, 2, 4], [3, 3], trainable: 3, training: true);
        RunLayerTest(new Lstm(3, dropout: 0.5, recurrentDropout: 0.5), [3, 2, 4], [3, 3], trainable: 3, training: true);
    }

    [Fact]
    public void Regularized_lstm_gru_and_simple_rnn_report_three_losses()
    {
        foreach (var layer in new Rnn[]
        {
            new Lstm(3, returnSequences: true, biasRegularizer: new L1(), kernelRegularizer: new L2(), recurrentRegularizer: new L2()),
            new Gru(3, returnSequences: true, biasRegularizer: new L1(), kernelRegularizer: new L2(), recurrentRegularizer: new L2()),
            new SimpleRnn(3, returnSequences: true, biasRegularizer: new L1(), kernelRegularizer: new L2(), recurrentRegularizer: new L2()),
        })
        {
            RunLayerTest(layer, [3, 2, 4], [3, 2, 3], trainable: 3, losses: 3);
        }
    }

    [Fact]
    public void Weight_shapes_follow_the_gate_count()
    {
        var lstm = new Lstm(3);
        lstm.Build(new Shape(3, 2, 4));
        Assert.Equal(new[] { new Shape(4, 12), new Shape(3, 12), new Shape(12) }, lstm.Weights.Select(w => w.Shape));
        Assert.Equal(new[] { "kernel", "recurrent_kernel", "bias" }, lstm.Weights.Select(w => w.Name));

        var gru = new Gru(3);
        gru.Build(new Shape(3, 2, 4));
        Assert.Equal(new[] { new Shape(4, 9), new Shape(3, 9), new Shape(2, 9) }, gru.Weights.Select(w => w.Shape));
        var gruV1 = new Gru(3, resetAfter: false);
        gruV1.Build(new Shape(3, 2, 4));
        Assert.Equal(new Shape(9), gruV1.Weights[2].Shape);
        Assert.Equal(4 * 12 + 3 * 12 + 12, lstm.CountParams());
    }

    [Fact]
    public void Gru_return_state_gives_output_and_a_state_equal_to_it()
    {
        var gru = new Gru(4, returnState: true);
        var outputs = gru.Apply(Random(2, 3, 5), new CallArguments { InitialState = [Random(2, 4)] });
        Assert.Equal(2, outputs.Length);
        Assert.Equal(outputs[0].ToArray<float>(), outputs[1].ToArray<float>());
    }

    [Fact]
    public void Legacy_implementation_key_loads_and_gives_the_same_numbers()
    {
        var gru = new Gru(3, kernelInitializer: new Microsoft.ML.Recurrent.Initializers.Constant(0.01), recurrentInitializer: new Microsoft.ML.Recurrent.Initializers.Constant(0.02));
        var config = gru.ToConfig();
        Assert.Null(config["config"]!["implementation"]);
        config["config"]!["implementation"] = 0;
        var legacy = KerasLayers.Deserialize(config);
        var x = Random(2, 3, 4);
        Assert.Equal(gru.Apply(x).ToArray<float>(), legacy.Apply(x).ToArray<float>());
    }

    [Fact]
    public void Simple_rnn_with_dropout_in_training_has_three_trainable_weights()
    {
        RunLayerTest(new SimpleRnn(3, dropout: 0.5, recurrentDropout: 0.5), [3, 2, 4], [3, 3], trainable: 3, training: true);
    }

    [Theory]
    [InlineData(1, new[] { 3, 2, 4, 3 }, "same", false, new[] { 3, 4, 5 })]
    [InlineData(1, new[] { 3, 2, 8, 3 }, "valid", false, new[] { 3, 6, 5 })]
    [InlineData(1, new[] { 3, 2, 8, 3 }, "valid", true, new[] { 3, 2, 6, 5 })]
    [InlineData(2, new[] { 3, 2, 4, 4, 3 }, "same", false, new[] { 3, 4, 4, 5 })]
    [InlineData(2, new[] { 3, 2, 8, 8, 3 }, "valid", true, new[] { 3, 2, 6, 6, 5 })]
    [InlineData(3, new[] { 3, 2, 4, 4, 4, 3 }, "same", false, new[] { 3, 4, 4, 4, 5 })]
    public void ConvLstm_output_shapes(int rank, int[] input, string padding, bool returnSequences, int[] expected)
    {
        ConvLstm layer = rank switch
        {
            1 => new ConvLstm1D(5, [3], padding: padding, returnSequences: returnSequences),
            2 => new ConvLstm2D(5, [3], padding: padding, returnSequences: returnSequences),
            _ => new ConvLstm3D(5, [3], padding: padding, returnSequences: returnSequences),
        };
        RunLayerTest(layer, input, expected, trainable: 3);
    }

    [Fact]
    public void ConvLstm2D_channels_first_and_recurrent_dropout()
    {
        RunLayerTest(new ConvLstm2D(5, [3], padding: "same", dataFormat: "channels_first"), [3, 2, 3, 4, 4], [3, 5, 4, 4], trainable: 3);
        RunLayerTest(new ConvLstm2D(5, [3], recurrentDropout: 0.5), [3, 2, 8, 8, 3], [3, 6, 6, 5], trainable: 3, training: true);
    }

    [Fact]
    public void ConvLstm_rejects_strides_with_dilation_at_construction()
    {
        var error = Assert.Throws<ArgumentException>(() => new ConvLstm2D(1, [1], strides: [2], padding: "same", dilationRate: [3], returnSequences: true));
        Assert.Contains("strides > 1", error.Message);
        Assert.Contains("dilation_rate > 1", error.Message);
        Assert.Throws<ArgumentException>(() => new ConvLstm3D(1, [1], strides: [2], padding: "same", dilationRate: [1, 2, 2]));
    }

    [Fact]
    public void Generic_rnn_basics_with_test_cells()
    {
        RunLayerTest(new Rnn(new OneStateRnnCell(5)), [3, 2, 4], [3, 5], trainable: 2);
        RunLayerTest(new Rnn(new OneStateRnnCell(5), returnSequences: true), [3, 2, 4], [3, 2, 5], trainable: 2);
        RunLayerTest(new Rnn(new OneStateRnnCell(5), goBackwards: true, unroll: true), [3, 2, 4], [3, 5], trainable: 2);
        RunLayerTest(new Rnn(new TwoStatesRnnCell(5)), [3, 2, 4], [3, 5], trainable: 3);
        RunLayerTest(new Rnn(new TwoStatesRnnCell(5), returnSequences: true), [3, 2, 4], [3, 2, 5], trainable: 3);
    }

    [Fact]
    public void Return_state_appends_every_state()
    {
        var outputs = new Rnn(new TwoStatesRnnCell(8), returnSequences: true, returnState: true).Apply(Random(3, 4, 5), new CallArguments());
        Assert.Equal([new Shape(3, 4, 8), new Shape(3, 8), new Shape(3, 8)], outputs.Select(o => o.Shape));
    }

    [Fact]
    public void Generic_rnn_config_nests_the_cell()
    {
        var rnn = new Rnn(new TwoStatesRnnCell(2));
        var config = rnn.ToConfig();
        Assert.Equal("TwoStatesRNNCell", config["config"]!["cell"]!["class_name"]!.GetValue<string>());
        AssertConfigRoundTrip(rnn);
    }

    [Fact]
    public void Stateful_layer_rejects_another_batch_size()
    {
        var rnn = new Rnn(new TwoStatesRnnCell(2), stateful: true);
        rnn.Apply(Random(4, 5, 3));
        var error = Assert.Throws<ArgumentException>(() => rnn.Apply(Random(1, 5, 3)));
        Assert.Contains("batch size", error.Message);
    }

    [Fact]
    public void Non_stateful_layer_called_twice_gives_the_same_output()
    {
        var rnn = new Lstm(3, goBackwards: true);
        var x = Random(2, 4, 3);
        Assert.Equal(rnn.Apply(x).ToArray<float>(), rnn.Apply(x).ToArray<float>());
    }

    [Fact]
    public void Bidirectional_doubles_the_weights_and_concatenates()
    {
        RunLayerTest(new Bidirectional(new SimpleRnn(4)), [3, 2, 4], [3, 8], trainable: 6);
        RunLayerTest(new Bidirectional(new SimpleRnn(4), "sum", new SimpleRnn(4, goBackwards: true)), [3, 2, 4], [3, 4], trainable: 6);
    }

    [Theory]
    [InlineData("concat", new[] { 4, 2, 2, 2, 2 })]
    [InlineData("ave", new[] { 2, 2, 2, 2, 2 })]
    [InlineData("mul", new[] { 2, 2, 2, 2, 2 })]
    [InlineData("sum", new[] { 2, 2, 2, 2, 2 })]
    [InlineData(null, new[] { 2, 2, 2, 2, 2, 2 })]
    public void Bidirectional_lstm_return_state_shapes(string? mergeMode, int[] widths)
    {
        // Integer input is accepted, as in the Keras test.
        var x = Tensor.FromArray([101, 202, 303, 404], new Shape(1, 2, 2));
        var outputs = new Bidirectional(new Lstm(2, returnState: true), mergeMode).Apply(x, new CallArguments());
        Assert.Equal(widths.Select(w => new Shape(1, w)), outputs.Select(o => o.Shape));
    }

    [Fact]
    public void Bidirectional_copies_the_wrapped_layer_with_fresh_weights_and_validates_arguments()
    {
        var inner = new Lstm(2, useCudnn: "false");
        var bi = new Bidirectional(inner);
        bi.Build(new Shape(1, 3, 2));
        Assert.False(inner.Built);
        Assert.Equal("forward_" + inner.Name, bi.Forward.Name);
        Assert.True(bi.Backward.GoBackwards);
        Assert.Equal("false", ((Lstm)bi.Forward).UseCudnn);
        Assert.Equal("false", ((Lstm)bi.Backward).UseCudnn);
        Assert.Contains("Invalid merge mode", Assert.Throws<ArgumentException>(() => new Bidirectional(new Lstm(2), "max")).Message);
        Assert.Contains("go_backwards", Assert.Throws<ArgumentException>(() => new Bidirectional(new Lstm(2), backwardLayer: new Lstm(2))).Message);
        Assert.Contains("stateful", Assert.Throws<InvalidOperationException>(() => new Bidirectional(new Lstm(2)).ResetStates()).Message);
    }

    [Fact]
    public void Stacked_cells_sum_their_weights_and_return_the_last_output()
    {
        RunLayerTest(new Rnn(new StackedRnnCells([new OneStateRnnCell(3), new OneStateRnnCell(4), new OneStateRnnCell(5)])), [2, 3, 4], [2, 5], trainable: 6);
        RunLayerTest(new Rnn(new StackedRnnCells([new TwoStatesRnnCell(3), new TwoStatesRnnCell(4), new TwoStatesRnnCell(5)]), returnSequences: true), [2, 3, 4], [2, 3, 5], trainable: 9);
        foreach (var cells in new RecurrentCell[][]
        {
            [new SimpleRnnCell(3, dropout: 0.1, recurrentDropout: 0.1), new SimpleRnnCell(4, dropout: 0.1, recurrentDropout: 0.1), new SimpleRnnCell(5, dropout: 0.1, recurrentDropout: 0.1)],
            [new GruCell(3, dropout: 0.1, recurrentDropout: 0.1), new GruCell(4, dropout: 0.1, recurrentDropout: 0.1), new GruCell(5, dropout: 0.1, recurrentDropout: 0.1)],
            [new LstmCell(3, dropout: 0.1, recurrentDropout: 0.1), new LstmCell(4, dropout: 0.1, recurrentDropout: 0.1), new LstmCell(5, dropout: 0.1, recurrentDropout: 0.1)],
        })
        {
            RunLayerTest(new Rnn(new StackedRnnCells(cells), returnSequences: true), [2, 3, 4], [2, 3, 5], trainable: 9, training: true);
        }
    }

    [Fact]
    public void Stacked_lstm_cells_return_both_states_of_each_cell()
    {
        var outputs = new Rnn(new StackedRnnCells([new LstmCell(10), new LstmCell(10)]), returnState: true).Apply(Tensor.Zeros(new Shape(2, 3, 5)), new CallArguments());
        Assert.Equal(5, outputs.Length);
        Assert.All(outputs, o => Assert.Equal(new Shape(2, 10), o.Shape));
    }

    [Fact]
    public void Time_distributed_dense_and_its_mask_checks()
    {
        RunLayerTest(new TimeDistributed(new Dense(1, useBias: false)), [3, 2, 4], [3, 2, 1], trainable: 1);
        var layer = new TimeDistributed(new Dense(5, Microsoft.ML.Recurrent.Activations.Activation.Softmax));
        var x = Tensor.Zeros(new Shape(4, 5, 3));
        foreach (var ok in new[] { new[] { 4, 5 }, [4, 5, 1], [4, 5, 2] })
            Assert.Equal(new Shape(4, 5, 5), layer.Apply(x, mask: Tensor.Ones(new Shape(ok))).Shape);
        foreach (var bad in new[] { new[] { 4, 6 }, [5, 5], [4, 6, 2], [5, 6] })
            Assert.Throws<ArgumentException>(() => layer.Apply(x, mask: Tensor.Ones(new Shape(bad))));
        Assert.Contains("at least 3 dimensions", Assert.Throws<ArgumentException>(() => new TimeDistributed(new Dense(2)).Apply(Tensor.Zeros(new Shape(2, 3)))).Message);
    }

    [Fact]
    public void Units_must_be_positive_and_use_cudnn_must_be_known()
    {
        Assert.Contains("expected a positive integer, got 0", Assert.Throws<ArgumentException>(() => new LstmCell(0)).Message);
        Assert.Contains("expected a positive integer, got -1", Assert.Throws<ArgumentException>(() => new GruCell(-1)).Message);
        Assert.Throws<ArgumentException>(() => new SimpleRnnCell(0));
        Assert.Contains("use_cudnn", Assert.Throws<ArgumentException>(() => new Lstm(2, useCudnn: "sometimes")).Message);
    }

    [Fact]
    public void Dropout_rates_are_clamped_and_recurrent_dropout_forces_implementation_1()
    {
        var cell = new LstmCell(2, dropout: 1.5, recurrentDropout: -1);
        Assert.Equal(1.0, cell.Dropout);
        Assert.Equal(0.0, cell.RecurrentDropout);
        Assert.Equal(1, new GruCell(2, recurrentDropout: 0.2).Implementation);
        Assert.Equal(2, new GruCell(2).Implementation);
    }

    [Fact]
    public void Initial_state_with_the_wrong_count_or_shape_is_rejected()
    {
        var lstm = new Lstm(3);
        var x = Random(2, 4, 5);
        var error = Assert.Throws<ArgumentException>(() => lstm.Apply(x, new CallArguments { InitialState = [Random(2, 3)] }));
        Assert.Contains("expects 2", error.Message);
        Assert.Throws<ArgumentException>(() => lstm.Apply(x, new CallArguments { InitialState = [Random(2, 3), Random(2, 4)] }));
    }

    [Fact]
    public void Rnn_input_rank_is_checked_with_the_layer_name()
    {
        var lstm = new Lstm(3, name: "encoder");
        var error = Assert.Throws<ArgumentException>(() => lstm.Apply(Random(2, 5)));
        Assert.Contains("encoder", error.Message);
        Assert.Contains("expected ndim=3, found ndim=2", error.Message);
    }

    [Fact]
    public void Set_weights_requires_exact_shapes()
    {
        var gru = new Gru(3);
        gru.Build(new Shape(1, 2, 4));
        var error = Assert.Throws<ArgumentException>(() => gru.SetWeights([Tensor.Zeros(new Shape(4, 9)), Tensor.Zeros(new Shape(3, 9)), Tensor.Zeros(new Shape(9))]));
        Assert.Contains("(2, 9)", error.Message);
        Assert.Throws<ArgumentException>(() => gru.SetWeights([Tensor.Zeros(new Shape(4, 9))]));
    }

    [Fact]
    public void Unknown_config_keys_are_rejected_by_name()
    {
        var config = JsonNode.Parse("""{"class_name": "LSTM", "config": {"units": 2, "foo": 1}}""")!;
        var error = Assert.ThrowsAny<Exception>(() => KerasLayers.Deserialize(config));
        Assert.Contains("foo", error.Message);
    }

    [Fact]
    public void Frozen_layers_report_no_trainable_weights_and_no_regularization_loss()
    {
        var lstm = new Lstm(2, kernelRegularizer: new L2());
        lstm.Build(new Shape(1, 3, 2));
        lstm.Trainable = false;
        Assert.Empty(lstm.TrainableWeights);
        Assert.Equal(3, lstm.NonTrainableWeights.Count);
        Assert.Empty(lstm.Losses);
        lstm.Trainable = true;
        Assert.Equal(3, lstm.TrainableWeights.Count);
        Assert.Single(lstm.Losses);
    }

    [Fact]
    public void Activity_regularizer_applies_to_outputs_and_returned_states_divided_by_batch()
    {
        var lstm = new Lstm(2, returnState: true, activityRegularizer: new L1(1.0));
        var outputs = lstm.Apply(Random(4, 3, 2), new CallArguments());
        Assert.Equal(3, lstm.Losses.Count);
        double expected = outputs.Sum(o => o.ToDoubleArray().Sum(Math.Abs) / 4);
        Assert.Equal(expected, lstm.Losses.Sum(l => l.Item()), 5);
    }
}
