using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// The LSTM gate pass of one batch row for the default activations (sigmoid gates, tanh), float32, vectorized over the
/// units: <c>z = projection + rec</c>, <c>c' = σ(z_f)⊙c + σ(z_i)⊙tanh(z_c)</c>,
/// <c>h' = σ(z_o)⊙tanh(c')</c>. Run through <see cref="LstmGatePass{T}"/> by both the training kernel (which also keeps
/// z, the gate activations and tanh(c') for the backward pass) and the inference kernel.
/// </summary>
/// <remarks>
/// Two loops instead of ~20 <c>TensorPrimitives</c> calls per row, sixteen lanes wide where AVX-512F runs, with the
/// float sigmoid/tanh of <see cref="FloatVectorActivations"/> (a few ulp from exact). The two products of c' are
/// rounded separately, then added, as in the generic cell.
/// </remarks>
internal static unsafe class LstmGateVectors
{
    /// <summary>Whether <paramref name="spec"/>'s LSTM over <typeparamref name="T"/> runs this gate pass on this CPU.</summary>
    public static bool Serves<T>(RecurrentSequenceSpec spec) =>
        typeof(T) == typeof(float) && spec.Kind == RecurrentCellKind.Lstm && spec.Activation == UnaryOp.Tanh
        && spec.RecurrentActivation == UnaryOp.Sigmoid && FloatVectorActivations.IsSupported;

    /// <summary>
    /// One row of <paramref name="units"/> = U units. <paramref name="projection"/> and <paramref name="rec"/> hold the
    /// 4·U gate inputs (i, f, c, o) whose sum, with <paramref name="bias"/> (4·U, or null) added to the projection
    /// first, is z; <paramref name="c"/> is the cell state before the step. Writes c' and h' (U each) and, where not
    /// null, z and the activations (4·U each) and tanh(c') (U). <paramref name="cNew"/> may be
    /// <paramref name="rec"/> (the i block is read before c' is written over it) or <paramref name="c"/> (each unit's c
    /// is read before its c' is written).
    /// </summary>
    /// <remarks>
    /// Two passes over the row: the four gates and c', then tanh(c') and h'. One pass chained five functions per
    /// vector through c', too long a dependency chain for the out-of-order window to overlap with the next vector's.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(int units, float* projection, float* bias, float* rec, float* c, float* cNew, float* hNew, float* z, float* a, float* tanhC)
    {
        int u = units, j = 0;
        if (FloatVectorActivations.IsSupported512)
            for (; j <= u - 16; j += 16) Gates512(u, j, projection, bias, rec, c, cNew, hNew, z, a);
        for (; j <= u - 8; j += 8) Gates256(u, j, projection, bias, rec, c, cNew, hNew, z, a);
        int full = j;
        j = 0;
        if (FloatVectorActivations.IsSupported512)
            for (; j <= full - 16; j += 16) Output512(j, cNew, hNew, tanhC);
        for (; j < full; j += 8) Output256(j, cNew, hNew, tanhC);
        if (full < u) Tail(u, full, projection, bias, rec, c, cNew, hNew, z, a, tanhC);
    }

    /// <summary>
    /// The last U mod 8 units (from <paramref name="j"/>) through the same code, on zero-padded copies laid out as an
    /// 8-unit row: projection (4·8, holding z), rec (4·8 zeros), c, c', h', tanh(c') (8 each), z and a (4·8 each).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tail(int u, int j, float* projection, float* bias, float* rec, float* c, float* cNew, float* hNew, float* z, float* a, float* tanhC)
    {
        const int Z = 0, Rec = 32, C = 64, CNew = 72, HNew = 80, TanhC = 88, ZOut = 96, AOut = 128, Length = 160;
        float* lanes = stackalloc float[Length];
        new Span<float>(lanes, Length).Clear();
        int n = u - j;
        for (int k = 0; k < n; k++)
        {
            for (int g = 0; g < 4; g++)
            {
                float p = projection[(g * u) + j + k];
                if (bias != null) p += bias[(g * u) + j + k];
                lanes[Z + (g * 8) + k] = p + rec[(g * u) + j + k];
            }
            lanes[C + k] = c[j + k];
        }
        Gates256(8, 0, lanes + Z, null, lanes + Rec, lanes + C, lanes + CNew, lanes + HNew, lanes + ZOut, lanes + AOut);
        Output256(0, lanes + CNew, lanes + HNew, lanes + TanhC);
        for (int k = 0; k < n; k++)
        {
            cNew[j + k] = lanes[CNew + k];
            hNew[j + k] = lanes[HNew + k];
            if (tanhC != null) tanhC[j + k] = lanes[TanhC + k];
            for (int g = 0; g < 4; g++)
            {
                if (z != null) z[(g * u) + j + k] = lanes[ZOut + (g * 8) + k];
                if (a != null) a[(g * u) + j + k] = lanes[AOut + (g * 8) + k];
            }
        }
    }

    /// <summary>Units [j, j + 8): z, the gates, c' into <paramref name="cNew"/> and σ(z_o) into <paramref name="hNew"/> (until <see cref="Output256"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gates256(int u, int j, float* projection, float* bias, float* rec, float* c, float* cNew, float* hNew, float* z, float* a)
    {
        Vector256<float> pi = Vector256.Load(projection + j), pf = Vector256.Load(projection + u + j);
        Vector256<float> pg = Vector256.Load(projection + (2 * u) + j), po = Vector256.Load(projection + (3 * u) + j);
        if (bias != null)
        {
            pi += Vector256.Load(bias + j);
            pf += Vector256.Load(bias + u + j);
            pg += Vector256.Load(bias + (2 * u) + j);
            po += Vector256.Load(bias + (3 * u) + j);
        }
        var zi = pi + Vector256.Load(rec + j);
        var zf = pf + Vector256.Load(rec + u + j);
        var zg = pg + Vector256.Load(rec + (2 * u) + j);
        var zo = po + Vector256.Load(rec + (3 * u) + j);
        var i = FloatVectorActivations.Sigmoid(zi);
        var f = FloatVectorActivations.Sigmoid(zf);
        var g = FloatVectorActivations.Tanh(zg);
        var o = FloatVectorActivations.Sigmoid(zo);
        ((f * Vector256.Load(c + j)) + (g * i)).Store(cNew + j);
        o.Store(hNew + j);
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

    /// <summary>Units [j, j + 8): h' = σ(z_o) (left in <paramref name="hNew"/>) ⊙ tanh(c').</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Output256(int j, float* cNew, float* hNew, float* tanhC)
    {
        var tc = FloatVectorActivations.Tanh(Vector256.Load(cNew + j));
        (Vector256.Load(hNew + j) * tc).Store(hNew + j);
        if (tanhC != null) tc.Store(tanhC + j);
    }

    /// <summary><see cref="Gates256"/> on sixteen lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gates512(int u, int j, float* projection, float* bias, float* rec, float* c, float* cNew, float* hNew, float* z, float* a)
    {
        Vector512<float> pi = Vector512.Load(projection + j), pf = Vector512.Load(projection + u + j);
        Vector512<float> pg = Vector512.Load(projection + (2 * u) + j), po = Vector512.Load(projection + (3 * u) + j);
        if (bias != null)
        {
            pi += Vector512.Load(bias + j);
            pf += Vector512.Load(bias + u + j);
            pg += Vector512.Load(bias + (2 * u) + j);
            po += Vector512.Load(bias + (3 * u) + j);
        }
        var zi = pi + Vector512.Load(rec + j);
        var zf = pf + Vector512.Load(rec + u + j);
        var zg = pg + Vector512.Load(rec + (2 * u) + j);
        var zo = po + Vector512.Load(rec + (3 * u) + j);
        var i = FloatVectorActivations.Sigmoid(zi);
        var f = FloatVectorActivations.Sigmoid(zf);
        var g = FloatVectorActivations.Tanh(zg);
        var o = FloatVectorActivations.Sigmoid(zo);
        ((f * Vector512.Load(c + j)) + (g * i)).Store(cNew + j);
        o.Store(hNew + j);
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

    /// <summary><see cref="Output256"/> on sixteen lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Output512(int j, float* cNew, float* hNew, float* tanhC)
    {
        var tc = FloatVectorActivations.Tanh(Vector512.Load(cNew + j));
        (Vector512.Load(hNew + j) * tc).Store(hNew + j);
        if (tanhC != null) tc.Store(tanhC + j);
    }
}
