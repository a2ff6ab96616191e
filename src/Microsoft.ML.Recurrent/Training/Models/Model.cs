using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Callbacks;
using Microsoft.ML.Recurrent.Training.Losses;
using Microsoft.ML.Recurrent.Training.Metrics;
using Microsoft.ML.Recurrent.Training.Optimizers;

namespace Microsoft.ML.Recurrent.Training.Models;

/// <summary>
/// A trainable model (Keras <c>keras.Model</c>): a layer with <see cref="Compile(Optimizer, Loss, IEnumerable{Metric}?)"/>,
/// <see cref="Fit"/>, <see cref="Evaluate"/>, <see cref="Predict"/> and <see cref="TrainOnBatch"/>, whole-model
/// <see cref="Save"/>/<see cref="Load"/> and a Keras-style <see cref="Summary"/>.
/// </summary>
public abstract class Model : Layer
{
    private readonly List<Metric> _metrics = [];
    private readonly Mean _lossTracker = new("loss");

    /// <summary>Initializes the base layer arguments.</summary>
    /// <param name="name">Model name; null for a unique snake_case name.</param>
    /// <param name="trainable">Whether the weights are trained. Default true.</param>
    /// <param name="dtype">Dtype policy name. Default <c>"float32"</c>.</param>
    protected Model(string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
    {
    }

    /// <inheritdoc/>
    public override string Module => "keras";

    /// <summary>The optimizer set by Compile (null before).</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss set by Compile (null before).</summary>
    public Loss? Loss { get; private set; }

    /// <summary>The compiled metrics, in log order after the loss.</summary>
    public IReadOnlyList<Metric> Metrics => _metrics;

    /// <summary>Set by callbacks (EarlyStopping, TerminateOnNaN) to end <see cref="Fit"/> after the current batch or epoch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>The Keras <c>compile_config</c> recorded by Compile (written into saved models).</summary>
    public JsonObject? CompileConfig { get; private set; }

    // ------------------------------------------------------------------ compile

    /// <summary>Configures training (Keras <c>compile</c>).</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="metrics">Metrics reported besides the loss; null for none.</param>
    public void Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        Optimizer = optimizer;
        Loss = loss;
        _metrics.Clear();
        if (metrics is not null) _metrics.AddRange(metrics);
        var names = new HashSet<string>(StringComparer.Ordinal) { "loss" };
        foreach (var m in _metrics)
            if (!names.Add(m.Name))
                throw new ArgumentException($"Two metrics are named '{m.Name}'; metric names must be unique (and not 'loss').", nameof(metrics));
        CompileConfig = new JsonObject
        {
            ["optimizer"] = optimizer.ToConfig(),
            ["loss"] = loss.ToConfig(),
            ["loss_weights"] = null,
            ["metrics"] = new JsonArray(_metrics.Select(m => (JsonNode)m.ToConfig()).ToArray()),
            ["weighted_metrics"] = null,
            ["run_eagerly"] = false,
            ["steps_per_execution"] = 1,
            ["jit_compile"] = false,
        };
    }

    /// <summary>
    /// Configures training from Keras identifiers: <c>Compile("adam", "mse", ["mae"])</c>. <c>"accuracy"</c> becomes the
    /// binary, sparse or categorical variant matching the loss, as in Keras; metrics are logged under the given names.
    /// </summary>
    /// <param name="optimizer">Optimizer name (Keras defaults).</param>
    /// <param name="loss">Loss name or alias.</param>
    /// <param name="metrics">Metric names; null for none.</param>
    public void Compile(string optimizer, string loss, IEnumerable<string>? metrics = null)
    {
        var lossObject = Microsoft.ML.Recurrent.Training.Losses.Loss.Get(loss);
        Compile(Optimizers.Optimizer.Get(optimizer), lossObject, metrics?.Select(m => CreateMetric(m, lossObject)).ToList());
    }

    private static Metric CreateMetric(string identifier, Loss loss)
    {
        if (identifier is "accuracy" or "acc")
        {
            return loss switch
            {
                BinaryCrossentropy => new BinaryAccuracy(name: identifier),
                SparseCategoricalCrossentropy => new SparseCategoricalAccuracy(identifier),
                CategoricalCrossentropy => new CategoricalAccuracy(identifier),
                _ => new Accuracy(identifier),
            };
        }
        return Metric.FromConfig(new JsonObject { ["class_name"] = Metric.Get(identifier).ClassName, ["config"] = new JsonObject { ["name"] = identifier } });
    }

    private void EnsureCompiled(string operation)
    {
        if (Optimizer is null || Loss is null)
            throw new InvalidOperationException($"You must call Compile() before {operation}. Model '{Name}' has no optimizer and loss yet.");
    }

    // ------------------------------------------------------------------ forward

    /// <summary>Runs the model: outputs for <paramref name="inputs"/>, and the output mask (null when none) for the loss.</summary>
    protected internal abstract Tensor Forward(Tensor inputs, bool training, Tensor? mask, out Tensor? outputMask);

    /// <inheritdoc/>
    protected override Tensor[] Call(Tensor inputs, CallArguments arguments) => [Forward(inputs, arguments.Training, arguments.Mask, out _)];

    private Tensor Run(Tensor x, bool training, out Tensor? outputMask)
    {
        if (!Built) Build(x.Shape);
        return Forward(x, training, null, out outputMask);
    }

    /// <summary>Resets the carried states of every stateful recurrent layer (Keras <c>reset_states()</c>).</summary>
    public void ResetStates()
    {
        foreach (var layer in AllLayers(this))
            if (layer is Rnn { Stateful: true, States: not null } rnn) rnn.ResetStates();
    }

    /// <summary>Whether a stateful recurrent layer is inside (Fit then keeps the batch order).</summary>
    public bool IsStateful => AllLayers(this).Any(l => l is Rnn { Stateful: true });

    internal static IEnumerable<Layer> AllLayers(Layer root)
    {
        foreach (var layer in root.Layers)
        {
            yield return layer;
            foreach (var inner in AllLayers(layer)) yield return inner;
        }
    }

    // ------------------------------------------------------------------ steps

    /// <summary>
    /// One gradient step on a batch (Keras <c>train_on_batch</c>): forward in training mode, loss (weighted, masked) plus
    /// regularization losses, gradients, optimizer update. Returns the running loss and metrics since the last reset
    /// (Fit resets them every epoch; call <see cref="ResetMetrics"/> yourself between manual loops).
    /// </summary>
    /// <param name="x">Inputs, batch first.</param>
    /// <param name="y">Targets, batch first.</param>
    /// <param name="sampleWeight">Per-sample weights <c>(batch,)</c> (or per timestep); null for 1.</param>
    /// <param name="classWeight">Weight per class index, multiplied into the sample weights; null for none.</param>
    /// <exception cref="InvalidOperationException">Not compiled.</exception>
    public Dictionary<string, double> TrainOnBatch(Tensor x, Tensor y, Tensor? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null)
    {
        EnsureCompiled("training the model");
        CheckBatch(x, y, sampleWeight);
        sampleWeight = ApplyClassWeight(y, sampleWeight, classWeight);
        var variables = TrainableWeights;
        var prediction = Run(x, training: true, out var mask);
        var loss = Loss!.Compute(y, prediction, sampleWeight, mask);
        var total = loss;
        foreach (var extra in Losses) total = Ops.Add(total, Ops.Cast(extra, total.DType));
        double totalValue = total.Item();
        if (variables.Count > 0 && total.RequiresGrad)
        {
            var gradients = Autodiff.Gradients(total, variables.Select(v => v.Value).ToList());
            Optimizer!.Apply(gradients, variables);
        }
        using (Autodiff.NoGrad()) return UpdateMetrics(totalValue, x.Shape[0], y, prediction.Detach(), sampleWeight);
    }

    /// <summary>The loss and metrics of one batch in inference mode (Keras <c>test_on_batch</c>), accumulated like <see cref="TrainOnBatch"/>.</summary>
    /// <param name="x">Inputs.</param>
    /// <param name="y">Targets.</param>
    /// <param name="sampleWeight">Per-sample weights; null for 1.</param>
    /// <exception cref="InvalidOperationException">Not compiled.</exception>
    public Dictionary<string, double> TestOnBatch(Tensor x, Tensor y, Tensor? sampleWeight = null)
    {
        EnsureCompiled("evaluating the model");
        CheckBatch(x, y, sampleWeight);
        using var _ = Autodiff.NoGrad();
        var prediction = Run(x, training: false, out var mask);
        var total = Loss!.Compute(y, prediction, sampleWeight, mask);
        foreach (var extra in Losses) total = Ops.Add(total, Ops.Cast(extra, total.DType));
        return UpdateMetrics(total.Item(), x.Shape[0], y, prediction, sampleWeight);
    }

    /// <summary>Predictions for one batch in inference mode (Keras <c>predict_on_batch</c>).</summary>
    /// <param name="x">Inputs.</param>
    public Tensor PredictOnBatch(Tensor x)
    {
        using var noGrad = Autodiff.NoGrad();
        return Run(x, training: false, out _);
    }

    /// <summary>
    /// A predictor that scores sequences with this model's current weights without an autograd tape and, for the
    /// recurrent, dense and masking layers, without allocating per call (ML.NET scoring calls it one sequence at a
    /// time). Not thread-safe: create one per thread. See <see cref="SequencePredictor"/> for what it covers.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not built for <c>(batch, steps, features)</c> inputs yet.</exception>
    public SequencePredictor CreatePredictor() => new(this);

    /// <summary>Forgets the accumulated loss and metric values.</summary>
    public void ResetMetrics()
    {
        _lossTracker.ResetState();
        foreach (var m in _metrics) m.ResetState();
    }

    private Dictionary<string, double> UpdateMetrics(double loss, int batch, Tensor y, Tensor prediction, Tensor? sampleWeight)
    {
        _lossTracker.Update(loss, batch);
        foreach (var m in _metrics) m.UpdateState(y, prediction, sampleWeight);
        return CurrentLogs();
    }

    private Dictionary<string, double> CurrentLogs()
    {
        var logs = new Dictionary<string, double>(StringComparer.Ordinal) { ["loss"] = _lossTracker.Result() };
        foreach (var m in _metrics) logs[m.Name] = m.Result();
        return logs;
    }

    private static void CheckBatch(Tensor x, Tensor y, Tensor? sampleWeight)
    {
        if (x.Rank == 0 || y.Rank == 0)
            throw new ArgumentException($"Inputs and targets need a batch axis; got x {x.Shape} and y {y.Shape}.");
        if (x.Shape[0] != y.Shape[0])
            throw new ArgumentException($"Data cardinality is ambiguous: x has {x.Shape[0]} samples ({x.Shape}) but y has {y.Shape[0]} ({y.Shape}). Make sure all arrays contain the same number of samples.", nameof(y));
        if (sampleWeight is not null && (sampleWeight.Rank == 0 || sampleWeight.Shape[0] != x.Shape[0]))
            throw new ArgumentException($"sample_weight has shape {sampleWeight.Shape}; expected {x.Shape[0]} weights (one per sample) first.", nameof(sampleWeight));
    }

    private static Tensor? ApplyClassWeight(Tensor y, Tensor? sampleWeight, IReadOnlyDictionary<int, double>? classWeight)
    {
        if (classWeight is null) return sampleWeight;
        var labels = y.ToDoubleArray();
        int batch = y.Shape[0];
        int width = (int)(labels.Length / Math.Max(batch, 1));
        if (y.Rank > 2 || (y.Rank == 2 && width > 1 && y.Shape[^1] != width))
            throw new ArgumentException($"class_weight needs targets of shape (batch,) or (batch, classes); got {y.Shape}.", nameof(y));
        var weights = new double[batch];
        for (int i = 0; i < batch; i++)
        {
            int label;
            if (width == 1) label = (int)Math.Round(labels[i]);
            else
            {
                label = 0;
                for (int k = 1; k < width; k++) if (labels[i * width + k] > labels[i * width + label]) label = k;
            }
            weights[i] = classWeight.TryGetValue(label, out double w) ? w : 1.0;
        }
        var classTensor = Tensor.FromArray(weights, new Shape(batch));
        if (sampleWeight is null) return classTensor;
        var sw = Ops.Cast(sampleWeight, DType.Float64);
        while (classTensor.Rank < sw.Rank) classTensor = Ops.ExpandDims(classTensor, -1);
        return Ops.Multiply(sw, classTensor);
    }

    // ------------------------------------------------------------------ loops

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs (Keras <c>fit</c>) and returns the per-epoch logs.
    /// </summary>
    /// <param name="x">Inputs, batch first.</param>
    /// <param name="y">Targets, batch first.</param>
    /// <param name="batchSize">Samples per gradient step. Default 32.</param>
    /// <param name="epochs">The epoch to stop before (training runs epochs <paramref name="initialEpoch"/> … epochs − 1). Default 1.</param>
    /// <param name="verbose">0 silent, 1 console progress bar, 2 one console line per epoch. Default 1.</param>
    /// <param name="callbacks">Callbacks; null for none.</param>
    /// <param name="validationSplit">Fraction of the samples, taken from the end before shuffling, held out for validation. Default 0.</param>
    /// <param name="validationData">Explicit validation inputs and targets (overrides the split); null for none.</param>
    /// <param name="shuffle">Shuffle the training samples every epoch (never for stateful models, whose batches must stay in order). Default true.</param>
    /// <param name="classWeight">Weight per class index; null for none.</param>
    /// <param name="sampleWeight">Per-sample weights <c>(samples,)</c>; null for 1.</param>
    /// <param name="initialEpoch">The epoch to start at (to resume training). Default 0.</param>
    /// <param name="progress">Receives a <see cref="TrainingProgress"/> after every batch and epoch; null for none.</param>
    /// <exception cref="InvalidOperationException">Not compiled.</exception>
    /// <exception cref="ArgumentException">Mismatched sample counts, or invalid sizes.</exception>
    public History Fit(Tensor x, Tensor y, int batchSize = 32, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
        double validationSplit = 0, (Tensor X, Tensor Y)? validationData = null, bool shuffle = true,
        IReadOnlyDictionary<int, double>? classWeight = null, Tensor? sampleWeight = null, int initialEpoch = 0,
        IProgress<TrainingProgress>? progress = null)
    {
        EnsureCompiled("training the model");
        CheckBatch(x, y, sampleWeight);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch_size must be a positive integer.");
        if (validationSplit < 0 || validationSplit >= 1) throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "validation_split must be in [0, 1).");
        if (initialEpoch < 0) throw new ArgumentOutOfRangeException(nameof(initialEpoch), initialEpoch, "initial_epoch must be non-negative.");

        int samples = x.Shape[0];
        Tensor? valX = null, valY = null;
        if (validationData is { } vd)
        {
            (valX, valY) = vd;
            CheckBatch(valX, valY, null);
        }
        else if (validationSplit > 0)
        {
            // Keras holds out the last samples, before any shuffling.
            int train = (int)Math.Floor(samples * (1 - validationSplit));
            if (train <= 0 || train >= samples)
                throw new ArgumentException($"validation_split={validationSplit} leaves {train} of {samples} samples for training; both parts must be non-empty.", nameof(validationSplit));
            valX = Take(x, Enumerable.Range(train, samples - train).ToArray());
            valY = Take(y, Enumerable.Range(train, samples - train).ToArray());
            var head = Enumerable.Range(0, train).ToArray();
            x = Take(x, head);
            y = Take(y, head);
            if (sampleWeight is not null) sampleWeight = Take(sampleWeight, head);
            samples = train;
        }

        bool stateful = IsStateful;
        bool doShuffle = shuffle && !stateful;
        var random = new Random((int)RandomSeeds.Next());
        int batches = (samples + batchSize - 1) / batchSize;
        var callbackList = (callbacks ?? []).ToList();
        var history = new History();
        foreach (var c in callbackList) c.Model = this;
        StopTraining = false;
        var empty = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var c in callbackList) c.OnTrainBegin(empty);
        var bar = verbose == 1 ? new ConsoleProgressBar() : null;
        Dictionary<string, double> epochLogs = empty;

        for (int epoch = initialEpoch; epoch < epochs && !StopTraining; epoch++)
        {
            foreach (var c in callbackList) c.OnEpochBegin(epoch, new Dictionary<string, double>(StringComparer.Ordinal));
            if (verbose > 0) Console.WriteLine($"Epoch {epoch + 1}/{epochs}");
            ResetMetrics();
            var order = Enumerable.Range(0, samples).ToArray();
            if (doShuffle) random.Shuffle(order);
            var clock = Stopwatch.StartNew();
            Dictionary<string, double> logs = empty;
            int done = 0;
            for (int b = 0; b < batches; b++)
            {
                var rows = order[(b * batchSize)..Math.Min(samples, (b + 1) * batchSize)];
                foreach (var c in callbackList) c.OnTrainBatchBegin(b, new Dictionary<string, double>(StringComparer.Ordinal));
                logs = TrainOnBatch(Take(x, rows), Take(y, rows), sampleWeight is null ? null : Take(sampleWeight, rows), classWeight);
                done = b + 1;
                foreach (var c in callbackList) c.OnTrainBatchEnd(b, logs);
                var eta = TimeSpan.FromTicks(clock.Elapsed.Ticks / done * (batches - done));
                progress?.Report(new TrainingProgress(epoch, epochs, done, batches, new Dictionary<string, double>(logs), clock.Elapsed, eta, false));
                bar?.Update(done, batches, logs, eta);
                if (StopTraining) break;
            }
            epochLogs = new Dictionary<string, double>(logs, StringComparer.Ordinal);
            if (valX is not null && valY is not null)
                foreach (var (key, value) in Evaluate(valX, valY, batchSize))
                    epochLogs["val_" + key] = value;
            epochLogs["learning_rate"] = Optimizer!.LearningRate;
            foreach (var c in callbackList) c.OnEpochEnd(epoch, epochLogs);
            history.Append(epoch, epochLogs);
            progress?.Report(new TrainingProgress(epoch, epochs, done, batches, new Dictionary<string, double>(epochLogs), clock.Elapsed, TimeSpan.Zero, true));
            if (bar is not null) bar.Finish(done, batches, epochLogs, clock.Elapsed);
            else if (verbose == 2) Console.WriteLine($"{batches}/{batches} - {clock.Elapsed.TotalSeconds:F0}s - {ConsoleProgressBar.Format(epochLogs)}");
        }
        Optimizer!.FinalizeVariableValues();
        foreach (var c in callbackList) c.OnTrainEnd(epochLogs);
        return history;
    }

    /// <summary>The loss and metrics over a dataset in inference mode (Keras <c>evaluate</c>).</summary>
    /// <param name="x">Inputs.</param>
    /// <param name="y">Targets.</param>
    /// <param name="batchSize">Samples per batch. Default 32.</param>
    /// <param name="sampleWeight">Per-sample weights; null for 1.</param>
    /// <exception cref="InvalidOperationException">Not compiled.</exception>
    public Dictionary<string, double> Evaluate(Tensor x, Tensor y, int batchSize = 32, Tensor? sampleWeight = null)
    {
        EnsureCompiled("evaluating the model");
        CheckBatch(x, y, sampleWeight);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch_size must be a positive integer.");
        ResetMetrics();
        Dictionary<string, double> logs = [];
        int samples = x.Shape[0];
        for (int start = 0; start < samples; start += batchSize)
        {
            var rows = Enumerable.Range(start, Math.Min(batchSize, samples - start)).ToArray();
            logs = TestOnBatch(Take(x, rows), Take(y, rows), sampleWeight is null ? null : Take(sampleWeight, rows));
        }
        ResetMetrics();
        return logs;
    }

    /// <summary>Predictions for all samples in inference mode, computed in batches (Keras <c>predict</c>).</summary>
    /// <param name="x">Inputs.</param>
    /// <param name="batchSize">Samples per batch. Default 32.</param>
    public Tensor Predict(Tensor x, int batchSize = 32)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch_size must be a positive integer.");
        int samples = x.Shape[0];
        var parts = new List<Tensor>();
        for (int start = 0; start < samples; start += batchSize)
            parts.Add(PredictOnBatch(Take(x, Enumerable.Range(start, Math.Min(batchSize, samples - start)).ToArray())));
        using var _ = Autodiff.NoGrad();
        return parts.Count == 1 ? parts[0] : Ops.Concat(parts, 0);
    }

    /// <summary>Rows <paramref name="rows"/> of <paramref name="t"/> along axis 0 (any dtype).</summary>
    internal static Tensor Take(Tensor t, int[] rows)
    {
        if (rows.Length == t.Shape[0] && rows.Select((r, i) => r == i).All(b => b)) return t;
        using var _ = Autodiff.NoGrad();
        if (t.DType.IsFloatingPoint()) return Ops.Gather(t, Tensor.FromArray(rows, new Shape(rows.Length)));
        var source = t.ToArray<int>();
        int width = (int)(t.Size / Math.Max(t.Shape[0], 1));
        var result = new int[rows.Length * width];
        for (int i = 0; i < rows.Length; i++) Array.Copy(source, rows[i] * width, result, i * width, width);
        return Tensor.FromArray(result, t.Shape.With(0, rows.Length));
    }

    // ------------------------------------------------------------------ summary

    /// <summary>The output shape of each top-level layer from the last call (batch first), for <see cref="Summary"/>.</summary>
    protected virtual IReadOnlyList<(Layer Layer, Shape? OutputShape)> SummaryRows() => Layers.Select(l => (l, (Shape?)null)).ToList();

    /// <summary>
    /// A Keras-style table of the layers, their output shapes (batch shown as <c>None</c>) and parameter counts, with
    /// total, trainable and non-trainable parameter counts; printed through <paramref name="print"/> when given.
    /// </summary>
    /// <param name="print">Receives the text line by line; null to only return it.</param>
    public string Summary(Action<string>? print = null)
    {
        var rows = SummaryRows().Select(r => (
            Name: $"{r.Layer.Name} ({r.Layer.ClassName})",
            Shape: r.OutputShape is { } s ? "(" + string.Join(", ", s.Dims.ToArray().Select((d, i) => i == 0 && !r.Layer.IsStatefulRnn() ? "None" : d.ToString(CultureInfo.InvariantCulture))) + (s.Rank == 1 ? ",)" : ")") : "?",
            Params: r.Layer.Built ? r.Layer.Weights.Sum(w => w.Shape.Size).ToString("N0", CultureInfo.InvariantCulture) : "0 (unbuilt)")).ToList();
        int w1 = Math.Max(31, rows.Select(r => r.Name.Length + 2).DefaultIfEmpty(0).Max());
        int w2 = Math.Max(22, rows.Select(r => r.Shape.Length + 2).DefaultIfEmpty(0).Max());
        int w3 = 15;
        var sb = new StringBuilder();
        sb.AppendLine($"Model: \"{Name}\"");
        sb.AppendLine("┏" + new string('━', w1 + 1) + "┳" + new string('━', w2 + 1) + "┳" + new string('━', w3 + 1) + "┓");
        sb.AppendLine("┃ " + "Layer (type)".PadRight(w1) + "┃ " + "Output Shape".PadRight(w2) + "┃ " + "Param #".PadLeft(w3 - 1) + " ┃");
        sb.AppendLine("┡" + new string('━', w1 + 1) + "╇" + new string('━', w2 + 1) + "╇" + new string('━', w3 + 1) + "┩");
        for (int i = 0; i < rows.Count; i++)
        {
            sb.AppendLine("│ " + rows[i].Name.PadRight(w1) + "│ " + rows[i].Shape.PadRight(w2) + "│ " + rows[i].Params.PadLeft(w3 - 1) + " │");
            if (i < rows.Count - 1) sb.AppendLine("├" + new string('─', w1 + 1) + "┼" + new string('─', w2 + 1) + "┼" + new string('─', w3 + 1) + "┤");
        }
        sb.AppendLine("└" + new string('─', w1 + 1) + "┴" + new string('─', w2 + 1) + "┴" + new string('─', w3 + 1) + "┘");
        var all = Built ? Weights : [];
        long total = all.Sum(v => v.Shape.Size);
        long trainable = Built ? TrainableWeights.Sum(v => v.Shape.Size) : 0;
        long totalBytes = all.Sum(v => v.Shape.Size * v.Value.DType.ElementSize());
        long trainableBytes = Built ? TrainableWeights.Sum(v => v.Shape.Size * v.Value.DType.ElementSize()) : 0;
        sb.AppendLine($" Total params: {total.ToString("N0", CultureInfo.InvariantCulture)} ({Bytes(totalBytes)})");
        sb.AppendLine($" Trainable params: {trainable.ToString("N0", CultureInfo.InvariantCulture)} ({Bytes(trainableBytes)})");
        sb.AppendLine($" Non-trainable params: {(total - trainable).ToString("N0", CultureInfo.InvariantCulture)} ({Bytes(totalBytes - trainableBytes)})");
        if (Optimizer is { Built: true } optimizer)
        {
            long optimizerParams = optimizer.Variables.Sum(v => v.Size);
            sb.AppendLine($" Optimizer params: {optimizerParams.ToString("N0", CultureInfo.InvariantCulture)} ({Bytes(optimizer.Variables.Sum(v => v.Size * v.DType.ElementSize()))})");
        }
        string text = sb.ToString();
        if (print is not null) foreach (var line in text.TrimEnd('\n', '\r').Split('\n')) print(line.TrimEnd('\r'));
        return text;
    }

    private static string Bytes(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return value.ToString("F2", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    // ------------------------------------------------------------------ persistence

    /// <summary>
    /// Saves the whole model to one file: a zip holding <c>config.json</c> (the Keras model config with its
    /// <c>compile_config</c>), <c>model.weights.bin</c> and, when compiled and <paramref name="includeOptimizer"/>,
    /// <c>optimizer.weights.bin</c> (see <see cref="ModelFile"/>). The file is written to a temporary file beside the
    /// destination and moved into place, so a crash never leaves a half-written model under <paramref name="path"/>.
    /// </summary>
    /// <param name="path">Destination file (conventionally <c>.keras.zip</c> or <c>.mlrmodel</c>).</param>
    /// <param name="includeOptimizer">Save the optimizer state so training can resume exactly. Default true.</param>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    public void Save(string path, bool includeOptimizer = true) => ModelFile.Save(this, path, includeOptimizer);

    /// <summary>Loads a model written by <see cref="Save"/>: rebuilt from its config, weights restored, compiled when it was, with its optimizer state.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidDataException">The file is truncated, corrupted or not a saved model; nothing is returned.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static Model Load(string path) => ModelFile.Load(path);

    /// <summary>Recompiles from a saved <c>compile_config</c> (used by <see cref="Load"/>).</summary>
    internal void CompileFromConfig(JsonObject compileConfig)
    {
        var optimizer = Optimizers.Optimizer.FromConfig(compileConfig["optimizer"]!);
        var loss = Microsoft.ML.Recurrent.Training.Losses.Loss.FromConfig(compileConfig["loss"]!);
        var metrics = (compileConfig["metrics"] as JsonArray ?? []).Select(m => Metric.FromConfig(m!)).ToList();
        Compile(optimizer, loss, metrics);
    }

    /// <summary>Creates a model from its Keras envelope (<c>Sequential</c>).</summary>
    /// <exception cref="FormatException">Unsupported model class.</exception>
    public static Model FromModelConfig(JsonObject envelope)
    {
        string className = envelope["class_name"]?.GetValue<string>() ?? "";
        var config = envelope["config"] as JsonObject ?? throw new FormatException("The model envelope has no \"config\" object.");
        Model model = className switch
        {
            "Sequential" => Sequential.FromConfig(config),
            _ => throw new FormatException($"Unsupported model class '{className}'; this version loads Sequential models."),
        };
        if (!model.Built && envelope["build_config"]?["input_shape"] is JsonArray dims)
            model.Build(new Shape(dims.Select(d => d is null ? 1 : d.GetValue<int>()).ToArray()));
        if (envelope["compile_config"] is JsonObject compile) model.CompileFromConfig(compile);
        return model;
    }

    /// <summary>The Keras model envelope: layer envelope plus <c>compile_config</c> when compiled.</summary>
    public JsonObject ToModelConfig()
    {
        var envelope = ToConfig();
        if (CompileConfig is not null) envelope["compile_config"] = CompileConfig.DeepClone();
        return envelope;
    }

    private sealed class ConsoleProgressBar
    {
        private const int Width = 20;

        public void Update(int done, int total, IReadOnlyDictionary<string, double> logs, TimeSpan eta)
        {
            Console.Write($"\r{Bar(done, total)} - ETA: {eta.TotalSeconds:F0}s - {Format(logs)}   ");
        }

        public void Finish(int done, int total, IReadOnlyDictionary<string, double> logs, TimeSpan elapsed)
        {
            Console.WriteLine($"\r{Bar(done, total)} - {elapsed.TotalSeconds:F0}s - {Format(logs)}   ");
        }

        private static string Bar(int done, int total)
        {
            int filled = total == 0 ? Width : done * Width / total;
            string bar = done >= total ? new string('━', Width) : new string('━', filled) + new string(' ', Width - filled);
            string count = done.ToString(CultureInfo.InvariantCulture).PadLeft(total.ToString(CultureInfo.InvariantCulture).Length);
            return $"{count}/{total} {bar}";
        }

        public static string Format(IReadOnlyDictionary<string, double> logs) =>
            string.Join(" - ", logs.Select(p => $"{p.Key}: {p.Value.ToString("G4", CultureInfo.InvariantCulture)}"));
    }
}

internal static class LayerExtensions
{
    public static bool IsStatefulRnn(this Layer layer) => layer is Rnn { Stateful: true };
}
