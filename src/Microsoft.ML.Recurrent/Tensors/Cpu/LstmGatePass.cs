using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// The LSTM gate pass of one batch row (Keras <c>LSTMCell</c>, gates i, f, c, o): <c>z = projection + rec</c>,
/// <c>c' = σ(z_f)⊙c + σ(z_i)⊙φ(z_c)</c>, <c>h' = σ(z_o)⊙φ(c')</c>. The training kernel's forward
/// (<see cref="FusedLstmKernel{T}"/>) and the inference kernel (<see cref="RecurrentInferenceKernel{T}"/>) both run it,
/// so inference gives the training forward's numbers bit for bit.
/// </summary>
/// <remarks>
/// Float32 with the default activations runs <see cref="LstmGateVectors"/> (one vectorized loop); every other
/// element type or activation runs one <c>TensorPrimitives</c> / <see cref="FusedActivation{T}"/> call per gate, exact
/// as the op-by-op path.
/// </remarks>
internal static unsafe class LstmGatePass<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// One row of U = <c>spec.Units</c> units; <paramref name="vectors"/> is <see cref="LstmGateVectors.Serves{T}"/>
    /// of <paramref name="spec"/>. <paramref name="projection"/> and <paramref name="rec"/> hold the 4·U gate inputs,
    /// <paramref name="bias"/> (4·U, or null when the projection has it) is added to the projection before
    /// <paramref name="rec"/>, <paramref name="c"/> is the cell state before the step; writes c' and h' (U each). <paramref name="z"/>,
    /// <paramref name="a"/> (4·U each: gate inputs and activations) and <paramref name="tanhC"/> (U: φ(c')) are written
    /// where not null and are needed, with <paramref name="temp"/> (U), unless <paramref name="vectors"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(RecurrentSequenceSpec spec, bool vectors, T* projection, T* bias, T* rec, T* c, T* cNew, T* hNew, T* z, T* a, T* tanhC, T* temp)
    {
        int u = spec.Units;
        if (vectors)
        {
            LstmGateVectors.Row(u, (float*)projection, (float*)bias, (float*)rec, (float*)c, (float*)cNew, (float*)hNew, (float*)z, (float*)a, (float*)tanhC);
            return;
        }
        var s = spec;
        if (bias != null)
        {
            TensorPrimitives.Add<T>(Span(projection, 4 * u), Span(bias, 4 * u), Span(z, 4 * u));
            TensorPrimitives.Add<T>(Span(z, 4 * u), Span(rec, 4 * u), Span(z, 4 * u));
        }
        else
        {
            TensorPrimitives.Add<T>(Span(projection, 4 * u), Span(rec, 4 * u), Span(z, 4 * u));
        }
        FusedActivation<T>.Forward(s.RecurrentActivation, s.RecurrentActivationAlpha, s.RecurrentActivationBeta, Span(z, 2 * u), Span(a, 2 * u));
        FusedActivation<T>.Forward(s.Activation, s.ActivationAlpha, s.ActivationBeta, Span(z + (2 * u), u), Span(a + (2 * u), u));
        FusedActivation<T>.Forward(s.RecurrentActivation, s.RecurrentActivationAlpha, s.RecurrentActivationBeta, Span(z + (3 * u), u), Span(a + (3 * u), u));
        // c' = f⊙c + i⊙g, in the generic cell's order: both products rounded, then added.
        TensorPrimitives.Multiply<T>(Span(a + (2 * u), u), Span(a, u), Span(temp, u));
        TensorPrimitives.Multiply<T>(Span(a + u, u), Span(c, u), Span(cNew, u));
        TensorPrimitives.Add<T>(Span(cNew, u), Span(temp, u), Span(cNew, u));
        FusedActivation<T>.Forward(s.Activation, s.ActivationAlpha, s.ActivationBeta, Span(cNew, u), Span(tanhC, u));
        TensorPrimitives.Multiply<T>(Span(a + (3 * u), u), Span(tanhC, u), Span(hNew, u));
    }

    /// <summary>
    /// The backward pass of <see cref="Row"/> for one row, from what it stored: gate inputs <paramref name="z"/> and
    /// activations <paramref name="a"/> (4·U each), <paramref name="cNew"/> and <paramref name="tanhC"/> (c' and φ(c')),
    /// <paramref name="cPrev"/> (c before the step). Takes the gradients of h' (<paramref name="dh"/>) and of c'
    /// (<paramref name="dc"/>); writes the gate-input gradient <paramref name="dz"/> (4·U) and leaves the gradient of c
    /// before the step in <paramref name="dc"/>. <paramref name="temp"/> (U) is scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardRow(RecurrentSequenceSpec spec, T* z, T* a, T* cNew, T* tanhC, T* cPrev, T* dh, T* dc, T* dz, T* temp)
    {
        int u = spec.Units;
        var s = spec;
        var tmp = Span(temp, u);
        var dcRow = Span(dc, u);
        // dc' += dh ⊙ o ⊙ φ'(c')
        TensorPrimitives.Multiply<T>(Span(dh, u), Span(a + (3 * u), u), tmp);
        FusedActivation<T>.Backward(s.Activation, s.ActivationAlpha, s.ActivationBeta, Span(cNew, u), Span(tanhC, u), tmp, tmp);
        TensorPrimitives.Add<T>(dcRow, tmp, dcRow);
        // do = dh ⊙ φ(c')
        TensorPrimitives.Multiply<T>(Span(dh, u), Span(tanhC, u), Span(dz + (3 * u), u));
        FusedActivation<T>.Backward(s.RecurrentActivation, s.RecurrentActivationAlpha, s.RecurrentActivationBeta, Span(z + (3 * u), u), Span(a + (3 * u), u), Span(dz + (3 * u), u), Span(dz + (3 * u), u));
        // di = dc ⊙ g, df = dc ⊙ c, dg = dc ⊙ i
        TensorPrimitives.Multiply<T>(dcRow, Span(a + (2 * u), u), Span(dz, u));
        TensorPrimitives.Multiply<T>(dcRow, Span(cPrev, u), Span(dz + u, u));
        FusedActivation<T>.Backward(s.RecurrentActivation, s.RecurrentActivationAlpha, s.RecurrentActivationBeta, Span(z, 2 * u), Span(a, 2 * u), Span(dz, 2 * u), Span(dz, 2 * u));
        TensorPrimitives.Multiply<T>(dcRow, Span(a, u), Span(dz + (2 * u), u));
        FusedActivation<T>.Backward(s.Activation, s.ActivationAlpha, s.ActivationBeta, Span(z + (2 * u), u), Span(a + (2 * u), u), Span(dz + (2 * u), u), Span(dz + (2 * u), u));
        // dc before the step = dc' ⊙ f
        TensorPrimitives.Multiply<T>(dcRow, Span(a + u, u), dcRow);
    }

    private static Span<T> Span(T* p, int length) => new(p, length);
}
