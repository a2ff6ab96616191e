using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.MLNet.Training;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Losses;
using Microsoft.ML.Recurrent.Training.Models;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Training;

public sealed class RecurrentFittingTests
{
    private sealed class Options : RecurrentFitOptions
    {
    }

    private static (Tensor X, Tensor Y) Data()
    {
        // y = mean of the sequence: learnable by a small LSTM.
        var rand = new Random(3);
        int n = 64, steps = 6;
        var x = new float[n * steps];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            for (int t = 0; t < steps; t++) x[i * steps + t] = (float)rand.NextDouble();
            y[i] = x.AsSpan(i * steps, steps).ToArray().Average();
        }
        return (Tensor.FromArray(x, new Shape(n, steps, 1)), Tensor.FromArray(y, new Shape(n, 1)));
    }

    private static Model Network() => new Sequential([new Lstm(4), new Dense(1)], inputShape: [6, 1]);

    [Fact]
    public void Epochs_are_logged_to_the_context_and_reported_to_progress()
    {
        var ml = new MLContext(seed: 1);
        var lines = new List<string>();
        ml.Log += (_, e) => { lock (lines) lines.Add(e.RawMessage); };
        var reports = new List<TrainingProgress>();
        var options = new Options { MaxEpochs = 3, BatchSize = 16, ValidationSetFraction = 0.25, Progress = new SyncProgress(reports.Add) };
        var (x, y) = Data();

        var result = RecurrentFitting.Fit(ml, "Test", options, Network, new MeanSquaredError(), null, x, y, null);

        Assert.Equal(3, result.History["val_loss"].Count);
        var epochLines = lines.Where(l => l.StartsWith("Epoch ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, epochLines.Count);
        Assert.Matches(@"^Epoch 3/3: loss=[0-9.e-]+, val_loss=[0-9.e-]+, time=[0-9.]+s$", epochLines[2]);
        Assert.Equal(3, reports.Count(r => r.EpochEnd));
        Assert.Equal(3 * 3 + 3, reports.Count); // 48 training rows / 16 = 3 batches per epoch, plus one report per epoch end
    }

    [Fact]
    public void The_same_seed_gives_the_same_network_and_the_context_seed_is_the_default()
    {
        var (x, y) = Data();
        float[] Train(int contextSeed, int? seed) =>
            RecurrentFitting.Fit(new MLContext(contextSeed), "Test", new Options { MaxEpochs = 2, Seed = seed }, Network, new MeanSquaredError(), null, x, y, null)
                .Network.PredictOnBatch(x).ToFloatArray();

        Assert.Equal(Train(1, 5), Train(2, 5));
        Assert.Equal(Train(4, null), Train(4, null));
        Assert.NotEqual(Train(4, null), Train(5, null));
    }

    [Fact]
    public void Early_stopping_ends_training_when_validation_loss_stops_improving()
    {
        var (x, y) = Data();
        // A learning rate this large diverges quickly, so the validation loss stops improving.
        var options = new Options { MaxEpochs = 30, LearningRate = 5, Optimizer = "sgd", EarlyStoppingPatience = 1, ValidationSetFraction = 0.25, Seed = 1 };
        var result = RecurrentFitting.Fit(new MLContext(1), "Test", options, Network, new MeanSquaredError(), null, x, y, null);
        Assert.InRange(result.History.Epochs.Count, 2, 29);
    }

    [Fact]
    public void Bad_options_name_the_field()
    {
        var (x, y) = Data();
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() =>
            RecurrentFitting.Fit(new MLContext(1), "Test", new Options { BatchSize = 0 }, Network, new MeanSquaredError(), null, x, y, null)).ParamName);
        Assert.Equal("ValidationSetFraction", Assert.Throws<ArgumentOutOfRangeException>(() =>
            RecurrentFitting.Fit(new MLContext(1), "Test", new Options { ValidationSetFraction = 1 }, Network, new MeanSquaredError(), null, x, y, null)).ParamName);
        var e = Assert.Throws<ArgumentException>(() =>
            RecurrentFitting.Fit(new MLContext(1), "Test", new Options { Optimizer = "adamx" }, Network, new MeanSquaredError(), null, x, y, null));
        Assert.Contains("'adamx'", e.Message);
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
