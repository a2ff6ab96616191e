using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Trainers;
using static Microsoft.ML.Recurrent.Tests.MLNet.Trainers.SequenceTasks;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Trainers;

public sealed class RecurrentMulticlassTrainerTests
{
    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];

        public string PredictedClass { get; set; } = "";
    }

    [Fact]
    public void Lstm_classifies_with_the_labels_key_values_through_evaluate_save_load_and_the_engine()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Classes(300, seed: 21));
        var test = ml.Data.LoadFromEnumerable(Classes(100, seed: 22));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Lstm(units: 16, maxEpochs: 12, learningRate: 0.01))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"));
        var model = pipeline.Fit(train);

        var scored = model.Transform(test);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), scored.Schema["Score"].Type);
        Assert.Equal(new KeyDataViewType(typeof(uint), 3), scored.Schema["PredictedLabel"].Type);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        // Three classes by thresholds on a sum; chance is about 0.4 (the "mid" share).
        Assert.True(metrics.MicroAccuracy > 0.75, $"micro-accuracy {metrics.MicroAccuracy}");
        Assert.All(TrainerAssertions.Column(scored, "Score"), s => Assert.Equal(1, s.Sum(), 5));

        var reloaded = TrainerAssertions.SaveAndLoad(ml, model, train);
        var again = reloaded.Transform(test);
        Assert.Equal(TrainerAssertions.Column(scored, "Score"), TrainerAssertions.Column(again, "Score"));
        Assert.Equal(metrics.MicroAccuracy, ml.MulticlassClassification.Evaluate(again).MicroAccuracy);

        var engine = ml.Model.CreatePredictionEngine<ClassRow, Prediction>(reloaded);
        var rows = Classes(20, seed: 22);
        var predicted = rows.Select(r => engine.Predict(r).PredictedClass).ToList();
        Assert.All(predicted, p => Assert.Contains(p, new[] { "low", "mid", "high" }));
        Assert.True(predicted.Zip(rows).Count(p => p.First == p.Second.Label) >= 14);
    }

    [Fact]
    public void A_label_that_is_not_a_key_is_refused_with_the_fix()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Classes(8, seed: 23));
        var e = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Gru(maxEpochs: 1).Fit(data));
        Assert.Contains("MapValueToKey", e.Message);
        var shape = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Gru().GetOutputSchema(RecurrentRegressionTrainerTests.SchemaShapeOf(data)));
        Assert.Contains("Label column 'Label'", shape.Message);
    }
}
