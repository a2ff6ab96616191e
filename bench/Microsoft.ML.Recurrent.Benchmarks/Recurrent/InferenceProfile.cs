using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// `inference-profile`: the allocation-free predictor's per-call time for every cell and configuration with 1 and with
/// 2 threads, wall clock and the calling thread's CPU time (robust to other processes), to see what threading buys.
/// </summary>
internal static partial class InferenceProfile
{
    public static int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 0.5;
        if (args.Length > 1 && args[1] == "gates") return GateLoop();
        if (args.Length > 3 && args[1] == "spin")
        {
            // `inference-profile 8 spin lstm 2`, for a sampling profiler (`perf record`): one configuration's inference
            // (cell, index 0-2) in a loop for `seconds`, with the default threads.
            var cell = Enum.Parse<RecurrentCell>(args[2], ignoreCase: true);
            var c = new RecurrentCase(cell, RecurrentConfig.Standard[int.Parse(args[3], CultureInfo.InvariantCulture)]);
            int calls = 0;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < seconds) { c.Infer(); calls++; }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cell} {c.Config}: {calls} calls, {sw.Elapsed.TotalMilliseconds / calls:F2} ms each"));
            return 0;
        }
        if (args.Length > 2 && args[1] == "first")
        {
            // Warm-up as a caller sees it: a fresh predictor's first 5000 calls, one LSTM configuration (index 0-2).
            var c = new RecurrentCase(RecurrentCell.Lstm, RecurrentConfig.Standard[int.Parse(args[2], CultureInfo.InvariantCulture)]);
            var us = new double[5000];
            for (int i = 0; i < us.Length; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                c.Infer();
                us[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
            double Mean(int from, int to) => us[from..to].Average();
            double[] steady = [.. us[1000..].Order()];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"LSTM {c.Config}: call 1 {us[0]:F0} µs; mean of calls 2-10 {Mean(1, 10):F0}, 11-100 {Mean(10, 100):F0}, 101-1000 {Mean(100, 1000):F0}; median of 1001-5000 {steady[steady.Length / 2]:F1} µs"));
            return 0;
        }
        if (args.Length > 1 && args[1] == "math")
        {
            var xf = new float[256];
            var yf = new float[256];
            var xd = new double[256];
            for (int i = 0; i < 256; i++) { xf[i] = (i - 128) / 40f; xd[i] = xf[i]; }
            static double PerElement(Action a)
            {
                double best = double.MaxValue;
                for (int r = 0; r < 200; r++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    for (int i = 0; i < 1000; i++) a();
                    best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalNanoseconds / 1000 / 256);
                }
                return best;
            }
            Console.WriteLine($"Tanh<double> 256: {PerElement(() => System.Numerics.Tensors.TensorPrimitives.Tanh<double>(xd, xd.AsSpan())):G4} ns/element");
            for (int i = 0; i < 256; i++) xd[i] = xf[i];
            Console.WriteLine($"Tanh<float> 256: {PerElement(() => System.Numerics.Tensors.TensorPrimitives.Tanh<float>(xf, yf)):G4} ns/element");
            Console.WriteLine($"Sigmoid<float> 256: {PerElement(() => System.Numerics.Tensors.TensorPrimitives.Sigmoid<float>(xf, yf)):G4} ns/element");
            Console.WriteLine($"Convert float->double 256: {PerElement(() => System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<float, double>(xf, xd)):G4} ns/element");
            Console.WriteLine($"Convert double->float 256: {PerElement(() => System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<double, float>(xd, yf)):G4} ns/element");
            Console.WriteLine($"Exp<float> 256: {PerElement(() => System.Numerics.Tensors.TensorPrimitives.Exp<float>(xf, yf)):G4} ns/element");
            return 0;
        }
        Console.WriteLine("| layer | config | 1 thread ms | 2 threads ms | 1 thread CPU ms (caller) | 2 threads CPU ms (caller) |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        foreach (var cell in new[] { RecurrentCell.Lstm, RecurrentCell.Gru, RecurrentCell.SimpleRnn })
        {
            foreach (var config in RecurrentConfig.Standard)
            {
                var c = new RecurrentCase(cell, config);
                var results = new List<(double Wall, double Cpu)>();
                foreach (int threads in new[] { 1, 2 })
                {
                    Gemm.MaxThreads = threads;
                    results.Add(Time(() => c.Infer(), seconds));
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {cell} | {config} | {results[0].Wall:G4} | {results[1].Wall:G4} | {results[0].Cpu:G4} | {results[1].Cpu:G4} |"));
            }
        }
        return 0;
    }

    /// <summary>
    /// `inference-profile 0 gates`: the LSTM gate loop alone (<see cref="LstmGateVectors"/>, the inference call: no
    /// z or activations kept) over 32 rows of 256 units, L2-resident, without and with the bias; the best of 300
    /// passes, three times, in ns per unit.
    /// </summary>
    private static unsafe int GateLoop()
    {
        const int u = 256, rows = 32;
        float* Buffer(int length) => (float*)NativeMemory.AlignedAlloc((nuint)length * sizeof(float), 64);
        float* projection = Buffer(rows * 4 * u), rec = Buffer(rows * 4 * u), bias = Buffer(4 * u);
        float* c = Buffer(rows * u), cNew = Buffer(rows * u), hNew = Buffer(rows * u);
        var random = new Random(1);
        for (int i = 0; i < rows * 4 * u; i++)
        {
            projection[i] = (float)((random.NextDouble() * 4) - 2);
            rec[i] = (float)((random.NextDouble() * 4) - 2);
        }
        for (int i = 0; i < 4 * u; i++) bias[i] = 0.1f;
        for (int i = 0; i < rows * u; i++) c[i] = (float)((random.NextDouble() * 2) - 1);
        for (int round = 0; round < 3; round++)
        {
            foreach (bool withBias in new[] { false, true })
            {
                double best = double.MaxValue;
                for (int pass = 0; pass < 300; pass++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    for (int b = 0; b < rows; b++)
                        LstmGateVectors.Row(u, projection + (b * 4 * u), withBias ? bias : null, rec + (b * 4 * u), c + (b * u), cNew + (b * u), hNew + (b * u), null, null, null);
                    best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalNanoseconds / (rows * u));
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gate loop, bias {(withBias ? "yes" : "no")}: {best:F2} ns per unit"));
            }
        }
        foreach (nint buffer in new[] { (nint)projection, (nint)rec, (nint)bias, (nint)c, (nint)cNew, (nint)hNew })
            NativeMemory.AlignedFree((void*)buffer);
        return 0;
    }

    private static (double Wall, double Cpu) Time(Action action, double seconds)
    {
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 5 || warm.Elapsed.TotalSeconds < 0.3; i++) action();
        var walls = new List<double>();
        var cpus = new List<double>();
        var sw = Stopwatch.StartNew();
        while (walls.Count < 5 || sw.Elapsed.TotalSeconds < seconds)
        {
            var cpu0 = ThreadCpuSeconds();
            long a = Stopwatch.GetTimestamp();
            action();
            walls.Add(Stopwatch.GetElapsedTime(a).TotalMilliseconds);
            cpus.Add((ThreadCpuSeconds() - cpu0) * 1e3);
        }
        walls.Sort();
        cpus.Sort();
        return (walls[walls.Count / 2], cpus[cpus.Count / 2]);
    }

    private static double ThreadCpuSeconds()
    {
        ClockGetTime(3, out TimeSpec now); // CLOCK_THREAD_CPUTIME_ID
        return now.Seconds + (now.Nanoseconds * 1e-9);
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
