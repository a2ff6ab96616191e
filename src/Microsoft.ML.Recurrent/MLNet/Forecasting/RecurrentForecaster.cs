using Microsoft.ML.Recurrent.MLNet.Training;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Losses;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Transforms.TimeSeries;

/// <summary>
/// A fitted window-to-horizon forecaster: a recurrent network that reads the last <see cref="WindowSize"/> steps
/// (series and covariates) and outputs the next <see cref="Horizon"/> series values at once, its input scaling, and
/// its held-out error table for intervals.
/// </summary>
/// <remarks>
/// The series enters and leaves the network as differences from the window's mean, divided by the root mean
/// square of the target differences on the training windows, so the network sees the same scale whatever the level of the
/// series and keeps working when the level moves beyond the training range. A second input channel carries the level
/// itself, and the covariates follow; both are standardized with their training mean and standard deviation.
/// </remarks>
internal sealed class RecurrentForecaster
{
    private readonly Model _network;
    private readonly float _targetScale;
    private readonly float[] _mean;
    private readonly float[] _std;

    private RecurrentForecaster(Model network, int windowSize, int horizon, int features, float targetScale,
        float[] mean, float[] std, ForecastIntervals intervals)
    {
        _network = network;
        WindowSize = windowSize;
        Horizon = horizon;
        Features = features;
        _targetScale = targetScale;
        _mean = mean;
        _std = std;
        Intervals = intervals;
    }

    public int WindowSize { get; }

    public int Horizon { get; }

    /// <summary>Values per time step: the series, then the covariates.</summary>
    public int Features { get; }

    public ForecastIntervals Intervals { get; }

    /// <summary>
    /// Trains on <paramref name="columns"/> (the series, then the covariates; equal lengths, in time order). Windows
    /// whose targets fall in the last <see cref="RecurrentFitOptions.ValidationSetFraction"/> of the
    /// windows are held out (after a gap of horizon − 1 windows, so no training target is a validation target) and
    /// give the interval errors.
    /// </summary>
    public static RecurrentForecaster Train(IHostEnvironment env, float[][] columns, RecurrentForecastingEstimator.Options options)
    {
        int w = options.WindowSize, h = options.Horizon, f = columns.Length, rows = columns[0].Length;
        var split = WindowSplit.TryCreate(rows, w, h, options.ValidationSetFraction)
            ?? throw new ArgumentException($"{rows} rows are too few for window {w} and horizon {h}.", nameof(columns));

        // Scaling comes from the training part only, so nothing of the validation part leaks into the inputs.
        int trainRows = split.TrainWindows + w - 1;
        double sumSquares = 0;
        for (int i = 0; i < split.TrainWindows; i++)
        {
            float anchor = Anchor(columns[0], i, w);
            for (int k = 0; k < h; k++)
            {
                double d = columns[0][i + w + k] - anchor;
                sumSquares += d * d;
            }
        }

        float targetScale = (float)Math.Sqrt(sumSquares / (split.TrainWindows * (double)h));
        var mean = new float[f];
        var std = new float[f];
        for (int c = 0; c < f; c++)
        {
            double m = 0, s = 0;
            for (int r = 0; r < trainRows; r++) m += columns[c][r];
            m /= trainRows;
            for (int r = 0; r < trainRows; r++) s += (columns[c][r] - m) * (columns[c][r] - m);
            mean[c] = (float)m;
            std[c] = s == 0 ? 1 : (float)Math.Sqrt(s / trainRows);
        }

        var encoder = new RecurrentForecaster(null!, w, h, f, targetScale == 0 ? 1 : targetScale, mean, std, new ForecastIntervals([]));
        var (trainX, trainY) = encoder.EncodeWindows(columns, 0, split.TrainWindows);
        var (validX, validY) = encoder.EncodeWindows(columns, split.ValidationStart, split.ValidationWindows);
        string name = options.Cell == RecurrentForecastingEstimator.RecurrentCell.Gru ? "GruForecasting" : "LstmForecasting";
        var fit = RecurrentFitting.Fit(env, name, options, () => CreateNetwork(options, f + 1), new MeanSquaredError(), null, trainX, trainY, (validX, validY));
        var network = fit.Network;

        // Interval errors: absolute forecast errors, in the series' units, on the held-out windows.
        var predicted = PredictScaled(network, validX);
        var errors = new float[h][];
        for (int k = 0; k < h; k++)
        {
            errors[k] = new float[split.ValidationWindows];
            for (int i = 0; i < split.ValidationWindows; i++)
            {
                int origin = split.ValidationStart + i;
                float actual = columns[0][origin + w + k];
                float forecast = Anchor(columns[0], origin, w) + predicted[i * h + k] * encoder._targetScale;
                errors[k][i] = Math.Abs(actual - forecast);
            }
        }

        // The held-out windows are the most recent data, so the network then continues on every window; the
        // interval errors stay those of the held-out run.
        int refitEpochs = options.RefitEpochs ?? Math.Max(1, options.MaxEpochs / 2);
        if (refitEpochs > 0)
        {
            var refit = new RefitOptions
            {
                MaxEpochs = refitEpochs,
                BatchSize = options.BatchSize,
                Optimizer = options.Optimizer,
                LearningRate = options.LearningRate,
                Seed = fit.Seed + 1,
                Device = options.Device,
                Progress = options.Progress,
            };
            var (allX, allY) = encoder.EncodeWindows(columns, 0, split.ValidationStart + split.ValidationWindows);
            network = RecurrentFitting.Fit(env, name + "Refit", refit, () => fit.Network, new MeanSquaredError(), null, allX, allY, null).Network;
        }

        return new RecurrentForecaster(network, w, h, f, encoder._targetScale, mean, std, new ForecastIntervals(errors));
    }

    /// <summary>The shared options of the refit on every window (no validation, no early stopping).</summary>
    private sealed class RefitOptions : RecurrentFitOptions
    {
    }

    private static Sequential CreateNetwork(RecurrentForecastingEstimator.Options options, int features)
    {
        Layer recurrent = options.Cell == RecurrentForecastingEstimator.RecurrentCell.Gru ? new Gru(options.HiddenUnits) : new Lstm(options.HiddenUnits);
        return new Sequential([recurrent, new Dense(options.Horizon)], inputShape: [options.WindowSize, features]);
    }

    /// <summary>Forecasts the next <see cref="Horizon"/> series values from one raw window (<c>WindowSize × Features</c>, oldest first).</summary>
    public float[] Forecast(ReadOnlySpan<float> window)
    {
        var encoded = new float[WindowSize * (Features + 1)];
        Encode(window, encoded);
        var scaled = PredictScaled(_network, Tensor.FromArray(encoded, new Shape(1, WindowSize, Features + 1)));
        float anchor = Anchor(window);
        var result = new float[Horizon];
        for (int k = 0; k < Horizon; k++)
        {
            result[k] = anchor + scaled[k] * _targetScale;
        }

        return result;
    }

    /// <summary>
    /// The forecast of the first <paramref name="horizon"/> steps after <paramref name="state"/>, with its
    /// conformal bounds at <paramref name="confidenceLevel"/> (see <see cref="ForecastIntervals"/>).
    /// </summary>
    public (float[] Forecast, float[] Lower, float[] Upper) Forecast(ObservationWindow state, int horizon, float confidenceLevel)
    {
        var window = new float[WindowSize * Features];
        state.CopyTo(window);
        var full = Forecast(window);
        var forecast = full[..horizon];
        var lower = new float[horizon];
        var upper = new float[horizon];
        for (int k = 0; k < horizon; k++)
        {
            float half = Intervals.HalfWidth(k, confidenceLevel);
            lower[k] = forecast[k] - half;
            upper[k] = forecast[k] + half;
        }

        return (forecast, lower, upper);
    }

    private static float[] PredictScaled(Model network, Tensor x)
    {
        using var _ = Autodiff.NoGrad();
        return network.Predict(x, batchSize: 256).ToFloatArray();
    }

    // The level a window's values are measured from: the mean of its series values (steadier than the last value).
    private float Anchor(ReadOnlySpan<float> window)
    {
        double sum = 0;
        for (int t = 0; t < WindowSize; t++)
        {
            sum += window[t * Features];
        }

        return (float)(sum / WindowSize);
    }

    private static float Anchor(float[] series, int start, int length)
    {
        double sum = 0;
        for (int t = start; t < start + length; t++)
        {
            sum += series[t];
        }

        return (float)(sum / length);
    }

    private void Encode(ReadOnlySpan<float> window, Span<float> destination)
    {
        // Per step: the series as a difference from the window's mean, the covariates, then the series level
        // (standardized), which lets the network scale seasonal swings with the level.
        float anchor = Anchor(window);
        for (int t = 0; t < WindowSize; t++)
        {
            int o = t * Features, e = t * (Features + 1);
            destination[e] = (window[o] - anchor) / _targetScale;
            for (int c = 1; c < Features; c++)
            {
                destination[e + c] = (window[o + c] - _mean[c]) / _std[c];
            }

            destination[e + Features] = (window[o] - _mean[0]) / _std[0];
        }
    }

    private (Tensor X, Tensor Y) EncodeWindows(float[][] columns, int start, int count)
    {
        int w = WindowSize, f = Features, h = Horizon;
        var x = new float[count * w * (f + 1)];
        var y = new float[count * h];
        var raw = new float[w * f];
        for (int i = 0; i < count; i++)
        {
            int origin = start + i;
            for (int t = 0; t < w; t++)
            {
                for (int c = 0; c < f; c++)
                {
                    raw[t * f + c] = columns[c][origin + t];
                }
            }

            Encode(raw, x.AsSpan(i * w * (f + 1), w * (f + 1)));
            float anchor = Anchor(columns[0], origin, w);
            for (int k = 0; k < h; k++)
            {
                y[i * h + k] = (columns[0][origin + w + k] - anchor) / _targetScale;
            }
        }

        return (Tensor.FromArray(x, new Shape(count, w, f + 1)), Tensor.FromArray(y, new Shape(count, h)));
    }

    /// <summary>The network: input <c>(batch, WindowSize, Features + 1)</c>, output <c>(batch, Horizon)</c> scaled changes.</summary>
    public Model Network => _network;

    /// <summary>Writes everything but the network (saved beside it): sizes, scaling and the interval errors.</summary>
    public void WriteState(BinaryWriter writer)
    {
        writer.Write(WindowSize);
        writer.Write(Horizon);
        writer.Write(Features);
        writer.Write(_targetScale);
        for (int c = 0; c < Features; c++)
        {
            writer.Write(_mean[c]);
            writer.Write(_std[c]);
        }

        Intervals.Write(writer);
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote and joins it with the <paramref name="network"/> saved beside it.</summary>
    /// <exception cref="InvalidDataException">Inconsistent content.</exception>
    public static RecurrentForecaster ReadState(BinaryReader reader, Model network)
    {
        int w = reader.ReadInt32(), h = reader.ReadInt32(), f = reader.ReadInt32();
        if (w <= 0 || h <= 0 || f <= 0 || f > 1 << 16)
        {
            throw new InvalidDataException($"The recurrent forecaster has invalid sizes (window {w}, horizon {h}, features {f}).");
        }

        float targetScale = reader.ReadSingle();
        var mean = new float[f];
        var std = new float[f];
        for (int c = 0; c < f; c++)
        {
            mean[c] = reader.ReadSingle();
            std[c] = reader.ReadSingle();
        }

        var intervals = ForecastIntervals.Read(reader);
        if (intervals.Horizon != h)
        {
            throw new InvalidDataException($"The interval table has {intervals.Horizon} steps but the horizon is {h}.");
        }

        return new RecurrentForecaster(network, w, h, f, targetScale, mean, std, intervals);
    }
}
