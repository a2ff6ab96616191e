using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// `recurrent-table`: our LSTM / GRU / SimpleRNN against ONNX Runtime (inference, onnxruntime-node, same weights exported
/// as an ONNX node) and PyTorch (training step: forward + backward + Adam), printed as one markdown table.
/// Ours is timed in-process (median of per-call times over ~`--seconds` after warm-up); the peers run as child
/// processes (bench/peers/*.mjs, *.py) that print their medians as JSON. With `--rounds R` the whole sweep is
/// repeated R times (ours, ORT and PyTorch alternate per configuration) and each figure is the median of its R medians.
/// A missing peer is reported and its columns are left empty.
/// </summary>
internal static class RecurrentPeerTable
{
    public static int Run(string[] args)
    {
        int threads = IntOption(args, "--threads", 2);
        int rounds = IntOption(args, "--rounds", 3);
        double seconds = DoubleOption(args, "--seconds", 1.0);
        string python = StringOption(args, "--python", "/usr/bin/python3");
        string node = StringOption(args, "--node", "node");
        string peers = StringOption(args, "--peers", FindPeersDirectory());
        RecurrentCell[] cells = [.. StringOption(args, "--cells", "lstm,gru,simplernn").Split(',').Select(name => Enum.Parse<RecurrentCell>(name, ignoreCase: true))];

        Gemm.MaxThreads = threads;
        string work = Path.Combine(Path.GetTempPath(), $"recurrent-table-{Environment.ProcessId}");
        Directory.CreateDirectory(work);

        Console.WriteLine($"Recurrent layers, float32, return_sequences=False. {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. Cores: {Environment.ProcessorCount}; threads: {threads} (ours: Gemm.MaxThreads; ORT: intra-op; PyTorch: set_num_threads).");
        Console.WriteLine($"Each figure: median over {rounds} round(s) of the median per-call time over ~{seconds:F1} s after warm-up. Peers: {peers}");

        string? ortWhy = CheckOrt(node, peers);
        string? torchWhy = CheckTorch(python, peers);
        if (ortWhy is not null) Console.WriteLine($"ONNX Runtime column empty: {ortWhy}");
        if (torchWhy is not null) Console.WriteLine($"PyTorch column empty: {torchWhy}");
        Console.WriteLine();

        var rows = new List<(RecurrentCell Cell, RecurrentConfig Config, RecurrentCase Case, string? Model)>();
        foreach (var cell in cells)
        {
            foreach (var config in RecurrentConfig.Standard)
            {
                var c = new RecurrentCase(cell, config);
                string? model = null;
                if (ortWhy is null)
                {
                    string dir = Path.Combine(work, $"{cell}-{config.Batch}-{config.Steps}-{config.Input}-{config.Units}");
                    c.WriteWeights(dir);
                    string path = Path.Combine(dir, "model.onnx");
                    var (ok, output) = RunProcess(python, [Path.Combine(peers, "export_onnx.py"), cell.ToString().ToLowerInvariant(), config.Input.ToString(CultureInfo.InvariantCulture), config.Units.ToString(CultureInfo.InvariantCulture), dir, path]);
                    if (ok && File.Exists(path)) model = path;
                    else Console.WriteLine($"ONNX export failed for {cell} {config}: {Tail(output)}");
                }
                rows.Add((cell, config, c, model));
            }
        }

        // Warm every case up before the first round: otherwise the first cases of round 1 run while the JIT is still
        // tiering up the shared code (seen as a 5-8x slower first LSTM training step median in round 1).
        foreach (var row in rows)
        {
            using (Autodiff.NoGrad()) TimeMedian(() => row.Case.Infer(), Math.Min(seconds, 0.3), out _);
            TimeMedian(() => row.Case.TrainStep(), Math.Min(seconds, 0.3), out _);
        }

        var samples = rows.Select(_ => new List<double>[] { [], [], [], [] }).ToArray();
        var allocations = new (long Inference, long Train)[rows.Count];
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < rows.Count; i++)
            {
                var (cell, config, c, model) = rows[i];
                string cellArg = cell.ToString().ToLowerInvariant();
                string[] cfg = [config.Batch.ToString(CultureInfo.InvariantCulture), config.Steps.ToString(CultureInfo.InvariantCulture), config.Input.ToString(CultureInfo.InvariantCulture)];
                string[] timing = ["--threads", threads.ToString(CultureInfo.InvariantCulture), "--seconds", seconds.ToString(CultureInfo.InvariantCulture)];

                using (Autodiff.NoGrad())
                {
                    samples[i][0].Add(TimeMedian(() => c.Infer(), seconds, out long bytes));
                    allocations[i].Inference = bytes;
                }
                if (model is not null && PeerMedian(node, [Path.Combine(peers, "ort_infer.mjs"), model, .. cfg, .. timing]) is double ort) samples[i][1].Add(ort);
                samples[i][2].Add(TimeMedian(() => c.TrainStep(), seconds, out long trainBytes));
                allocations[i].Train = trainBytes;
                if (torchWhy is null && PeerMedian(python, [Path.Combine(peers, "torch_train.py"), cellArg, .. cfg, config.Units.ToString(CultureInfo.InvariantCulture), .. timing]) is double torch) samples[i][3].Add(torch);
            }
            Console.Error.WriteLine($"round {r + 1}/{rounds} done");
        }

        Console.WriteLine("| layer | config (batch, steps, input, units) | ours inference ms | ORT ms | ratio (ours/ORT) | ours train ms | PyTorch ms | speedup (PyTorch/ours) | ours bytes/inference | ours bytes/train step |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int i = 0; i < rows.Count; i++)
        {
            double ours = Median(samples[i][0]), ort = Median(samples[i][1]), train = Median(samples[i][2]), torch = Median(samples[i][3]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {rows[i].Cell} | {rows[i].Config} | {F(ours)} | {F(ort)} | {Ratio(ours, ort)} | {F(train)} | {F(torch)} | {Ratio(torch, train)} | {allocations[i].Inference:N0} | {allocations[i].Train:N0} |"));
        }
        Console.WriteLine();
        Console.WriteLine("Spread (min–max of the per-round medians), ms: ours inference / ORT / ours train / PyTorch; then the");
        Console.WriteLine("ratios of each round (ours and the peer measured back to back, so drift between rounds cancels): ours/ORT, PyTorch/ours");
        for (int i = 0; i < rows.Count; i++)
        {
            Console.WriteLine($"  {rows[i].Cell} {rows[i].Config}: {Spread(samples[i][0])} / {Spread(samples[i][1])} / {Spread(samples[i][2])} / {Spread(samples[i][3])}; "
                + $"per round {RoundRatios(samples[i][0], samples[i][1])}, {RoundRatios(samples[i][3], samples[i][2])}");
        }

        try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        return 0;
    }

    /// <summary>
    /// The per-round ratios numerator/denominator as "min–max (median m)", or "n/a" when a round lacks either. The
    /// median of the rounds' own ratios is steadier than the ratio of the medians when the machine drifts.
    /// </summary>
    private static string RoundRatios(List<double> numerator, List<double> denominator)
    {
        if (numerator.Count == 0 || numerator.Count != denominator.Count) return "n/a";
        var ratios = numerator.Zip(denominator, (n, d) => n / d).ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{ratios.Min():F2}x–{ratios.Max():F2}x (median {Median(ratios):F2}x)");
    }

    /// <summary>Median per-call milliseconds over about <paramref name="seconds"/> after warm-up; also the bytes this thread allocated per call (mean).</summary>
    private static double TimeMedian(Action action, double seconds, out long bytesPerCall)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 3 || sw.Elapsed.TotalSeconds < Math.Min(0.3, seconds / 3); i++) action();
        var times = new List<double>(1 << 18); // sized up front: growing it would count as the contender's allocation
        long before = GC.GetAllocatedBytesForCurrentThread();
        sw.Restart();
        while (times.Count < 5 || sw.Elapsed.TotalSeconds < seconds)
        {
            long a = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(a).TotalMilliseconds);
        }
        bytesPerCall = (GC.GetAllocatedBytesForCurrentThread() - before) / times.Count;
        return Median(times);
    }

    private static double? PeerMedian(string exe, string[] args)
    {
        var (ok, output) = RunProcess(exe, args);
        if (!ok)
        {
            Console.Error.WriteLine($"{exe} {string.Join(' ', args)} failed: {Tail(output)}");
            return null;
        }
        string? line = output.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
        if (line is null) return null;
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.GetProperty("median_ms").GetDouble();
    }

    private static string? CheckOrt(string node, string peers)
    {
        if (!File.Exists(Path.Combine(peers, "ort_infer.mjs"))) return $"{peers}/ort_infer.mjs not found (pass --peers DIR).";
        if (!Directory.Exists(Path.Combine(peers, "node_modules", "onnxruntime-node"))) return $"onnxruntime-node not installed: cd {peers} && npm install --ignore-scripts";
        var (ok, output) = RunProcess(node, ["--version"]);
        if (!ok) return $"'{node}' did not run: {Tail(output)}";
        return CheckTorch("/usr/bin/python3", peers) is string why ? $"the ONNX models are exported with torch: {why}" : null;
    }

    private static string? s_torchWhy;
    private static bool s_torchChecked;

    private static string? CheckTorch(string python, string peers)
    {
        if (s_torchChecked) return s_torchWhy;
        s_torchChecked = true;
        if (!File.Exists(Path.Combine(peers, "torch_train.py"))) return s_torchWhy = $"{peers}/torch_train.py not found (pass --peers DIR).";
        var (ok, output) = RunProcess(python, ["-c", "import torch; print(torch.__version__)"]);
        return s_torchWhy = ok ? null : $"'{python} -c \"import torch\"' failed (sudo apt-get install python3-torch): {Tail(output)}";
    }

    private static (bool Ok, string Output) RunProcess(string exe, IEnumerable<string> args)
    {
        try
        {
            var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode == 0, stdout + stderr.Result);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return (false, e.Message);
        }
    }

    private static string FindPeersDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "bench", "peers");
            if (Directory.Exists(candidate)) return candidate;
        }
        return Path.Combine(Directory.GetCurrentDirectory(), "bench", "peers");
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string F(double ms) => double.IsNaN(ms) ? "–" : ms.ToString(ms < 1 ? "F3" : ms < 100 ? "F2" : "F1", CultureInfo.InvariantCulture);

    private static string Ratio(double num, double den) => double.IsNaN(num) || double.IsNaN(den) ? "–" : (num / den).ToString("F2", CultureInfo.InvariantCulture) + "x";

    private static string Spread(List<double> values) => values.Count == 0 ? "–" : $"{F(values.Min())}–{F(values.Max())}";

    private static string Tail(string s) => s.Length > 400 ? s[^400..].Trim() : s.Trim();

    private static int IntOption(string[] args, string name, int dflt) => int.Parse(StringOption(args, name, dflt.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    private static double DoubleOption(string[] args, string name, double dflt) => double.Parse(StringOption(args, name, dflt.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    private static string StringOption(string[] args, string name, string dflt)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : dflt;
    }
}
