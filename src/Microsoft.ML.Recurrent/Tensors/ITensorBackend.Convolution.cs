namespace Microsoft.ML.Recurrent.Tensors;

public partial interface ITensorBackend
{
    /// <summary>
    /// N-d convolution (cross-correlation, as in Keras and cuDNN) in <c>channels_last</c> layout:
    /// <c>y[n, o..., f] = Σ x[n, o·stride − padBefore + j·dilation, c] · kernel[j..., c, f]</c> over taps <c>j</c> and channels <c>c</c>,
    /// with zeros outside the input.
    /// </summary>
    /// <param name="geometry">Sizes, strides, dilations and padding.</param>
    /// <param name="x">Input <c>(batch, spatial..., inputChannels)</c>.</param>
    /// <param name="kernel">Kernel in Keras layout <c>(kernel..., inputChannels, outputChannels)</c>.</param>
    /// <param name="y">Output <c>(batch, outputSpatial..., outputChannels)</c>, overwritten.</param>
    void Convolution(ConvolutionGeometry geometry, Tensor x, Tensor kernel, Tensor y);

    /// <summary>Gradient of <see cref="Convolution"/> with respect to its input: <paramref name="dx"/> (input shape) is overwritten.</summary>
    /// <param name="geometry">The forward convolution's geometry.</param>
    /// <param name="dy">Gradient of the output <c>(batch, outputSpatial..., outputChannels)</c>.</param>
    /// <param name="kernel">The forward kernel <c>(kernel..., inputChannels, outputChannels)</c>.</param>
    /// <param name="dx">Gradient of the input <c>(batch, spatial..., inputChannels)</c>.</param>
    void ConvolutionBackwardData(ConvolutionGeometry geometry, Tensor dy, Tensor kernel, Tensor dx);

    /// <summary>Gradient of <see cref="Convolution"/> with respect to its kernel, summed over the batch: <paramref name="dkernel"/> is overwritten.</summary>
    /// <param name="geometry">The forward convolution's geometry.</param>
    /// <param name="x">The forward input <c>(batch, spatial..., inputChannels)</c>.</param>
    /// <param name="dy">Gradient of the output <c>(batch, outputSpatial..., outputChannels)</c>.</param>
    /// <param name="dkernel">Gradient of the kernel <c>(kernel..., inputChannels, outputChannels)</c>.</param>
    void ConvolutionBackwardFilter(ConvolutionGeometry geometry, Tensor x, Tensor dy, Tensor dkernel);
}
