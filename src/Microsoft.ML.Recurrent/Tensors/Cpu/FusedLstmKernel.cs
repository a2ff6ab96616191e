using System.Numerics.Tensors;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// The fused LSTM step (Keras <c>LSTMCell</c>, gates i, f, c, o):
/// <c>c' = σ(z_f)⊙c + σ(z_i)⊙φ(z_c)</c>, <c>h' = σ(z_o)⊙φ(c')</c>, with <c>z = x·W + b + h·R</c>.
/// Stored per row for the backward pass: c before the step, c' and φ(c').
/// </summary>
internal sealed unsafe class FusedLstmKernel<T> : FusedRecurrentKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const int Extras = 3;
    private const int CPrevBlock = 0, CNewBlock = 1, TanhCBlock = 2;

    public FusedLstmKernel(RecurrentSequenceSpec spec, RecurrentSequenceOperands operands, Tensor? workspace)
        : base(spec, operands, workspace, Extras)
    {
    }

    protected override void ForwardStep(int k, int t, T* output, int b0, int b1)
    {
        int u = Units;
        var s = Spec;
        ForwardProducts(H, u, 0, 4, Rec, applyMasks: true, b0, b1);
        // Shared with the inference kernel (LstmGatePass): both give the same numbers.
        bool vectors = LstmGateVectors.Serves<T>(s);
        for (int b = b0; b < b1; b++)
        {
            T* z = ZRow(b, t), a = ARow(b, t);
            T* c = C + (long)b * u;
            T* cNew = ExtraRow(CNewBlock, b, t), tanhC = ExtraRow(TanhCBlock, b, t), hNew = HNew + (long)b * u;
            if (Training) Row(c, u).CopyTo(Row(ExtraRow(CPrevBlock, b, t), u));
            LstmGatePass<T>.Row(s, vectors, ProjectionRow(b, t), null, Rec + (long)b * Width, c, cNew, hNew, z, a, tanhC, Temp + (long)b * u);

            bool valid = Valid(b, t);
            if (valid)
            {
                Row(hNew, u).CopyTo(Row(H + (long)b * u, u));
                Row(cNew, u).CopyTo(Row(c, u));
            }
            EmitOutput(b, k, valid, hNew, output);
        }
    }

    protected override void BackwardStep(int t, int b0, int b1)
    {
        int u = Units;
        var s = Spec;
        for (int b = b0; b < b1; b++)
        {
            if (!Valid(b, t)) continue;
            T* dh = HNew + (long)b * u;
            TensorPrimitives.Add<T>(Row(DH + (long)b * u, u), Row(DOut + (long)b * u, u), Row(dh, u));
            LstmGatePass<T>.BackwardRow(s, ZRow(b, t), ARow(b, t), ExtraRow(CNewBlock, b, t), ExtraRow(TanhCBlock, b, t), ExtraRow(CPrevBlock, b, t),
                dh, DC + (long)b * u, DZ + ((long)b * Steps + t) * Width, Temp + (long)b * u);
            // h before the step only feeds the recurrent products.
            Row(DH + (long)b * u, u).Clear();
        }
        BackwardProducts(DZ + (long)t * Width, Steps * Width, 0, 4, DH, applyMasks: true, b0, b1);
    }
}
