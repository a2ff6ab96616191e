using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.MLNet.Trainers;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Models;
using static Microsoft.ML.Recurrent.Tests.MLNet.Trainers.SequenceTasks;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Trainers;

public sealed class RecurrentRegressionTrainerTests
{
    private sealed class Prediction
    {
        public float Score { get; set; }
    }

    [Fact]
    public void Lstm_learns_evaluates_saves_reloads_and_predicts_one_sequence_at_a_time()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Regression(256, seed: 1));
        var test = ml.Data.LoadFromEnumerable(Regression(64, seed: 2));
        var model = ml.Regression.Trainers.Lstm(units: 16, maxEpochs: 15, learningRate: 0.01).Fit(train);

        var scored = model.Transform(test);
        Assert.Equal(NumberDataViewType.Single, scored.Schema["Score"].Type);
        var metrics = ml.Regression.Evaluate(scored);
        // The label (the mean of 10 uniform values) has variance ~0.033; learning the mean gives R² near 1.
        Assert.True(metrics.RSquared > 0.8, $"R² {metrics.RSquared}");

        var reloaded = TrainerAssertions.SaveAndLoad(ml, model, train);
        Assert.IsType<RecurrentRegressionTransformer>(reloaded);
        Assert.Equal(TrainerAssertions.Column(scored, "Score"), TrainerAssertions.Column(reloaded.Transform(test), "Score"));

        var rows = Regression(3, seed: 2);
        var engine = ml.Model.CreatePredictionEngine<RegressionRow, Prediction>(reloaded);
        var expected = TrainerAssertions.Column(scored, "Score");
        for (int i = 0; i < rows.Length; i++) Assert.Equal(expected[i][0], engine.Predict(rows[i]).Score);
    }

    [Fact]
    public void A_vector_label_gives_a_vector_score()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(VectorRegression(64, seed: 3));
        var trainer = ml.Regression.Trainers.Gru(units: 8, maxEpochs: 2);
        var score = trainer.GetOutputSchema(SchemaShapeOf(data)).Last();
        Assert.Equal(("Score", SchemaShape.Column.VectorKind.Vector), (score.Name, score.Kind));
        var model = trainer.Fit(data);
        var scored = model.Transform(data);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 2), scored.Schema["Score"].Type);
        var reloaded = TrainerAssertions.SaveAndLoad(ml, model, data);
        Assert.Equal(TrainerAssertions.Column(scored, "Score"), TrainerAssertions.Column(reloaded.Transform(data), "Score"));
    }

    [Fact]
    public void Variable_length_sequences_train_with_a_mask_and_score_row_by_row()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Variable(96, seed: 4));
        var model = ml.Regression.Trainers.Gru(featuresPerStep: 2, units: 8, maxEpochs: 3).Fit(data);
        Assert.Equal(0, model.Model.Timesteps);
        var scored = model.Transform(data);
        var scores = TrainerAssertions.Column(scored, "Score");
        Assert.All(scores, s => Assert.True(float.IsFinite(s[0])));
        var reloaded = TrainerAssertions.SaveAndLoad(ml, model, data);
        Assert.Equal(scores, TrainerAssertions.Column(reloaded.Transform(data), "Score"));
    }

    [Fact]
    public void Recurrent_trains_a_given_network_or_keras_config_without_touching_it()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Regression(64, seed: 5));
        RandomSeeds.Set(3);
        var network = new Sequential([new SimpleRnn(6), new Dense(1)], inputShape: [Steps, FeatureCount]);
        var before = network.PredictOnBatch(Tensor.Zeros(new Shape(1, Steps, FeatureCount))).ToFloatArray();

        var fromNetwork = ml.Regression.Trainers.Recurrent(new RecurrentRegressionTrainer.Options { Network = network, MaxEpochs = 2, Seed = 7 }).Fit(data);
        var fromJson = ml.Regression.Trainers.Recurrent(new RecurrentRegressionTrainer.Options { NetworkConfigJson = network.ToModelConfig().ToJsonString(), MaxEpochs = 2, Seed = 7 }).Fit(data);

        Assert.Equal(before, network.PredictOnBatch(Tensor.Zeros(new Shape(1, Steps, FeatureCount))).ToFloatArray());
        Assert.IsType<SimpleRnn>(fromNetwork.Model.Network.Layers[0]);
        Assert.Equal(TrainerAssertions.Column(fromNetwork.Transform(data), "Score"), TrainerAssertions.Column(fromJson.Transform(data), "Score"));
    }

    [Fact]
    public void A_network_with_the_wrong_output_width_is_refused()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Regression(16, seed: 5));
        var network = new Sequential([new Lstm(4), new Dense(3)], inputShape: [Steps, FeatureCount]);
        var e = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Recurrent(new RecurrentRegressionTrainer.Options { Network = network, MaxEpochs = 1 }).Fit(data));
        Assert.Contains("(1, 1)", e.Message);
    }

    [Fact]
    public void Bad_columns_are_named_at_fit_and_at_prediction()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Regression(16, seed: 6));
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Lstm(labelColumnName: "Target", maxEpochs: 1).Fit(data));
        Assert.Contains("'Target'", missing.Message);
        var shape = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Lstm(featureColumnName: "Label").GetOutputSchema(SchemaShapeOf(data)));
        Assert.Contains("'Label'", shape.Message);

        var model = ml.Regression.Trainers.Lstm(units: 4, maxEpochs: 1).Fit(data);
        var engine = ml.Model.CreatePredictionEngine<RegressionRow, Prediction>(model);
        var bad = Regression(1, seed: 7)[0];
        bad.Features[5] = float.NaN;
        var e = Assert.Throws<InvalidOperationException>(() => engine.Predict(bad));
        Assert.StartsWith("Column 'Features', row 0: the sequence has NaN at step 2, feature 1", e.Message);
    }

    [Fact]
    public void A_GPU_device_without_a_CUDA_backend_throws_unless_the_context_falls_back_to_the_CPU()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Regression(16, seed: 8));
        var options = new RecurrentRegressionTrainer.Options { Units = 4, MaxEpochs = 1, Device = Device.Cuda(0) };
        var e = Assert.Throws<InvalidOperationException>(() => ml.Regression.Trainers.Lstm(options).Fit(data));
        Assert.Contains("cuda:0", e.Message);

        var warnings = new List<string>();
        ml.Log += (_, args) => { if (args.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(args.RawMessage); };
        ml.FallbackToCpu = true;
        ml.Regression.Trainers.Lstm(options).Fit(data);
        Assert.Contains(warnings, w => w.Contains("training on the CPU", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_label_at_fit_names_the_row()
    {
        var ml = new MLContext(seed: 1);
        var rows = Regression(8, seed: 6);
        rows[5].Label = float.NaN;
        var e = Assert.Throws<InvalidOperationException>(() => ml.Regression.Trainers.Lstm(maxEpochs: 1).Fit(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("Label column 'Label', row 5", e.Message);
    }

    /// <summary>The schema shape of a data view (ML.NET's SchemaShape.Create is internal; tests build it through the adapter).</summary>
    internal static SchemaShape SchemaShapeOf(IDataView data) => new(data.Schema.Select(SchemaColumn));

    private static SchemaShape.Column SchemaColumn(DataViewSchema.Column c) =>
        Microsoft.ML.Recurrent.MLNet.Persistence.MLNetInternals.Current.CreateSchemaColumn(c.Name,
            c.Type is VectorDataViewType v ? (v.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector) : SchemaShape.Column.VectorKind.Scalar,
            c.Type is VectorDataViewType vv ? vv.ItemType : c.Type, c.Type is KeyDataViewType, null);
}
