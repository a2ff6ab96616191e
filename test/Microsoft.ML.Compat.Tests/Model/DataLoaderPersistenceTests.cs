using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests.Model;

public class DataLoaderPersistenceTests
{
    [Fact]
    public void SaveWithLoader_LoadWithDataLoader_RestoresBoth()
    {
        var ml = new MLContext(seed: 1);
        string data = TestData.TempPath("loader.tsv");
        string model = TestData.TempPath("loader-model.zip");
        File.WriteAllText(data, "1\t2\n3\t5\n");
        try
        {
            var loader = ml.Data.CreateTextLoader(new[] { new TextLoader.Column("A", DataKind.Single, 0), new TextLoader.Column("B", DataKind.Single, 1) });
            var transformer = ml.Transforms.Concatenate("F", "A", "B").Append(ml.Transforms.NormalizeMinMax("F")).Fit(loader.Load(data));
            ml.Model.Save(transformer, loader, model);

            var fresh = new MLContext(seed: 2);
            var loaded = fresh.Model.LoadWithDataLoader(model, out var loadedLoader);
            var expected = transformer.Transform(loader.Load(data)).GetColumn<float[]>("F").ToList();
            Assert.Equal(expected, loaded.Transform(loadedLoader.Load(data)).GetColumn<float[]>("F").ToList());

            fresh.Model.Load(model, out var inputSchema);
            Assert.Equal(new[] { "A", "B" }, inputSchema.Select(c => c.Name));

            ml.Model.Save(transformer, inputSchema, model);
            Assert.Throws<FormatException>(() => fresh.Model.LoadWithDataLoader(model, out _));
        }
        finally
        {
            File.Delete(data);
            File.Delete(model);
        }
    }
}
