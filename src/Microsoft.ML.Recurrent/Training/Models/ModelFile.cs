using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Training.Models;

/// <summary>
/// The whole-model file written by <see cref="Model.Save"/>: a zip archive with
/// <list type="bullet">
/// <item><c>metadata.json</c>: <c>{"format": "Microsoft.ML.Recurrent.Model", "format_version": 1, "keras_version", "date_saved"}</c>;</item>
/// <item><c>config.json</c>: the Keras 3 model config (<c>module</c>, <c>class_name</c>, <c>config</c>, <c>build_config</c>, <c>compile_config</c>);</item>
/// <item><c>model.weights.bin</c>: every layer's own variables, keyed <c>layers/&lt;i&gt;[/&lt;j&gt;...]/vars/&lt;k&gt;</c> by the layer's position in the tree;</item>
/// <item><c>optimizer.weights.bin</c> (optional): the optimizer's <c>iterations</c> and state variables <c>0</c>, <c>1</c>, ...</item>
/// </list>
/// A weights file is little-endian: the magic <c>MLRW</c>, int32 version (1), int32 entry count, then per entry the
/// key (7-bit length-prefixed UTF-8), a dtype byte (0 float32, 1 float64, 2 int32), int32 rank, int32 dims and the raw
/// elements, and finally the magic <c>END!</c>; a truncated or altered file fails these checks or the zip's CRC.
/// </summary>
public static class ModelFile
{
    /// <summary>The <c>format</c> value in <c>metadata.json</c>.</summary>
    public const string FormatName = "Microsoft.ML.Recurrent.Model";

    private const int FormatVersion = 1;
    private static readonly byte[] s_magic = "MLRW"u8.ToArray();
    private static readonly byte[] s_end = "END!"u8.ToArray();

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> through a temporary file moved into place.</summary>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    public static void Save(Model model, string path, bool includeOptimizer = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!model.Built) throw new InvalidOperationException($"Model '{model.Name}' is not built, so it has no weights to save. Call it on data, Fit it, or give Sequential an inputShape.");
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
            {
                WriteJson(zip, "metadata.json", new JsonObject
                {
                    ["format"] = FormatName,
                    ["format_version"] = FormatVersion,
                    ["keras_version"] = "3",
                    ["date_saved"] = DateTime.UtcNow.ToString("yyyy-MM-dd@HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                });
                WriteJson(zip, "config.json", model.ToModelConfig());
                var store = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                CollectWeights(model, "layers", store);
                WriteTensors(zip, "model.weights.bin", store);
                if (includeOptimizer && model.Optimizer is { Built: true } optimizer)
                {
                    var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                    optimizer.SaveOwnVariables(state);
                    WriteTensors(zip, "optimizer.weights.bin", state);
                }
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Reads a model written by <see cref="Save"/>; see <see cref="Model.Load"/>.</summary>
    /// <exception cref="InvalidDataException">Truncated, corrupted or foreign file.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static Model Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No model file at '{path}'.", path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
            var metadata = ReadJson(zip, "metadata.json") as JsonObject;
            if (metadata?["format"]?.GetValue<string>() != FormatName)
                throw new InvalidDataException($"metadata.json does not name the format '{FormatName}'.");
            if (metadata["format_version"]?.GetValue<int>() is not FormatVersion)
                throw new InvalidDataException($"Unsupported format_version {metadata["format_version"]}; this version reads {FormatVersion}.");
            var config = ReadJson(zip, "config.json") as JsonObject ?? throw new InvalidDataException("config.json is not a JSON object.");
            var weights = ReadTensors(zip, "model.weights.bin") ?? throw new InvalidDataException("The archive has no model.weights.bin.");
            var optimizerState = ReadTensors(zip, "optimizer.weights.bin");

            // Everything is read and checked before the model is touched; the model is returned only when complete.
            var model = Model.FromModelConfig(config);
            AssignCheckedWeights(model, weights);
            if (optimizerState is not null && model.Optimizer is { } optimizer)
            {
                optimizer.Build(model.TrainableWeights);
                var state = optimizerState.ToDictionary(p => p.Key, p => p.Value);
                optimizer.LoadOwnVariables(state);
            }
            return model;
        }
        catch (Exception e) when (e is not (FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or OutOfMemoryException))
        {
            // Whatever broke (zip structure, CRC, JSON, shapes, unknown classes), the caller gets one clear error type.
            throw new InvalidDataException($"'{path}' is not a complete {FormatName} file: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="model"/>'s variables to <paramref name="stream"/> in the <c>model.weights.bin</c> format (for model containers other than this file, such as ML.NET model zips).</summary>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    internal static void WriteWeights(Model model, Stream stream)
    {
        if (!model.Built) throw new InvalidOperationException($"Model '{model.Name}' is not built, so it has no weights to save.");
        var store = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        CollectWeights(model, "layers", store);
        WriteTensors(stream, store);
    }

    /// <summary>Reads weights written by <see cref="WriteWeights"/> into <paramref name="model"/> (built from the same config); the model is untouched unless every variable matches.</summary>
    /// <exception cref="InvalidDataException">Truncated or altered weights, or weights of a different model.</exception>
    internal static void ReadWeights(Model model, Stream stream, string name)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        buffer.Position = 0;
        AssignCheckedWeights(model, ReadTensors(buffer, name));
    }

    private static void AssignCheckedWeights(Model model, Dictionary<string, Tensor> weights)
    {
        var expected = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        CollectWeights(model, "layers", expected);
        foreach (var (key, value) in expected)
        {
            if (!weights.TryGetValue(key, out var stored))
                throw new InvalidDataException($"The weights have no variable '{key}' (shape {value.Shape}).");
            if (stored.Shape != value.Shape)
                throw new InvalidDataException($"Variable '{key}' has shape {stored.Shape} in the weights but {value.Shape} in the model built from its config.");
        }
        if (weights.Count != expected.Count)
            throw new InvalidDataException($"The weights hold {weights.Count} variables but the model has {expected.Count}.");
        AssignWeights(model, "layers", weights);
    }

    private static void CollectWeights(Layer layer, string prefix, IDictionary<string, Tensor> store)
    {
        var layers = layer.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            string path = prefix + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var own = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            layers[i].SaveOwnVariables(own);
            foreach (var (key, value) in own) store[path + "/vars/" + key] = value;
            CollectWeights(layers[i], path, store);
        }
    }

    private static void AssignWeights(Layer layer, string prefix, IReadOnlyDictionary<string, Tensor> store)
    {
        var layers = layer.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            string path = prefix + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string varsPrefix = path + "/vars/";
            var own = store.Where(p => p.Key.StartsWith(varsPrefix, StringComparison.Ordinal) && !p.Key[varsPrefix.Length..].Contains('/'))
                .ToDictionary(p => p.Key[varsPrefix.Length..], p => p.Value, StringComparer.Ordinal);
            layers[i].LoadOwnVariables(own);
            AssignWeights(layers[i], path, store);
        }
    }

    private static void WriteJson(ZipArchive zip, string name, JsonNode node)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Optimal).Open(), new UTF8Encoding(false));
        writer.Write(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static JsonNode? ReadJson(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"The archive has no {name}.");
        using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
        return JsonNode.Parse(reader.ReadToEnd());
    }

    private static void WriteTensors(ZipArchive zip, string name, IReadOnlyDictionary<string, Tensor> tensors)
    {
        using var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        WriteTensors(entry, tensors);
    }

    private static void WriteTensors(Stream stream, IReadOnlyDictionary<string, Tensor> tensors)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(s_magic);
        writer.Write(FormatVersion);
        writer.Write(tensors.Count);
        foreach (var (key, tensor) in tensors)
        {
            writer.Write(key);
            writer.Write(tensor.DType switch { DType.Float32 => (byte)0, DType.Float64 => (byte)1, _ => (byte)2 });
            writer.Write(tensor.Rank);
            foreach (int d in tensor.Shape.Dims) writer.Write(d);
            switch (tensor.DType)
            {
                case DType.Float32: writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes<float>(tensor.ToArray<float>())); break;
                case DType.Float64: writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes<double>(tensor.ToArray<double>())); break;
                default: writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes<int>(tensor.ToArray<int>())); break;
            }
        }
        writer.Write(s_end);
    }

    private static Dictionary<string, Tensor>? ReadTensors(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name);
        if (entry is null) return null;
        using var buffer = new MemoryStream();
        using (var source = entry.Open()) source.CopyTo(buffer); // the zip checks the entry's CRC while reading
        buffer.Position = 0;
        return ReadTensors(buffer, name);
    }

    private static Dictionary<string, Tensor> ReadTensors(MemoryStream buffer, string name)
    {
        using var reader = new BinaryReader(buffer, Encoding.UTF8);
        if (!reader.ReadBytes(4).AsSpan().SequenceEqual(s_magic)) throw new InvalidDataException($"{name} does not start with the MLRW magic.");
        int version = reader.ReadInt32();
        if (version != FormatVersion) throw new InvalidDataException($"{name} has version {version}; expected {FormatVersion}.");
        int count = reader.ReadInt32();
        if (count < 0 || count > 1_000_000) throw new InvalidDataException($"{name} claims {count} entries.");
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string key = reader.ReadString();
            byte dtype = reader.ReadByte();
            int rank = reader.ReadInt32();
            if (rank < 0 || rank > 16) throw new InvalidDataException($"{name}: entry '{key}' has rank {rank}.");
            var dims = new int[rank];
            long size = 1;
            for (int d = 0; d < rank; d++)
            {
                dims[d] = reader.ReadInt32();
                if (dims[d] < 0) throw new InvalidDataException($"{name}: entry '{key}' has a negative dimension.");
                size *= dims[d];
            }
            int elementSize = dtype switch { 0 => 4, 1 => 8, 2 => 4, _ => throw new InvalidDataException($"{name}: entry '{key}' has unknown dtype code {dtype}.") };
            if (size * elementSize > buffer.Length - buffer.Position) throw new InvalidDataException($"{name}: entry '{key}' is truncated.");
            var bytes = reader.ReadBytes((int)(size * elementSize));
            var shape = new Shape(dims);
            result[key] = dtype switch
            {
                0 => Tensor.FromSpan<float>(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes), shape),
                1 => Tensor.FromSpan<double>(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes), shape),
                _ => Tensor.FromSpan<int>(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes), shape),
            };
        }
        if (!reader.ReadBytes(4).AsSpan().SequenceEqual(s_end)) throw new InvalidDataException($"{name} does not end with the END! marker (truncated or altered).");
        return result;
    }
}
