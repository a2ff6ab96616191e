using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Initializers;
using Microsoft.ML.Recurrent.Regularizers;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>
/// 2-D convolutional LSTM (Keras <c>ConvLSTM2D</c>): inputs <c>(batch, time, *spatial2, channels)</c> for channels_last
/// (default) or <c>(batch, time, channels, *spatial2)</c>. See <see cref="ConvLstmCell"/> for the step and the arguments.
/// </summary>
public sealed class ConvLstm2D(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid",
    string? dataFormat = null, int[]? dilationRate = null, Activation? activation = null, Activation? recurrentActivation = null,
    bool useBias = true, Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null,
    Initializer? biasInitializer = null, bool unitForgetBias = true, Regularizer? kernelRegularizer = null,
    Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
    Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null, Constraint? biasConstraint = null,
    double dropout = 0.0, double recurrentDropout = 0.0, int? seed = null, bool returnSequences = false,
    bool returnState = false, bool goBackwards = false, bool stateful = false, bool unroll = false,
    bool zeroOutputForMask = false, string? name = null, bool trainable = true, string? dtype = null)
    : ConvLstm(MakeCell(2, filters, kernelSize, strides, padding, dataFormat, dilationRate, activation, recurrentActivation, useBias,
            kernelInitializer, recurrentInitializer, biasInitializer, unitForgetBias, kernelRegularizer, recurrentRegularizer,
            biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint, dropout, recurrentDropout, seed, trainable, dtype),
        new RecurrentLayerOptions(returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, false, name, trainable, dtype, activityRegularizer));
