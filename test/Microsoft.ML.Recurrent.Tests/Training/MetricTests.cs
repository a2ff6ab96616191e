using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Metrics;

namespace Microsoft.ML.Recurrent.Tests.Training;

/// <summary>Metric values against the Keras 3 docstring examples and exact computations.</summary>
public class MetricTests
{
    private static Tensor T(float[] data, params int[] shape) => Tensor.FromArray(data, new Shape(shape));

    [Fact]
    public void Accuracy_variants_match_Keras_examples()
    {
        var binary = new BinaryAccuracy();
        binary.UpdateState(T([1, 1, 0, 0], 4, 1), T([0.98f, 1, 0, 0.6f], 4, 1));
        Assert.Equal(0.75, binary.Result(), 6);

        var categorical = new CategoricalAccuracy();
        categorical.UpdateState(T([0, 0, 1, 0, 1, 0], 2, 3), T([0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0], 2, 3));
        Assert.Equal(0.5, categorical.Result(), 6);

        var sparse = new SparseCategoricalAccuracy();
        sparse.UpdateState(T([2, 1], 2, 1), T([0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0], 2, 3));
        Assert.Equal(0.5, sparse.Result(), 6);

        var accuracy = new Accuracy();
        accuracy.UpdateState(T([1, 2, 3, 4], 4, 1), T([0, 2, 3, 4], 4, 1));
        Assert.Equal(0.75, accuracy.Result(), 6);

        var weighted = new BinaryAccuracy();
        weighted.UpdateState(T([1, 1, 0, 0], 4, 1), T([0.98f, 1, 0, 0.6f], 4, 1), T([1, 0, 0, 1], 4));
        Assert.Equal(0.5, weighted.Result(), 6);

        var top2 = new TopKCategoricalAccuracy(k: 2);
        top2.UpdateState(T([0, 0, 1, 0, 1, 0], 2, 3), T([0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0], 2, 3));
        Assert.Equal(1.0, top2.Result(), 6);
    }

    [Fact]
    public void Error_metrics_accumulate_across_batches()
    {
        var mae = new MeanAbsoluteError();
        var mse = new MeanSquaredError();
        var rmse = new RootMeanSquaredError();
        foreach (var m in new Metric[] { mae, mse, rmse })
        {
            m.UpdateState(T([0, 1], 2, 1), T([1, 1], 2, 1));
            m.UpdateState(T([0, 0], 2, 1), T([0, 2], 2, 1));
        }
        Assert.Equal(0.75, mae.Result(), 6);
        Assert.Equal(1.25, mse.Result(), 6);
        Assert.Equal(Math.Sqrt(1.25), rmse.Result(), 6);
        rmse.ResetState();
        Assert.Equal(0, rmse.Result());
    }

    [Fact]
    public void Auc_matches_Keras_example_and_exact_rank_auc()
    {
        var auc = new Auc(numThresholds: 3);
        auc.UpdateState(T([0, 0, 1, 1], 4), T([0, 0.5f, 0.3f, 0.9f], 4));
        Assert.Equal(0.75, auc.Result(), 6);

        var random = new Random(3);
        int n = 400;
        var labels = new float[n];
        var scores = new float[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = random.NextDouble() < 0.4 ? 1 : 0;
            scores[i] = (float)Math.Clamp(0.5 + (labels[i] - 0.5) * 0.3 + (random.NextDouble() - 0.5) * 0.8, 0, 1);
        }
        double concordant = 0, pairs = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (labels[i] == 1 && labels[j] == 0)
                {
                    pairs++;
                    concordant += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
        var roc = new Auc(numThresholds: 1000);
        roc.UpdateState(T(labels, n), T(scores, n));
        Assert.Equal(concordant / pairs, roc.Result(), 2);

        var pr = new Auc(numThresholds: 1000, curve: "PR");
        pr.UpdateState(T(labels, n), T(scores, n));
        Assert.InRange(pr.Result(), 0.4, 1.0);
        var perfect = new Auc(curve: "PR");
        perfect.UpdateState(T([0, 1, 0, 1], 4), T([0.1f, 0.9f, 0.2f, 0.8f], 4));
        Assert.Equal(1.0, perfect.Result(), 3);
    }

    [Fact]
    public void Configs_round_trip()
    {
        foreach (var m in new Metric[] { new Accuracy(), new BinaryAccuracy(0.3), new CategoricalAccuracy(), new SparseCategoricalAccuracy(), new MeanAbsoluteError(), new MeanSquaredError(), new RootMeanSquaredError(), new Auc(50, "PR") })
            Assert.Equal(m.ToConfig().ToJsonString(), Metric.FromConfig(m.ToConfig()).ToConfig().ToJsonString());
        Assert.Throws<ArgumentException>(() => Metric.Get("nope"));
    }
}
