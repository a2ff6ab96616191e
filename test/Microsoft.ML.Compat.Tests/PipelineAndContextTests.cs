using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Compat.Tests;

public class PipelineAndContextTests
{
    private readonly MLContext _ml = new(seed: 1);

    private IDataView Data() => _ml.Data.LoadFromEnumerable(TestData.Points(10));

    [Fact]
    public void EstimatorChain_FitsLeftToRight_AndExposesLastEstimator()
    {
        var chain = new EstimatorChain<ITransformer>()
            .Append(_ml.Transforms.Concatenate("F", "X", "Y"))
            .Append(_ml.Transforms.NormalizeMinMax("F"), TransformerScope.Training);
        Assert.IsType<NormalizingEstimator>(chain.LastEstimator);
        var shape = chain.GetOutputSchema(SchemaShape.Create(Data().Schema));
        Assert.Contains(shape, c => c.Name == "F" && c.Kind == SchemaShape.Column.VectorKind.Vector);
        var model = chain.Fit(Data());
        Assert.Equal(2, model.Count());
        Assert.True(model.IsRowToRowMapper);

        // The normalizer only applies in the Training scope.
        Assert.False(model.Transform(Data(), TransformerScope.Scoring).Schema["F"].IsNormalized());
        Assert.True(model.Transform(Data(), TransformerScope.Training).Schema["F"].IsNormalized());
        Assert.Single(model.GetModelFor(TransformerScope.Scoring));
        Assert.False(model.GetOutputSchema(Data().Schema, TransformerScope.Scoring)["F"].IsNormalized());
    }

    [Fact]
    public void TransformerChain_AppendAndRowMapperCompose()
    {
        var concat = _ml.Transforms.Concatenate("F", "X", "Y").Fit(Data());
        var norm = _ml.Transforms.NormalizeMinMax("F").Fit(concat.Transform(Data()));
        TransformerChain<NormalizingTransformer> chain = concat.Append(norm);
        var extended = chain.Append(_ml.Transforms.CopyColumns("G", "F").Fit(chain.Transform(Data())));
        Assert.IsType<ColumnCopyingTransformer>(extended.LastTransformer);
        var mapper = extended.GetRowToRowMapper(Data().Schema);
        Assert.Equal(extended.GetOutputSchema(Data().Schema).Count, mapper.OutputSchema.Count);
        var deps = mapper.GetDependencies(new[] { mapper.OutputSchema["G"] }).Select(c => c.Name).ToList();
        Assert.Equal(new[] { "X", "Y" }, deps);
        var chainOfParams = new TransformerChain<ITransformer>(concat, norm);
        Assert.Same(norm, chainOfParams.LastTransformer);
        chainOfParams.Dispose();
    }

    [Fact]
    public void WithOnFitDelegate_AndAppendCacheCheckpoint()
    {
        NormalizingTransformer? seen = null;
        var est = _ml.Transforms.Concatenate("F", "X", "Y")
            .AppendCacheCheckpoint(_ml)
            .Append(_ml.Transforms.NormalizeMinMax("F").WithOnFitDelegate(t => seen = t));
        var model = est.Fit(Data());
        Assert.NotNull(seen);
        Assert.Equal(10, model.Transform(Data()).GetColumn<float[]>("F").Count());

        using var stream = new MemoryStream();
        _ml.Model.Save(model, Data().Schema, stream);
        stream.Position = 0;
        var loaded = (TransformerChain<ITransformer>)_ml.Model.Load(stream, out _);
        Assert.Equal(2, loaded.Count());
    }

    [Fact]
    public void MLContext_Log_ReceivesMessagesWithSourceAndKind()
    {
        var messages = new List<LoggingEventArgs>();
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) => messages.Add(e);
        var data = ml.Data.LoadFromEnumerable(TestData.Points(3));
        ml.Transforms.NormalizeMinMax("X").Fit(data);
        Assert.Contains(messages, m => m.Source == nameof(NormalizingEstimator) && m.Kind == ChannelMessageKind.Trace);

        IHostEnvironment env = ml;
        using (var ch = env.Start("MyComponent"))
        {
            ch.Warning(MessageSensitivity.None, "value {0} is odd", 3);
        }

        var last = messages[^1];
        Assert.Equal("[Source=MyComponent, Kind=Warning] value 3 is odd", last.Message);
        Assert.Equal("value 3 is odd", last.RawMessage);
        Assert.Equal("[Source=, Kind=Info] hi", new LoggingEventArgs("hi").Message);
    }

    [Fact]
    public void MLContext_SeedMakesHostsDeterministic_AndOptionsBag()
    {
        IHostEnvironment a = new MLContext(seed: 7);
        IHostEnvironment b = new MLContext(seed: 7);
        Assert.Equal(a.Register("x").Rand.Next(), b.Register("x").Rand.Next());
        Assert.Equal(new Random(3).Next(10), a.Register("y", seed: 3).Rand.Next(10));

        var ml = new MLContext();
        ml.SetOption("gpu", 2);
        Assert.True(ml.TryGetOption("gpu", out int gpu));
        Assert.Equal(2, gpu);
        Assert.False(ml.TryAddOption("gpu", 3));
        Assert.Equal(2, ml.GetOptionOrDefault<int>("gpu"));
        Assert.True(ml.RemoveOption("gpu"));
        Assert.Equal(0, ml.GetOptionOrDefault<int>("gpu"));
        Assert.False(ml.TryGetOption("gpu", out string _));
        ml.GpuDeviceId = 1;
        ml.FallbackToCpu = true;
        Assert.Equal(1, ml.GpuDeviceId);
        Assert.False(string.IsNullOrEmpty(ml.TempFilePath));
        Assert.NotNull(ml.Forecasting.Trainers);
        Assert.NotNull(ml.Regression.Trainers);
        Assert.NotNull(ml.BinaryClassification.Calibrators);
        Assert.NotNull(ml.Transforms.Text);
        Assert.NotNull(ml.AnomalyDetection.Trainers);
        Assert.NotNull(ml.Clustering.Trainers);
        Assert.NotNull(ml.Ranking.Trainers);
    }

    [Fact]
    public void ComponentCatalog_RegisterAssembly_IsIdempotentAndRejectsDuplicateContracts()
    {
        var ml = new MLContext(seed: 1);
        ml.ComponentCatalog.RegisterAssembly(typeof(PipelineAndContextTests).Assembly);
        ml.ComponentCatalog.RegisterAssembly(typeof(PipelineAndContextTests).Assembly);
        Assert.NotNull(ml.ComponentCatalog.GetExtensionType("Compat.Tests.Twice"));
        Assert.Throws<ArgumentNullException>(() => ml.ComponentCatalog.RegisterAssembly(null!));
    }
}
