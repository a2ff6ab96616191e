using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Autograd;

public static partial class Ops
{
    /// <summary>
    /// N-d convolution (cross-correlation), like <c>keras.ops.conv(inputs, kernel, strides=1, padding="valid",
    /// data_format=None, dilation_rate=1)</c>; the number of spatial axes (1, 2 or 3) comes from the kernel's rank.
    /// Differentiable with respect to both <paramref name="inputs"/> and <paramref name="kernel"/>.
    /// </summary>
    /// <param name="inputs">
    /// <c>(batch, spatial..., channels)</c> for <c>"channels_last"</c>, <c>(batch, channels, spatial...)</c> for <c>"channels_first"</c>.
    /// </param>
    /// <param name="kernel">Keras layout <c>(kernel..., inputChannels, outputChannels)</c>, same dtype and device as the inputs.</param>
    /// <param name="strides">One value for every spatial axis or one per axis, each &gt;= 1. Default (null) 1.</param>
    /// <param name="padding"><c>"valid"</c> (default, no padding) or <c>"same"</c> (TensorFlow's rule: output size
    /// <c>ceil(in / stride)</c>, zeros split evenly with any extra one after), case-insensitive.</param>
    /// <param name="dilationRate">One value for every spatial axis or one per axis, each &gt;= 1; cannot exceed 1 when a
    /// stride does (as in Keras). Default (null) 1.</param>
    /// <param name="dataFormat"><c>"channels_last"</c> (default; also for null) or <c>"channels_first"</c>.</param>
    /// <returns>
    /// <c>(batch, outputSpatial..., outputChannels)</c> (or <c>(batch, outputChannels, outputSpatial...)</c> for
    /// <c>"channels_first"</c>), where <c>"valid"</c> gives <c>floor((in − (k−1)·dilation − 1) / stride) + 1</c> per axis.
    /// </returns>
    /// <exception cref="ArgumentException">
    /// The ranks, channels, dtypes or devices of the inputs and kernel do not match; a stride, dilation, padding or
    /// data format is invalid; or a <c>"valid"</c> input is smaller than the dilated kernel.
    /// </exception>
    public static Tensor Conv(Tensor inputs, Tensor kernel, int[]? strides = null, string padding = "valid", int[]? dilationRate = null, string? dataFormat = "channels_last") =>
        Convolve("Conv", null, inputs, kernel, strides, padding, dilationRate, dataFormat);

    /// <summary>
    /// 1-D convolution over <c>(batch, steps, channels)</c> (or <c>(batch, channels, steps)</c> for
    /// <c>"channels_first"</c>) with a kernel <c>(kernelSize, inputChannels, outputChannels)</c>. See <see cref="Conv"/>.
    /// </summary>
    /// <param name="inputs">Rank-3 input.</param>
    /// <param name="kernel">Rank-3 kernel <c>(k, inputChannels, outputChannels)</c>.</param>
    /// <param name="strides">Step between output steps, &gt;= 1. Default 1.</param>
    /// <param name="padding"><c>"valid"</c> (default) or <c>"same"</c>.</param>
    /// <param name="dilationRate">Spacing of kernel taps, &gt;= 1. Default 1.</param>
    /// <param name="dataFormat"><c>"channels_last"</c> (default) or <c>"channels_first"</c>.</param>
    /// <returns><c>(batch, outputSteps, outputChannels)</c>, or channels first.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Conv"/>, or the kernel is not rank 3.</exception>
    public static Tensor Conv1D(Tensor inputs, Tensor kernel, int strides = 1, string padding = "valid", int dilationRate = 1, string? dataFormat = "channels_last") =>
        Convolve("Conv1D", 1, inputs, kernel, [strides], padding, [dilationRate], dataFormat);

    /// <summary>
    /// 2-D convolution over <c>(batch, height, width, channels)</c> (or <c>(batch, channels, height, width)</c> for
    /// <c>"channels_first"</c>) with a kernel <c>(kh, kw, inputChannels, outputChannels)</c>. See <see cref="Conv"/>.
    /// </summary>
    /// <param name="inputs">Rank-4 input.</param>
    /// <param name="kernel">Rank-4 kernel <c>(kh, kw, inputChannels, outputChannels)</c>.</param>
    /// <param name="strides">One value for both axes or <c>(sh, sw)</c>, each &gt;= 1. Default (null) 1.</param>
    /// <param name="padding"><c>"valid"</c> (default) or <c>"same"</c>.</param>
    /// <param name="dilationRate">One value for both axes or <c>(dh, dw)</c>, each &gt;= 1. Default (null) 1.</param>
    /// <param name="dataFormat"><c>"channels_last"</c> (default) or <c>"channels_first"</c>.</param>
    /// <returns><c>(batch, outputHeight, outputWidth, outputChannels)</c>, or channels first.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Conv"/>, or the kernel is not rank 4.</exception>
    public static Tensor Conv2D(Tensor inputs, Tensor kernel, int[]? strides = null, string padding = "valid", int[]? dilationRate = null, string? dataFormat = "channels_last") =>
        Convolve("Conv2D", 2, inputs, kernel, strides, padding, dilationRate, dataFormat);

    /// <summary>
    /// 3-D convolution over <c>(batch, depth, height, width, channels)</c> (or <c>(batch, channels, depth, height, width)</c>
    /// for <c>"channels_first"</c>) with a kernel <c>(kd, kh, kw, inputChannels, outputChannels)</c>. See <see cref="Conv"/>.
    /// </summary>
    /// <param name="inputs">Rank-5 input.</param>
    /// <param name="kernel">Rank-5 kernel <c>(kd, kh, kw, inputChannels, outputChannels)</c>.</param>
    /// <param name="strides">One value for every axis or <c>(sd, sh, sw)</c>, each &gt;= 1. Default (null) 1.</param>
    /// <param name="padding"><c>"valid"</c> (default) or <c>"same"</c>.</param>
    /// <param name="dilationRate">One value for every axis or <c>(dd, dh, dw)</c>, each &gt;= 1. Default (null) 1.</param>
    /// <param name="dataFormat"><c>"channels_last"</c> (default) or <c>"channels_first"</c>.</param>
    /// <returns><c>(batch, outputDepth, outputHeight, outputWidth, outputChannels)</c>, or channels first.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Conv"/>, or the kernel is not rank 5.</exception>
    public static Tensor Conv3D(Tensor inputs, Tensor kernel, int[]? strides = null, string padding = "valid", int[]? dilationRate = null, string? dataFormat = "channels_last") =>
        Convolve("Conv3D", 3, inputs, kernel, strides, padding, dilationRate, dataFormat);

    private static Tensor Convolve(string op, int? spatialRank, Tensor inputs, Tensor kernel, int[]? strides, string padding, int[]? dilationRate, string? dataFormat)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(kernel);
        CheckSameKind(op, inputs, kernel, nameof(inputs), nameof(kernel));
        bool channelsFirst = (dataFormat ?? "channels_last").ToLowerInvariant() switch
        {
            "channels_last" => false,
            "channels_first" => true,
            _ => throw new ArgumentException($"{op}: dataFormat is \"{dataFormat}\"; expected \"channels_last\" or \"channels_first\".", nameof(dataFormat)),
        };
        int rank = spatialRank ?? kernel.Rank - 2;
        if (rank is < 1 or > 3 || kernel.Rank != rank + 2)
            throw new ArgumentException(
                $"{op}: kernel has shape {kernel.Shape}; expected rank {(spatialRank is int r ? (r + 2).ToString() : "3, 4 or 5")} in Keras layout (kernel..., inputChannels, outputChannels).",
                nameof(kernel));
        string layout = channelsFirst ? "(batch, channels, spatial...)" : "(batch, spatial..., channels)";
        if (inputs.Rank != rank + 2)
            throw new ArgumentException(
                $"{op}: inputs have shape {inputs.Shape} and kernel {kernel.Shape}; expected inputs of rank {rank + 2} {layout} for a {rank}-D convolution.",
                nameof(inputs));
        int channels = channelsFirst ? inputs.Shape[1] : inputs.Shape[^1];
        if (channels != kernel.Shape[^2])
            throw new ArgumentException(
                $"{op}: inputs {inputs.Shape} ({(channelsFirst ? "channels_first" : "channels_last")}) have {channels} channels but kernel {kernel.Shape} expects {kernel.Shape[^2]}; " +
                "expected equal input channels (grouped convolution is not supported).",
                nameof(kernel));

        var x = channelsFirst ? Transpose(inputs, [0, .. Enumerable.Range(2, rank), 1]) : inputs;
        ConvolutionGeometry geometry;
        try
        {
            geometry = ConvolutionGeometry.Create(x.Shape[0], x.Shape.ToArray()[1..^1], channels, kernel.Shape.ToArray()[..^2], kernel.Shape[^1],
                strides, dilationRate, padding);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{op}: inputs {inputs.Shape}, kernel {kernel.Shape}: {e.Message}", e.ParamName == "dilations" ? nameof(dilationRate) : e.ParamName, e);
        }

        var y = NewLike(geometry.OutputShape, x);
        x.Backend.Convolution(geometry, x, kernel, y);
        y = Record(y, op, [x, kernel], dy =>
        {
            Tensor? dx = null, dkernel = null;
            if (x.RequiresGrad)
            {
                dx = NewLike(x.Shape, x);
                x.Backend.ConvolutionBackwardData(geometry, dy, kernel, dx);
            }
            if (kernel.RequiresGrad)
            {
                dkernel = NewLike(kernel.Shape, kernel);
                x.Backend.ConvolutionBackwardFilter(geometry, x, dy, dkernel);
            }
            return [dx, dkernel];
        });
        return channelsFirst ? Transpose(y, [0, rank + 1, .. Enumerable.Range(1, rank)]) : y;
    }
}
