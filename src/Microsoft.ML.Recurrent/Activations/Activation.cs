using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Activations;

/// <summary>
/// A Keras activation function (<c>keras.activations.*</c>), looked up by name as layers take it
/// (<c>activation="tanh"</c>, <c>recurrent_activation="sigmoid"</c>) and serialized back to that name.
/// </summary>
/// <remarks>
/// <para>Built-ins (Keras 3 names): <c>linear</c>, <c>tanh</c>, <c>sigmoid</c>, <c>hard_sigmoid</c>, <c>relu</c>,
/// <c>relu6</c>, <c>leaky_relu</c> (slope 0.2), <c>elu</c> (α = 1), <c>selu</c>, <c>softplus</c>, <c>softsign</c>,
/// <c>exponential</c>, <c>silu</c> (alias <c>swish</c>), <c>gelu</c> (exact, erf-based), <c>hard_silu</c> (alias
/// <c>hard_swish</c>), <c>hard_tanh</c>, <c>mish</c>, <c>log_sigmoid</c>, <c>softmax</c> and <c>log_softmax</c>
/// (along the last axis). <c>null</c> means <c>linear</c>.</para>
/// <para><c>hard_sigmoid</c> is <c>clip(x/6 + 0.5, 0, 1)</c> in Keras 3 but <c>clip(0.2·x + 0.5, 0, 1)</c> in
/// Keras 2 and TensorFlow.js; pass <c>keras2HardSigmoid: true</c> to <see cref="Get(JsonNode?, bool)"/> when
/// loading a model trained with those, to reproduce its outputs. Both serialize as <c>"hard_sigmoid"</c>.</para>
/// <para>Instances are immutable and shared: <c>Get("tanh")</c> always returns <see cref="Tanh"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// Activation gate = Activation.Get("sigmoid");
/// Tensor z = gate.Apply(x);                // differentiable
/// JsonNode json = gate.ToConfig();         // "sigmoid"
/// </code>
/// </example>
public sealed class Activation
{
    private static readonly Dictionary<string, Activation> s_builtIns = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, string> s_aliases = new(StringComparer.Ordinal)
    {
        ["swish"] = "silu",
        ["hard_swish"] = "hard_silu",
    };
    private static readonly ConcurrentDictionary<string, Activation> s_registered = new(StringComparer.Ordinal);

    private readonly Func<Tensor, Tensor> _function;

    private Activation(string name, UnaryOp? op, double opAlpha, double opBeta, Func<Tensor, Tensor> function, bool isCustom, bool isKeras2Formula)
    {
        Name = name;
        Op = op;
        OpAlpha = opAlpha;
        OpBeta = opBeta;
        _function = function;
        IsCustom = isCustom;
        IsKeras2Formula = isKeras2Formula;
    }

    static Activation()
    {
        Linear = AddBuiltIn("linear", null, x => x);
        Tanh = AddBuiltIn("tanh", UnaryOp.Tanh);
        Sigmoid = AddBuiltIn("sigmoid", UnaryOp.Sigmoid);
        HardSigmoid = AddBuiltIn("hard_sigmoid", UnaryOp.HardSigmoid);
        HardSigmoidKeras2 = new Activation("hard_sigmoid", UnaryOp.HardSigmoidKeras2, 0, 0,
            x => Ops.Unary(UnaryOp.HardSigmoidKeras2, x), isCustom: false, isKeras2Formula: true);
        Relu = AddBuiltIn("relu", UnaryOp.Relu);
        AddBuiltIn("relu6", UnaryOp.Relu6);
        AddBuiltIn("leaky_relu", UnaryOp.LeakyRelu, alpha: 0.2);
        AddBuiltIn("elu", UnaryOp.Elu, alpha: 1.0);
        AddBuiltIn("selu", UnaryOp.Selu);
        AddBuiltIn("softplus", UnaryOp.Softplus);
        AddBuiltIn("softsign", UnaryOp.Softsign);
        AddBuiltIn("exponential", UnaryOp.Exp);
        AddBuiltIn("silu", UnaryOp.Silu);
        AddBuiltIn("gelu", UnaryOp.Gelu);
        AddBuiltIn("hard_silu", UnaryOp.HardSilu);
        AddBuiltIn("hard_tanh", UnaryOp.Clip, alpha: -1.0, beta: 1.0);
        AddBuiltIn("mish", UnaryOp.Mish);
        AddBuiltIn("log_sigmoid", UnaryOp.LogSigmoid);
        Softmax = AddBuiltIn("softmax", null, x => Ops.Softmax(x, -1));
        AddBuiltIn("log_softmax", null, x => Ops.LogSoftmax(x, -1));
    }

    private static Activation AddBuiltIn(string name, UnaryOp? op, Func<Tensor, Tensor>? function = null, double alpha = 0, double beta = 0)
    {
        var fn = function ?? (x => Ops.Unary(op!.Value, x, alpha, beta));
        var activation = new Activation(name, op, alpha, beta, fn, isCustom: false, isKeras2Formula: false);
        s_builtIns.Add(name, activation);
        return activation;
    }

    private static Activation AddBuiltIn(string name, UnaryOp op, double alpha = 0, double beta = 0) =>
        AddBuiltIn(name, op, null, alpha, beta);

    /// <summary>The identity, <c>x</c> (Keras <c>linear</c>; what <c>activation=None</c> means).</summary>
    public static Activation Linear { get; }

    /// <summary>Hyperbolic tangent, the default <c>activation</c> of recurrent layers.</summary>
    public static Activation Tanh { get; }

    /// <summary><c>1 / (1 + e⁻ˣ)</c>, the default <c>recurrent_activation</c> of LSTM and GRU.</summary>
    public static Activation Sigmoid { get; }

    /// <summary>Keras 3 <c>hard_sigmoid</c>: <c>clip(x/6 + 0.5, 0, 1)</c>.</summary>
    public static Activation HardSigmoid { get; }

    /// <summary>
    /// Keras 2 / TensorFlow.js <c>hard_sigmoid</c>: <c>clip(0.2·x + 0.5, 0, 1)</c>, the recurrent activation of
    /// LSTM/GRU models from Keras ≤ 2.2. Serializes as <c>"hard_sigmoid"</c>, like <see cref="HardSigmoid"/>.
    /// </summary>
    public static Activation HardSigmoidKeras2 { get; }

    /// <summary><c>max(x, 0)</c>.</summary>
    public static Activation Relu { get; }

    /// <summary>Softmax along the last axis.</summary>
    public static Activation Softmax { get; }

    /// <summary>The Keras name it serializes as, e.g. <c>"tanh"</c> (for registered functions, the registered name).</summary>
    public string Name { get; }

    /// <summary>
    /// The elementwise op this activation is, with parameters <see cref="OpAlpha"/>/<see cref="OpBeta"/>, so fused
    /// kernels can apply it directly; null for <c>linear</c> (the identity: apply nothing), <c>softmax</c>,
    /// <c>log_softmax</c> and registered functions.
    /// </summary>
    public UnaryOp? Op { get; }

    /// <summary>The <c>alpha</c> parameter of <see cref="Op"/> (slope 0.2 for <c>leaky_relu</c>, α = 1 for <c>elu</c>, −1 for <c>hard_tanh</c>); 0 otherwise.</summary>
    public double OpAlpha { get; }

    /// <summary>The <c>beta</c> parameter of <see cref="Op"/> (1 for <c>hard_tanh</c>); 0 otherwise.</summary>
    public double OpBeta { get; }

    /// <summary>
    /// True when the activation acts on each element independently: it is <see cref="Linear"/> or has an
    /// <see cref="Op"/> (false for <c>softmax</c>, <c>log_softmax</c> and registered functions).
    /// </summary>
    public bool IsElementwise => Op is not null || IsLinear;

    /// <summary>True for the identity (<c>linear</c>).</summary>
    public bool IsLinear => ReferenceEquals(this, Linear);

    /// <summary>True for functions added with <see cref="Register"/>.</summary>
    public bool IsCustom { get; }

    /// <summary>True for the Keras 2 formula of <c>hard_sigmoid</c>, <c>clip(0.2·x + 0.5, 0, 1)</c>.</summary>
    public bool IsKeras2Formula { get; }

    /// <summary>Applies the activation; differentiable (recorded for autodiff like any op).</summary>
    /// <param name="x">A float tensor; <c>softmax</c>/<c>log_softmax</c> need rank ≥ 1.</param>
    /// <returns>A tensor of the same shape (for <c>linear</c>, <paramref name="x"/> itself).</returns>
    public Tensor Apply(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return _function(x);
    }

    /// <summary>Looks up an activation by its Keras name (see <see cref="Get(JsonNode?, bool)"/>).</summary>
    /// <param name="name">A built-in name, alias, or registered name; null means <c>linear</c>.</param>
    /// <param name="keras2HardSigmoid">Give <c>hard_sigmoid</c> the Keras 2 formula. Default: false (Keras 3).</param>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static Activation Get(string? name, bool keras2HardSigmoid = false)
    {
        if (name is null) return Linear;
        string resolved = s_aliases.GetValueOrDefault(name, name);
        if (resolved == "hard_sigmoid" && keras2HardSigmoid) return HardSigmoidKeras2;
        if (s_builtIns.TryGetValue(resolved, out var builtIn)) return builtIn;
        if (s_registered.TryGetValue(name, out var custom)) return custom;
        throw new ArgumentException(
            $"Unknown activation function: '{name}'. Expected one of: {string.Join(", ", KnownNames())}, or a name passed to Activation.Register.",
            nameof(name));
    }

    /// <summary>
    /// Reads an activation from a layer config value: <c>null</c> (→ <c>linear</c>), a name (<c>"tanh"</c>, aliases
    /// <c>"swish"</c> → <c>silu</c> and <c>"hard_swish"</c> → <c>hard_silu</c>, or a registered name), or the Keras 3
    /// function envelope <c>{"module": …, "class_name": "function", "config": "name", "registered_name": …}</c>.
    /// </summary>
    /// <param name="nameOrConfig">The JSON value.</param>
    /// <param name="keras2HardSigmoid">Give <c>hard_sigmoid</c> the Keras 2 formula <c>clip(0.2·x + 0.5, 0, 1)</c>
    /// (models from Keras 2 or TensorFlow.js). Default: false (the Keras 3 formula).</param>
    /// <exception cref="ArgumentException">The name is unknown, or the value is neither a string nor a function envelope.</exception>
    public static Activation Get(JsonNode? nameOrConfig, bool keras2HardSigmoid = false)
    {
        switch (nameOrConfig)
        {
            case null:
                return Linear;
            case JsonValue value when value.TryGetValue<string>(out var name):
                return Get(name, keras2HardSigmoid);
            case JsonObject envelope:
                var className = envelope["class_name"] is JsonValue c && c.TryGetValue<string>(out var cn) ? cn : null;
                if (className == "function" && envelope["config"] is JsonValue fv && fv.TryGetValue<string>(out var fnName))
                {
                    // Registered functions are found by their registered name first, as Keras does.
                    if (envelope["registered_name"] is JsonValue rv && rv.TryGetValue<string>(out var registered)
                        && s_registered.TryGetValue(registered, out var custom))
                        return custom;
                    return Get(fnName, keras2HardSigmoid);
                }
                break;
        }
        throw new ArgumentException(
            $"Could not interpret activation {KerasJson.Describe(nameOrConfig)}: expected null, a name such as \"tanh\", or {{\"class_name\": \"function\", \"config\": \"<name>\"}}.",
            nameof(nameOrConfig));
    }

    /// <summary>
    /// Registers a user-defined activation under <paramref name="name"/> so configs can refer to it, like Keras's
    /// <c>@keras.saving.register_keras_serializable()</c>. Registering the same name again replaces the function.
    /// </summary>
    /// <param name="name">The name it is looked up and serialized by (e.g. <c>"Custom&gt;scaled_tanh"</c>).</param>
    /// <param name="function">The function; it should build its result from <see cref="Ops"/> to be differentiable.</param>
    /// <returns>The registered activation.</returns>
    /// <exception cref="ArgumentException">The name is empty or is a built-in name or alias.</exception>
    public static Activation Register(string name, Func<Tensor, Tensor> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("Activation.Register: the name must be a non-empty string.", nameof(name));
        if (s_builtIns.ContainsKey(name) || s_aliases.ContainsKey(name))
            throw new ArgumentException($"Activation.Register: '{name}' is a built-in activation; choose another name.", nameof(name));
        var activation = new Activation(name, null, 0, 0, function, isCustom: true, isKeras2Formula: false);
        s_registered[name] = activation;
        return activation;
    }

    /// <summary>
    /// The config value Keras writes: the name as a plain string for built-ins (<c>"tanh"</c>; the Keras 2
    /// <c>hard_sigmoid</c> too), and the function envelope
    /// <c>{"module": null, "class_name": "function", "config": name, "registered_name": name}</c> for registered functions.
    /// </summary>
    public JsonNode ToConfig()
    {
        if (!IsCustom) return JsonValue.Create(Name);
        return new JsonObject
        {
            ["module"] = null,
            ["class_name"] = "function",
            ["config"] = Name,
            ["registered_name"] = Name,
        };
    }

    /// <summary>The config value for an optional activation: <c>"linear"</c> for null, as Keras stores <c>None</c>.</summary>
    public static JsonNode ToConfig(Activation? activation) => (activation ?? Linear).ToConfig();

    /// <summary>Every built-in name and alias, sorted.</summary>
    public static IReadOnlyList<string> KnownNames() => s_builtIns.Keys.Concat(s_aliases.Keys).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The name (and "(Keras 2 formula)" for the Keras 2 <c>hard_sigmoid</c>).</summary>
    public override string ToString() => IsKeras2Formula ? $"{Name} (Keras 2 formula)" : Name;
}
