using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Models;

namespace Microsoft.ML.Recurrent.MLNet.Training;

/// <summary>
/// The training options every recurrent trainer and forecaster shares: epochs, batch size, optimizer and learning rate,
/// validation, early stopping, seed, device and progress. Public fields, as ML.NET trainer options.
/// </summary>
public abstract class RecurrentFitOptions
{
    /// <summary>Passes over the training data. Default 20.</summary>
    public int MaxEpochs = 20;

    /// <summary>Sequences per gradient step. Default 32.</summary>
    public int BatchSize = 32;

    /// <summary>The optimizer, by Keras name: <c>"adam"</c> (default), <c>"sgd"</c>, <c>"rmsprop"</c>, <c>"adamw"</c>, <c>"adagrad"</c>, <c>"adadelta"</c>, <c>"adamax"</c>, <c>"nadam"</c>.</summary>
    public string Optimizer = "adam";

    /// <summary>The optimizer's learning rate. Default 0.001 (Keras Adam's default).</summary>
    public double LearningRate = 0.001;

    /// <summary>Data scored after every epoch (same columns as the training data); reported as <c>val_loss</c> and used by early stopping. Null (default) for none, or see <see cref="ValidationSetFraction"/>.</summary>
    public IDataView? ValidationSet;

    /// <summary>When no <see cref="ValidationSet"/> is given: the fraction of the training rows, taken from the end in row order (so time order is kept), held out for validation. Default 0 (none); must be below 1.</summary>
    public double ValidationSetFraction;

    /// <summary>Stop when the validation loss (the training loss when there is no validation data) has not improved for this many epochs, and keep the best epoch's weights. Null (default) trains all <see cref="MaxEpochs"/>.</summary>
    public int? EarlyStoppingPatience;

    /// <summary>The seed of weight initialization, shuffling and dropout. Null (default) draws one from the <see cref="MLContext"/>'s seed, so a seeded context gives repeatable models.</summary>
    public int? Seed;

    /// <summary>Where to train and score: <see cref="Device.Auto"/> (default: a GPU when the GPU package finds one, else the CPU), <see cref="Device.Cpu"/> or <see cref="Device.Cuda(int)"/>. Honours <c>MLContext.GpuDeviceId</c> and <c>MLContext.FallbackToCpu</c> like ML.NET's GPU components.</summary>
    public Device Device = Device.Auto;

    /// <summary>Receives progress after every batch and epoch; null (default) for none. Per-epoch lines also go to <c>MLContext.Log</c>.</summary>
    public IProgress<TrainingProgress>? Progress;

    /// <summary>Checks the values; throws naming the field.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value out of range.</exception>
    internal virtual void Check()
    {
        if (MaxEpochs <= 0) throw new ArgumentOutOfRangeException(nameof(MaxEpochs), MaxEpochs, "MaxEpochs must be positive.");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be positive.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive.");
        if (ValidationSetFraction is < 0 or >= 1 || double.IsNaN(ValidationSetFraction))
            throw new ArgumentOutOfRangeException(nameof(ValidationSetFraction), ValidationSetFraction, "ValidationSetFraction must be in [0, 1).");
        if (EarlyStoppingPatience is < 0) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "EarlyStoppingPatience must be 0 or more.");
        ArgumentException.ThrowIfNullOrEmpty(Optimizer, nameof(Optimizer));
    }
}
