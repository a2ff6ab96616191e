using System.IO.Compression;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Persistence;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Persistence;

/// <summary>
/// Saving and loading a network plus a component's own state inside an ML.NET model zip, through both bindings of the
/// adapter: the Compat one (InternalsVisibleTo) and the reflection one that official ML.NET builds use.
/// </summary>
public sealed class RecurrentModelStorageTests
{
    private const int Steps = 5;
    private const int FeatureCount = 3;

    public static TheoryData<string> Bindings => new() { "compat", "reflection" };

    internal static IMLNetInternals Binding(string name) => name switch
    {
        "reflection" => new ReflectionInternals(),
#if !MLNET_OFFICIAL
        "compat" => new CompatInternals(),
#endif
        _ => throw new ArgumentException(name),
    };

    private sealed class Row
    {
        [VectorType(Steps, FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    private sealed class Prediction
    {
        public float[] Output { get; set; } = [];
    }

    private static Row[] Rows() => Enumerable.Range(0, 4)
        .Select(i => new Row { Features = Enumerable.Range(0, Steps * FeatureCount).Select(j => MathF.Sin(i + 0.3f * j)).ToArray() }).ToArray();

    private static NetworkTransformer Transformer(ModelVersion? saveAs = null)
    {
        RandomSeeds.Set(7);
        return new NetworkTransformer(NetworkTransformer.CreateNetwork(Steps, FeatureCount), "Features", Steps, FeatureCount, offset: 0.5f, saveAs);
    }

    private static byte[] Save(MLContext ml, ITransformer model, IDataView data, IMLNetInternals binding)
    {
        using var scope = MLNetInternals.Use(binding);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        return stream.ToArray();
    }

    private static ITransformer Load(MLContext ml, byte[] bytes, IMLNetInternals binding)
    {
        using var scope = MLNetInternals.Use(binding);
        return ml.Model.Load(new MemoryStream(bytes), out _);
    }

    private static float[][] Outputs(MLContext ml, ITransformer model, IDataView data) =>
        ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).Select(p => p.Output).ToArray();

    [Theory]
    [MemberData(nameof(Bindings))]
    public void A_pipeline_with_a_network_reloads_with_identical_outputs_once_its_loader_is_registered(string bindingName)
    {
        var binding = Binding(bindingName);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows());
        var pipeline = ml.Transforms.CopyColumns("Copy", "Features").Fit(data).Append(Transformer());
        var expected = Outputs(ml, pipeline, data);
        byte[] bytes = Save(ml, pipeline, data, binding);

        var fresh = new MLContext(seed: 2);
        var unknown = Assert.ThrowsAny<Exception>(() => Load(fresh, bytes, binding));
        Assert.Contains(NetworkTransformer.LoaderSignature, unknown.Message);

        binding.RegisterLoader(fresh.ComponentCatalog, typeof(NetworkTransformer), NetworkTransformer.LoaderSignature);
        var reloaded = Load(fresh, bytes, binding);
        var actual = Outputs(fresh, reloaded, fresh.Data.LoadFromEnumerable(Rows()));
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
        Assert.All(expected, e => Assert.Equal(2, e.Length));

        var engine = fresh.Model.CreatePredictionEngine<Row, Prediction>(reloaded);
        Assert.Equal(expected[3], engine.Predict(Rows()[3]).Output);
    }

    [Theory]
    [MemberData(nameof(Bindings))]
    public void A_model_saved_by_a_newer_format_is_refused_with_a_clear_error(string bindingName)
    {
        var binding = Binding(bindingName);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows());
        var newer = NetworkTransformer.CurrentVersion with { VerWrittenCur = 0x00020001, VerReadableCur = 0x00020001, VerWeCanReadBack = 0x00020001 };
        byte[] bytes = Save(ml, Transformer(newer), data, binding);
        binding.RegisterLoader(ml.ComponentCatalog, typeof(NetworkTransformer), NetworkTransformer.LoaderSignature);

        var e = Assert.Throws<FormatException>(() => Load(ml, bytes, binding));
        Assert.Contains("newer", e.Message);
        Assert.Contains("0x00020001", e.Message);
    }

    [Theory]
    [MemberData(nameof(Bindings))]
    public void A_model_older_than_the_oldest_readable_format_is_refused(string bindingName)
    {
        var binding = Binding(bindingName);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows());
        var old = NetworkTransformer.CurrentVersion with { VerWrittenCur = 0x00010000, VerReadableCur = 0x00010000, VerWeCanReadBack = 0x00010000 };
        byte[] bytes = Save(ml, Transformer(old), data, binding);
        binding.RegisterLoader(ml.ComponentCatalog, typeof(NetworkTransformer), NetworkTransformer.LoaderSignature);

        var e = Assert.Throws<FormatException>(() => Load(ml, bytes, binding));
        Assert.Contains("older", e.Message);
    }

    [Theory]
    [InlineData("compat", "Network.weights")]
    [InlineData("reflection", "Network.weights")]
    [InlineData("compat", "Network.json")]
    [InlineData("reflection", "Network.json")]
    public void A_damaged_network_entry_is_reported_by_name(string bindingName, string entry)
    {
        var binding = Binding(bindingName);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows());
        byte[] bytes = Save(ml, Transformer(), data, binding);
        byte[] damaged = RewriteEntry(bytes, entry, content => content[..(content.Length / 2)]);
        binding.RegisterLoader(ml.ComponentCatalog, typeof(NetworkTransformer), NetworkTransformer.LoaderSignature);

        var e = Assert.Throws<FormatException>(() => Load(ml, damaged, binding));
        Assert.Contains(entry, e.Message);
        Assert.Contains("damaged", e.Message);
    }

    [Theory]
    [MemberData(nameof(Bindings))]
    public void A_missing_network_entry_is_reported_by_name(string bindingName)
    {
        var binding = Binding(bindingName);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows());
        byte[] bytes = Save(ml, Transformer(), data, binding);
        byte[] damaged = RewriteEntry(bytes, "Network.weights", null);
        binding.RegisterLoader(ml.ComponentCatalog, typeof(NetworkTransformer), NetworkTransformer.LoaderSignature);

        var e = Assert.Throws<FormatException>(() => Load(ml, damaged, binding));
        Assert.Contains("no entry 'Network.weights'", e.Message);
    }

    [Theory]
    [MemberData(nameof(Bindings))]
    public void The_catalog_environment_and_gpu_settings_are_the_contexts(string bindingName)
    {
        var binding = Binding(bindingName);
        var ml = new MLContext(seed: 1) { GpuDeviceId = 3, FallbackToCpu = true };
        Assert.Same(ml, binding.GetEnvironment(ml.Regression.Trainers));
        Assert.Same(ml, binding.GetEnvironment(ml.Transforms));
        Assert.Equal((3, true), binding.GetGpuSettings(ml));
        Assert.Equal(((int?)null, false), binding.GetGpuSettings(new MLContext()));
        Assert.Throws<ArgumentException>(() => binding.GetEnvironment("not a catalog"));
    }

    [Theory]
    [MemberData(nameof(Bindings))]
    public void Schema_columns_are_created_with_the_internal_constructor(string bindingName)
    {
        var column = Binding(bindingName).CreateSchemaColumn("Score", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, null);
        Assert.Equal("Score", column.Name);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, column.Kind);
        Assert.Equal(NumberDataViewType.Single, column.ItemType);
        Assert.False(column.IsKey);
    }

    /// <summary>Rewrites (or, with null, deletes) the zip entry whose name ends with <paramref name="suffix"/>.</summary>
    private static byte[] RewriteEntry(byte[] zipBytes, string suffix, Func<byte[], byte[]>? change)
    {
        using var stream = new MemoryStream();
        stream.Write(zipBytes);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.Entries.Single(e => e.FullName.Replace('\\', '/').EndsWith("/" + suffix, StringComparison.Ordinal));
            byte[] content;
            using (var s = entry.Open())
            using (var copy = new MemoryStream())
            {
                s.CopyTo(copy);
                content = copy.ToArray();
            }
            string name = entry.FullName;
            entry.Delete();
            if (change is not null)
            {
                using var w = zip.CreateEntry(name).Open();
                w.Write(change(content));
            }
        }
        return stream.ToArray();
    }
}
