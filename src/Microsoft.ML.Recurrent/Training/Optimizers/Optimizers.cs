using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Training.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional (Nesterov) momentum, Keras 3 rule: <c>m = momentum·m − lr·g</c>;
/// <c>w += m</c>, or <c>w += momentum·m − lr·g</c> with Nesterov; plain <c>w −= lr·g</c> without momentum.
/// </summary>
/// <remarks>Equal to PyTorch's SGD (<c>buf = μ·buf + g; w −= lr·buf</c>) for a constant rate, with <c>m = −lr·buf</c>.</remarks>
public sealed class Sgd : Optimizer
{
    private Tensor[] _momentums = [];

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Constant or schedule. Default 0.01.</param>
    /// <param name="momentum">Momentum in [0, 1]. Default 0.</param>
    /// <param name="nesterov">Nesterov momentum. Default false.</param>
    /// <param name="weightDecay">Decoupled weight decay; null for none. Default null.</param>
    /// <param name="clipNorm">Per-gradient L2 norm limit; null for none. Default null.</param>
    /// <param name="clipValue">Per-element gradient limit; null for none. Default null.</param>
    /// <param name="globalClipNorm">Global L2 norm limit; null for none. Default null.</param>
    /// <param name="useEma">Keep a moving average of the weights. Default false.</param>
    /// <param name="emaMomentum">Moving-average momentum. Default 0.99.</param>
    /// <param name="emaOverwriteFrequency">Steps between copies of the average into the weights; null for only at the end. Default null.</param>
    /// <param name="name">Name; null for <c>"sgd"</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="momentum"/> outside [0, 1].</exception>
    public Sgd(LearningRate? learningRate = null, double momentum = 0.0, bool nesterov = false, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, string? name = null)
        : base(learningRate ?? 0.01, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, name)
    {
        if (momentum < 0 || momentum > 1)
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "`momentum` must be a float between [0, 1].");
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <inheritdoc/>
    public override string ClassName => "SGD";

    /// <summary>The momentum.</summary>
    public double Momentum { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void BuildSlots(IReadOnlyList<Variable> variables)
    {
        if (Momentum != 0) _momentums = AddSlots(variables, "momentum");
    }

    /// <inheritdoc/>
    protected override void UpdateStep(Tensor gradient, Variable variable, int slot, double learningRate)
    {
        if (Momentum == 0)
        {
            variable.Assign(Ops.Subtract(variable.Value, Ops.Multiply(gradient, learningRate)));
            return;
        }
        var m = _momentums[slot];
        var step = Ops.Multiply(gradient, learningRate);
        Store(m, Ops.Subtract(Ops.Multiply(m, Momentum), step));
        variable.Assign(Ops.Add(variable.Value, Nesterov ? Ops.Subtract(Ops.Multiply(m, Momentum), step) : m));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["momentum"] = Momentum;
        c["nesterov"] = Nesterov;
        return c;
    }
}

/// <summary>
/// Adam, Keras 3 rule: <c>m += (g − m)(1 − β₁)</c>, <c>v += (g² − v)(1 − β₂)</c>,
/// <c>w −= α·m / (√v + ε)</c> with <c>α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)</c>; with AMSGrad <c>v̂ = max(v̂, v)</c> replaces v.
/// </summary>
/// <remarks>
/// ε is added to √v before the bias correction of v ("epsilon hat" of Kingma and Ba), so Keras's ε equals PyTorch's
/// <c>eps</c> times <c>√(1 − β₂ᵗ)</c>; the default ε is 1e-7 (PyTorch: 1e-8).
/// </remarks>
public class Adam : Optimizer
{
    private Tensor[] _momentums = [];
    private Tensor[] _velocities = [];
    private Tensor[] _velocityHats = [];

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Constant or schedule. Default 0.001.</param>
    /// <param name="beta1">Decay of the first moment. Default 0.9.</param>
    /// <param name="beta2">Decay of the second moment. Default 0.999.</param>
    /// <param name="epsilon">Added to √v. Default 1e-7.</param>
    /// <param name="amsgrad">Use the running maximum of v. Default false.</param>
    /// <param name="weightDecay">Decoupled weight decay; null for none. Default null.</param>
    /// <param name="clipNorm">Per-gradient L2 norm limit; null for none. Default null.</param>
    /// <param name="clipValue">Per-element gradient limit; null for none. Default null.</param>
    /// <param name="globalClipNorm">Global L2 norm limit; null for none. Default null.</param>
    /// <param name="useEma">Keep a moving average of the weights. Default false.</param>
    /// <param name="emaMomentum">Moving-average momentum. Default 0.99.</param>
    /// <param name="emaOverwriteFrequency">Steps between copies of the average into the weights; null for only at the end. Default null.</param>
    /// <param name="name">Name; null for <c>"adam"</c>.</param>
    public Adam(LearningRate? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, string? name = null)
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, name)
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        Amsgrad = amsgrad;
    }

    /// <inheritdoc/>
    public override string ClassName => "Adam";

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Added to √v.</summary>
    public double Epsilon { get; }

    /// <summary>Whether AMSGrad is used.</summary>
    public bool Amsgrad { get; }

    /// <inheritdoc/>
    protected override void BuildSlots(IReadOnlyList<Variable> variables)
    {
        _momentums = AddSlots(variables, "momentum");
        _velocities = AddSlots(variables, "velocity");
        if (Amsgrad) _velocityHats = AddSlots(variables, "velocity_hat");
    }

    /// <inheritdoc/>
    protected override void UpdateStep(Tensor gradient, Variable variable, int slot, double learningRate)
    {
        double t = Iterations + 1;
        double alpha = learningRate * Math.Sqrt(1 - Math.Pow(Beta2, t)) / (1 - Math.Pow(Beta1, t));
        var m = _momentums[slot];
        var v = _velocities[slot];
        if (!variable.IsSubstituted && FusedAdamUpdate.TryApply(variable.Value, gradient, m, v, Amsgrad ? _velocityHats[slot] : null, alpha, Beta1, Beta2, Epsilon))
        {
            variable.MarkChanged();
            return;
        }
        Store(m, Ops.Add(m, Ops.Multiply(Ops.Subtract(gradient, m), 1 - Beta1)));
        Store(v, Ops.Add(v, Ops.Multiply(Ops.Subtract(Ops.Square(gradient), v), 1 - Beta2)));
        if (Amsgrad)
        {
            var vHat = _velocityHats[slot];
            Store(vHat, Ops.Maximum(vHat, v));
            v = vHat;
        }
        variable.Assign(Ops.Subtract(variable.Value, Ops.Divide(Ops.Multiply(m, alpha), Ops.Add(Ops.Sqrt(v), Epsilon))));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1;
        c["beta_2"] = Beta2;
        c["epsilon"] = Epsilon;
        c["amsgrad"] = Amsgrad;
        return c;
    }
}

/// <summary>
/// Adam with decoupled weight decay (Keras 3 <c>AdamW</c>): before each Adam update, <c>w −= w · weightDecay · lr</c>
/// (PyTorch's AdamW rule). Default weight decay 0.004 (PyTorch: 0.01).
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Constant or schedule. Default 0.001.</param>
    /// <param name="weightDecay">Decoupled weight decay. Default 0.004.</param>
    /// <param name="beta1">Decay of the first moment. Default 0.9.</param>
    /// <param name="beta2">Decay of the second moment. Default 0.999.</param>
    /// <param name="epsilon">Added to √v. Default 1e-7.</param>
    /// <param name="amsgrad">Use the running maximum of v. Default false.</param>
    /// <param name="clipNorm">Per-gradient L2 norm limit; null for none. Default null.</param>
    /// <param name="clipValue">Per-element gradient limit; null for none. Default null.</param>
    /// <param name="globalClipNorm">Global L2 norm limit; null for none. Default null.</param>
    /// <param name="useEma">Keep a moving average of the weights. Default false.</param>
    /// <param name="emaMomentum">Moving-average momentum. Default 0.99.</param>
    /// <param name="emaOverwriteFrequency">Steps between copies of the average into the weights; null for only at the end. Default null.</param>
    /// <param name="name">Name; null for <c>"adam_w"</c>.</param>
    public AdamW(LearningRate? learningRate = null, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, string? name = null)
        : base(learningRate ?? 0.001, beta1, beta2, epsilon, amsgrad, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, name ?? "adamw")
    {
    }

    /// <inheritdoc/>
    public override string ClassName => "AdamW";
}

/// <summary>
/// RMSprop, Keras 3 rule: <c>v = ρ·v + (1 − ρ)·g²</c>; centered: <c>ḡ = ρ·ḡ + (1 − ρ)·g</c>, denominator
/// <c>v − ḡ² + ε</c>, otherwise <c>v + ε</c>; <c>Δ = lr·g / √denominator</c>; with momentum <c>m = μ·m + Δ; w −= m</c>,
/// otherwise <c>w −= Δ</c>.
/// </summary>
/// <remarks>ε is inside the square root (PyTorch adds it outside: <c>√v + eps</c>). Defaults ρ = 0.9, ε = 1e-7 (PyTorch: α = 0.99, eps = 1e-8).</remarks>
public sealed class RmsProp : Optimizer
{
    private Tensor[] _velocities = [];
    private Tensor[] _momentums = [];
    private Tensor[] _averageGradients = [];

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Constant or schedule. Default 0.001.</param>
    /// <param name="rho">Decay of the squared-gradient average. Default 0.9.</param>
    /// <param name="momentum">Momentum. Default 0.</param>
    /// <param name="epsilon">Added under the square root. Default 1e-7.</param>
    /// <param name="centered">Normalize by the estimated variance. Default false.</param>
    /// <param name="weightDecay">Decoupled weight decay; null for none. Default null.</param>
    /// <param name="clipNorm">Per-gradient L2 norm limit; null for none. Default null.</param>
    /// <param name="clipValue">Per-element gradient limit; null for none. Default null.</param>
    /// <param name="globalClipNorm">Global L2 norm limit; null for none. Default null.</param>
    /// <param name="useEma">Keep a moving average of the weights. Default false.</param>
    /// <param name="emaMomentum">Moving-average momentum. Default 0.99.</param>
    /// <param name="emaOverwriteFrequency">Steps between copies of the average into the weights; null for only at the end. Default null.</param>
    /// <param name="name">Name; null for <c>"rmsprop"</c>.</param>
    public RmsProp(LearningRate? learningRate = null, double rho = 0.9, double momentum = 0.0, double epsilon = 1e-7, bool centered = false, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, string? name = null)
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, name ?? "rmsprop")
    {
        Rho = rho;
        Momentum = momentum;
        Epsilon = epsilon;
        Centered = centered;
    }

    /// <inheritdoc/>
    public override string ClassName => "RMSprop";

    /// <summary>Decay of the squared-gradient average.</summary>
    public double Rho { get; }

    /// <summary>Momentum.</summary>
    public double Momentum { get; }

    /// <summary>Added under the square root.</summary>
    public double Epsilon { get; }

    /// <summary>Whether the centered variant is used.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    protected override void BuildSlots(IReadOnlyList<Variable> variables)
    {
        _velocities = AddSlots(variables, "velocity");
        if (Momentum > 0) _momentums = AddSlots(variables, "momentum");
        if (Centered) _averageGradients = AddSlots(variables, "average_gradient");
    }

    /// <inheritdoc/>
    protected override void UpdateStep(Tensor gradient, Variable variable, int slot, double learningRate)
    {
        var v = _velocities[slot];
        Store(v, Ops.Add(Ops.Multiply(v, Rho), Ops.Multiply(Ops.Square(gradient), 1 - Rho)));
        Tensor denominator;
        if (Centered)
        {
            var a = _averageGradients[slot];
            Store(a, Ops.Add(Ops.Multiply(a, Rho), Ops.Multiply(gradient, 1 - Rho)));
            denominator = Ops.Add(Ops.Subtract(v, Ops.Square(a)), Epsilon);
        }
        else
        {
            denominator = Ops.Add(v, Epsilon);
        }
        var increment = Ops.Divide(Ops.Multiply(gradient, learningRate), Ops.Sqrt(denominator));
        if (Momentum > 0)
        {
            var m = _momentums[slot];
            Store(m, Ops.Add(Ops.Multiply(m, Momentum), increment));
            increment = m;
        }
        variable.Assign(Ops.Subtract(variable.Value, increment));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["rho"] = Rho;
        c["momentum"] = Momentum;
        c["epsilon"] = Epsilon;
        c["centered"] = Centered;
        return c;
    }
}

/// <summary>Adagrad, Keras 3 rule: <c>a += g²</c>; <c>w −= lr·g / √(a + ε)</c>, accumulators starting at 0.1.</summary>
public sealed class Adagrad : Optimizer
{
    private Tensor[] _accumulators = [];

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Constant or schedule. Default 0.001.</param>
    /// <param name="initialAccumulatorValue">Starting accumulator value. Default 0.1.</param>
    /// <param name="epsilon">Added under the square root. Default 1e-7.</param>
    /// <param name="weightDecay">Decoupled weight decay; null for none. Default null.</param>
    /// <param name="clipNorm">Per-gradient L2 norm limit; null for none. Default null.</param>
    /// <param name="clipValue">Per-element gradient limit; null for none. Default null.</param>
    /// <param name="globalClipNorm">Global L2 norm limit; null for none. Default null.</param>
    /// <param name="useEma">Keep a moving average of the weights. Default false.</param>
    /// <param name="emaMomentum">Moving-average momentum. Default 0.99.</param>
    /// <param name="emaOverwriteFrequency">Steps between copies of the average into the weights; null for only at the end. Default null.</param>
    /// <param name="name">Name; null for <c>"adagrad"</c>.</param>
    public Adagrad(LearningRate? learningRate = null, double initialAccumulatorValue = 0.1, double epsilon = 1e-7, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, string? name = null)
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, name)
    {
        InitialAccumulatorValue = initialAccumulatorValue;
        Epsilon = epsilon;
    }

    /// <inheritdoc/>
    public override string ClassName => "Adagrad";

    /// <summary>Starting accumulator value.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>Added under the square root.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    protected override void BuildSlots(IReadOnlyList<Variable> variables) => _accumulators = AddSlots(variables, "accumulator", InitialAccumulatorValue);

    /// <inheritdoc/>
    protected override void UpdateStep(Tensor gradient, Variable variable, int slot, double learningRate)
    {
        var a = _accumulators[slot];
        Store(a, Ops.Add(a, Ops.Square(gradient)));
        variable.Assign(Ops.Subtract(variable.Value, Ops.Divide(Ops.Multiply(gradient, learningRate), Ops.Sqrt(Ops.Add(a, Epsilon)))));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["initial_accumulator_value"] = InitialAccumulatorValue;
        c["epsilon"] = Epsilon;
        return c;
    }
}

/// <summary>
/// Adadelta, Keras 3 rule: <c>G = ρ·G + (1 − ρ)·g²</c>; <c>Δ = −√(D + ε)·g / √(G + ε)</c>;
/// <c>D = ρ·D + (1 − ρ)·Δ²</c>; <c>w += lr·Δ</c>.
/// </summary>
public sealed class Adadelta : Optimizer
{
    private Tensor[] _accumulatedGrads = [];
    private Tensor[] _accumulatedDeltas = [];

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Constant or schedule. Default 0.001.</param>
    /// <param name="rho">Decay rate. Default 0.95.</param>
    /// <param name="epsilon">Added under the square roots. Default 1e-7.</param>
    /// <param name="weightDecay">Decoupled weight decay; null for none. Default null.</param>
    /// <param name="clipNorm">Per-gradient L2 norm limit; null for none. Default null.</param>
    /// <param name="clipValue">Per-element gradient limit; null for none. Default null.</param>
    /// <param name="globalClipNorm">Global L2 norm limit; null for none. Default null.</param>
    /// <param name="useEma">Keep a moving average of the weights. Default false.</param>
    /// <param name="emaMomentum">Moving-average momentum. Default 0.99.</param>
    /// <param name="emaOverwriteFrequency">Steps between copies of the average into the weights; null for only at the end. Default null.</param>
    /// <param name="name">Name; null for <c>"adadelta"</c>.</param>
    public Adadelta(LearningRate? learningRate = null, double rho = 0.95, double epsilon = 1e-7, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, string? name = null)
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, name)
    {
        Rho = rho;
        Epsilon = epsilon;
    }

    /// <inheritdoc/>
    public override string ClassName => "Adadelta";

    /// <summary>Decay rate.</summary>
    public double Rho { get; }

    /// <summary>Added under the square roots.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    protected override void BuildSlots(IReadOnlyList<Variable> variables)
    {
        _accumulatedGrads = AddSlots(variables, "accumulated_grad");
        _accumulatedDeltas = AddSlots(variables, "accumulated_delta_var");
    }

    /// <inheritdoc/>
    protected override void UpdateStep(Tensor gradient, Variable variable, int slot, double learningRate)
    {
        var g2 = _accumulatedGrads[slot];
        var d2 = _accumulatedDeltas[slot];
        Store(g2, Ops.Add(Ops.Multiply(g2, Rho), Ops.Multiply(Ops.Square(gradient), 1 - Rho)));
        var delta = Ops.Negate(Ops.Divide(Ops.Multiply(Ops.Sqrt(Ops.Add(d2, Epsilon)), gradient), Ops.Sqrt(Ops.Add(g2, Epsilon))));
        Store(d2, Ops.Add(Ops.Multiply(d2, Rho), Ops.Multiply(Ops.Square(delta), 1 - Rho)));
        variable.Assign(Ops.Add(variable.Value, Ops.Multiply(delta, learningRate)));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["rho"] = Rho;
        c["epsilon"] = Epsilon;
        return c;
    }
}

/// <summary>
/// Adamax, Keras 3 rule: <c>m += (g − m)(1 − β₁)</c>; <c>u = max(β₂·u, |g|)</c>; <c>w −= lr·m / ((1 − β₁ᵗ)(u + ε))</c>.
/// </summary>
public sealed class Adamax : Optimizer
{
    private Tensor[] _m = [];
    private Tensor[] _u = [];

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Constant or schedule. Default 0.001.</param>
    /// <param name="beta1">Decay of the first moment. Default 0.9.</param>
    /// <param name="beta2">Decay of the infinity norm. Default 0.999.</param>
    /// <param name="epsilon">Added to u. Default 1e-7.</param>
    /// <param name="weightDecay">Decoupled weight decay; null for none. Default null.</param>
    /// <param name="clipNorm">Per-gradient L2 norm limit; null for none. Default null.</param>
    /// <param name="clipValue">Per-element gradient limit; null for none. Default null.</param>
    /// <param name="globalClipNorm">Global L2 norm limit; null for none. Default null.</param>
    /// <param name="useEma">Keep a moving average of the weights. Default false.</param>
    /// <param name="emaMomentum">Moving-average momentum. Default 0.99.</param>
    /// <param name="emaOverwriteFrequency">Steps between copies of the average into the weights; null for only at the end. Default null.</param>
    /// <param name="name">Name; null for <c>"adamax"</c>.</param>
    public Adamax(LearningRate? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, string? name = null)
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, name)
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <inheritdoc/>
    public override string ClassName => "Adamax";

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the infinity norm.</summary>
    public double Beta2 { get; }

    /// <summary>Added to u.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    protected override void BuildSlots(IReadOnlyList<Variable> variables)
    {
        _m = AddSlots(variables, "m");
        _u = AddSlots(variables, "u");
    }

    /// <inheritdoc/>
    protected override void UpdateStep(Tensor gradient, Variable variable, int slot, double learningRate)
    {
        double t = Iterations + 1;
        var m = _m[slot];
        var u = _u[slot];
        Store(m, Ops.Add(m, Ops.Multiply(Ops.Subtract(gradient, m), 1 - Beta1)));
        Store(u, Ops.Maximum(Ops.Multiply(u, Beta2), Ops.Abs(gradient)));
        var step = Ops.Divide(Ops.Multiply(m, learningRate), Ops.Multiply(Ops.Add(u, Epsilon), 1 - Math.Pow(Beta1, t)));
        variable.Assign(Ops.Subtract(variable.Value, step));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1;
        c["beta_2"] = Beta2;
        c["epsilon"] = Epsilon;
        return c;
    }
}

/// <summary>
/// Nadam (Adam with Nesterov momentum), Keras 3 rule with the momentum schedule
/// <c>uₜ = β₁(1 − ½·0.96ᵗ)</c> and its running product: <c>m̂ = uₜ₊₁·m / (1 − Πₜ₊₁) + (1 − uₜ)·g / (1 − Πₜ)</c>,
/// <c>v̂ = v / (1 − β₂ᵗ)</c>, <c>w −= lr·m̂ / (√v̂ + ε)</c>.
/// </summary>
public sealed class Nadam : Optimizer
{
    private Tensor[] _momentums = [];
    private Tensor[] _velocities = [];
    private double _uProduct = 1.0;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Constant or schedule. Default 0.001.</param>
    /// <param name="beta1">Decay of the first moment. Default 0.9.</param>
    /// <param name="beta2">Decay of the second moment. Default 0.999.</param>
    /// <param name="epsilon">Added to √v̂. Default 1e-7.</param>
    /// <param name="weightDecay">Decoupled weight decay; null for none. Default null.</param>
    /// <param name="clipNorm">Per-gradient L2 norm limit; null for none. Default null.</param>
    /// <param name="clipValue">Per-element gradient limit; null for none. Default null.</param>
    /// <param name="globalClipNorm">Global L2 norm limit; null for none. Default null.</param>
    /// <param name="useEma">Keep a moving average of the weights. Default false.</param>
    /// <param name="emaMomentum">Moving-average momentum. Default 0.99.</param>
    /// <param name="emaOverwriteFrequency">Steps between copies of the average into the weights; null for only at the end. Default null.</param>
    /// <param name="name">Name; null for <c>"nadam"</c>.</param>
    public Nadam(LearningRate? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, string? name = null)
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, name)
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <inheritdoc/>
    public override string ClassName => "Nadam";

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Added to √v̂.</summary>
    public double Epsilon { get; }

    private Tensor? _uProductState;

    /// <inheritdoc/>
    protected override void BuildSlots(IReadOnlyList<Variable> variables)
    {
        _momentums = AddSlots(variables, "momentum");
        _velocities = AddSlots(variables, "velocity");
        _uProductState = AddVariable("u_product", Tensor.Scalar(1.0, DType.Float64));
    }

    /// <inheritdoc/>
    protected override void BeforeUpdates(IReadOnlyList<Variable> variables)
    {
        _uProduct = _uProductState!.Item() * Beta1 * (1.0 - 0.5 * Math.Pow(0.96, Iterations + 1));
        Store(_uProductState, Tensor.Scalar(_uProduct, DType.Float64));
    }

    /// <inheritdoc/>
    protected override void UpdateStep(Tensor gradient, Variable variable, int slot, double learningRate)
    {
        double t = Iterations + 1;
        double uT = Beta1 * (1.0 - 0.5 * Math.Pow(0.96, t));
        double uT1 = Beta1 * (1.0 - 0.5 * Math.Pow(0.96, t + 1));
        double uProductT1 = _uProduct * uT1;
        double beta2Power = Math.Pow(Beta2, t);
        var m = _momentums[slot];
        var v = _velocities[slot];
        Store(m, Ops.Add(m, Ops.Multiply(Ops.Subtract(gradient, m), 1 - Beta1)));
        Store(v, Ops.Add(v, Ops.Multiply(Ops.Subtract(Ops.Square(gradient), v), 1 - Beta2)));
        var mHat = Ops.Add(Ops.Multiply(m, uT1 / (1 - uProductT1)), Ops.Multiply(gradient, (1 - uT) / (1 - _uProduct)));
        var vHat = Ops.Divide(v, 1 - beta2Power);
        variable.Assign(Ops.Subtract(variable.Value, Ops.Divide(Ops.Multiply(mHat, learningRate), Ops.Add(Ops.Sqrt(vHat), Epsilon))));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1;
        c["beta_2"] = Beta2;
        c["epsilon"] = Epsilon;
        return c;
    }
}
