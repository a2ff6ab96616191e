using Xunit.Abstractions;
using Microsoft.ML.Data;
using static Microsoft.ML.Recurrent.Tests.MLNet.Trainers.SequenceTasks;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Trainers;

public sealed class RecurrentBinaryTrainerTests(ITestOutputHelper output)
{
    private sealed class Prediction
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    [Fact]
    public void Lstm_separates_a_held_out_sequence_task_with_AUC_above_0_95()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Binary(400, seed: 11));
        var test = ml.Data.LoadFromEnumerable(Binary(200, seed: 12));
        var lines = new List<string>();
        ml.Log += (_, e) => { lock (lines) lines.Add(e.RawMessage); };

        var model = ml.BinaryClassification.Trainers.Lstm(units: 16, maxEpochs: 12, learningRate: 0.01).Fit(train);
        var scored = model.Transform(test);
        var metrics = ml.BinaryClassification.Evaluate(scored);

        output.WriteLine($"held-out AUC {metrics.AreaUnderRocCurve:F4}, accuracy {metrics.Accuracy:F4}");
        Assert.True(metrics.AreaUnderRocCurve > 0.95, $"AUC {metrics.AreaUnderRocCurve}");
        Assert.True(metrics.Accuracy > 0.85, $"accuracy {metrics.Accuracy}");
        Assert.Equal(12, lines.Count(l => l.StartsWith("Epoch ", StringComparison.Ordinal)));

        var reloaded = TrainerAssertions.SaveAndLoad(ml, model, train);
        var again = reloaded.Transform(test);
        foreach (var column in new[] { "Score", "Probability" })
            Assert.Equal(TrainerAssertions.Column(scored, column), TrainerAssertions.Column(again, column));
        Assert.Equal(metrics.AreaUnderRocCurve, ml.BinaryClassification.Evaluate(again).AreaUnderRocCurve);

        var engine = ml.Model.CreatePredictionEngine<BinaryRow, Prediction>(reloaded);
        var expected = TrainerAssertions.Column(scored, "Score");
        var rows = Binary(5, seed: 12);
        for (int i = 0; i < rows.Length; i++)
        {
            var p = engine.Predict(rows[i]);
            Assert.Equal(expected[i][0], p.Score);
            Assert.Equal(1 / (1 + MathF.Exp(-p.Score)), p.Probability, 6);
            Assert.Equal(p.Score > 0, p.PredictedLabel);
        }
    }

    private sealed class SingleLabelRow
    {
        [VectorType(Steps, FeatureCount)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    [Fact]
    public void A_Single_label_is_read_as_zero_or_not_and_early_stopping_uses_the_validation_set()
    {
        var ml = new MLContext(seed: 1);
        var rows = Binary(64, seed: 13).Select(r => new SingleLabelRow { Features = r.Features, Label = r.Label ? 1 : 0 }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var valid = ml.Data.LoadFromEnumerable(Binary(32, seed: 14));
        var options = new Microsoft.ML.Recurrent.MLNet.Trainers.RecurrentBinaryTrainer.Options
        {
            Units = 4, MaxEpochs = 20, ValidationSet = valid, EarlyStoppingPatience = 0, LearningRate = 0.1, Seed = 2,
        };
        var lines = new List<string>();
        ml.Log += (_, e) => { lock (lines) lines.Add(e.RawMessage); };
        var model = ml.BinaryClassification.Trainers.Gru(options).Fit(data);
        var epochs = lines.Where(l => l.StartsWith("Epoch ", StringComparison.Ordinal)).ToList();
        Assert.Contains("val_loss=", epochs[0]);
        Assert.InRange(epochs.Count, 2, 19); // patience 0 stops at the first epoch without improvement
        Assert.Equal(NumberDataViewType.Single, model.Transform(data).Schema["Probability"].Type);
    }
}
