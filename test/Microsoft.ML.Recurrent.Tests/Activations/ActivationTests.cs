using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Activations;

public class ActivationTests
{
    private static readonly double[] s_grid = Enumerable.Range(0, 41).Select(i => -5.0 + 0.25 * i).ToArray();

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    // erf by its Maclaurin series; accurate to ~1e-12 for |x| <= 3, which is where the GELU test evaluates it.
    private static double Erf(double x)
    {
        double sum = 0, term = x;
        for (int n = 0; n < 80; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    public static TheoryData<string, Func<double, double>> Formulas => new()
    {
        { "linear", x => x },
        { "tanh", Math.Tanh },
        { "sigmoid", Sigmoid },
        { "hard_sigmoid", x => Math.Clamp(x / 6 + 0.5, 0, 1) },
        { "relu", x => Math.Max(x, 0) },
        { "relu6", x => Math.Min(Math.Max(x, 0), 6) },
        { "leaky_relu", x => Math.Max(x, 0.2 * x) },
        { "elu", x => x >= 0 ? x : Math.Exp(x) - 1 },
        { "selu", x => 1.0507009873554805 * (x >= 0 ? x : 1.6732632423543772 * (Math.Exp(x) - 1)) },
        { "softplus", Softplus },
        { "softsign", x => x / (1 + Math.Abs(x)) },
        { "exponential", Math.Exp },
        { "silu", x => x * Sigmoid(x) },
        { "swish", x => x * Sigmoid(x) },
        { "hard_silu", x => x * Math.Clamp(x / 6 + 0.5, 0, 1) },
        { "hard_swish", x => x * Math.Clamp(x / 6 + 0.5, 0, 1) },
        { "hard_tanh", x => Math.Clamp(x, -1, 1) },
        { "mish", x => x * Math.Tanh(Softplus(x)) },
        { "log_sigmoid", x => -Softplus(-x) },
    };

    [Theory]
    [MemberData(nameof(Formulas))]
    public void Elementwise_activation_matches_its_formula(string name, Func<double, double> formula)
    {
        var y = Activation.Get(name).Apply(Tensor.FromArray(s_grid)).ToArray<double>();
        for (int i = 0; i < s_grid.Length; i++)
            Assert.True(Math.Abs(y[i] - formula(s_grid[i])) <= 1e-12 * Math.Max(1, Math.Abs(formula(s_grid[i]))),
                $"{name}({s_grid[i]}) = {y[i]}, expected {formula(s_grid[i])}");
    }

    [Fact]
    public void Gelu_is_exact_x_times_normal_cdf()
    {
        double[] xs = [-3, -1.5, -0.5, 0, 0.25, 1, 2.5, 3];
        var y = Activation.Get("gelu").Apply(Tensor.FromArray(xs)).ToArray<double>();
        for (int i = 0; i < xs.Length; i++)
            Assert.Equal(xs[i] * 0.5 * (1 + Erf(xs[i] / Math.Sqrt(2))), y[i], 10);
    }

    [Fact]
    public void Keras2_hard_sigmoid_uses_the_old_slope_but_serializes_under_the_same_name()
    {
        var k2 = Activation.Get("hard_sigmoid", keras2HardSigmoid: true);
        Assert.True(k2.IsKeras2Formula);
        Assert.False(Activation.Get("hard_sigmoid").IsKeras2Formula);
        Assert.Equal("hard_sigmoid", k2.ToConfig().GetValue<string>());
        var y = k2.Apply(Tensor.FromArray(s_grid)).ToArray<double>();
        for (int i = 0; i < s_grid.Length; i++)
            Assert.Equal(Math.Clamp(0.2 * s_grid[i] + 0.5, 0, 1), y[i], 12);
        // The flag only changes hard_sigmoid.
        Assert.Same(Activation.Tanh, Activation.Get("tanh", keras2HardSigmoid: true));
    }

    [Fact]
    public void Softmax_and_log_softmax_work_along_the_last_axis()
    {
        double[] x = [1, 2, 3, -1, 0, 1];
        var softmax = Activation.Get("softmax").Apply(Tensor.FromArray(x, new Shape(2, 3))).ToArray<double>();
        var logSoftmax = Activation.Get("log_softmax").Apply(Tensor.FromArray(x, new Shape(2, 3))).ToArray<double>();
        for (int row = 0; row < 2; row++)
        {
            double denominator = Enumerable.Range(0, 3).Sum(j => Math.Exp(x[row * 3 + j]));
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(Math.Exp(x[row * 3 + j]) / denominator, softmax[row * 3 + j], 12);
                Assert.Equal(x[row * 3 + j] - Math.Log(denominator), logSoftmax[row * 3 + j], 12);
            }
        }
        Assert.Null(Activation.Softmax.Op);
    }

    [Fact]
    public void Elementwise_activations_expose_their_op_for_fused_kernels()
    {
        Assert.Equal(UnaryOp.Tanh, Activation.Tanh.Op);
        Assert.Equal(UnaryOp.Sigmoid, Activation.Sigmoid.Op);
        Assert.Equal(UnaryOp.HardSigmoid, Activation.HardSigmoid.Op);
        Assert.Equal(UnaryOp.HardSigmoidKeras2, Activation.HardSigmoidKeras2.Op);
        var leaky = Activation.Get("leaky_relu");
        Assert.Equal(UnaryOp.LeakyRelu, leaky.Op);
        Assert.Equal(0.2, leaky.OpAlpha);
        var hardTanh = Activation.Get("hard_tanh");
        Assert.Equal((UnaryOp.Clip, -1.0, 1.0), (hardTanh.Op!.Value, hardTanh.OpAlpha, hardTanh.OpBeta));
        Assert.True(Activation.Linear.IsLinear);
        Assert.Null(Activation.Linear.Op);
        Assert.True(Activation.Linear.IsElementwise);
        Assert.True(Activation.Tanh.IsElementwise);
        Assert.False(Activation.Softmax.IsElementwise);
    }

    [Fact]
    public void Null_means_linear_and_linear_serializes_as_its_name()
    {
        Assert.Same(Activation.Linear, Activation.Get((JsonNode?)null));
        Assert.Same(Activation.Linear, Activation.Get((string?)null));
        Assert.Equal("\"linear\"", Activation.ToConfig(null).ToJsonString());
        var x = Tensor.FromArray([1.0, -2.0]);
        Assert.Same(x, Activation.Linear.Apply(x));
    }

    [Fact]
    public void Aliases_resolve_to_the_function_they_name()
    {
        Assert.Same(Activation.Get("silu"), Activation.Get("swish"));
        Assert.Same(Activation.Get("hard_silu"), Activation.Get("hard_swish"));
        Assert.Equal("\"silu\"", Activation.Get("swish").ToConfig().ToJsonString());
    }

    [Fact]
    public void Every_built_in_round_trips_through_its_config()
    {
        foreach (var name in Activation.KnownNames())
        {
            var activation = Activation.Get(name);
            Assert.IsAssignableFrom<JsonValue>(activation.ToConfig());
            Assert.Same(activation, Activation.Get(activation.ToConfig()));
        }
        Assert.Same(Activation.HardSigmoidKeras2, Activation.Get(Activation.HardSigmoidKeras2.ToConfig(), keras2HardSigmoid: true));
    }

    [Fact]
    public void Function_envelope_of_a_built_in_is_accepted()
    {
        var node = JsonNode.Parse("""{"module":"keras.activations","class_name":"function","config":"tanh","registered_name":null}""");
        Assert.Same(Activation.Tanh, Activation.Get(node));
    }

    [Fact]
    public void Registered_activation_round_trips_as_a_function_envelope()
    {
        var custom = Activation.Register("Tests>scaled_tanh", x => Ops.Multiply(Ops.Tanh(x), 2.0));
        var config = custom.ToConfig();
        Assert.Equal("function", config["class_name"]!.GetValue<string>());
        Assert.Equal("Tests>scaled_tanh", config["config"]!.GetValue<string>());
        Assert.Same(custom, Activation.Get(config));
        Assert.Same(custom, Activation.Get("Tests>scaled_tanh"));
        Assert.True(custom.IsCustom);
        Assert.Null(custom.Op);
        Assert.Equal(2 * Math.Tanh(0.5), custom.Apply(Tensor.FromArray([0.5])).ToArray<double>()[0], 12);
    }

    [Fact]
    public void Registering_a_built_in_name_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Activation.Register("tanh", x => x));
        Assert.Contains("'tanh'", error.Message);
    }

    [Fact]
    public void Unknown_name_lists_what_was_expected()
    {
        var error = Assert.Throws<ArgumentException>(() => Activation.Get("tanhh"));
        Assert.Contains("'tanhh'", error.Message);
        Assert.Contains("sigmoid", error.Message);
        Assert.Contains("hard_swish", error.Message);
    }

    [Fact]
    public void Non_string_config_is_rejected_with_the_value()
    {
        var error = Assert.Throws<ArgumentException>(() => Activation.Get(JsonNode.Parse("42")));
        Assert.Contains("42", error.Message);
    }

    [Theory]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    [InlineData("softplus")]
    [InlineData("selu")]
    [InlineData("silu")]
    [InlineData("gelu")]
    [InlineData("mish")]
    [InlineData("log_sigmoid")]
    [InlineData("softmax")]
    [InlineData("log_softmax")]
    public void Activation_gradients_match_finite_differences(string name)
    {
        // Points away from the kinks of the piecewise functions.
        var x = Tensor.FromArray([-2.3, -0.7, 0.4, 1.9, 3.1, -4.2], new Shape(2, 3));
        var result = GradientCheck.Run(inputs => Activation.Get(name).Apply(inputs[0]), [x]);
        Assert.True(result.MaxRelativeError < 1e-6, result.ToString());
    }
}
