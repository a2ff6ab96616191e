using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Callbacks;
using Microsoft.ML.Recurrent.Training.Losses;
using MaeMetric = Microsoft.ML.Recurrent.Training.Metrics.MeanAbsoluteError;
using RmseMetric = Microsoft.ML.Recurrent.Training.Metrics.RootMeanSquaredError;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Recurrent.Training.Optimizers;

namespace Microsoft.ML.Recurrent.Tests.Training;

public class ModelTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mlr-training-" + Guid.NewGuid().ToString("N"));

    public ModelTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>64 sequences of 5 steps × 2 features; the target is the mean of the first feature.</summary>
    private static (Tensor X, Tensor Y) Data(int samples = 64, int seed = 0)
    {
        var random = new Random(seed);
        var x = new float[samples * 5 * 2];
        var y = new float[samples];
        for (int n = 0; n < samples; n++)
            for (int t = 0; t < 5; t++)
            {
                x[(n * 5 + t) * 2] = (float)random.NextDouble();
                x[(n * 5 + t) * 2 + 1] = (float)random.NextDouble();
                y[n] += x[(n * 5 + t) * 2] / 5;
            }
        return (Tensor.FromArray(x, new Shape(samples, 5, 2)), Tensor.FromArray(y, new Shape(samples, 1)));
    }

    private static Sequential SmallModel(int seed = 1)
    {
        RandomSeeds.Set(seed);
        return new Sequential([new SimpleRnn(4), new Dense(1)], inputShape: [5, 2]);
    }

    [Fact]
    public void Fit_reduces_the_loss_and_returns_history_with_validation()
    {
        var (x, y) = Data();
        var model = SmallModel();
        model.Compile(new Adam(learningRate: 0.05), new MeanSquaredError(), [new MaeMetric("mae"), new RmseMetric("rmse")]);
        var history = model.Fit(x, y, batchSize: 16, epochs: 8, verbose: 0, validationSplit: 0.25);
        Assert.Equal(8, history["loss"].Count);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        foreach (var key in new[] { "loss", "mae", "rmse", "val_loss", "val_mae", "val_rmse", "learning_rate" })
            Assert.True(history.Values.ContainsKey(key), key);
        Assert.Equal(0.05, history["learning_rate"][0], 9);
        Assert.Equal(Enumerable.Range(0, 8), history.Epochs);
        // 48 training samples in batches of 16: 3 steps per epoch.
        Assert.Equal(24, model.Optimizer!.Iterations);
        var evaluation = model.Evaluate(x, y, batchSize: 64);
        Assert.True(evaluation["loss"] < history["loss"][0]);
        Assert.Equal(new Shape(64, 1), model.Predict(x, batchSize: 10).Shape);
    }

    [Fact]
    public void Seeded_runs_are_identical_and_shuffling_depends_on_the_seed()
    {
        float[] Run(int seed)
        {
            var (x, y) = Data();
            RandomSeeds.Set(seed);
            // Dropout makes the run depend on the seed through the dropout masks too.
            var model = new Sequential([new SimpleRnn(4, dropout: 0.3, recurrentDropout: 0.2), new Dense(1)], inputShape: [5, 2]);
            model.Compile(new Sgd(learningRate: 0.1, momentum: 0.9), new MeanSquaredError());
            model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
            return model.Predict(x).ToFloatArray();
        }
        Assert.Equal(Run(5), Run(5));
        Assert.NotEqual(Run(5), Run(6));
    }

    [Fact]
    public void TrainOnBatch_matches_a_manual_step_and_weights_follow_sample_weights()
    {
        var (x, y) = Data(8);
        var model = SmallModel();
        model.Compile(new Sgd(learningRate: 0.1), new MeanSquaredError());
        var zeroWeight = Tensor.FromArray(new float[8], new Shape(8));
        var before = model.GetWeights().Select(w => w.ToFloatArray()).ToList();
        var logs = model.TrainOnBatch(x, y, zeroWeight);
        Assert.Equal(0, logs["loss"], 9);
        // All samples weighted 0: nothing moves.
        Assert.Equal(before, model.GetWeights().Select(w => w.ToFloatArray()).ToList());
        var first = model.TrainOnBatch(x, y)["loss"];
        Assert.True(first > 0);
    }

    [Fact]
    public void Class_weights_scale_the_loss()
    {
        var x = Tensor.FromArray(new float[4 * 5 * 2], new Shape(4, 5, 2));
        var y = Tensor.FromArray(new float[] { 0, 1, 1, 1 }, new Shape(4, 1));
        var model = SmallModel();
        model.Compile(new Sgd(learningRate: 0.0), new BinaryCrossentropy());
        double plain = model.TestOnBatch(x, y)["loss"];
        model.ResetMetrics();
        double doubled = model.TrainOnBatch(x, y, classWeight: new Dictionary<int, double> { [0] = 2, [1] = 2 })["loss"];
        Assert.Equal(2 * plain, doubled, 5);
    }

    [Fact]
    public void Regularization_losses_are_added_and_constraints_applied_after_updates()
    {
        var (x, y) = Data(16);
        RandomSeeds.Set(3);
        var dense = new Dense(1, kernelRegularizer: new L2(10.0), kernelConstraint: new MaxNorm(0.01));
        var model = new Sequential([new SimpleRnn(3), dense], inputShape: [5, 2]);
        model.Compile(new Sgd(learningRate: 0.01), new MeanSquaredError());
        double withPenalty = model.TestOnBatch(x, y)["loss"];
        model.ResetMetrics();
        double plain = new MeanSquaredError().Compute(y, model.Predict(x)).Item();
        Assert.True(withPenalty > plain + 1e-6, $"{withPenalty} vs {plain}");
        model.TrainOnBatch(x, y);
        var kernel = dense.Weights[0].Value.ToFloatArray();
        Assert.True(Math.Sqrt(kernel.Sum(k => k * k)) <= 0.0100001);
    }

    [Fact]
    public void Callbacks_stop_restore_reduce_and_log()
    {
        var (x, y) = Data();
        var model = SmallModel();
        model.Compile(new Sgd(learningRate: 0.05), new MeanSquaredError());
        string csv = Path.Combine(_directory, "log.csv");
        // Monitoring training loss with min_delta = 10 never improves after the first epoch: stop at patience.
        var early = new EarlyStopping(monitor: "loss", minDelta: 10, patience: 2, restoreBestWeights: true);
        var plateau = new ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 1, minDelta: 10);
        var reports = new List<TrainingProgress>();
        var progress = new SynchronousProgress<TrainingProgress>(reports.Add);
        float[]? firstEpochWeights = null;
        var capture = new LambdaCallback(epoch => { if (epoch == 0) firstEpochWeights = model.GetWeights()[0].ToFloatArray(); });
        var history = model.Fit(x, y, batchSize: 32, epochs: 20, verbose: 0, callbacks: [capture, early, plateau, new CsvLogger(csv)], progress: progress);
        Assert.Equal(2, early.StoppedEpoch);
        Assert.Equal(3, history["loss"].Count);
        Assert.Equal(firstEpochWeights, model.GetWeights()[0].ToFloatArray());
        Assert.Equal(0.0125, model.Optimizer!.LearningRate, 9);
        // Keras logs the rate the epoch ran with; the cut applies from the next epoch.
        Assert.Equal([0.05, 0.05, 0.025], history["learning_rate"].Select(v => Math.Round(v, 6)));
        var lines = File.ReadAllLines(csv);
        Assert.Equal("epoch,learning_rate,loss", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Equal(3 * 2 + 3, reports.Count);
        Assert.Contains(reports, r => r.EpochEnd && r.Epoch == 2);
        Assert.All(reports.Where(r => !r.EpochEnd), r => Assert.Equal(2, r.Batches));
    }

    [Fact]
    public void Learning_rate_scheduler_and_terminate_on_nan()
    {
        var (x, y) = Data();
        var model = SmallModel();
        model.Compile(new Sgd(learningRate: 0.1), new MeanSquaredError());
        var history = model.Fit(x, y, batchSize: 64, epochs: 3, verbose: 0, callbacks: [new LearningRateScheduler((epoch, lr) => 0.1 / (epoch + 1))]);
        Assert.Equal([0.1, 0.05, 0.1 / 3], history["learning_rate"].Select(v => Math.Round(v, 9)).ToArray(), (a, b) => Math.Abs(a - b) < 1e-8);

        var nanY = Tensor.FromArray(Enumerable.Repeat(float.NaN, 64).ToArray(), new Shape(64, 1));
        var terminate = new TerminateOnNaN();
        var stopped = model.Fit(x, nanY, batchSize: 16, epochs: 5, verbose: 0, callbacks: [terminate]);
        Assert.Equal(0, terminate.TerminatedAtBatch);
        Assert.Single(stopped["loss"]);
    }

    [Fact]
    public void Model_checkpoint_saves_only_improvements()
    {
        var (x, y) = Data();
        var model = SmallModel();
        model.Compile(new Adam(learningRate: 0.05), new MeanSquaredError());
        var checkpoint = new ModelCheckpoint(Path.Combine(_directory, "model-{epoch:02d}.mlr"), monitor: "loss", saveBestOnly: true);
        var history = model.Fit(x, y, batchSize: 32, epochs: 4, verbose: 0, shuffle: false, callbacks: [checkpoint]);
        int improvements = 1 + Enumerable.Range(1, 3).Count(i => history["loss"][i] < history["loss"].Take(i).Min());
        Assert.Equal(improvements, checkpoint.SavedPaths.Count);
        Assert.Equal(Path.Combine(_directory, "model-01.mlr"), checkpoint.SavedPaths[0]);
        Assert.All(checkpoint.SavedPaths, p => Assert.True(File.Exists(p)));
    }

    [Fact]
    public void Save_load_predict_is_identical_and_training_resumes_exactly()
    {
        var (x, y) = Data();
        RandomSeeds.Set(11);
        var model = new Sequential([new Lstm(4, returnSequences: true), new Gru(3), new Dense(2), new Dense(1)], inputShape: [5, 2]);
        model.Compile(new Adam(learningRate: 0.01), new MeanSquaredError(), [new MaeMetric("mae")]);
        model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0);
        string path = Path.Combine(_directory, "model.mlr");
        model.Save(path);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));

        var loaded = Model.Load(path);
        Assert.Equal(model.Predict(x).ToFloatArray(), loaded.Predict(x).ToFloatArray());
        Assert.Equal(model.Optimizer!.Iterations, loaded.Optimizer!.Iterations);
        Assert.Equal(["mae"], loaded.Metrics.Select(m => m.Name));

        // Same optimizer state: one more identical step on both gives identical weights.
        model.TrainOnBatch(x, y);
        loaded.TrainOnBatch(x, y);
        Assert.Equal(model.Predict(x).ToFloatArray(), loaded.Predict(x).ToFloatArray());

        using var zip = ZipFile.OpenRead(path);
        var config = JsonNode.Parse(new StreamReader(zip.GetEntry("config.json")!.Open()).ReadToEnd())!;
        Assert.Equal("Sequential", config["class_name"]!.GetValue<string>());
        Assert.Equal("InputLayer", config["config"]!["layers"]![0]!["class_name"]!.GetValue<string>());
        Assert.Equal("Adam", config["compile_config"]!["optimizer"]!["class_name"]!.GetValue<string>());
    }

    [Fact]
    public void Corrupted_truncated_and_foreign_files_are_rejected()
    {
        var (x, _) = Data(4);
        var model = SmallModel();
        model.Predict(x);
        string path = Path.Combine(_directory, "good.mlr");
        model.Save(path, includeOptimizer: false);
        var bytes = File.ReadAllBytes(path);

        string truncated = Path.Combine(_directory, "truncated.mlr");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Model.Load(truncated));
        Assert.Contains("truncated.mlr", e.Message);

        string foreign = Path.Combine(_directory, "foreign.mlr");
        File.WriteAllText(foreign, "{\"not\": \"a model\"}");
        Assert.Throws<InvalidDataException>(() => Model.Load(foreign));

        string otherZip = Path.Combine(_directory, "other.zip");
        using (var zip = ZipFile.Open(otherZip, ZipArchiveMode.Create))
            using (var w = new StreamWriter(zip.CreateEntry("metadata.json").Open())) w.Write("{\"format\": \"something-else\"}");
        Assert.Throws<InvalidDataException>(() => Model.Load(otherZip));

        // Flip bytes inside the stored weights (the zip CRC or the weights checks catch it).
        string corrupted = Path.Combine(_directory, "corrupted.mlr");
        File.Copy(path, corrupted);
        using (var zip = ZipFile.Open(corrupted, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("model.weights.bin")!;
            byte[] content;
            using (var s = entry.Open()) { using var m = new MemoryStream(); s.CopyTo(m); content = m.ToArray(); }
            entry.Delete();
            using var w = zip.CreateEntry("model.weights.bin").Open();
            w.Write(content, 0, content.Length - 6);
        }
        Assert.Throws<InvalidDataException>(() => Model.Load(corrupted));
        Assert.Throws<FileNotFoundException>(() => Model.Load(Path.Combine(_directory, "missing.mlr")));
    }

    [Fact]
    public void Summary_lists_layers_shapes_and_parameter_counts()
    {
        RandomSeeds.Set(1);
        var model = new Sequential([new Lstm(8, name: "encoder"), new Dense(1, name: "head")], inputShape: [10, 3], name: "forecaster");
        var lines = new List<string>();
        string text = model.Summary(lines.Add);
        Assert.Contains("Model: \"forecaster\"", text);
        Assert.Contains("encoder (LSTM)", text);
        Assert.Contains("(None, 8)", text);
        Assert.Contains("(None, 1)", text);
        // LSTM: 4 * 8 * (3 + 8 + 1) = 384; Dense: 8 + 1 = 9.
        Assert.Contains("384", text);
        Assert.Contains("Total params: 393 (1.54 KB)", text);
        Assert.Contains("Non-trainable params: 0 (0.00 B)", text);
        Assert.Equal(text.TrimEnd().Split('\n').Length, lines.Count);
    }

    [Fact]
    public void Config_round_trips_through_Keras_json()
    {
        var model = SmallModel();
        var config = model.ToModelConfig();
        var copy = Model.FromModelConfig((JsonObject)JsonNode.Parse(config.ToJsonString())!);
        Assert.Equal(config["config"]!["layers"]!.AsArray().Count, copy.ToModelConfig()["config"]!["layers"]!.AsArray().Count);
        Assert.Equal(model.CountParams(), copy.CountParams());
    }

    [Fact]
    public void Stateful_models_keep_batch_order_and_carry_states()
    {
        var (x, y) = Data(8);
        RandomSeeds.Set(2);
        var rnn = new SimpleRnn(3, stateful: true);
        var model = new Sequential([rnn, new Dense(1)], inputShape: [5, 2], batchSize: 4);
        model.Compile(new Sgd(learningRate: 0.01), new MeanSquaredError());
        model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: true);
        Assert.True(model.IsStateful);
        Assert.Contains(rnn.States![0].ToFloatArray(), v => v != 0);
        model.ResetStates();
        Assert.All(rnn.States![0].ToFloatArray(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void Errors_name_the_problem()
    {
        var (x, y) = Data(8);
        var model = SmallModel();
        Assert.Contains("Compile", Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, verbose: 0)).Message);
        model.Compile("adam", "mse", ["mae"]);
        Assert.Contains("cardinality", Assert.Throws<ArgumentException>(() => model.Fit(x, Data(4).Y, verbose: 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, batchSize: 0, verbose: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, validationSplit: 1.0, verbose: 0));
    }

    private sealed class LambdaCallback(Action<int> onEpochEnd) : Callback
    {
        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => onEpochEnd(epoch);
    }

    private sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
