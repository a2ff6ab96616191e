using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Initializers;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// The base of every layer and cell, following the Keras <c>Layer</c> contract: hyper-parameters in the
/// constructor, weights created once in <see cref="Build"/> (from the first input shape), computation in
/// <see cref="Call(Tensor, CallArguments)"/>, configuration in <see cref="GetConfig"/>.
/// </summary>
/// <remarks>
/// <para>Write your own layer by overriding <see cref="Build"/> (create weights with <c>AddWeight</c>) and
/// <see cref="Call(Tensor, CallArguments)"/> (compute with <see cref="Ops"/>): it trains through autodiff without a
/// hand-written backward. Call layers through <see cref="Apply(Tensor, CallArguments)"/>, which builds on first use,
/// checks the input rank and adds activity-regularization losses, like Keras's <c>__call__</c>.</para>
/// <para>Weights are ordered as Keras orders them: this layer's own weights (trainable, then non-trainable, in
/// creation order), then each tracked sub-layer's weights recursively in tracking order.</para>
/// </remarks>
public abstract class Layer
{
    private static readonly Dictionary<string, int> s_nameCounts = [];
    private readonly List<Variable> _weights = [];
    private readonly List<Layer> _layers = [];
    private readonly List<Tensor> _addedLosses = [];
    private readonly List<Tensor> _activityLosses = [];
    private bool _trainable = true;

    /// <summary>Initializes the base arguments every Keras layer accepts.</summary>
    /// <param name="name">Layer name; null gives a unique snake_case name from the class (<c>lstm</c>, <c>lstm_1</c>, ...).</param>
    /// <param name="trainable">Whether the weights are trained. Default true.</param>
    /// <param name="dtype">Dtype policy name. Default <c>"float32"</c>.</param>
    /// <param name="activityRegularizer">Penalty on the layer's outputs. Default none.</param>
    protected Layer(string? name = null, bool trainable = true, string? dtype = null, Regularizer? activityRegularizer = null)
    {
        _name = name;
        _trainable = trainable;
        DTypePolicy = DTypePolicy.FromConfig(dtype is null ? null : JsonValue.Create(dtype));
        ActivityRegularizer = activityRegularizer;
    }

    /// <summary>The Keras class name used in configs (<c>"LSTM"</c>, <c>"Dense"</c>, ...).</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>The Keras module written into the config envelope. Default <c>"keras.layers"</c>.</summary>
    public virtual string Module => "keras.layers";

    private string? _name;

    /// <summary>The layer's name (by default a unique snake_case form of <see cref="ClassName"/>, given on first use).</summary>
    public string Name
    {
        get => _name ??= UniqueName(ToSnakeCase(ClassName));
        protected set => _name = value;
    }

    /// <summary>The dtype policy (float32 unless configured otherwise).</summary>
    public DTypePolicy DTypePolicy { get; protected set; }

    /// <summary>Penalty on outputs, added to <see cref="Losses"/> as <c>R(y) / batch</c> for each output of a call.</summary>
    public Regularizer? ActivityRegularizer { get; protected set; }

    /// <summary>True once <see cref="Build"/> has run.</summary>
    public bool Built { get; protected set; }

    /// <summary>The input shape the layer was built with (null before).</summary>
    public Shape? BuildInputShape { get; private set; }

    /// <summary>The rank <see cref="Apply(Tensor, CallArguments)"/> requires of its input (e.g. 3 for RNNs); null accepts any.</summary>
    protected virtual int? InputRank => null;

    /// <summary>
    /// Whether the layer is trained. Setting it applies recursively to sub-layers and weights, as in Keras; a
    /// frozen layer keeps its weight order but reports them all as non-trainable.
    /// </summary>
    public bool Trainable
    {
        get => _trainable;
        set
        {
            _trainable = value;
            foreach (var w in _weights) w.Trainable = value && w.TrainableAtCreation;
            foreach (var layer in _layers) layer.Trainable = value;
        }
    }

    /// <summary>Whether the layer passes masks through <see cref="ComputeMask"/>. Default false.</summary>
    public virtual bool SupportsMasking => false;

    /// <summary>Sub-layers tracked by this layer (cells, wrapped layers), in tracking order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    // ------------------------------------------------------------------ weights

    /// <summary>All weights in Keras order.</summary>
    public IReadOnlyList<Variable> Weights
    {
        get
        {
            var result = new List<Variable>();
            var seen = new HashSet<Variable>(ReferenceEqualityComparer.Instance);
            foreach (var w in _weights.Where(w => w.TrainableAtCreation).Concat(_weights.Where(w => !w.TrainableAtCreation)))
                if (seen.Add(w)) result.Add(w);
            foreach (var layer in _layers)
                foreach (var w in layer.Weights)
                    if (seen.Add(w)) result.Add(w);
            return result;
        }
    }

    /// <summary>The weights optimizers update: none when the layer is frozen.</summary>
    public IReadOnlyList<Variable> TrainableWeights => Trainable ? Weights.Where(w => w.Trainable).ToList() : [];

    /// <summary>The weights optimizers leave alone: all of them when the layer is frozen.</summary>
    public IReadOnlyList<Variable> NonTrainableWeights => Trainable ? Weights.Where(w => !w.Trainable).ToList() : Weights.ToList();

    /// <summary>Copies of the weight values, in <see cref="Weights"/> order (Keras <c>get_weights()</c>).</summary>
    public Tensor[] GetWeights() => Weights.Select(w => w.Value.Clone()).ToArray();

    /// <summary>Sets the weight values, in <see cref="Weights"/> order (Keras <c>set_weights()</c>).</summary>
    /// <exception cref="ArgumentException">Wrong count, or a shape that is not exactly the weight's shape.</exception>
    public void SetWeights(IReadOnlyList<Tensor> values)
    {
        values = AdaptLegacyWeights(values);
        var weights = Weights;
        if (values.Count != weights.Count)
            throw new ArgumentException($"Layer '{Name}' ({ClassName}) expects {weights.Count} weight arrays ([{string.Join(", ", weights.Select(w => w.Name + " " + w.Shape))}]) but received {values.Count}.", nameof(values));
        for (int i = 0; i < values.Count; i++)
            if (values[i].Shape != weights[i].Shape)
                throw new ArgumentException($"Layer '{Name}' ({ClassName}): weight {i} ('{weights[i].Name}') has shape {weights[i].Shape} but the value has shape {values[i].Shape}.", nameof(values));
        for (int i = 0; i < values.Count; i++) weights[i].Assign(values[i]);
    }

    /// <summary>
    /// Recognizes weights saved in an older layout (e.g. Keras 2's CuDNNLSTM) by their shapes and converts them to this
    /// layer's layout before <see cref="SetWeights"/> checks them. Default: unchanged.
    /// </summary>
    protected internal virtual IReadOnlyList<Tensor> AdaptLegacyWeights(IReadOnlyList<Tensor> values) => values;

    /// <summary>Total number of weight elements (Keras <c>count_params()</c>).</summary>
    /// <exception cref="InvalidOperationException">The layer is not built yet.</exception>
    public long CountParams()
    {
        if (!Built) throw new InvalidOperationException($"Layer '{Name}' ({ClassName}) is not built yet, so it has no weights to count. Call it on data or call Build first.");
        return Weights.Sum(w => w.Shape.Size);
    }

    /// <summary>
    /// Creates a weight (Keras <c>add_weight</c>), initialized by <paramref name="initializer"/> (default: Glorot uniform
    /// for floats, as Keras) in the policy's variable dtype.
    /// </summary>
    protected Variable AddWeight(string name, Shape shape, Initializer? initializer = null, Regularizer? regularizer = null,
        Constraint? constraint = null, bool trainable = true)
    {
        var value = (initializer ?? new GlorotUniform()).Create(shape, DTypePolicy.VariableDType);
        if (value.Shape != shape)
            throw new InvalidOperationException($"Initializer {initializer?.ClassName} returned shape {value.Shape} for weight '{name}'; expected {shape}.");
        return AddWeight(name, value, regularizer, constraint, trainable);
    }

    /// <summary>Creates a weight from an initial value.</summary>
    protected Variable AddWeight(string name, Tensor initialValue, Regularizer? regularizer = null, Constraint? constraint = null, bool trainable = true)
    {
        var value = initialValue.DType == DTypePolicy.VariableDType ? initialValue.Detach() : Ops.Cast(initialValue.Detach(), DTypePolicy.VariableDType);
        var variable = new Variable(name, value, trainable && _trainable, regularizer, constraint) { TrainableAtCreation = trainable };
        _weights.Add(variable);
        return variable;
    }

    /// <summary>Tracks <paramref name="layer"/> as a sub-layer (its weights follow this layer's own) and returns it.</summary>
    protected T TrackLayer<T>(T layer) where T : Layer
    {
        if (!_layers.Contains(layer)) _layers.Add(layer);
        return layer;
    }

    // ------------------------------------------------------------------ losses

    /// <summary>
    /// Losses of the layer and its sub-layers: weight-regularizer penalties of trainable weights (frozen layers add
    /// none, as in Keras 3), activity-regularizer losses of the last call, and those added with <see cref="AddLoss"/>.
    /// </summary>
    public IReadOnlyList<Tensor> Losses
    {
        get
        {
            var losses = new List<Tensor>();
            foreach (var w in TrainableWeights)
                if (w.Regularizer is { } r) losses.Add(r.Compute(w.Value));
            CollectCallLosses(losses);
            return losses;
        }
    }

    private void CollectCallLosses(List<Tensor> losses)
    {
        losses.AddRange(_activityLosses);
        losses.AddRange(_addedLosses);
        foreach (var layer in _layers) layer.CollectCallLosses(losses);
    }

    /// <summary>Adds a loss computed during <see cref="Call(Tensor, CallArguments)"/> (cleared at the start of the next top-level call).</summary>
    protected void AddLoss(Tensor loss) => _addedLosses.Add(loss);

    private void ClearCallLosses()
    {
        _activityLosses.Clear();
        _addedLosses.Clear();
        foreach (var layer in _layers) layer.ClearCallLosses();
    }

    // ------------------------------------------------------------------ build and call

    /// <summary>Creates the weights for inputs of <paramref name="inputShape"/> (batch first). Override to add weights; call the base.</summary>
    public virtual void Build(Shape inputShape)
    {
        BuildInputShape = inputShape;
        Built = true;
    }

    /// <summary>
    /// Calls the layer like Keras's <c>__call__</c>: converts float inputs to the compute dtype, checks the input rank,
    /// builds on first use, runs <see cref="Call(Tensor, CallArguments)"/> and records activity-regularizer losses.
    /// Returns the layer's outputs in Keras order (e.g. <c>[output, h, c]</c> for an LSTM with <c>return_state</c>).
    /// </summary>
    public Tensor[] Apply(Tensor inputs, CallArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (InputRank is { } rank && inputs.Rank != rank)
            throw new ArgumentException($"Input 0 of layer \"{Name}\" is incompatible with the layer: expected ndim={rank}, found ndim={inputs.Rank}. Full shape received: {inputs.Shape}.", nameof(inputs));
        if (inputs.DType.IsFloatingPoint() && inputs.DType != DTypePolicy.ComputeDType) inputs = Ops.Cast(inputs, DTypePolicy.ComputeDType);
        if (!Built) Build(inputs.Shape);
        ClearCallLosses();
        var outputs = Call(inputs, arguments);
        if (ActivityRegularizer is { } regularizer)
            foreach (var y in outputs)
                _activityLosses.Add(y.Rank == 0 || y.Shape[0] == 0 ? regularizer.Compute(y) : Ops.Multiply(regularizer.Compute(y), 1.0 / y.Shape[0]));
        return outputs;
    }

    /// <summary>Calls the layer and returns its first output.</summary>
    public Tensor Apply(Tensor inputs, bool training = false, Tensor? mask = null) =>
        Apply(inputs, new CallArguments { Training = training, Mask = mask })[0];

    /// <summary>Runs <see cref="Call(Tensor, CallArguments)"/> directly (no build, rank check or activity losses), as wrappers do.</summary>
    internal Tensor[] CallDirect(Tensor inputs, CallArguments arguments) => Call(inputs, arguments);

    /// <summary>The computation (Keras <c>call</c>). Return every output, the main one first.</summary>
    protected abstract Tensor[] Call(Tensor inputs, CallArguments arguments);

    /// <summary>
    /// Calls the layer with <paramref name="weights"/> (in <see cref="Weights"/> order) in place of its own, without
    /// building or changing anything (Keras <c>stateless_call</c>). Gradients flow to the given tensors.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer is not built.</exception>
    public Tensor[] StatelessCall(IReadOnlyList<Tensor> weights, Tensor inputs, CallArguments? arguments = null)
    {
        if (!Built) throw new InvalidOperationException($"StatelessCall: layer '{Name}' must be built first (call Build or call it once).");
        var own = Weights;
        if (weights.Count != own.Count)
            throw new ArgumentException($"StatelessCall: layer '{Name}' has {own.Count} weights but {weights.Count} were passed.", nameof(weights));
        var scopes = new List<IDisposable>();
        try
        {
            for (int i = 0; i < own.Count; i++) scopes.Add(own[i].Substitute(weights[i]));
            return Call(inputs, arguments ?? CallArguments.Default);
        }
        finally
        {
            foreach (var scope in scopes) scope.Dispose();
        }
    }

    /// <summary>The output mask for <paramref name="mask"/> on the input (Keras <c>compute_mask</c>). Default: pass it on when <see cref="SupportsMasking"/>.</summary>
    public virtual Tensor? ComputeMask(Tensor inputs, Tensor? mask) => SupportsMasking ? mask : null;

    // ------------------------------------------------------------------ config

    /// <summary>The layer's Keras config (constructor arguments). Override to add keys; start from the base.</summary>
    public virtual JsonObject GetConfig()
    {
        var config = new JsonObject
        {
            ["name"] = Name,
            ["trainable"] = Trainable,
            ["dtype"] = DTypePolicy.ToConfig(),
        };
        return config;
    }

    /// <summary>The shapes the layer was built with, as Keras writes them (<c>{"input_shape": [null, 10, 8]}</c>); null if not built.</summary>
    public virtual JsonObject? GetBuildConfig()
    {
        if (BuildInputShape is not { } shape) return null;
        var dims = new JsonArray();
        for (int i = 0; i < shape.Rank; i++) dims.Add(i == 0 && !HasStaticBatch ? null : JsonValue.Create(shape[i]));
        return new JsonObject { ["input_shape"] = dims };
    }

    /// <summary>Whether the build batch size matters (stateful layers); otherwise build configs store <c>null</c> for it.</summary>
    protected virtual bool HasStaticBatch => false;

    /// <summary>Builds from a build config written by <see cref="GetBuildConfig"/> (a null batch size builds with 1).</summary>
    public virtual void BuildFromConfig(JsonObject? buildConfig)
    {
        if (buildConfig?["input_shape"] is not JsonArray dims) return;
        Build(new Shape(dims.Select(d => d is null ? 1 : d.GetValue<int>()).ToArray()));
    }

    /// <summary>The Keras 3 envelope: <c>{"module", "class_name", "config", "registered_name", "build_config"}</c>.</summary>
    public JsonObject ToConfig()
    {
        var envelope = new JsonObject
        {
            ["module"] = Module,
            ["class_name"] = ClassName,
            ["config"] = GetConfig(),
            ["registered_name"] = Module.StartsWith("keras.", StringComparison.Ordinal) ? null : ClassName,
        };
        if (GetBuildConfig() is { } build) envelope["build_config"] = build;
        return envelope;
    }

    /// <summary>Writes this layer's own weights (not sub-layers') into <paramref name="store"/> as <c>"0"</c>, <c>"1"</c>, ... (Keras <c>save_own_variables</c>).</summary>
    public virtual void SaveOwnVariables(IDictionary<string, Tensor> store)
    {
        for (int i = 0; i < _weights.Count; i++) store[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = _weights[i].Value.Clone();
    }

    /// <summary>Reads this layer's own weights from <paramref name="store"/> (Keras <c>load_own_variables</c>).</summary>
    /// <exception cref="ArgumentException">The store holds a different number of variables.</exception>
    public virtual void LoadOwnVariables(IReadOnlyDictionary<string, Tensor> store)
    {
        if (store.Count != _weights.Count)
            throw new ArgumentException($"Layer '{Name}' expects {_weights.Count} variables to load, but the store holds {store.Count}.", nameof(store));
        for (int i = 0; i < _weights.Count; i++)
        {
            string key = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!store.TryGetValue(key, out var value))
                throw new ArgumentException($"Layer '{Name}': the store has no variable '{key}'.", nameof(store));
            _weights[i].Assign(value);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{ClassName} '{Name}'";

    private static string UniqueName(string baseName)
    {
        lock (s_nameCounts)
        {
            s_nameCounts.TryGetValue(baseName, out int count);
            s_nameCounts[baseName] = count + 1;
            return count == 0 ? baseName : $"{baseName}_{count}";
        }
    }

    /// <summary>Keras-style snake_case of a class name (<c>SimpleRNN</c> → <c>simple_rnn</c>, <c>ConvLSTM2D</c> → <c>conv_lstm2d</c>).</summary>
    internal static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool boundary = i > 0 && char.IsUpper(c) && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1])));
            if (boundary) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
