using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Recurrent.Training.Models;

namespace TimeSeriesSample;

/// <summary>What the sample runs with; the defaults are those of <c>dotnet run --project samples/TimeSeries</c>.</summary>
public sealed class SampleOptions
{
    /// <summary>The CSV (date, value) of the monthly series.</summary>
    public string DataPath = Path.Combine(AppContext.BaseDirectory, "Data", "elec_equip.csv");

    /// <summary>Where the plot and the model files go.</summary>
    public string OutputDirectory = Path.Combine(AppContext.BaseDirectory, "output");

    /// <summary>Training epochs (the refit on all windows adds half as many).</summary>
    public int Epochs = 30;

    /// <summary>Units of the LSTM layer.</summary>
    public int HiddenUnits = 64;

    /// <summary>Months held out at the end, never seen in training.</summary>
    public int HoldOut = 24;

    /// <summary>Months the LSTM reads per forecast (one season).</summary>
    public int WindowSize = 12;

    /// <summary>Months forecast at once.</summary>
    public int Horizon = 12;

    /// <summary>The season length (months) for the seasonal-naive baseline and the AR order.</summary>
    public int Season = 12;

    /// <summary>The seed of the MLContext and the forecaster.</summary>
    public int Seed = 1;
}

/// <summary>What one run produced.</summary>
public sealed record SampleResult(IReadOnlyList<ForecastMetrics> OneStep, IReadOnlyList<ForecastMetrics> AllSteps, string PlotPath, string ModelPath,
    string CheckPointPath, Forecast Future, bool CheckPointContinuesIdentically, TimeSpan Elapsed);

/// <summary>
/// The forecasting sample, in ML.NET code: train <c>ForecastByLstm</c> on all but the last two years of a monthly
/// series, save and reload the model, walk the held-out months with the reloaded forecast engine (forecast, then add
/// the month), compare with seasonal-naive and AR(12) forecasts given the same kind of calibrated interval, plot,
/// and checkpoint the engine after the last month.
/// </summary>
public static class ForecastingSample
{
    /// <summary>One month of the series, as the model reads it.</summary>
    public sealed class Month
    {
        /// <summary>The index value.</summary>
        public float Value;
    }

    /// <summary>The forecast engine's output: the next months and their 95% bounds.</summary>
    public sealed class MonthsAhead
    {
        /// <summary>Forecast values, one per month ahead.</summary>
        public float[] Forecast = [];

        /// <summary>Lower 95% bounds.</summary>
        public float[] Lower = [];

        /// <summary>Upper 95% bounds.</summary>
        public float[] Upper = [];
    }

    /// <summary>Runs the sample, printing progress and the results to <paramref name="console"/>.</summary>
    public static SampleResult Run(SampleOptions options, TextWriter console)
    {
        var clock = Stopwatch.StartNew();
        var (dates, series) = ReadSeries(options.DataPath);
        int n = series.Length, trainEnd = n - options.HoldOut;
        Directory.CreateDirectory(options.OutputDirectory);
        console.WriteLine($"{Path.GetFileName(options.DataPath)}: {n} months ({dates[0]:MMM yyyy} – {dates[^1]:MMM yyyy}); training on the first {trainEnd}, holding out the last {options.HoldOut}.");

        var mlContext = new MLContext(seed: options.Seed);
        mlContext.Log += (_, e) =>
        {
            if (e.Message.StartsWith("Training on", StringComparison.Ordinal)) console.WriteLine($"  {e.Message}");
        };
        var training = mlContext.Data.LoadFromEnumerable(series[..trainEnd].Select(v => new Month { Value = (float)v }));
        var pipeline = mlContext.Forecasting.ForecastByLstm(outputColumnName: "Forecast", inputColumnName: nameof(Month.Value),
            windowSize: options.WindowSize, horizon: options.Horizon, confidenceLowerBoundColumn: "Lower", confidenceUpperBoundColumn: "Upper",
            confidenceLevel: 0.95f, hiddenUnits: options.HiddenUnits, maxEpochs: options.Epochs, batchSize: 16, learningRate: 0.01, seed: options.Seed,
            progress: new EveryTenthEpoch(console));
        var model = pipeline.Fit(training);
        console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s.");

        string modelPath = Path.Combine(options.OutputDirectory, "elec_equip_lstm.zip");
        mlContext.Model.Save(model, training.Schema, modelPath);
        var loaded = mlContext.Model.Load(modelPath, out _);
        console.WriteLine($"Saved the model to {modelPath} and loaded it back.");

        // Walk the held-out months with the reloaded model: forecast from each month, then add it.
        var engine = loaded.CreateTimeSeriesEngine<Month, MonthsAhead>(mlContext);
        var lstm = new List<Forecast>();
        var next = engine.Predict();
        for (int origin = trainEnd - 1; origin < n - 1; origin++)
        {
            lstm.Add(ToForecast(origin, next));
            next = engine.Predict(new Month { Value = (float)series[origin + 1] });
        }

        var future = ToForecast(n - 1, next);

        // Baselines with the same interval method, calibrated on the last fifth of the training months.
        int calibrationStart = trainEnd - (int)Math.Round(0.2 * trainEnd);
        var beta = Baselines.FitAutoregression(series, trainEnd, options.Season);
        var naive = ConformalBaseline.Calibrate(h => Baselines.SeasonalNaive(h, options.Horizon, options.Season), series, calibrationStart, trainEnd, options.Horizon);
        var autoregressive = ConformalBaseline.Calibrate(h => Baselines.Autoregression(h, beta, options.Horizon), series, calibrationStart, trainEnd, options.Horizon);
        var origins = Enumerable.Range(trainEnd - 1, options.HoldOut).ToList();
        var naiveForecasts = origins.Select(o => naive.Predict(series[..(o + 1)], 0.95)).ToList();
        var arForecasts = origins.Select(o => autoregressive.Predict(series[..(o + 1)], 0.95)).ToList();

        var methods = new[] { ("LSTM (ForecastByLstm)", lstm), ("seasonal naive", naiveForecasts), ($"linear AR({options.Season})", arForecasts) };
        var oneStep = methods.Select(m => ForecastMetrics.Score(m.Item1, series, m.Item2, 1..2)).ToList();
        var allSteps = methods.Select(m => ForecastMetrics.Score(m.Item1, series, m.Item2, 1..)).ToList();
        Print(console, $"One month ahead, {options.HoldOut} held-out months:", oneStep);
        Print(console, $"1 to {options.Horizon} months ahead from every held-out month ({allSteps[0].Points} forecasts):", allSteps);

        string plotPath = Path.Combine(options.OutputDirectory, "elec_equip_forecast.svg");
        SvgPlot.Write(plotPath, dates, series, Math.Max(0, n - 96), trainEnd, lstm, future);

        // Checkpoint the engine after the last month; a reloaded checkpoint continues from there.
        string checkPointPath = Path.Combine(options.OutputDirectory, "elec_equip_lstm_updated.zip");
        engine.CheckPoint(mlContext, checkPointPath);
        var resumed = mlContext.Model.Load(checkPointPath, out _).CreateTimeSeriesEngine<Month, MonthsAhead>(mlContext);
        bool identical = resumed.Predict().Forecast.SequenceEqual(engine.Predict().Forecast);
        console.WriteLine();
        console.WriteLine($"Forecast after {dates[^1]:MMM yyyy} (95% interval):");
        for (int k = 0; k < future.Values.Length; k++)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {dates[^1].AddMonths(k + 1):MMM yyyy}  {future.Values[k],7:F2}  [{future.Lower[k]:F2}, {future.Upper[k]:F2}]"));
        }

        console.WriteLine($"Plot: {plotPath}");
        console.WriteLine($"Checkpoint with the state after the last month: {checkPointPath}; reloaded, it forecasts {(identical ? "the same values" : "DIFFERENT values")} as the live engine.");
        console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F1} s.");
        return new SampleResult(oneStep, allSteps, plotPath, modelPath, checkPointPath, future, identical, clock.Elapsed);
    }

    private static Forecast ToForecast(int origin, MonthsAhead f) =>
        new(origin, f.Forecast.Select(v => (double)v).ToArray(), f.Lower.Select(v => (double)v).ToArray(), f.Upper.Select(v => (double)v).ToArray());

    private static void Print(TextWriter console, string title, IEnumerable<ForecastMetrics> rows)
    {
        console.WriteLine();
        console.WriteLine(title);
        console.WriteLine("| method | MAE | RMSE | sMAPE % | 95% interval coverage % |");
        console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var r in rows)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Method} | {r.Mae:F3} | {r.Rmse:F3} | {r.Smape:F2} | {r.Coverage:F1} |"));
        }
    }

    private static (DateTime[] Dates, double[] Values) ReadSeries(string path)
    {
        var rows = File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray();
        return (rows.Select(r => DateTime.Parse(r[0], CultureInfo.InvariantCulture)).ToArray(),
            rows.Select(r => double.Parse(r[1], CultureInfo.InvariantCulture)).ToArray());
    }

    /// <summary>Prints every tenth epoch on the training thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class EveryTenthEpoch(TextWriter console) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.EpochEnd && ((value.Epoch + 1) % 10 == 0 || value.Epoch + 1 == value.Epochs))
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  epoch {value.Epoch + 1}/{value.Epochs}  loss {value.Logs["loss"]:F4}{(value.Logs.TryGetValue("val_loss", out double v) ? $"  val_loss {v:F4}" : "")}"));
            }
        }
    }
}
