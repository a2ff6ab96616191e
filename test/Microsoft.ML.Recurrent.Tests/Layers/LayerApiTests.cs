using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Initializers;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Layers;

/// <summary>The Layer API a user writes against, as the Keras Layer page describes it.</summary>
public class LayerApiTests
{
    /// <summary>A user layer: y = x·w + b, with a non-trainable call counter and an activity-style loss.</summary>
    private sealed class ScaledLinear(int units) : Layer
    {
        public Variable W { get; private set; } = null!;
        public Variable B { get; private set; } = null!;
        public Variable Calls { get; private set; } = null!;

        public override void Build(Shape inputShape)
        {
            Calls = AddWeight("calls", new Shape(1), new Zeros(), trainable: false);
            W = AddWeight("w", new Shape(inputShape[^1], units), new Constant(0.5), new L2(0.1), new NonNeg());
            B = AddWeight("b", new Shape(units), new Ones());
            base.Build(inputShape);
        }

        protected override Tensor[] Call(Tensor inputs, CallArguments arguments)
        {
            var y = Ops.MatMul(inputs, W.Value) + B.Value;
            AddLoss(Ops.Mean(Ops.Square(y)));
            return [y];
        }

        public override JsonObject GetConfig()
        {
            var config = base.GetConfig();
            config["units"] = units;
            return config;
        }
    }

    [Fact]
    public void Weights_are_ordered_trainable_first_and_counted()
    {
        var layer = new ScaledLinear(3);
        layer.Build(new Shape(2, 4));
        Assert.Equal(["w", "b", "calls"], layer.Weights.Select(w => w.Name));
        Assert.Equal(["w", "b"], layer.TrainableWeights.Select(w => w.Name));
        Assert.Equal(["calls"], layer.NonTrainableWeights.Select(w => w.Name));
        Assert.Equal(4 * 3 + 3 + 1, layer.CountParams());
    }

    [Fact]
    public void Losses_hold_weight_regularization_and_losses_added_in_call()
    {
        var layer = new ScaledLinear(2);
        var x = Tensor.Ones(new Shape(1, 2));
        var y = layer.Apply(x);
        Assert.Equal(2, layer.Losses.Count);
        // L2(0.1) of a (2, 2) kernel of 0.5s: 0.1 · 4 · 0.25; mean of y² where y = 2·0.5 + 1 = 2.
        Assert.Equal([0.1, 4.0], layer.Losses.Select(l => Math.Round(l.Item(), 6)).Order());
        Assert.Equal([2f, 2f], y.ToArray<float>());
    }

    [Fact]
    public void Trainable_false_freezes_recursively_and_back()
    {
        var bidirectional = new Bidirectional(new Lstm(2));
        bidirectional.Build(new Shape(1, 3, 2));
        bidirectional.Trainable = false;
        Assert.Empty(bidirectional.TrainableWeights);
        Assert.All(bidirectional.Weights, w => Assert.False(w.Value.RequiresGrad));
        bidirectional.Trainable = true;
        Assert.Equal(6, bidirectional.TrainableWeights.Count);
    }

    [Fact]
    public void Stateless_call_uses_the_given_weights_and_leaves_the_layer_unchanged()
    {
        var dense = new Dense(1, useBias: false, kernelInitializer: new Ones());
        var x = Tensor.FromArray([1f, 2f], new Shape(1, 2));
        Assert.Equal([3f], dense.Apply(x).ToArray<float>());
        var doubled = dense.StatelessCall([Tensor.FromArray([2f, 2f], new Shape(2, 1))], x, new CallArguments())[0];
        Assert.Equal([6f], doubled.ToArray<float>());
        Assert.Equal([3f], dense.Apply(x).ToArray<float>());
        Assert.Throws<InvalidOperationException>(() => new Dense(1).StatelessCall([], x, new CallArguments()));
    }

    [Fact]
    public void Own_variables_save_and_load_by_position()
    {
        var source = new Gru(2);
        source.Build(new Shape(1, 3, 4));
        var store = new Dictionary<string, Tensor>();
        source.Cell.SaveOwnVariables(store);
        Assert.Equal(["0", "1", "2"], store.Keys.Order());

        var target = new Gru(2);
        target.Build(new Shape(1, 3, 4));
        target.Cell.LoadOwnVariables(store);
        var x = new RandomGenerator(1).Uniform(new Shape(1, 3, 4));
        Assert.Equal(source.Apply(x).ToArray<float>(), target.Apply(x).ToArray<float>());
        Assert.Throws<ArgumentException>(() => target.Cell.LoadOwnVariables(new Dictionary<string, Tensor>()));
    }

    [Fact]
    public void Build_config_records_the_input_shape_and_rebuilds()
    {
        var lstm = new Lstm(4);
        lstm.Apply(Tensor.Zeros(new Shape(2, 5, 3)));
        var build = lstm.GetBuildConfig()!;
        Assert.Equal("[null,5,3]", build["input_shape"]!.ToJsonString());
        var revived = new Lstm(4);
        revived.BuildFromConfig(build);
        Assert.True(revived.Built);
        Assert.Equal(lstm.Weights.Select(w => w.Shape), revived.Weights.Select(w => w.Shape));
        var stateful = new Lstm(4, stateful: true);
        stateful.Build(new Shape(2, 5, 3));
        Assert.Equal("[2,5,3]", stateful.GetBuildConfig()!["input_shape"]!.ToJsonString());
    }

    [Fact]
    public void Float64_layers_compute_in_float64_and_mixed_policies_compute_in_float32_on_the_cpu()
    {
        var x = new RandomGenerator(3).Uniform(new Shape(2, 3, 2));
        var f64 = new Gru(3, dtype: "float64");
        var y = f64.Apply(x);
        Assert.Equal(DType.Float64, y.DType);
        Assert.All(f64.Weights, w => Assert.Equal(DType.Float64, w.Value.DType));

        var mixed = new Lstm(3, dtype: "mixed_float16");
        Assert.Equal(DType.Float32, mixed.Apply(x).DType);
        Assert.Equal("mixed_float16", mixed.ToConfig()["config"]!["dtype"]!["config"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void Registered_user_layers_deserialize_by_class_name()
    {
        KerasLayers.Register("ScaledLinear", c => new ScaledLinear(c["units"]!.GetValue<int>()));
        var layer = new ScaledLinear(3);
        var revived = KerasLayers.Deserialize(layer.ToConfig());
        Assert.IsType<ScaledLinear>(revived);
        Assert.Contains("Register", Assert.Throws<FormatException>(() => KerasLayers.Deserialize(JsonNode.Parse("""{"class_name": "NoSuchLayer", "config": {}}""")!)).Message);
    }

    [Fact]
    public void Default_names_are_unique_snake_case_of_the_class()
    {
        var a = new SimpleRnn(1);
        var b = new SimpleRnn(1);
        Assert.StartsWith("simple_rnn", a.Name);
        Assert.NotEqual(a.Name, b.Name);
        Assert.StartsWith("conv_lstm2d", new ConvLstm2D(1, [1]).Name);
    }
}
