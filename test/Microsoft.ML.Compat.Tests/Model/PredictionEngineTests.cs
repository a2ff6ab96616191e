using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests.Model;

public class PredictionEngineTests
{
    private readonly MLContext _ml = new(seed: 1);

    public sealed class In
    {
        public float A { get; set; }
    }

    public sealed class Out
    {
        public float Scaled { get; set; }

        public float A { get; set; }
    }

    public sealed class OutWithExtra
    {
        public float Scaled { get; set; }

        public float NotThere { get; set; } = 7;
    }

    public sealed class VectorOut
    {
        public float[] F { get; set; } = Array.Empty<float>();
    }

    private readonly ScaleTransformer _scale = new("A", 2, new[] { 1f });

    [Fact]
    public void Predict_MapsOutputColumnsByName_AndEchoesInputs()
    {
        using var engine = _ml.Model.CreatePredictionEngine<In, Out>(_scale);
        var result = engine.Predict(new In { A = 3 });
        Assert.Equal(7f, result.Scaled);
        Assert.Equal(3f, result.A);
        Assert.Equal("Scaled", engine.OutputSchema[engine.OutputSchema.Count - 1].Name);
    }

    [Fact]
    public void Predict_WithRef_ReusesOutputObject_PlainPredictAllocates()
    {
        using var engine = _ml.Model.CreatePredictionEngine<In, Out>(_scale);
        var reused = new Out();
        var original = reused;
        engine.Predict(new In { A = 1 }, ref reused);
        Assert.Same(original, reused);
        Assert.Equal(3f, reused.Scaled);
        engine.Predict(new In { A = 5 }, ref reused);
        Assert.Same(original, reused);
        Assert.Equal(11f, reused.Scaled);
        Out? created = null;
        engine.Predict(new In { A = 0 }, ref created!);
        Assert.NotNull(created);
        Assert.NotSame(engine.Predict(new In { A = 1 }), engine.Predict(new In { A = 1 }));
    }

    [Fact]
    public void IgnoreMissingColumns_DefaultKeepsInitialValue_FalseThrows()
    {
        using var engine = _ml.Model.CreatePredictionEngine<In, OutWithExtra>(_scale);
        Assert.Equal(7f, engine.Predict(new In { A = 1 }).NotThere);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Model.CreatePredictionEngine<In, OutWithExtra>(_scale, ignoreMissingColumns: false));
        Assert.Contains("Could not find  column 'NotThere'", ex.Message);
    }

    [Fact]
    public void Dispose_DisposesTransformerOnlyWhenOwned()
    {
        var owned = new ScaleTransformer("A", 1, Array.Empty<float>());
        _ml.Model.CreatePredictionEngine<In, Out>(owned).Dispose();
        Assert.True(owned.Disposed);

        var notOwned = new ScaleTransformer("A", 1, Array.Empty<float>());
        _ml.Model.CreatePredictionEngine<In, Out>(notOwned, new PredictionEngineOptions { OwnsTransformer = false }).Dispose();
        Assert.False(notOwned.Disposed);

        var engine = _ml.Model.CreatePredictionEngine<In, Out>(new ScaleTransformer("A", 1, Array.Empty<float>()));
        engine.Dispose();
        Assert.Throws<ObjectDisposedException>(() => engine.Predict(new In()));
    }

    [Fact]
    public void VectorOutputs_FillArrays_AndChainsWork()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new In { A = 2 }, new In { A = -4 } });
        var model = _ml.Transforms.Concatenate("F", "A", "A").Append(_ml.Transforms.NormalizeMinMax("F")).Fit(data);
        using var engine = _ml.Model.CreatePredictionEngine<In, VectorOut>(model);
        Assert.Equal(new[] { 0.5f, 0.5f }, engine.Predict(new In { A = 2 }).F);
        Assert.Equal(new[] { -1f, -1f }, engine.Predict(new In { A = -4 }).F);
    }

    [Fact]
    public void NonRowMapper_AndMissingInputColumn_Throw()
    {
        Assert.Throws<InvalidOperationException>(() => _ml.Model.CreatePredictionEngine<In, Out>(new NotRowMapperTransformer()));
        var needsB = new ScaleTransformer("B", 1, Array.Empty<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Model.CreatePredictionEngine<In, Out>(needsB));
    }

    [Fact]
    public void InputSchemaOverload_UsesSavedSchemaTypes()
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn("A", NumberDataViewType.Single);
        using var engine = _ml.Model.CreatePredictionEngine<In, Out>(_scale, b.ToSchema());
        Assert.Equal(5f, engine.Predict(new In { A = 2 }).Scaled);
    }
}
