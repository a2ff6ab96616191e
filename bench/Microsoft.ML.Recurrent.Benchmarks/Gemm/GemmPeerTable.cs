using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// `gemm-table`: ours vs OpenBLAS side by side in one process, printed as one markdown table.
/// Both run on the same buffers with the same thread budget; measurements alternate between the libraries
/// (and their order alternates every round) so drifting machine load hits both alike, and each figure is the
/// median of many rounds after a warm-up.
/// </summary>
/// <remarks>
/// `--thread-cpu-time` (with `--threads 1`) times with the calling thread's CPU clock instead of the wall clock, so
/// time slices lost to other processes on a busy machine are not counted; both libraries then run on this thread.
/// </remarks>
internal static unsafe partial class GemmPeerTable
{
    private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID

    private static bool s_threadCpuTime;

    public static int Run(string[] args)
    {
        int threads = IntOption(args, "--threads", 2);
        int rounds = IntOption(args, "--rounds", 21);
        double roundSeconds = 0.02;
        s_threadCpuTime = Array.IndexOf(args, "--thread-cpu-time") >= 0;
        if (s_threadCpuTime && threads != 1)
        {
            Console.Error.WriteLine("--thread-cpu-time needs --threads 1: other threads' time would not be counted.");
            return 1;
        }

        string? config = OpenBlas.TryGetConfig();
        if (config is null)
        {
            Console.Error.WriteLine(OpenBlas.InstallHint);
            return 1;
        }

        Gemm.MaxThreads = threads;
        OpenBlas.SetNumThreads(threads);

        Console.WriteLine($"GEMM, single precision, row-major, no transposes, C = A * B. {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        Console.WriteLine($"Threads: {threads} (ours: Gemm.MaxThreads; OpenBLAS: openblas_set_num_threads). Cores: {Environment.ProcessorCount}. Kernel path: {Gemm.BestPath}.");
        Console.WriteLine($"OpenBLAS: {config}. Median of {rounds} interleaved rounds of ~{roundSeconds * 1000:F0} ms each, {(s_threadCpuTime ? "thread CPU time" : "wall-clock time")}.");
        Console.WriteLine();
        Console.WriteLine("| shape (M x N x K) | ours GFLOP/s | ours, pre-packed B GFLOP/s | OpenBLAS GFLOP/s | ratio | ratio, pre-packed B |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        string? only = StringOption(args, "--shapes");
        foreach (GemmShape shape in only is null ? GemmShape.Standard : only.Split(',').Select(GemmShape.Parse))
        {
            var (ours, packed, openBlas) = Measure(shape, rounds, roundSeconds);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {shape.M} x {shape.N} x {shape.K} | {ours:F1} | {packed:F1} | {openBlas:F1} | {ours / openBlas:F2} | {packed / openBlas:F2} |"));
        }

        return 0;
    }

    private static (double Ours, double Packed, double OpenBlas) Measure(GemmShape shape, int rounds, double roundSeconds)
    {
        int m = shape.M, n = shape.N, k = shape.K;
        float* a = GemmBenchmarks.Allocate(m * k, seed: 1);
        float* b = GemmBenchmarks.Allocate(k * n, seed: 2);
        float* c = GemmBenchmarks.Allocate(m * n, seed: 3);
        try
        {
            Gemm.PackedMatrix<float> packedB = Gemm.PackB(false, k, n, b, n);
            Action ours = () => Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
            Action oursPacked = () => Gemm.SgemmPacked(false, m, 1f, a, k, packedB, 0f, c, n);
            Action openBlas = () => OpenBlas.Sgemm(OpenBlas.RowMajor, OpenBlas.NoTrans, OpenBlas.NoTrans, m, n, k, 1f, a, k, b, n, 0f, c, n);
            Action[] contenders = [ours, oursPacked, openBlas];

            // Warm up (JIT tiers, thread pools, caches) and size each batch to about roundSeconds.
            int reps = 1;
            foreach (Action contender in contenders)
            {
                reps = Math.Max(reps, Calibrate(contender, roundSeconds));
            }

            CoolDownOpenBlasThreads();

            var rates = new List<double>[] { new(), new(), new() };
            for (int round = 0; round < rounds; round++)
            {
                for (int j = 0; j < contenders.Length; j++)
                {
                    int index = round % 2 == 0 ? j : contenders.Length - 1 - j;
                    rates[index].Add(shape.Flops * reps / Time(contenders[index], reps) / 1e9);
                    if (contenders[index] == openBlas)
                    {
                        CoolDownOpenBlasThreads();
                    }
                }
            }

            return (Median(rates[0]), Median(rates[1]), Median(rates[2]));
        }
        finally
        {
            NativeMemory.AlignedFree(a);
            NativeMemory.AlignedFree(b);
            NativeMemory.AlignedFree(c);
        }
    }

    /// <summary>
    /// OpenBLAS's idle workers spin (sched_yield loop) for 2^28 cycles (~0.1 s) after a call before they sleep;
    /// measuring ours during that window would charge OpenBLAS's spinning to us on a 2-core machine.
    /// </summary>
    private static void CoolDownOpenBlasThreads() => Thread.Sleep(150);

    private static int Calibrate(Action action, double seconds)
    {
        int reps = 1;
        while (true)
        {
            double elapsed = Time(action, reps);
            if (elapsed >= seconds / 4)
            {
                Time(action, reps);
                return Math.Max(1, (int)(reps * seconds / elapsed));
            }

            reps *= 2;
        }
    }

    private static double Time(Action action, int reps)
    {
        if (s_threadCpuTime)
        {
            double startCpu = ThreadCpuSeconds();
            for (int r = 0; r < reps; r++)
            {
                action();
            }

            return ThreadCpuSeconds() - startCpu;
        }

        long start = Stopwatch.GetTimestamp();
        for (int r = 0; r < reps; r++)
        {
            action();
        }

        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static double ThreadCpuSeconds()
    {
        ClockGetTime(ThreadCpuClock, out TimeSpec now);
        return now.Seconds + (now.Nanoseconds * 1e-9);
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static string? StringOption(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
