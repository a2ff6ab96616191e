using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Layers;
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
    private readonly Dictionary<Layer, Shape> _outputShapes = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the model.</summary>
    /// <param name="layers">The layers in order; null to add them later with <see cref="Add"/>.</param>
    /// <param name="inputShape">The shape of one sample (without the batch axis); given, the model is built at once. Default null (built on first use).</param>
    /// <param name="batchSize">A fixed batch size (required with stateful layers when <paramref name="inputShape"/> is given). Default null.</param>
    /// <param name="name">Model name; null for <c>"sequential"</c>, <c>"sequential_1"</c>, ...</param>
    /// <param name="trainable">Whether the weights are trained. Default true.</param>
    public Sequential(IEnumerable<Layer>? layers = null, int[]? inputShape = null, int? batchSize = null, string? name = null, bool trainable = true)
        : base(name, trainable)
    {
        foreach (var layer in layers ?? []) Add(layer);
        if (inputShape is not null)
        {
            if (batchSize is <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch_size must be a positive integer or null.");
            InputShape = inputShape.ToArray();
            BatchSize = batchSize;
            if (_stack.Count > 0) Build(new Shape([batchSize ?? 1, .. inputShape]));
        }
    }

    /// <summary>The shape of one sample (no batch axis), when declared or built.</summary>
    public int[]? InputShape { get; private set; }

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

    /// <summary>Builds every layer for inputs of <paramref name="inputShape"/> by running a sample of zeros through the stack (batch 1, or the full batch when stateful).</summary>
    public override void Build(Shape inputShape)
    {
        if (Built) return;
        if (_stack.Count == 0) throw new InvalidOperationException($"Sequential model '{Name}' has no layers; add layers before building or calling it.");
        InputShape ??= inputShape.Dims[1..].ToArray();
        int batch = IsStateful ? inputShape[0] : 1;
        using (Autodiff.NoGrad())
        {
            var probe = Tensor.Zeros(inputShape.With(0, batch), DTypePolicy.ComputeDType);
            Forward(probe, false, null, out _);
        }
        // The probe must not leave anything behind in carried states.
        ResetStates();
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    protected override bool HasStaticBatch => BatchSize is not null;

    /// <inheritdoc/>
    protected internal override Tensor Forward(Tensor inputs, bool training, Tensor? mask, out Tensor? outputMask)
    {
        var x = inputs;
        foreach (var layer in _stack)
        {
            var y = layer.Apply(x, new CallArguments { Training = training, Mask = mask })[0];
            mask = layer.ComputeMask(x, mask);
            _outputShapes[layer] = y.Shape;
            x = y;
        }
        outputMask = mask;
        return x;
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<(Layer Layer, Shape? OutputShape)> SummaryRows() =>
        _stack.Select(l => (l, _outputShapes.TryGetValue(l, out var s) ? (Shape?)s : null)).ToList();

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        var layers = new JsonArray();
        if (InputShape is not null)
        {
            var batchShape = new JsonArray { BatchSize is { } b ? JsonValue.Create(b) : null };
            foreach (int d in InputShape) batchShape.Add(d);
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
        foreach (var layer in _stack) layers.Add(layer.ToConfig());
        config["layers"] = layers;
        if (InputShape is not null)
        {
            var shape = new JsonArray { BatchSize is { } b ? JsonValue.Create(b) : null };
            foreach (int d in InputShape) shape.Add(d);
            config["build_input_shape"] = shape;
        }
        return config;
    }

    /// <summary>Creates the model from a Keras <c>Sequential</c> config (an <c>InputLayer</c> entry sets the input shape).</summary>
    /// <exception cref="FormatException">Malformed config or unknown layer class.</exception>
    public static Sequential FromConfig(JsonObject config)
    {
        var layerConfigs = config["layers"] as JsonArray ?? throw new FormatException("A Sequential config needs a \"layers\" array.");
        int[]? inputShape = null;
        int? batchSize = null;
        var layers = new List<Layer>();
        foreach (var node in layerConfigs)
        {
            if (node is JsonObject o && o["class_name"]?.GetValue<string>() == "InputLayer")
            {
                var shape = (o["config"]?["batch_shape"] ?? o["config"]?["batch_input_shape"]) as JsonArray
                    ?? throw new FormatException("An InputLayer config needs \"batch_shape\".");
                batchSize = shape[0] is null ? null : shape[0]!.GetValue<int>();
                inputShape = shape.Skip(1).Select(d => d?.GetValue<int>() ?? throw new FormatException("Only the batch dimension of an input shape may be null.")).ToArray();
                continue;
            }
            layers.Add(KerasLayers.Deserialize(node!));
        }
        if (inputShape is null && config["build_input_shape"] is JsonArray build)
        {
            batchSize = build[0] is null ? null : build[0]!.GetValue<int>();
            inputShape = build.Skip(1).Select(d => d!.GetValue<int>()).ToArray();
        }
        string? name = config["name"] is JsonValue n ? n.GetValue<string>() : null;
        bool trainable = config["trainable"] is not JsonValue t || t.GetValue<bool>();
        return new Sequential(layers, inputShape, batchSize, name, trainable);
    }
}
