using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>
/// Runs a recurrent layer forwards and a copy of it backwards over the same input and merges the results (Keras
/// <c>Bidirectional</c>). With <c>return_sequences</c> the backward output is flipped along time so that step t of
/// both halves belongs to input step t.
/// </summary>
/// <remarks>
/// As in Keras 3, the wrapped layer's config is copied: the forward layer is a fresh layer named
/// <c>forward_&lt;name&gt;</c>, the backward layer (unless given) a fresh copy with <c>go_backwards=true</c> named
/// <c>backward_&lt;name&gt;</c>; both get <c>zero_output_for_mask = return_sequences</c>. Returned states are all forward
/// states then all backward states (<c>[out, h_f, c_f, h_b, c_b]</c>); an initial-state list is split in half the same way.
/// </remarks>
public class Bidirectional : Layer
{
    private static readonly string[] s_mergeModes = ["sum", "mul", "ave", "concat"];

    /// <summary>Wraps <paramref name="layer"/>.</summary>
    /// <param name="layer">The recurrent layer to run in both directions (its config is copied).</param>
    /// <param name="mergeMode"><c>"concat"</c> (default), <c>"sum"</c>, <c>"mul"</c>, <c>"ave"</c>, or null for a list of both outputs.</param>
    /// <param name="backwardLayer">An explicit backward layer (must go backwards and match the flags); default a copy of <paramref name="layer"/>.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default: the wrapped layer's.</param>
    public Bidirectional(Rnn layer, string? mergeMode = "concat", Rnn? backwardLayer = null, string? name = null, bool trainable = true, string? dtype = null)
        : base(name, trainable, dtype ?? layer.DTypePolicy.Name)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (mergeMode is not null && !s_mergeModes.Contains(mergeMode))
            throw new ArgumentException($"Invalid merge mode. Received: {mergeMode}. Merge mode should be one of {{\"sum\", \"mul\", \"ave\", \"concat\", null}}", nameof(mergeMode));
        MergeMode = mergeMode;
        string baseName = layer.Name.StartsWith("forward_", StringComparison.Ordinal) ? layer.Name["forward_".Length..] : layer.Name;
        Forward = TrackLayer(CopyOf(layer, "forward_" + baseName, goBackwards: null, layer.ReturnSequences));
        Backward = TrackLayer(backwardLayer is null
            ? CopyOf(layer, "backward_" + baseName, goBackwards: true, layer.ReturnSequences)
            : CopyOf(backwardLayer, backwardLayer.Name, goBackwards: null, layer.ReturnSequences));
        if (Forward.GoBackwards == Backward.GoBackwards)
            throw new ArgumentException($"Forward layer and backward layer should have different `go_backwards` value. Received: forward_layer.go_backwards={Forward.GoBackwards}, backward_layer.go_backwards={Backward.GoBackwards}", nameof(layer));
        if (Forward.Stateful != Backward.Stateful || Forward.ReturnSequences != Backward.ReturnSequences || Forward.ReturnState != Backward.ReturnState)
            throw new ArgumentException("Forward layer and backward layer must have the same `stateful`, `return_sequences` and `return_state` values.", nameof(backwardLayer));
        if (!trainable) Trainable = false;
    }

    /// <inheritdoc/>
    public override string ClassName => "Bidirectional";

    /// <summary>How the two outputs are combined (null: returned as two outputs).</summary>
    public string? MergeMode { get; }

    /// <summary>The forward-running copy.</summary>
    public Rnn Forward { get; }

    /// <summary>The backward-running layer.</summary>
    public Rnn Backward { get; }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    private static Rnn CopyOf(Rnn layer, string name, bool? goBackwards, bool zeroOutputForMask)
    {
        var envelope = layer.ToConfig();
        envelope.Remove("build_config");
        var config = (JsonObject)envelope["config"]!;
        config["name"] = name;
        if (goBackwards is { } g) config["go_backwards"] = g;
        // The config names "hard_sigmoid" for both formulas; keep the Keras 2 / TF.js one (0.2x + 0.5) in the copies.
        var copy = (Rnn)KerasLayers.Deserialize(envelope, keras2: UsesKeras2Formula(layer));
        copy.ZeroOutputForMask = zeroOutputForMask;
        // use_cudnn is not part of the config, so Keras copies it over by hand; so do we.
        if (layer is Lstm lstm && copy is Lstm lstmCopy) lstmCopy.UseCudnn = lstm.UseCudnn;
        if (layer is Gru gru && copy is Gru gruCopy) gruCopy.UseCudnn = gru.UseCudnn;
        return copy;
    }

    /// <summary>Whether a cell of <paramref name="layer"/> uses the Keras 2 <c>hard_sigmoid</c> formula (a config written from it reads back only with <c>keras2</c>).</summary>
    private static bool UsesKeras2Formula(Layer layer) => layer switch
    {
        LstmCell l when l.RecurrentActivation.IsKeras2Formula => true,
        GruCell g when g.RecurrentActivation.IsKeras2Formula => true,
        DenseRecurrentCell d when d.Activation.IsKeras2Formula => true,
        ConvLstmCell c when c.Activation.IsKeras2Formula || c.RecurrentActivation.IsKeras2Formula => true,
        _ => layer.Layers.Any(UsesKeras2Formula),
    };

    /// <inheritdoc/>
    public override void Build(Shape inputShape)
    {
        if (!Forward.Built) Forward.Build(inputShape);
        if (!Backward.Built) Backward.Build(inputShape);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    protected override Tensor[] Call(Tensor inputs, CallArguments arguments)
    {
        CallArguments forwardArguments = arguments, backwardArguments = arguments;
        if (arguments.InitialState is { } states)
        {
            if (states.Count % 2 != 0)
                throw new ArgumentException($"Bidirectional '{Name}': initial_state has {states.Count} tensor(s); expected an even number (forward states, then backward states).", nameof(arguments));
            int half = states.Count / 2;
            forwardArguments = arguments with { InitialState = states.Take(half).ToArray() };
            backwardArguments = arguments with { InitialState = states.Skip(half).ToArray() };
        }
        var forward = Forward.Apply(inputs, forwardArguments);
        var backward = Backward.Apply(inputs, backwardArguments);
        var y = forward[0];
        var yRev = Backward.ReturnSequences ? Ops.Flip(backward[0], 1) : backward[0];
        Tensor[] merged = MergeMode switch
        {
            "concat" => [Ops.Concat([y, yRev], -1)],
            "sum" => [y + yRev],
            "ave" => [(y + yRev) * 0.5],
            "mul" => [y * yRev],
            _ => [y, yRev],
        };
        return [.. merged, .. forward.Skip(1), .. backward.Skip(1)];
    }

    /// <summary>Converts legacy weights of each direction (the first half belongs to the forward layer).</summary>
    protected internal override IReadOnlyList<Tensor> AdaptLegacyWeights(IReadOnlyList<Tensor> values)
    {
        if (values.Count % 2 != 0) return values;
        int half = values.Count / 2;
        return [.. Forward.AdaptLegacyWeights(values.Take(half).ToArray()), .. Backward.AdaptLegacyWeights(values.Skip(half).ToArray())];
    }

    /// <summary>Resets the states of both directions (the layer must be stateful).</summary>
    /// <exception cref="InvalidOperationException">The wrapped layer is not stateful.</exception>
    public void ResetStates()
    {
        if (!Forward.Stateful) throw new InvalidOperationException("Layer must be stateful.");
        Forward.ResetStates();
        Backward.ResetStates();
    }

    /// <inheritdoc/>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => Forward.ReturnSequences ? mask : null;

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["merge_mode"] = MergeMode;
        config["layer"] = StripBuild(Forward.ToConfig());
        config["backward_layer"] = StripBuild(Backward.ToConfig());
        return config;
    }

    private static JsonObject StripBuild(JsonObject envelope)
    {
        envelope.Remove("build_config");
        return envelope;
    }

    /// <summary>Creates the wrapper from its Keras 3 or Keras 2 config.</summary>
    public static Bidirectional FromConfig(JsonObject c, bool keras2 = false)
    {
        KerasJson.RejectUnknownKeys(c, ["name", "trainable", "dtype", "merge_mode", "layer", "backward_layer", "num_constants"], "Bidirectional");
        if (KerasLayers.Deserialize(c["layer"] ?? throw new FormatException("Bidirectional config: the 'layer' key is required."), keras2) is not Rnn layer)
            throw new FormatException("Bidirectional config: 'layer' must be a recurrent layer (RNN, LSTM, GRU, SimpleRNN, ConvLSTM).");
        Rnn? backward = c["backward_layer"] is { } b ? KerasLayers.Deserialize(b, keras2) as Rnn : null;
        string? mergeMode = c.ContainsKey("merge_mode") ? KerasJson.GetNullableString(c, "merge_mode") : "concat";
        return new Bidirectional(layer, mergeMode, backward, KerasJson.GetNullableString(c, "name"), KerasJson.GetBool(c, "trainable", true),
            c["dtype"] is null ? null : DTypePolicy.FromConfig(c["dtype"]).Name);
    }
}
