using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>
/// One time step of a recurrent network (the Keras cell protocol): <see cref="Step"/> maps the step input and the
/// previous states to an output and new states. The <see cref="Rnn"/> layer drives any cell over a sequence,
/// handling masks, direction, state carry-over and dropout-mask reuse, so a cell written by a user in C# trains
/// through autodiff with every RNN feature.
/// </summary>
/// <example>
/// A minimal cell, the Keras "MinimalRNNCell":
/// <code>
/// sealed class MinimalRnnCell(int units) : RecurrentCell
/// {
///     private Variable _kernel = null!, _recurrent = null!;
///     public override IReadOnlyList&lt;Shape&gt; StateShapes => [new Shape(units)];
///     public override void Build(Shape inputShape)
///     {
///         _kernel = AddWeight("kernel", new Shape(inputShape[^1], units));
///         _recurrent = AddWeight("recurrent_kernel", new Shape(units, units));
///         base.Build(inputShape);
///     }
///     public override (Tensor Output, Tensor[] States) Step(Tensor input, IReadOnlyList&lt;Tensor&gt; states, CallArguments arguments)
///     {
///         var h = Ops.MatMul(input, _kernel.Value) + Ops.MatMul(states[0], _recurrent.Value);
///         return (h, [h]);
///     }
/// }
/// </code>
/// </example>
public abstract class RecurrentCell : Layer
{
    /// <summary>Initializes the base layer arguments.</summary>
    protected RecurrentCell(string? name = null, bool trainable = true, string? dtype = null, Regularizer? activityRegularizer = null)
        : base(name, trainable, dtype, activityRegularizer)
    {
    }

    /// <summary>Per-sample shape of each state (Keras <c>state_size</c>): <c>[(units,)]</c>, or <c>[(units,), (units,)]</c> for <c>[h, c]</c>.</summary>
    public abstract IReadOnlyList<Shape> StateShapes { get; }

    /// <summary>Per-sample shape of the step output (Keras <c>output_size</c>). Default: the first state's shape.</summary>
    public virtual Shape OutputShape => StateShapes[0];

    /// <summary>Computes one step. <paramref name="input"/> is <c>(batch, ...)</c>, one state per <see cref="StateShapes"/> entry.</summary>
    /// <returns>The step output and the new states (same count and shapes as <paramref name="states"/>).</returns>
    public abstract (Tensor Output, Tensor[] States) Step(Tensor input, IReadOnlyList<Tensor> states, CallArguments arguments);

    /// <summary>The states a sequence starts from when none are given: zeros of <c>(batch, ...state shape)</c> (Keras <c>get_initial_state</c>).</summary>
    public virtual Tensor[] GetInitialState(int batchSize, DType dtype, Device device) =>
        StateShapes.Select(s => Tensor.Zeros(new Shape([batchSize, .. s.Dims]), dtype, device)).ToArray();

    /// <summary>Forgets the dropout masks of the current sequence (the RNN layer calls this before and after each sequence).</summary>
    public virtual void ResetDropoutMasks()
    {
    }

    /// <summary>Calls the cell for one step: <see cref="CallArguments.InitialState"/> holds the states. Returns <c>[output, ...new states]</c>.</summary>
    protected override Tensor[] Call(Tensor inputs, CallArguments arguments)
    {
        var states = arguments.InitialState ?? GetInitialState(inputs.Shape[0], inputs.DType, inputs.Device);
        try
        {
            var (output, newStates) = Step(inputs, states, arguments);
            return [output, .. newStates];
        }
        finally
        {
            ResetDropoutMasks();
        }
    }
}
