// Forecasts the monthly EU electrical-equipment production index one month ahead with an LSTM, and compares it
// with a seasonal-naive and a linear autoregressive baseline on the last two years, which the model never sees.
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Losses;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Recurrent.Training.Optimizers;

const int Window = 12;
const int HoldOut = 24;
const int Season = 12;
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60;

var series = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "elec_equip.csv"))
    .Skip(1)
    .Select(line => double.Parse(line.Split(',')[1], CultureInfo.InvariantCulture))
    .ToArray();
int trainEnd = series.Length - HoldOut;
Console.WriteLine($"elec_equip: {series.Length} months; training on the first {trainEnd}, forecasting the last {HoldOut}.");

// Scale with training statistics only, so nothing from the held-out part leaks in.
double mean = series[..trainEnd].Average();
double std = Math.Sqrt(series[..trainEnd].Select(v => (v - mean) * (v - mean)).Average());
float Scale(double v) => (float)((v - mean) / std);

var (x, y) = Windows(0, trainEnd);
RandomSeeds.Set(42);
var model = new Sequential([new Lstm(32), new Dense(1)]);
model.Compile(new Adam(learningRate: 0.01), new MeanSquaredError());
var clock = Stopwatch.StartNew();
var history = model.Fit(x, y, batchSize: 16, epochs: epochs, verbose: 0,
    progress: new SynchronousProgress(p => { if (p.EpochEnd && (p.Epoch + 1) % 10 == 0) Console.WriteLine($"  epoch {p.Epoch + 1}/{epochs}  loss {p.Logs["loss"]:F4}"); }));
Console.WriteLine($"Trained LSTM(32) + Dense(1) for {epochs} epochs in {clock.Elapsed.TotalSeconds:F1} s.");

// One-step-ahead forecasts over the held-out months, each from the 12 actual months before it.
var (testX, _) = Windows(trainEnd - Window, series.Length);
var lstm = model.Predict(testX).ToArray<float>().Select(v => v * std + mean).ToArray();
var actual = series[trainEnd..];
var seasonalNaive = Enumerable.Range(trainEnd, HoldOut).Select(t => series[t - Season]).ToArray();
var autoregressive = LinearAutoregression(series, trainEnd, Window);

Console.WriteLine();
Console.WriteLine("| method | MAE | RMSE | sMAPE % |");
Console.WriteLine("| --- | --- | --- | --- |");
foreach (var (name, forecast) in new[] { ("LSTM", lstm), ("seasonal naive", seasonalNaive), ("linear AR(12)", autoregressive) })
{
    double mae = actual.Zip(forecast, (a, f) => Math.Abs(a - f)).Average();
    double rmse = Math.Sqrt(actual.Zip(forecast, (a, f) => (a - f) * (a - f)).Average());
    double smape = 100 * actual.Zip(forecast, (a, f) => 2 * Math.Abs(a - f) / (Math.Abs(a) + Math.Abs(f))).Average();
    Console.WriteLine($"| {name} | {mae:F3} | {rmse:F3} | {smape:F2} |");
}

(Tensor X, Tensor Y) Windows(int from, int to)
{
    int count = to - from - Window;
    var inputs = new float[count * Window];
    var targets = new float[count];
    for (int i = 0; i < count; i++)
    {
        for (int k = 0; k < Window; k++) inputs[i * Window + k] = Scale(series[from + i + k]);
        targets[i] = Scale(series[from + i + Window]);
    }
    return (Tensor.FromArray(inputs, new Shape(count, Window, 1)), Tensor.FromArray(targets, new Shape(count, 1)));
}

// Least-squares AR(p) with intercept fitted on the training part, then one-step forecasts on the held-out part.
static double[] LinearAutoregression(double[] series, int trainEnd, int p)
{
    int n = p + 1;
    var normal = new double[n, n];
    var rhs = new double[n];
    for (int t = p; t < trainEnd; t++)
    {
        var row = Features(series, t, p);
        for (int i = 0; i < n; i++)
        {
            rhs[i] += row[i] * series[t];
            for (int j = 0; j < n; j++) normal[i, j] += row[i] * row[j];
        }
    }
    var beta = Solve(normal, rhs);
    return Enumerable.Range(trainEnd, series.Length - trainEnd)
        .Select(t => Features(series, t, p).Zip(beta, (a, b) => a * b).Sum()).ToArray();
}

static double[] Features(double[] series, int t, int p) => [1.0, .. Enumerable.Range(1, p).Select(k => series[t - k])];

// Gaussian elimination with partial pivoting (the system is small and well conditioned after the intercept).
static double[] Solve(double[,] a, double[] b)
{
    int n = b.Length;
    for (int col = 0; col < n; col++)
    {
        int pivot = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(a[r, col]));
        for (int k = 0; k < n; k++) (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
        (b[col], b[pivot]) = (b[pivot], b[col]);
        for (int r = col + 1; r < n; r++)
        {
            double factor = a[r, col] / a[col, col];
            for (int k = col; k < n; k++) a[r, k] -= factor * a[col, k];
            b[r] -= factor * b[col];
        }
    }
    var x = new double[n];
    for (int r = n - 1; r >= 0; r--)
    {
        double s = b[r];
        for (int k = r + 1; k < n; k++) s -= a[r, k] * x[k];
        x[r] = s / a[r, r];
    }
    return x;
}

/// <summary>Reports on the training thread, so progress lines print in order (Progress&lt;T&gt; posts to the thread pool).</summary>
sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
