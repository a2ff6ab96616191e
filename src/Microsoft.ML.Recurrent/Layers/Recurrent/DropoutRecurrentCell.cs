using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>
/// A cell with Keras's variational dropout (the <c>DropoutRNNCell</c> mixin): one input mask and one recurrent mask
/// (or one per gate) drawn at the first step of a sequence and reused at every step, inverted scaling
/// <c>1/(1 − rate)</c>, active only in training.
/// </summary>
public abstract class DropoutRecurrentCell : RecurrentCell
{
    private readonly RandomGenerator _random;
    private Tensor[]? _inputMasks;
    private Tensor[]? _recurrentMasks;

    /// <summary>Initializes the dropout rates (clamped to [0, 1], as Keras does) and the seed.</summary>
    protected DropoutRecurrentCell(double dropout, double recurrentDropout, int? seed,
        string? name, bool trainable, string? dtype, Regularizer? activityRegularizer)
        : base(name, trainable, dtype, activityRegularizer)
    {
        Dropout = Math.Clamp(dropout, 0.0, 1.0);
        RecurrentDropout = Math.Clamp(recurrentDropout, 0.0, 1.0);
        Seed = seed;
        _random = new RandomGenerator(seed ?? RandomSeeds.Next());
    }

    /// <summary>Fraction of the input units dropped. Default 0.</summary>
    public double Dropout { get; }

    /// <summary>Fraction of the recurrent-state units dropped. Default 0.</summary>
    public double RecurrentDropout { get; }

    /// <summary>Seed of the dropout masks; null draws one from <see cref="RandomSeeds"/>.</summary>
    public int? Seed { get; }

    /// <summary>The <paramref name="count"/> input masks of this sequence shaped like <paramref name="template"/>, drawn on first use.</summary>
    protected Tensor[] InputMasks(Tensor template, int count) => _inputMasks ??= DrawMasks(template, Dropout, count);

    /// <summary>The <paramref name="count"/> recurrent masks of this sequence shaped like <paramref name="template"/>, drawn on first use.</summary>
    protected Tensor[] RecurrentMasks(Tensor template, int count) => _recurrentMasks ??= DrawMasks(template, RecurrentDropout, count);

    /// <inheritdoc/>
    public override void ResetDropoutMasks()
    {
        _inputMasks = null;
        _recurrentMasks = null;
    }

    private Tensor[] DrawMasks(Tensor template, double rate, int count)
    {
        var masks = new Tensor[count];
        for (int i = 0; i < count; i++)
        {
            masks[i] = rate >= 1.0
                ? Tensor.ZerosLike(template)
                : Ops.Multiply(_random.Bernoulli(template.Shape, 1.0 - rate, template.DType, template.Device), 1.0 / (1.0 - rate));
        }
        return masks;
    }
}
