namespace Microsoft.ML.Recurrent.Training.Models;

/// <summary>What <c>Model.Fit</c> returns (Keras <c>History</c>): per-epoch logs by name.</summary>
public sealed class History
{
    private readonly Dictionary<string, List<double>> _values = new(StringComparer.Ordinal);
    private readonly List<int> _epochs = [];

    /// <summary>Per-epoch values by log name (<c>"loss"</c>, <c>"val_loss"</c>, <c>"accuracy"</c>, <c>"learning_rate"</c>, ...).</summary>
    public IReadOnlyDictionary<string, List<double>> Values => _values;

    /// <summary>The 0-based epoch indices recorded, in order.</summary>
    public IReadOnlyList<int> Epochs => _epochs;

    /// <summary>The values of <paramref name="name"/>, one per epoch.</summary>
    /// <exception cref="KeyNotFoundException">No such log.</exception>
    public IReadOnlyList<double> this[string name] => _values.TryGetValue(name, out var v) ? v
        : throw new KeyNotFoundException($"History has no '{name}'; it has {string.Join(", ", _values.Keys)}.");

    internal void Append(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        _epochs.Add(epoch);
        foreach (var (key, value) in logs)
        {
            if (!_values.TryGetValue(key, out var list)) _values[key] = list = [];
            list.Add(value);
        }
    }
}

/// <summary>
/// A progress report from <c>Model.Fit</c>: sent after every batch and at the end of every epoch.
/// </summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Epochs">The epoch Fit stops before (its <c>epochs</c> argument).</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Logs">Running loss and metrics (at the epoch end, with validation values).</param>
/// <param name="Elapsed">Time spent in this epoch.</param>
/// <param name="Eta">Estimated time to the end of the epoch (zero at its end).</param>
/// <param name="EpochEnd">True for the report that closes an epoch.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, IReadOnlyDictionary<string, double> Logs, TimeSpan Elapsed, TimeSpan Eta, bool EpochEnd);
