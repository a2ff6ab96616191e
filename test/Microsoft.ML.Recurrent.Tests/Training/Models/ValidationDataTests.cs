using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Losses;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Recurrent.Training.Optimizers;

namespace Microsoft.ML.Recurrent.Tests.Training.Models;

public class ValidationDataTests
{
    [Fact]
    public void Fit_weights_the_validation_loss_with_validation_sample_weights()
    {
        var random = new Random(3);
        Tensor Data(params int[] shape) => Tensor.FromArray(Enumerable.Range(0, (int)new Shape(shape).Size).Select(_ => (float)random.NextDouble()).ToArray(), new Shape(shape));
        var (x, y, xVal, yVal) = (Data(32, 5, 2), Data(32, 1), Data(8, 5, 2), Data(8, 1));
        // Only the first half of the validation samples count, the way Keras's validation_data=(x, y, w) weighs them.
        var wVal = Tensor.FromArray(new float[] { 1, 1, 1, 1, 0, 0, 0, 0 }, new Shape(8));

        RandomSeeds.Set(2);
        var model = new Sequential([new SimpleRnn(3), new Dense(1)], inputShape: [5, 2]);
        model.Compile(new Sgd(learningRate: 0.05), new MeanSquaredError());
        var history = model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, validationData: (xVal, yVal, wVal));

        var weighted = model.Evaluate(xVal, yVal, batchSize: 32, sampleWeight: wVal)["loss"];
        var unweighted = model.Evaluate(xVal, yVal, batchSize: 32)["loss"];
        Assert.Equal(weighted, history["val_loss"][^1], 6);
        Assert.NotEqual(unweighted, history["val_loss"][^1], 3);

        // By hand: sum_over_batch_size divides the weighted squared errors by all 8 samples.
        var p = model.Predict(xVal).ToFloatArray();
        var t = yVal.ToFloatArray();
        double expected = Enumerable.Range(0, 4).Sum(i => Math.Pow((double)p[i] - t[i], 2)) / 8;
        Assert.Equal(expected, history["val_loss"][^1], 5);
    }
}
