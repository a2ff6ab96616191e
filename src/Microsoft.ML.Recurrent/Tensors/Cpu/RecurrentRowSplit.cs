namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// Runs a parted time loop (<see cref="RecurrentLoopPlan"/>) in segments of steps: which batch rows each part takes,
/// re-split between segments in proportion to the speed each part measured in the last one, and which steps the
/// current segment covers.
/// </summary>
/// <remarks>
/// <para>Why: on a shared machine one core at a time can run much slower than the other for a second or two (on the
/// 2-vCPU benchmark VM, 1.6–1.9x slower for 0.5–2 s, first one vCPU then the other), and a loop split in equal halves
/// then waits for the slow core every call. Moving rows to the fast part lets both finish together.</para>
/// <para>Rows move in whole <see cref="Gemm.PackedMatrix{T}.RowGroup"/>s, and the batch's last rows beyond its last whole
/// group stay with the last part (<see cref="RecurrentLoopPlan.Product"/> gives them a product of their own), so
/// every row gets the same bits wherever the split falls: the results never depend on timing.</para>
/// <para>The split is kept from call to call while the shape stays the same, so a call starts where the last one
/// ended. Not thread-safe: one time loop uses it at a time; each part writes only its own entry.</para>
/// </remarks>
internal sealed class RecurrentRowSplit
{
    private int[] _bounds = [];
    private long[] _ticks = [];
    private int _batch, _group;

    /// <summary>Parts of the current split.</summary>
    public int Parts => _ticks.Length;

    /// <summary>Whether rows move between parts: each part must be able to keep two groups.</summary>
    private bool Moves => _batch >= 2 * _group * Parts;

    /// <summary>
    /// Prepares a loop over <paramref name="batch"/> rows in <paramref name="parts"/> parts, rows moving in groups of
    /// <paramref name="group"/>: the split of the last loop when the shape is the same, else an even one.
    /// </summary>
    public void Reset(int batch, int parts, int group)
    {
        if (batch == _batch && parts == Parts && group == _group) return;
        _batch = batch;
        _group = group;
        _ticks = new long[parts];
        _bounds = new int[parts + 1];
        for (int p = 0; p <= parts; p++)
        {
            long even = (long)batch * p / parts;
            _bounds[p] = p == parts || !Moves ? (int)even : (int)((even + (group / 2)) / group * group);
        }
    }

    /// <summary>First step of the segment being run.</summary>
    public int FirstStep { get; private set; }

    /// <summary>One past the last step of the segment being run.</summary>
    public int EndStep { get; private set; }

    /// <summary>
    /// Runs the parts of <paramref name="work"/> over steps [0, <paramref name="steps"/>) in segments of
    /// <paramref name="segment"/> steps (the last segment first when <paramref name="reverse"/>, as back-propagation
    /// through time needs), re-splitting the rows after each. A part reads its rows from <see cref="Start"/> and
    /// <see cref="End"/>, the segment from <see cref="FirstStep"/> and <see cref="EndStep"/>, and reports its time with
    /// <see cref="Record"/>.
    /// </summary>
    public void RunSegments(IPartedWork work, int steps, int segment, bool reverse)
    {
        for (int done = 0; done < steps; done += segment)
        {
            int count = Math.Min(segment, steps - done);
            (FirstStep, EndStep) = reverse ? (steps - done - count, steps - done) : (done, done + count);
            ParallelParts.Run(work, Parts, Gemm.MaxThreads);
            Rebalance();
        }
    }

    /// <summary>First row of <paramref name="part"/>.</summary>
    public int Start(int part) => _bounds[part];

    /// <summary>One past the last row of <paramref name="part"/>.</summary>
    public int End(int part) => _bounds[part + 1];

    /// <summary>Records <paramref name="part"/>'s time for the segment, in Stopwatch ticks.</summary>
    public void Record(int part, long ticks) => _ticks[part] = ticks;

    /// <summary>Moves the bounds between parts (tests): <paramref name="bounds"/> holds each part's first row after part 0's.</summary>
    internal void Move(params int[] bounds)
    {
        if (bounds.Length != Parts - 1) throw new ArgumentException($"Expected {Parts - 1} bounds for {Parts} parts, got {bounds.Length}.", nameof(bounds));
        for (int p = 1; p < Parts; p++)
        {
            int bound = bounds[p - 1];
            if (bound % _group != 0 || bound <= _bounds[p - 1] || bound >= _batch)
                throw new ArgumentOutOfRangeException(nameof(bounds), bound, $"Bound {p} must be a multiple of {_group} between {_bounds[p - 1]} and {_batch}.");
            _bounds[p] = bound;
        }
    }

    /// <summary>Re-splits the rows in proportion to each part's rows per tick in the segment just run.</summary>
    public void Rebalance()
    {
        if (!Moves) return;
        int parts = Parts, group = _group;
        Span<double> speed = stackalloc double[parts];
        double total = 0;
        for (int p = 0; p < parts; p++)
        {
            speed[p] = (double)(_bounds[p + 1] - _bounds[p]) / Math.Max(1, _ticks[p]);
            total += speed[p];
        }
        if (total <= 0) return;

        // Cumulative shares, rounded to whole groups; every part keeps at least one group.
        int lastGroup = (_batch / group * group) - ((parts - 1) * group);
        double share = 0;
        for (int p = 1; p < parts; p++)
        {
            share += speed[p - 1] / total;
            int bound = (int)Math.Round(share * _batch / group) * group;
            _bounds[p] = Math.Clamp(bound, _bounds[p - 1] + group, lastGroup + ((p - 1) * group));
        }
    }
}
