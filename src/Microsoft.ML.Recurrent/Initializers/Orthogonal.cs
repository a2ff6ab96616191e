using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Initializers;

/// <summary>
/// A (semi-)orthogonal matrix times <c>gain</c> (<c>keras.initializers.Orthogonal</c>; aliases <c>orthogonal</c>,
/// <c>OrthogonalInitializer</c>). The default <c>recurrent_initializer</c> of recurrent layers.
/// </summary>
/// <remarks>
/// The weight is treated as the matrix of <c>rows = ∏ shape[:-1]</c> by <c>cols = shape[-1]</c>. A standard normal
/// matrix A of shape <c>(max(rows, cols), min(rows, cols))</c> is factored A = QR (reduced QR, Householder, in
/// double precision); Q's columns are multiplied by sign(diag(R)) so the result is uniformly distributed, Q is
/// transposed when rows &lt; cols, reshaped to the weight's shape and multiplied by <c>gain</c>. So the matrix has
/// orthonormal columns when rows ≥ cols and orthonormal rows otherwise: an LSTM recurrent kernel <c>(U, 4U)</c>
/// satisfies W·Wᵀ = I as a whole; its gate blocks are not individually orthogonal.
/// </remarks>
public sealed class Orthogonal : RandomInitializer
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="gain">Multiplicative factor, finite. Default: 1.0.</param>
    /// <param name="seed">Seed; null draws one from <see cref="RandomSeeds"/>. Default: null.</param>
    /// <exception cref="ArgumentException"><paramref name="gain"/> is NaN or infinite.</exception>
    public Orthogonal(double gain = 1.0, int? seed = null) : base(seed)
    {
        if (!double.IsFinite(gain))
            throw new ArgumentException($"Orthogonal: expected a finite gain. Received: gain={gain}", nameof(gain));
        Gain = gain;
    }

    /// <summary>The multiplicative factor.</summary>
    public double Gain { get; }

    /// <inheritdoc/>
    public override string ClassName => "Orthogonal";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The shape has rank below 2.</exception>
    public override Tensor Create(Shape shape, DType dtype = DType.Float32)
    {
        CheckDType(dtype);
        if (shape.Rank < 2)
            throw new ArgumentException($"The tensor to initialize must be at least two-dimensional. Received: shape={shape} of rank {shape.Rank}.", nameof(shape));
        long rowsLong = shape.Size / shape[^1];
        int cols = shape[^1];
        if (rowsLong > int.MaxValue)
            throw new ArgumentException($"Orthogonal: shape {shape} flattens to {rowsLong} rows; too large.", nameof(shape));
        int rows = (int)rowsLong;
        if (rows == 0 || cols == 0) return Tensor.Zeros(shape, dtype);

        int m = Math.Max(rows, cols), n = Math.Min(rows, cols);
        using var draw = NewGenerator().Normal(new Shape(m, n), 0, 1, DType.Float64);
        var q = HouseholderQ(draw.ToArray<double>(), m, n);

        var values = new double[(long)rows * cols];
        if (rows >= cols)
        {
            // Q is (rows, cols) already.
            for (long k = 0; k < values.Length; k++) values[k] = Gain * q[k];
        }
        else
        {
            // Q is (cols, rows); the weight is Qᵀ.
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++)
                    values[(long)i * cols + j] = Gain * q[(long)j * rows + i];
        }
        using var result = Tensor.FromArray(values, shape);
        return dtype == DType.Float64 ? result.Clone() : Ops.Cast(result, dtype);
    }

    /// <summary>
    /// The Q factor of the reduced QR decomposition of the row-major <paramref name="m"/>×<paramref name="n"/>
    /// matrix <paramref name="a"/> (m ≥ n), with its columns multiplied by sign(diag(R)), so the result does not
    /// depend on the sign convention of the decomposition (it is the Q of the QR with a positive diagonal).
    /// </summary>
    internal static double[] HouseholderQ(double[] a, int m, int n)
    {
        // Column-major working copies: every Householder step works down columns, so they are contiguous and the
        // dot products and updates vectorize (an LSTM recurrent kernel with 1024 units is a 4096×1024 QR).
        var r = new double[n][];
        for (int j = 0; j < n; j++)
        {
            r[j] = new double[m];
            for (int i = 0; i < m; i++) r[j][i] = a[(long)i * n + j];
        }
        var reflectors = new double[n][];
        var diagonal = new double[n];
        for (int k = 0; k < n; k++)
        {
            var x = r[k].AsSpan(k);
            double norm = Math.Sqrt(TensorPrimitives.Dot<double>(x, x));
            var v = x.ToArray();
            reflectors[k] = v;
            if (norm == 0) continue;   // a zero column: no reflection, R[k,k] = 0
            // Reflect x onto alpha·e1 with alpha = −sign(x0)·‖x‖, the choice that avoids cancellation in v = x − alpha·e1.
            double alpha = x[0] >= 0 ? -norm : norm;
            v[0] -= alpha;
            TensorPrimitives.Multiply<double>(v, 1 / Math.Sqrt(TensorPrimitives.Dot<double>(v, v)), v);
            for (int j = k; j < n; j++) Reflect(v, r[j].AsSpan(k));
            diagonal[k] = alpha;
        }

        // Q = H0·H1·…·H(n−1) applied to the first n columns of the identity, accumulated from the last reflector.
        var q = new double[n][];
        for (int j = 0; j < n; j++)
        {
            q[j] = new double[m];
            q[j][j] = 1;
        }
        for (int k = n - 1; k >= 0; k--)
            for (int j = k; j < n; j++)   // columns j < k are still e_j, which H_k (acting on rows ≥ k) leaves alone
                Reflect(reflectors[k], q[j].AsSpan(k));

        // Q·diag(sign(diag(R))); a zero diagonal (probability 0) keeps its column, where Keras's sign(0) would zero it.
        var result = new double[(long)m * n];
        for (int j = 0; j < n; j++)
        {
            double sign = diagonal[j] < 0 ? -1 : 1;
            for (int i = 0; i < m; i++) result[(long)i * n + j] = sign * q[j][i];
        }
        return result;
    }

    /// <summary>y ← (I − 2vvᵀ)·y for a unit vector v.</summary>
    private static void Reflect(ReadOnlySpan<double> v, Span<double> y)
    {
        double dot = TensorPrimitives.Dot(v, y);
        if (dot != 0) TensorPrimitives.MultiplyAdd(v, -2 * dot, y, y);
    }

    /// <summary><c>{"seed", "gain"}</c>.</summary>
    public override JsonObject GetConfig() => new()
    {
        ["seed"] = SeedConfig,
        ["gain"] = KerasJson.Float(Gain),
    };

    internal static Orthogonal FromConfig(JsonObject config)
    {
        KerasJson.RejectUnknownKeys(config, ["seed", "gain", LegacyDTypeKey], "Orthogonal");
        return new Orthogonal(KerasJson.GetDouble(config, "gain", 1.0), ReadSeed(config));
    }
}
