using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Training.Models;

namespace Microsoft.ML.Recurrent.Keras;

/// <summary>
/// Creates layers and cells from Keras config JSON (<c>keras.layers.deserialize</c>): Keras 3 envelopes with
/// <c>module</c>/<c>registered_name</c> and Keras 2 <c>{"class_name", "config"}</c> dicts. Users register their own
/// layers and cells by class name, the way Keras takes <c>custom_objects</c>.
/// </summary>
public static class KerasLayers
{
    private static readonly Dictionary<string, Func<JsonObject, bool, Layer>> s_factories = new(StringComparer.Ordinal)
    {
        ["RNN"] = (c, k2) => Rnn.FromConfig(c, k2),
        ["LSTM"] = (c, k2) => Lstm.FromConfig(c, k2),
        ["LSTMCell"] = (c, k2) => LstmCell.FromConfig(c, k2),
        ["GRU"] = (c, k2) => Gru.FromConfig(c, k2),
        ["GRUCell"] = (c, k2) => GruCell.FromConfig(c, k2),
        ["SimpleRNN"] = (c, k2) => SimpleRnn.FromConfig(c, k2),
        ["SimpleRNNCell"] = (c, k2) => SimpleRnnCell.FromConfig(c, k2),
        ["StackedRNNCells"] = (c, k2) => StackedRnnCells.FromConfig(c, k2),
        ["Bidirectional"] = (c, k2) => Bidirectional.FromConfig(c, k2),
        ["TimeDistributed"] = (c, k2) => TimeDistributed.FromConfig(c, k2),
        // Keras 2's GPU-only layers: fixed tanh/sigmoid, GRU always reset_after; weights convert in SetWeights.
        ["CuDNNLSTM"] = (c, _) => Lstm.FromConfig(WithCudnnActivations(c), keras2: true),
        ["CuDNNGRU"] = (c, _) => Gru.FromConfig(WithCudnnActivations(c, resetAfter: true), keras2: true),
        ["Dense"] = (c, _) => Dense.FromConfig(c),
        ["Masking"] = (c, _) => Masking.FromConfig(c),
        ["Dropout"] = (c, _) => Dropout.FromConfig(c),
        ["Embedding"] = (c, _) => Embedding.FromConfig(c),
        ["Activation"] = (c, k2) => ActivationLayer.FromConfig(c, k2),
        ["ConvLSTMCell"] = (c, k2) => ConvLstmCell.FromConfig(c, k2),
        ["ConvLSTM1D"] = (c, k2) => ConvLstm.FromConfig(c, 1, k2),
        ["ConvLSTM2D"] = (c, k2) => ConvLstm.FromConfig(c, 2, k2),
        ["ConvLSTM3D"] = (c, k2) => ConvLstm.FromConfig(c, 3, k2),
        ["InputLayer"] = (c, _) => InputLayer.FromConfig(c),
        ["Add"] = (c, _) => Add.FromConfig(c),
        ["Concatenate"] = (c, _) => Concatenate.FromConfig(c),
        // Models are layers too: a Sequential or functional model nested inside another model.
        ["Sequential"] = (c, _) => Sequential.FromConfig(c),
        ["Functional"] = (c, _) => Functional.FromConfig(c),
    };

    private static JsonObject WithCudnnActivations(JsonObject config, bool? resetAfter = null)
    {
        config["activation"] = "tanh";
        config["recurrent_activation"] = "sigmoid";
        if (resetAfter is { } r) config["reset_after"] = r;
        return config;
    }

    /// <summary>
    /// Registers a factory for <paramref name="className"/> (the config's <c>class_name</c>, or <c>registered_name</c>
    /// for Keras 3 custom objects), replacing any earlier one.
    /// </summary>
    public static void Register(string className, Func<JsonObject, Layer> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(className);
        ArgumentNullException.ThrowIfNull(factory);
        lock (s_factories) s_factories[className] = (c, _) => factory(c);
    }

    /// <summary>Creates a layer from a config envelope; <paramref name="keras2"/> applies Keras 2 defaults and formulas.</summary>
    /// <exception cref="FormatException">Malformed JSON structure, or an unknown class (the message lists how to register it).</exception>
    public static Layer Deserialize(JsonNode envelope, bool keras2 = false)
    {
        if (envelope is not JsonObject obj || obj["class_name"] is null)
            throw new FormatException($"A layer config must be an object with \"class_name\" and \"config\"; got {KerasJson.Describe(envelope)}.");
        string className = obj["class_name"]!.GetValue<string>();
        string? registered = obj["registered_name"] is JsonValue r && r.TryGetValue<string>(out var rn) ? rn : null;
        var config = obj["config"] as JsonObject ?? new JsonObject();
        Func<JsonObject, bool, Layer>? factory;
        lock (s_factories)
        {
            if (!s_factories.TryGetValue(className, out factory) && registered is not null)
                s_factories.TryGetValue(registered, out factory);
        }
        if (factory is null)
            throw new FormatException($"Unknown layer class '{className}'{(registered is null ? "" : $" (registered name '{registered}')")}. Register custom layers and cells with KerasLayers.Register(\"{className}\", config => ...).");
        var layer = factory((JsonObject)config.DeepClone(), keras2);
        if (obj["build_config"] is JsonObject build && !layer.Built) layer.BuildFromConfig(build);
        return layer;
    }

    /// <summary>Creates a cell (for <c>RNN(cell=...)</c> and <c>StackedRNNCells</c>); a list of cells becomes a <see cref="StackedRnnCells"/>.</summary>
    /// <exception cref="FormatException">The config is not a recurrent cell.</exception>
    public static RecurrentCell DeserializeCell(JsonNode node, bool keras2 = false)
    {
        if (node is JsonArray cells)
            return new StackedRnnCells(cells.Select(c => DeserializeCell(c!, keras2)).ToArray());
        return Deserialize(node, keras2) as RecurrentCell
            ?? throw new FormatException($"Expected a recurrent cell config; '{node["class_name"]}' is a layer, not a cell.");
    }
}
