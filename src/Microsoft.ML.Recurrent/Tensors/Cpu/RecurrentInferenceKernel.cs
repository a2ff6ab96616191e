using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// The forward pass of a fused LSTM, GRU or SimpleRNN sequence for inference: nothing is stored for a backward pass,
/// the recurrent kernel is packed once and kept (<see cref="Pack"/> again only when the weights change), and the
/// buffers are kept and grown, never shrunk, so repeated calls of one batch × steps shape allocate nothing.
/// </summary>
/// <remarks>
/// <para>Before the loop, one GEMM projects the inputs of all steps (for a large batch, each step's inputs are
/// projected in the loop instead: <see cref="RecurrentLoopPlan.ProjectsPerStep"/>). Per step: the recurrent product and
/// the cell's gate pass. Once a step is big enough to pay for threads, the batch rows are split into parts that run on
/// <see cref="ParallelParts"/>, each part taking its rows through a segment of steps: rows never read each other, so a
/// call dispatches once per segment (<see cref="RecurrentLoopPlan.SegmentSteps"/>), not once per step, and between
/// segments rows move to the part that ran faster (<see cref="RecurrentRowSplit"/>). The gate arithmetic is the same, operation for operation, as the training
/// kernels (<see cref="FusedLstmKernel{T}"/>, <see cref="FusedGruKernel{T}"/>, <see cref="FusedSimpleRnnKernel{T}"/>),
/// so both give the same numbers (the LSTM's gate pass is one piece of code both run, <see cref="LstmGatePass{T}"/>).</para>
/// <para>Keras semantics as <see cref="FusedRecurrentKernel{T}"/>: masked steps keep the states and repeat the previous
/// output (or zero with <c>zero_output_for_mask</c>); <c>go_backwards</c> reads time <c>T − 1 − k</c> at step k and
/// writes output k. Dropout masks are not supported here (inference applies none).</para>
/// <para>The per-step methods are compiled fully optimized on first use (<c>AggressiveOptimization</c>, as the GEMM
/// kernels): tiered compilation otherwise ran a batch-1 LSTM's first ~1000 calls, the first predictions a
/// <c>PredictionEngine</c> serves, at 2.5–4.5x the steady time.</para>
/// <para>Not thread-safe: one instance serves one caller at a time.</para>
/// </remarks>
internal sealed unsafe class RecurrentInferenceKernel<T> : IPartedWork where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Gemm.PackedMatrix<T>?[] _packs;
    private readonly List<T[]> _keep = [];
    private long _projectionCapacity;
    private int _batchCapacity;

    // Buffers: Projection (batch·steps, G·U), or (batch, G·U) when projected per step; Rec, Z, A, Biased (batch, G·U);
    // H, C, HNew, Temp, Previous, Candidate (batch, U).
    private T* _projection, _rec, _z, _a, _h, _c, _hNew, _temp, _previous, _candidate, _biased;

    /// <summary>The input kernel W, packed on the first call that projects per step after each <see cref="Pack"/>.</summary>
    private Gemm.PackedMatrix<T>? _inputPack;
    private bool _inputPackCurrent;

    /// <summary>The rows of each part, kept from call to call.</summary>
    private readonly RecurrentRowSplit _split = new();

    /// <summary>The rows of each part in the last parted call.</summary>
    internal RecurrentRowSplit Split => _split;

    // The call in progress (read by the parts).
    private int _batch, _steps;
    private bool _projectsPerStep;
    private T* _x, _mask, _outputs, _inputBias, _recurrentBias;

    /// <summary>Creates the kernel for <paramref name="spec"/> (no dropout) over inputs of <paramref name="features"/> features.</summary>
    public RecurrentInferenceKernel(RecurrentSequenceSpec spec, int features)
    {
        Spec = spec;
        Units = spec.Units;
        Width = spec.Gates * spec.Units;
        Features = features;
        _packs = new Gemm.PackedMatrix<T>?[spec.Gates];
        _lstmGateVectors = LstmGateVectors.Serves<T>(spec);
    }

    /// <summary>Float32 LSTM with the default activations: the gate pass runs <see cref="LstmGateVectors"/>, as in training.</summary>
    private readonly bool _lstmGateVectors;

    public RecurrentSequenceSpec Spec { get; }

    public int Units { get; }

    public int Features { get; }

    /// <summary>G·U.</summary>
    private int Width { get; }

    /// <summary>First gate of each group that shares one recurrent product (GRU without reset_after: z and r, then h).</summary>
    private int[] GroupStarts => Spec.Kind == RecurrentCellKind.Gru && !Spec.ResetAfter ? [0, 2] : [0];

    /// <summary>
    /// Packs the recurrent kernel <c>(U, G·U)</c>. Call it again whenever the recurrent kernel or the input kernel
    /// changes: a large batch projects its inputs from a packed copy of the input kernel, which the first
    /// <see cref="Forward"/> after <see cref="Pack"/> makes.
    /// </summary>
    public void Pack(T* recurrentKernel)
    {
        _inputPackCurrent = false;
        var starts = GroupStarts;
        for (int i = 0; i < starts.Length; i++)
        {
            int g0 = starts[i], g1 = i + 1 < starts.Length ? starts[i + 1] : Spec.Gates;
            T* source = recurrentKernel + g0 * Units;
            _packs[g0] = Gemm.PackedMatrix<T>.Pack(_packs[g0], false, Units, (g1 - g0) * Units, source, Width);
        }
    }

    /// <summary>Whether <see cref="Pack"/> has run.</summary>
    public bool IsPacked => _packs[0] is not null;

    /// <summary>
    /// Runs the sequence. <paramref name="x"/> is <c>(batch, steps, features)</c>; <paramref name="kernel"/>
    /// <c>(features, G·U)</c>; <paramref name="bias"/> <c>(G·U)</c> or <c>(2, G·U)</c> for GRU reset_after, or null;
    /// <paramref name="h0"/> / <paramref name="c0"/> <c>(batch, U)</c> or null for zeros; <paramref name="mask"/>
    /// <c>(batch, steps)</c> or null; <paramref name="output"/> <c>(batch, steps, U)</c> with return_sequences, else
    /// <c>(batch, U)</c>; <paramref name="hFinal"/> / <paramref name="cFinal"/> <c>(batch, U)</c> or null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(int batch, int steps, T* x, T* kernel, T* bias, T* h0, T* c0, T* mask, T* output, T* hFinal, T* cFinal)
    {
        if (!IsPacked) throw new InvalidOperationException("The recurrent kernel is not packed yet.");
        if (batch == 0) return;
        int u = Units, width = Width, bu = batch * u;
        _projectsPerStep = RecurrentLoopPlan.ProjectsPerStep(batch, steps, u, width, sizeof(T));
        Reserve(batch, steps);
        _batch = batch;
        _steps = steps;
        _x = x;
        _mask = mask;
        _outputs = Spec.ReturnSequences ? output : null;
        _recurrentBias = Spec.HasRecurrentBias && bias != null ? bias + width : null;

        if (!_projectsPerStep) Product(checked(batch * steps), width, Features, x, kernel, _projection);
        else if (!_inputPackCurrent)
        {
            _inputPack = Gemm.PackedMatrix<T>.Pack(_inputPack, false, Features, width, kernel, width);
            _inputPackCurrent = true;
        }
        // The bias joins each projection row as the step reads it (in cache), not in a pass over all rows (from memory).
        _inputBias = bias;
        if (h0 != null) Row(h0, bu).CopyTo(Row(_h, bu));
        else Row(_h, bu).Clear();
        if (Spec.Kind == RecurrentCellKind.Lstm)
        {
            if (c0 != null) Row(c0, bu).CopyTo(Row(_c, bu));
            else Row(_c, bu).Clear();
        }
        Row(_previous, bu).Clear();

        int parts = RecurrentLoopPlan.Parts(batch, u, width);
        if (parts == 1) RunSteps(0, batch, 0, steps, Gemm.MaxThreads);
        else
        {
            _split.Reset(batch, parts, _packs[0]!.RowGroup);
            _split.RunSegments(this, steps, RecurrentLoopPlan.SegmentSteps(batch, steps, Features, u, width, parts), reverse: false);
        }

        if (hFinal != null) Row(_h, bu).CopyTo(Row(hFinal, bu));
        if (cFinal != null && Spec.Kind == RecurrentCellKind.Lstm) Row(_c, bu).CopyTo(Row(cFinal, bu));
        if (!Spec.ReturnSequences) Row(LstmStatesInPlace ? _h : _previous, bu).CopyTo(Row(output, bu));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void IPartedWork.Run(int part)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        RunSteps(_split.Start(part), _split.End(part), _split.FirstStep, _split.EndStep, 1);
        _split.Record(part, System.Diagnostics.Stopwatch.GetTimestamp() - start);
    }

    /// <summary>Steps [k0, k1), in order, for batch rows [b0, b1): rows never read each other, so a part needs no other part until the segment ends.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunSteps(int b0, int b1, int k0, int k1, int threads)
    {
        for (int k = k0; k < k1; k++) Step(k, Spec.GoBackwards ? _steps - 1 - k : k, b0, b1, threads);
    }

    /// <summary>Step <paramref name="k"/> (time <paramref name="t"/>) for batch rows [b0, b1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(int k, int t, int b0, int b1, int threads)
    {
        if (_projectsPerStep) RecurrentLoopPlan.ProjectStep(t, b0, b1, _batch, _steps, _x, _inputPack!, _projection, threads);
        switch (Spec.Kind)
        {
            case RecurrentCellKind.Lstm:
                LstmStep(k, t, b0, b1, threads);
                break;
            case RecurrentCellKind.Gru:
                GruStep(k, t, b0, b1, threads);
                break;
            default:
                SimpleRnnStep(k, t, b0, b1, threads);
                break;
        }
    }

    /// <summary>rec[b0..b1, g0·U ..] = h[b0..b1] · R_group(g0), with h rows of stride <paramref name="ldh"/>.</summary>
    private void RecurrentProduct(T* h, int ldh, int b0, int b1, int g0, int threads)
    {
        RecurrentLoopPlan.Product(threads, _batch, b0, b1, h, ldh, _packs[g0]!, T.Zero, _rec + g0 * Units, Width);
    }

    private T* ProjectionRow(int b, int t) => _projection + (_projectsPerStep ? b : ((long)b * _steps) + t) * Width;

    /// <summary>
    /// Asks for row <paramref name="b"/>'s projection while the gate pass works on the row before: consecutive rows of
    /// a step lie steps · G·U apart, beyond the hardware prefetcher's reach, and the projection of a large batch is
    /// far bigger than the caches (26 MB at 64 × 100 × 1024), so each row otherwise arrives at memory latency
    /// (64 × 100 × 128 × 256: gate pass 8.2–8.9 → 7.2–8.0 ms per thread).
    /// </summary>
    private void PrefetchProjectionRow(int b, int t)
    {
        if (!Sse.IsSupported) return;
        byte* row = (byte*)ProjectionRow(b, t);
        for (long offset = 0, bytes = (long)Width * sizeof(T); offset < bytes; offset += 64) Sse.Prefetch0(row + offset);
    }

    /// <summary>Row <paramref name="b"/>'s projection plus the input bias (rounded as in training, where the projection holds the bias), written to a scratch row when there is a bias.</summary>
    private T* BiasedProjectionRow(int b, int t)
    {
        if (_inputBias == null) return ProjectionRow(b, t);
        T* biased = BiasedRow(b, t);
        TensorPrimitives.Add<T>(Row(ProjectionRow(b, t), Width), Row(_inputBias, Width), Row(biased, Width));
        return biased;
    }

    /// <summary>Where <see cref="BiasedProjectionRow"/> left row <paramref name="b"/> this step.</summary>
    private T* BiasedRow(int b, int t) => _inputBias == null ? ProjectionRow(b, t) : _biased + (long)b * Width;

    /// <summary>An LSTM without a mask writes c' and h' straight into its states; its last output is then h.</summary>
    private bool LstmStatesInPlace => Spec.Kind == RecurrentCellKind.Lstm && _mask == null;

    private bool Valid(int b, int t) => _mask == null || _mask[(long)b * _steps + t] != T.Zero;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void LstmStep(int k, int t, int b0, int b1, int threads)
    {
        int u = Units, width = Width;
        // The vector loop needs no z, activations or φ(c'): nothing is stored for a backward pass.
        bool scratch = !_lstmGateVectors;
        RecurrentProduct(_h, u, b0, b1, 0, threads);
        for (int b = b0; b < b1; b++)
        {
            if (b + 1 < b1 && !_projectsPerStep) PrefetchProjectionRow(b + 1, t);
            T* c = _c + (long)b * u;
            // Without a mask every step keeps its results: c' and h' go straight into the states (the row's h was
            // read by the product above, and c is read per unit before c' is written there). Otherwise the candidate
            // c' and φ(c') reuse the rec row's first two blocks (consumed by then) until the mask decides.
            bool inPlace = LstmStatesInPlace;
            T* hNew = inPlace ? _h + (long)b * u : _hNew + (long)b * u;
            T* cNew = inPlace ? c : _rec + (long)b * width, tanhC = _rec + (long)b * width + u;
            LstmGatePass<T>.Row(Spec, _lstmGateVectors, ProjectionRow(b, t), _inputBias, _rec + (long)b * width, c, cNew, hNew,
                scratch ? _z + (long)b * width : null, scratch ? _a + (long)b * width : null, scratch ? tanhC : null, _temp + (long)b * u);
            if (inPlace)
            {
                if (_outputs != null) Row(hNew, u).CopyTo(Row(_outputs + ((long)b * _steps + k) * u, u));
            }
            else
            {
                LstmStateUpdate(k, t, b, c, cNew, hNew);
            }
        }
    }

    /// <summary>Row <paramref name="b"/>'s h and c take h' and c' where the step is not masked; then the output.</summary>
    private void LstmStateUpdate(int k, int t, int b, T* c, T* cNew, T* hNew)
    {
        int u = Units;
        bool valid = Valid(b, t);
        if (valid)
        {
            Row(hNew, u).CopyTo(Row(_h + (long)b * u, u));
            Row(cNew, u).CopyTo(Row(c, u));
        }
        EmitOutput(k, b, valid, hNew);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GruStep(int k, int t, int b0, int b1, int threads)
    {
        int u = Units, width = Width;
        var s = Spec;
        T* recurrentBias = s.HasRecurrentBias ? _recurrentBias : null;
        RecurrentProduct(_h, u, b0, b1, 0, threads);
        for (int b = b0; b < b1; b++)
        {
            T* z = _z + (long)b * width, a = _a + (long)b * width, rec = _rec + (long)b * width;
            T* projection = BiasedProjectionRow(b, t), candidate = _candidate + (long)b * u;
            if (recurrentBias != null) TensorPrimitives.Add<T>(Row(rec, width), Row(recurrentBias, width), Row(rec, width));
            TensorPrimitives.Add<T>(Row(projection, 2 * u), Row(rec, 2 * u), Row(z, 2 * u));
            FusedActivation<T>.Forward(s.RecurrentActivation, s.RecurrentActivationAlpha, s.RecurrentActivationBeta, Row(z, 2 * u), Row(a, 2 * u));
            if (s.ResetAfter)
            {
                Row(rec + 2 * u, u).CopyTo(Row(candidate, u));
                TensorPrimitives.Multiply<T>(Row(a + u, u), Row(candidate, u), Row(z + 2 * u, u));
                TensorPrimitives.Add<T>(Row(projection + 2 * u, u), Row(z + 2 * u, u), Row(z + 2 * u, u));
                FusedActivation<T>.Forward(s.Activation, s.ActivationAlpha, s.ActivationBeta, Row(z + 2 * u, u), Row(a + 2 * u, u));
                GruFinish(k, t, b);
            }
            else
            {
                Row(_h + (long)b * u, u).CopyTo(Row(candidate, u));
                TensorPrimitives.Multiply<T>(Row(a + u, u), Row(candidate, u), Row(candidate, u));
            }
        }
        if (s.ResetAfter) return;

        // Without reset_after the candidate's recurrent product needs r first: (r ⊙ h) · R_h.
        RecurrentProduct(_candidate, u, b0, b1, 2, threads);
        for (int b = b0; b < b1; b++)
        {
            T* z = _z + (long)b * width, a = _a + (long)b * width;
            TensorPrimitives.Add<T>(Row(BiasedRow(b, t) + 2 * u, u), Row(_rec + (long)b * width + 2 * u, u), Row(z + 2 * u, u));
            FusedActivation<T>.Forward(s.Activation, s.ActivationAlpha, s.ActivationBeta, Row(z + 2 * u, u), Row(a + 2 * u, u));
            GruFinish(k, t, b);
        }
    }

    /// <summary>h' = z⊙h + (1 − z)⊙hh (rounded in the generic cell's order), then the state update and output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GruFinish(int k, int t, int b)
    {
        int u = Units;
        T* a = _a + (long)b * Width;
        var h = Row(_h + (long)b * u, u);
        var hNew = Row(_hNew + (long)b * u, u);
        var tmp = Row(_temp + (long)b * u, u);
        TensorPrimitives.Subtract<T>(T.One, Row(a, u), tmp);
        TensorPrimitives.Multiply<T>(tmp, Row(a + 2 * u, u), tmp);
        TensorPrimitives.Multiply<T>(Row(a, u), h, hNew);
        TensorPrimitives.Add<T>(hNew, tmp, hNew);
        bool valid = Valid(b, t);
        if (valid) hNew.CopyTo(h);
        EmitOutput(k, b, valid, _hNew + (long)b * u);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SimpleRnnStep(int k, int t, int b0, int b1, int threads)
    {
        int u = Units;
        RecurrentProduct(_h, u, b0, b1, 0, threads);
        for (int b = b0; b < b1; b++)
        {
            T* z = _z + (long)b * u, a = _a + (long)b * u;
            TensorPrimitives.Add<T>(Row(BiasedProjectionRow(b, t), u), Row(_rec + (long)b * u, u), Row(z, u));
            FusedActivation<T>.Forward(Spec.Activation, Spec.ActivationAlpha, Spec.ActivationBeta, Row(z, u), Row(a, u));
            bool valid = Valid(b, t);
            if (valid) Row(a, u).CopyTo(Row(_h + (long)b * u, u));
            EmitOutput(k, b, valid, a);
        }
    }

    /// <summary>Writes step k's output of row <paramref name="b"/> with Keras's mask rule.</summary>
    private void EmitOutput(int k, int b, bool valid, T* hNewRow)
    {
        int u = Units;
        var previous = Row(_previous + (long)b * u, u);
        if (valid) Row(hNewRow, u).CopyTo(previous);
        else if (Spec.ZeroOutputForMask) previous.Clear();
        if (_outputs != null) previous.CopyTo(Row(_outputs + ((long)b * _steps + k) * u, u));
    }

    // ------------------------------------------------------------------ memory

    /// <summary>Grows the buffers to hold <paramref name="batch"/> × <paramref name="steps"/>.</summary>
    private void Reserve(int batch, int steps)
    {
        long projection = Math.Max(1, (long)batch * (_projectsPerStep ? 1 : steps) * Width);
        if (projection > _projectionCapacity)
        {
            _projection = Allocate(projection, 0);
            _projectionCapacity = projection;
        }
        if (batch <= _batchCapacity) return;
        long bw = (long)batch * Width, bu = (long)batch * Units;
        _rec = Allocate(bw, 1);
        _z = Allocate(bw, 2);
        _a = Allocate(bw, 3);
        _h = Allocate(bu, 4);
        _c = Allocate(bu, 5);
        _hNew = Allocate(bu, 6);
        _temp = Allocate(bu, 7);
        _previous = Allocate(bu, 8);
        _candidate = Allocate(bu, 9);
        _biased = Allocate(bw, 10);
        _batchCapacity = batch;
    }

    /// <summary>A pinned buffer kept in slot <paramref name="slot"/> (replacing the smaller one there).</summary>
    private T* Allocate(long length, int slot)
    {
        var array = GC.AllocateUninitializedArray<T>(checked((int)length), pinned: true);
        while (_keep.Count <= slot) _keep.Add([]);
        _keep[slot] = array;
        return (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
    }

    private static Span<T> Row(T* p, int length) => new(p, length);

    /// <summary>C = A·B for the input projection, through the GEMM of the element type (threaded when large).</summary>
    private static void Product(int m, int n, int k, T* a, T* b, T* c)
    {
        if (m == 0 || n == 0) return;
        if (typeof(T) == typeof(float))
            Gemm.Sgemm(false, false, m, n, k, 1f, (float*)a, k, (float*)b, n, 0f, (float*)c, n);
        else
            Gemm.Dgemm(false, false, m, n, k, 1.0, (double*)a, k, (double*)b, n, 0.0, (double*)c, n);
    }
}
