using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;

namespace Microsoft.ML.Recurrent.Training.Models;

/// <summary>
/// Calling layers on symbolic tensors to describe a functional model, as Keras's <c>layer(x)</c> does: each call
/// records a node (input tensors → layer → output tensors) and builds the layer. As in Keras 3, the training mode
/// comes from the model call (<c>Fit</c> trains, <c>Predict</c> infers), not from the symbolic call. A layer called on several tensors is
/// shared: its weights are used at every call and counted once.
/// </summary>
/// <example>
/// <code>
/// var encoderInputs = Functional.Input([null, 8]);
/// var encoder = new Lstm(16, returnState: true).ApplyAll(encoderInputs);     // [outputs, h, c]
/// var decoderInputs = Functional.Input([null, 8]);
/// var decoded = new Lstm(16, returnSequences: true).Apply(decoderInputs, initialState: [encoder[1], encoder[2]]);
/// var outputs = new Dense(8, activation: "softmax").Apply(decoded);
/// var model = new Functional([encoderInputs, decoderInputs], [outputs]);
/// </code>
/// </example>
public static class SymbolicLayerCalls
{
    /// <summary>Calls <paramref name="layer"/> on a symbolic tensor and returns its first output.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="input">The input tensor.</param>
    /// <param name="initialState">For recurrent layers, tensors holding the initial states (e.g. <c>[h, c]</c>); null for zeros.</param>
    /// <exception cref="ArgumentException">The layer cannot take the input (shape, rank or state mismatch).</exception>
    public static KerasTensor Apply(this Layer layer, KerasTensor input, IReadOnlyList<KerasTensor>? initialState = null) =>
        Node.Create(layer, [input], initialState)[0];

    /// <summary>Calls <paramref name="layer"/> on a symbolic tensor and returns every output (e.g. <c>[outputs, h, c]</c> for an LSTM with <c>returnState</c>).</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="input">The input tensor.</param>
    /// <param name="initialState">For recurrent layers, tensors holding the initial states; null for zeros.</param>
    /// <exception cref="ArgumentException">The layer cannot take the input.</exception>
    public static KerasTensor[] ApplyAll(this Layer layer, KerasTensor input, IReadOnlyList<KerasTensor>? initialState = null) =>
        Node.Create(layer, [input], initialState);

    /// <summary>Calls a merge layer (<see cref="Concatenate"/>, <see cref="Add"/>) on a list of symbolic tensors.</summary>
    /// <param name="layer">The merge layer.</param>
    /// <param name="inputs">At least two tensors.</param>
    /// <exception cref="ArgumentException">Fewer than two inputs, or shapes the layer cannot combine.</exception>
    public static KerasTensor Apply(this Merge layer, IReadOnlyList<KerasTensor> inputs) => Node.Create(layer, inputs, null)[0];
}
