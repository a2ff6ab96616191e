using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Training.Losses;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Recurrent.Training.Optimizers;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>Which Keras recurrent layer a benchmark runs.</summary>
public enum RecurrentCell
{
    Lstm,
    Gru,
    SimpleRnn,
}

/// <summary>One benchmark configuration: a (batch, steps, features) input into a layer of <paramref name="Units"/> units.</summary>
public readonly record struct RecurrentConfig(int Batch, int Steps, int Input, int Units)
{
    /// <summary>The configurations of issue 4.</summary>
    public static IReadOnlyList<RecurrentConfig> Standard { get; } =
    [
        new(1, 50, 8, 64),
        new(32, 50, 32, 64),
        new(64, 100, 128, 256),
    ];

    public override string ToString() => $"({Batch}, {Steps}, {Input}, {Units})";
}

/// <summary>
/// One layer and its data, shared by the BenchmarkDotNet benchmarks and the `recurrent-table` command.
/// Inference: the layer alone (return_sequences=False) through <see cref="Model.CreatePredictor"/>'s predictor (no tape, no
/// allocation per call).
/// Training step: a <see cref="Sequential"/> of that layer compiled with Adam and mean squared error against a
/// (batch, units) target; one <see cref="Model.TrainOnBatch"/> is forward + backward + Adam update.
/// </summary>
public sealed class RecurrentCase
{
    public RecurrentCase(RecurrentCell cell, RecurrentConfig config, int seed = 1)
    {
        Cell = cell;
        Config = config;
        RandomSeeds.Set(seed);
        Layer = NewLayer(cell, config.Units);
        InputValues = Uniform(config.Batch * config.Steps * config.Input, seed + 10);
        Input = Tensor.FromArray(InputValues, new Shape(config.Batch, config.Steps, config.Input));
        Target = Tensor.FromArray(Uniform(config.Batch * config.Units, seed + 20), new Shape(config.Batch, config.Units));
        using (Autodiff.NoGrad()) Layer.Apply(Input); // builds the weights
        Predictor = new Sequential([Layer], inputShape: [config.Steps, config.Input]).CreatePredictor();
        Output = new float[config.Batch * Predictor.GetOutputLength(config.Steps)];

        RandomSeeds.Set(seed);
        Model = new Sequential([NewLayer(cell, config.Units)], inputShape: [config.Steps, config.Input]);
        Model.Compile(new Adam(learningRate: 1e-3), new MeanSquaredError());
    }

    public RecurrentCell Cell { get; }

    public RecurrentConfig Config { get; }

    /// <summary>The layer timed for inference.</summary>
    public Layer Layer { get; }

    /// <summary>The compiled one-layer model timed for training steps.</summary>
    public Sequential Model { get; }

    public Tensor Input { get; }

    /// <summary>The values of <see cref="Input"/>, for the predictor.</summary>
    public float[] InputValues { get; }

    /// <summary>The allocation-free predictor over <see cref="Layer"/> (<see cref="Model.CreatePredictor"/>).</summary>
    public SequencePredictor Predictor { get; }

    /// <summary>Where <see cref="Infer"/> writes: (batch, units).</summary>
    public float[] Output { get; }

    public Tensor Target { get; }

    /// <summary>One inference call through the allocation-free predictor (what ML.NET scoring uses); returns <see cref="Output"/>.</summary>
    public float[] Infer()
    {
        Predictor.Predict(InputValues, Config.Batch, Output);
        return Output;
    }

    /// <summary>One inference call through the layer's tensor path; the caller holds <see cref="Autodiff.NoGrad"/>.</summary>
    public Tensor InferThroughLayer() => Layer.Apply(Input);

    /// <summary>One training step (forward, backward, Adam update).</summary>
    public double TrainStep() => Model.TrainOnBatch(Input, Target)["loss"];

    /// <summary>Writes the inference layer's weights as raw float32 files (kernel.bin, recurrent.bin, bias.bin) in Keras layout.</summary>
    public void WriteWeights(string directory)
    {
        Directory.CreateDirectory(directory);
        string[] names = ["kernel.bin", "recurrent.bin", "bias.bin"];
        var weights = Layer.Weights;
        for (int i = 0; i < names.Length; i++)
        {
            float[] values = weights[i].Value.ToFloatArray();
            byte[] bytes = new byte[values.Length * sizeof(float)];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            File.WriteAllBytes(Path.Combine(directory, names[i]), bytes);
        }
    }

    public static Layer NewLayer(RecurrentCell cell, int units) => cell switch
    {
        RecurrentCell.Lstm => new Lstm(units),
        RecurrentCell.Gru => new Gru(units),
        RecurrentCell.SimpleRnn => new SimpleRnn(units),
        _ => throw new ArgumentOutOfRangeException(nameof(cell)),
    };

    private static float[] Uniform(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
