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
        bool vectors = LstmGateVectors.Serves<T>(s);
        for (int b = b0; b < b1; b++)
        {
            T* z = ZRow(b, t), a = ARow(b, t);
            T* c = C + (long)b * u;
            T* cNew = ExtraRow(CNewBlock, b, t), tanhC = ExtraRow(TanhCBlock, b, t), hNew = HNew + (long)b * u;
            if (Training) Row(c, u).CopyTo(Row(ExtraRow(CPrevBlock, b, t), u));
            if (vectors)
            {
                // The inference kernel runs the same loop: both give the same numbers.
                LstmGateVectors.Row(u, (float*)(Projection + ((long)b * Steps + t) * Width), (float*)(Rec + (long)b * Width), (float*)c,
                    (float*)cNew, (float*)hNew, (float*)z, (float*)a, (float*)tanhC);
            }
            else
            {
                GatePass(b, t, z, a, c, cNew, tanhC, hNew);
            }

            bool valid = Valid(b, t);
            if (valid)
            {
                Row(hNew, u).CopyTo(Row(H + (long)b * u, u));
                Row(cNew, u).CopyTo(Row(c, u));
            }
            EmitOutput(b, k, valid, hNew, output);
        }
    }

    /// <summary>Row <paramref name="b"/>'s gate pass at step <paramref name="t"/> for any activations: one call per gate.</summary>
    private void GatePass(int b, int t, T* z, T* a, T* c, T* cNew, T* tanhC, T* hNew)
    {
        int u = Units;
        var s = Spec;
        T* temp = Temp + (long)b * u;
        TensorPrimitives.Add<T>(Row(Projection + ((long)b * Steps + t) * Width, Width), Row(Rec + (long)b * Width, Width), Row(z, Width));
        FusedActivation<T>.Forward(s.RecurrentActivation, s.RecurrentActivationAlpha, s.RecurrentActivationBeta, Row(z, 2 * u), Row(a, 2 * u));
        FusedActivation<T>.Forward(s.Activation, s.ActivationAlpha, s.ActivationBeta, Row(z + 2 * u, u), Row(a + 2 * u, u));
        FusedActivation<T>.Forward(s.RecurrentActivation, s.RecurrentActivationAlpha, s.RecurrentActivationBeta, Row(z + 3 * u, u), Row(a + 3 * u, u));
        // c' = f⊙c + i⊙g, in the generic cell's order: both products rounded, then added.
        TensorPrimitives.Multiply<T>(Row(a + 2 * u, u), Row(a, u), Row(temp, u));
        TensorPrimitives.Multiply<T>(Row(a + u, u), Row(c, u), Row(cNew, u));
        TensorPrimitives.Add<T>(Row(cNew, u), Row(temp, u), Row(cNew, u));
        FusedActivation<T>.Forward(s.Activation, s.ActivationAlpha, s.ActivationBeta, Row(cNew, u), Row(tanhC, u));
        TensorPrimitives.Multiply<T>(Row(a + 3 * u, u), Row(tanhC, u), Row(hNew, u));
    }

    protected override void BackwardStep(int t, int b0, int b1)
    {
        int u = Units;
        var s = Spec;
        for (int b = b0; b < b1; b++)
        {
            if (!Valid(b, t)) continue;
            T* z = ZRow(b, t), a = ARow(b, t);
            T* dz = DZ + ((long)b * Steps + t) * Width;
            var dh = Row(HNew + (long)b * u, u);
            var tmp = Row(Temp + (long)b * u, u);
            var dc = Row(DC + (long)b * u, u);
            var cNew = Row(ExtraRow(CNewBlock, b, t), u);
            var tanhC = Row(ExtraRow(TanhCBlock, b, t), u);
            var cPrev = Row(ExtraRow(CPrevBlock, b, t), u);

            TensorPrimitives.Add<T>(Row(DH + (long)b * u, u), Row(DOut + (long)b * u, u), dh);
            // dc' += dh ⊙ o ⊙ φ'(c')
            TensorPrimitives.Multiply<T>(dh, Row(a + 3 * u, u), tmp);
            FusedActivation<T>.Backward(s.Activation, s.ActivationAlpha, s.ActivationBeta, cNew, tanhC, tmp, tmp);
            TensorPrimitives.Add<T>(dc, tmp, dc);
            // do = dh ⊙ φ(c')
            TensorPrimitives.Multiply<T>(dh, tanhC, Row(dz + 3 * u, u));
            FusedActivation<T>.Backward(s.RecurrentActivation, s.RecurrentActivationAlpha, s.RecurrentActivationBeta, Row(z + 3 * u, u), Row(a + 3 * u, u), Row(dz + 3 * u, u), Row(dz + 3 * u, u));
            // di = dc ⊙ g, df = dc ⊙ c, dg = dc ⊙ i
            TensorPrimitives.Multiply<T>(dc, Row(a + 2 * u, u), Row(dz, u));
            TensorPrimitives.Multiply<T>(dc, cPrev, Row(dz + u, u));
            FusedActivation<T>.Backward(s.RecurrentActivation, s.RecurrentActivationAlpha, s.RecurrentActivationBeta, Row(z, 2 * u), Row(a, 2 * u), Row(dz, 2 * u), Row(dz, 2 * u));
            TensorPrimitives.Multiply<T>(dc, Row(a, u), Row(dz + 2 * u, u));
            FusedActivation<T>.Backward(s.Activation, s.ActivationAlpha, s.ActivationBeta, Row(z + 2 * u, u), Row(a + 2 * u, u), Row(dz + 2 * u, u), Row(dz + 2 * u, u));
            // dc_prev = dc ⊙ f; h before the step only feeds the recurrent products.
            TensorPrimitives.Multiply<T>(dc, Row(a + u, u), dc);
            Row(DH + (long)b * u, u).Clear();
        }
        BackwardProducts(DZ + (long)t * Width, Steps * Width, 0, 4, DH, applyMasks: true, b0, b1);
    }
}
