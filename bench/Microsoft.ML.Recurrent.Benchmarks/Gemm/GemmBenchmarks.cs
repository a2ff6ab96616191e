using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// Single-precision GEMM, ours against OpenBLAS's cblas_sgemm on the same buffers, both limited to
/// <see cref="Threads"/> threads. Run: dotnet run -c Release --project bench/Microsoft.ML.Recurrent.Benchmarks -- --filter '*GemmBenchmarks*'
/// </summary>
[Config(typeof(Config))]
[WarmupCount(3)]
[IterationCount(15)]
public unsafe class GemmBenchmarks
{
    private float* _a;
    private float* _b;
    private float* _c;
    private Gemm.PackedMatrix<float>? _packedB;

    public static IEnumerable<GemmShape> Shapes => GemmShape.Standard;

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; }

    /// <summary>Thread budget for both libraries (the reference machine has 2 cores).</summary>
    [Params(2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Gemm.MaxThreads = Threads;
        OpenBlas.SetNumThreads(Threads);
        _a = Allocate(Shape.M * Shape.K, seed: 1);
        _b = Allocate(Shape.K * Shape.N, seed: 2);
        _c = Allocate(Shape.M * Shape.N, seed: 3);
        _packedB = Gemm.PackB(false, Shape.K, Shape.N, _b, Shape.N);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.AlignedFree(_a);
        NativeMemory.AlignedFree(_b);
        NativeMemory.AlignedFree(_c);
    }

    [Benchmark(Baseline = true)]
    public void OpenBlasSgemm()
        => OpenBlas.Sgemm(OpenBlas.RowMajor, OpenBlas.NoTrans, OpenBlas.NoTrans, Shape.M, Shape.N, Shape.K, 1f, _a, Shape.K, _b, Shape.N, 0f, _c, Shape.N);

    [Benchmark]
    public void Sgemm()
        => Gemm.Sgemm(false, false, Shape.M, Shape.N, Shape.K, 1f, _a, Shape.K, _b, Shape.N, 0f, _c, Shape.N);

    /// <summary>B packed once in setup, as the recurrent layers do with their recurrent kernel.</summary>
    [Benchmark]
    public void SgemmPrePackedB()
        => Gemm.SgemmPacked(false, Shape.M, 1f, _a, Shape.K, _packedB!, 0f, _c, Shape.N);

    internal static float* Allocate(int length, int seed)
    {
        var data = (float*)NativeMemory.AlignedAlloc((nuint)Math.Max(1, length) * sizeof(float), 64);
        var random = new Random(seed);
        for (int i = 0; i < length; i++)
        {
            data[i] = (float)(random.NextDouble() - 0.5);
        }

        return data;
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // Generating and building the benchmark process can take minutes while other builds share the machine.
            WithBuildTimeout(TimeSpan.FromMinutes(10));
            AddColumn(new GflopsColumn());
            HideColumns(Column.Error, Column.StdDev);
            AddColumn(StatisticColumn.Median);
        }
    }

    /// <summary>2 * M * N * K divided by the mean time: the rate the table in bench/README.md reports.</summary>
    private sealed class GflopsColumn : IColumn
    {
        public string Id => nameof(GflopsColumn);

        public string ColumnName => "GFLOP/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "2*M*N*K floating-point operations per second, in billions, from the mean time";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            if (statistics is null || benchmarkCase.Parameters["Shape"] is not GemmShape shape)
            {
                return "NA";
            }

            // Flops per nanosecond is GFLOP/s.
            return (shape.Flops / statistics.Mean).ToString("F1");
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
