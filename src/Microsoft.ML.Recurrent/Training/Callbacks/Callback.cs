using Microsoft.ML.Recurrent.Training.Models;

namespace Microsoft.ML.Recurrent.Training.Callbacks;

/// <summary>
/// Hooks into <c>Model.Fit</c> (Keras <c>keras.callbacks.Callback</c>). Logs are mutable dictionaries of the
/// current loss and metrics; epoch-end logs include validation values (<c>val_</c> prefix) and <c>learning_rate</c>.
/// </summary>
public abstract class Callback
{
    /// <summary>The model being trained (set by Fit before <see cref="OnTrainBegin"/>).</summary>
    public Model? Model { get; internal set; }

    /// <summary>The model, for use inside hooks.</summary>
    /// <exception cref="InvalidOperationException">Called outside Fit.</exception>
    protected Model TrainedModel => Model ?? throw new InvalidOperationException($"{GetType().Name} is not attached to a model; it is used through Model.Fit(callbacks: ...).");

    /// <summary>Called once before the first epoch.</summary>
    public virtual void OnTrainBegin(IDictionary<string, double> logs) { }

    /// <summary>Called once after the last epoch.</summary>
    public virtual void OnTrainEnd(IDictionary<string, double> logs) { }

    /// <summary>Called at the start of epoch <paramref name="epoch"/> (0-based).</summary>
    public virtual void OnEpochBegin(int epoch, IDictionary<string, double> logs) { }

    /// <summary>Called at the end of epoch <paramref name="epoch"/> with the epoch's logs.</summary>
    public virtual void OnEpochEnd(int epoch, IDictionary<string, double> logs) { }

    /// <summary>Called before training batch <paramref name="batch"/> of the epoch.</summary>
    public virtual void OnTrainBatchBegin(int batch, IDictionary<string, double> logs) { }

    /// <summary>Called after training batch <paramref name="batch"/> with the running logs.</summary>
    public virtual void OnTrainBatchEnd(int batch, IDictionary<string, double> logs) { }

    /// <summary>Whether <paramref name="monitor"/> improves upward (<c>"auto"</c> picks max for accuracy/AUC names, else min).</summary>
    private protected static bool IsMaxMode(string mode, string monitor) => mode switch
    {
        "max" => true,
        "min" => false,
        "auto" => monitor.EndsWith("acc", StringComparison.Ordinal) || monitor.Contains("accuracy", StringComparison.Ordinal) || monitor.Contains("auc", StringComparison.Ordinal),
        _ => throw new ArgumentException($"Mode '{mode}' is unknown; expected one of \"auto\", \"min\", \"max\".", nameof(mode)),
    };
}
