using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Models;

namespace Microsoft.ML.Recurrent.MLNet.Trainers;

/// <summary>Creates the network a trainer fits: the built-in stack, or a fresh copy of the user's network or config.</summary>
internal static class RecurrentNetworks
{
    /// <summary>A factory of untrained networks <c>(batch, steps, features)</c> → <c>(batch, outputs)</c>, called by the fitting core after seeding.</summary>
    /// <exception cref="ArgumentException">The given config is not valid JSON or not a model config.</exception>
    public static Func<Model> Factory(RecurrentTrainerOptions options, RecurrentCellType cellType, int steps, int features, int outputs, bool padded)
    {
        JsonObject? config = null;
        if (options.Network is not null) config = options.Network.ToModelConfig();
        else if (options.NetworkConfigJson is not null)
        {
            try
            {
                config = JsonNode.Parse(options.NetworkConfigJson) as JsonObject ?? throw new JsonException("not a JSON object");
            }
            catch (JsonException e)
            {
                throw new ArgumentException($"NetworkConfigJson is not a Keras model config: {e.Message}", nameof(options.NetworkConfigJson), e);
            }
        }
        if (config is null) return () => BuiltIn(options, cellType, steps, features, outputs, padded);

        config.Remove("compile_config");
        string json = config.ToJsonString();
        return () =>
        {
            Model network;
            try
            {
                network = Model.FromModelConfig((JsonObject)JsonNode.Parse(json)!);
            }
            catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidOperationException or ArgumentException)
            {
                throw new ArgumentException($"The given network cannot be rebuilt from its config: {e.Message}", nameof(options.Network), e);
            }
            var y = network.PredictOnBatch(Tensor.Zeros(new Shape(1, steps, features)));
            if (y.Rank != 2 || y.Shape[1] != outputs)
                throw new ArgumentException($"The given network maps one sequence of shape (1, {steps}, {features}) to {y.Shape}; the trainer needs (1, {outputs}).", nameof(options.Network));
            return network;
        };
    }

    private static Model BuiltIn(RecurrentTrainerOptions options, RecurrentCellType cellType, int steps, int features, int outputs, bool padded)
    {
        var layers = new List<Layer>();
        if (padded) layers.Add(new Masking(0.0));
        for (int i = 0; i < options.NumberOfLayers; i++)
        {
            bool sequences = i < options.NumberOfLayers - 1;
            layers.Add(cellType switch
            {
                RecurrentCellType.Gru => new Gru(options.Units, returnSequences: sequences),
                RecurrentCellType.SimpleRnn => new SimpleRnn(options.Units, returnSequences: sequences),
                _ => new Lstm(options.Units, returnSequences: sequences),
            });
        }
        layers.Add(new Dense(outputs));
        return new Sequential(layers, inputShape: [steps, features]);
    }
}
