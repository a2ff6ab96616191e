using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Keras;

namespace Microsoft.ML.Recurrent.Tests.Keras;

public class KerasJsonTests
{
    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void Envelope_has_the_four_keras3_keys_in_order()
    {
        var envelope = KerasJson.Envelope("keras.regularizers", "L2", new JsonObject { ["l2"] = KerasJson.Float(0.01) });
        Assert.Equal("""{"module":"keras.regularizers","class_name":"L2","config":{"l2":0.01},"registered_name":null}""", envelope.ToJsonString());
    }

    [Fact]
    public void ReadEnvelope_accepts_keras3_and_keras2_dicts()
    {
        var (k3Class, k3Config) = KerasJson.ReadEnvelope(
            Parse("""{"module":"keras.initializers","class_name":"Zeros","config":{},"registered_name":null,"shared_object_id":7}"""), "initializer");
        Assert.Equal("Zeros", k3Class);
        Assert.Empty(k3Config);
        var (k2Class, k2Config) = KerasJson.ReadEnvelope(Parse("""{"class_name":"L1L2","config":{"l1":0.0,"l2":0.01}}"""), "regularizer");
        Assert.Equal("L1L2", k2Class);
        Assert.Equal(0.01, KerasJson.GetDouble(k2Config, "l2", 0));
    }

    [Fact]
    public void ReadEnvelope_rejects_non_dicts_and_missing_class_names()
    {
        var notDict = Assert.Throws<FormatException>(() => KerasJson.ReadEnvelope(JsonNode.Parse("[1,2]")!, "initializer"));
        Assert.Contains("initializer", notDict.Message);
        Assert.Contains("[1,2]", notDict.Message);
        var noClass = Assert.Throws<FormatException>(() => KerasJson.ReadEnvelope(Parse("""{"config":{}}"""), "constraint"));
        Assert.Contains("class_name", noClass.Message);
        var badConfig = Assert.Throws<FormatException>(() => KerasJson.ReadEnvelope(Parse("""{"class_name":"L2","config":3}"""), "regularizer"));
        Assert.Contains("config", badConfig.Message);
    }

    [Fact]
    public void Typed_readers_apply_defaults_for_missing_keys()
    {
        var config = new JsonObject();
        Assert.Equal(0.5, KerasJson.GetDouble(config, "rate", 0.5));
        Assert.Equal(7, KerasJson.GetInt(config, "units", 7));
        Assert.Null(KerasJson.GetNullableInt(config, "seed"));
        Assert.True(KerasJson.GetBool(config, "use_bias", true));
        Assert.Equal("tanh", KerasJson.GetString(config, "activation", "tanh"));
        Assert.Equal([1, 1], KerasJson.GetIntTuple(config, "strides", 2, [1, 1]));
    }

    [Fact]
    public void Integers_written_as_whole_floats_are_accepted_but_fractions_are_not()
    {
        var config = Parse("""{"units": 4.0, "bad": 4.5, "seed": null}""");
        Assert.Equal(4, KerasJson.GetInt(config, "units", 0));
        Assert.Null(KerasJson.GetNullableInt(config, "seed", 3));
        var error = Assert.Throws<FormatException>(() => KerasJson.GetInt(config, "bad", 0));
        Assert.Contains("'bad'", error.Message);
        Assert.Contains("4.5", error.Message);
        Assert.Contains("an integer", error.Message);
    }

    [Fact]
    public void Wrong_types_name_the_key_the_value_and_the_expectation()
    {
        var config = Parse("""{"l2": "a lot", "use_bias": 1, "name": 3, "units": null}""");
        var number = Assert.Throws<FormatException>(() => KerasJson.GetDouble(config, "l2", 0));
        Assert.Contains("'l2'", number.Message);
        Assert.Contains("'a lot'", number.Message);
        Assert.Contains("a number", number.Message);
        Assert.Contains("a boolean", Assert.Throws<FormatException>(() => KerasJson.GetBool(config, "use_bias", true)).Message);
        Assert.Contains("a string", Assert.Throws<FormatException>(() => KerasJson.GetString(config, "name", "x")).Message);
        Assert.Contains("None", Assert.Throws<FormatException>(() => KerasJson.GetInt(config, "units", 1)).Message);
    }

    [Fact]
    public void Int_tuples_accept_an_int_or_a_list_of_the_right_length()
    {
        var config = Parse("""{"a": 3, "b": [1, 2], "c": [1, 2, 3], "d": "x"}""");
        Assert.Equal([3, 3], KerasJson.GetIntTuple(config, "a", 2, [1, 1]));
        Assert.Equal([1, 2], KerasJson.GetIntTuple(config, "b", 2, [1, 1]));
        var error = Assert.Throws<FormatException>(() => KerasJson.GetIntTuple(config, "c", 2, [1, 1]));
        Assert.Contains("'c'", error.Message);
        Assert.Contains("list of 2 integers", error.Message);
        Assert.Throws<FormatException>(() => KerasJson.GetIntTuple(config, "d", 2, [1, 1]));
        Assert.Equal([0], KerasJson.GetNullableIntList(config, "a2", [0])!);
        Assert.Equal([1, 2, 3], KerasJson.GetNullableIntList(config, "c")!);
    }

    [Fact]
    public void RejectUnknownKeys_names_the_keys_like_python()
    {
        var config = Parse("""{"units": 4, "foo": 1, "bar": "x"}""");
        var error = Assert.Throws<ArgumentException>(() => KerasJson.RejectUnknownKeys(config, ["units"], "LSTM"));
        Assert.StartsWith("Unrecognized keyword arguments passed to LSTM: {'foo': 1, 'bar': 'x'}", error.Message);
        KerasJson.RejectUnknownKeys(Parse("""{"units": 4}"""), ["units", "seed"], "LSTM");
    }

    [Fact]
    public void Floats_are_written_like_python_writes_them()
    {
        Assert.Equal("1.0", KerasJson.Float(1).ToJsonString());
        Assert.Equal("-2.0", KerasJson.Float(-2).ToJsonString());
        Assert.Equal("0.01", KerasJson.Float(0.01).ToJsonString());
        Assert.Equal(1.0, KerasJson.GetDouble(new JsonObject { ["x"] = KerasJson.Float(1) }, "x", 0));
        Assert.Equal(1.0, KerasJson.Float(1).GetValue<double>());
        Assert.True(JsonNode.DeepEquals(KerasJson.Float(2), JsonNode.Parse("2.0")));
        Assert.Throws<ArgumentException>(() => KerasJson.Float(double.NaN));
    }

    [Fact]
    public void PythonRepr_formats_like_python()
    {
        Assert.Equal("{'a': [1, True, None], 'b': 'it\\'s'}", KerasJson.PythonRepr(JsonNode.Parse("""{"a":[1,true,null],"b":"it's"}""")));
    }
}
