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

    private static unsafe void RecurrentInference<T>(RecurrentSequenceSpec spec, RecurrentSequenceOperands operands, Tensor output, IReadOnlyList<Tensor> finalStates)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        static T[]? Data(Tensor? t) => t is null ? null : ((CpuStorage)t.Storage).Array<T>();
        var kernel = new RecurrentInferenceKernel<T>(spec, operands.X.Shape[2]);
        fixed (T* r = Data(operands.RecurrentKernel)) kernel.Pack(r);
        fixed (T* x = Data(operands.X))
        fixed (T* w = Data(operands.Kernel))
        fixed (T* b = Data(operands.Bias))
        fixed (T* h0 = Data(operands.InitialStates[0]))
        fixed (T* c0 = Data(operands.InitialStates.Count > 1 ? operands.InitialStates[1] : null))
        fixed (T* mask = Data(operands.Mask))
        fixed (T* y = Data(output))
        fixed (T* h = Data(finalStates[0]))
        fixed (T* c = Data(finalStates.Count > 1 ? finalStates[1] : null))
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
}
