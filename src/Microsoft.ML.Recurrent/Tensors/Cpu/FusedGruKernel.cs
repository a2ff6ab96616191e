using System.Numerics.Tensors;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// The fused GRU step (Keras <c>GRUCell</c>, gates z, r, h), <c>h' = z⊙h + (1 − z)⊙hh</c>. With reset_after:
/// <c>hh = φ(x·W_h + bˣ_h + r⊙(h·R_h + bʰ_h))</c>, one recurrent product for all gates, and the recurrent part
/// <c>h·R_h + bʰ_h</c> stored per row. Without: <c>hh = φ(x·W_h + b_h + (r⊙h)·R_h)</c>, a second product after r is
/// known, and <c>r⊙h</c> stored per row (it is the left operand of that product, for the kernel gradient).
/// </summary>
internal sealed unsafe class FusedGruKernel<T> : FusedRecurrentKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const int Extras = 1;
    private const int CandidateBlock = 0;

    public FusedGruKernel(RecurrentSequenceSpec spec, RecurrentSequenceOperands operands, Tensor? workspace)
        : base(spec, operands, workspace, Extras)
    {
    }

    protected override bool SeparateRecurrentGradient => Spec.ResetAfter;

    protected override int[] GateGroupStarts => Spec.ResetAfter ? [0] : [0, 2];

    protected override T* RecurrentOperand(int gate, T* scratch) =>
        gate == 2 && !Spec.ResetAfter ? ExtraBlock(CandidateBlock) : base.RecurrentOperand(gate, scratch);

    protected override void ForwardStep(int k, int t, T* output, int b0, int b1)
    {
        int u = Units;
        var s = Spec;
        ForwardProducts(H, u, 0, s.ResetAfter ? 3 : 2, Rec, applyMasks: true, b0, b1);
        for (int b = b0; b < b1; b++)
        {
            T* z = ZRow(b, t), a = ARow(b, t), rec = Rec + (long)b * Width;
            T* projection = ProjectionRow(b, t);
            T* candidate = ExtraRow(CandidateBlock, b, t);
            if (RecurrentBias != null) TensorPrimitives.Add<T>(Row(rec, Width), Row(RecurrentBias, Width), Row(rec, Width));
            TensorPrimitives.Add<T>(Row(projection, 2 * u), Row(rec, 2 * u), Row(z, 2 * u));
            FusedActivation<T>.Forward(s.RecurrentActivation, s.RecurrentActivationAlpha, s.RecurrentActivationBeta, Row(z, 2 * u), Row(a, 2 * u));
            if (s.ResetAfter)
            {
                Row(rec + 2 * u, u).CopyTo(Row(candidate, u));
                TensorPrimitives.Multiply<T>(Row(a + u, u), Row(candidate, u), Row(z + 2 * u, u));
                TensorPrimitives.Add<T>(Row(projection + 2 * u, u), Row(z + 2 * u, u), Row(z + 2 * u, u));
                FusedActivation<T>.Forward(s.Activation, s.ActivationAlpha, s.ActivationBeta, Row(z + 2 * u, u), Row(a + 2 * u, u));
                Finish(b, k, t, output);
            }
            else
            {
                // r ⊙ (h ⊙ m_h): the left operand of the candidate's recurrent product.
                var mask = RecurrentMask(2);
                var h = Row(H + (long)b * u, u);
                if (mask != null) TensorPrimitives.Multiply<T>(h, Row(mask + (long)b * u, u), Row(candidate, u));
                else h.CopyTo(Row(candidate, u));
                TensorPrimitives.Multiply<T>(Row(a + u, u), Row(candidate, u), Row(candidate, u));
            }
        }
        if (s.ResetAfter) return;

        ForwardProducts(ExtraBlock(CandidateBlock) + (long)(Training ? t : 0) * u, RowStride * u, 2, 3, Rec, applyMasks: false, b0, b1);
        for (int b = b0; b < b1; b++)
        {
            T* z = ZRow(b, t), a = ARow(b, t);
            TensorPrimitives.Add<T>(Row(ProjectionRow(b, t) + 2 * u, u), Row(Rec + (long)b * Width + 2 * u, u), Row(z + 2 * u, u));
            FusedActivation<T>.Forward(s.Activation, s.ActivationAlpha, s.ActivationBeta, Row(z + 2 * u, u), Row(a + 2 * u, u));
            Finish(b, k, t, output);
        }
    }

    /// <summary>h' = z⊙h + (1 − z)⊙hh (rounded in the generic cell's order), then the state update and output.</summary>
    private void Finish(int b, int k, int t, T* output)
    {
        int u = Units;
        T* a = ARow(b, t);
        var h = Row(H + (long)b * u, u);
        var hNew = Row(HNew + (long)b * u, u);
        var tmp = Row(Temp + (long)b * u, u);
        TensorPrimitives.Subtract<T>(T.One, Row(a, u), tmp);
        TensorPrimitives.Multiply<T>(tmp, Row(a + 2 * u, u), tmp);
        TensorPrimitives.Multiply<T>(Row(a, u), h, hNew);
        TensorPrimitives.Add<T>(hNew, tmp, hNew);
        bool valid = Valid(b, t);
        if (valid) hNew.CopyTo(h);
        EmitOutput(b, k, valid, HNew + (long)b * u, output);
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
            var hPrev = Row(HPrev + ((long)b * Steps + t) * u, u);
            TensorPrimitives.Add<T>(Row(DH + (long)b * u, u), Row(DOut + (long)b * u, u), dh);
            // dz_gate = dh ⊙ (h − hh)
            TensorPrimitives.Subtract<T>(hPrev, Row(a + 2 * u, u), tmp);
            TensorPrimitives.Multiply<T>(dh, tmp, Row(dz, u));
            FusedActivation<T>.Backward(s.RecurrentActivation, s.RecurrentActivationAlpha, s.RecurrentActivationBeta, Row(z, u), Row(a, u), Row(dz, u), Row(dz, u));
            // d hh = dh ⊙ (1 − z)
            TensorPrimitives.Subtract<T>(T.One, Row(a, u), tmp);
            TensorPrimitives.Multiply<T>(dh, tmp, Row(dz + 2 * u, u));
            FusedActivation<T>.Backward(s.Activation, s.ActivationAlpha, s.ActivationBeta, Row(z + 2 * u, u), Row(a + 2 * u, u), Row(dz + 2 * u, u), Row(dz + 2 * u, u));
            // The state's direct path: h' = z⊙h + ...
            TensorPrimitives.Multiply<T>(dh, Row(a, u), Row(DH + (long)b * u, u));
            if (s.ResetAfter)
            {
                T* dzRec = DZRec + ((long)b * Steps + t) * Width;
                TensorPrimitives.Multiply<T>(Row(dz + 2 * u, u), Row(ExtraRow(CandidateBlock, b, t), u), Row(dz + u, u));
                FusedActivation<T>.Backward(s.RecurrentActivation, s.RecurrentActivationAlpha, s.RecurrentActivationBeta, Row(z + u, u), Row(a + u, u), Row(dz + u, u), Row(dz + u, u));
                Row(dz, 2 * u).CopyTo(Row(dzRec, 2 * u));
                TensorPrimitives.Multiply<T>(Row(dz + 2 * u, u), Row(a + u, u), Row(dzRec + 2 * u, u));
            }
        }
        if (s.ResetAfter)
        {
            BackwardProducts(DZRec + (long)t * Width, Steps * Width, 0, 3, DH, applyMasks: true, b0, b1);
            return;
        }

        // Gradient of r ⊙ (h ⊙ m_h), the candidate product's operand, then of r and of h through it.
        Row(Rec + (long)b0 * u, (b1 - b0) * u).Clear();
        BackwardProducts(DZ + (long)t * Width, Steps * Width, 2, 3, Rec, applyMasks: false, b0, b1);
        var mask = RecurrentMask(2);
        for (int b = b0; b < b1; b++)
        {
            if (!Valid(b, t)) continue;
            T* z = ZRow(b, t), a = ARow(b, t);
            T* dz = DZ + ((long)b * Steps + t) * Width;
            var dsRow = Row(Rec + (long)b * u, u);
            var tmp = Row(Temp + (long)b * u, u);
            var hPrev = Row(HPrev + ((long)b * Steps + t) * u, u);
            if (mask != null) TensorPrimitives.Multiply<T>(hPrev, Row(mask + (long)b * u, u), tmp);
            else hPrev.CopyTo(tmp);
            TensorPrimitives.Multiply<T>(dsRow, tmp, Row(dz + u, u));
            FusedActivation<T>.Backward(s.RecurrentActivation, s.RecurrentActivationAlpha, s.RecurrentActivationBeta, Row(z + u, u), Row(a + u, u), Row(dz + u, u), Row(dz + u, u));
            TensorPrimitives.Multiply<T>(dsRow, Row(a + u, u), tmp);
            if (mask != null) TensorPrimitives.Multiply<T>(tmp, Row(mask + (long)b * u, u), tmp);
            TensorPrimitives.Add<T>(Row(DH + (long)b * u, u), tmp, Row(DH + (long)b * u, u));
        }
        BackwardProducts(DZ + (long)t * Width, Steps * Width, 0, 2, DH, applyMasks: true, b0, b1);
    }
}
