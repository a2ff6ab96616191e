namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>
/// The sizes of one N-d convolution (N = 1, 2 or 3) in <c>channels_last</c> layout: input
/// <c>(batch, spatial..., inputChannels)</c>, kernel in Keras layout <c>(kernel..., inputChannels, outputChannels)</c>,
/// output <c>(batch, outputSpatial..., outputChannels)</c>. Every backend's convolution kernels receive one of these,
/// already validated, so they never recompute padding or output sizes.
/// </summary>
/// <remarks>
/// Output position <c>o</c> on a spatial axis reads input positions <c>o·stride − paddingBefore + j·dilation</c> for
/// kernel taps <c>j = 0..k−1</c>; positions outside the input read zero. Use <see cref="Create"/> for Keras's
/// <c>"valid"</c>/<c>"same"</c> padding, or the constructor for explicit padding.
/// </remarks>
public sealed class ConvolutionGeometry
{
    private readonly int[] _inputSize, _kernelSize, _strides, _dilations, _paddingBefore, _paddingAfter, _outputSize;

    /// <summary>Describes a convolution with explicit padding and computes its output size.</summary>
    /// <param name="batch">Number of examples, <c>&gt;= 0</c>.</param>
    /// <param name="inputSize">Input spatial dimensions, 1 to 3 of them, each <c>&gt;= 1</c>.</param>
    /// <param name="inputChannels">Channels of the input and of the kernel's second-to-last axis, <c>&gt;= 1</c>.</param>
    /// <param name="kernelSize">Kernel spatial dimensions (one per spatial axis), each <c>&gt;= 1</c>.</param>
    /// <param name="outputChannels">Filters (the kernel's last axis), <c>&gt;= 1</c>.</param>
    /// <param name="strides">Step between output positions, per spatial axis, each <c>&gt;= 1</c>.</param>
    /// <param name="dilations">Spacing between kernel taps, per spatial axis, each <c>&gt;= 1</c>.</param>
    /// <param name="paddingBefore">Zeros added before each spatial axis, each <c>&gt;= 0</c>.</param>
    /// <param name="paddingAfter">Zeros added after each spatial axis, each <c>&gt;= 0</c>.</param>
    /// <exception cref="ArgumentException">
    /// An argument is out of range or has the wrong number of entries, or the padded input is smaller than the
    /// dilated kernel on some axis (the output would be empty).
    /// </exception>
    public ConvolutionGeometry(int batch, int[] inputSize, int inputChannels, int[] kernelSize, int outputChannels,
        int[] strides, int[] dilations, int[] paddingBefore, int[] paddingAfter)
    {
        ArgumentNullException.ThrowIfNull(inputSize);
        int rank = inputSize.Length;
        if (rank is < 1 or > 3)
            throw new ArgumentException($"ConvolutionGeometry: inputSize {Format(inputSize)} has {rank} spatial dimensions; expected 1, 2 or 3.", nameof(inputSize));
        if (batch < 0)
            throw new ArgumentException($"ConvolutionGeometry: batch is {batch}; expected >= 0.", nameof(batch));
        if (inputChannels < 1)
            throw new ArgumentException($"ConvolutionGeometry: inputChannels is {inputChannels}; expected >= 1.", nameof(inputChannels));
        if (outputChannels < 1)
            throw new ArgumentException($"ConvolutionGeometry: outputChannels is {outputChannels}; expected >= 1.", nameof(outputChannels));
        _inputSize = CheckPerAxis(inputSize, rank, 1, nameof(inputSize));
        _kernelSize = CheckPerAxis(kernelSize, rank, 1, nameof(kernelSize));
        _strides = CheckPerAxis(strides, rank, 1, nameof(strides));
        _dilations = CheckPerAxis(dilations, rank, 1, nameof(dilations));
        _paddingBefore = CheckPerAxis(paddingBefore, rank, 0, nameof(paddingBefore));
        _paddingAfter = CheckPerAxis(paddingAfter, rank, 0, nameof(paddingAfter));

        _outputSize = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            long padded = (long)_inputSize[i] + _paddingBefore[i] + _paddingAfter[i];
            long span = DilatedKernel(i);
            if (padded < span)
                throw new ArgumentException(
                    $"ConvolutionGeometry: spatial axis {i} has input size {_inputSize[i]} (padded {padded}) but the kernel spans {span} " +
                    $"(kernel {_kernelSize[i]}, dilation {_dilations[i]}); expected a padded input of at least {span} so the output is not empty.",
                    nameof(inputSize));
            _outputSize[i] = checked((int)((padded - span) / _strides[i] + 1));
        }
        Rank = rank;
        Batch = batch;
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
    }

    /// <summary>
    /// Describes a convolution with Keras padding. <c>"valid"</c> adds none: <c>out = floor((in − (k−1)·dilation − 1) / stride) + 1</c>.
    /// <c>"same"</c> follows TensorFlow: <c>out = ceil(in / stride)</c>, and the total padding
    /// <c>max((out−1)·stride + (k−1)·dilation + 1 − in, 0)</c> is split with the smaller half before (the extra zero goes after).
    /// </summary>
    /// <param name="batch">Number of examples, <c>&gt;= 0</c>.</param>
    /// <param name="inputSize">Input spatial dimensions, 1 to 3 of them.</param>
    /// <param name="inputChannels">Input channels.</param>
    /// <param name="kernelSize">Kernel spatial dimensions, one per spatial axis.</param>
    /// <param name="outputChannels">Filters.</param>
    /// <param name="strides">Per spatial axis, or a single value for every axis; null means 1.</param>
    /// <param name="dilations">Per spatial axis, or a single value for every axis; null means 1.</param>
    /// <param name="padding"><c>"valid"</c> (default) or <c>"same"</c>, case-insensitive.</param>
    /// <exception cref="ArgumentException">
    /// An argument is out of range; the padding is not <c>"valid"</c>/<c>"same"</c>; a stride and a dilation are both
    /// above 1 (Keras rejects that combination); or a <c>"valid"</c> input is smaller than the dilated kernel.
    /// </exception>
    public static ConvolutionGeometry Create(int batch, int[] inputSize, int inputChannels, int[] kernelSize, int outputChannels,
        int[]? strides = null, int[]? dilations = null, string padding = "valid")
    {
        ArgumentNullException.ThrowIfNull(inputSize);
        ArgumentNullException.ThrowIfNull(kernelSize);
        int rank = inputSize.Length;
        var s = ExpandPerAxis(strides, rank, nameof(strides));
        var d = ExpandPerAxis(dilations, rank, nameof(dilations));
        if (s.Any(v => v > 1) && d.Any(v => v > 1))
            throw new ArgumentException(
                $"ConvolutionGeometry: strides {Format(s)} and dilation rate {Format(d)} are both above 1; expected strides of 1 or a dilation rate of 1, as Keras does not support strides > 1 in conjunction with dilation_rate > 1.",
                nameof(strides));
        string mode = padding?.ToLowerInvariant() ?? throw new ArgumentNullException(nameof(padding));
        var before = new int[rank];
        var after = new int[rank];
        switch (mode)
        {
            case "valid":
                break;
            case "same":
                if (kernelSize.Length != rank || s.Any(v => v < 1) || d.Any(v => v < 1) || inputSize.Any(v => v < 1)) break; // the constructor reports it
                for (int i = 0; i < rank; i++)
                {
                    long outSize = ((long)inputSize[i] + s[i] - 1) / s[i];
                    long total = Math.Max((outSize - 1) * s[i] + (long)(kernelSize[i] - 1) * d[i] + 1 - inputSize[i], 0);
                    before[i] = checked((int)(total / 2));
                    after[i] = checked((int)(total - total / 2));
                }
                break;
            default:
                throw new ArgumentException($"ConvolutionGeometry: padding is \"{padding}\"; expected \"valid\" or \"same\".", nameof(padding));
        }
        return new ConvolutionGeometry(batch, inputSize, inputChannels, kernelSize, outputChannels, s, d, before, after);
    }

    /// <summary>Number of spatial axes: 1, 2 or 3.</summary>
    public int Rank { get; }

    /// <summary>Number of examples.</summary>
    public int Batch { get; }

    /// <summary>Channels of the input.</summary>
    public int InputChannels { get; }

    /// <summary>Channels of the output (filters).</summary>
    public int OutputChannels { get; }

    /// <summary>Input spatial dimensions.</summary>
    public IReadOnlyList<int> InputSize => _inputSize;

    /// <summary>Kernel spatial dimensions.</summary>
    public IReadOnlyList<int> KernelSize => _kernelSize;

    /// <summary>Strides per spatial axis.</summary>
    public IReadOnlyList<int> Strides => _strides;

    /// <summary>Dilation (spacing of kernel taps) per spatial axis.</summary>
    public IReadOnlyList<int> Dilations => _dilations;

    /// <summary>Zeros added before each spatial axis.</summary>
    public IReadOnlyList<int> PaddingBefore => _paddingBefore;

    /// <summary>Zeros added after each spatial axis.</summary>
    public IReadOnlyList<int> PaddingAfter => _paddingAfter;

    /// <summary>Output spatial dimensions.</summary>
    public IReadOnlyList<int> OutputSize => _outputSize;

    /// <summary>The input shape <c>(batch, spatial..., inputChannels)</c>.</summary>
    public Shape InputShape => new([Batch, .. _inputSize, InputChannels]);

    /// <summary>The kernel shape <c>(kernel..., inputChannels, outputChannels)</c>.</summary>
    public Shape KernelShape => new([.. _kernelSize, InputChannels, OutputChannels]);

    /// <summary>The output shape <c>(batch, outputSpatial..., outputChannels)</c>.</summary>
    public Shape OutputShape => new([Batch, .. _outputSize, OutputChannels]);

    /// <summary>Extent of the dilated kernel on spatial axis <paramref name="axis"/>: <c>(k − 1)·dilation + 1</c>.</summary>
    public long DilatedKernel(int axis) => (long)(_kernelSize[axis] - 1) * _dilations[axis] + 1;

    /// <inheritdoc/>
    public override string ToString() =>
        $"Conv{Rank}D(input {InputShape}, kernel {KernelShape}, output {OutputShape}, strides {Format(_strides)}, dilations {Format(_dilations)}, " +
        $"padding before {Format(_paddingBefore)} after {Format(_paddingAfter)})";

    private static int[] CheckPerAxis(int[]? values, int rank, int minimum, string name)
    {
        if (values is null)
            throw new ArgumentNullException(name, $"ConvolutionGeometry: {name} is null; expected {rank} values.");
        if (values.Length != rank)
            throw new ArgumentException($"ConvolutionGeometry: {name} is {Format(values)} with {values.Length} values; expected {rank} (one per spatial axis).", name);
        foreach (int v in values)
            if (v < minimum)
                throw new ArgumentException($"ConvolutionGeometry: {name} is {Format(values)}; expected every value >= {minimum}.", name);
        return (int[])values.Clone();
    }

    private static int[] ExpandPerAxis(int[]? values, int rank, string name)
    {
        if (values is null || values.Length == 0) return Enumerable.Repeat(1, rank).ToArray();
        if (values.Length == 1 && rank > 1) return Enumerable.Repeat(values[0], rank).ToArray();
        if (values.Length != rank)
            throw new ArgumentException($"ConvolutionGeometry: {name} is {Format(values)} with {values.Length} values; expected 1 or {rank} (one per spatial axis).", name);
        return values;
    }

    internal static string Format(IEnumerable<int> values) => "(" + string.Join(", ", values) + ")";
}
