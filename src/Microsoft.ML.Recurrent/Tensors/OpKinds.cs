namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>Elementwise functions of one tensor. Parameters travel in the <c>alpha</c>/<c>beta</c> arguments of <see cref="ITensorBackend.Unary"/>.</summary>
public enum UnaryOp
{
    /// <summary><c>-x</c>.</summary>
    Negate,
    /// <summary><c>|x|</c>.</summary>
    Abs,
    /// <summary><c>sign(x)</c> (gradient 0).</summary>
    Sign,
    /// <summary><c>x²</c>.</summary>
    Square,
    /// <summary><c>√x</c>.</summary>
    Sqrt,
    /// <summary><c>1/x</c>.</summary>
    Reciprocal,
    /// <summary><c>eˣ</c> (also Keras's <c>exponential</c> activation).</summary>
    Exp,
    /// <summary>Natural logarithm.</summary>
    Log,
    /// <summary>Sine.</summary>
    Sin,
    /// <summary>Cosine.</summary>
    Cos,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary><c>1 / (1 + e⁻ˣ)</c>.</summary>
    Sigmoid,
    /// <summary>Keras 3 <c>hard_sigmoid</c>: <c>relu6(x + 3) / 6</c>.</summary>
    HardSigmoid,
    /// <summary>Keras 2 / tf.keras <c>hard_sigmoid</c>: <c>clip(0.2·x + 0.5, 0, 1)</c>.</summary>
    HardSigmoidKeras2,
    /// <summary><c>max(x, 0)</c>.</summary>
    Relu,
    /// <summary><c>min(max(x, 0), 6)</c>.</summary>
    Relu6,
    /// <summary><c>x ≥ 0 ? x : alpha·x</c> (Keras 3 default slope 0.2).</summary>
    LeakyRelu,
    /// <summary><c>x > 0 ? x : alpha·(eˣ − 1)</c> (Keras default alpha 1).</summary>
    Elu,
    /// <summary>Scaled ELU with Keras's constants (scale 1.0507009873554805, alpha 1.6732632423543772).</summary>
    Selu,
    /// <summary>Exact GELU, <c>x·Φ(x)</c> (Keras <c>gelu(approximate=False)</c>, the default).</summary>
    Gelu,
    /// <summary>Tanh-approximated GELU (Keras <c>gelu(approximate=True)</c>).</summary>
    GeluTanh,
    /// <summary><c>log(1 + eˣ)</c>, computed stably.</summary>
    Softplus,
    /// <summary><c>x / (1 + |x|)</c>.</summary>
    Softsign,
    /// <summary><c>x·sigmoid(x)</c> (Keras <c>silu</c> / <c>swish</c>).</summary>
    Silu,
    /// <summary><c>x·hard_sigmoid(x)</c> (Keras <c>hard_silu</c> / <c>hard_swish</c>).</summary>
    HardSilu,
    /// <summary><c>x·tanh(softplus(x))</c>.</summary>
    Mish,
    /// <summary><c>log(sigmoid(x))</c>, computed stably.</summary>
    LogSigmoid,
    /// <summary><c>clip(x, alpha, beta)</c>; gradient 1 on the closed interval (as <c>tf.clip_by_value</c>), 0 outside.</summary>
    Clip,
}

/// <summary>Elementwise functions of two tensors with NumPy broadcasting. Comparisons give 1 or 0 in the input dtype.</summary>
public enum BinaryOp
{
    /// <summary><c>a + b</c>.</summary>
    Add,
    /// <summary><c>a − b</c>.</summary>
    Subtract,
    /// <summary><c>a · b</c>.</summary>
    Multiply,
    /// <summary><c>a / b</c>.</summary>
    Divide,
    /// <summary><c>aᵇ</c>.</summary>
    Power,
    /// <summary><c>max(a, b)</c>.</summary>
    Maximum,
    /// <summary><c>min(a, b)</c>.</summary>
    Minimum,
    /// <summary><c>a == b</c>.</summary>
    Equal,
    /// <summary><c>a != b</c>.</summary>
    NotEqual,
    /// <summary><c>a &lt; b</c>.</summary>
    Less,
    /// <summary><c>a &lt;= b</c>.</summary>
    LessEqual,
    /// <summary><c>a &gt; b</c>.</summary>
    Greater,
    /// <summary><c>a &gt;= b</c>.</summary>
    GreaterEqual,
}

/// <summary>Reductions over axes.</summary>
public enum ReduceOp
{
    /// <summary>Sum.</summary>
    Sum,
    /// <summary>Arithmetic mean.</summary>
    Mean,
    /// <summary>Maximum.</summary>
    Max,
    /// <summary>Minimum.</summary>
    Min,
}

/// <summary>Index-returning reductions over one axis (first occurrence wins ties, as in NumPy).</summary>
public enum ArgReduceOp
{
    /// <summary>Index of the maximum.</summary>
    ArgMax,
    /// <summary>Index of the minimum.</summary>
    ArgMin,
}

/// <summary>Distributions for <see cref="ITensorBackend.FillRandom"/>.</summary>
public enum RandomDistribution
{
    /// <summary>Uniform on <c>[a, b)</c>.</summary>
    Uniform,
    /// <summary>Normal with mean <c>a</c> and standard deviation <c>b</c>.</summary>
    Normal,
    /// <summary>Normal with mean <c>a</c>, standard deviation <c>b</c>, values beyond two standard deviations redrawn (Keras <c>TruncatedNormal</c>).</summary>
    TruncatedNormal,
    /// <summary>1 with probability <c>a</c>, else 0.</summary>
    Bernoulli,
}
