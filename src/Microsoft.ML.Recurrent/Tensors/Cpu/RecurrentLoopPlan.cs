namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// How a fused recurrent time loop is laid out: into how many row parts it splits, and whether each part projects
/// its inputs step by step. The training kernels (<see cref="FusedRecurrentKernel{T}"/>) and the inference kernel
/// (<see cref="RecurrentInferenceKernel{T}"/>) both follow it, so they make the same GEMM calls over the same rows and
/// give the same numbers bit for bit.
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
    public static unsafe void ProjectStep<T>(int t, int b0, int b1, int steps, T* x, Gemm.PackedMatrix<T> kernel, T* projection, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int features = kernel.K, width = kernel.N;
        Gemm.RunPacked(threads, false, b1 - b0, T.One, x + (((long)b0 * steps) + t) * features, steps * features, kernel, T.Zero, projection + ((long)b0 * width), width);
    }
}
