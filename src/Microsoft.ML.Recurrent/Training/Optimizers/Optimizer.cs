using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Schedules;

namespace Microsoft.ML.Recurrent.Training.Optimizers;

/// <summary>
/// A learning rate: a constant or a <see cref="LearningRateSchedule"/>. Converts implicitly from both, so optimizer
/// constructors accept <c>learningRate: 0.01</c> and <c>learningRate: new ExponentialDecay(...)</c>.
/// </summary>
public sealed class LearningRate
{
    private LearningRate(double? constant, LearningRateSchedule? schedule)
    {
        Constant = constant;
        Schedule = schedule;
    }

    /// <summary>The constant rate, or null when scheduled.</summary>
    public double? Constant { get; }

    /// <summary>The schedule, or null when constant.</summary>
    public LearningRateSchedule? Schedule { get; }

    /// <summary>A constant rate.</summary>
    public static implicit operator LearningRate(double value) => new(value, null);

    /// <summary>A scheduled rate.</summary>
    public static implicit operator LearningRate(LearningRateSchedule schedule) => new(null, schedule ?? throw new ArgumentNullException(nameof(schedule)));
}

/// <summary>
/// The base of the Keras 3 optimizers (<c>keras.optimizers.Optimizer</c>). <see cref="Apply"/> runs one step in the
/// Keras order: clip the gradients (<see cref="ClipNorm"/>, else <see cref="GlobalClipNorm"/>, else
/// <see cref="ClipValue"/>), decay the weights (<c>w -= w · weightDecay · lr</c>), run the optimizer's update rule on
/// each variable, apply the variables' constraints, update the exponential moving average, and count the iteration.
/// </summary>
/// <remarks>
/// Updates run under <see cref="Autodiff.NoGrad"/> and write into the variables and the optimizer's slot tensors in
/// place, so graphs and kernels that hold on to them see the new values.
/// </remarks>
public abstract class Optimizer
{
    private readonly List<Tensor> _variables = [];
    private readonly List<string> _variableNames = [];
    private readonly Dictionary<Variable, int> _index = new(ReferenceEqualityComparer.Instance);
    private List<Tensor>? _emaAverages;
    private double _learningRate;

    /// <summary>Initializes the arguments every Keras optimizer accepts.</summary>
    /// <param name="learningRate">Constant or schedule.</param>
    /// <param name="weightDecay">Decoupled weight decay; null for none.</param>
    /// <param name="clipNorm">Clip each gradient to this L2 norm; null for none.</param>
    /// <param name="clipValue">Clip each gradient element to ±this; null for none.</param>
    /// <param name="globalClipNorm">Clip all gradients together to this global L2 norm; null for none.</param>
    /// <param name="useEma">Keep an exponential moving average of the weights.</param>
    /// <param name="emaMomentum">Momentum of the moving average.</param>
    /// <param name="emaOverwriteFrequency">Every this many steps copy the average into the weights; null only at <see cref="FinalizeVariableValues"/>.</param>
    /// <param name="name">Optimizer name; null for the snake_case class name.</param>
    /// <exception cref="ArgumentException">More than one clipping argument, or an invalid value.</exception>
    protected Optimizer(LearningRate learningRate, double? weightDecay, double? clipNorm, double? clipValue, double? globalClipNorm,
        bool useEma, double emaMomentum, int? emaOverwriteFrequency, string? name)
    {
        ArgumentNullException.ThrowIfNull(learningRate);
        int clips = (clipNorm is null ? 0 : 1) + (clipValue is null ? 0 : 1) + (globalClipNorm is null ? 0 : 1);
        if (clips > 1)
            throw new ArgumentException($"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: clipnorm={clipNorm}, clipvalue={clipValue}, global_clipnorm={globalClipNorm}.");
        if (useEma && (emaMomentum < 0 || emaMomentum > 1))
            throw new ArgumentOutOfRangeException(nameof(emaMomentum), emaMomentum, "`ema_momentum` must be in the range [0, 1].");
        if (emaOverwriteFrequency is <= 0)
            throw new ArgumentOutOfRangeException(nameof(emaOverwriteFrequency), emaOverwriteFrequency, "`ema_overwrite_frequency` must be a positive integer or null.");
        Schedule = learningRate.Schedule;
        _learningRate = learningRate.Constant ?? 0;
        WeightDecay = weightDecay;
        ClipNorm = clipNorm;
        ClipValue = clipValue;
        GlobalClipNorm = globalClipNorm;
        UseEma = useEma;
        EmaMomentum = emaMomentum;
        EmaOverwriteFrequency = emaOverwriteFrequency;
        Name = name ?? Layer.ToSnakeCase(ClassName);
    }

    /// <summary>The Keras class name (<c>"Adam"</c>, ...).</summary>
    public abstract string ClassName { get; }

    /// <summary>The optimizer's name.</summary>
    public string Name { get; }

    /// <summary>The learning-rate schedule, or null for a constant rate.</summary>
    public LearningRateSchedule? Schedule { get; }

    /// <summary>
    /// The learning rate of the next step (the schedule's value at <see cref="Iterations"/> when scheduled). Settable
    /// only for a constant rate, as in Keras (callbacks such as ReduceLROnPlateau use it).
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on an optimizer created with a schedule.</exception>
    public double LearningRate
    {
        get => Schedule is { } s ? s[Iterations] : _learningRate;
        set
        {
            if (Schedule is not null)
                throw new InvalidOperationException("This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` constructor argument, hence its learning rate is not settable. If you need the learning rate to be settable, you should instantiate the optimizer with a float `learning_rate` argument.");
            _learningRate = value;
        }
    }

    /// <summary>Decoupled weight decay (<c>w -= w · weightDecay · lr</c> before each update); null for none.</summary>
    public double? WeightDecay { get; }

    /// <summary>Per-gradient L2 norm limit; null for none.</summary>
    public double? ClipNorm { get; }

    /// <summary>Per-element gradient limit; null for none.</summary>
    public double? ClipValue { get; }

    /// <summary>Global L2 norm limit over all gradients; null for none.</summary>
    public double? GlobalClipNorm { get; }

    /// <summary>Whether an exponential moving average of the weights is kept.</summary>
    public bool UseEma { get; }

    /// <summary>Momentum of the moving average.</summary>
    public double EmaMomentum { get; }

    /// <summary>How often the average overwrites the weights; null for only at the end.</summary>
    public int? EmaOverwriteFrequency { get; }

    /// <summary>Number of steps applied so far.</summary>
    public long Iterations { get; private set; }

    /// <summary>True once the slots exist (after the first <see cref="Apply"/> or <see cref="Build"/>).</summary>
    public bool Built { get; private set; }

    /// <summary>The optimizer's state tensors (slots, then the moving averages), in creation order.</summary>
    public IReadOnlyList<Tensor> Variables => _emaAverages is null ? _variables : [.. _variables, .. _emaAverages];

    /// <summary>Names of <see cref="Variables"/> (<c>"lstm/kernel_momentum"</c>, ...), in the same order.</summary>
    public IReadOnlyList<string> VariableNames => _emaAverages is null ? _variableNames
        : [.. _variableNames, .. _index.OrderBy(p => p.Value).Select(p => p.Key.Name + "_average")];

    /// <summary>Creates the slots for <paramref name="variables"/> (done by the first <see cref="Apply"/>).</summary>
    /// <exception cref="InvalidOperationException">Already built for other variables.</exception>
    public void Build(IReadOnlyList<Variable> variables)
    {
        if (Built) return;
        for (int i = 0; i < variables.Count; i++) _index[variables[i]] = i;
        using (Autodiff.NoGrad())
        {
            BuildSlots(variables);
            if (UseEma) _emaAverages = variables.Select(v => v.Value.Clone()).ToList();
        }
        Built = true;
    }

    /// <summary>Creates the per-variable slots; override to call <see cref="AddSlots"/>.</summary>
    protected abstract void BuildSlots(IReadOnlyList<Variable> variables);

    /// <summary>Creates one slot per variable, shaped like it and filled with <paramref name="initialValue"/> (Keras <c>add_optimizer_variables</c>).</summary>
    protected Tensor[] AddSlots(IReadOnlyList<Variable> variables, string name, double initialValue = 0)
        => variables.Select(v => AddVariable(v.Name + "_" + name, Tensor.Full(v.Shape, initialValue, v.Value.DType, v.Value.Device))).ToArray();

    /// <summary>Adds a state tensor (saved with the optimizer) and returns it.</summary>
    protected Tensor AddVariable(string name, Tensor value)
    {
        _variables.Add(value);
        _variableNames.Add(name);
        return value;
    }

    /// <summary>
    /// Applies one step: <paramref name="gradients"/>[i] is d(loss)/d(<paramref name="variables"/>[i]). The first call
    /// builds the slots; later calls must pass the same variables (in any order).
    /// </summary>
    /// <exception cref="ArgumentException">Counts or shapes differ, or a variable the optimizer was not built with.</exception>
    public void Apply(IReadOnlyList<Tensor> gradients, IReadOnlyList<Variable> variables)
    {
        if (gradients.Count != variables.Count)
            throw new ArgumentException($"Optimizer '{Name}': received {gradients.Count} gradients for {variables.Count} variables; expected one gradient per variable.", nameof(gradients));
        for (int i = 0; i < variables.Count; i++)
            if (gradients[i].Shape != variables[i].Shape)
                throw new ArgumentException($"Optimizer '{Name}': the gradient for variable '{variables[i].Name}' has shape {gradients[i].Shape}; expected {variables[i].Shape}.", nameof(gradients));
        Build(variables);
        foreach (var v in variables)
            if (!_index.ContainsKey(v))
                throw new ArgumentException($"Optimizer '{Name}' was built for other variables; '{v.Name}' {v.Shape} is unknown to it. Use a new optimizer for a new set of variables.", nameof(variables));

        using var _ = Autodiff.NoGrad();
        double lr = LearningRate;
        var grads = ClipGradients(gradients);
        if (WeightDecay is { } wd && wd != 0)
            foreach (var v in variables) v.Assign(Ops.Subtract(v.Value, Ops.Multiply(v.Value, wd * lr)));
        BeforeUpdates(variables);
        for (int i = 0; i < variables.Count; i++)
        {
            var g = grads[i].DType == variables[i].Value.DType ? grads[i] : Ops.Cast(grads[i], variables[i].Value.DType);
            UpdateStep(g, variables[i], _index[variables[i]], lr);
        }
        foreach (var v in variables)
            if (v.Constraint is { } c) v.Assign(c.Apply(v.Value));
        if (_emaAverages is not null)
        {
            double momentum = Iterations != 0 ? EmaMomentum : 0;
            foreach (var v in variables)
            {
                var average = _emaAverages[_index[v]];
                Store(average, Ops.Add(Ops.Multiply(average, momentum), Ops.Multiply(v.Value, 1 - momentum)));
            }
            if (EmaOverwriteFrequency is { } every && (Iterations + 1) % every == 0)
                foreach (var v in variables) v.Assign(_emaAverages[_index[v]]);
        }
        Iterations++;
    }

    /// <summary>Runs once per step before the per-variable updates (Nadam advances its momentum product here).</summary>
    protected virtual void BeforeUpdates(IReadOnlyList<Variable> variables)
    {
    }

    /// <summary>The update rule for one variable (Keras <c>update_step</c>); <paramref name="slot"/> indexes the slots.</summary>
    protected abstract void UpdateStep(Tensor gradient, Variable variable, int slot, double learningRate);

    /// <summary>Copies the moving averages into the variables when <see cref="UseEma"/> (Keras <c>finalize_variable_values</c>, run at the end of fit).</summary>
    public void FinalizeVariableValues()
    {
        if (_emaAverages is null) return;
        foreach (var (v, i) in _index) v.Assign(_emaAverages[i]);
    }

    /// <summary>Overwrites <paramref name="slot"/> with <paramref name="value"/>.</summary>
    protected static void Store(Tensor slot, Tensor value)
    {
        if (value.DType != slot.DType) value = Ops.Cast(value, slot.DType);
        slot.Backend.Copy(TensorView.Of(value), TensorView.Of(slot), accumulate: false);
    }

    private IReadOnlyList<Tensor> ClipGradients(IReadOnlyList<Tensor> gradients)
    {
        if (ClipNorm is { } clipNorm && clipNorm > 0)
        {
            // g · c / max(‖g‖, c): unchanged below the limit, rescaled to norm c above it.
            return gradients.Select(g => Ops.Divide(Ops.Multiply(g, clipNorm), Math.Max(Math.Sqrt(Ops.Sum(Ops.Square(g)).Item()), clipNorm))).ToArray();
        }
        if (GlobalClipNorm is { } globalNorm && globalNorm > 0)
        {
            double norm = Math.Sqrt(gradients.Sum(g => Ops.Sum(Ops.Square(g)).Item()));
            double scale = globalNorm * Math.Min(1.0 / norm, 1.0 / globalNorm) + (norm - norm); // NaN norms poison the scale, as in Keras
            return gradients.Select(g => Ops.Multiply(g, scale)).ToArray();
        }
        if (ClipValue is { } clipValue && clipValue > 0)
            return gradients.Select(g => Ops.Clip(g, -clipValue, clipValue)).ToArray();
        return gradients;
    }

    /// <summary>The optimizer's own config keys (override and add to the base's).</summary>
    public virtual JsonObject GetConfig() => new()
    {
        ["name"] = Name,
        ["learning_rate"] = Schedule is { } s ? s.ToConfig() : JsonValue.Create(_learningRate),
        ["weight_decay"] = WeightDecay,
        ["clipnorm"] = ClipNorm,
        ["global_clipnorm"] = GlobalClipNorm,
        ["clipvalue"] = ClipValue,
        ["use_ema"] = UseEma,
        ["ema_momentum"] = EmaMomentum,
        ["ema_overwrite_frequency"] = EmaOverwriteFrequency,
        ["loss_scale_factor"] = null,
        ["gradient_accumulation_steps"] = null,
    };

    /// <summary>The Keras envelope <c>{"module": "keras.optimizers", "class_name", "config", "registered_name"}</c>.</summary>
    public JsonObject ToConfig() => new()
    {
        ["module"] = "keras.optimizers",
        ["class_name"] = ClassName,
        ["config"] = GetConfig(),
        ["registered_name"] = null,
    };

    /// <summary>Creates an optimizer from a Keras config envelope, or from a bare name such as <c>"adam"</c> with Keras defaults.</summary>
    /// <exception cref="FormatException">Unknown optimizer class.</exception>
    public static Optimizer FromConfig(JsonNode configOrName)
    {
        if (configOrName is JsonValue nameValue) return Get(nameValue.GetValue<string>());
        var envelope = configOrName as JsonObject ?? throw new FormatException($"An optimizer config must be an object or a name; got {configOrName?.ToJsonString()}.");
        string className = envelope["class_name"]?.GetValue<string>() ?? "";
        var c = envelope["config"] as JsonObject ?? new JsonObject();
        var args = new CommonArguments(c);
        double D(string key, double fallback) => KerasJson.GetDouble(c, key, fallback);
        bool B(string key) => KerasJson.GetBool(c, key, false);
        return className switch
        {
            "SGD" => new Sgd(args.LearningRate(0.01), D("momentum", 0), B("nesterov"), args.WeightDecay, args.ClipNorm, args.ClipValue, args.GlobalClipNorm, args.UseEma, args.EmaMomentum, args.EmaOverwriteFrequency, args.Name),
            "Adam" => new Adam(args.LearningRate(0.001), D("beta_1", 0.9), D("beta_2", 0.999), D("epsilon", 1e-7), B("amsgrad"), args.WeightDecay, args.ClipNorm, args.ClipValue, args.GlobalClipNorm, args.UseEma, args.EmaMomentum, args.EmaOverwriteFrequency, args.Name),
            "AdamW" => new AdamW(args.LearningRate(0.001), args.WeightDecay ?? 0.004, D("beta_1", 0.9), D("beta_2", 0.999), D("epsilon", 1e-7), B("amsgrad"), args.ClipNorm, args.ClipValue, args.GlobalClipNorm, args.UseEma, args.EmaMomentum, args.EmaOverwriteFrequency, args.Name),
            "RMSprop" => new RmsProp(args.LearningRate(0.001), D("rho", 0.9), D("momentum", 0), D("epsilon", 1e-7), B("centered"), args.WeightDecay, args.ClipNorm, args.ClipValue, args.GlobalClipNorm, args.UseEma, args.EmaMomentum, args.EmaOverwriteFrequency, args.Name),
            "Adagrad" => new Adagrad(args.LearningRate(0.001), D("initial_accumulator_value", 0.1), D("epsilon", 1e-7), args.WeightDecay, args.ClipNorm, args.ClipValue, args.GlobalClipNorm, args.UseEma, args.EmaMomentum, args.EmaOverwriteFrequency, args.Name),
            "Adadelta" => new Adadelta(args.LearningRate(0.001), D("rho", 0.95), D("epsilon", 1e-7), args.WeightDecay, args.ClipNorm, args.ClipValue, args.GlobalClipNorm, args.UseEma, args.EmaMomentum, args.EmaOverwriteFrequency, args.Name),
            "Adamax" => new Adamax(args.LearningRate(0.001), D("beta_1", 0.9), D("beta_2", 0.999), D("epsilon", 1e-7), args.WeightDecay, args.ClipNorm, args.ClipValue, args.GlobalClipNorm, args.UseEma, args.EmaMomentum, args.EmaOverwriteFrequency, args.Name),
            "Nadam" => new Nadam(args.LearningRate(0.001), D("beta_1", 0.9), D("beta_2", 0.999), D("epsilon", 1e-7), args.WeightDecay, args.ClipNorm, args.ClipValue, args.GlobalClipNorm, args.UseEma, args.EmaMomentum, args.EmaOverwriteFrequency, args.Name),
            _ => throw new FormatException($"Unknown optimizer class '{className}'; expected SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax or Nadam."),
        };
    }

    /// <summary>An optimizer with Keras defaults from its name (<c>"sgd"</c>, <c>"adam"</c>, <c>"adamw"</c>, <c>"rmsprop"</c>, <c>"adagrad"</c>, <c>"adadelta"</c>, <c>"adamax"</c>, <c>"nadam"</c>).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Optimizer Get(string name) => name.ToLowerInvariant() switch
    {
        "sgd" => new Sgd(),
        "adam" => new Adam(),
        "adamw" => new AdamW(),
        "rmsprop" => new RmsProp(),
        "adagrad" => new Adagrad(),
        "adadelta" => new Adadelta(),
        "adamax" => new Adamax(),
        "nadam" => new Nadam(),
        _ => throw new ArgumentException($"Could not interpret optimizer identifier: '{name}'. Expected sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax or nadam.", nameof(name)),
    };

    /// <summary>Writes the iteration count and state tensors into <paramref name="store"/> (<c>"iterations"</c>, <c>"0"</c>, <c>"1"</c>, ...).</summary>
    public void SaveOwnVariables(IDictionary<string, Tensor> store)
    {
        store["iterations"] = Tensor.FromArray(new double[] { Iterations }, Shape.Scalar);
        var variables = Variables;
        for (int i = 0; i < variables.Count; i++) store[i.ToString(CultureInfo.InvariantCulture)] = variables[i].Clone();
    }

    /// <summary>Restores what <see cref="SaveOwnVariables"/> wrote. The optimizer must be built for the same variables.</summary>
    /// <exception cref="ArgumentException">The store does not match this optimizer's state.</exception>
    public void LoadOwnVariables(IReadOnlyDictionary<string, Tensor> store)
    {
        var variables = Variables;
        if (store.Count != variables.Count + 1 || !store.ContainsKey("iterations"))
            throw new ArgumentException($"Optimizer '{Name}' has {variables.Count} state variables (plus the iteration count), but the store holds {store.Count} entries.", nameof(store));
        for (int i = 0; i < variables.Count; i++)
        {
            string key = i.ToString(CultureInfo.InvariantCulture);
            if (!store.TryGetValue(key, out var value) || value.Shape != variables[i].Shape)
                throw new ArgumentException($"Optimizer '{Name}': state variable {key} is missing or has the wrong shape (expected {variables[i].Shape}).", nameof(store));
        }
        using var _ = Autodiff.NoGrad();
        for (int i = 0; i < variables.Count; i++) Store(variables[i], store[i.ToString(CultureInfo.InvariantCulture)]);
        Iterations = (long)store["iterations"].Item();
    }

    private sealed class CommonArguments(JsonObject c)
    {
        private double? N(string key) => KerasJson.GetNullableDouble(c, key);

        public LearningRate LearningRate(double fallback) => c["learning_rate"] switch
        {
            JsonObject schedule => LearningRateSchedule.FromConfig(schedule),
            JsonValue v => KerasJson.GetDouble(c, "learning_rate", fallback),
            _ => fallback,
        };

        public double? WeightDecay => N("weight_decay");
        public double? ClipNorm => N("clipnorm");
        public double? ClipValue => N("clipvalue");
        public double? GlobalClipNorm => N("global_clipnorm");
        public bool UseEma => KerasJson.GetBool(c, "use_ema", false);
        public double EmaMomentum => N("ema_momentum") ?? 0.99;
        public int? EmaOverwriteFrequency => KerasJson.GetNullableInt(c, "ema_overwrite_frequency");
        public string? Name => KerasJson.GetNullableString(c, "name");
    }
}
