using System.IO.Compression;
using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Compat.Tests.Model;

public class PersistenceTests
{
    private readonly MLContext _ml = new(seed: 1);

    public sealed class Input
    {
        public float A { get; set; }

        public float B { get; set; }

        public string Color { get; set; } = string.Empty;

        public float Label { get; set; }
    }

    public sealed class DoubleIn
    {
        public float A { get; set; }
    }

    public sealed class DoubleOut
    {
        public float Twice { get; set; }
    }

    [CustomMappingFactoryAttribute("Compat.Tests.Twice")]
    public sealed class TwiceFactory : CustomMappingFactory<DoubleIn, DoubleOut>
    {
        public static void Map(DoubleIn i, DoubleOut o) => o.Twice = i.A * 2;

        public override Action<DoubleIn, DoubleOut> GetMapping() => Map;
    }

    private IDataView Data() => _ml.Data.LoadFromEnumerable(Enumerable.Range(0, 20).Select(i => new Input
    {
        A = i * 0.5f - 3,
        B = (i % 7) * 1.25f,
        Color = (i % 3) switch { 0 => "red", 1 => "green", _ => "blue" },
        Label = i,
    }).ToList());

    private ITransformer FitFullPipeline() =>
        _ml.Transforms.Concatenate("Features", "A", "B")
            .Append(_ml.Transforms.NormalizeMinMax("Features"))
            .Append(_ml.Transforms.NormalizeMeanVariance("B2", "B", fixZero: false))
            .Append(_ml.Transforms.Conversion.MapValueToKey("ColorKey", "Color"))
            .Append(_ml.Transforms.Conversion.MapKeyToValue("ColorBack", "ColorKey"))
            .Append(_ml.Transforms.Conversion.ConvertType("LabelD", "Label", DataKind.Double))
            .Append(_ml.Transforms.CopyColumns("ACopy", "A"))
            .Append(_ml.Transforms.CustomMapping<DoubleIn, DoubleOut>(TwiceFactory.Map, "Compat.Tests.Twice"))
            .Append(new ScaleEstimator("A", 3, new[] { 0.5f, 0.25f }))
            .Append(_ml.Transforms.DropColumns("B"))
            .Append(_ml.Transforms.SelectColumns("Features", "B2", "ColorKey", "ColorBack", "LabelD", "ACopy", "Twice", "Scaled"))
            .Fit(Data());

    private sealed class ScaleEstimator : IEstimator<ScaleTransformer>
    {
        private readonly ScaleTransformer _t;

        public ScaleEstimator(string column, float factor, float[] weights) => _t = new ScaleTransformer(column, factor, weights);

        public ScaleTransformer Fit(IDataView input) => _t;

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inputSchema;
    }

    private static List<string> Dump(IDataView data) =>
        data.Preview(1000).RowView.Select(r => string.Join("|", r.Values.Select(v => v.Value switch
        {
            VBuffer<float> vb => string.Join(",", vb.DenseValues()),
            var o => o?.ToString(),
        }))).ToList();

    [Fact]
    public void Chain_WithEveryTransformAndThirdPartyTransformer_RoundTripsThroughFile()
    {
        var model = FitFullPipeline();
        string path = TestData.TempPath("model.zip");
        try
        {
            _ml.Model.Save(model, Data().Schema, path);
            var fresh = new MLContext(seed: 2);
            fresh.ComponentCatalog.RegisterAssembly(typeof(TwiceFactory).Assembly);
            var loaded = fresh.Model.Load(path, out var inputSchema);

            Assert.IsType<TransformerChain<ITransformer>>(loaded);
            Assert.Equal(Data().Schema.Select(c => (c.Name, c.Type.ToString())), inputSchema.Select(c => (c.Name, c.Type.ToString())));
            Assert.Equal(Dump(model.Transform(Data())), Dump(loaded.Transform(Data())));
            Assert.Equal(model.GetOutputSchema(Data().Schema).Select(c => c.ToString()), loaded.GetOutputSchema(inputSchema).Select(c => c.ToString()));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}*.tmp"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FittedChain_IsTypedByLastTransformer()
    {
        var chain = _ml.Transforms.Concatenate("F", "A", "B").Append(_ml.Transforms.NormalizeMinMax("F")).Fit(Data());
        Assert.IsType<TransformerChain<NormalizingTransformer>>(chain);
        Assert.IsType<NormalizingTransformer>(chain.LastTransformer);
        var single = _ml.Transforms.Concatenate("F", "A", "B").Fit(Data());
        Assert.IsType<ColumnConcatenatingTransformer>(single);
    }

    [Fact]
    public void SingleTransformer_ReloadsAsItself_ThroughStream()
    {
        var t = _ml.Transforms.NormalizeMinMax("A").Fit(Data());
        using var stream = new MemoryStream();
        _ml.Model.Save(t, null, stream);
        stream.Position = 0;
        var loaded = _ml.Model.Load(stream, out var schema);
        Assert.IsType<NormalizingTransformer>(loaded);
        Assert.Null(schema);
        Assert.Equal(t.Transform(Data()).GetColumn<float>("A"), loaded.Transform(Data()).GetColumn<float>("A"));
    }

    [Fact]
    public void ModelFile_HasMlNetLayoutAndHeader()
    {
        var model = _ml.Transforms.Concatenate("F", "A", "B").Append(_ml.Transforms.NormalizeMinMax("F")).Fit(Data());
        using var stream = new MemoryStream();
        _ml.Model.Save(model, Data().Schema, stream);
        stream.Position = 0;
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("TrainingInfo/Version.txt", names);
        Assert.Contains("TransformerChain/Model.key", names);
        Assert.Contains("TransformerChain/Transform_000/Model.key", names);
        Assert.Contains("TransformerChain/Transform_001/Model.key", names);
        Assert.Contains("Schema", names);

        using var ms = new MemoryStream();
        zip.GetEntry("TransformerChain/Model.key")!.Open().CopyTo(ms);
        var bytes = ms.ToArray();
        Assert.Equal("ML\0MODEL", Encoding.ASCII.GetString(bytes, 0, 8));
        Assert.Equal(0x100L, BitConverter.ToInt64(bytes, 0x10));
        Assert.Equal("XF\0CHAIN", Encoding.ASCII.GetString(bytes, 0x40, 8));
        Assert.Equal("TransformerChain", Encoding.ASCII.GetString(bytes, 0x50, 16));
        Assert.Equal(0x4D4C004D4F44454CUL, BitConverter.ToUInt64(bytes, bytes.Length - 8));
        var asm = Encoding.Unicode.GetString(bytes, (int)BitConverter.ToInt64(bytes, 0x90), (int)BitConverter.ToUInt32(bytes, 0x98));
        Assert.StartsWith("Microsoft.ML.Compat, Version=", asm);
    }

    [Fact]
    public void Load_GarbageOrForeignZip_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => _ml.Model.Load(new MemoryStream(Encoding.UTF8.GetBytes("definitely not a zip")), out _));

        var foreign = new MemoryStream();
        using (var zip = new ZipArchive(foreign, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var w = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            w.Write("hello");
        }

        foreign.Position = 0;
        var ex = Assert.Throws<FormatException>(() => _ml.Model.Load(foreign, out _));
        Assert.Contains("TransformerChain/Model.key", ex.Message);
    }

    private MemoryStream SavedModel(ITransformer model)
    {
        var stream = new MemoryStream();
        _ml.Model.Save(model, Data().Schema, stream);
        return stream;
    }

    private static MemoryStream RewriteEntry(MemoryStream original, string entry, Func<byte[], byte[]> edit, Func<string, string>? rename = null)
    {
        original.Position = 0;
        var result = new MemoryStream();
        using (var src = new ZipArchive(original, ZipArchiveMode.Read, leaveOpen: true))
        using (var dst = new ZipArchive(result, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var e in src.Entries)
            {
                using var ms = new MemoryStream();
                e.Open().CopyTo(ms);
                var bytes = e.FullName == entry ? edit(ms.ToArray()) : ms.ToArray();
                using var o = dst.CreateEntry(rename?.Invoke(e.FullName) ?? e.FullName).Open();
                o.Write(bytes);
            }
        }

        result.Position = 0;
        return result;
    }

    [Fact]
    public void Load_CorruptedModelEntry_ThrowsFormatException()
    {
        var saved = SavedModel(_ml.Transforms.NormalizeMinMax("A").Fit(Data()));
        var truncated = RewriteEntry(saved, "TransformerChain/Model.key", b => b.Take(b.Length - 20).ToArray());
        Assert.Throws<FormatException>(() => _ml.Model.Load(truncated, out _));

        var badSignature = RewriteEntry(saved, "TransformerChain/Model.key", b =>
        {
            b[0] ^= 0xFF;
            return b;
        });
        Assert.Throws<FormatException>(() => _ml.Model.Load(badSignature, out _));

        var shortBlock = RewriteEntry(saved, "TransformerChain/Model.key", b =>
        {
            // Declare a model block of 2 bytes: the loader runs out of data and must not return a half-built model.
            BitConverter.GetBytes(2L).CopyTo(b, 0x18);
            return b;
        });
        Assert.Throws<FormatException>(() => _ml.Model.Load(shortBlock, out _));

        var badSchema = RewriteEntry(saved, "Schema", b => b.Take(12).ToArray());
        Assert.Throws<FormatException>(() => _ml.Model.Load(badSchema, out _));
    }

    [Fact]
    public void Load_NewerModelVersionOrUnknownLoader_IsRejected()
    {
        var saved = SavedModel(_ml.Transforms.NormalizeMinMax("A").Fit(Data()));
        var newer = RewriteEntry(saved, "TransformerChain/Model.key", b =>
        {
            BitConverter.GetBytes(0x00020001u).CopyTo(b, 0x4C);
            return b;
        });
        var ex = Assert.Throws<FormatException>(() => _ml.Model.Load(newer, out _));
        Assert.Contains("newer", ex.Message);

        var unknown = RewriteEntry(saved, "TransformerChain/Model.key", b =>
        {
            Encoding.ASCII.GetBytes("NoSuchLoader\0\0\0\0\0\0\0\0\0\0\0\0").CopyTo(b, 0x50);
            return b;
        });
        var unknownEx = Assert.Throws<InvalidOperationException>(() => _ml.Model.Load(unknown, out _));
        Assert.Contains("NoSuchLoader", unknownEx.Message);
    }

    [Fact]
    public void Load_AcceptsBackslashEntryNames()
    {
        var saved = SavedModel(_ml.Transforms.Concatenate("F", "A").Append(_ml.Transforms.NormalizeMinMax("F")).Fit(Data()));
        var windows = RewriteEntry(saved, string.Empty, b => b, name => name.Replace('/', '\\'));
        var loaded = _ml.Model.Load(windows, out var schema);
        Assert.NotNull(schema);
        Assert.Equal(2, ((TransformerChain<ITransformer>)loaded).Count());
    }

    [Fact]
    public void Save_Failure_LeavesExistingFileUntouched()
    {
        string path = TestData.TempPath("keep.zip");
        try
        {
            _ml.Model.Save(_ml.Transforms.NormalizeMinMax("A").Fit(Data()), Data().Schema, path);
            var before = File.ReadAllBytes(path);
            var unsavable = _ml.Transforms.CustomMapping<DoubleIn, DoubleOut>(TwiceFactory.Map, contractName: null).Fit(Data());
            var ex = Assert.Throws<InvalidOperationException>(() => _ml.Model.Save(unsavable, Data().Schema, path));
            Assert.Contains("contract name", ex.Message);
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}*.tmp"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => _ml.Model.Load(TestData.TempPath("missing.zip"), out _));
    }

    [Fact]
    public void CustomMapping_WithoutRegisteredFactory_FailsClearly()
    {
        var t = _ml.Transforms.CustomMapping<DoubleIn, DoubleOut>(TwiceFactory.Map, "Compat.Tests.NoFactory").Fit(Data());
        using var stream = new MemoryStream();
        _ml.Model.Save(t, null, stream);
        stream.Position = 0;
        var ex = Assert.Throws<InvalidOperationException>(() => new MLContext(1).Model.Load(stream, out _));
        Assert.Contains("Compat.Tests.NoFactory", ex.Message);
    }

    [Fact]
    public void ThirdPartyTransformer_WritesSidecarStreams()
    {
        var t = new ScaleTransformer("A", 2, new[] { 1f });
        using var stream = new MemoryStream();
        _ml.Model.Save(t, null, stream);
        stream.Position = 0;
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true))
        {
            Assert.NotNull(zip.GetEntry("TransformerChain/Weights.bin"));
            Assert.NotNull(zip.GetEntry("TransformerChain/Config.json"));
        }

        stream.Position = 0;
        var loaded = Assert.IsType<ScaleTransformer>(_ml.Model.Load(stream, out _));
        Assert.Equal(2, loaded.Factor);
        Assert.Equal(new[] { 1f }, loaded.Weights);
    }
}
