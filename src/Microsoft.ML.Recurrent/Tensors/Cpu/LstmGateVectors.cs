using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// The LSTM gate pass of one batch row for the default activations (sigmoid gates, tanh), float32, in one vectorized
/// loop over the units: <c>z = projection + rec</c>, <c>c' = σ(z_f)⊙c + σ(z_i)⊙tanh(z_c)</c>,
/// <c>h' = σ(z_o)⊙tanh(c')</c>. Run through <see cref="LstmGatePass{T}"/> by both the training kernel (which also keeps
/// z, the gate activations and tanh(c') for the backward pass) and the inference kernel.
/// </summary>
/// <remarks>
/// One loop instead of ~20 <c>TensorPrimitives</c> calls per row, with the float sigmoid/tanh of
/// <see cref="FloatVectorActivations"/> (a few ulp from exact). The two products of c' are rounded separately, then
/// added, as in the generic cell.
/// </remarks>
internal static unsafe class LstmGateVectors
{
    /// <summary>Whether <paramref name="spec"/>'s LSTM over <typeparamref name="T"/> runs this gate pass on this CPU.</summary>
    public static bool Serves<T>(RecurrentSequenceSpec spec) =>
        typeof(T) == typeof(float) && spec.Kind == RecurrentCellKind.Lstm && spec.Activation == UnaryOp.Tanh
        && spec.RecurrentActivation == UnaryOp.Sigmoid && FloatVectorActivations.IsSupported;

    /// <summary>
    /// One row of <paramref name="units"/> = U units. <paramref name="projection"/> and <paramref name="rec"/> hold the
    /// 4·U gate inputs (i, f, c, o) whose sum is z; <paramref name="c"/> is the cell state before the step. Writes
    /// c' and h' (U each) and, where not null, z and the activations (4·U each) and tanh(c') (U).
    /// </summary>
    public static void Row(int units, float* projection, float* rec, float* c, float* cNew, float* hNew, float* z, float* a, float* tanhC)
    {
        int u = units, j = 0;
        for (; j <= u - 8; j += 8) Block(u, j, projection, rec, c, cNew, hNew, z, a, tanhC);
        if (j == u) return;

        // The last U mod 8 units through the same code, on zero-padded copies laid out as an 8-unit row:
        // projection (4·8, holding z), rec (4·8 zeros), c, c', h', tanh(c') (8 each), z and a (4·8 each).
        const int Z = 0, Rec = 32, C = 64, CNew = 72, HNew = 80, TanhC = 88, ZOut = 96, AOut = 128, Length = 160;
        float* lanes = stackalloc float[Length];
        new Span<float>(lanes, Length).Clear();
        int n = u - j;
        for (int k = 0; k < n; k++)
        {
            for (int g = 0; g < 4; g++) lanes[Z + g * 8 + k] = projection[g * u + j + k] + rec[g * u + j + k];
            lanes[C + k] = c[j + k];
        }
        Block(8, 0, lanes + Z, lanes + Rec, lanes + C, lanes + CNew, lanes + HNew, lanes + ZOut, lanes + AOut, lanes + TanhC);
        for (int k = 0; k < n; k++)
        {
            cNew[j + k] = lanes[CNew + k];
            hNew[j + k] = lanes[HNew + k];
            if (tanhC != null) tanhC[j + k] = lanes[TanhC + k];
            for (int g = 0; g < 4; g++)
            {
                if (z != null) z[g * u + j + k] = lanes[ZOut + g * 8 + k];
                if (a != null) a[g * u + j + k] = lanes[AOut + g * 8 + k];
            }
        }
    }

    /// <summary>Units [j, j + 8) of a row of <paramref name="u"/> units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block(int u, int j, float* projection, float* rec, float* c, float* cNew, float* hNew, float* z, float* a, float* tanhC)
    {
        var zi = Vector256.Load(projection + j) + Vector256.Load(rec + j);
        var zf = Vector256.Load(projection + u + j) + Vector256.Load(rec + u + j);
        var zg = Vector256.Load(projection + (2 * u) + j) + Vector256.Load(rec + (2 * u) + j);
        var zo = Vector256.Load(projection + (3 * u) + j) + Vector256.Load(rec + (3 * u) + j);
        var i = FloatVectorActivations.Sigmoid(zi);
        var f = FloatVectorActivations.Sigmoid(zf);
        var g = FloatVectorActivations.Tanh(zg);
        var o = FloatVectorActivations.Sigmoid(zo);
        var cn = (f * Vector256.Load(c + j)) + (g * i);
        var tc = FloatVectorActivations.Tanh(cn);
        cn.Store(cNew + j);
        (o * tc).Store(hNew + j);
        if (tanhC != null) tc.Store(tanhC + j);
        if (z != null)
        {
            zi.Store(z + j);
            zf.Store(z + u + j);
            zg.Store(z + (2 * u) + j);
            zo.Store(z + (3 * u) + j);
        }
        if (a != null)
        {
            i.Store(a + j);
            f.Store(a + u + j);
            g.Store(a + (2 * u) + j);
            o.Store(a + (3 * u) + j);
        }
    }
}
