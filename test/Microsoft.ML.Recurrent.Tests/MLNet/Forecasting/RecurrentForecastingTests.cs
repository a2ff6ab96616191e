using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Transforms.TimeSeries;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Forecasting;

/// <summary>ForecastByLstm / ForecastByGru end to end: fit, forecast engine, save/load, checkpoints, intervals and bad input.</summary>
public class RecurrentForecastingTests(ITestOutputHelper output)
{
    public sealed class Observation
    {
        public float Value;
    }

    public sealed class ObservationWithCovariate
    {
        public float Value;
        public float Inflation;
    }

    public sealed class SeriesForecast
    {
        public float[] Forecast = [];
        public float[] Lower = [];
        public float[] Upper = [];
    }

    public sealed class DoubleObservation
    {
        public double Value;
    }

    /// <summary>
    /// Held-out accuracy from fixed seeds: trained on all but the last fifth of a shared series, the engine walks the
    /// held-out part (forecast, then add the observation) and must beat the seasonal-naive forecast's sMAPE, with its
    /// 95% intervals covering 90–100% of the held-out points.
    /// </summary>
    [Theory]
    [InlineData("elnino", 12, 24, 16, 20, 32)]
    [InlineData("macrodata unemployment", 4, 12, 16, 60, 16)]
    public void Forecaster_beats_seasonal_naive_with_calibrated_intervals_on_held_out_data(string name, int season, int window, int units, int epochs, int batch)
    {
        const int horizon = 3;
        var series = name == "elnino" ? SharedSeries.ElNino() : SharedSeries.Unemployment();
        int trainEnd = series.Length - Math.Max(48, series.Length / 5);
        var ml = new MLContext(seed: 1);
        var model = ml.Forecasting.ForecastByLstm("Forecast", "Value", window, horizon, "Lower", "Upper",
                hiddenUnits: units, maxEpochs: epochs, batchSize: batch, learningRate: 0.01, seed: 1)
            .Fit(Load(ml, series[..trainEnd]));

        var engine = model.CreateTimeSeriesEngine<Observation, SeriesForecast>(ml);
        var forecast = engine.Predict();
        double lstm = 0, naive = 0;
        int points = 0, covered = 0;
        for (int t = trainEnd; t < series.Length; t++)
        {
            for (int k = 0; k < horizon && t + k < series.Length; k++)
            {
                float actual = series[t + k];
                lstm += Smape(actual, forecast.Forecast[k]);
                naive += Smape(actual, series[t + k - season * (1 + k / season)]);
                covered += actual >= forecast.Lower[k] && actual <= forecast.Upper[k] ? 1 : 0;
                points++;
            }

            forecast = engine.Predict(new Observation { Value = series[t] });
        }

        double coverage = 100.0 * covered / points;
        output.WriteLine($"{name}: sMAPE LSTM {100 * lstm / points:F2}%, seasonal naive {100 * naive / points:F2}%, 95% interval coverage {coverage:F1}% of {points} points");
        Assert.True(lstm < naive, $"LSTM sMAPE {100 * lstm / points:F2}% is not below seasonal naive {100 * naive / points:F2}%.");
        Assert.InRange(coverage, 90, 100);
    }

    [Fact]
    public void Saved_and_loaded_model_forecasts_the_same_and_a_checkpoint_continues_from_the_updated_state()
    {
        var series = SharedSeries.Unemployment();
        var ml = new MLContext(seed: 1);
        var model = SmallForecaster(ml).Fit(Load(ml, series[..150]));

        using var saved = new MemoryStream();
        ml.Model.Save(model, null, saved);
        saved.Position = 0;
        var loaded = ml.Model.Load(saved, out _);
        var original = model.CreateTimeSeriesEngine<Observation, SeriesForecast>(ml);
        var reloaded = loaded.CreateTimeSeriesEngine<Observation, SeriesForecast>(ml);
        AssertSame(original.Predict(), reloaded.Predict());

        // Feed five more quarters, checkpoint, reload: the reloaded engine forecasts from the updated state.
        for (int t = 150; t < 155; t++)
        {
            original.Predict(new Observation { Value = series[t] });
        }

        var updated = original.Predict();
        using var checkpoint = new MemoryStream();
        original.CheckPoint(ml, checkpoint);
        checkpoint.Position = 0;
        var continued = ml.Model.Load(checkpoint, out _).CreateTimeSeriesEngine<Observation, SeriesForecast>(ml);
        AssertSame(updated, continued.Predict());
        Assert.NotEqual(reloaded.Predict().Forecast, continued.Predict().Forecast);

        // Both go on identically with the next observation.
        AssertSame(original.Predict(new Observation { Value = series[155] }), continued.Predict(new Observation { Value = series[155] }));
    }

    [Fact]
    public void Save_and_load_through_the_official_mlnet_reflection_binding_give_identical_forecasts()
    {
        var ml = new MLContext(seed: 1);
        var model = SmallForecaster(ml).Fit(Load(ml, SharedSeries.Unemployment()[..120]));
        var binding = new ReflectionInternals();
        using var stream = new MemoryStream();
        using (MLNetInternals.Use(binding))
        {
            ml.Model.Save(model, null, stream);
        }

        var fresh = new MLContext(seed: 2);
        binding.RegisterLoader(fresh.ComponentCatalog, typeof(RecurrentForecastingTransformer), RecurrentForecastingTransformer.LoaderSignature);
        stream.Position = 0;
        ITransformer loaded;
        using (MLNetInternals.Use(binding))
        {
            loaded = fresh.Model.Load(stream, out _);
        }

        AssertSame(model.CreateTimeSeriesEngine<Observation, SeriesForecast>(ml).Predict(), loaded.CreateTimeSeriesEngine<Observation, SeriesForecast>(fresh).Predict());
    }

    [Fact]
    public void CheckPoint_to_a_file_replaces_it_whole_and_reloads()
    {
        var ml = new MLContext(seed: 1);
        var series = SharedSeries.Unemployment();
        var engine = SmallForecaster(ml).Fit(Load(ml, series[..120])).CreateTimeSeriesEngine<Observation, SeriesForecast>(ml);
        engine.Predict(new Observation { Value = series[120] });
        string path = Path.Combine(Path.GetTempPath(), $"forecaster-{Guid.NewGuid():N}.zip");
        try
        {
            engine.CheckPoint(ml, path);
            var reloaded = ml.Model.Load(path, out _).CreateTimeSeriesEngine<Observation, SeriesForecast>(ml);
            AssertSame(engine.Predict(), reloaded.Predict());
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $".{Path.GetFileName(path)}.*.tmp"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Transform_forecasts_after_every_row_like_the_engine()
    {
        var series = SharedSeries.Unemployment();
        var ml = new MLContext(seed: 1);
        var model = SmallForecaster(ml).Fit(Load(ml, series[..150]));
        var scored = model.Transform(Load(ml, series[150..160]));

        Assert.Equal("Vector<Single, 3>", scored.Schema["Forecast"].Type.ToString());
        Assert.Equal("Vector<Single, 3>", scored.Schema["Upper"].Type.ToString());
        var rows = ml.Data.CreateEnumerable<SeriesForecast>(scored, reuseRowObject: false).ToList();
        var engine = model.CreateTimeSeriesEngine<Observation, SeriesForecast>(ml);
        Assert.Equal(10, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            AssertSame(engine.Predict(new Observation { Value = series[150 + i] }), rows[i]);
        }
    }

    [Fact]
    public void Estimator_output_schema_adds_the_forecast_and_bound_vectors()
    {
        var ml = new MLContext(seed: 1);
        var input = new SchemaShape([MLNetInternals.Current.CreateSchemaColumn("Value", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, null)]);
        var shape = SmallForecaster(ml).GetOutputSchema(input);
        Assert.Equal(["Value", "Forecast", "Lower", "Upper"], shape.Select(c => c.Name));
        Assert.All(shape.Skip(1), c => Assert.Equal(SchemaShape.Column.VectorKind.Vector, c.Kind));
    }

    [Fact]
    public void Horizon_and_confidence_level_can_be_overridden_per_call()
    {
        var ml = new MLContext(seed: 1);
        var engine = SmallForecaster(ml).Fit(Load(ml, SharedSeries.Unemployment()[..150])).CreateTimeSeriesEngine<Observation, SeriesForecast>(ml);
        var full = engine.Predict();
        var two = engine.Predict(horizon: 2);
        var narrow = engine.Predict(confidenceLevel: 0.5f);

        Assert.Equal(3, full.Forecast.Length);
        Assert.Equal(full.Forecast[..2], two.Forecast);
        Assert.Equal(2, two.Lower.Length);
        for (int k = 0; k < 3; k++)
        {
            Assert.True(narrow.Upper[k] - narrow.Lower[k] < full.Upper[k] - full.Lower[k], $"step {k}: the 50% interval is not narrower than the 95% one");
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Predict(horizon: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Predict(confidenceLevel: 1f));
    }

    [Fact]
    public void Gru_forecaster_with_a_covariate_trains_saves_and_forecasts()
    {
        var ml = new MLContext(seed: 1);
        var unemployment = SharedSeries.Unemployment();
        var inflation = SharedSeries.Inflation();
        var rows = unemployment.Zip(inflation, (u, i) => new ObservationWithCovariate { Value = u, Inflation = i }).ToArray();
        var model = ml.Forecasting.ForecastByGru("Forecast", "Value", windowSize: 8, horizon: 2, "Lower", "Upper",
                covariateColumnNames: ["Inflation"], hiddenUnits: 8, maxEpochs: 3, seed: 2)
            .Fit(ml.Data.LoadFromEnumerable(rows[..150]));

        using var saved = new MemoryStream();
        ml.Model.Save(model, null, saved);
        saved.Position = 0;
        var engine = ml.Model.Load(saved, out _).CreateTimeSeriesEngine<ObservationWithCovariate, SeriesForecast>(ml);
        var forecast = engine.Predict(rows[150]);
        Assert.Equal(2, forecast.Forecast.Length);
        Assert.All(forecast.Forecast, v => Assert.True(float.IsFinite(v)));
        AssertSame(model.CreateTimeSeriesEngine<ObservationWithCovariate, SeriesForecast>(ml).Predict(rows[150]), forecast);
    }

    [Fact]
    public void Training_writes_epoch_lines_to_the_mlcontext_log()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => messages.Add(e.Message);
        SmallForecaster(ml).Fit(Load(ml, SharedSeries.Unemployment()[..100]));
        Assert.Contains(messages, m => m.Contains("Epoch 2/2", StringComparison.Ordinal) && m.Contains("val_loss", StringComparison.Ordinal));
    }

    [Fact]
    public void Series_shorter_than_the_window_is_an_error_naming_the_column_and_the_rows_needed()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.Throws<InvalidOperationException>(() =>
            ml.Forecasting.ForecastByLstm("Forecast", "Value", windowSize: 12, horizon: 3, maxEpochs: 1).Fit(Load(ml, new float[10])));
        Assert.Contains("Column 'Value' has 10 rows", error.Message);
        Assert.Contains("at least", error.Message);
    }

    [Fact]
    public void NaN_in_the_series_is_an_error_naming_column_and_row()
    {
        var ml = new MLContext(seed: 1);
        var series = SharedSeries.Unemployment()[..100];
        series[37] = float.NaN;
        var error = Assert.Throws<InvalidOperationException>(() => SmallForecaster(ml).Fit(Load(ml, series)));
        Assert.Contains("Column 'Value', row 37", error.Message);
        Assert.Contains("NaN", error.Message);

        var engine = SmallForecaster(ml).Fit(Load(ml, SharedSeries.Unemployment()[..100])).CreateTimeSeriesEngine<Observation, SeriesForecast>(ml);
        var predictError = Assert.Throws<InvalidOperationException>(() => engine.Predict(new Observation { Value = float.PositiveInfinity }));
        Assert.Contains("Column 'Value', row 100", predictError.Message);
    }

    [Fact]
    public void A_series_column_that_is_not_Single_is_an_error_naming_column_and_type()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 50).Select(i => new DoubleObservation { Value = i }));
        var estimator = SmallForecaster(ml);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        Assert.Contains("'Value'", error.Message);
        Assert.Contains("expected Single, got Double", error.Message);
        var doubleShape = new SchemaShape([MLNetInternals.Current.CreateSchemaColumn("Value", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Double, false, null)]);
        Assert.Contains("expected Single", Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(doubleShape)).Message);
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Forecasting.ForecastByLstm("Forecast", "Nope", 4, 2).Fit(Load(ml, new float[50])));
        Assert.Contains("'Nope'", missing.Message);
    }

    [Fact]
    public void Bad_options_name_the_parameter()
    {
        var ml = new MLContext(seed: 1);
        Assert.Equal("Horizon", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.ForecastByLstm("F", "Value", 4, 0)).ParamName);
        Assert.Equal("ConfidenceLevel", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.ForecastByLstm("F", "Value", 4, 2, "L", "U", confidenceLevel: 1.5f)).ParamName);
        Assert.Equal("ConfidenceUpperBoundColumn", Assert.Throws<ArgumentException>(() => ml.Forecasting.ForecastByLstm("F", "Value", 4, 2, "L")).ParamName);
    }

    private static RecurrentForecastingEstimator SmallForecaster(MLContext ml) =>
        ml.Forecasting.ForecastByLstm("Forecast", "Value", windowSize: 8, horizon: 3, "Lower", "Upper", hiddenUnits: 8, maxEpochs: 2, seed: 3);

    private static IDataView Load(MLContext ml, float[] series) => ml.Data.LoadFromEnumerable(series.Select(v => new Observation { Value = v }));

    private static double Smape(double actual, double forecast) => 2 * Math.Abs(actual - forecast) / (Math.Abs(actual) + Math.Abs(forecast));

    private static void AssertSame(SeriesForecast expected, SeriesForecast actual)
    {
        Assert.Equal(expected.Forecast, actual.Forecast);
        Assert.Equal(expected.Lower, actual.Lower);
        Assert.Equal(expected.Upper, actual.Upper);
    }
}
