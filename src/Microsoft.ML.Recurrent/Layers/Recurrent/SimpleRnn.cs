using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Initializers;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>
/// One step of a fully-connected RNN (Keras <c>SimpleRNNCell</c>): <c>h' = φ((x⊙m_x)·W + b + (h⊙m_h)·R)</c>, where the
/// dropout masks apply in training whenever a rate is set (so <c>dropout = 1</c> zeroes the input, as in Keras).
/// </summary>
public class SimpleRnnCell : DenseRecurrentCell
{
    /// <summary>Creates the cell; arguments and defaults as Keras's <c>SimpleRNNCell</c>.</summary>
    /// <param name="units">Dimensionality of the output space (positive).</param>
    /// <param name="activation">φ. Default tanh.</param>
    /// <param name="useBias">Default true.</param>
    /// <param name="kernelInitializer">Default glorot_uniform.</param>
    /// <param name="recurrentInitializer">Default orthogonal.</param>
    /// <param name="biasInitializer">Default zeros.</param>
    /// <param name="kernelRegularizer">Default none.</param>
    /// <param name="recurrentRegularizer">Default none.</param>
    /// <param name="biasRegularizer">Default none.</param>
    /// <param name="kernelConstraint">Default none.</param>
    /// <param name="recurrentConstraint">Default none.</param>
    /// <param name="biasConstraint">Default none.</param>
    /// <param name="dropout">Default 0.</param>
    /// <param name="recurrentDropout">Default 0.</param>
    /// <param name="seed">Default none.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    public SimpleRnnCell(int units, Activation? activation = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
        Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null, Constraint? biasConstraint = null,
        double dropout = 0.0, double recurrentDropout = 0.0, int? seed = null, string? name = null, bool trainable = true,
        string? dtype = null)
        : base(units, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, kernelRegularizer,
            recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint, dropout,
            recurrentDropout, seed, name, trainable, dtype)
    {
    }

    /// <inheritdoc/>
    public override string ClassName => "SimpleRNNCell";

    /// <inheritdoc/>
    protected override int Gates => 1;

    /// <inheritdoc/>
    public override (Tensor Output, Tensor[] States) Step(Tensor input, IReadOnlyList<Tensor> states, CallArguments arguments)
    {
        var h = states[0];
        var (xMasks, hMasks) = SequenceDropoutMasks(input, h, arguments.Training);
        var x = xMasks is null ? input : input * xMasks[0];
        var hd = hMasks is null ? h : h * hMasks[0];
        var z = Ops.MatMul(x, Kernel.Value);
        if (Bias is not null) z += Bias.Value;
        var y = Activation.Apply(z + Ops.MatMul(hd, RecurrentKernel.Value));
        return (y, [y]);
    }

    /// <inheritdoc/>
    internal override (Tensor[]? Input, Tensor[]? Recurrent) SequenceDropoutMasks(Tensor input, Tensor state, bool training)
    {
        // Unlike LSTM/GRU, any positive rate applies (dropout = 1 zeroes the input), as in Keras.
        var x = training && Dropout > 0 ? InputMasks(input, 1) : null;
        var h = training && RecurrentDropout > 0 ? RecurrentMasks(state, 1) : null;
        return (x, h);
    }

    /// <summary>Creates the cell from its Keras config.</summary>
    public static SimpleRnnCell FromConfig(JsonObject config, bool keras2 = false)
    {
        KerasJson.RejectUnknownKeys(config, [.. CommonKeys, "enable_caching_device"], "SimpleRNNCell");
        return Create(config, keras2, KerasJson.GetNullableString(config, "name"));
    }

    internal static SimpleRnnCell Create(JsonObject c, bool keras2, string? name)
    {
        var a = CellWeightArguments.Read(c, keras2);
        return new SimpleRnnCell(KerasJson.GetInt(c, "units", 0), a.Activation, a.UseBias, a.KernelInitializer, a.RecurrentInitializer, a.BiasInitializer,
            a.KernelRegularizer, a.RecurrentRegularizer, a.BiasRegularizer, a.KernelConstraint, a.RecurrentConstraint,
            a.BiasConstraint, a.Dropout, a.RecurrentDropout, a.Seed, name, a.Trainable, a.DType);
    }
}

/// <summary>
/// Fully-connected RNN layer (Keras <c>SimpleRNN</c>) over <c>(batch, time, features)</c>: weights
/// <c>kernel (features, units)</c>, <c>recurrent_kernel (units, units)</c>, <c>bias (units,)</c>.
/// </summary>
/// <remarks>
/// Like Keras 3, the layer accepts <c>activity_regularizer</c> but does not apply it and serializes it as null, and its
/// config has no <c>seed</c> key (Keras 3's SimpleRNN drops it). Both are Keras 3 quirks kept for config fidelity.
/// </remarks>
public class SimpleRnn : Rnn
{
    /// <summary>Creates the layer; arguments and defaults as Keras's <c>SimpleRNN</c>.</summary>
    /// <param name="units">Dimensionality of the output space.</param>
    /// <param name="activation">Default tanh.</param>
    /// <param name="useBias">Default true.</param>
    /// <param name="kernelInitializer">Default glorot_uniform.</param>
    /// <param name="recurrentInitializer">Default orthogonal.</param>
    /// <param name="biasInitializer">Default zeros.</param>
    /// <param name="kernelRegularizer">Default none.</param>
    /// <param name="recurrentRegularizer">Default none.</param>
    /// <param name="biasRegularizer">Default none.</param>
    /// <param name="activityRegularizer">Accepted and ignored, as in Keras 3.</param>
    /// <param name="kernelConstraint">Default none.</param>
    /// <param name="recurrentConstraint">Default none.</param>
    /// <param name="biasConstraint">Default none.</param>
    /// <param name="dropout">Default 0.</param>
    /// <param name="recurrentDropout">Default 0.</param>
    /// <param name="seed">Default none.</param>
    /// <param name="returnSequences">Default false.</param>
    /// <param name="returnState">Default false.</param>
    /// <param name="goBackwards">Default false.</param>
    /// <param name="stateful">Default false.</param>
    /// <param name="unroll">Default false.</param>
    /// <param name="zeroOutputForMask">Default false.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="trainable">Default true.</param>
    /// <param name="dtype">Default float32.</param>
    public SimpleRnn(int units, Activation? activation = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
        Regularizer? activityRegularizer = null, Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null,
        Constraint? biasConstraint = null, double dropout = 0.0, double recurrentDropout = 0.0, int? seed = null,
        bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false,
        bool unroll = false, bool zeroOutputForMask = false, string? name = null, bool trainable = true, string? dtype = null)
        : this(new SimpleRnnCell(units, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint,
                dropout, recurrentDropout, seed, "simple_rnn_cell", trainable, dtype),
            // Keras 3's SimpleRNN accepts activity_regularizer but never applies it.
            new RecurrentLayerOptions(returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, false, name, trainable, dtype, null))
    {
        _ = activityRegularizer;
    }

    private SimpleRnn(SimpleRnnCell cell, RecurrentLayerOptions options)
        : base(cell, options)
    {
    }

    /// <inheritdoc/>
    public override string ClassName => "SimpleRNN";

    /// <summary>The cell.</summary>
    public new SimpleRnnCell Cell => (SimpleRnnCell)base.Cell;

    /// <inheritdoc/>
    protected override bool SerializesCell => false;

    /// <summary>Runs the fused SimpleRNN sequence kernel (same numbers as the generic loop), falling back to the generic loop where it does not apply.</summary>
    protected override (Tensor? Outputs, Tensor Last, Tensor[] States) RunSequence(Tensor sequences, Tensor[] initialStates, Tensor? mask, CallArguments arguments) =>
        FusedRecurrentSequence.TryRun(this, Cell, RecurrentCellKind.SimpleRnn, null, resetAfter: false, sequences, initialStates, mask, arguments)
        ?? base.RunSequence(sequences, initialStates, mask, arguments);

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = FlattenCellConfig(base.GetConfig(), Cell.GetConfig(), null);
        config.Remove("seed");
        return config;
    }

    /// <summary>Creates the layer from its Keras config.</summary>
    public static new SimpleRnn FromConfig(JsonObject c, bool keras2 = false)
    {
        KerasJson.RejectUnknownKeys(c, [.. DenseRecurrentCell.CommonKeys, .. RecurrentLayerKeys, "activity_regularizer"], "SimpleRNN");
        var cell = SimpleRnnCell.Create(c, keras2, "simple_rnn_cell");
        return new SimpleRnn(cell, RecurrentLayerOptions.Read(c) with { ActivityRegularizer = null });
    }
}
