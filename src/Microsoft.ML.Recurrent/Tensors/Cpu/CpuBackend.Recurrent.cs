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
