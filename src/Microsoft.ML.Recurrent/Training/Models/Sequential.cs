using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Training.Models;

/// <summary>
/// A linear stack of layers (Keras <c>Sequential</c>): each layer's first output feeds the next, and masks flow
/// through <see cref="Layer.ComputeMask"/> (a <c>Masking</c> or <c>Embedding(mask_zero)</c> layer starts one); the
/// final mask weights the loss.
/// </summary>
/// <example>
/// <code>
/// var model = new Sequential([new Lstm(32), new Dense(1)], inputShape: [50, 2]);
/// model.Compile(new Adam(learningRate: 0.01), new MeanSquaredError());
/// var history = model.Fit(x, y, batchSize: 32, epochs: 10, validationSplit: 0.1);
/// </code>
/// </example>
public sealed class Sequential : Model
{
    private readonly List<Layer> _stack = [];
    // Each layer's input and output shape, batch first, null where any size is accepted (as Keras's symbolic shapes).
    private readonly Dictionary<Layer, (int?[] Input, int?[] Output)> _shapes = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the model.</summary>
    /// <param name="layers">The layers in order; null to add them later with <see cref="Add"/>.</param>
    /// <param name="inputShape">The shape of one sample (without the batch axis), null for a dimension of any size (e.g. <c>[null, 8]</c> for sequences of any length with 8 features); given, the model is built at once. Default null (built on first use).</param>
    /// <param name="batchSize">A fixed batch size (required with stateful layers when <paramref name="inputShape"/> is given). Default null.</param>
    /// <param name="name">Model name; null for <c>"sequential"</c>, <c>"sequential_1"</c>, ...</param>
    /// <param name="trainable">Whether the weights are trained. Default true.</param>
    /// <exception cref="ArgumentException">A dimension of <paramref name="inputShape"/> below 1.</exception>
    public Sequential(IEnumerable<Layer>? layers = null, IReadOnlyList<int?>? inputShape = null, int? batchSize = null, string? name = null, bool trainable = true)
        : base(name, trainable)
    {
        foreach (var layer in layers ?? []) Add(layer);
        if (inputShape is not null)
        {
            if (batchSize is <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch_size must be a positive integer or null.");
            if (inputShape.Any(d => d is < 1))
                throw new ArgumentException($"Input dimensions must be positive or null (any size); got {KerasTensor.Format(inputShape)}.", nameof(inputShape));
            InputShape = inputShape.ToArray();
            BatchSize = batchSize;
            if (_stack.Count > 0) Build(ProbeShape(batchSize ?? 1, 1));
        }
    }

    /// <summary>The shape of one sample (no batch axis), when declared or built; null marks a dimension of any size (Keras <c>None</c>).</summary>
    public IReadOnlyList<int?>? InputShape { get; private set; }

    /// <summary>The fixed batch size, or null.</summary>
    public int? BatchSize { get; private set; }

    /// <summary>Appends a layer (Keras <c>add</c>).</summary>
    /// <exception cref="ArgumentException">The layer is already in the model.</exception>
    /// <exception cref="InvalidOperationException">The model is already built.</exception>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (_stack.Contains(layer)) throw new ArgumentException($"Layer '{layer.Name}' is already in model '{Name}'.", nameof(layer));
        if (Built) throw new InvalidOperationException($"Model '{Name}' is already built; create a new Sequential to add layers.");
        _stack.Add(TrackLayer(layer));
    }

    /// <summary>
    /// Builds every layer for inputs of <paramref name="inputShape"/> by running a sample of zeros through the stack (batch 1,
    /// or the full batch when stateful). Dimensions declared unknown in <see cref="InputShape"/> are probed at sizes 1 and 2,
    /// as functional models do: the layer dimensions that change with them are unknown (<c>None</c>) too.
    /// </summary>
    public override void Build(Shape inputShape)
    {
        if (Built) return;
        if (_stack.Count == 0) throw new InvalidOperationException($"Sequential model '{Name}' has no layers; add layers before building or calling it.");
        InputShape ??= inputShape.Dims[1..].ToArray().Select(d => (int?)d).ToArray();
        int batch = IsStateful ? inputShape[0] : 1;
        var small = new List<(Shape Input, Shape Output)>();
        var large = small;
        using (Autodiff.NoGrad())
        {
            Run(Tensor.Zeros(ProbeShape(batch, 1), DTypePolicy.ComputeDType), false, null, out _, small);
            if (InputShape.Any(d => d is null))
            {
                large = [];
                Run(Tensor.Zeros(ProbeShape(batch, 2), DTypePolicy.ComputeDType), false, null, out _, large);
            }
        }
        // The probes must not leave anything behind in carried states.
        ResetStates();
        int? batchDim = BatchSize ?? (IsStateful ? batch : null);
        for (int i = 0; i < _stack.Count; i++)
            _shapes[_stack[i]] = (Symbolic(small[i].Input, large[i].Input, batchDim), Symbolic(small[i].Output, large[i].Output, batchDim));
        base.Build(inputShape);
    }

    /// <summary>Builds from a build config; its <c>null</c> non-batch dimensions become dimensions of any size, as in Keras.</summary>
    public override void BuildFromConfig(JsonObject? buildConfig)
    {
        if (!Built && InputShape is null && buildConfig?["input_shape"] is JsonArray { Count: >= 2 } dims)
            InputShape = dims.Skip(1).Select(d => d is null ? (int?)null : KerasJson.TryReadInt(d, out int v) ? v
                : throw new FormatException($"A build config input_shape holds integers and nulls; got {KerasJson.Describe(dims)}.")).ToArray();
        base.BuildFromConfig(buildConfig);
    }

    /// <summary>A concrete input shape: <paramref name="batch"/>, then <see cref="InputShape"/> with <paramref name="unknown"/> for its unknown dimensions.</summary>
    private Shape ProbeShape(int batch, int unknown) => new([batch, .. InputShape!.Select(d => d ?? unknown)]);

    /// <summary>The dimensions two probes agree on; the others (and the batch, unless fixed) are unknown.</summary>
    private static int?[] Symbolic(Shape small, Shape large, int? batch) =>
        Enumerable.Range(0, small.Rank).Select(d => d == 0 ? batch : small[d] == large[d] ? small[d] : (int?)null).ToArray();

    /// <inheritdoc/>
    protected override bool HasStaticBatch => BatchSize is not null;

    /// <inheritdoc/>
    protected internal override Tensor Forward(Tensor inputs, bool training, Tensor? mask, out Tensor? outputMask) =>
        Run(inputs, training, mask, out outputMask, null);

    /// <summary>Runs the stack; <paramref name="shapes"/>, when given, receives each layer's input and output shape.</summary>
    private Tensor Run(Tensor inputs, bool training, Tensor? mask, out Tensor? outputMask, List<(Shape Input, Shape Output)>? shapes)
    {
        var x = inputs;
        foreach (var layer in _stack)
        {
            var y = layer.Apply(x, new CallArguments { Training = training, Mask = mask })[0];
            mask = layer.ComputeMask(x, mask);
            shapes?.Add((x.Shape, y.Shape));
            x = y;
        }
        outputMask = mask;
        return x;
    }

    /// <summary>Keras's table: output shapes with <c>None</c> for the batch (shown for stateful recurrent layers) and for dimensions of any size.</summary>
    private protected override IReadOnlyList<(string Name, string Shape, string Params, IReadOnlyList<string>? ConnectedTo)> SummaryTable() =>
        _stack.Select(l => (
            $"{l.Name} ({l.ClassName})",
            _shapes.TryGetValue(l, out var s) ? KerasTensor.Format(l.IsStatefulRnn() ? s.Output : [null, .. s.Output[1..]]) : "?",
            ParamCount(l),
            (IReadOnlyList<string>?)null)).ToList();

    /// <summary>The built input shape as Keras writes it: <c>null</c> for the batch (unless fixed) and for dimensions of any size.</summary>
    public override JsonObject? GetBuildConfig() => WithUnknownDims(base.GetBuildConfig(), InputShape is null ? null : [null, .. InputShape]);

    /// <summary>Sets the dimensions that are unknown in <paramref name="shape"/> to null in a build config's <c>input_shape</c>.</summary>
    private static JsonObject? WithUnknownDims(JsonObject? buildConfig, IReadOnlyList<int?>? shape)
    {
        if (buildConfig?["input_shape"] is JsonArray dims && shape is not null && dims.Count == shape.Count)
            for (int i = 1; i < dims.Count; i++)
                if (shape[i] is null) dims[i] = null;
        return buildConfig;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        var layers = new JsonArray();
        if (InputShape is not null)
        {
            var batchShape = KerasTensor.ToConfig([BatchSize, .. InputShape]);
            layers.Add(new JsonObject
            {
                ["module"] = "keras.layers",
                ["class_name"] = "InputLayer",
                ["config"] = new JsonObject
                {
                    ["batch_shape"] = batchShape,
                    ["dtype"] = DTypePolicy.ComputeDType.KerasName(),
                    ["sparse"] = false,
                    ["ragged"] = false,
                    ["name"] = "input_layer",
                },
                ["registered_name"] = null,
            });
        }
        foreach (var layer in _stack)
        {
            var entry = layer.ToConfig();
            // The layer was built from a probe; its build shape keeps Keras's None for dimensions of any size.
            if (entry["build_config"] is JsonObject build && _shapes.TryGetValue(layer, out var shapes)) WithUnknownDims(build, shapes.Input);
            layers.Add(entry);
        }
        config["layers"] = layers;
        if (InputShape is not null) config["build_input_shape"] = KerasTensor.ToConfig([BatchSize, .. InputShape]);
        return config;
    }

    /// <summary>Creates the model from a Keras <c>Sequential</c> config (an <c>InputLayer</c> entry, or <c>build_input_shape</c>, sets the input shape; <c>null</c> dimensions take any size).</summary>
    /// <exception cref="FormatException">Malformed config or unknown layer class.</exception>
    public static Sequential FromConfig(JsonObject config)
    {
        var layerConfigs = config["layers"] as JsonArray ?? throw new FormatException("A Sequential config needs a \"layers\" array.");
        IReadOnlyList<int?>? inputShape = null;
        int? batchSize = null;
        var layers = new List<Layer>();
        foreach (var node in layerConfigs)
        {
            if (node is JsonObject o && o["class_name"]?.GetValue<string>() == "InputLayer")
            {
                var input = InputLayer.FromConfig(o["config"] as JsonObject ?? throw new FormatException("An InputLayer entry needs a \"config\" object."));
                batchSize = input.BatchShape[0];
                inputShape = input.BatchShape.Skip(1).ToArray();
                continue;
            }
            layers.Add(KerasLayers.Deserialize(node!));
        }
        if (inputShape is null && config["build_input_shape"] is JsonArray build)
        {
            batchSize = build[0] is null ? null : build[0]!.GetValue<int>();
            inputShape = build.Skip(1).Select(d => d is null ? (int?)null : d.GetValue<int>()).ToArray();
        }
        string? name = config["name"] is JsonValue n ? n.GetValue<string>() : null;
        bool trainable = config["trainable"] is not JsonValue t || t.GetValue<bool>();
        return new Sequential(layers, inputShape, batchSize, name, trainable);
    }
}
