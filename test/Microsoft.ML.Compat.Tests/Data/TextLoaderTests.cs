using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests.Data;

public class TextLoaderTests : IDisposable
{
    private readonly MLContext _ml = new(seed: 1);
    private readonly List<string> _files = new();

    public sealed class House
    {
        [LoadColumn(0)]
        public float Size { get; set; }

        [LoadColumn(1)]
        public string Name { get; set; } = string.Empty;

        [LoadColumn(2, 4)]
        [VectorType(3)]
        public float[] Features { get; set; } = new float[3];

        [LoadColumn(5)]
        [ColumnName("Label")]
        public bool IsBig { get; set; }
    }

    private string Write(string content)
    {
        string path = TestData.TempPath("data.csv");
        File.WriteAllText(path, content);
        _files.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var f in _files)
        {
            File.Delete(f);
        }
    }

    [Fact]
    public void LoadFromTextFile_Typed_WithHeaderQuotingAndTrimming()
    {
        string path = Write("size,name,a,b,c,big\n120.5, \"Villa, large\" ,1,2,3,true\n\n80,flat,4,,6,false\n");
        var data = _ml.Data.LoadFromTextFile<House>(path, separatorChar: ',', hasHeader: true, allowQuoting: true, trimWhitespace: true);
        Assert.Equal(new[] { "Size", "Name", "Features", "Label" }, data.Schema.Select(c => c.Name));
        Assert.Equal("Vector<Single, 3>", data.Schema["Features"].Type.ToString());
        var rows = _ml.Data.CreateEnumerable<House>(data, reuseRowObject: false, ignoreMissingColumns: true).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(120.5f, rows[0].Size);
        Assert.Equal("Villa, large", rows[0].Name);
        Assert.Equal(new[] { 1f, 2f, 3f }, rows[0].Features);
        Assert.Equal(new[] { 4f, 0f, 6f }, rows[1].Features);
        Assert.Equal(new[] { true, false }, data.GetColumn<bool>("Label"));
    }

    [Fact]
    public void MissingRealsAsNaNs_Option()
    {
        string path = Write("1\t\t3\n");
        var options = new TextLoader.Options
        {
            Columns = new[] { new TextLoader.Column("V", DataKind.Single, 0, 2) },
            MissingRealsAsNaNs = true,
        };
        var v = _ml.Data.LoadFromTextFile(path, options).GetColumn<float[]>("V").Single();
        Assert.True(float.IsNaN(v[1]));
        Assert.Equal(0f, _ml.Data.LoadFromTextFile(path, new[] { new TextLoader.Column("V", DataKind.Single, 0, 2) }).GetColumn<float[]>("V").Single()[1]);
        Assert.True(float.IsNaN(_ml.Data.LoadFromTextFile(Write("?\n"), new[] { new TextLoader.Column("V", DataKind.Single, 0) }).GetColumn<float>("V").Single()));
    }

    [Fact]
    public void UnparsableValue_ReportsFileLineAndColumn()
    {
        string path = Write("h1,h2\n1,2\n3,oops\n");
        var data = _ml.Data.LoadFromTextFile(path, new[] { new TextLoader.Column("A", DataKind.Single, 0), new TextLoader.Column("B", DataKind.Int32, 1) }, separatorChar: ',', hasHeader: true);
        var ex = Assert.Throws<FormatException>(() => data.GetColumn<int>("B").ToList());
        Assert.Contains(path, ex.Message);
        Assert.Contains("line 3", ex.Message);
        Assert.Contains("column 2", ex.Message);
        Assert.Contains("'oops'", ex.Message);
    }

    [Fact]
    public void KeysVariableVectorsAndMissingFile()
    {
        string path = Write("2\t1\t2\t3\n0\t9\n\t\n");
        var loader = _ml.Data.CreateTextLoader(new[]
        {
            new TextLoader.Column("K", DataKind.UInt32, new[] { new TextLoader.Range(0) }, new KeyCount(3)),
            new TextLoader.Column("Rest", DataKind.Single, new[] { new TextLoader.Range(1, null) }),
        });
        var data = loader.Load(path);
        Assert.Equal("Key<UInt32, 0-2>", data.Schema["K"].Type.ToString());
        Assert.Equal("Vector<Single>", data.Schema["Rest"].Type.ToString());
        Assert.Equal(new uint[] { 3, 1, 0 }, data.GetColumn<uint>("K"));
        Assert.Equal(3, data.GetColumn<float[]>("Rest").First().Length);
        Assert.Single(data.GetColumn<float[]>("Rest").ElementAt(1));
        Assert.Same(loader.GetOutputSchema(), loader.GetOutputSchema());
        Assert.Throws<ArgumentException>(() => _ml.Data.LoadFromTextFile<House>(TestData.TempPath("missing.csv")));
        Assert.Throws<ArgumentException>(() => _ml.Data.LoadFromTextFile<House>(path, allowSparse: true));
    }

    [Fact]
    public void SaveAsText_ThenLoad_RoundTrips()
    {
        var rows = new[] { new Point { X = 1.5f, Y = float.NaN, Label = 1 }, new Point { X = -2, Y = 3, Label = 0 } };
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var stream = new MemoryStream();
        _ml.Data.SaveAsText(data, stream, separatorChar: ',', headerRow: true, schema: true);
        string text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("#@ TextLoader{header+ sep=, col=X:Single:0", lines[0]);
        Assert.Equal("X,Y,Label", lines[1].TrimEnd('\r'));
        Assert.Equal("1.5,?,1", lines[2].TrimEnd('\r'));

        string path = Write(text);
        var back = _ml.Data.LoadFromTextFile(path, new[] { new TextLoader.Column("X", DataKind.Single, 0), new TextLoader.Column("Y", DataKind.Single, 1) }, separatorChar: ',', hasHeader: true);
        Assert.Equal(new[] { 1.5f, -2f }, back.GetColumn<float>("X"));
        Assert.True(float.IsNaN(back.GetColumn<float>("Y").First()));
    }

    [Fact]
    public void SaveAsText_HiddenColumnsOnlyWithKeepHidden()
    {
        var data = _ml.Data.LoadFromEnumerable(TestData.Points(2));
        var withHidden = _ml.Transforms.CopyColumns("X", "Y").Fit(data).Transform(data);
        using var plain = new MemoryStream();
        _ml.Data.SaveAsText(withHidden, plain, schema: false);
        Assert.StartsWith("Y\tLabel\tX", System.Text.Encoding.UTF8.GetString(plain.ToArray()));
        using var hidden = new MemoryStream();
        _ml.Data.SaveAsText(withHidden, hidden, schema: false, keepHidden: true);
        Assert.StartsWith("X\tY\tLabel\tX", System.Text.Encoding.UTF8.GetString(hidden.ToArray()));
    }
}
