namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// How a fused recurrent time loop is laid out: into how many row parts it splits, in segments of how many steps,
/// and whether each part projects its inputs step by step. The training kernels (<see cref="FusedRecurrentKernel{T}"/>)
/// and the inference kernel (<see cref="RecurrentInferenceKernel{T}"/>) both follow it and make their per-step products
/// through <see cref="Product"/>, whose rows do not depend on how the batch is split: both give the same numbers bit
/// for bit, with one thread or several, however <see cref="RecurrentRowSplit"/> moves the rows.
/// </summary>
internal static class RecurrentLoopPlan
{
    /// <summary>Below this many floating-point operations per step, the step runs on the calling thread.</summary>
    public const double ParallelStepFlops = 4e5;

    /// <summary>Above this size the all-steps projection buffer no longer stays in one core's L2.</summary>
    private const long ProjectionCacheBytes = 1 << 20;

    /// <summary>From this many batch rows, a per-step projection reuses each packed input-kernel block enough.</summary>
    private const int StepProjectionMinBatch = 16;

    /// <summary>Whether one step's recurrent product is big enough to split over threads.</summary>
    private static bool BigStep(int batch, int units, int width) => batch >= 2 && 2.0 * batch * units * width >= ParallelStepFlops;

    /// <summary>
    /// Row parts of the time loop: one per thread (at most one per core and one per row) when the step is big enough,
    /// else one. Each part takes its rows through every step, its products on one thread.
    /// </summary>
    public static int Parts(int batch, int units, int width)
    {
        int threads = Math.Min(Gemm.MaxThreads, Environment.ProcessorCount);
        return threads > 1 && BigStep(batch, units, width) ? Math.Min(threads, batch) : 1;
    }

    /// <summary>
    /// Floating-point operations per part in one segment of steps: about 2 ms of one core's work (tests lower it to
    /// run a segment per step).
    /// </summary>
    internal static double SegmentFlops { get; set; } = 2e8;

    /// <summary>
    /// Steps per segment of a parted loop: after each segment the rows are re-split by the parts' measured speeds
    /// (<see cref="RecurrentRowSplit"/>). Long enough that the dispatch between segments costs little, short enough
    /// that a core that slows down mid-call is noticed.
    /// </summary>
    public static int SegmentSteps(int batch, int steps, int features, int units, int width, int parts)
    {
        double perStep = 2.0 * batch * (features + units) * width / parts;
        return (int)Math.Clamp(Math.Ceiling(SegmentFlops / perStep), 1, Math.Max(1, steps));
    }

    /// <summary>
    /// Whether the input projection x_t · W is computed inside the loop, step by step for each part's rows, instead
    /// of once for all steps before it. A large batch's all-steps projection is written to memory and read back from
    /// there (26 MB at 64 × 100 × 1024 floats; the 2-core benchmark machine moves ~10 GB/s), while one step's rows stay
    /// in cache. With few rows per step the per-step products reuse W too little, and a projection that fits in L2
    /// gains nothing, so those keep the single product. Measured, calls alternated in one process, LSTM inference:
    /// (64, 100, 128, 256) 4–7% and (32, 50, 32, 64) 8–9% less time, (64, 100, 16, 64) 15%; batch 2 took 1.5x the time,
    /// batch 8 the same, batch 16 with a 0.8 MB projection 1.1x.
    /// </summary>
    public static bool ProjectsPerStep(int batch, int steps, int units, int width, int elementSize) =>
        BigStep(batch, units, width) && batch >= StepProjectionMinBatch && (long)batch * steps * width * elementSize > ProjectionCacheBytes;

    /// <summary>
    /// <c>projection[b0..b1) = x[b0..b1, t] · W</c>: one step's input projection for a part's rows, into a
    /// <c>(batch, G·U)</c> buffer. <paramref name="x"/> is <c>(batch, steps, features)</c>; W is packed in
    /// <paramref name="kernel"/>.
    /// </summary>
    public static unsafe void ProjectStep<T>(int t, int b0, int b1, int batch, int steps, T* x, Gemm.PackedMatrix<T> kernel, T* projection, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int features = kernel.K;
        Product(threads, batch, b0, b1, x + ((long)t * features), steps * features, kernel, T.Zero, projection, kernel.N);
    }

    /// <summary>
    /// <c>C[b0..b1) = A[b0..b1) · B + beta · C[b0..b1)</c> for the rows of one part, <paramref name="a"/> and
    /// <paramref name="c"/> pointing at row 0 of the batch. The batch's last rows beyond its last whole
    /// <see cref="Gemm.PackedMatrix{T}.RowGroup"/> always get a product of their own, so a row's result is the same
    /// in every split of the rows (and with one part or several).
    /// </summary>
    public static unsafe void Product<T>(int threads, int batch, int b0, int b1, T* a, int lda, Gemm.PackedMatrix<T> b, T beta, T* c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int tail = batch - (batch % b.RowGroup);
        if (b0 < tail && tail < b1)
        {
            Gemm.RunPacked(threads, false, tail - b0, T.One, a + ((long)b0 * lda), lda, b, beta, c + ((long)b0 * ldc), ldc);
            b0 = tail;
        }
        Gemm.RunPacked(threads, false, b1 - b0, T.One, a + ((long)b0 * lda), lda, b, beta, c + ((long)b0 * ldc), ldc);
    }
}
