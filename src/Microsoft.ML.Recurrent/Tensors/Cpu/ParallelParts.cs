namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>One piece of work split into numbered parts that may run on different threads.</summary>
internal interface IPartedWork
{
    /// <summary>Runs part <paramref name="part"/> (0-based); parts are independent of each other.</summary>
    void Run(int part);
}

/// <summary>
/// Runs the parts of an <see cref="IPartedWork"/> on the calling thread and a few long-lived worker threads,
/// without allocating per call (<c>Parallel.For</c> allocates its task, options and closures every call, and a
/// recurrent layer calls it once per time step).
/// </summary>
/// <remarks>
/// <para>Parts are claimed one at a time from a shared counter, so the caller takes over any part a worker has not
/// claimed yet: a worker that the OS has descheduled (the machine is busy) delays nothing it has not started.</para>
/// <para>After a call the workers spin for a short while before they block, so a time loop that dispatches once
/// per step finds them awake. One caller at a time uses the workers; a concurrent caller runs all its parts itself.</para>
/// </remarks>
internal static class ParallelParts
{
    /// <summary>How long an idle worker keeps polling for the next call before it blocks (Stopwatch ticks ≈ 0.2 ms).</summary>
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 5000;

    private static readonly object Gate = new();
    private static Worker[] s_workers = [];
    private static int s_busy;

    // The call being run: (call id << 32) | (parts << 16) | next unclaimed part, swapped atomically so a part is
    // claimed only while its call is current. The work object is written before the call is published.
    private static long s_ticket;
    private static IPartedWork? s_work;
    private static int s_remaining;
    private static Exception? s_error;

    /// <summary>Runs <paramref name="parts"/> parts of <paramref name="work"/> on up to <paramref name="threads"/> threads and returns when all are done.</summary>
    public static void Run(IPartedWork work, int parts, int threads)
    {
        if (parts <= 0) return;
        threads = Math.Min(Math.Min(threads, parts), Environment.ProcessorCount);
        if (threads <= 1 || parts > 0xFFFF || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (int p = 0; p < parts; p++) work.Run(p);
            return;
        }

        try
        {
            var workers = EnsureWorkers(threads - 1);
            s_work = work;
            s_error = null;
            Volatile.Write(ref s_remaining, parts);
            long id = (Volatile.Read(ref s_ticket) >> 32) + 1;
            // A full fence: the workers' sleeping flags must be read after the call is visible.
            Interlocked.Exchange(ref s_ticket, (id << 32) | ((long)parts << 16));
            for (int i = 0; i < threads - 1; i++) workers[i].Wake();
            RunParts();
            var spin = new SpinWait();
            while (Volatile.Read(ref s_remaining) != 0) spin.SpinOnce(sleep1Threshold: -1);
            s_work = null;
            if (s_error is { } error) throw new AggregateException("A parallel part failed.", error);
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>Claims and runs parts of the current call until none is left; returns whether it ran any.</summary>
    private static bool RunParts()
    {
        bool ran = false;
        while (true)
        {
            long ticket = Volatile.Read(ref s_ticket);
            int parts = (int)((ticket >> 16) & 0xFFFF), next = (int)(ticket & 0xFFFF);
            if (next >= parts) return ran;
            if (Interlocked.CompareExchange(ref s_ticket, ticket + 1, ticket) != ticket) continue;
            // The claim succeeded while this call was current, and the call cannot end before this part does.
            try
            {
                s_work!.Run(next);
            }
            catch (Exception e)
            {
                s_error = e;
            }
            Interlocked.Decrement(ref s_remaining);
            ran = true;
        }
    }

    private static Worker[] EnsureWorkers(int count)
    {
        var workers = s_workers;
        if (workers.Length >= count) return workers;
        lock (Gate)
        {
            if (s_workers.Length < count)
            {
                var grown = new Worker[count];
                Array.Copy(s_workers, grown, s_workers.Length);
                for (int i = s_workers.Length; i < count; i++) grown[i] = new Worker(i);
                s_workers = grown;
            }
            return s_workers;
        }
    }

    /// <summary>A background thread that runs parts; it polls briefly after each call, then sleeps until woken.</summary>
    private sealed class Worker
    {
        private readonly SemaphoreSlim _signal = new(0);
        private int _sleeping;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Microsoft.ML.Recurrent worker {index + 1}" };
            thread.Start();
        }

        /// <summary>Makes sure the worker will look at the current call.</summary>
        public void Wake()
        {
            if (Volatile.Read(ref _sleeping) == 1 && Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1) _signal.Release();
        }

        private void Loop()
        {
            long seen = 0;
            while (true)
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                var spin = new SpinWait();
                while ((Volatile.Read(ref s_ticket) >> 32) == seen)
                {
                    if (System.Diagnostics.Stopwatch.GetTimestamp() - start < SpinTicks)
                    {
                        spin.SpinOnce(sleep1Threshold: -1);
                        continue;
                    }
                    Interlocked.Exchange(ref _sleeping, 1);
                    if ((Volatile.Read(ref s_ticket) >> 32) != seen)
                    {
                        // A call arrived meanwhile: take the flag back, or consume the wake-up the caller already sent.
                        if (Interlocked.CompareExchange(ref _sleeping, 0, 1) != 1) _signal.Wait();
                        break;
                    }
                    _signal.Wait();
                    start = System.Diagnostics.Stopwatch.GetTimestamp();
                }
                seen = Volatile.Read(ref s_ticket) >> 32;
                RunParts();
            }
        }
    }
}
