using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Recurrent.Training.Callbacks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNet.Training;

/// <summary>Writes one line per epoch (loss, validation metrics, time) to an ML.NET channel, i.e. to <c>MLContext.Log</c>.</summary>
internal sealed class TrainingLog(IChannel channel, int epochs) : Callback
{
    private readonly Stopwatch _clock = new();

    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) => _clock.Restart();

    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        var values = logs.Where(p => p.Key != "learning_rate")
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value:G6}"));
        channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
            $"Epoch {epoch + 1}/{epochs}: {string.Join(", ", values)}, time={_clock.Elapsed.TotalSeconds:F2}s"));
    }
}
