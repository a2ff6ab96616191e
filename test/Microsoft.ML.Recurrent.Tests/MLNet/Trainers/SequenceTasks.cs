using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Trainers;

/// <summary>Small synthetic sequence tasks (fixed seeds) for the trainer tests: 10 steps of 2 features.</summary>
internal static class SequenceTasks
{
    public const int Steps = 10;
    public const int FeatureCount = 2;

    public sealed class RegressionRow
    {
        [VectorType(Steps, FeatureCount)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    public sealed class VectorRegressionRow
    {
        [VectorType(Steps, FeatureCount)]
        public float[] Features { get; set; } = [];

        [VectorType(2)]
        public float[] Label { get; set; } = [];
    }

    public sealed class BinaryRow
    {
        [VectorType(Steps, FeatureCount)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    public sealed class ClassRow
    {
        [VectorType(Steps, FeatureCount)]
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    public sealed class VariableRow
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private static float[] Sequence(Random rand, int steps = Steps) =>
        Enumerable.Range(0, steps * FeatureCount).Select(_ => (float)(rand.NextDouble() * 2 - 1)).ToArray();

    private static float Sum(float[] x, int feature) => Enumerable.Range(0, x.Length / FeatureCount).Sum(t => x[t * FeatureCount + feature]);

    /// <summary>Label: the mean of feature 0 over the steps.</summary>
    public static RegressionRow[] Regression(int count, int seed)
    {
        var rand = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = Sequence(rand);
            return new RegressionRow { Features = x, Label = Sum(x, 0) / Steps };
        }).ToArray();
    }

    /// <summary>Labels: the means of feature 0 and of feature 1.</summary>
    public static VectorRegressionRow[] VectorRegression(int count, int seed)
    {
        var rand = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = Sequence(rand);
            return new VectorRegressionRow { Features = x, Label = [Sum(x, 0) / Steps, Sum(x, 1) / Steps] };
        }).ToArray();
    }

    /// <summary>Label: whether feature 0 sums to more than feature 1.</summary>
    public static BinaryRow[] Binary(int count, int seed)
    {
        var rand = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = Sequence(rand);
            return new BinaryRow { Features = x, Label = Sum(x, 0) > Sum(x, 1) };
        }).ToArray();
    }

    /// <summary>Label: "low", "mid" or "high" by the sum of feature 0.</summary>
    public static ClassRow[] Classes(int count, int seed)
    {
        var rand = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = Sequence(rand);
            float s = Sum(x, 0);
            return new ClassRow { Features = x, Label = s < -1 ? "low" : s > 1 ? "high" : "mid" };
        }).ToArray();
    }

    /// <summary>Variable-length sequences (4 to 10 steps); label: the mean of feature 0.</summary>
    public static VariableRow[] Variable(int count, int seed)
    {
        var rand = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = Sequence(rand, rand.Next(4, Steps + 1));
            return new VariableRow { Features = x, Label = Sum(x, 0) / (x.Length / FeatureCount) };
        }).ToArray();
    }
}
