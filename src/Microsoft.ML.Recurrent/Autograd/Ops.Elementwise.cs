using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Autograd;

public static partial class Ops
{
    // ------------------------------------------------------------------ binary arithmetic

    /// <summary><c>a + b</c>, broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary(BinaryOp.Add, a, b);

    /// <summary><c>a − b</c>, broadcasting.</summary>
    public static Tensor Subtract(Tensor a, Tensor b) => Binary(BinaryOp.Subtract, a, b);

    /// <summary><c>a · b</c> elementwise, broadcasting.</summary>
    public static Tensor Multiply(Tensor a, Tensor b) => Binary(BinaryOp.Multiply, a, b);

    /// <summary><c>a / b</c> elementwise, broadcasting.</summary>
    public static Tensor Divide(Tensor a, Tensor b) => Binary(BinaryOp.Divide, a, b);

    /// <summary><c>aᵇ</c> elementwise, broadcasting.</summary>
    public static Tensor Power(Tensor a, Tensor b) => Binary(BinaryOp.Power, a, b);

    /// <summary>Elementwise maximum; the gradient goes to <paramref name="a"/> where <c>a ≥ b</c>.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Binary(BinaryOp.Maximum, a, b);

    /// <summary>Elementwise minimum; the gradient goes to <paramref name="a"/> where <c>a ≤ b</c>.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Binary(BinaryOp.Minimum, a, b);

    /// <summary><c>x + c</c>.</summary>
    public static Tensor Add(Tensor x, double c) => Binary(BinaryOp.Add, x, ScalarLike(c, x));

    /// <summary><c>x · c</c>.</summary>
    public static Tensor Multiply(Tensor x, double c) => Binary(BinaryOp.Multiply, x, ScalarLike(c, x));

    /// <summary><c>x / c</c>, a true division as in NumPy (not a multiplication by <c>1 / c</c>, which rounds differently).</summary>
    public static Tensor Divide(Tensor x, double c) => Binary(BinaryOp.Divide, x, ScalarLike(c, x));

    /// <summary><c>xᶜ</c>.</summary>
    public static Tensor Power(Tensor x, double c) => Binary(BinaryOp.Power, x, ScalarLike(c, x));

    // ------------------------------------------------------------------ comparisons (no gradient)

    /// <summary>1 where <c>a == b</c>, else 0 (same dtype as the inputs).</summary>
    public static Tensor Equal(Tensor a, Tensor b) => Binary(BinaryOp.Equal, a, b);

    /// <summary>1 where <c>a != b</c>, else 0.</summary>
    public static Tensor NotEqual(Tensor a, Tensor b) => Binary(BinaryOp.NotEqual, a, b);

    /// <summary>1 where <c>a &lt; b</c>, else 0.</summary>
    public static Tensor Less(Tensor a, Tensor b) => Binary(BinaryOp.Less, a, b);

    /// <summary>1 where <c>a &lt;= b</c>, else 0.</summary>
    public static Tensor LessEqual(Tensor a, Tensor b) => Binary(BinaryOp.LessEqual, a, b);

    /// <summary>1 where <c>a &gt; b</c>, else 0.</summary>
    public static Tensor Greater(Tensor a, Tensor b) => Binary(BinaryOp.Greater, a, b);

    /// <summary>1 where <c>a &gt;= b</c>, else 0.</summary>
    public static Tensor GreaterEqual(Tensor a, Tensor b) => Binary(BinaryOp.GreaterEqual, a, b);

    /// <summary>The elementwise binary op <paramref name="op"/> with NumPy broadcasting.</summary>
    public static Tensor Binary(BinaryOp op, Tensor a, Tensor b)
    {
        string name = op.ToString();
        CheckSameKind(name, a, b);
        var y = NewLike(Shape.Broadcast(a.Shape, b.Shape, name), a);
        a.Backend.Binary(op, a, b, y);
        if (op >= BinaryOp.Equal) return y;
        return Record(y, name, [a, b], dy => op switch
        {
            BinaryOp.Add => [a.RequiresGrad ? SumToShape(dy, a.Shape) : null, b.RequiresGrad ? SumToShape(dy, b.Shape) : null],
            BinaryOp.Subtract => [a.RequiresGrad ? SumToShape(dy, a.Shape) : null, b.RequiresGrad ? SumToShape(Negate(dy), b.Shape) : null],
            BinaryOp.Multiply => [a.RequiresGrad ? SumToShape(Multiply(dy, b), a.Shape) : null, b.RequiresGrad ? SumToShape(Multiply(dy, a), b.Shape) : null],
            BinaryOp.Divide =>
            [
                a.RequiresGrad ? SumToShape(Divide(dy, b), a.Shape) : null,
                b.RequiresGrad ? SumToShape(Negate(Divide(Multiply(dy, y), b)), b.Shape) : null,
            ],
            BinaryOp.Power =>
            [
                // d(aᵇ)/da = b·aᵇ⁻¹ ; d(aᵇ)/db = aᵇ·ln a (taken as 0 where a == 0, as TensorFlow does)
                a.RequiresGrad ? SumToShape(Multiply(dy, Multiply(b, Power(a, Add(b, -1.0)))), a.Shape) : null,
                b.RequiresGrad ? SumToShape(Multiply(dy, Multiply(y, Log(Where(Greater(a, ScalarLike(0, a)), a, Tensor.Ones(a.Shape, a.DType, a.Device))))), b.Shape) : null,
            ],
            BinaryOp.Maximum or BinaryOp.Minimum => MinMaxBackward(op, a, b, dy),
            _ => throw new InvalidOperationException($"No gradient for {op}."),
        });
    }

    private static Tensor?[] MinMaxBackward(BinaryOp op, Tensor a, Tensor b, Tensor dy)
    {
        var pickA = op == BinaryOp.Maximum ? GreaterEqual(a, b) : LessEqual(a, b);
        var zero = ScalarLike(0, dy);
        return
        [
            a.RequiresGrad ? SumToShape(Where(pickA, dy, zero), a.Shape) : null,
            b.RequiresGrad ? SumToShape(Where(pickA, zero, dy), b.Shape) : null,
        ];
    }

    /// <summary>
    /// <c>condition != 0 ? a : b</c> elementwise, all three broadcast together. The condition is a float tensor of
    /// 0/1 (as comparisons return) and gets no gradient.
    /// </summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        CheckSameKind("Where", a, b);
        CheckSameKind("Where", condition, a, "condition", "a");
        var shape = Shape.Broadcast(Shape.Broadcast(condition.Shape, a.Shape, "Where"), b.Shape, "Where");
        var y = NewLike(shape, a);
        a.Backend.Where(condition, a, b, y);
        return Record(y, "Where", [a, b], dy =>
        {
            var zero = ScalarLike(0, dy);
            return
            [
                a.RequiresGrad ? SumToShape(Where(condition, dy, zero), a.Shape) : null,
                b.RequiresGrad ? SumToShape(Where(condition, zero, dy), b.Shape) : null,
            ];
        });
    }

    // ------------------------------------------------------------------ unary math and activations

    /// <summary>The elementwise function <paramref name="op"/> with parameters <paramref name="alpha"/>/<paramref name="beta"/> (see <see cref="UnaryOp"/>).</summary>
    public static Tensor Unary(UnaryOp op, Tensor x, double alpha = 0, double beta = 0)
    {
        CheckFloat(op.ToString(), x);
        var y = NewLike(x.Shape, x);
        x.Backend.Unary(op, x, y, alpha, beta);
        return Record(y, op.ToString(), [x], dy =>
        {
            var dx = NewLike(x.Shape, x);
            x.Backend.UnaryBackward(op, x, y, dy, dx, alpha, beta);
            return [dx];
        });
    }

    /// <summary><c>−x</c>.</summary>
    public static Tensor Negate(Tensor x) => Unary(UnaryOp.Negate, x);
    /// <summary><c>|x|</c>.</summary>
    public static Tensor Abs(Tensor x) => Unary(UnaryOp.Abs, x);
    /// <summary><c>sign(x)</c>.</summary>
    public static Tensor Sign(Tensor x) => Unary(UnaryOp.Sign, x);
    /// <summary><c>x²</c>.</summary>
    public static Tensor Square(Tensor x) => Unary(UnaryOp.Square, x);
    /// <summary><c>√x</c>.</summary>
    public static Tensor Sqrt(Tensor x) => Unary(UnaryOp.Sqrt, x);
    /// <summary><c>1/x</c>.</summary>
    public static Tensor Reciprocal(Tensor x) => Unary(UnaryOp.Reciprocal, x);
    /// <summary><c>eˣ</c>.</summary>
    public static Tensor Exp(Tensor x) => Unary(UnaryOp.Exp, x);
    /// <summary>Natural logarithm.</summary>
    public static Tensor Log(Tensor x) => Unary(UnaryOp.Log, x);
    /// <summary>Sine.</summary>
    public static Tensor Sin(Tensor x) => Unary(UnaryOp.Sin, x);
    /// <summary>Cosine.</summary>
    public static Tensor Cos(Tensor x) => Unary(UnaryOp.Cos, x);
    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x) => Unary(UnaryOp.Tanh, x);
    /// <summary>Logistic sigmoid.</summary>
    public static Tensor Sigmoid(Tensor x) => Unary(UnaryOp.Sigmoid, x);
    /// <summary>Keras 3 <c>hard_sigmoid</c>: <c>relu6(x + 3) / 6</c>.</summary>
    public static Tensor HardSigmoid(Tensor x) => Unary(UnaryOp.HardSigmoid, x);
    /// <summary>Keras 2 <c>hard_sigmoid</c>: <c>clip(0.2x + 0.5, 0, 1)</c>.</summary>
    public static Tensor HardSigmoidKeras2(Tensor x) => Unary(UnaryOp.HardSigmoidKeras2, x);
    /// <summary><c>max(x, 0)</c>.</summary>
    public static Tensor Relu(Tensor x) => Unary(UnaryOp.Relu, x);
    /// <summary><c>min(max(x, 0), 6)</c>.</summary>
    public static Tensor Relu6(Tensor x) => Unary(UnaryOp.Relu6, x);
    /// <summary>Leaky ReLU with slope <paramref name="negativeSlope"/> below 0 (Keras 3 default 0.2).</summary>
    public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.2) => Unary(UnaryOp.LeakyRelu, x, negativeSlope);
    /// <summary>ELU with <paramref name="alpha"/> (default 1).</summary>
    public static Tensor Elu(Tensor x, double alpha = 1.0) => Unary(UnaryOp.Elu, x, alpha);
    /// <summary>SELU with Keras's constants.</summary>
    public static Tensor Selu(Tensor x) => Unary(UnaryOp.Selu, x);
    /// <summary>GELU; exact (erf) by default, tanh approximation when <paramref name="approximate"/>.</summary>
    public static Tensor Gelu(Tensor x, bool approximate = false) => Unary(approximate ? UnaryOp.GeluTanh : UnaryOp.Gelu, x);
    /// <summary><c>log(1 + eˣ)</c>.</summary>
    public static Tensor Softplus(Tensor x) => Unary(UnaryOp.Softplus, x);
    /// <summary><c>x / (1 + |x|)</c>.</summary>
    public static Tensor Softsign(Tensor x) => Unary(UnaryOp.Softsign, x);
    /// <summary><c>x · sigmoid(x)</c> (swish).</summary>
    public static Tensor Silu(Tensor x) => Unary(UnaryOp.Silu, x);
    /// <summary><c>x · hard_sigmoid(x)</c>.</summary>
    public static Tensor HardSilu(Tensor x) => Unary(UnaryOp.HardSilu, x);
    /// <summary><c>x · tanh(softplus(x))</c>.</summary>
    public static Tensor Mish(Tensor x) => Unary(UnaryOp.Mish, x);
    /// <summary><c>log(sigmoid(x))</c>.</summary>
    public static Tensor LogSigmoid(Tensor x) => Unary(UnaryOp.LogSigmoid, x);
    /// <summary>Clamps to <c>[min, max]</c>.</summary>
    public static Tensor Clip(Tensor x, double min, double max)
    {
        if (min > max) throw new ArgumentException($"Clip: min ({min}) is greater than max ({max}).", nameof(min));
        return Unary(UnaryOp.Clip, x, min, max);
    }

    /// <summary>Converts to <paramref name="dtype"/>; the gradient is cast back.</summary>
    public static Tensor Cast(Tensor x, DType dtype)
    {
        ObjectDisposedException.ThrowIf(x.IsDisposed, x);
        var y = Tensor.Zeros(x.Shape, dtype, x.Device);
        x.Backend.Cast(x, y);
        if (!dtype.IsFloatingPoint()) return y;
        return Record(y, "Cast", [x], dy => [Cast(dy, x.DType)]);
    }
}
