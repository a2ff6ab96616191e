using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Training.Models;

/// <summary>
/// A model defined as a graph of layer calls (Keras functional API, <c>keras.Model(inputs, outputs)</c>): any number of
/// inputs and outputs, shared layers (one layer called on several tensors, its weights counted once), merge layers,
/// and recurrent states passed between layers as <c>initial_state</c>.
/// </summary>
/// <example>
/// Keras's sequence-to-sequence example (an encoder's final states start the decoder):
/// <code>
/// var encoderInputs = Functional.Input([null, 8]);
/// var encoder = new Lstm(32, returnState: true).ApplyAll(encoderInputs);          // [outputs, h, c]
/// var decoderInputs = Functional.Input([null, 8]);
/// var decoded = new Lstm(32, returnSequences: true).Apply(decoderInputs, initialState: [encoder[1], encoder[2]]);
/// var outputs = new Dense(8, activation: "softmax").Apply(decoded);
/// var model = new Functional([encoderInputs, decoderInputs], [outputs]);
/// model.Compile(new Adam(), new CategoricalCrossentropy());
/// model.Fit([encoderData, decoderData], [decoderTargets], epochs: 10);
/// </code>
/// </example>
public sealed class Functional : Model
{
    private readonly KerasTensor[] _inputs;
    private readonly KerasTensor[] _outputs;
    private readonly List<Node> _nodes = [];
    private readonly Dictionary<Layer, List<Node>> _layerNodes = new(ReferenceEqualityComparer.Instance);
    private readonly string[] _outputNames;

    /// <summary>Creates a model with one input and one output.</summary>
    /// <param name="input">A tensor from <see cref="Input"/>.</param>
    /// <param name="output">A tensor computed from <paramref name="input"/> by layer calls.</param>
    /// <param name="name">Model name; null for <c>"functional"</c>, <c>"functional_1"</c>, ...</param>
    /// <param name="trainable">Whether the weights are trained. Default true.</param>
    /// <exception cref="ArgumentException">The output cannot be computed from the input.</exception>
    public Functional(KerasTensor input, KerasTensor output, string? name = null, bool trainable = true)
        : this([input], [output], name, trainable)
    {
    }

    /// <summary>Creates a model from its input tensors and the output tensors computed from them.</summary>
    /// <param name="inputs">Tensors from <see cref="Input"/>, in the order <c>Fit</c> and <c>Predict</c> take the data.</param>
    /// <param name="outputs">Tensors computed from <paramref name="inputs"/> by layer calls, in the order the model returns them.</param>
    /// <param name="name">Model name; null for <c>"functional"</c>, <c>"functional_1"</c>, ...</param>
    /// <param name="trainable">Whether the weights are trained. Default true.</param>
    /// <exception cref="ArgumentException">No inputs or outputs, an input that is not from <see cref="Input"/>, a repeated input, an output that needs an input not in <paramref name="inputs"/> (graph disconnected), or two layers with one name.</exception>
    public Functional(IReadOnlyList<KerasTensor> inputs, IReadOnlyList<KerasTensor> outputs, string? name = null, bool trainable = true)
        : base(name, trainable)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (inputs.Count == 0) throw new ArgumentException("A functional model needs at least one input tensor (from Functional.Input).", nameof(inputs));
        if (outputs.Count == 0) throw new ArgumentException("A functional model needs at least one output tensor.", nameof(outputs));
        if (inputs.Any(t => t is null) || outputs.Any(t => t is null)) throw new ArgumentException("Model inputs and outputs must not be null.", inputs.Any(t => t is null) ? nameof(inputs) : nameof(outputs));
        foreach (var t in inputs)
            if (t.Layer is not InputLayer)
                throw new ArgumentException($"Model inputs must be tensors returned by Functional.Input; {t} is an output of layer '{t.Layer.Name}' ({t.Layer.ClassName}).", nameof(inputs));
        if (inputs.Distinct().Count() != inputs.Count)
            throw new ArgumentException($"The same input tensor appears more than once in the model inputs ({string.Join(", ", inputs.Select(t => t.Layer.Name))}).", nameof(inputs));
        _inputs = inputs.ToArray();
        _outputs = outputs.ToArray();

        var inputSet = new HashSet<KerasTensor>(_inputs);
        var visited = new HashSet<Node>();
        foreach (var t in _outputs) Visit(t, null, inputSet, visited);

        var layers = _inputs.Select(t => t.Layer).Concat(_nodes.Select(n => n.Layer)).Distinct().ToList();
        foreach (var group in layers.GroupBy(l => l.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            throw new ArgumentException($"The name \"{group.Key}\" is used {group.Count()} times in the model. All layer names should be unique.", nameof(outputs));
        foreach (var layer in layers)
        {
            TrackLayer(layer);
            // Keras numbers a layer's nodes by call order; only the calls inside this model count.
            _layerNodes[layer] = Node.Of(layer).Where(n => n.Layer is InputLayer ? _inputs.Contains(n.Outputs[0]) : _nodes.Contains(n)).ToList();
        }
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        _outputNames = _outputs.Select(t =>
        {
            int count = used.TryGetValue(t.Layer.Name, out int c) ? c : 0;
            used[t.Layer.Name] = count + 1;
            return count == 0 ? t.Layer.Name : $"{t.Layer.Name}_{count}";
        }).ToArray();
        // Every layer was built by its symbolic call; the model is ready to run.
        base.Build(new Shape(_inputs[0].Shape.Select(d => d ?? 1).ToArray()));
    }

    private void Visit(KerasTensor tensor, Layer? consumer, HashSet<KerasTensor> inputs, HashSet<Node> visited)
    {
        var node = tensor.Node;
        if (node.Layer is InputLayer)
        {
            if (!inputs.Contains(tensor))
                throw new ArgumentException($"Graph disconnected: cannot obtain value for tensor {tensor}{(consumer is null ? " (a model output)" : $" at layer '{consumer.Name}'")}. "
                    + $"It comes from input '{node.Layer.Name}', which is not among the model inputs [{string.Join(", ", inputs.Select(t => t.Layer.Name))}]. Pass it in the inputs list.", "outputs");
            return;
        }
        if (!visited.Add(node)) return;
        foreach (var dependency in node.Dependencies) Visit(dependency, node.Layer, inputs, visited);
        _nodes.Add(node);
    }

    /// <summary>
    /// A symbolic model input (Keras <c>keras.Input</c>): the shape of one sample, without the batch axis.
    /// </summary>
    /// <param name="shape">The sample shape; null for a dimension of any size (e.g. <c>[null, 8]</c> for sequences of any length with 8 features).</param>
    /// <param name="batchSize">A fixed batch size (needed by stateful recurrent layers); null for any.</param>
    /// <param name="name">The input layer's name; null for <c>input_layer</c>, <c>input_layer_1</c>, ...</param>
    /// <param name="dtype">The data type (<c>"float32"</c>, <c>"float64"</c> or <c>"int32"</c> for token ids). Default <c>"float32"</c>.</param>
    /// <exception cref="ArgumentException">An empty shape or a dimension below 1.</exception>
    public static KerasTensor Input(IReadOnlyList<int?> shape, int? batchSize = null, string? name = null, string dtype = "float32")
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Node.CreateInput(new InputLayer([batchSize, .. shape], dtype, name));
    }

    /// <summary>The model's input tensors, in data order.</summary>
    public IReadOnlyList<KerasTensor> Inputs => _inputs;

    /// <summary>The model's output tensors, in output order.</summary>
    public IReadOnlyList<KerasTensor> Outputs => _outputs;

    /// <inheritdoc/>
    public override int InputCount => _inputs.Length;

    /// <inheritdoc/>
    public override int OutputCount => _outputs.Length;

    /// <summary>The output names: the names of the layers producing them (made unique with <c>_1</c>, ... when one layer gives several).</summary>
    public override IReadOnlyList<string> OutputNames => _outputNames;

    /// <inheritdoc/>
    protected override bool HasStaticBatch => _inputs[0].Shape[0] is not null;

    /// <summary>Nothing to do: a functional model is built when it is created.</summary>
    public override void Build(Shape inputShape)
    {
    }

    /// <inheritdoc/>
    public override JsonObject? GetBuildConfig() => null;

    // ------------------------------------------------------------------ running

    /// <inheritdoc/>
    protected internal override Tensor Forward(Tensor inputs, bool training, Tensor? mask, out Tensor? outputMask)
    {
        var outputs = Run([inputs], training, mask, out var masks);
        outputMask = masks[0];
        return outputs[0];
    }

    /// <inheritdoc/>
    protected internal override Tensor[] ForwardAll(IReadOnlyList<Tensor> inputs, bool training, out Tensor?[] outputMasks) =>
        Run(inputs, training, null, out outputMasks);

    /// <summary>As a layer inside another model: one input, every output returned.</summary>
    protected override Tensor[] Call(Tensor inputs, CallArguments arguments) => Run([inputs], arguments.Training, arguments.Mask, out _);

    private Tensor[] Run(IReadOnlyList<Tensor> inputs, bool training, Tensor? firstMask, out Tensor?[] outputMasks)
    {
        CheckInputs(inputs);
        var values = new Dictionary<KerasTensor, Tensor>();
        var masks = new Dictionary<KerasTensor, Tensor?>();
        for (int i = 0; i < _inputs.Length; i++)
        {
            values[_inputs[i]] = inputs[i];
            masks[_inputs[i]] = i == 0 ? firstMask : null;
        }
        foreach (var node in _nodes)
        {
            var outputs = Node.Execute(node.Layer, node.Inputs.Select(t => values[t]).ToList(), node.InitialState.Select(t => values[t]).ToList(),
                training, node.Inputs.Select(t => masks[t]).ToList(), out var outMasks);
            if (outputs.Length != node.Outputs.Length)
                throw new InvalidOperationException($"Layer '{node.Layer.Name}' returned {outputs.Length} outputs but returned {node.Outputs.Length} when the model was defined.");
            for (int k = 0; k < outputs.Length; k++)
            {
                values[node.Outputs[k]] = outputs[k];
                masks[node.Outputs[k]] = outMasks[k];
            }
        }
        outputMasks = _outputs.Select(t => masks[t]).ToArray();
        return _outputs.Select(t => values[t]).ToArray();
    }

    private void CheckInputs(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count != _inputs.Length)
            throw new ArgumentException($"Model '{Name}' expects {_inputs.Length} input{(_inputs.Length == 1 ? "" : "s")} ({string.Join(", ", _inputs.Select(t => t.Layer.Name))}), but it received {inputs.Count} input tensors.", nameof(inputs));
        for (int i = 0; i < inputs.Count; i++)
        {
            var expected = _inputs[i].Shape;
            var shape = inputs[i].Shape;
            bool ok = shape.Rank == expected.Count;
            for (int d = 0; ok && d < expected.Count; d++) ok = expected[d] is not { } e || shape[d] == e;
            if (!ok)
                throw new ArgumentException($"Input {i} ('{_inputs[i].Layer.Name}') of model '{Name}' is incompatible: expected shape {KerasTensor.Format(expected)}, found shape {shape}.", nameof(inputs));
        }
    }

    // ------------------------------------------------------------------ summary

    /// <summary>Keras's functional summary: one row per layer, with a "Connected to" column naming each input as <c>layer[node][tensor]</c>.</summary>
    private protected override IReadOnlyList<(string Name, string Shape, string Params, IReadOnlyList<string>? ConnectedTo)> SummaryTable() =>
        Layers.Select(layer =>
        {
            var nodes = _layerNodes[layer];
            var outputs = nodes.Count == 0 ? [] : nodes[0].Outputs;
            string shape = outputs.Length == 1 ? KerasTensor.Format(outputs[0].Shape) : "[" + string.Join(", ", outputs.Select(t => KerasTensor.Format(t.Shape))) + "]";
            var connected = nodes.SelectMany(n => n.Dependencies).Select(History).ToList();
            return ($"{layer.Name} ({layer.ClassName})", shape, layer is InputLayer ? "0" : ParamCount(layer), (IReadOnlyList<string>?)(connected.Count == 0 ? ["-"] : connected));
        }).ToList();

    private string History(KerasTensor t) =>
        $"{t.Layer.Name}[{_layerNodes[t.Layer].IndexOf(t.Node).ToString(CultureInfo.InvariantCulture)}][{t.Index.ToString(CultureInfo.InvariantCulture)}]";

    // ------------------------------------------------------------------ config

    /// <summary>
    /// The Keras 3 functional config: <c>name</c>, <c>trainable</c>, <c>layers</c> (each layer's envelope with its
    /// <c>name</c> and <c>inbound_nodes</c> as <c>{"args": [...], "kwargs": {...}}</c> of <c>__keras_tensor__</c>
    /// references <c>[layer, node, tensor]</c>), <c>input_layers</c> and <c>output_layers</c>.
    /// </summary>
    public override JsonObject GetConfig()
    {
        var layers = new JsonArray();
        foreach (var layer in Layers)
        {
            var entry = layer.ToConfig();
            entry["name"] = layer.Name;
            // The layer was built from a probe; the symbolic shapes keep Keras's None for any-size dimensions.
            if (entry.ContainsKey("build_config") && _layerNodes[layer].FirstOrDefault() is { Inputs.Count: > 0 } first)
                entry["build_config"] = new JsonObject
                {
                    ["input_shape"] = layer is Merge ? new JsonArray(first.Inputs.Select(t => (JsonNode)KerasTensor.ToConfig(t.Shape)).ToArray()) : KerasTensor.ToConfig(first.Inputs[0].Shape),
                };
            var inbound = new JsonArray();
            foreach (var node in _layerNodes[layer].Where(n => n.Layer is not InputLayer))
            {
                var args = new JsonArray { node.Layer is Merge ? new JsonArray(node.Inputs.Select(t => (JsonNode)TensorConfig(t)).ToArray()) : TensorConfig(node.Inputs[0]) };
                var kwargs = new JsonObject();
                if (node.InitialState.Count > 0) kwargs["initial_state"] = new JsonArray(node.InitialState.Select(t => (JsonNode)TensorConfig(t)).ToArray());
                inbound.Add(new JsonObject { ["args"] = args, ["kwargs"] = kwargs });
            }
            entry["inbound_nodes"] = inbound;
            layers.Add(entry);
        }
        return new JsonObject
        {
            ["name"] = Name,
            ["trainable"] = Trainable,
            ["layers"] = layers,
            ["input_layers"] = new JsonArray(_inputs.Select(t => (JsonNode)Reference(t)).ToArray()),
            ["output_layers"] = new JsonArray(_outputs.Select(t => (JsonNode)Reference(t)).ToArray()),
        };
    }

    private JsonArray Reference(KerasTensor t) => [t.Layer.Name, _layerNodes[t.Layer].IndexOf(t.Node), t.Index];

    private JsonObject TensorConfig(KerasTensor t) => new()
    {
        ["class_name"] = "__keras_tensor__",
        ["config"] = new JsonObject
        {
            ["shape"] = KerasTensor.ToConfig(t.Shape),
            ["dtype"] = t.DType.KerasName(),
            ["keras_history"] = Reference(t),
        },
    };

    /// <summary>
    /// Creates the model from a functional config: Keras 3 (<c>inbound_nodes</c> as <c>{"args", "kwargs"}</c>) or Keras 2
    /// (<c>inbound_nodes</c> as <c>[[[layer, node, tensor, kwargs], ...]]</c>, where a recurrent layer's extra inbound
    /// tensors are its initial states). Layers are created from their configs and called in dependency order, as Keras does.
    /// </summary>
    /// <exception cref="FormatException">Malformed config, an unknown layer class, or a reference to a layer or node that does not exist.</exception>
    public static Functional FromConfig(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var entries = config["layers"] as JsonArray ?? throw new FormatException("A functional config needs a \"layers\" array.");
        bool keras2 = entries.OfType<JsonObject>().Any(e => e["inbound_nodes"] is JsonArray { Count: > 0 } nodes && nodes[0] is JsonArray);
        var created = new Dictionary<string, List<KerasTensor[]>>(StringComparer.Ordinal);
        var pending = new List<(string Name, Layer Layer, Queue<JsonNode> Nodes)>();
        foreach (var item in entries)
        {
            if (item is not JsonObject entry) throw new FormatException($"Each entry of \"layers\" must be a layer config object; got {KerasJson.Describe(item)}.");
            string className = entry["class_name"]?.GetValue<string>() ?? throw new FormatException($"A layer entry has no \"class_name\": {KerasJson.Describe(entry)}.");
            string name = KerasJson.GetNullableString(entry, "name") ?? entry["config"]?["name"]?.GetValue<string>()
                ?? throw new FormatException($"A {className} entry has no \"name\".");
            if (created.ContainsKey(name)) throw new FormatException($"The layer name '{name}' appears twice in the functional config.");
            if (className == "InputLayer")
            {
                var input = InputLayer.FromConfig(entry["config"] as JsonObject ?? throw new FormatException($"InputLayer '{name}' has no config."));
                created[name] = [[Node.CreateInput(input)]];
                continue;
            }
            var layer = KerasLayers.Deserialize(entry, keras2);
            created[name] = [];
            var nodes = entry["inbound_nodes"] as JsonArray ?? [];
            pending.Add((name, layer, new Queue<JsonNode>(nodes.Select(n => n ?? throw new FormatException($"Layer '{name}' has a null inbound node.")))));
        }

        // A shared layer's second call may need layers listed after it, so calls are made as their inputs appear.
        bool progress = true;
        while (progress && pending.Any(p => p.Nodes.Count > 0))
        {
            progress = false;
            foreach (var (name, layer, nodes) in pending)
            {
                while (nodes.Count > 0 && TryCall(layer, nodes.Peek(), keras2, created, out var nodeOutputs))
                {
                    nodes.Dequeue();
                    created[name].Add(nodeOutputs);
                    progress = true;
                }
            }
        }
        var stuck = pending.Where(p => p.Nodes.Count > 0).ToList();
        if (stuck.Count > 0)
            throw new FormatException($"Could not compute the inbound nodes of layer{(stuck.Count == 1 ? "" : "s")} {string.Join(", ", stuck.Select(p => $"'{p.Name}'"))}: "
                + $"they refer to layers or nodes that the config does not define ({string.Join("; ", stuck.Select(p => KerasJson.Describe(p.Nodes.Peek())))}).");

        var inputs = ReadReferences(config["input_layers"], "input_layers").Select(r => Resolve(r, created) ?? throw Missing(r, "input_layers")).ToList();
        var outputs = ReadReferences(config["output_layers"], "output_layers").Select(r => Resolve(r, created) ?? throw Missing(r, "output_layers")).ToList();
        string? modelName = KerasJson.GetNullableString(config, "name");
        bool trainable = KerasJson.GetBool(config, "trainable", true);
        try
        {
            return new Functional(inputs, outputs, modelName, trainable);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"The functional config does not describe a valid model: {e.Message}", e);
        }
    }

    private static FormatException Missing(JsonNode reference, string key) =>
        new($"\"{key}\" refers to {KerasJson.Describe(reference)}, which no layer in the config produces.");

    /// <summary>Reads one inbound node; false when a tensor it needs is not created yet.</summary>
    private static bool TryCall(Layer layer, JsonNode node, bool keras2, Dictionary<string, List<KerasTensor[]>> created, out KerasTensor[] outputs)
    {
        outputs = [];
        List<KerasTensor?> inputs;
        List<KerasTensor?> states = [];
        if (node is JsonObject keras3)
        {
            var args = keras3["args"] as JsonArray ?? throw new FormatException($"Layer '{layer.Name}': an inbound node needs \"args\"; got {KerasJson.Describe(node)}.");
            if (args.Count != 1) throw new FormatException($"Layer '{layer.Name}': an inbound node takes one positional argument (a tensor or a list of tensors); got {KerasJson.Describe(args)}.");
            inputs = args[0] is JsonArray list ? list.Select(t => ResolveTensor(t, layer, created)).ToList() : [ResolveTensor(args[0], layer, created)];
            foreach (var (key, value) in keras3["kwargs"] as JsonObject ?? [])
            {
                switch (key)
                {
                    case "initial_state":
                        states = value is JsonArray s ? s.Select(t => ResolveTensor(t, layer, created)).ToList() : value is null ? [] : [ResolveTensor(value, layer, created)];
                        break;
                    case "training":
                        // Keras 3 records it, but the model's own training mode overrides it at every call.
                        break;
                    case "mask" when value is null:
                        break;
                    default:
                        throw new FormatException($"Layer '{layer.Name}': the call argument '{key}' = {KerasJson.Describe(value)} in its inbound node is not supported (supported: initial_state, training, mask=null).");
                }
            }
        }
        else if (node is JsonArray keras2Node)
        {
            inputs = [];
            foreach (var item in keras2Node)
            {
                if (item is not JsonArray reference || reference.Count < 3)
                    throw new FormatException($"Layer '{layer.Name}': a Keras 2 inbound tensor is [layer, node, tensor, kwargs]; got {KerasJson.Describe(item)}.");
                inputs.Add(Resolve(reference, created));
                if (reference.Count > 3 && reference[3] is JsonObject kwargs)
                    foreach (var (key, value) in kwargs)
                    {
                        if (key != "training" && (key != "mask" || value is not null))
                            throw new FormatException($"Layer '{layer.Name}': the call argument '{key}' in its Keras 2 inbound node is not supported.");
                    }
            }
            // Keras 2 passes a recurrent layer's initial_state as extra inbound tensors after the sequence.
            if (layer is not Merge && inputs.Count > 1 && layer is Rnn or Bidirectional)
            {
                states = inputs.Skip(1).ToList();
                inputs = inputs.Take(1).ToList();
            }
        }
        else
        {
            throw new FormatException($"Layer '{layer.Name}': an inbound node must be an object (Keras 3) or a list (Keras 2); got {KerasJson.Describe(node)}.");
        }
        if (inputs.Any(t => t is null) || states.Any(t => t is null)) return false;
        try
        {
            outputs = Node.Create(layer, inputs.Select(t => t!).ToList(), states.Count > 0 ? states.Select(t => t!).ToList() : null);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"Layer '{layer.Name}' cannot be called as the config describes: {e.Message}", e);
        }
        return true;
    }

    private static KerasTensor? ResolveTensor(JsonNode? node, Layer layer, Dictionary<string, List<KerasTensor[]>> created)
    {
        if (node is not JsonObject { } obj || obj["class_name"]?.GetValue<string>() != "__keras_tensor__" || obj["config"]?["keras_history"] is not JsonArray history)
            throw new FormatException($"Layer '{layer.Name}': expected a {{\"class_name\": \"__keras_tensor__\", \"config\": {{\"keras_history\": [layer, node, tensor]}}}} reference; got {KerasJson.Describe(node)}.");
        return Resolve(history, created);
    }

    /// <summary>The tensor a <c>[layer, node, tensor]</c> reference names; null when that node is not created yet.</summary>
    private static KerasTensor? Resolve(JsonNode reference, Dictionary<string, List<KerasTensor[]>> created)
    {
        if (reference is not JsonArray { Count: >= 3 } r || r[0] is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var name)
            || !KerasJson.TryReadInt(r[1], out int node) || !KerasJson.TryReadInt(r[2], out int index))
            throw new FormatException($"A tensor reference is [layer_name, node_index, tensor_index]; got {KerasJson.Describe(reference)}.");
        if (!created.TryGetValue(name, out var nodes))
            throw new FormatException($"A tensor reference names layer '{name}', which the config does not define.");
        if (node < 0 || node >= nodes.Count) return null;
        if (index < 0 || index >= nodes[node].Length)
            throw new FormatException($"A tensor reference asks for output {index} of layer '{name}' (node {node}), which has {nodes[node].Length} output{(nodes[node].Length == 1 ? "" : "s")}.");
        return nodes[node][index];
    }

    /// <summary><c>input_layers</c> / <c>output_layers</c>: one reference, a list of them, or a dict of them (Keras 3 dict inputs).</summary>
    private static List<JsonNode> ReadReferences(JsonNode? node, string key) => node switch
    {
        JsonArray { Count: 3 } single when single[0] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String => [single],
        JsonArray list => list.Select(r => r ?? throw new FormatException($"\"{key}\" holds a null entry.")).ToList(),
        JsonObject dict => dict.Select(p => p.Value ?? throw new FormatException($"\"{key}\" holds a null entry for '{p.Key}'.")).ToList(),
        _ => throw new FormatException($"A functional config needs \"{key}\" as a list of [layer, node, tensor] references; got {KerasJson.Describe(node)}."),
    };
}
