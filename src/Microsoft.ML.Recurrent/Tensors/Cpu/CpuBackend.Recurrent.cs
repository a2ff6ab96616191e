namespace Microsoft.ML.Recurrent.Tensors.Cpu;

internal sealed partial class CpuBackend
{
    public long RecurrentWorkspaceLength(RecurrentSequenceSpec spec, int batch, int steps, int features) =>
        FusedRecurrentKernel<float>.WorkspaceLength(spec, batch, steps, ExtraBlocks(spec.Kind));

    // Training allocates one workspace per step of the same size: reuse them through the pool.
    public TensorStorage AllocateRecurrentWorkspace(RecurrentSequenceSpec spec, int batch, int steps, int features, DType dtype) =>
        CpuStorage.RentPinned(dtype, checked((int)RecurrentWorkspaceLength(spec, batch, steps, features)));

    public void RecurrentSequenceForward(RecurrentSequenceSpec spec, RecurrentSequenceOperands operands, Tensor output, IReadOnlyList<Tensor> finalStates, Tensor? workspace)
    {
        if (workspace is null && operands.InputDropoutMasks is not { Count: > 0 } && operands.RecurrentDropoutMasks is not { Count: > 0 })
        {
            // Inference: the same kernel the allocation-free predictors keep, here made for one call.
            if (operands.X.DType == DType.Float32) RecurrentInference<float>(spec, operands, output, finalStates);
            else RecurrentInference<double>(spec, operands, output, finalStates);
            return;
        }
        if (operands.X.DType == DType.Float32)
        {
            using var kernel = CreateRecurrentKernel<float>(spec, operands, workspace);
            kernel.Forward(output, finalStates);
        }
        else
        {
            using var kernel = CreateRecurrentKernel<double>(spec, operands, workspace);
            kernel.Forward(output, finalStates);
        }
    }

    public void RecurrentSequenceBackward(RecurrentSequenceSpec spec, RecurrentSequenceOperands operands, Tensor workspace,
        Tensor? dOutput, IReadOnlyList<Tensor?> dFinalStates, Tensor? dx, Tensor dKernel, Tensor dRecurrentKernel, Tensor? dBias,
        IReadOnlyList<Tensor> dInitialStates)
    {
        if (operands.X.DType == DType.Float32)
        {
            using var kernel = CreateRecurrentKernel<float>(spec, operands, workspace);
            kernel.Backward(dOutput, dFinalStates, dx, dKernel, dRecurrentKernel, dBias, dInitialStates);
        }
        else
        {
            using var kernel = CreateRecurrentKernel<double>(spec, operands, workspace);
            kernel.Backward(dOutput, dFinalStates, dx, dKernel, dRecurrentKernel, dBias, dInitialStates);
        }
    }

    public void LstmGates(RecurrentSequenceSpec spec, Tensor zx, Tensor zh, Tensor? bias, Tensor c, Tensor hNew, Tensor cNew)
    {
        if (zx.DType == DType.Float32) LstmGates<float>(spec, zx, zh, bias, c, hNew, cNew, null, null, null, null);
        else LstmGates<double>(spec, zx, zh, bias, c, hNew, cNew, null, null, null, null);
    }

    public void LstmGatesBackward(RecurrentSequenceSpec spec, Tensor zx, Tensor zh, Tensor? bias, Tensor c, Tensor? dhNew, Tensor? dcNew, Tensor dz, Tensor dc)
    {
        if (zx.DType == DType.Float32) LstmGates<float>(spec, zx, zh, bias, c, null, null, dhNew, dcNew, dz, dc);
        else LstmGates<double>(spec, zx, zh, bias, c, null, null, dhNew, dcNew, dz, dc);
    }

    /// <summary>
    /// The forward gate pass row by row (<paramref name="dz"/> null), or the backward: each row's forward again, into
    /// scratch rows, then <see cref="LstmGatePass{T}.BackwardRow"/>.
    /// </summary>
    private static unsafe void LstmGates<T>(RecurrentSequenceSpec spec, Tensor zx, Tensor zh, Tensor? bias, Tensor c, Tensor? hNew, Tensor? cNew,
        Tensor? dhNew, Tensor? dcNew, Tensor? dz, Tensor? dc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int u = spec.Units, rows = checked((int)(c.Shape.Size / u));
        bool backward = dz is not null;
        bool vectors = LstmGateVectors.Serves<T>(spec);
        // Per row: z, a (4·U each), c', φ(c'), h', temp, and for the backward dh (U each).
        int scratchLength = 13 * u;
        Span<T> scratch = scratchLength * sizeof(T) <= 16 * 1024 ? stackalloc T[scratchLength] : new T[scratchLength];
        fixed (T* px = Data<T>(zx), ph = Data<T>(zh), pb = Data<T>(bias), pc = Data<T>(c), ps = scratch)
        fixed (T* pOutH = Data<T>(hNew), pOutC = Data<T>(cNew), pdh = Data<T>(dhNew), pdc = Data<T>(dcNew), pdz = Data<T>(dz), pdcPrev = Data<T>(dc))
        {
            T* z = ps, a = ps + (4 * u), rowC = ps + (8 * u), tanhC = rowC + u, rowH = tanhC + u, temp = rowH + u, dh = temp + u;
            for (long r = 0; r < rows; r++)
            {
                long g = r * 4 * u, o = r * u;
                if (!backward)
                {
                    LstmGatePass<T>.Row(spec, vectors, px + g, pb, ph + g, pc + o, pOutC + o, pOutH + o, vectors ? null : z, vectors ? null : a, vectors ? null : tanhC, temp);
                    continue;
                }
                LstmGatePass<T>.Row(spec, vectors, px + g, pb, ph + g, pc + o, rowC, rowH, z, a, tanhC, temp);
                var dhRow = new Span<T>(dh, u);
                var dcRow = new Span<T>(pdcPrev + o, u);
                if (pdh != null) new ReadOnlySpan<T>(pdh + o, u).CopyTo(dhRow);
                else dhRow.Clear();
                if (pdc != null) new ReadOnlySpan<T>(pdc + o, u).CopyTo(dcRow);
                else dcRow.Clear();
                LstmGatePass<T>.BackwardRow(spec, z, a, rowC, tanhC, pc + o, dh, pdcPrev + o, pdz + g, temp);
            }
        }
    }

    private static unsafe void RecurrentInference<T>(RecurrentSequenceSpec spec, RecurrentSequenceOperands operands, Tensor output, IReadOnlyList<Tensor> finalStates)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var kernel = new RecurrentInferenceKernel<T>(spec, operands.X.Shape[2]);
        fixed (T* r = Data<T>(operands.RecurrentKernel)) kernel.Pack(r);
        fixed (T* x = Data<T>(operands.X))
        fixed (T* w = Data<T>(operands.Kernel))
        fixed (T* b = Data<T>(operands.Bias))
        fixed (T* h0 = Data<T>(operands.InitialStates[0]))
        fixed (T* c0 = Data<T>(operands.InitialStates.Count > 1 ? operands.InitialStates[1] : null))
        fixed (T* mask = Data<T>(operands.Mask))
        fixed (T* y = Data<T>(output))
        fixed (T* h = Data<T>(finalStates[0]))
        fixed (T* c = Data<T>(finalStates.Count > 1 ? finalStates[1] : null))
        {
            kernel.Forward(operands.X.Shape[0], operands.X.Shape[1], x, w, b, h0, c0, mask, y, h, c);
        }
    }

    private static int ExtraBlocks(RecurrentCellKind kind) => kind switch
    {
        RecurrentCellKind.Lstm => FusedLstmKernel<float>.Extras,
        RecurrentCellKind.Gru => FusedGruKernel<float>.Extras,
        _ => FusedSimpleRnnKernel<float>.Extras,
    };

    private static FusedRecurrentKernel<T> CreateRecurrentKernel<T>(RecurrentSequenceSpec spec, RecurrentSequenceOperands operands, Tensor? workspace)
        where T : unmanaged, IFloatingPointIeee754<T> => spec.Kind switch
        {
            RecurrentCellKind.Lstm => new FusedLstmKernel<T>(spec, operands, workspace),
            RecurrentCellKind.Gru => new FusedGruKernel<T>(spec, operands, workspace),
            _ => new FusedSimpleRnnKernel<T>(spec, operands, workspace),
        };

    /// <summary>The array behind a CPU tensor, or null for none.</summary>
    private static T[]? Data<T>(Tensor? t) where T : unmanaged => t is null ? null : ((CpuStorage)t.Storage).Array<T>();
}
