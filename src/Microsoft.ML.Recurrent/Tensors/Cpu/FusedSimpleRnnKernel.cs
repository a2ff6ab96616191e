using System.Numerics.Tensors;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>The fused SimpleRNN step (Keras <c>SimpleRNNCell</c>): <c>h' = φ(x·W + b + h·R)</c>; the activation row is h'.</summary>
internal sealed unsafe class FusedSimpleRnnKernel<T> : FusedRecurrentKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const int Extras = 0;

    public FusedSimpleRnnKernel(RecurrentSequenceSpec spec, RecurrentSequenceOperands operands, Tensor? workspace)
        : base(spec, operands, workspace, Extras)
    {
    }

    protected override void ForwardStep(int k, int t, T* output, int b0, int b1)
    {
        int u = Units;
        ForwardProducts(H, u, 0, 1, Rec, applyMasks: true, b0, b1);
        for (int b = b0; b < b1; b++)
        {
            T* z = ZRow(b, t), a = ARow(b, t);
            TensorPrimitives.Add<T>(Row(ProjectionRow(b, t), u), Row(Rec + (long)b * u, u), Row(z, u));
            FusedActivation<T>.Forward(Spec.Activation, Spec.ActivationAlpha, Spec.ActivationBeta, Row(z, u), Row(a, u));
            bool valid = Valid(b, t);
            if (valid) Row(a, u).CopyTo(Row(H + (long)b * u, u));
            EmitOutput(b, k, valid, a, output);
        }
    }

    protected override void BackwardStep(int t, int b0, int b1)
    {
        int u = Units;
        for (int b = b0; b < b1; b++)
        {
            if (!Valid(b, t)) continue;
            T* dz = DZ + ((long)b * Steps + t) * u;
            var dh = Row(DH + (long)b * u, u);
            TensorPrimitives.Add<T>(dh, Row(DOut + (long)b * u, u), Row(dz, u));
            FusedActivation<T>.Backward(Spec.Activation, Spec.ActivationAlpha, Spec.ActivationBeta, Row(ZRow(b, t), u), Row(ARow(b, t), u), Row(dz, u), Row(dz, u));
            dh.Clear();
        }
        BackwardProducts(DZ + (long)t * u, Steps * u, 0, 1, DH, applyMasks: true, b0, b1);
    }
}
