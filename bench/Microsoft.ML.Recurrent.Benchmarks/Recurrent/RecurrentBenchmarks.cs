using BenchmarkDotNet.Attributes;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// LSTM, GRU and SimpleRNN (Keras defaults, return_sequences=False, float32, CPU): inference (the layer through the
/// allocation-free <c>SequencePredictor</c>) and one training step (Sequential of the layer, MSE, Adam: forward + backward +
/// update), with the memory diagnoser (allocated bytes per operation).
/// Run: dotnet run -c Release --project bench/Microsoft.ML.Recurrent.Benchmarks -- --filter '*RecurrentBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(15)]
public class RecurrentBenchmarks
{
    private RecurrentCase _case = null!;

    public static IEnumerable<RecurrentConfig> Configs => RecurrentConfig.Standard;

    [ParamsAllValues]
    public RecurrentCell Cell { get; set; }

    [ParamsSource(nameof(Configs))]
    public RecurrentConfig Config { get; set; }

    /// <summary>Thread budget of our GEMM (the reference machine has 2 cores).</summary>
    [Params(2)]
    public int Threads { get; set; }

    [GlobalSetup(Target = nameof(Inference))]
    public void SetupInference()
    {
        Setup();
    }

    [GlobalSetup(Target = nameof(TrainStep))]
    public void SetupTraining() => Setup();

    [GlobalCleanup]
    public void Cleanup() => _case.Predictor.Dispose();

    [Benchmark]
    public object Inference() => _case.Infer();

    [Benchmark]
    public double TrainStep() => _case.TrainStep();

    private void Setup()
    {
        Gemm.MaxThreads = Threads;
        _case = new RecurrentCase(Cell, Config);
    }
}
