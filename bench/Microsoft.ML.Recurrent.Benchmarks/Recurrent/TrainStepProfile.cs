using System.Diagnostics;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors.Cpu;
using Microsoft.ML.Recurrent.Training.Losses;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// `train-profile`: splits one training step (what <c>TrainOnBatch</c> does) into its phases — forward with the tape
/// (layer + loss), backward (<see cref="Autodiff.Gradients"/>: BPTT and the weight-gradient GEMMs) and the Adam update —
/// and prints the median time and the bytes allocated (calling thread) of each, per cell and configuration, plus the
/// process CPU time per step (all threads, spinning workers included; with <c>--threads 1</c> close to the work
/// itself, and far less sensitive than wall time to other processes on a busy machine).
/// Options: <c>--seconds S</c> per case, <c>--threads N</c>, <c>--only TEXT</c> (cases whose "Cell(config)" contains it),
/// <c>--config batch,steps,input,units</c> (one configuration instead of the standard three).
/// </summary>
public static class TrainStepProfile
{
    public static int Run(string[] args)
    {
        double seconds = 1.0;
        int threads = 2;
        string? only = null;
        IReadOnlyList<RecurrentConfig> configs = RecurrentConfig.Standard;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--seconds") seconds = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            else if (args[i] == "--threads") threads = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            else if (args[i] == "--only") only = args[++i];
            else if (args[i] == "--config")
            {
                int[] v = args[++i].Split(',').Select(int.Parse).ToArray();
                configs = [new RecurrentConfig(v[0], v[1], v[2], v[3])];
            }
        }
        Gemm.MaxThreads = threads;
        Console.WriteLine($"Training step phases, float32, {threads} threads, median over ~{seconds} s per case. {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine("| layer | config | forward ms | backward ms | Adam ms | step ms | process CPU ms/step | forward bytes | backward bytes | Adam bytes |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var config in configs)
            foreach (var cell in Enum.GetValues<RecurrentCell>())
            {
                if (only is not null && !$"{cell}{config}".Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
                Profile(new RecurrentCase(cell, config), seconds);
            }
        return 0;
    }

    private static void Profile(RecurrentCase c, double seconds)
    {
        var model = c.Model;
        var loss = new MeanSquaredError();
        var variables = model.TrainableWeights;
        var inputs = variables.Select(v => v.Value).ToList();
        var forward = new List<double>();
        var backward = new List<double>();
        var adam = new List<double>();
        long fBytes = 0, bBytes = 0, aBytes = 0;
        int count = 0;
        for (int i = 0; i < 3; i++) Once(); // warm-up
        forward.Clear(); backward.Clear(); adam.Clear(); fBytes = bBytes = aBytes = 0; count = 0;
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds || count < 5) Once();
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds / count;
        static double Median(List<double> v) { v.Sort(); return v[v.Count / 2]; }
        double f = Median(forward), b = Median(backward), a = Median(adam);
        Console.WriteLine($"| {c.Cell} | {c.Config} | {f:F2} | {b:F2} | {a:F2} | {f + b + a:F2} | {cpu:F1} | {fBytes / count:N0} | {bBytes / count:N0} | {aBytes / count:N0} |");

        void Once()
        {
            long m0 = GC.GetAllocatedBytesForCurrentThread();
            long t0 = Stopwatch.GetTimestamp();
            var prediction = model.Apply(c.Input);
            var value = loss.Compute(c.Target, prediction);
            long t1 = Stopwatch.GetTimestamp();
            long m1 = GC.GetAllocatedBytesForCurrentThread();
            var gradients = Autodiff.Gradients(value, inputs);
            long t2 = Stopwatch.GetTimestamp();
            long m2 = GC.GetAllocatedBytesForCurrentThread();
            model.Optimizer!.Apply(gradients, variables);
            long t3 = Stopwatch.GetTimestamp();
            long m3 = GC.GetAllocatedBytesForCurrentThread();
            forward.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            backward.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
            adam.Add(Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds);
            fBytes += m1 - m0; bBytes += m2 - m1; aBytes += m3 - m2;
            count++;
        }
    }
}
