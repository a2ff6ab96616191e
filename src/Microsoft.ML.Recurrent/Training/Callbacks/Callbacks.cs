using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Training.Callbacks;

/// <summary>
/// Stops training when <see cref="Monitor"/> has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> epochs (Keras <c>EarlyStopping</c>); optionally restores the weights of the best epoch at the end.
/// </summary>
public sealed class EarlyStopping : Callback
{
    private int _wait;
    private double _best;
    private Tensor[]? _bestWeights;
    private readonly bool _maxMode;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The log to watch. Default <c>"val_loss"</c>.</param>
    /// <param name="minDelta">Smallest change that counts as an improvement. Default 0.</param>
    /// <param name="patience">Epochs without improvement before stopping. Default 0.</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c>. Default <c>"auto"</c>.</param>
    /// <param name="baseline">A value the monitor must beat to reset the patience; null for none. Default null.</param>
    /// <param name="restoreBestWeights">Restore the best epoch's weights when training ends. Default false.</param>
    /// <param name="startFromEpoch">Epochs to wait before watching. Default 0.</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, string mode = "auto", double? baseline = null, bool restoreBestWeights = false, int startFromEpoch = 0)
    {
        Monitor = monitor;
        MinDelta = Math.Abs(minDelta);
        Patience = patience;
        Baseline = baseline;
        RestoreBestWeights = restoreBestWeights;
        StartFromEpoch = startFromEpoch;
        _maxMode = IsMaxMode(mode, monitor);
    }

    /// <summary>The watched log.</summary>
    public string Monitor { get; }

    /// <summary>Smallest improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; }

    /// <summary>Value to beat, or null.</summary>
    public double? Baseline { get; }

    /// <summary>Whether the best weights are restored at the end.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>Epochs ignored at the start.</summary>
    public int StartFromEpoch { get; }

    /// <summary>The epoch (0-based) at which training was stopped; 0 if it was not.</summary>
    public int StoppedEpoch { get; private set; }

    /// <summary>The epoch (0-based) with the best monitored value.</summary>
    public int BestEpoch { get; private set; }

    private bool IsImprovement(double value, double reference) => _maxMode ? value - MinDelta > reference : value + MinDelta < reference;

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        _wait = 0;
        StoppedEpoch = 0;
        BestEpoch = 0;
        _best = _maxMode ? double.NegativeInfinity : double.PositiveInfinity;
        _bestWeights = null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (!logs.TryGetValue(Monitor, out double current) || epoch < StartFromEpoch) return;
        if (RestoreBestWeights && _bestWeights is null) _bestWeights = TrainedModel.GetWeights();
        _wait++;
        if (IsImprovement(current, _best))
        {
            _best = current;
            BestEpoch = epoch;
            if (RestoreBestWeights) _bestWeights = TrainedModel.GetWeights();
            if (Baseline is not { } b || IsImprovement(current, b))
            {
                _wait = 0;
                return;
            }
        }
        if (_wait >= Patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            TrainedModel.StopTraining = true;
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        if (RestoreBestWeights && _bestWeights is not null) TrainedModel.SetWeights(_bestWeights);
    }
}

/// <summary>
/// Multiplies the learning rate by <see cref="Factor"/> when <see cref="Monitor"/> has not improved for
/// <see cref="Patience"/> epochs (Keras <c>ReduceLROnPlateau</c>), waiting <see cref="Cooldown"/> epochs after each cut.
/// </summary>
public sealed class ReduceLROnPlateau : Callback
{
    private readonly bool _maxMode;
    private double _best;
    private int _wait;
    private int _cooldownCounter;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The log to watch. Default <c>"val_loss"</c>.</param>
    /// <param name="factor">Multiplier of the learning rate, below 1. Default 0.1.</param>
    /// <param name="patience">Epochs without improvement before a cut. Default 10.</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c>. Default <c>"auto"</c>.</param>
    /// <param name="minDelta">Smallest change that counts as an improvement. Default 1e-4.</param>
    /// <param name="cooldown">Epochs to wait after a cut. Default 0.</param>
    /// <param name="minLr">Lower bound of the learning rate. Default 0.</param>
    /// <exception cref="ArgumentException"><paramref name="factor"/> is not below 1.</exception>
    public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, string mode = "auto", double minDelta = 1e-4, int cooldown = 0, double minLr = 0)
    {
        if (factor >= 1.0) throw new ArgumentException($"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}", nameof(factor));
        Monitor = monitor;
        Factor = factor;
        Patience = patience;
        MinDelta = minDelta;
        Cooldown = cooldown;
        MinLr = minLr;
        _maxMode = IsMaxMode(mode, monitor);
    }

    /// <summary>The watched log.</summary>
    public string Monitor { get; }

    /// <summary>Multiplier per cut.</summary>
    public double Factor { get; }

    /// <summary>Epochs without improvement before a cut.</summary>
    public int Patience { get; }

    /// <summary>Smallest improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Epochs to wait after a cut.</summary>
    public int Cooldown { get; }

    /// <summary>Lower bound of the learning rate.</summary>
    public double MinLr { get; }

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        _best = _maxMode ? double.NegativeInfinity : double.PositiveInfinity;
        _wait = 0;
        _cooldownCounter = 0;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        var optimizer = TrainedModel.Optimizer!;
        logs["learning_rate"] = optimizer.LearningRate;
        if (!logs.TryGetValue(Monitor, out double current)) return;
        bool inCooldown = _cooldownCounter > 0;
        if (inCooldown)
        {
            _cooldownCounter--;
            _wait = 0;
        }
        if (_maxMode ? current > _best + MinDelta : current < _best - MinDelta)
        {
            _best = current;
            _wait = 0;
        }
        else if (_cooldownCounter <= 0)
        {
            _wait++;
            if (_wait >= Patience)
            {
                double old = optimizer.LearningRate;
                if (old > (float)MinLr)
                {
                    optimizer.LearningRate = Math.Max(old * Factor, MinLr);
                    _cooldownCounter = Cooldown;
                    _wait = 0;
                }
            }
        }
    }
}

/// <summary>
/// Sets the learning rate at the start of each epoch from <c>schedule(epoch, currentRate)</c> (Keras <c>LearningRateScheduler</c>).
/// </summary>
/// <param name="schedule">Maps the 0-based epoch and the current rate to the new rate.</param>
public sealed class LearningRateScheduler(Func<int, double, double> schedule) : Callback
{
    private readonly Func<int, double, double> _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs)
    {
        var optimizer = TrainedModel.Optimizer!;
        double rate = _schedule(epoch, optimizer.LearningRate);
        if (double.IsNaN(rate) || double.IsInfinity(rate))
            throw new InvalidOperationException($"LearningRateScheduler: the schedule returned {rate} for epoch {epoch}; expected a finite number.");
        optimizer.LearningRate = rate;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => logs["learning_rate"] = TrainedModel.Optimizer!.LearningRate;
}

/// <summary>Stops training as soon as a batch loss is NaN or infinite (Keras <c>TerminateOnNaN</c>).</summary>
public sealed class TerminateOnNaN : Callback
{
    /// <summary>The batch (0-based, within its epoch) whose loss was not finite, or null.</summary>
    public int? TerminatedAtBatch { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (logs.TryGetValue("loss", out double loss) && !double.IsFinite(loss))
        {
            TerminatedAtBatch = batch;
            TrainedModel.StopTraining = true;
        }
    }
}

/// <summary>
/// Saves the model after each epoch, or only when <see cref="Monitor"/> improves (Keras <c>ModelCheckpoint</c>). The
/// path may contain <c>{epoch}</c> or <c>{epoch:02d}</c> (1-based epoch, as Keras formats it) and any log name.
/// </summary>
public sealed class ModelCheckpoint : Callback
{
    private readonly bool _maxMode;
    private double _best;

    /// <summary>Creates the callback.</summary>
    /// <param name="filePath">Destination (see <see cref="Models.Model.Save"/>); may contain <c>{epoch}</c> placeholders.</param>
    /// <param name="monitor">The log to watch. Default <c>"val_loss"</c>.</param>
    /// <param name="saveBestOnly">Save only when the monitor improves. Default false.</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c>. Default <c>"auto"</c>.</param>
    /// <param name="includeOptimizer">Save the optimizer state too. Default true.</param>
    /// <param name="initialValueThreshold">The value the monitor must beat for the first save; null for none. Default null.</param>
    public ModelCheckpoint(string filePath, string monitor = "val_loss", bool saveBestOnly = false, string mode = "auto", bool includeOptimizer = true, double? initialValueThreshold = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        FilePath = filePath;
        Monitor = monitor;
        SaveBestOnly = saveBestOnly;
        IncludeOptimizer = includeOptimizer;
        _maxMode = IsMaxMode(mode, monitor);
        _best = initialValueThreshold ?? (_maxMode ? double.NegativeInfinity : double.PositiveInfinity);
    }

    /// <summary>The destination pattern.</summary>
    public string FilePath { get; }

    /// <summary>The watched log.</summary>
    public string Monitor { get; }

    /// <summary>Whether only improvements are saved.</summary>
    public bool SaveBestOnly { get; }

    /// <summary>Whether the optimizer state is saved.</summary>
    public bool IncludeOptimizer { get; }

    /// <summary>The paths written so far, in order.</summary>
    public List<string> SavedPaths { get; } = [];

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (SaveBestOnly)
        {
            if (!logs.TryGetValue(Monitor, out double current) || double.IsNaN(current)) return;
            if (!(_maxMode ? current > _best : current < _best)) return;
            _best = current;
        }
        string path = FormatPath(epoch, logs);
        TrainedModel.Save(path, IncludeOptimizer);
        SavedPaths.Add(path);
    }

    private string FormatPath(int epoch, IDictionary<string, double> logs) =>
        Regex.Replace(FilePath, @"\{(\w+)(?::([^}]*))?\}", m =>
        {
            string key = m.Groups[1].Value;
            string format = m.Groups[2].Success ? m.Groups[2].Value : "";
            if (key == "epoch")
            {
                int value = epoch + 1;
                return format.EndsWith('d') && int.TryParse(format.TrimEnd('d'), out int width) ? value.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0') : value.ToString(CultureInfo.InvariantCulture);
            }
            if (logs.TryGetValue(key, out double v))
                return format.EndsWith('f') && int.TryParse(format.TrimStart('.').TrimEnd('f'), out int digits) ? v.ToString("F" + digits, CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
            return m.Value;
        });
}

/// <summary>
/// Streams epoch logs to a CSV file (Keras <c>CSVLogger</c>): a header <c>epoch,&lt;sorted log names&gt;</c>, then one
/// row per epoch; with <c>append</c> an existing file is continued without a second header.
/// </summary>
/// <param name="fileName">The CSV path.</param>
/// <param name="separator">Field separator. Default <c>","</c>.</param>
/// <param name="append">Continue an existing file. Default false.</param>
public sealed class CsvLogger(string fileName, string separator = ",", bool append = false) : Callback
{
    private string[]? _keys;
    private StreamWriter? _writer;

    /// <summary>The CSV path.</summary>
    public string FileName { get; } = fileName;

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        bool continuing = append && File.Exists(FileName) && new FileInfo(FileName).Length > 0;
        _keys = null;
        if (continuing)
        {
            // Reuse the existing header so rows line up with it.
            var header = File.ReadLines(FileName).FirstOrDefault();
            if (header is not null) _keys = header.Split(separator).Skip(1).ToArray();
        }
        _writer = new StreamWriter(FileName, append, new UTF8Encoding(false));
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (_writer is null) return;
        if (_keys is null)
        {
            _keys = logs.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
            _writer.WriteLine(string.Join(separator, new[] { "epoch" }.Concat(_keys)));
        }
        var fields = new List<string> { epoch.ToString(CultureInfo.InvariantCulture) };
        foreach (var key in _keys) fields.Add(logs.TryGetValue(key, out double v) ? v.ToString("R", CultureInfo.InvariantCulture) : "NA");
        _writer.WriteLine(string.Join(separator, fields));
        _writer.Flush();
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        _writer?.Dispose();
        _writer = null;
    }
}
