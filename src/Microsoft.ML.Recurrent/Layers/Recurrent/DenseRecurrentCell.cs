using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Initializers;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>
/// What SimpleRNN, LSTM and GRU cells share on top of <see cref="KernelRecurrentCell"/>: <c>units</c> and dense weights
/// <c>kernel (F, G·units)</c>, <c>recurrent_kernel (units, G·units)</c> and <c>bias</c> for G gate blocks.
/// </summary>
public abstract class DenseRecurrentCell : KernelRecurrentCell
{
    /// <summary>Validates and stores the shared arguments.</summary>
    protected DenseRecurrentCell(int units, Activation? activation, bool useBias,
        Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer,
        Regularizer? kernelRegularizer, Regularizer? recurrentRegularizer, Regularizer? biasRegularizer,
        Constraint? kernelConstraint, Constraint? recurrentConstraint, Constraint? biasConstraint,
        double dropout, double recurrentDropout, int? seed, string? name, bool trainable, string? dtype)
        : base(activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, kernelRegularizer,
            recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint,
            dropout, recurrentDropout, seed, name, trainable, dtype)
    {
        if (units <= 0)
            throw new ArgumentException($"Received an invalid value for argument `units`, expected a positive integer, got {units}.", nameof(units));
        Units = units;
    }

    /// <summary>Dimensionality of the output space.</summary>
    public int Units { get; }

    /// <summary>Number of gate blocks G (1 SimpleRNN, 3 GRU, 4 LSTM).</summary>
    protected abstract int Gates { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<Shape> StateShapes => [new Shape(Units)];

    /// <summary>The bias's initial value; override for LSTM's unit_forget_bias or GRU's two-row bias.</summary>
    protected virtual Tensor InitialBias() => BiasInitializer.Create(new Shape(Gates * Units), DTypePolicy.VariableDType);

    /// <inheritdoc/>
    public override void Build(Shape inputShape)
    {
        AddCellWeights(new Shape(inputShape[^1], Gates * Units), new Shape(Units, Gates * Units), InitialBias);
        base.Build(inputShape);
    }

    /// <summary>
    /// The dropout masks of the current sequence, drawn on first use in the order <c>Step</c> draws them: the input
    /// masks (one shared, or one per gate) shaped like <paramref name="input"/>, then the recurrent masks shaped like
    /// <paramref name="state"/>; null where that dropout is inactive. The fused sequence kernels use the same masks.
    /// </summary>
    internal virtual (Tensor[]? Input, Tensor[]? Recurrent) SequenceDropoutMasks(Tensor input, Tensor state, bool training) => (null, null);

    /// <inheritdoc/>
    protected override void WriteSizeKeys(JsonObject config) => config["units"] = Units;

    /// <summary>The config keys every built-in dense cell reads (besides the cell-specific ones).</summary>
    internal static readonly string[] CommonKeys = [.. WeightKeys, "units"];
}
