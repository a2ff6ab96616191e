using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Callbacks;
using Microsoft.ML.Recurrent.Training.Losses;
using Microsoft.ML.Recurrent.Training.Metrics;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Recurrent.Training.Optimizers;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNet.Training;

/// <summary>What <see cref="RecurrentFitting.Fit"/> produced.</summary>
/// <param name="Network">The trained network (the best epoch's weights when early stopping is on).</param>
/// <param name="History">Per-epoch loss and metrics (<c>val_</c>-prefixed for validation data).</param>
/// <param name="Seed">The seed used.</param>
internal sealed record RecurrentFitResult(Model Network, History History, int Seed);

/// <summary>
/// The fitting core shared by every recurrent trainer and the forecaster: resolves the device, seeds, creates and
/// compiles the network, trains with validation, early stopping and progress (per-epoch lines to <c>MLContext.Log</c>).
/// </summary>
internal static class RecurrentFitting
{
    /// <summary>Trains a network created by <paramref name="createNetwork"/> on <paramref name="x"/> → <paramref name="y"/>.</summary>
    /// <param name="env">The environment (from the catalog); its channel receives the epoch log, its random generator the default seed.</param>
    /// <param name="componentName">The name in the log, e.g. <c>"LstmRegression"</c>.</param>
    /// <param name="options">The shared options.</param>
    /// <param name="createNetwork">Creates the network; called after seeding, so its initial weights follow the seed.</param>
    /// <param name="loss">The training loss.</param>
    /// <param name="metrics">Extra metrics to log; null for none.</param>
    /// <param name="x">Inputs <c>(samples, steps, features)</c>.</param>
    /// <param name="y">Targets, batch first.</param>
    /// <param name="validation">Validation inputs and targets (from <see cref="RecurrentFitOptions.ValidationSet"/>); null to use <see cref="RecurrentFitOptions.ValidationSetFraction"/>.</param>
    /// <exception cref="ArgumentException">Bad options (the message names the field).</exception>
    public static RecurrentFitResult Fit(IHostEnvironment env, string componentName, RecurrentFitOptions options, Func<Model> createNetwork,
        Loss loss, IEnumerable<Metric>? metrics, Tensor x, Tensor y, (Tensor X, Tensor Y)? validation)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Check();
        var host = env.Register(componentName);
        using var channel = host.Start(componentName);
        var (gpuDeviceId, fallbackToCpu) = MLNetInternals.Current.GetGpuSettings(env);
        var device = DeviceSelection.Resolve(options.Device, gpuDeviceId, fallbackToCpu, channel);
        int seed = options.Seed ?? host.Rand.Next();
        if (validation is null && options.ValidationSetFraction > 0 && (int)Math.Floor(x.Shape[0] * (1 - options.ValidationSetFraction)) is var train && (train <= 0 || train >= x.Shape[0]))
            throw new ArgumentException($"ValidationSetFraction={options.ValidationSetFraction} leaves {train} of {x.Shape[0]} rows for training; both parts must be non-empty.", nameof(options));

        var optimizer = CreateOptimizer(options);
        var callbacks = new List<Callback> { new TrainingLog(channel, options.MaxEpochs) };
        bool validating = validation is not null || options.ValidationSetFraction > 0;
        if (options.EarlyStoppingPatience is int patience)
            callbacks.Add(new EarlyStopping(monitor: validating ? "val_loss" : "loss", patience: patience, restoreBestWeights: true));

        channel.Info(MessageSensitivity.None, $"Training on {device} with seed {seed}: {x.Shape[0]} sequences of shape ({x.Shape[1]}, {x.Shape[2]}), {options.MaxEpochs} epochs, batch size {options.BatchSize}, {options.Optimizer} at learning rate {options.LearningRate}.");
        // A private seed sequence: other threads drawing from the global one cannot change this fit.
        using (RandomSeeds.Scope(seed))
        {
            var network = createNetwork() ?? throw new InvalidOperationException("The network factory returned null.");
            network.Compile(optimizer, loss, metrics);
            var history = network.Fit(x, y, batchSize: options.BatchSize, epochs: options.MaxEpochs, verbose: 0, callbacks: callbacks,
                validationSplit: validation is null ? options.ValidationSetFraction : 0, validationData: validation,
                shuffle: true, progress: options.Progress);
            return new RecurrentFitResult(network, history, seed);
        }
    }

    private static Optimizer CreateOptimizer(RecurrentFitOptions options)
    {
        Optimizer optimizer;
        try
        {
            optimizer = Optimizer.Get(options.Optimizer);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Optimizer '{options.Optimizer}' is unknown: {e.Message}", nameof(options.Optimizer), e);
        }
        optimizer.LearningRate = options.LearningRate;
        return optimizer;
    }
}
