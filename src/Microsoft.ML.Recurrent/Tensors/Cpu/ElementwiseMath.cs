namespace Microsoft.ML.Recurrent.Tensors.Cpu;

/// <summary>
/// The scalar definitions of the elementwise ops and their derivatives, in double precision. The CPU backend
/// uses them directly (or vectorized equivalents for the common ops); they are the reference for other backends.
/// </summary>
internal static class ElementwiseMath
{
    public const double SeluScale = 1.0507009873554805;
    public const double SeluAlpha = 1.6732632423543772;
    private const double InvSqrt2 = 0.70710678118654752440;
    private const double InvSqrt2Pi = 0.39894228040143267794;
    private const double SqrtTwoOverPi = 0.79788456080286535588;

    public static double Forward(UnaryOp op, double x, double alpha, double beta) => op switch
    {
        UnaryOp.Negate => -x,
        UnaryOp.Abs => Math.Abs(x),
        UnaryOp.Sign => double.IsNaN(x) ? double.NaN : Math.Sign(x),
        UnaryOp.Square => x * x,
        UnaryOp.Sqrt => Math.Sqrt(x),
        UnaryOp.Reciprocal => 1.0 / x,
        UnaryOp.Exp => Math.Exp(x),
        UnaryOp.Log => Math.Log(x),
        UnaryOp.Sin => Math.Sin(x),
        UnaryOp.Cos => Math.Cos(x),
        UnaryOp.Tanh => Math.Tanh(x),
        UnaryOp.Sigmoid => Sigmoid(x),
        UnaryOp.HardSigmoid => Math.Clamp(x / 6.0 + 0.5, 0.0, 1.0),
        UnaryOp.HardSigmoidKeras2 => Math.Clamp(0.2 * x + 0.5, 0.0, 1.0),
        UnaryOp.Relu => x > 0 ? x : 0.0,
        UnaryOp.Relu6 => Math.Clamp(x, 0.0, 6.0),
        UnaryOp.LeakyRelu => x >= 0 ? x : alpha * x,
        UnaryOp.Elu => x > 0 ? x : alpha * ExpMinusOne(x),
        UnaryOp.Selu => x > 0 ? SeluScale * x : SeluScale * SeluAlpha * ExpMinusOne(x),
        UnaryOp.Gelu => 0.5 * x * Erfc(-x * InvSqrt2),
        UnaryOp.GeluTanh => 0.5 * x * (1.0 + Math.Tanh(SqrtTwoOverPi * (x + 0.044715 * x * x * x))),
        UnaryOp.Softplus => Softplus(x),
        UnaryOp.Softsign => x / (1.0 + Math.Abs(x)),
        UnaryOp.Silu => x * Sigmoid(x),
        UnaryOp.HardSilu => x * Math.Clamp(x / 6.0 + 0.5, 0.0, 1.0),
        UnaryOp.Mish => x * Math.Tanh(Softplus(x)),
        UnaryOp.LogSigmoid => -Softplus(-x),
        UnaryOp.Clip => Math.Clamp(x, alpha, beta),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown unary op."),
    };

    /// <summary>f'(x); <paramref name="y"/> is f(x), used where it is cheaper than recomputing.</summary>
    public static double Derivative(UnaryOp op, double x, double y, double alpha, double beta)
    {
        switch (op)
        {
            case UnaryOp.Negate: return -1.0;
            case UnaryOp.Abs: return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
            case UnaryOp.Sign: return 0.0;
            case UnaryOp.Square: return 2.0 * x;
            case UnaryOp.Sqrt: return 0.5 / y;
            case UnaryOp.Reciprocal: return -y * y;
            case UnaryOp.Exp: return y;
            case UnaryOp.Log: return 1.0 / x;
            case UnaryOp.Sin: return Math.Cos(x);
            case UnaryOp.Cos: return -Math.Sin(x);
            case UnaryOp.Tanh: return 1.0 - y * y;
            case UnaryOp.Sigmoid: return y * (1.0 - y);
            case UnaryOp.HardSigmoid: return x > -3.0 && x < 3.0 ? 1.0 / 6.0 : 0.0;
            // Closed intervals as in tf.clip_by_value (and torch.clamp), which tf.keras 2's hard_sigmoid and Keras 3's clip use.
            case UnaryOp.HardSigmoidKeras2: return x >= -2.5 && x <= 2.5 ? 0.2 : 0.0;
            case UnaryOp.Relu: return x > 0 ? 1.0 : 0.0;
            case UnaryOp.Relu6: return x > 0 && x < 6.0 ? 1.0 : 0.0;
            // features > 0, as TensorFlow's LeakyReluGrad (and PyTorch): the slope at 0 is alpha.
            case UnaryOp.LeakyRelu: return x > 0 ? 1.0 : alpha;
            case UnaryOp.Elu: return x > 0 ? 1.0 : alpha * Math.Exp(x);
            case UnaryOp.Selu: return x > 0 ? SeluScale : SeluScale * SeluAlpha * Math.Exp(x);
            case UnaryOp.Gelu: return 0.5 * Erfc(-x * InvSqrt2) + x * InvSqrt2Pi * Math.Exp(-0.5 * x * x);
            case UnaryOp.GeluTanh:
                {
                    double inner = SqrtTwoOverPi * (x + 0.044715 * x * x * x);
                    double t = Math.Tanh(inner);
                    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * SqrtTwoOverPi * (1.0 + 3.0 * 0.044715 * x * x);
                }
            case UnaryOp.Softplus: return Sigmoid(x);
            case UnaryOp.Softsign: { double d = 1.0 + Math.Abs(x); return 1.0 / (d * d); }
            case UnaryOp.Silu: { double s = Sigmoid(x); return s * (1.0 + x * (1.0 - s)); }
            case UnaryOp.HardSilu: return x <= -3.0 ? 0.0 : x >= 3.0 ? 1.0 : x / 3.0 + 0.5;
            case UnaryOp.Mish:
                {
                    double t = Math.Tanh(Softplus(x));
                    return t + x * (1.0 - t * t) * Sigmoid(x);
                }
            case UnaryOp.LogSigmoid: return Sigmoid(-x);
            case UnaryOp.Clip: return x >= alpha && x <= beta ? 1.0 : 0.0;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown unary op.");
        }
    }

    public static double Sigmoid(double x) => x >= 0 ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Exp(x) / (1.0 + Math.Exp(x));

    public static double Softplus(double x) => Math.Max(x, 0.0) + LogOnePlus(Math.Exp(-Math.Abs(x)));

    /// <summary>
    /// log(1 + x) without the rounding of 1 + x (Goldberg's correction). .NET's <c>double.LogP1</c> is
    /// <c>Log(x + 1)</c>, which gives softplus(−40) = 0 instead of 4.2e−18.
    /// </summary>
    public static double LogOnePlus(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0 || double.IsInfinity(u)) return u == 1.0 ? x : u;
        return Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>
    /// eˣ − 1 without cancellation near 0 (Kahan's correction). .NET's <c>double.ExpM1</c> is <c>Exp(x) − 1</c>,
    /// which loses half the digits of elu(−1e−10).
    /// </summary>
    public static double ExpMinusOne(double x)
    {
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double uMinusOne = u - 1.0;
        if (uMinusOne == -1.0 || double.IsInfinity(u)) return uMinusOne;
        return uMinusOne * x / Math.Log(u);
    }

    public static double Binary(BinaryOp op, double a, double b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Subtract => a - b,
        BinaryOp.Multiply => a * b,
        BinaryOp.Divide => a / b,
        BinaryOp.Power => Math.Pow(a, b),
        BinaryOp.Maximum => Math.Max(a, b),
        BinaryOp.Minimum => Math.Min(a, b),
        BinaryOp.Equal => a == b ? 1 : 0,
        BinaryOp.NotEqual => a != b ? 1 : 0,
        BinaryOp.Less => a < b ? 1 : 0,
        BinaryOp.LessEqual => a <= b ? 1 : 0,
        BinaryOp.Greater => a > b ? 1 : 0,
        BinaryOp.GreaterEqual => a >= b ? 1 : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown binary op."),
    };

    /// <summary>
    /// The error function to double precision: for |x| &lt; 3 the series erf(x) = 2/√π · x·e^(−x²) · Σ (2x²)ⁿ / (1·3·…·(2n+1)),
    /// whose terms are all positive (the alternating Maclaurin series loses up to four digits to cancellation near
    /// |x| = 3, which is visible in float64 GELU gradient checks); beyond, 1 − erfc from the continued fraction.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double ax = Math.Abs(x);
        if (ax >= 3.0) return Math.Sign(x) * (1.0 - ErfcContinuedFraction(ax));
        double twoX2 = 2.0 * x * x, term = 1.0, sum = 1.0;
        for (int n = 1; n < 200; n++)
        {
            term *= twoX2 / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) break;
        }
        return 2.0 / Math.Sqrt(Math.PI) * x * Math.Exp(-x * x) * sum;
    }

    /// <summary>
    /// The complementary error function 1 − erf(x), accurate in the far positive tail (where 1 − erf cancels):
    /// GELU uses it so that x·Φ(x) keeps its relative precision for negative x.
    /// </summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        return x >= 3.0 ? ErfcContinuedFraction(x) : 1.0 - Erf(x);
    }

    /// <summary>erfc(x) for x ≥ 3: exp(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …)))), evaluated by modified Lentz.</summary>
    private static double ErfcContinuedFraction(double ax)
    {
        if (ax > 27.0) return 0.0;
        double f = ax, c = ax, d = 0, tiny = 1e-300;
        for (int k = 1; k < 300; k++)
        {
            double ak = k * 0.5;
            d = ax + ak * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = ax + ak / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1.0) < 1e-16) break;
        }
        return Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / f;
    }
}
