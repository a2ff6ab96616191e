using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Callbacks;
using Microsoft.ML.Recurrent.Training.Losses;
using Microsoft.ML.Recurrent.Training.Metrics;
using Microsoft.ML.Recurrent.Training.Optimizers;

namespace Microsoft.ML.Recurrent.Training.Models;

/// <summary>
/// A trainable model (Keras <c>keras.Model</c>): a layer with <c>Compile</c>,
/// <c>Fit</c>, <c>Evaluate</c>, <c>Predict</c> and <c>TrainOnBatch</c> (one input and output, or lists of them), whole-model
/// <see cref="Save"/>/<see cref="Load"/> and a Keras-style <see cref="Summary"/>.
/// </summary>
public abstract class Model : Layer
{
    private readonly List<(string LogName, int Output, Metric Metric)> _metrics = [];
    private readonly List<Loss> _outputLosses = [];
    private readonly List<Mean> _outputLossTrackers = [];
    private double[]? _lossWeights;
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

    /// <summary>The loss set by Compile (null before); for a model with several outputs compiled with one loss per output, the first output's.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>The loss of each output, in output order (empty before Compile).</summary>
    public IReadOnlyList<Loss> OutputLosses => _outputLosses;

    /// <summary>The weight of each output's loss in the total loss (Keras <c>loss_weights</c>); null when all are 1.</summary>
    public IReadOnlyList<double>? LossWeights => _lossWeights;

    /// <summary>The compiled metrics, in log order after the loss (for several outputs, output by output).</summary>
    public IReadOnlyList<Metric> Metrics => _metrics.Select(m => m.Metric).ToList();

    /// <summary>The number of input arrays the model takes (1 except for functional models with several inputs).</summary>
    public virtual int InputCount => 1;

    /// <summary>The number of output arrays the model returns (1 except for functional models with several outputs).</summary>
    public virtual int OutputCount => 1;

    /// <summary>The output names, used to name per-output logs (<c>"&lt;output&gt;_loss"</c>) and loss configs.</summary>
    public virtual IReadOnlyList<string> OutputNames => [Name];

    /// <summary>Set by callbacks (EarlyStopping, TerminateOnNaN) to end <c>Fit</c> after the current batch or epoch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>The Keras <c>compile_config</c> recorded by Compile (written into saved models).</summary>
    public JsonObject? CompileConfig { get; private set; }

    // ------------------------------------------------------------------ compile

    /// <summary>Configures training (Keras <c>compile</c>); with several outputs, <paramref name="loss"/> applies to each of them.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="loss">The loss (of every output).</param>
    /// <param name="metrics">Metrics reported besides the loss; null for none. With several outputs, give them per output through <see cref="Compile(Optimizer, IReadOnlyList{Loss}, IReadOnlyList{double}?, IReadOnlyList{IEnumerable{Metric}?}?)"/>.</param>
    /// <param name="lossWeights">Weight of each output's loss in the total (Keras <c>loss_weights</c>); null for 1.</param>
    /// <exception cref="ArgumentException">Duplicate metric names, flat metrics for several outputs, or a wrong number of loss weights.</exception>
    public void Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric>? metrics = null, IReadOnlyList<double>? lossWeights = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        var list = metrics?.ToList() ?? [];
        if (list.Count > 0 && OutputCount > 1)
            throw new ArgumentException($"Model '{Name}' has {OutputCount} outputs ({string.Join(", ", OutputNames)}); give metrics per output: Compile(optimizer, [loss], metrics: [[...], [...]]).", nameof(metrics));
        CompileCore(optimizer, [loss], singleLoss: true, lossWeights, OutputCount == 1 ? [list] : []);
    }

    /// <summary>
    /// Configures training of a model with several outputs (Keras <c>compile(loss=[...], loss_weights=[...], metrics=[[...], ...])</c>):
    /// the total loss is <c>Σ lossWeights[i] · loss[i](y[i], ŷ[i])</c> plus the regularization losses.
    /// </summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="loss">One loss per output, in output order; a single loss applies to every output.</param>
    /// <param name="lossWeights">One weight per output; null for 1.</param>
    /// <param name="metrics">Per output, its metrics (null for none); null for no metrics. Logged as <c>"&lt;output&gt;_&lt;metric&gt;"</c> when there are several outputs.</param>
    /// <exception cref="ArgumentException">Counts that do not match the outputs, or duplicate log names.</exception>
    public void Compile(Optimizer optimizer, IReadOnlyList<Loss> loss, IReadOnlyList<double>? lossWeights = null, IReadOnlyList<IEnumerable<Metric>?>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (metrics is not null && metrics.Count != OutputCount)
            throw new ArgumentException($"Model '{Name}' has {OutputCount} outputs ({string.Join(", ", OutputNames)}) but metrics were given for {metrics.Count}; give one list (or null) per output.", nameof(metrics));
        CompileCore(optimizer, loss, singleLoss: false, lossWeights, metrics?.Select(m => (IReadOnlyList<Metric>)(m?.ToList() ?? [])).ToList() ?? []);
    }

    private void CompileCore(Optimizer optimizer, IReadOnlyList<Loss> losses, bool singleLoss, IReadOnlyList<double>? lossWeights, IReadOnlyList<IReadOnlyList<Metric>> metrics)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        int outputs = OutputCount;
        if (losses.Count == 0 || losses.Any(l => l is null))
            throw new ArgumentException("loss must name a loss for every output; got an empty list or a null entry.", "loss");
        if (losses.Count != 1 && losses.Count != outputs)
            throw new ArgumentException($"Model '{Name}' has {outputs} outputs ({string.Join(", ", OutputNames)}) but {losses.Count} losses were given; give one loss, or one per output.", "loss");
        if (lossWeights is not null && lossWeights.Count != outputs)
            throw new ArgumentException($"Model '{Name}' has {outputs} outputs but {lossWeights.Count} loss weights were given; give one per output.", nameof(lossWeights));
        if (lossWeights is not null && lossWeights.Any(w => !double.IsFinite(w)))
            throw new ArgumentException($"loss_weights must be finite numbers; got [{string.Join(", ", lossWeights)}].", nameof(lossWeights));
        var names = OutputNames;
        var logged = new List<(string, int, Metric)>();
        for (int o = 0; o < metrics.Count; o++)
            foreach (var m in metrics[o]) logged.Add((outputs == 1 ? m.Name : names[o] + "_" + m.Name, o, m));
        var logNames = new HashSet<string>(StringComparer.Ordinal) { "loss" };
        if (outputs > 1) foreach (var n in names) logNames.Add(n + "_loss");
        foreach (var (logName, _, _) in logged)
            if (!logNames.Add(logName))
                throw new ArgumentException($"Two metrics are named '{logName}'; metric names must be unique (and not 'loss').", nameof(metrics));
        if (logged.Select(m => m.Item3).Distinct(ReferenceEqualityComparer.Instance).Count() != logged.Count)
            throw new ArgumentException("The same Metric object was given twice; metrics keep state, so give each output its own instance.", nameof(metrics));

        Optimizer = optimizer;
        Loss = losses[0];
        _outputLosses.Clear();
        for (int o = 0; o < outputs; o++) _outputLosses.Add(losses.Count == 1 ? losses[0] : losses[o]);
        _lossWeights = lossWeights?.ToArray();
        _outputLossTrackers.Clear();
        if (outputs > 1) foreach (var n in names) _outputLossTrackers.Add(new Mean(n + "_loss"));
        _metrics.Clear();
        _metrics.AddRange(logged);
        CompileConfig = new JsonObject
        {
            ["optimizer"] = optimizer.ToConfig(),
            ["loss"] = singleLoss || losses.Count == 1 ? losses[0].ToConfig() : new JsonArray(losses.Select(l => (JsonNode)l.ToConfig()).ToArray()),
            ["loss_weights"] = lossWeights is null ? null : new JsonArray(lossWeights.Select(w => KerasJson.Float(w)).ToArray()),
            ["metrics"] = outputs == 1
                ? new JsonArray(_metrics.Select(m => (JsonNode)m.Metric.ToConfig()).ToArray())
                : metrics.Count == 0 ? null : new JsonArray(metrics.Select(list => (JsonNode)new JsonArray(list.Select(m => (JsonNode)m.ToConfig()).ToArray())).ToArray()),
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

    /// <summary>
    /// Runs the model on every input array: one output per model output, and each output's mask (null when none) for the
    /// loss. Default: the single-input <see cref="Forward"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The wrong number of inputs.</exception>
    protected internal virtual Tensor[] ForwardAll(IReadOnlyList<Tensor> inputs, bool training, out Tensor?[] outputMasks)
    {
        if (inputs.Count != 1)
            throw new ArgumentException($"Model '{Name}' expects 1 input, but it received {inputs.Count} input tensors.", nameof(inputs));
        var y = Forward(inputs[0], training, null, out var mask);
        outputMasks = [mask];
        return [y];
    }

    private Tensor[] Run(IReadOnlyList<Tensor> x, bool training, out Tensor?[] outputMasks)
    {
        if (!Built) Build(x[0].Shape);
        return ForwardAll(x, training, out outputMasks);
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
    public Dictionary<string, double> TrainOnBatch(Tensor x, Tensor y, Tensor? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null) =>
        Step([x], [y], sampleWeight is null ? null : [sampleWeight], classWeight, train: true);

    /// <summary>One gradient step on a batch of a model with several inputs or outputs (Keras <c>train_on_batch</c> with lists).</summary>
    /// <param name="x">One array per model input, batch first.</param>
    /// <param name="y">One array per model output, batch first.</param>
    /// <param name="sampleWeight">One weight array (or null) per output, or a single array for all outputs; null for 1.</param>
    /// <exception cref="InvalidOperationException">Not compiled.</exception>
    /// <exception cref="ArgumentException">Counts that do not match the model's inputs and outputs, or mismatched sample counts.</exception>
    public Dictionary<string, double> TrainOnBatch(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, IReadOnlyList<Tensor?>? sampleWeight = null) =>
        Step(x, y, sampleWeight, null, train: true);

    /// <summary>The loss and metrics of one batch in inference mode (Keras <c>test_on_batch</c>), accumulated like <see cref="TrainOnBatch(Tensor, Tensor, Tensor?, IReadOnlyDictionary{int, double}?)"/>.</summary>
    /// <param name="x">Inputs.</param>
    /// <param name="y">Targets.</param>
    /// <param name="sampleWeight">Per-sample weights; null for 1.</param>
    /// <exception cref="InvalidOperationException">Not compiled.</exception>
    public Dictionary<string, double> TestOnBatch(Tensor x, Tensor y, Tensor? sampleWeight = null) =>
        Step([x], [y], sampleWeight is null ? null : [sampleWeight], null, train: false);

    /// <summary>The loss and metrics of one batch of a model with several inputs or outputs, in inference mode.</summary>
    /// <param name="x">One array per model input.</param>
    /// <param name="y">One array per model output.</param>
    /// <param name="sampleWeight">One weight array (or null) per output, or a single array for all outputs; null for 1.</param>
    /// <exception cref="InvalidOperationException">Not compiled.</exception>
    public Dictionary<string, double> TestOnBatch(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, IReadOnlyList<Tensor?>? sampleWeight = null) =>
        Step(x, y, sampleWeight, null, train: false);

    private Dictionary<string, double> Step(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, IReadOnlyList<Tensor?>? sampleWeight,
        IReadOnlyDictionary<int, double>? classWeight, bool train)
    {
        EnsureCompiled(train ? "training the model" : "evaluating the model");
        var weights = CheckData(x, y, sampleWeight);
        if (classWeight is not null)
        {
            if (OutputCount > 1)
                throw new ArgumentException($"class_weight is only supported for models with a single output; model '{Name}' has {OutputCount}. Use sample weights per output instead.", nameof(classWeight));
            weights[0] = ApplyClassWeight(y[0], weights[0], classWeight);
        }
        using var noGrad = train ? null : Autodiff.NoGrad();
        var variables = train ? TrainableWeights : [];
        var predictions = Run(x, training: train, out var masks);
        Tensor? total = null;
        var outputLosses = new double[predictions.Length];
        for (int o = 0; o < predictions.Length; o++)
        {
            var value = _outputLosses[o].Compute(y[o], predictions[o], weights[o], masks[o]);
            if (_lossWeights is { } lw) value = Ops.Multiply(value, lw[o]);
            outputLosses[o] = value.Item();
            total = total is null ? value : Ops.Add(total, Ops.Cast(value, total.DType));
        }
        foreach (var extra in Losses) total = Ops.Add(total!, Ops.Cast(extra, total!.DType));
        double totalValue = total!.Item();
        if (variables.Count > 0 && total.RequiresGrad)
        {
            var gradients = Autodiff.Gradients(total, variables.Select(v => v.Value).ToList());
            Optimizer!.Apply(gradients, variables);
        }
        using (Autodiff.NoGrad()) return UpdateMetrics(totalValue, outputLosses, x[0].Shape[0], y, predictions.Select(p => p.Detach()).ToArray(), weights);
    }

    /// <summary>Predictions for one batch in inference mode (Keras <c>predict_on_batch</c>).</summary>
    /// <param name="x">Inputs.</param>
    /// <exception cref="InvalidOperationException">The model has several outputs (use the list overload).</exception>
    public Tensor PredictOnBatch(Tensor x) => SingleOutput(PredictOnBatch([x]), nameof(PredictOnBatch));

    /// <summary>Predictions for one batch, one array per output (Keras <c>predict_on_batch</c> with lists).</summary>
    /// <param name="x">One array per model input.</param>
    /// <exception cref="ArgumentException">The wrong number of inputs, or inputs of different sample counts.</exception>
    public Tensor[] PredictOnBatch(IReadOnlyList<Tensor> x)
    {
        CheckInputs(x);
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

    private Tensor SingleOutput(Tensor[] outputs, string operation) => outputs.Length == 1 ? outputs[0]
        : throw new InvalidOperationException($"Model '{Name}' has {outputs.Length} outputs ({string.Join(", ", OutputNames)}); call {operation} with a list of inputs to receive all of them.");

    /// <summary>Forgets the accumulated loss and metric values.</summary>
    public void ResetMetrics()
    {
        _lossTracker.ResetState();
        foreach (var t in _outputLossTrackers) t.ResetState();
        foreach (var m in _metrics) m.Metric.ResetState();
    }

    private Dictionary<string, double> UpdateMetrics(double loss, double[] outputLosses, int batch, IReadOnlyList<Tensor> y, Tensor[] predictions, Tensor?[] sampleWeights)
    {
        _lossTracker.Update(loss, batch);
        for (int o = 0; o < _outputLossTrackers.Count; o++) _outputLossTrackers[o].Update(outputLosses[o], batch);
        foreach (var (_, output, metric) in _metrics) metric.UpdateState(y[output], predictions[output], sampleWeights[output]);
        return CurrentLogs();
    }

    private Dictionary<string, double> CurrentLogs()
    {
        var logs = new Dictionary<string, double>(StringComparer.Ordinal) { ["loss"] = _lossTracker.Result() };
        foreach (var t in _outputLossTrackers) logs[t.Name] = t.Result();
        foreach (var (logName, _, metric) in _metrics) logs[logName] = metric.Result();
        return logs;
    }

    private void CheckInputs(IReadOnlyList<Tensor> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Count != InputCount)
            throw new ArgumentException($"Model '{Name}' expects {InputCount} input{(InputCount == 1 ? "" : "s")}, but it received {x.Count} input tensors.", nameof(x));
        for (int i = 0; i < x.Count; i++)
        {
            if (x[i] is null || x[i].Rank == 0)
                throw new ArgumentException($"Input {i} of model '{Name}' needs a batch axis; got {(x[i] is null ? "null" : x[i].Shape.ToString())}.", nameof(x));
            if (x[i].Shape[0] != x[0].Shape[0])
                throw new ArgumentException($"Data cardinality is ambiguous: input 0 has {x[0].Shape[0]} samples ({x[0].Shape}) but input {i} has {x[i].Shape[0]} ({x[i].Shape}). Make sure all arrays contain the same number of samples.", nameof(x));
        }
    }

    /// <summary>Checks counts and sample counts; returns one sample-weight tensor (or null) per output.</summary>
    private Tensor?[] CheckData(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, IReadOnlyList<Tensor?>? sampleWeight)
    {
        CheckInputs(x);
        ArgumentNullException.ThrowIfNull(y);
        if (y.Count != OutputCount)
            throw new ArgumentException($"Model '{Name}' has {OutputCount} output{(OutputCount == 1 ? "" : "s")} ({string.Join(", ", OutputNames)}) but {y.Count} target arrays were given.", nameof(y));
        int samples = x[0].Shape[0];
        for (int o = 0; o < y.Count; o++)
        {
            if (y[o] is null || y[o].Rank == 0)
                throw new ArgumentException($"Inputs and targets need a batch axis; got x {x[0].Shape} and y {(y[o] is null ? "null" : y[o].Shape.ToString())}.", nameof(y));
            if (y[o].Shape[0] != samples)
                throw new ArgumentException($"Data cardinality is ambiguous: x has {samples} samples ({x[0].Shape}) but y{(y.Count > 1 ? $"[{o}]" : "")} has {y[o].Shape[0]} ({y[o].Shape}). Make sure all arrays contain the same number of samples.", nameof(y));
        }
        var weights = new Tensor?[y.Count];
        if (sampleWeight is null) return weights;
        if (sampleWeight.Count != 1 && sampleWeight.Count != y.Count)
            throw new ArgumentException($"Model '{Name}' has {y.Count} outputs but {sampleWeight.Count} sample-weight arrays were given; give one for all outputs or one (or null) per output.", nameof(sampleWeight));
        for (int o = 0; o < y.Count; o++)
        {
            var w = sampleWeight.Count == 1 ? sampleWeight[0] : sampleWeight[o];
            if (w is not null && (w.Rank == 0 || w.Shape[0] != samples))
                throw new ArgumentException($"sample_weight has shape {w.Shape}; expected {samples} weights (one per sample) first.", nameof(sampleWeight));
            weights[o] = w;
        }
        return weights;
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
    /// <param name="validationData">Explicit validation inputs, targets and optional sample weights, e.g. <c>(xVal, yVal)</c> or <c>(xVal, yVal, wVal)</c> (overrides the split); null for none.</param>
    /// <param name="shuffle">Shuffle the training samples every epoch (never for stateful models, whose batches must stay in order). Default true.</param>
    /// <param name="classWeight">Weight per class index; null for none.</param>
    /// <param name="sampleWeight">Per-sample weights <c>(samples,)</c>; null for 1.</param>
    /// <param name="initialEpoch">The epoch to start at (to resume training). Default 0.</param>
    /// <param name="progress">Receives a <see cref="TrainingProgress"/> after every batch and epoch; null for none.</param>
    /// <exception cref="InvalidOperationException">Not compiled.</exception>
    /// <exception cref="ArgumentException">Mismatched sample counts, or invalid sizes.</exception>
    public History Fit(Tensor x, Tensor y, int batchSize = 32, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
        double validationSplit = 0, ValidationData? validationData = null, bool shuffle = true,
        IReadOnlyDictionary<int, double>? classWeight = null, Tensor? sampleWeight = null, int initialEpoch = 0,
        IProgress<TrainingProgress>? progress = null) =>
        Fit([x], [y], batchSize, epochs, verbose, callbacks, validationSplit, validationData, shuffle, classWeight,
            sampleWeight is null ? null : [sampleWeight], initialEpoch, progress);

    /// <summary>
    /// Trains a model with several inputs or outputs (Keras <c>fit</c> with lists of arrays) and returns the per-epoch
    /// logs: <c>loss</c> (the weighted total), <c>&lt;output&gt;_loss</c> per output when there are several, and metrics.
    /// </summary>
    /// <param name="x">One array per model input, batch first.</param>
    /// <param name="y">One array per model output, batch first.</param>
    /// <param name="batchSize">Samples per gradient step. Default 32.</param>
    /// <param name="epochs">The epoch to stop before. Default 1.</param>
    /// <param name="verbose">0 silent, 1 console progress bar, 2 one console line per epoch. Default 1.</param>
    /// <param name="callbacks">Callbacks; null for none.</param>
    /// <param name="validationSplit">Fraction of the samples, taken from the end before shuffling, held out for validation. Default 0.</param>
    /// <param name="validationData">Explicit validation inputs, targets and optional sample weights (overrides the split); null for none.</param>
    /// <param name="shuffle">Shuffle the training samples every epoch (never for stateful models). Default true.</param>
    /// <param name="classWeight">Weight per class index (single-output models only); null for none.</param>
    /// <param name="sampleWeight">One weight array (or null) per output, or a single array for all outputs; null for 1.</param>
    /// <param name="initialEpoch">The epoch to start at (to resume training). Default 0.</param>
    /// <param name="progress">Receives a <see cref="TrainingProgress"/> after every batch and epoch; null for none.</param>
    /// <exception cref="InvalidOperationException">Not compiled.</exception>
    /// <exception cref="ArgumentException">Counts that do not match the model, mismatched sample counts, or invalid sizes.</exception>
    public History Fit(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, int batchSize = 32, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
        double validationSplit = 0, ValidationData? validationData = null, bool shuffle = true,
        IReadOnlyDictionary<int, double>? classWeight = null, IReadOnlyList<Tensor?>? sampleWeight = null, int initialEpoch = 0,
        IProgress<TrainingProgress>? progress = null)
    {
        EnsureCompiled("training the model");
        var weights = CheckData(x, y, sampleWeight);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch_size must be a positive integer.");
        if (validationSplit < 0 || validationSplit >= 1) throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "validation_split must be in [0, 1).");
        if (initialEpoch < 0) throw new ArgumentOutOfRangeException(nameof(initialEpoch), initialEpoch, "initial_epoch must be non-negative.");

        int samples = x[0].Shape[0];
        ValidationData? validation = null;
        if (validationData is not null)
        {
            validation = validationData;
            CheckData(validation.X, validation.Y, validation.SampleWeight);
        }
        else if (validationSplit > 0)
        {
            // Keras holds out the last samples, before any shuffling.
            int train = (int)Math.Floor(samples * (1 - validationSplit));
            if (train <= 0 || train >= samples)
                throw new ArgumentException($"validation_split={validationSplit} leaves {train} of {samples} samples for training; both parts must be non-empty.", nameof(validationSplit));
            var tail = Enumerable.Range(train, samples - train).ToArray();
            var head = Enumerable.Range(0, train).ToArray();
            validation = new ValidationData(Take(x, tail), Take(y, tail), sampleWeight is null ? null : TakeWeights(weights, tail));
            x = Take(x, head);
            y = Take(y, head);
            weights = TakeWeights(weights, head);
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
                logs = Step(Take(x, rows), Take(y, rows), TakeWeights(weights, rows), classWeight, train: true);
                done = b + 1;
                foreach (var c in callbackList) c.OnTrainBatchEnd(b, logs);
                var eta = TimeSpan.FromTicks(clock.Elapsed.Ticks / done * (batches - done));
                progress?.Report(new TrainingProgress(epoch, epochs, done, batches, new Dictionary<string, double>(logs), clock.Elapsed, eta, false));
                bar?.Update(done, batches, logs, eta);
                if (StopTraining) break;
            }
            epochLogs = new Dictionary<string, double>(logs, StringComparer.Ordinal);
            if (validation is not null)
                foreach (var (key, value) in Evaluate(validation.X, validation.Y, batchSize, validation.SampleWeight))
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
    public Dictionary<string, double> Evaluate(Tensor x, Tensor y, int batchSize = 32, Tensor? sampleWeight = null) =>
        Evaluate([x], [y], batchSize, sampleWeight is null ? null : [sampleWeight]);

    /// <summary>The loss and metrics of a model with several inputs or outputs over a dataset, in inference mode.</summary>
    /// <param name="x">One array per model input.</param>
    /// <param name="y">One array per model output.</param>
    /// <param name="batchSize">Samples per batch. Default 32.</param>
    /// <param name="sampleWeight">One weight array (or null) per output, or a single array for all outputs; null for 1.</param>
    /// <exception cref="InvalidOperationException">Not compiled.</exception>
    public Dictionary<string, double> Evaluate(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, int batchSize = 32, IReadOnlyList<Tensor?>? sampleWeight = null)
    {
        EnsureCompiled("evaluating the model");
        var weights = CheckData(x, y, sampleWeight);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch_size must be a positive integer.");
        ResetMetrics();
        Dictionary<string, double> logs = [];
        int samples = x[0].Shape[0];
        for (int start = 0; start < samples; start += batchSize)
        {
            var rows = Enumerable.Range(start, Math.Min(batchSize, samples - start)).ToArray();
            logs = Step(Take(x, rows), Take(y, rows), TakeWeights(weights, rows), null, train: false);
        }
        ResetMetrics();
        return logs;
    }

    /// <summary>Predictions for all samples in inference mode, computed in batches (Keras <c>predict</c>).</summary>
    /// <param name="x">Inputs.</param>
    /// <param name="batchSize">Samples per batch. Default 32.</param>
    /// <exception cref="InvalidOperationException">The model has several outputs (use the list overload).</exception>
    public Tensor Predict(Tensor x, int batchSize = 32) => SingleOutput(Predict([x], batchSize), nameof(Predict));

    /// <summary>Predictions of a model with several inputs or outputs, one array per output, computed in batches.</summary>
    /// <param name="x">One array per model input.</param>
    /// <param name="batchSize">Samples per batch. Default 32.</param>
    /// <exception cref="ArgumentException">The wrong number of inputs, inputs of different sample counts, or shapes the model does not take.</exception>
    public Tensor[] Predict(IReadOnlyList<Tensor> x, int batchSize = 32)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch_size must be a positive integer.");
        CheckInputs(x);
        int samples = x[0].Shape[0];
        var parts = new List<Tensor[]>();
        for (int start = 0; start < samples; start += batchSize)
            parts.Add(PredictOnBatch(Take(x, Enumerable.Range(start, Math.Min(batchSize, samples - start)).ToArray())));
        using var _ = Autodiff.NoGrad();
        return Enumerable.Range(0, parts[0].Length).Select(o => parts.Count == 1 ? parts[0][o] : Ops.Concat(parts.Select(p => p[o]).ToList(), 0)).ToArray();
    }

    private static Tensor[] Take(IReadOnlyList<Tensor> tensors, int[] rows) => tensors.Select(t => Take(t, rows)).ToArray();

    private static Tensor?[] TakeWeights(IReadOnlyList<Tensor?> tensors, int[] rows) => tensors.Select(t => t is null ? null : Take(t, rows)).ToArray();

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
        var rows = SummaryTable();
        bool connections = rows.Any(r => r.ConnectedTo is not null);
        int w1 = Math.Max(31, rows.Select(r => r.Name.Length + 2).DefaultIfEmpty(0).Max());
        int w2 = Math.Max(22, rows.Select(r => r.Shape.Length + 2).DefaultIfEmpty(0).Max());
        int w3 = 15;
        int w4 = connections ? Math.Max(20, rows.SelectMany(r => r.ConnectedTo ?? []).Select(c => c.Length + 2).DefaultIfEmpty(0).Max()) : 0;
        string Line(char left, char fill, char cross, char right) =>
            left + new string(fill, w1 + 1) + cross + new string(fill, w2 + 1) + cross + new string(fill, w3 + 1) + (connections ? cross + new string(fill, w4 + 1) : "") + right;
        var sb = new StringBuilder();
        sb.AppendLine($"Model: \"{Name}\"");
        sb.AppendLine(Line('┏', '━', '┳', '┓'));
        sb.AppendLine("┃ " + "Layer (type)".PadRight(w1) + "┃ " + "Output Shape".PadRight(w2) + "┃ " + "Param #".PadLeft(w3 - 1) + " ┃" + (connections ? " " + "Connected to".PadRight(w4) + "┃" : ""));
        sb.AppendLine(Line('┡', '━', '╇', '┩'));
        for (int i = 0; i < rows.Count; i++)
        {
            var connected = rows[i].ConnectedTo ?? [];
            for (int line = 0; line < Math.Max(1, connected.Count); line++)
            {
                bool first = line == 0;
                sb.AppendLine("│ " + (first ? rows[i].Name : "").PadRight(w1) + "│ " + (first ? rows[i].Shape : "").PadRight(w2) + "│ "
                    + (first ? rows[i].Params : "").PadLeft(w3 - 1) + " │" + (connections ? " " + (line < connected.Count ? connected[line] : "").PadRight(w4) + "│" : ""));
            }
            if (i < rows.Count - 1) sb.AppendLine(Line('├', '─', '┼', '┤'));
        }
        sb.AppendLine(Line('└', '─', '┴', '┘'));
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

    /// <summary>The rows of <see cref="Summary"/>: name (type), output shape text, parameter count text, and the "Connected to" lines (null for a sequential table).</summary>
    private protected virtual IReadOnlyList<(string Name, string Shape, string Params, IReadOnlyList<string>? ConnectedTo)> SummaryTable() =>
        SummaryRows().Select(r => (
            $"{r.Layer.Name} ({r.Layer.ClassName})",
            r.OutputShape is { } s ? "(" + string.Join(", ", s.Dims.ToArray().Select((d, i) => i == 0 && !r.Layer.IsStatefulRnn() ? "None" : d.ToString(CultureInfo.InvariantCulture))) + (s.Rank == 1 ? ",)" : ")") : "?",
            ParamCount(r.Layer),
            (IReadOnlyList<string>?)null)).ToList();

    /// <summary>The parameter count of <paramref name="layer"/> as Summary prints it.</summary>
    private protected static string ParamCount(Layer layer) =>
        layer.Built ? layer.Weights.Sum(w => w.Shape.Size).ToString("N0", CultureInfo.InvariantCulture) : "0 (unbuilt)";

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
        var lossNode = compileConfig["loss"] ?? throw new FormatException("compile_config has no \"loss\".");
        var weightNode = compileConfig["loss_weights"];
        var metricNode = compileConfig["metrics"] as JsonArray ?? [];
        bool perOutput = lossNode is JsonArray || lossNode is JsonObject { } o && !o.ContainsKey("class_name")
            || weightNode is not null || metricNode.Any(m => m is JsonArray || m is null);
        if (!perOutput)
        {
            Compile(optimizer, Microsoft.ML.Recurrent.Training.Losses.Loss.FromConfig(lossNode), metricNode.Select(m => Metric.FromConfig(m!)).ToList());
            return;
        }
        var losses = ByOutput(lossNode, "loss").Select(l => Microsoft.ML.Recurrent.Training.Losses.Loss.FromConfig(l ?? throw new FormatException("compile_config \"loss\" has a null entry."))).ToList();
        var weights = weightNode is null ? null : ByOutput(weightNode, "loss_weights").Select(w => KerasJson.TryReadNumber(w, out double v) ? v : throw new FormatException($"compile_config \"loss_weights\" holds {KerasJson.Describe(w)}; expected numbers.")).ToList();
        var metrics = metricNode.Count == 0 ? null : ByOutput(metricNode, "metrics")
            .Select(m => m is null ? null : (IEnumerable<Metric>)(m is JsonArray list ? list.Select(x => Metric.FromConfig(x!)).ToList() : [Metric.FromConfig(m)])).ToList();
        Compile(optimizer, losses, weights, metrics);
    }

    /// <summary>A compile_config entry per output: a list in output order, a dict keyed by output name, or one value for all.</summary>
    private List<JsonNode?> ByOutput(JsonNode node, string key)
    {
        if (node is JsonArray array) return array.ToList();
        if (node is JsonObject dict && !dict.ContainsKey("class_name"))
            return OutputNames.Select(n => dict.TryGetPropertyValue(n, out var v) ? v : throw new FormatException($"compile_config \"{key}\" has no entry for output '{n}'; it has {string.Join(", ", dict.Select(p => p.Key))}.")).ToList();
        return [node];
    }

    /// <summary>Creates a model from its Keras envelope (<c>Sequential</c>, or <c>Functional</c> in the Keras 3 or Keras 2 format).</summary>
    /// <exception cref="FormatException">Unsupported model class or malformed config.</exception>
    public static Model FromModelConfig(JsonObject envelope)
    {
        string className = envelope["class_name"]?.GetValue<string>() ?? "";
        var config = envelope["config"] as JsonObject ?? throw new FormatException("The model envelope has no \"config\" object.");
        Model model = className switch
        {
            "Sequential" => Sequential.FromConfig(config),
            "Functional" or "Model" => Functional.FromConfig(config),
            _ => throw new FormatException($"Unsupported model class '{className}'; this version loads Sequential and Functional models."),
        };
        if (!model.Built && envelope["build_config"] is JsonObject build) model.BuildFromConfig(build);
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
