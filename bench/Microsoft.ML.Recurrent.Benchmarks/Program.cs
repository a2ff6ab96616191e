using BenchmarkDotNet.Running;
using Microsoft.ML.Recurrent.Benchmarks;

// Named commands run directly (add yours here); anything else goes to BenchmarkDotNet's switcher,
// e.g. `-- --filter '*GemmBenchmarks*'` or `-- --list flat`.
var commands = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["gemm-table"] = GemmPeerTable.Run,
    ["recurrent-table"] = RecurrentPeerTable.Run,
    ["train-profile"] = TrainStepProfile.Run,
    ["inference-profile"] = InferenceProfile.Run,
};

if (args.Length > 0 && commands.TryGetValue(args[0], out var command))
{
    return command(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(GemmPeerTable).Assembly).Run(args);
return 0;
