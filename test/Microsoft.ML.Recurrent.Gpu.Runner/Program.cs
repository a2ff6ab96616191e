using System.Diagnostics;
using System.Reflection;
using Microsoft.ML.Recurrent.Gpu;
using Xunit.Abstractions;

// Runs every [Fact]/[Theory] (GpuFact and CudnnFact included) of the GPU test sources, printing one line per case.
// Arguments: optional substrings; only tests whose "Class.Method" contains one of them run.
// --require-gpu: exit 2 when no CUDA device is usable (so a device run that silently skipped everything fails).
// Exit code: 0 all passed, 1 a test failed, 2 GPU required but unavailable.

var filters = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
bool requireGpu = args.Contains("--require-gpu");

Console.WriteLine(CudaRuntime.Describe());
if (requireGpu && !CudaRuntime.IsAvailable)
{
    Console.WriteLine("FAIL: --require-gpu was given but CUDA is unavailable.");
    return 2;
}

int passed = 0, failed = 0, skipped = 0;
var testTypes = typeof(Microsoft.ML.Recurrent.Gpu.Tests.GpuFactAttribute).Assembly.GetTypes()
    .Where(t => t.IsClass && !t.IsAbstract && t.Namespace == "Microsoft.ML.Recurrent.Gpu.Tests")
    .OrderBy(t => t.Name, StringComparer.Ordinal);
foreach (var type in testTypes)
    foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance).OrderBy(m => m.Name, StringComparer.Ordinal))
    {
        var fact = method.GetCustomAttribute<FactAttribute>();
        if (fact is null) continue;
        var name = $"{type.Name}.{method.Name}";
        if (filters.Length > 0 && !filters.Any(f => name.Contains(f, StringComparison.OrdinalIgnoreCase))) continue;
        if (fact.Skip is not null)
        {
            Console.WriteLine($"SKIP {name}: {fact.Skip}");
            skipped++;
            continue;
        }
        var rows = fact is TheoryAttribute
            ? method.GetCustomAttributes<InlineDataAttribute>().SelectMany(d => d.GetData(method)).ToList()
            : [Array.Empty<object>()];
        foreach (var row in rows)
        {
            var caseName = row.Length == 0 ? name : $"{name}({string.Join(", ", row)})";
            var output = new ConsoleOutput();
            var watch = Stopwatch.StartNew();
            try
            {
                var constructor = type.GetConstructors().Single();
                var instance = constructor.GetParameters().Length == 0 ? constructor.Invoke(null) : constructor.Invoke([output]);
                try { method.Invoke(instance, row); }
                finally { (instance as IDisposable)?.Dispose(); }
                Console.WriteLine($"PASS {caseName} ({watch.ElapsedMilliseconds} ms)");
                passed++;
            }
            catch (Exception e)
            {
                var inner = e is TargetInvocationException { InnerException: { } cause } ? cause : e;
                Console.WriteLine($"FAIL {caseName}: {inner.GetType().Name}: {inner.Message}");
                Console.WriteLine(inner.StackTrace);
                failed++;
            }
            foreach (var line in output.Lines) Console.WriteLine("     | " + line);
        }
    }

Console.WriteLine($"Total: {passed + failed + skipped}, passed {passed}, failed {failed}, skipped {skipped}");
return failed > 0 ? 1 : 0;

/// <summary>Collects what a test writes to its output helper, printed under its result line.</summary>
internal sealed class ConsoleOutput : ITestOutputHelper
{
    public List<string> Lines { get; } = [];

    public void WriteLine(string message) => Lines.Add(message);

    public void WriteLine(string format, params object[] args) => Lines.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
}
