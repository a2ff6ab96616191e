using System.Text.Json;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Tensors.Cpu;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Autograd;

public class ConvolutionTests(ITestOutputHelper output)
{
    // ------------------------------------------------------------------ PyTorch fixtures

    /// <summary>One case of Fixtures/Convolution/conv_fixtures.json (written by generate_conv_fixtures.py).</summary>
    public sealed record ConvolutionFixture(
        string Name, int Rank, string Padding, int[] Strides, int[] DilationRate, string DataFormat,
        int[] XShape, double[] X, int[] KernelShape, double[] Kernel, int[] YShape, double[] Y, double[] Dy, double[] Dx, double[] Dkernel);

    private static readonly Lazy<IReadOnlyList<ConvolutionFixture>> s_fixtures = new(LoadFixtures);

    private static IReadOnlyList<ConvolutionFixture> LoadFixtures()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Convolution", "conv_fixtures.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        static int[] Ints(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetInt32()).ToArray();
        static double[] Doubles(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => new ConvolutionFixture(
            c.GetProperty("name").GetString()!, c.GetProperty("rank").GetInt32(), c.GetProperty("padding").GetString()!,
            Ints(c, "strides"), Ints(c, "dilation_rate"), c.GetProperty("data_format").GetString()!,
            Ints(c, "x_shape"), Doubles(c, "x"), Ints(c, "kernel_shape"), Doubles(c, "kernel"),
            Ints(c, "y_shape"), Doubles(c, "y"), Doubles(c, "dy"), Doubles(c, "dx"), Doubles(c, "dkernel"))).ToList();
    }

    public static TheoryData<string> FixtureNames()
    {
        var data = new TheoryData<string>();
        foreach (var fixture in s_fixtures.Value) data.Add(fixture.Name);
        return data;
    }

    [Fact]
    public void Fixture_file_covers_every_rank_padding_and_data_format()
    {
        var fixtures = s_fixtures.Value;
        Assert.True(fixtures.Count >= 20, $"only {fixtures.Count} fixtures");
        foreach (int rank in new[] { 1, 2, 3 })
            foreach (var padding in new[] { "valid", "same" })
                Assert.Contains(fixtures, f => f.Rank == rank && f.Padding == padding);
        foreach (int rank in new[] { 1, 2, 3 })
        {
            Assert.Contains(fixtures, f => f.Rank == rank && f.DataFormat == "channels_first");
            Assert.Contains(fixtures, f => f.Rank == rank && f.Strides.Any(s => s > 1));
            Assert.Contains(fixtures, f => f.Rank == rank && f.DilationRate.Any(d => d > 1));
        }
        Assert.Contains(fixtures, f => f.XShape[0] == 1);
        Assert.Contains(fixtures, f => f.XShape[0] > 1);
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Float32_matches_PyTorch(string name) => Replay(name, DType.Float32, tolerance: 1e-5);

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Float64_matches_PyTorch(string name) => Replay(name, DType.Float64, tolerance: 1e-12);

    private void Replay(string name, DType dtype, double tolerance)
    {
        var f = s_fixtures.Value.Single(c => c.Name == name);
        var x = Create(f.X, f.XShape, dtype);
        var kernel = Create(f.Kernel, f.KernelShape, dtype);
        x.RequiresGrad = kernel.RequiresGrad = true;

        var y = Ops.Conv(x, kernel, f.Strides, f.Padding, f.DilationRate, f.DataFormat);
        Assert.Equal(new Shape(f.YShape), y.Shape);
        var grads = Autodiff.Gradients(y, [x, kernel], Create(f.Dy, f.YShape, dtype));

        double yError = ScaledError(y.ToDoubleArray(), f.Y);
        double dxError = ScaledError(grads[0].ToDoubleArray(), f.Dx);
        double dkError = ScaledError(grads[1].ToDoubleArray(), f.Dkernel);
        output.WriteLine($"{name} {dtype.KerasName()}: max |a-b|/(1+|b|) y {yError:E2}, dx {dxError:E2}, dkernel {dkError:E2}");
        Assert.True(yError <= tolerance, $"{name} {dtype.KerasName()} output error {yError:E3} > {tolerance:E0}");
        Assert.True(dxError <= tolerance, $"{name} {dtype.KerasName()} input gradient error {dxError:E3} > {tolerance:E0}");
        Assert.True(dkError <= tolerance, $"{name} {dtype.KerasName()} kernel gradient error {dkError:E3} > {tolerance:E0}");
    }

    private static Tensor Create(double[] values, int[] shape, DType dtype) =>
        dtype == DType.Float64
            ? Tensor.FromArray((double[])values.Clone(), new Shape(shape))
            : Tensor.FromArray(values.Select(v => (float)v).ToArray(), new Shape(shape));

    private static double ScaledError(double[] actual, double[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]) / (1 + Math.Abs(expected[i]));
            if (double.IsNaN(error)) return double.PositiveInfinity;
            worst = Math.Max(worst, error);
        }
        return worst;
    }

    // ------------------------------------------------------------------ gradient checks

    public static TheoryData<int[], int, int[], int, int[], int[], string, string> GradientCases() => new()
    {
        // spatial, Cin, kernel, Cout, strides, dilation, padding, data format
        { [7], 2, [3], 2, [1], [1], "valid", "channels_last" },
        { [8], 2, [4], 3, [2], [1], "same", "channels_last" },
        { [9], 1, [3], 2, [1], [2], "same", "channels_first" },
        { [5, 6], 2, [3, 2], 2, [1, 1], [1, 1], "valid", "channels_last" },
        { [6, 5], 2, [3, 3], 2, [2, 2], [1, 1], "same", "channels_last" },
        { [6, 6], 1, [2, 3], 2, [1, 1], [2, 1], "same", "channels_first" },
        { [5, 7], 2, [2, 3], 1, [2, 3], [1, 1], "valid", "channels_first" },
        { [4, 4, 3], 1, [2, 2, 2], 2, [1, 1, 1], [1, 1, 1], "valid", "channels_last" },
        { [4, 5, 3], 2, [3, 2, 2], 1, [2, 2, 1], [1, 1, 1], "same", "channels_last" },
        { [4, 3, 4], 1, [2, 2, 2], 2, [1, 1, 1], [2, 1, 2], "same", "channels_first" },
    };

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void Gradient_check_passes(int[] spatial, int channels, int[] kernelSize, int filters, int[] strides, int[] dilation, string padding, string dataFormat)
    {
        var rng = new RandomGenerator(spatial.Sum() * 31 + kernelSize.Sum());
        int batch = spatial.Length == 3 ? 1 : 2; // every element costs two evaluations; the fixtures cover batches of 3-D
        int[] xShape = dataFormat == "channels_first" ? [batch, channels, .. spatial] : [batch, .. spatial, channels];
        var x = rng.Normal(new Shape(xShape), dtype: DType.Float64);
        var kernel = rng.Normal(new Shape([.. kernelSize, channels, filters]), dtype: DType.Float64);
        var result = GradientCheck.Run(t => Ops.Conv(t[0], t[1], strides, padding, dilation, dataFormat), [x, kernel]);
        Assert.True(result.MaxRelativeError < 1e-6, result.ToString());
    }

    // ------------------------------------------------------------------ batching, threads and workspace reuse

    [Theory]
    [InlineData("same", 1)]
    [InlineData("valid", 2)]
    public void Batch_split_across_threads_and_blocks_matches_example_by_example(string padding, int stride)
    {
        // With a tiny workspace budget and no parallel threshold, workers split the batch (inside an example for the
        // forward pass and kernel gradient) and loop over im2col blocks that cross example boundaries; the result
        // must equal convolving each example alone.
        long budget = CpuBackend.ConvolutionWorkspaceBudget, threshold = CpuBackend.ConvolutionParallelThreshold;
        CpuBackend.ConvolutionWorkspaceBudget = 1500;
        CpuBackend.ConvolutionParallelThreshold = 0;
        try
        {
            const int batch = 7;
            var rng = new RandomGenerator(5 + stride);
            var x = rng.Normal(new Shape(batch, 6, 5, 3), dtype: DType.Float64);
            var kernel = rng.Normal(new Shape(3, 2, 3, 4), dtype: DType.Float64);
            x.RequiresGrad = kernel.RequiresGrad = true;
            var y = Ops.Conv2D(x, kernel, [stride], padding);
            var dy = rng.Normal(y.Shape, dtype: DType.Float64);
            var grads = Autodiff.Gradients(y, [x, kernel], dy);

            var yAll = y.ToArray<double>();
            var dxAll = grads[0].ToArray<double>();
            var dkSum = new double[kernel.Size];
            int inStride = (int)(x.Size / batch), outStride = (int)(y.Size / batch);
            for (int n = 0; n < batch; n++)
            {
                var xn = Ops.Slice(x.Detach(), 0, n, 1);
                var kn = kernel.Detach();
                xn.RequiresGrad = kn.RequiresGrad = true;
                var yn = Ops.Conv2D(xn, kn, [stride], padding);
                var gn = Autodiff.Gradients(yn, [xn, kn], Ops.Slice(dy, 0, n, 1));
                // Equal up to rounding: the GEMM may sum in a different order for a different number of rows.
                Assert.True(ScaledError(yAll.AsSpan(n * outStride, outStride).ToArray(), yn.ToArray<double>()) < 1e-13, $"output of example {n}");
                Assert.True(ScaledError(dxAll.AsSpan(n * inStride, inStride).ToArray(), gn[0].ToArray<double>()) < 1e-13, $"input gradient of example {n}");
                var dk = gn[1].ToArray<double>();
                for (int i = 0; i < dk.Length; i++) dkSum[i] += dk[i];
            }
            Assert.True(ScaledError(grads[1].ToArray<double>(), dkSum) < 1e-12, "kernel gradient");
        }
        finally
        {
            CpuBackend.ConvolutionWorkspaceBudget = budget;
            CpuBackend.ConvolutionParallelThreshold = threshold;
        }
    }

    [Fact]
    public void Repeated_calls_reuse_the_workspace_and_give_identical_results()
    {
        var rng = new RandomGenerator(9);
        var x = rng.Normal(new Shape(2, 9, 7, 3));
        var kernel = rng.Normal(new Shape(3, 3, 3, 5));
        var first = Ops.Conv2D(x, kernel, [2], "same").ToArray<float>();
        _ = Ops.Conv2D(rng.Normal(new Shape(1, 5, 5, 3)), kernel, [1], "valid"); // a smaller call in between
        var again = Ops.Conv2D(x, kernel, [2], "same").ToArray<float>();
        Assert.Equal(first, again);
    }

    [Fact]
    public void Empty_batch_gives_an_empty_output_and_a_zero_kernel_gradient()
    {
        var x = Tensor.Zeros(new Shape(0, 5, 2), DType.Float64);
        var kernel = Tensor.Ones(new Shape(3, 2, 4), DType.Float64);
        x.RequiresGrad = kernel.RequiresGrad = true;
        var y = Ops.Conv1D(x, kernel, padding: "same");
        Assert.Equal(new Shape(0, 5, 4), y.Shape);
        var grads = Autodiff.Gradients(y, [x, kernel], Tensor.Zeros(y.Shape, DType.Float64));
        Assert.All(grads[1].ToArray<double>(), v => Assert.Equal(0.0, v));
    }

    // ------------------------------------------------------------------ geometry

    [Theory]
    [InlineData(6, 3, 2, 1, "same", 3, 0, 1)]
    [InlineData(7, 2, 2, 1, "same", 4, 0, 1)]
    [InlineData(5, 5, 3, 1, "same", 2, 1, 2)]
    [InlineData(10, 3, 1, 2, "same", 10, 2, 2)]
    [InlineData(4, 1, 3, 1, "same", 2, 0, 0)]
    [InlineData(10, 3, 3, 1, "valid", 3, 0, 0)]
    [InlineData(9, 3, 1, 4, "valid", 1, 0, 0)]
    [InlineData(9, 3, 1, 3, "SAME", 9, 3, 3)]
    public void Geometry_follows_the_TensorFlow_padding_rule(int input, int kernel, int stride, int dilation, string padding, int output, int before, int after)
    {
        var g = ConvolutionGeometry.Create(2, [input], 3, [kernel], 4, [stride], [dilation], padding);
        Assert.Equal(output, g.OutputSize[0]);
        Assert.Equal(before, g.PaddingBefore[0]);
        Assert.Equal(after, g.PaddingAfter[0]);
        Assert.Equal(new Shape(2, output, 4), g.OutputShape);
        Assert.Equal(new Shape(kernel, 3, 4), g.KernelShape);
    }

    [Fact]
    public void Geometry_broadcasts_a_single_stride_to_every_axis()
    {
        var g = ConvolutionGeometry.Create(1, [8, 6, 4], 1, [3, 3, 3], 1, [2], null, "same");
        Assert.Equal([2, 2, 2], g.Strides);
        Assert.Equal([1, 1, 1], g.Dilations);
        Assert.Equal([4, 3, 2], g.OutputSize);
    }

    [Fact]
    public void Geometry_with_explicit_padding_allows_strides_and_dilation_together()
    {
        var g = new ConvolutionGeometry(1, [9], 1, [3], 1, [2], [2], [1], [0]);
        Assert.Equal(3, g.OutputSize[0]); // floor((9 + 1 − 5) / 2) + 1
    }

    // ------------------------------------------------------------------ errors

    private static ArgumentException ConvError(Func<Tensor> call) => Assert.ThrowsAny<ArgumentException>(() => call());

    [Fact]
    public void Strides_and_dilation_above_one_together_are_rejected_like_Keras()
    {
        var e = ConvError(() => Ops.Conv1D(Tensor.Zeros(new Shape(1, 10, 2)), Tensor.Zeros(new Shape(3, 2, 2)), strides: 2, dilationRate: 2));
        Assert.Contains("Conv1D", e.Message);
        Assert.Contains("strides (2)", e.Message);
        Assert.Contains("dilation rate (2)", e.Message);
        Assert.Contains("expected", e.Message);
    }

    [Fact]
    public void Unknown_padding_is_rejected()
    {
        var e = ConvError(() => Ops.Conv2D(Tensor.Zeros(new Shape(1, 5, 5, 1)), Tensor.Zeros(new Shape(3, 3, 1, 1)), padding: "causal"));
        Assert.Contains("Conv2D", e.Message);
        Assert.Contains("\"causal\"", e.Message);
        Assert.Contains("\"valid\" or \"same\"", e.Message);
        Assert.Equal("padding", e.ParamName);
    }

    [Fact]
    public void Unknown_data_format_is_rejected()
    {
        var e = ConvError(() => Ops.Conv(Tensor.Zeros(new Shape(1, 5, 1)), Tensor.Zeros(new Shape(3, 1, 1)), dataFormat: "NHWC"));
        Assert.Contains("\"NHWC\"", e.Message);
        Assert.Contains("channels_first", e.Message);
    }

    [Fact]
    public void Channel_mismatch_names_both_shapes()
    {
        var e = ConvError(() => Ops.Conv2D(Tensor.Zeros(new Shape(2, 5, 5, 3)), Tensor.Zeros(new Shape(3, 3, 4, 8))));
        Assert.Contains("(2, 5, 5, 3)", e.Message);
        Assert.Contains("(3, 3, 4, 8)", e.Message);
        Assert.Contains("3 channels", e.Message);

        var first = ConvError(() => Ops.Conv2D(Tensor.Zeros(new Shape(2, 3, 5, 5)), Tensor.Zeros(new Shape(3, 3, 5, 8)), dataFormat: "channels_first"));
        Assert.Contains("channels_first", first.Message);
    }

    [Fact]
    public void Rank_mismatches_are_rejected()
    {
        var inputs = ConvError(() => Ops.Conv(Tensor.Zeros(new Shape(2, 5, 3)), Tensor.Zeros(new Shape(3, 3, 3, 8))));
        Assert.Contains("rank 4", inputs.Message);
        var kernel = ConvError(() => Ops.Conv2D(Tensor.Zeros(new Shape(2, 5, 3)), Tensor.Zeros(new Shape(3, 3, 8))));
        Assert.Contains("Conv2D", kernel.Message);
        Assert.Contains("expected rank 4", kernel.Message);
        var tooMany = ConvError(() => Ops.Conv(Tensor.Zeros(new Shape(1, 2, 2, 2, 2, 1)), Tensor.Zeros(new Shape(1, 1, 1, 1, 1, 1))));
        Assert.Contains("3, 4 or 5", tooMany.Message);
    }

    [Fact]
    public void Valid_input_smaller_than_the_dilated_kernel_is_rejected()
    {
        var e = ConvError(() => Ops.Conv1D(Tensor.Zeros(new Shape(1, 4, 1)), Tensor.Zeros(new Shape(3, 1, 1)), dilationRate: 2));
        Assert.Contains("input size 4", e.Message);
        Assert.Contains("spans 5", e.Message);
    }

    [Fact]
    public void Bad_strides_and_dilations_are_rejected()
    {
        var zero = ConvError(() => Ops.Conv1D(Tensor.Zeros(new Shape(1, 4, 1)), Tensor.Zeros(new Shape(3, 1, 1)), strides: 0));
        Assert.Contains("strides", zero.Message);
        Assert.Contains(">= 1", zero.Message);
        var count = ConvError(() => Ops.Conv2D(Tensor.Zeros(new Shape(1, 4, 4, 1)), Tensor.Zeros(new Shape(3, 3, 1, 1)), dilationRate: [1, 1, 1]));
        Assert.Contains("expected 1 or 2", count.Message);
        Assert.Equal("dilationRate", count.ParamName);
    }

    [Fact]
    public void Mixed_dtypes_are_rejected()
    {
        var e = ConvError(() => Ops.Conv1D(Tensor.Zeros(new Shape(1, 4, 1)), Tensor.Zeros(new Shape(3, 1, 1), DType.Float64)));
        Assert.Contains("float32", e.Message);
        Assert.Contains("float64", e.Message);
    }
}
