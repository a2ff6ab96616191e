using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Training.Models;

namespace Microsoft.ML.Recurrent.MLNet.Persistence;

/// <summary>
/// Saves and loads an ML.NET component that holds recurrent networks, through <see cref="MLNetInternals"/>:
/// the component's own state goes into the model block (<c>Model.key</c>), each network into two entries beside it,
/// <c>&lt;name&gt;.json</c> (the Keras model config, UTF-8 JSON) and <c>&lt;name&gt;.weights</c> (the
/// <see cref="ModelFile"/> weights format). Usage inside <c>ICanSaveModel.Save(ModelSaveContext ctx)</c>:
/// <code>
/// var writer = RecurrentModelStorage.BeginSave(ctx, Version);   // version header; then write your state
/// writer.Write(_horizon);
/// RecurrentModelStorage.SaveNetwork(ctx, "Network", _network);
/// </code>
/// and in the loader <c>private static ITransformer Create(IHostEnvironment env, object ctx)</c>:
/// <code>
/// var reader = RecurrentModelStorage.BeginLoad(ctx, Version, out uint written);
/// int horizon = reader.ReadInt32();
/// var network = RecurrentModelStorage.LoadNetwork(ctx, "Network");
/// </code>
/// Damaged entries surface as <see cref="FormatException"/> naming the entry.
/// </summary>
internal static class RecurrentModelStorage
{
    /// <summary>Writes the version header and returns the writer of the model block for the component's own state.</summary>
    public static BinaryWriter BeginSave(ModelSaveContext ctx, ModelVersion version) => MLNetInternals.Current.BeginSave(ctx, version);

    /// <summary>Saves <paramref name="network"/> (config + weights, no optimizer state) as entries <c>name.json</c> and <c>name.weights</c>.</summary>
    public static void SaveNetwork(ModelSaveContext ctx, string name, Model network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var config = network.ToModelConfig();
        config.Remove("compile_config"); // scoring needs none, and the optimizer is not saved
        byte[] json = Encoding.UTF8.GetBytes(config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var internals = MLNetInternals.Current;
        internals.SaveBinaryStream(ctx, name + ".json", w => w.Write(json));
        internals.SaveBinaryStream(ctx, name + ".weights", w =>
        {
            w.Flush();
            ModelFile.WriteWeights(network, w.BaseStream);
        });
    }

    /// <summary>Checks the signature and version and returns the reader of the model block, positioned at the component's state.</summary>
    /// <exception cref="FormatException">Another component's entry, a newer format than this code reads, or an older one it no longer reads.</exception>
    public static BinaryReader BeginLoad(object ctx, ModelVersion version, out uint writtenVersion) =>
        MLNetInternals.Current.BeginLoad(ctx, version, out writtenVersion);

    /// <summary>Loads the network saved by <see cref="SaveNetwork"/> under <paramref name="name"/>.</summary>
    /// <exception cref="FormatException">An entry is missing or damaged.</exception>
    public static Model LoadNetwork(object ctx, string name)
    {
        var internals = MLNetInternals.Current;
        byte[]? json = null, weights = null;
        if (!internals.TryLoadBinaryStream(ctx, name + ".json", r => json = ReadAll(r)))
            throw new FormatException($"The recurrent model has no entry '{name}.json' (its network config); the model file is incomplete.");
        if (!internals.TryLoadBinaryStream(ctx, name + ".weights", r => weights = ReadAll(r)))
            throw new FormatException($"The recurrent model has no entry '{name}.weights' (its network weights); the model file is incomplete.");
        Model network;
        try
        {
            var config = JsonNode.Parse(json!) as JsonObject ?? throw new FormatException("the config is not a JSON object");
            network = Model.FromModelConfig(config);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException or KeyNotFoundException or NotSupportedException or InvalidCastException)
        {
            throw new FormatException($"The recurrent model's entry '{name}.json' is damaged: {e.Message}", e);
        }
        try
        {
            ModelFile.ReadWeights(network, new MemoryStream(weights!, writable: false), name + ".weights");
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ArgumentException or IOException)
        {
            throw new FormatException($"The recurrent model's entry '{name}.weights' is damaged: {e.Message}", e);
        }
        return network;
    }

    private static byte[] ReadAll(BinaryReader reader)
    {
        using var buffer = new MemoryStream();
        reader.BaseStream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
