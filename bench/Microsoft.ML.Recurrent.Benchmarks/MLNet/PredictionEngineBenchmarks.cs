using BenchmarkDotNet.Attributes;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Trainers;
using Microsoft.ML.Recurrent.Tensors.Cpu;
using Microsoft.ML.Recurrent.Training.Models;

namespace Microsoft.ML.Recurrent.Benchmarks.MLNet;

/// <summary>
/// One sequence (LSTM(64) → Dense(1), T = 50 steps, F = 8 features) scored through ML.NET's <c>PredictionEngine</c> on a
/// fitted <c>mlContext.Regression.Trainers.Lstm</c> model, against the raw engine call on the same network
/// (<see cref="SequencePredictor.Predict(ReadOnlySpan{float}, Span{float})"/>). Target: the engine costs at most 2x.
/// Run: dotnet run -c Release --project bench/Microsoft.ML.Recurrent.Benchmarks -- --filter '*PredictionEngineBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[WarmupCount(5)]
[IterationCount(20)]
public class PredictionEngineBenchmarks
{
    private const int Steps = 50;
    private const int FeatureCount = 8;

    private PredictionEngine<Row, Prediction> _engine = null!;
    private SequencePredictor _predictor = null!;
    private Row _row = null!;
    private Prediction _prediction = new();
    private readonly float[] _output = new float[1];

    /// <summary>Thread budget of our GEMM (the reference machine has 2 cores).</summary>
    [Params(2)]
    public int Threads { get; set; }

    public sealed class Row
    {
        [VectorType(Steps, FeatureCount)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    public sealed class Prediction
    {
        public float Score { get; set; }
    }

    [GlobalSetup]
    public void Setup()
    {
        Gemm.MaxThreads = Threads;
        var ml = new MLContext(seed: 1);
        var rand = new Random(1);
        var rows = Enumerable.Range(0, 32).Select(_ => new Row
        {
            Features = Enumerable.Range(0, Steps * FeatureCount).Select(_ => (float)rand.NextDouble()).ToArray(),
            Label = (float)rand.NextDouble(),
        }).ToArray();
        var model = ml.Regression.Trainers.Lstm(units: 64, maxEpochs: 1).Fit(ml.Data.LoadFromEnumerable(rows));
        _engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model);
        _predictor = model.Model.Network.CreatePredictor();
        _row = rows[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        _predictor.Dispose();
    }

    [Benchmark(Baseline = true)]
    public float RawPredictor()
    {
        _predictor.Predict(_row.Features, _output);
        return _output[0];
    }

    [Benchmark]
    public float PredictionEngine()
    {
        _engine.Predict(_row, ref _prediction);
        return _prediction.Score;
    }
}
