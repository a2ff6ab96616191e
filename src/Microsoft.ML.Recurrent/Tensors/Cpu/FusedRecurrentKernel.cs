using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// The time loop shared by the fused LSTM, GRU and SimpleRNN kernels: one GEMM projects the inputs of all steps,
/// each step runs the recurrent product with the pre-packed recurrent kernel and one gate pass per batch row
/// (supplied by the cell), and the backward pass runs through time on the stored gate activations, then forms the
/// weight and input gradients as large GEMMs over all steps. Every buffer is allocated before the loop.
/// </summary>
/// <remarks>
/// <para>Keras semantics: at a masked step the cell's results are discarded, the states carry over and the output
/// repeats the previous output (zeros before the first valid step) or is zero with <c>zero_output_for_mask</c>;
/// with <c>go_backwards</c> step k reads time <c>T − 1 − k</c> and writes output k.</para>
/// <para>Storage: the training workspace holds, per (batch, time) row, the state h before the step, the gate
/// pre-activations Z and activations A (G·U each) and <see cref="ExtraBlocks"/> cell-specific U-wide values; in
/// inference the same rows point into one-step scratch buffers instead.</para>
/// <para>Dropout: input masks are applied to a copy of x before the projection (one shared mask, or one per gate);
/// recurrent masks to the state before each recurrent product (per gate: one packed product per gate).</para>
/// </remarks>
internal abstract unsafe class FusedRecurrentKernel<T> : IPartedWork, IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{

    private readonly List<GCHandle> _pins = [];
    private readonly nint[] _inputMasks;
    private readonly nint[] _recurrentMasks;
    private Gemm.PackedMatrix<T>?[]? _forwardPacks;
    private Gemm.PackedMatrix<T>?[]? _backwardPacks;
    private T* _hMasked;
    private T* _scratchU;

    protected FusedRecurrentKernel(RecurrentSequenceSpec spec, RecurrentSequenceOperands operands, Tensor? workspace, int extraBlocks)
    {
        Spec = spec;
        Batch = operands.X.Shape[0];
        Steps = operands.X.Shape[1];
        Features = operands.X.Shape[2];
        Units = spec.Units;
        Gates = spec.Gates;
        Width = Gates * Units;
        ExtraBlocks = extraBlocks;
        X = Pin(operands.X);
        Kernel = Pin(operands.Kernel);
        RecurrentKernel = Pin(operands.RecurrentKernel);
        if (operands.Bias is { } bias)
        {
            InputBias = Pin(bias);
            if (spec.HasRecurrentBias) RecurrentBias = InputBias + Width;
        }
        Mask = operands.Mask is { } mask ? Pin(mask) : null;
        InitialStates = operands.InitialStates.Select(s => (nint)Pin(s)).ToArray();
        _inputMasks = operands.InputDropoutMasks is { Count: > 0 } im ? im.Select(m => (nint)Pin(m)).ToArray() : [];
        _recurrentMasks = operands.RecurrentDropoutMasks is { Count: > 0 } rm ? rm.Select(m => (nint)Pin(m)).ToArray() : [];
        Training = workspace is not null;
        long rows = (long)Batch * Steps;
        if (workspace is not null)
        {
            T* ws = Pin(workspace);
            HPrev = ws;
            ZBase = ws + rows * Units;
            ABase = ZBase + rows * Width;
            ExtraBase = ABase + rows * Width;
        }
        else
        {
            ZBase = Allocate(Batch * Width);
            ABase = Allocate(Batch * Width);
            ExtraBase = Allocate(Math.Max(1, extraBlocks) * Batch * Units);
        }
    }

    /// <summary>Workspace elements for a cell with <paramref name="extraBlocks"/> U-wide values per row.</summary>
    public static long WorkspaceLength(RecurrentSequenceSpec spec, int batch, int steps, int extraBlocks) =>
        (long)batch * steps * (spec.Units * (1 + extraBlocks) + 2L * spec.Gates * spec.Units);

    protected RecurrentSequenceSpec Spec { get; }
    protected int Batch { get; }
    protected int Steps { get; }
    protected int Features { get; }
    protected int Units { get; }
    protected int Gates { get; }

    /// <summary>G·U, the width of a gate row.</summary>
    protected int Width { get; }

    protected int ExtraBlocks { get; }
    protected bool Training { get; }
    protected T* X { get; }
    protected T* Kernel { get; }
    protected T* RecurrentKernel { get; }
    protected T* InputBias { get; }
    protected T* RecurrentBias { get; }
    protected T* Mask { get; }
    protected nint[] InitialStates { get; }

    /// <summary>Training: the state h before each step, <c>(batch·time, U)</c>.</summary>
    protected T* HPrev { get; }

    private T* ZBase { get; }
    private T* ABase { get; }
    private T* ExtraBase { get; }

    /// <summary>
    /// Input projections, bias included (forward only): of all steps <c>(batch·time, G·U)</c>, or of the current step
    /// <c>(batch, G·U)</c> when projected per step (<see cref="RecurrentLoopPlan.ProjectsPerStep"/>).
    /// </summary>
    private T* Projection { get; set; }

    /// <summary>Row <paramref name="b"/> of time <paramref name="t"/>'s input projection, bias included.</summary>
    protected T* ProjectionRow(int b, int t) => Projection + (_projectsPerStep ? b : ((long)b * Steps) + t) * Width;

    private bool _projectsPerStep;
    private Gemm.PackedMatrix<T>? _inputPack;

    /// <summary>The carried states, <c>(batch, U)</c> each.</summary>
    protected T* H { get; private set; }

    /// <summary>LSTM's carried cell state.</summary>
    protected T* C { get; private set; }

    /// <summary>Scratch <c>(batch, G·U)</c>: the recurrent products of one step.</summary>
    protected T* Rec { get; private set; }

    /// <summary>Scratch <c>(batch, U)</c>: the candidate new h of one step.</summary>
    protected T* HNew { get; private set; }

    /// <summary>Scratch <c>(batch, U)</c> for the cells' intermediate values.</summary>
    protected T* Temp { get; private set; }

    /// <summary>Backward: gradient reaching the state h (and LSTM's c) after the step being processed.</summary>
    protected T* DH { get; private set; }

    /// <summary>Backward: LSTM's cell-state gradient.</summary>
    protected T* DC { get; private set; }

    /// <summary>Backward: gradient of the step output, per batch row.</summary>
    protected T* DOut { get; private set; }

    /// <summary>Backward: pre-activation gradients (input side) <c>(batch·time, G·U)</c>; zero at masked steps.</summary>
    protected T* DZ { get; private set; }

    /// <summary>Backward: pre-activation gradients of the recurrent products (differs from <see cref="DZ"/> only for GRU reset_after).</summary>
    protected T* DZRec { get; private set; }

    /// <summary>Whether the recurrent-side gradient needs its own buffer.</summary>
    protected virtual bool SeparateRecurrentGradient => false;

    /// <summary>The first gate of each group that shares one recurrent product (without per-gate dropout masks).</summary>
    protected virtual int[] GateGroupStarts => [0];

    protected int RowIndex(int b, int t) => Training ? b * Steps + t : b;

    /// <summary>Rows of one time step are this many U- or G·U-wide rows apart in the row-indexed buffers.</summary>
    protected int RowStride => Training ? Steps : 1;

    protected T* ZRow(int b, int t) => ZBase + (long)RowIndex(b, t) * Width;
    protected T* ARow(int b, int t) => ABase + (long)RowIndex(b, t) * Width;

    /// <summary>Start of extra block <paramref name="block"/> (rows of U).</summary>
    protected T* ExtraBlock(int block) => ExtraBase + (long)block * (Training ? (long)Batch * Steps : Batch) * Units;

    protected T* ExtraRow(int block, int b, int t) => ExtraBlock(block) + (long)RowIndex(b, t) * Units;

    protected bool Valid(int b, int t) => Mask == null || Mask[(long)b * Steps + t] != T.Zero;

    protected int TimeOf(int k) => Spec.GoBackwards ? Steps - 1 - k : k;

    /// <summary>The recurrent dropout mask of <paramref name="gate"/>, or null.</summary>
    protected T* RecurrentMask(int gate) => _recurrentMasks.Length == 0 ? null : (T*)_recurrentMasks[_recurrentMasks.Length == 1 ? 0 : gate];

    protected static Span<T> Row(T* p, int length) => new(p, length);

    // ------------------------------------------------------------------ cell hooks

    /// <summary>
    /// Runs step <paramref name="k"/> (time <paramref name="t"/>) for batch rows [<paramref name="b0"/>, <paramref name="b1"/>):
    /// recurrent products, gates, states, <see cref="EmitOutput"/> per row. Touches no other rows (row ranges run in parallel).
    /// </summary>
    protected abstract void ForwardStep(int k, int t, T* output, int b0, int b1);

    /// <summary>
    /// Back-propagates step time <paramref name="t"/> for the valid rows among [<paramref name="b0"/>, <paramref name="b1"/>)
    /// (and touches no other rows): reads <see cref="DH"/> + <see cref="DOut"/>,
    /// writes <see cref="DZ"/> (and <see cref="DZRec"/>) rows, and leaves in <see cref="DH"/> / <see cref="DC"/> the
    /// gradients of the states before the step. Masked rows must be left untouched.
    /// </summary>
    protected abstract void BackwardStep(int t, int b0, int b1);

    /// <summary>The <c>(batch·time, U)</c> matrix that multiplied the recurrent kernel block of <paramref name="gate"/>.</summary>
    protected virtual T* RecurrentOperand(int gate, T* scratch)
    {
        var mask = RecurrentMask(gate);
        if (mask == null) return HPrev;
        for (int b = 0; b < Batch; b++)
        {
            var m = Row(mask + (long)b * Units, Units);
            for (int t = 0; t < Steps; t++)
            {
                long r = ((long)b * Steps + t) * Units;
                TensorPrimitives.Multiply<T>(Row(HPrev + r, Units), m, Row(scratch + r, Units));
            }
        }
        return scratch;
    }

    // ------------------------------------------------------------------ forward

    /// <summary>Runs the sequence; <paramref name="output"/> and <paramref name="finalStates"/> are overwritten.</summary>
    public void Forward(Tensor output, IReadOnlyList<Tensor> finalStates)
    {
        int bu = Batch * Units;
        // Input dropout (training only) keeps the all-steps projection of the masked inputs.
        _projectsPerStep = _inputMasks.Length == 0 && RecurrentLoopPlan.ProjectsPerStep(Batch, Steps, Units, Width, sizeof(T));
        Projection = Allocate((long)Batch * (_projectsPerStep ? 1 : Steps) * Width, clear: false);
        if (_projectsPerStep) _inputPack = PackFromPool(false, Features, Width, Kernel);
        else InputProjection();
        H = Allocate(bu);
        Row((T*)InitialStates[0], bu).CopyTo(Row(H, bu));
        if (InitialStates.Length > 1)
        {
            C = Allocate(bu);
            Row((T*)InitialStates[1], bu).CopyTo(Row(C, bu));
        }
        Rec = Allocate((long)Batch * Width);
        HNew = Allocate(bu);
        Temp = Allocate(bu);
        var previous = Allocate(bu);
        _hMasked = Allocate(bu);
        CreatePacks(backward: false);
        _outputs = Spec.ReturnSequences ? Pin(output) : null;
        _previousOutput = previous;
        ChooseParts();
        _backward = false;
        RunSteps();

        Row(H, bu).CopyTo(PinSpan(finalStates[0], bu));
        if (C != null) Row(C, bu).CopyTo(PinSpan(finalStates[1], bu));
        if (!Spec.ReturnSequences) Row(previous, bu).CopyTo(PinSpan(output, bu));
    }

    private T* _previousOutput;

    // ------------------------------------------------------------------ the time loop, split by batch rows

    // The loop being run (read by the parts): phase, outputs / output gradients, carried gradient.
    private bool _backward;
    private int _parts = 1, _gemmThreads = 1;
    private readonly RecurrentRowSplit _split = new();
    private T* _outputs, _dOutputs, _carried;

    /// <summary>
    /// Splits the batch rows into ranges run by <see cref="ParallelParts"/> when a step is big enough
    /// (<see cref="RecurrentLoopPlan.Parts"/>, as the inference kernel): each part takes its rows through a segment of
    /// steps, their recurrent products on one thread and their gate pass, so the products and the (otherwise
    /// single-threaded) gate arithmetic are shared and the loop costs one dispatch per segment (rows never read each
    /// other); between segments <see cref="RecurrentRowSplit"/> moves rows to the faster part.
    /// Otherwise one part, with the products threaded by <see cref="Gemm"/>.
    /// </summary>
    private void ChooseParts()
    {
        _parts = RecurrentLoopPlan.Parts(Batch, Units, Width);
        _gemmThreads = _parts > 1 ? 1 : Gemm.MaxThreads;
    }

    private void RunSteps()
    {
        _split.Reset(Batch, _parts, (_backward ? _backwardPacks : _forwardPacks)![0]!.RowGroup);
        int segment = _parts == 1 ? Steps : RecurrentLoopPlan.SegmentSteps(Batch, Steps, Features, Units, Width, _parts);
        _split.RunSegments(this, Steps, segment, reverse: _backward);
    }

    /// <summary>Runs the part's rows through the segment's steps (<see cref="RecurrentRowSplit"/>), forward or backward in time.</summary>
    public void Run(int part)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        int b0 = _split.Start(part), b1 = _split.End(part);
        if (!_backward)
        {
            for (int k = _split.FirstStep; k < _split.EndStep; k++)
            {
                int t = TimeOf(k);
                if (Training) CopyStateRows(H, HPrev, t, b0, b1);
                if (_projectsPerStep) ProjectStep(t, b0, b1);
                ForwardStep(k, t, _outputs, b0, b1);
            }
        }
        else
        {
            for (int k = _split.EndStep - 1; k >= _split.FirstStep; k--) BackPropagateStep(k, b0, b1);
        }
        _split.Record(part, System.Diagnostics.Stopwatch.GetTimestamp() - start);
    }

    /// <summary>Back-propagates step <paramref name="k"/> for rows [b0, b1): routes the output gradient, then the cell's <see cref="BackwardStep"/>.</summary>
    private void BackPropagateStep(int k, int b0, int b1)
    {
        int t = TimeOf(k);
        // The output of step k is y_k where valid, else the previous output (or zero): route its gradient.
        int u = Units;
        for (int b = b0; b < b1; b++)
        {
            var carry = Row(_carried + (long)b * u, u);
            var dOut = Row(DOut + (long)b * u, u);
            if (Spec.ReturnSequences && _dOutputs != null)
                TensorPrimitives.Add<T>(carry, Row(_dOutputs + ((long)b * Steps + k) * u, u), dOut);
            else carry.CopyTo(dOut);
            if (Valid(b, t) || Spec.ZeroOutputForMask) carry.Clear();
            else dOut.CopyTo(carry);
        }
        BackwardStep(t, b0, b1);
    }

    /// <summary>Copies rows [b0, b1) of the (batch, U) state into the rows of time <paramref name="t"/> of a (batch·time, U) buffer.</summary>
    protected void CopyStateRows(T* state, T* rows, int t, int b0, int b1)
    {
        for (int b = b0; b < b1; b++)
            Row(state + (long)b * Units, Units).CopyTo(Row(rows + ((long)b * Steps + t) * Units, Units));
    }

    /// <summary>Writes step <paramref name="k"/>'s output of batch row <paramref name="b"/> with Keras's mask rule.</summary>
    protected void EmitOutput(int b, int k, bool valid, T* hNewRow, T* outputs)
    {
        var previous = Row(_previousOutput + (long)b * Units, Units);
        if (valid) Row(hNewRow, Units).CopyTo(previous);
        else if (Spec.ZeroOutputForMask) previous.Clear();
        if (outputs != null) previous.CopyTo(Row(outputs + ((long)b * Steps + k) * Units, Units));
    }

    /// <summary>Projection = (x ⊙ input mask) · W + b for all steps: one GEMM, or one per gate with per-gate masks.</summary>
    private void InputProjection()
    {
        long rows = (long)Batch * Steps;
        if (_inputMasks.Length == 0)
        {
            Product(false, false, (int)rows, Width, Features, X, Features, Kernel, Width, T.Zero, Projection, Width);
        }
        else
        {
            var masked = Allocate(rows * Features, clear: false);
            int groups = _inputMasks.Length == 1 ? 1 : Gates;
            int width = groups == 1 ? Width : Units;
            for (int g = 0; g < groups; g++)
            {
                MaskInputs((T*)_inputMasks[g], masked);
                Product(false, false, (int)rows, width, Features, masked, Features, Kernel + g * Units, Width, T.Zero, Projection + g * Units, Width);
            }
        }
        if (InputBias != null)
        {
            var bias = Row(InputBias, Width);
            for (long r = 0; r < rows; r++) TensorPrimitives.Add<T>(Row(Projection + r * Width, Width), bias, Row(Projection + r * Width, Width));
        }
    }

    /// <summary>Time <paramref name="t"/>'s projection of rows [b0, b1), then the bias, rounded as <see cref="InputProjection"/> does.</summary>
    private void ProjectStep(int t, int b0, int b1)
    {
        RecurrentLoopPlan.ProjectStep(t, b0, b1, Batch, Steps, X, _inputPack!, Projection, _gemmThreads);
        if (InputBias == null) return;
        var bias = Row(InputBias, Width);
        for (int b = b0; b < b1; b++) TensorPrimitives.Add<T>(Row(ProjectionRow(b, t), Width), bias, Row(ProjectionRow(b, t), Width));
    }

    private void MaskInputs(T* mask, T* destination)
    {
        for (int b = 0; b < Batch; b++)
        {
            var m = Row(mask + (long)b * Features, Features);
            for (int t = 0; t < Steps; t++)
            {
                long r = ((long)b * Steps + t) * Features;
                TensorPrimitives.Multiply<T>(Row(X + r, Features), m, Row(destination + r, Features));
            }
        }
    }

    /// <summary>
    /// <c>rec[b0..b1, g0·U .. g1·U) = (h ⊙ m_g) · R_g</c> with the packed recurrent kernel; <paramref name="h"/> is
    /// <c>(batch, U)</c> with row stride <paramref name="ldh"/>, <paramref name="rec"/> <c>(batch, G·U)</c>. Without
    /// <paramref name="applyMasks"/> h is used as given.
    /// </summary>
    protected void ForwardProducts(T* h, int ldh, int g0, int g1, T* rec, bool applyMasks, int b0, int b1)
    {
        for (int g = g0; g < g1;)
        {
            var pack = _forwardPacks![g]!;
            T* a = h;
            int lda = ldh;
            var mask = applyMasks ? RecurrentMask(g) : null;
            if (mask != null)
            {
                for (int b = b0; b < b1; b++)
                    TensorPrimitives.Multiply<T>(Row(h + (long)b * ldh, Units), Row(mask + (long)b * Units, Units), Row(_hMasked + (long)b * Units, Units));
                a = _hMasked;
                lda = Units;
            }
            RecurrentLoopPlan.Product(_gemmThreads, Batch, b0, b1, a, lda, pack, T.Zero, rec + g * Units, Width);
            g += pack.N / Units;
        }
    }

    // ------------------------------------------------------------------ backward

    /// <summary>Back-propagates through time, then forms the weight and input gradients; every gradient is overwritten.</summary>
    public void Backward(Tensor? dOutput, IReadOnlyList<Tensor?> dFinalStates, Tensor? dx, Tensor dKernel, Tensor dRecurrentKernel, Tensor? dBias, IReadOnlyList<Tensor> dInitialStates)
    {
        int bu = Batch * Units;
        long rows = (long)Batch * Steps;
        // Every valid row of DZ is written by the step that owns it; masked rows must read as zero.
        DZ = Allocate(rows * Width, clear: Mask != null);
        DZRec = SeparateRecurrentGradient ? Allocate(rows * Width, clear: Mask != null) : DZ;
        DH = Allocate(bu);
        if (dFinalStates.Count > 0 && dFinalStates[0] is { } dh) PinSpan(dh, bu).CopyTo(Row(DH, bu));
        if (Spec.StateCount > 1)
        {
            DC = Allocate(bu);
            if (dFinalStates.Count > 1 && dFinalStates[1] is { } dc) PinSpan(dc, bu).CopyTo(Row(DC, bu));
        }
        DOut = Allocate(bu);
        Temp = Allocate(bu);
        HNew = Allocate(bu);
        Rec = Allocate((long)Batch * Width);
        _scratchU = Allocate(bu);
        _carried = Allocate(bu);
        _dOutputs = dOutput is null ? null : Pin(dOutput);
        if (!Spec.ReturnSequences && _dOutputs != null) Row(_dOutputs, bu).CopyTo(Row(_carried, bu));
        CreatePacks(backward: true);
        ChooseParts();
        _backward = true;
        RunSteps();

        Row(DH, bu).CopyTo(PinSpan(dInitialStates[0], bu));
        if (DC != null) Row(DC, bu).CopyTo(PinSpan(dInitialStates[1], bu));
        WeightGradients(dx, dKernel, dRecurrentKernel, dBias);
    }

    /// <summary>
    /// <c>dh[b0..b1) += Σ_g (dZ_g · R_gᵀ) ⊙ m_g</c> over gates [g0, g1) for the step whose gradient rows start at
    /// <paramref name="dz"/> (row stride <paramref name="lddz"/>; <paramref name="dh"/> row stride U); masked rows hold
    /// zeros and add nothing.
    /// </summary>
    protected void BackwardProducts(T* dz, int lddz, int g0, int g1, T* dh, bool applyMasks, int b0, int b1)
    {
        long offset = (long)b0 * Units;
        for (int g = g0; g < g1;)
        {
            var pack = _backwardPacks![g]!;
            var mask = applyMasks ? RecurrentMask(g) : null;
            if (mask == null)
            {
                RecurrentLoopPlan.Product(_gemmThreads, Batch, b0, b1, dz + g * Units, lddz, pack, T.One, dh, Units);
            }
            else
            {
                RecurrentLoopPlan.Product(_gemmThreads, Batch, b0, b1, dz + g * Units, lddz, pack, T.Zero, _scratchU, Units);
                int n = (b1 - b0) * Units;
                TensorPrimitives.MultiplyAdd<T>(Row(_scratchU + offset, n), Row(mask + offset, n), Row(dh + offset, n), Row(dh + offset, n));
            }
            g += pack.K / Units;
        }
    }

    /// <summary>Gradients of the kernel, recurrent kernel, bias and inputs as GEMMs over all (batch·time) rows.</summary>
    private void WeightGradients(Tensor? dx, Tensor dKernel, Tensor dRecurrentKernel, Tensor? dBias)
    {
        int rows = Batch * Steps;
        T* dW = Pin(dKernel);
        T* dR = Pin(dRecurrentKernel);
        T* dX = dx is null ? null : Pin(dx);

        if (_inputMasks.Length == 0)
        {
            Product(true, false, Features, Width, rows, X, Features, DZ, Width, T.Zero, dW, Width);
            if (dX != null) Product(false, true, rows, Features, Width, DZ, Width, Kernel, Width, T.Zero, dX, Features);
        }
        else
        {
            var masked = Allocate((long)rows * Features, clear: false);
            var part = dX != null ? Allocate((long)rows * Features, clear: false) : null;
            int groups = _inputMasks.Length == 1 ? 1 : Gates;
            int width = groups == 1 ? Width : Units;
            if (dX != null) Row(dX, rows * Features).Clear();
            for (int g = 0; g < groups; g++)
            {
                MaskInputs((T*)_inputMasks[g], masked);
                Product(true, false, Features, width, rows, masked, Features, DZ + g * Units, Width, T.Zero, dW + g * Units, Width);
                if (dX == null) continue;
                Product(false, true, rows, Features, width, DZ + g * Units, Width, Kernel + g * Units, Width, T.Zero, part, Features);
                for (int b = 0; b < Batch; b++)
                {
                    var m = Row((T*)_inputMasks[g] + (long)b * Features, Features);
                    for (int t = 0; t < Steps; t++)
                    {
                        long r = ((long)b * Steps + t) * Features;
                        TensorPrimitives.MultiplyAdd<T>(Row(part + r, Features), m, Row(dX + r, Features), Row(dX + r, Features));
                    }
                }
            }
        }

        T* scratch = _recurrentMasks.Length > 0 ? Allocate((long)rows * Units, clear: false) : null;
        foreach (var (g0, g1) in Groups())
        {
            T* operand = RecurrentOperand(g0, scratch);
            Product(true, false, Units, (g1 - g0) * Units, rows, operand, Units, DZRec + g0 * Units, Width, T.Zero, dR + g0 * Units, Width);
        }

        if (dBias is not null)
        {
            T* db = Pin(dBias);
            ColumnSums(DZ, rows, Row(db, Width));
            if (RecurrentBias != null) ColumnSums(DZRec, rows, Row(db + Width, Width));
        }
    }

    private void ColumnSums(T* matrix, int rows, Span<T> sums)
    {
        sums.Clear();
        for (int r = 0; r < rows; r++) TensorPrimitives.Add<T>(sums, Row(matrix + (long)r * Width, Width), sums);
    }

    // ------------------------------------------------------------------ packing, memory

    /// <summary>Gate ranges [g0, g1) that share one recurrent product: every gate alone with per-gate dropout masks.</summary>
    private IEnumerable<(int, int)> Groups()
    {
        var starts = _recurrentMasks.Length > 1 ? Enumerable.Range(0, Gates).ToArray() : GateGroupStarts;
        for (int i = 0; i < starts.Length; i++) yield return (starts[i], i + 1 < starts.Length ? starts[i + 1] : Gates);
    }

    /// <summary>
    /// Packs the recurrent kernel blocks (transposed for the backward pass). The weights change between training steps,
    /// so every call packs, but into the storage of an earlier call's pack of the same shape when the pool has one.
    /// </summary>
    private void CreatePacks(bool backward)
    {
        var packs = new Gemm.PackedMatrix<T>?[Gates];
        foreach (var (g0, g1) in Groups())
        {
            int width = (g1 - g0) * Units;
            int k = backward ? width : Units, n = backward ? Units : width;
            T* source = RecurrentKernel + g0 * Units;
            packs[g0] = PackFromPool(backward, k, n, source);
        }
        if (backward) _backwardPacks = packs;
        else _forwardPacks = packs;
    }

    private static readonly WeakSlotPool<Gemm.PackedMatrix<T>> s_packs = new(16);

    /// <summary>op(B) (k x n, rows <see cref="Width"/> apart) packed into a pooled matrix of that shape, or a new one.</summary>
    private Gemm.PackedMatrix<T> PackFromPool(bool transB, int k, int n, T* source) =>
        Gemm.PackedMatrix<T>.Pack(s_packs.Take(PackKey(k, n)), transB, k, n, source, Width);

    private static void ReturnPacks(Gemm.PackedMatrix<T>?[]? packs)
    {
        foreach (var pack in packs ?? []) ReturnPack(pack);
    }

    private static void ReturnPack(Gemm.PackedMatrix<T>? pack)
    {
        if (pack is not null) s_packs.Add(PackKey(pack.K, pack.N), pack);
    }

    private static long PackKey(int k, int n) => ((long)k << 32) | (uint)n;

    /// <summary>C = alpha·op(A)·op(B) + beta·C through the packed GEMM of the element type.</summary>
    protected static void Product(bool transA, bool transB, int m, int n, int k, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc)
    {
        if (m == 0 || n == 0) return;
        if (typeof(T) == typeof(float))
            Gemm.Sgemm(transA, transB, m, n, k, 1f, (float*)a, lda, (float*)b, ldb, float.CreateTruncating(beta), (float*)c, ldc);
        else
            Gemm.Dgemm(transA, transB, m, n, k, 1.0, (double*)a, lda, (double*)b, ldb, double.CreateTruncating(beta), (double*)c, ldc);
    }

    /// <summary>
    /// A pinned buffer rented from <see cref="PinnedArrayPool{T}"/> for the kernel's lifetime (handed back by
    /// <see cref="Dispose"/>): zeroed, or with stale contents when <paramref name="clear"/> is false because the caller
    /// overwrites every element before reading it.
    /// </summary>
    protected T* Allocate(long length, bool clear = true)
    {
        var array = PinnedArrayPool<T>.Rent(checked((int)Math.Max(1, length)), clear);
        _arrays.Add(array);
        return (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
    }

    private readonly List<T[]> _arrays = [];

    private T* Pin(Tensor tensor)
    {
        var array = ((CpuStorage)tensor.Storage).Array<T>();
        var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        _pins.Add(handle);
        return (T*)handle.AddrOfPinnedObject();
    }

    private Span<T> PinSpan(Tensor tensor, int length) => new(Pin(tensor), length);

    public void Dispose()
    {
        foreach (var handle in _pins) handle.Free();
        _pins.Clear();
        foreach (var array in _arrays) PinnedArrayPool<T>.Return(array);
        _arrays.Clear();
        ReturnPacks(_forwardPacks);
        ReturnPacks(_backwardPacks);
        ReturnPack(_inputPack);
        _forwardPacks = _backwardPacks = null;
        _inputPack = null;
    }
}
