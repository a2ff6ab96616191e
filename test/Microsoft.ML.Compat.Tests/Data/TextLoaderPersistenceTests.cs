using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests.Data;

public class TextLoaderPersistenceTests
{
    [Fact]
    public void TextLoader_SavesAndLoadsItsOptions()
    {
        var ml = new MLContext(seed: 1);
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = new[]
            {
                new TextLoader.Column("K", DataKind.UInt32, new[] { new TextLoader.Range(0) }, new KeyCount(4)),
                new TextLoader.Column("V", DataKind.Single, 1, 3),
            },
            Separators = new[] { ';' },
            HasHeader = true,
            AllowQuoting = true,
            MissingRealsAsNaNs = true,
        });

        using var stream = new MemoryStream();
        using (var rep = new RepositoryWriter(stream))
        {
            ModelSaveContext.SaveModel(rep, loader, "Loader");
        }

        stream.Position = 0;
        using var reader = new RepositoryReader(stream);
        ModelLoadContext.LoadModel<IDataLoader<IMultiStreamSource>, SignatureLoadModel>(ml, out var loaded, reader, "Loader");
        Assert.Equal(loader.GetOutputSchema().Select(c => c.ToString()), loaded.GetOutputSchema().Select(c => c.ToString()));

        string path = TestData.TempPath("persisted.csv");
        File.WriteAllText(path, "k;a;b;c\n2;1;;3\n");
        try
        {
            var values = loaded.Load(path).GetColumn<float[]>("V").Single();
            Assert.Equal(1f, values[0]);
            Assert.True(float.IsNaN(values[1]));
            Assert.Equal(new uint[] { 3 }, loaded.Load(path).GetColumn<uint>("K"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
