using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests.Evaluation;

public class EvaluationTests
{
    private readonly MLContext _ml = new(seed: 1);

    private sealed class Reg
    {
        public float Label { get; set; }

        public float Score { get; set; }
    }

    [Fact]
    public void Regression_MatchesFormulas_AndSkipsNaNLabels()
    {
        var rows = new[]
        {
            new Reg { Label = 1, Score = 1.5f },
            new Reg { Label = 2, Score = 1.0f },
            new Reg { Label = 4, Score = 4.0f },
            new Reg { Label = float.NaN, Score = 100 },
        };
        var m = _ml.Regression.Evaluate(_ml.Data.LoadFromEnumerable(rows));
        double[] y = { 1, 2, 4 };
        double[] s = { 1.5, 1.0, 4.0 };
        double mae = y.Zip(s, (a, b) => Math.Abs(a - b)).Average();
        double mse = y.Zip(s, (a, b) => (a - b) * (a - b)).Average();
        double mean = y.Average();
        double sst = y.Sum(v => (v - mean) * (v - mean));
        Assert.Equal(mae, m.MeanAbsoluteError, 12);
        Assert.Equal(mse, m.MeanSquaredError, 12);
        Assert.Equal(Math.Sqrt(mse), m.RootMeanSquaredError, 12);
        Assert.Equal(mse, m.LossFunction, 6);
        Assert.Equal(1 - (mse * 3 / sst), m.RSquared, 10);
    }

    private sealed class RegDouble
    {
        public double Label { get; set; }

        public float Score { get; set; }
    }

    [Fact]
    public void Regression_WrongTypesOrMissingColumns_Throw()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new RegDouble { Label = 1, Score = 1 } });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Regression.Evaluate(data));
        Assert.Contains("Label", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Regression.Evaluate(data, scoreColumnName: "Nope"));
        var empty = _ml.Regression.Evaluate(_ml.Data.LoadFromEnumerable(new List<Reg>()));
        Assert.Equal(0, empty.MeanSquaredError);
    }

    private sealed class Bin
    {
        public bool Label { get; set; }

        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    private static Bin B(bool label, float score, float p) => new() { Label = label, Score = score, Probability = p, PredictedLabel = score > 0 };

    [Fact]
    public void Binary_CountsAucWithTiesAndLogLoss()
    {
        var rows = new[]
        {
            B(true, 2f, 0.9f), B(true, 0.5f, 0.6f), B(true, -1f, 0.3f),
            B(false, 0.5f, 0.6f), B(false, -2f, 0.1f), B(false, -3f, 0.05f),
        };
        var m = _ml.BinaryClassification.Evaluate(_ml.Data.LoadFromEnumerable(rows));

        // TP=2, FN=1, FP=1, TN=2.
        Assert.Equal(4 / 6.0, m.Accuracy, 12);
        Assert.Equal(2 / 3.0, m.PositivePrecision, 12);
        Assert.Equal(2 / 3.0, m.PositiveRecall, 12);
        Assert.Equal(2 / 3.0, m.NegativePrecision, 12);
        Assert.Equal(2 / 3.0, m.NegativeRecall, 12);
        Assert.Equal(2 / 3.0, m.F1Score, 12);

        // Pairs (pos, neg) ordered correctly: 2 beats all 3; 0.5 ties one (half) and beats 2; -1 beats 2 => (3 + 2.5 + 2) / 9.
        Assert.Equal(7.5 / 9, m.AreaUnderRocCurve, 12);

        double expectedLogLoss = new[] { -Math.Log2(0.9), -Math.Log2(0.6), -Math.Log2(0.3), -Math.Log2(0.4), -Math.Log2(0.9), -Math.Log2(0.95) }.Average();
        Assert.Equal(expectedLogLoss, m.LogLoss, 5);
        Assert.Equal(1.0, m.Entropy, 12);
        Assert.Equal((1.0 - m.LogLoss) / 1.0, m.LogLossReduction, 12);

        Assert.Equal(2, m.ConfusionMatrix.NumberOfClasses);
        Assert.Equal(2, m.ConfusionMatrix.GetCountForClassPair(0, 0));
        Assert.Equal(1, m.ConfusionMatrix.GetCountForClassPair(1, 0));
        Assert.Equal(1, m.ConfusionMatrix.GetCountForClassPair(0, 1));
        Assert.Equal(new[] { 2 / 3.0, 2 / 3.0 }, m.ConfusionMatrix.PerClassRecall);
        var table = m.ConfusionMatrix.GetFormattedConfusionTable();
        Assert.Contains("TEST POSITIVE RATIO:", table);
        Assert.Contains("positive", table);
        Assert.Contains("Precision", table);
        Assert.InRange(m.AreaUnderPrecisionRecallCurve, 0, 1);
    }

    [Fact]
    public void Binary_AuPrc_PerfectRankingIsOne_AndNonCalibratedNeedsNoProbability()
    {
        var rows = new[] { B(true, 3, 0.9f), B(true, 2, 0.8f), B(false, -1, 0.2f), B(false, -2, 0.1f) };
        var data = _ml.Data.LoadFromEnumerable(rows);
        var m = _ml.BinaryClassification.EvaluateNonCalibrated(_ml.Transforms.DropColumns("Probability").Fit(data).Transform(data));
        Assert.Equal(1.0, m.AreaUnderPrecisionRecallCurve, 12);
        Assert.Equal(1.0, m.AreaUnderRocCurve, 12);
        Assert.IsNotType<CalibratedBinaryClassificationMetrics>(m);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.BinaryClassification.Evaluate(_ml.Transforms.DropColumns("Probability").Fit(data).Transform(data)));
    }

    private sealed class FloatBin
    {
        public float Label { get; set; }

        public float Score { get; set; }

        public bool PredictedLabel { get; set; }
    }

    [Fact]
    public void Binary_FloatLabels_PositiveWhenAboveZero()
    {
        var rows = new[] { new FloatBin { Label = 1, Score = 1, PredictedLabel = true }, new FloatBin { Label = 0, Score = -1, PredictedLabel = false }, new FloatBin { Label = float.NaN, Score = 5, PredictedLabel = true } };
        var m = _ml.BinaryClassification.EvaluateNonCalibrated(_ml.Data.LoadFromEnumerable(rows));
        Assert.Equal(1.0, m.Accuracy);
    }

    private sealed class Multi
    {
        public uint Label { get; set; }

        [VectorType(3)]
        public float[] Score { get; set; } = new float[3];

        public uint PredictedLabel { get; set; }
    }

    [Fact]
    public void Multiclass_AccuraciesLogLossTopKAndConfusion()
    {
        var raw = new[]
        {
            ("a", new[] { 0.7f, 0.2f, 0.1f }),
            ("a", new[] { 0.3f, 0.6f, 0.1f }),
            ("b", new[] { 0.1f, 0.8f, 0.1f }),
            ("c", new[] { 0.2f, 0.3f, 0.5f }),
            ("c", new[] { 0.5f, 0.4f, 0.1f }),
        };
        var rows = raw.Select(r => new Labeled { Name = r.Item1, Score = r.Item2 }).ToList();
        var data = _ml.Data.LoadFromEnumerable(rows);
        var keyed = _ml.Transforms.Conversion.MapValueToKey("Label", "Name").Append(_ml.Transforms.CopyColumns("PredictedLabel", "Label")).Fit(data).Transform(data);
        var m = _ml.MulticlassClassification.Evaluate(keyed, topKPredictionCount: 2);

        Assert.Equal(3 / 5.0, m.MicroAccuracy, 12);
        Assert.Equal((0.5 + 1 + 0.5) / 3, m.MacroAccuracy, 12);
        double ll = new[] { -Math.Log(0.7), -Math.Log(0.3), -Math.Log(0.8), -Math.Log(0.5), -Math.Log(0.1) }.Average();
        Assert.Equal(ll, m.LogLoss, 5);
        double prior = -((0.4 * Math.Log(0.4)) + (0.2 * Math.Log(0.2)) + (0.4 * Math.Log(0.4)));
        Assert.Equal((prior - m.LogLoss) / prior, m.LogLossReduction, 10);
        Assert.Equal(2, m.TopKPredictionCount);
        Assert.Equal(4 / 5.0, m.TopKAccuracy, 12);
        Assert.Equal(new[] { 3 / 5.0, 4 / 5.0 }, m.TopKAccuracyForAllK!);
        Assert.Equal(3, m.PerClassLogLoss.Count);
        Assert.Equal((-Math.Log(0.7) - Math.Log(0.3)) / 2, m.PerClassLogLoss[0], 5);
        Assert.Equal(1, m.ConfusionMatrix.GetCountForClassPair(predictedClassIndicatorIndex: 1, actualClassIndicatorIndex: 0));
        Assert.Equal(new[] { 0.5, 1.0, 0.5 }, m.ConfusionMatrix.PerClassRecall);
        Assert.Equal(0.5, m.ConfusionMatrix.PerClassPrecision[0], 12);
        var table = m.ConfusionMatrix.GetFormattedConfusionTable();
        Assert.Contains("Confusion table", table);
        Assert.Matches(@"(?m)^\s*a\|\|", table);
        Assert.Matches(@"(?m)^PREDICTED\s*\|\|\s+a \|\s+b \|\s+c \| Recall", table);
    }

    private sealed class Labeled
    {
        public string Name { get; set; } = string.Empty;

        [VectorType(3)]
        public float[] Score { get; set; } = new float[3];
    }

    [Fact]
    public void Multiclass_RequiresPredictedLabelColumn()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new Labeled { Name = "a" } });
        var keyed = _ml.Transforms.Conversion.MapValueToKey("Label", "Name").Fit(data).Transform(data);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Evaluate(keyed));
        Assert.Contains("PredictedLabel column 'PredictedLabel' not found", ex.Message);
    }

    [Fact]
    public void CrossValidate_TrainsAndEvaluatesEachFold()
    {
        var rows = Enumerable.Range(0, 60).Select(i => new Reg { Label = i, Score = 0 }).ToList();
        var data = _ml.Data.LoadFromEnumerable(rows);
        var results = _ml.Regression.CrossValidate(data, _ml.Transforms.CopyColumns("Score", "Label"), numberOfFolds: 3, seed: 5);
        Assert.Equal(3, results.Count);
        Assert.Equal(new[] { 0, 1, 2 }, results.Select(r => r.Fold));
        Assert.All(results, r => Assert.Equal(0, r.Metrics.MeanSquaredError));
        Assert.Equal(60, results.Sum(r => r.ScoredHoldOutSet.GetColumn<float>("Label").Count()));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Regression.CrossValidate(data, _ml.Transforms.CopyColumns("Score", "Label"), numberOfFolds: 1));
    }
}
