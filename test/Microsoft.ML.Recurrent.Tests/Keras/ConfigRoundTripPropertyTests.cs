using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.ML.Recurrent.Keras;

namespace Microsoft.ML.Recurrent.Tests.Keras;

/// <summary>
/// <c>FromConfig(ToConfig(x))</c> equals <c>x</c> for generated layer configs: every generated layer, written and read
/// back, writes the same JSON again, and keeps the values the generator chose.
/// </summary>
public class ConfigRoundTripPropertyTests
{
    private static readonly string[] s_activations = ["tanh", "sigmoid", "relu", "hard_sigmoid", "softsign", "elu", "linear", "gelu", "silu"];
    private static readonly string[] s_initializers = ["GlorotUniform", "Orthogonal", "Zeros", "Ones", "HeNormal", "LecunUniform", "RandomNormal", "TruncatedNormal"];

    private static Gen<JsonNode?> Initializer() =>
        Gen.Elements(s_initializers).Select(name => (JsonNode?)new JsonObject { ["class_name"] = name, ["config"] = new JsonObject() });

    private static Gen<JsonNode?> Regularizer() => Gen.Elements<JsonNode?>(
        null,
        new JsonObject { ["class_name"] = "L2", ["config"] = new JsonObject { ["l2"] = 0.01 } },
        new JsonObject { ["class_name"] = "L1L2", ["config"] = new JsonObject { ["l1"] = 0.5, ["l2"] = 0.25 } });

    private static Gen<JsonNode?> Constraint() => Gen.Elements<JsonNode?>(
        null,
        new JsonObject { ["class_name"] = "MaxNorm", ["config"] = new JsonObject { ["max_value"] = 3.0, ["axis"] = 0 } },
        new JsonObject { ["class_name"] = "NonNeg", ["config"] = new JsonObject() });

    /// <summary>The cell keys shared by SimpleRNN, LSTM and GRU.</summary>
    private static Gen<JsonObject> DenseCellKeys() =>
        from units in Gen.Choose(1, 16)
        from activation in Gen.Elements(s_activations)
        from useBias in Gen.Elements(true, false)
        from kernel in Initializer()
        from recurrent in Initializer()
        from kernelRegularizer in Regularizer()
        from biasConstraint in Constraint()
        from dropout in Gen.Elements(0.0, 0.25, 0.5)
        from seed in Gen.Elements<int?>(null, 7, 1337)
        select new JsonObject
        {
            ["units"] = units,
            ["activation"] = activation,
            ["use_bias"] = useBias,
            ["kernel_initializer"] = kernel,
            ["recurrent_initializer"] = recurrent,
            ["kernel_regularizer"] = kernelRegularizer,
            ["bias_constraint"] = biasConstraint,
            ["dropout"] = dropout,
            ["recurrent_dropout"] = dropout / 2,
            ["seed"] = seed,
        };

    private static Gen<JsonObject> RnnKeys(JsonObject config) =>
        from returnSequences in Gen.Elements(true, false)
        from returnState in Gen.Elements(true, false)
        from goBackwards in Gen.Elements(true, false)
        from stateful in Gen.Elements(true, false)
        select With(config, ("return_sequences", returnSequences), ("return_state", returnState), ("go_backwards", goBackwards), ("stateful", stateful));

    private static JsonObject With(JsonObject config, params (string Key, JsonNode? Value)[] entries)
    {
        var copy = (JsonObject)config.DeepClone();
        foreach (var (key, value) in entries) copy[key] = value;
        return copy;
    }

    private static JsonObject Envelope(string className, JsonObject config) => new() { ["class_name"] = className, ["config"] = config };

    private static readonly Gen<JsonObject> s_recurrentLayers =
        from cell in DenseCellKeys()
        from layer in RnnKeys(cell)
        from recurrentActivation in Gen.Elements(s_activations)
        from unitForgetBias in Gen.Elements(true, false)
        from resetAfter in Gen.Elements(true, false)
        from kind in Gen.Choose(0, 2)
        select kind switch
        {
            0 => Envelope("SimpleRNN", layer),
            1 => Envelope("LSTM", With(layer, ("recurrent_activation", recurrentActivation), ("unit_forget_bias", unitForgetBias))),
            _ => Envelope("GRU", With(layer, ("recurrent_activation", recurrentActivation), ("reset_after", resetAfter))),
        };

    private static readonly Gen<JsonObject> s_convLstm =
        from filters in Gen.Choose(1, 8)
        from rank in Gen.Choose(1, 3)
        from kernel in Gen.Choose(1, 3)
        from padding in Gen.Elements("valid", "same")
        from dataFormat in Gen.Elements("channels_last", "channels_first")
        from strides in Gen.Choose(1, 2)
        select Envelope($"ConvLSTM{rank}D", new JsonObject
        {
            ["filters"] = filters,
            ["kernel_size"] = kernel,
            ["strides"] = strides,
            ["padding"] = padding,
            ["data_format"] = dataFormat,
            ["dilation_rate"] = strides == 1 ? kernel : 1,
        });

    private static readonly Gen<JsonObject> s_wrappers =
        from inner in s_recurrentLayers
        from mergeMode in Gen.Elements<JsonNode?>("concat", "sum", "ave", "mul", null)
        from kind in Gen.Choose(0, 1)
        select kind == 0
            ? Envelope("Bidirectional", new JsonObject { ["layer"] = With(inner, ("config", With((JsonObject)inner["config"]!, ("go_backwards", false)))), ["merge_mode"] = mergeMode })
            : Envelope("RNN", new JsonObject
            {
                ["cell"] = Envelope("StackedRNNCells", new JsonObject
                {
                    ["cells"] = new JsonArray(
                        Envelope("LSTMCell", new JsonObject { ["units"] = 3 }),
                        Envelope("GRUCell", new JsonObject { ["units"] = 2, ["reset_after"] = false })),
                }),
                ["return_sequences"] = mergeMode is null,
            });

    private static void AssertRoundTrip(JsonObject generated)
    {
        var layer = KerasLayers.Deserialize(generated);
        var written = layer.ToConfig();
        var again = KerasLayers.Deserialize(written).ToConfig();
        Assert.True(JsonNode.DeepEquals(written, again), $"{written.ToJsonString()}\n!=\n{again.ToJsonString()}");
        // Every scalar the generator chose survives (nested objects are compared by the second write above).
        foreach (var (key, value) in (JsonObject)generated["config"]!)
        {
            // Keras 3's SimpleRNN drops `seed` from its config (keras-rnn-spec §2.1), and so do we.
            bool droppedByKeras = key == "seed" && generated["class_name"]!.GetValue<string>() == "SimpleRNN";
            if (value is JsonValue v && key != "name" && !droppedByKeras)
            {
                var actual = written["config"]![key];
                Assert.True(actual is not null && JsonNode.DeepEquals(Normalize(v), Normalize(actual)) || IsListOf(actual, v),
                    $"{generated["class_name"]}.{key}: generated {v.ToJsonString()}, written {actual?.ToJsonString()}");
            }
        }
    }

    private static JsonNode Normalize(JsonNode node) =>
        node is JsonValue v && v.TryGetValue<double>(out var d) ? JsonValue.Create(d) : node;

    // Keras writes ints given for n-tuples (kernel_size: 3) back as lists ([3, 3]).
    private static bool IsListOf(JsonNode? actual, JsonValue scalar) =>
        actual is JsonArray list && list.All(item => JsonNode.DeepEquals(Normalize(item!), Normalize(scalar)));

    [Fact]
    public void Recurrent_layer_configs_round_trip() =>
        Check.QuickThrowOnFailure(Prop.ForAll(s_recurrentLayers.ToArbitrary(), AssertRoundTrip));

    [Fact]
    public void ConvLstm_configs_round_trip() =>
        Check.QuickThrowOnFailure(Prop.ForAll(s_convLstm.ToArbitrary(), AssertRoundTrip));

    [Fact]
    public void Wrapper_configs_round_trip() =>
        Check.QuickThrowOnFailure(Prop.ForAll(s_wrappers.ToArbitrary(), AssertRoundTrip));
}
