using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Training;

/// <summary>Small seeded datasets for the learning tests.</summary>
internal static class TrainingData
{
    /// <summary>
    /// The adding problem (Hochreiter and Schmidhuber): each step has a random value in [0, 1) and a marker; exactly
    /// two steps are marked (one in each half) and the target is the sum of their values. Predicting the mean scores 1/6.
    /// </summary>
    public static (Tensor X, Tensor Y) AddingProblem(int samples, int steps, int seed)
    {
        var random = new Random(seed);
        var x = new float[samples * steps * 2];
        var y = new float[samples];
        for (int n = 0; n < samples; n++)
        {
            int first = random.Next(steps / 2), second = steps / 2 + random.Next(steps / 2);
            for (int t = 0; t < steps; t++)
            {
                float value = (float)random.NextDouble();
                x[(n * steps + t) * 2] = value;
                if (t == first || t == second)
                {
                    x[(n * steps + t) * 2 + 1] = 1;
                    y[n] += value;
                }
            }
        }
        return (Tensor.FromArray(x, new Shape(samples, steps, 2)), Tensor.FromArray(y, new Shape(samples, 1)));
    }
}
