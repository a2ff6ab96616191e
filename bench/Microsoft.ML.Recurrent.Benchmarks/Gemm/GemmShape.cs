namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>One GEMM problem: C (m x n) = A (m x k) * B (k x n), all row-major and untransposed.</summary>
public readonly record struct GemmShape(int M, int N, int K)
{
    /// <summary>Square sizes, then recurrent steps: M = batch, K = units, N = 4 * units (an LSTM's gates).</summary>
    public static IReadOnlyList<GemmShape> Standard { get; } =
    [
        new(64, 64, 64),
        new(256, 256, 256),
        new(1024, 1024, 1024),
        new(1, 256, 64),
        new(32, 256, 64),
        new(64, 256, 64),
        new(1, 1024, 256),
        new(32, 1024, 256),
        new(64, 1024, 256),
    ];

    public double Flops => 2.0 * M * N * K;

    /// <summary>Reads "MxNxK", as <see cref="ToString"/> writes it.</summary>
    public static GemmShape Parse(string text)
    {
        int[] d = [.. text.Split('x').Select(int.Parse)];
        return d.Length == 3 && d.All(v => v > 0) ? new(d[0], d[1], d[2]) : throw new FormatException($"Shape '{text}' is not MxNxK with positive sizes.");
    }

    public override string ToString() => $"{M}x{N}x{K}";
}
