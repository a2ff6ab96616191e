namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// Iteration plan for elementwise loops over several operands that share a logical shape but have their own
/// strides (0 on broadcast axes, negative on flipped ones). Adjacent axes that are contiguous in every operand are
/// merged and size-1 axes dropped, so most loops become one long inner run; the outer rows are indexed linearly so
/// they can be split across threads.
/// </summary>
internal sealed class StridedLayout
{
    private readonly int[] _outerDims;
    private readonly long[][] _outerStrides;

    private StridedLayout(int inner, long[] innerStrides, int[] outerDims, long[][] outerStrides)
    {
        Inner = inner;
        InnerStrides = innerStrides;
        _outerDims = outerDims;
        _outerStrides = outerStrides;
        long count = 1;
        foreach (int d in outerDims) count *= d;
        OuterCount = count;
    }

    /// <summary>Length of the innermost run.</summary>
    public int Inner { get; }

    /// <summary>Per operand, the stride along the innermost run.</summary>
    public long[] InnerStrides { get; }

    /// <summary>Number of inner runs.</summary>
    public long OuterCount { get; }

    public static StridedLayout Create(ReadOnlySpan<int> dims, params long[][] strides)
    {
        int operands = strides.Length;
        var keptDims = new List<int>();
        var keptStrides = new List<long[]>();
        for (int axis = 0; axis < dims.Length; axis++)
        {
            if (dims[axis] == 1) continue;
            var s = new long[operands];
            for (int k = 0; k < operands; k++) s[k] = strides[k][axis];
            if (keptDims.Count > 0)
            {
                var prev = keptStrides[^1];
                bool mergeable = true;
                for (int k = 0; k < operands; k++)
                    if (prev[k] != s[k] * dims[axis]) { mergeable = false; break; }
                if (mergeable)
                {
                    keptDims[^1] *= dims[axis];
                    keptStrides[^1] = s;
                    continue;
                }
            }
            keptDims.Add(dims[axis]);
            keptStrides.Add(s);
        }
        if (keptDims.Count == 0)
        {
            keptDims.Add(1);
            keptStrides.Add(new long[operands]);
        }
        int outerRank = keptDims.Count - 1;
        var outerStrides = new long[operands][];
        for (int k = 0; k < operands; k++)
        {
            outerStrides[k] = new long[outerRank];
            for (int a = 0; a < outerRank; a++) outerStrides[k][a] = keptStrides[a][k];
        }
        return new StridedLayout(keptDims[^1], keptStrides[^1], keptDims.Take(outerRank).ToArray(), outerStrides);
    }

    /// <summary>Offset of operand <paramref name="operand"/> at the start of inner run <paramref name="outer"/>.</summary>
    public long Offset(int operand, long outer)
    {
        long offset = 0;
        var strides = _outerStrides[operand];
        for (int a = _outerDims.Length - 1; a >= 0 && outer > 0; a--)
        {
            long i = outer % _outerDims[a];
            outer /= _outerDims[a];
            offset += i * strides[a];
        }
        return offset;
    }

    /// <summary>
    /// Runs <paramref name="body"/> over ranges of inner runs, in parallel when there is enough work
    /// (<paramref name="totalElements"/> at least <paramref name="minParallelElements"/>).
    /// </summary>
    public void ForEachRange(long totalElements, Action<long, long> body, long minParallelElements = 1 << 17)
    {
        int workers = Environment.ProcessorCount;
        if (totalElements < minParallelElements || OuterCount < 2 || workers < 2)
        {
            body(0, OuterCount);
            return;
        }
        int chunks = (int)Math.Min(OuterCount, workers);
        Parallel.For(0, chunks, c => body(OuterCount * c / chunks, OuterCount * (c + 1) / chunks));
    }

    /// <summary>Strides of <paramref name="input"/> when broadcast (NumPy rules) to <paramref name="output"/>: 0 on repeated axes.</summary>
    public static long[] BroadcastStrides(Shape input, Shape output)
    {
        var own = input.Strides();
        var result = new long[output.Rank];
        int shift = output.Rank - input.Rank;
        for (int i = 0; i < input.Rank; i++)
            result[i + shift] = input[i] == 1 && output[i + shift] != 1 ? 0 : own[i];
        return result;
    }
}
