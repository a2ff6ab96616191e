using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Autograd;

/// <summary>
/// Forward values against independent expectations: small cases worked out by hand the way NumPy computes them,
/// and Keras's activation formulas written out here as scalar code.
/// </summary>
public class OpsForwardTests
{
    private static Tensor Matrix(double[,] values)
    {
        var flat = new double[values.Length];
        int k = 0;
        foreach (double v in values) flat[k++] = v;
        return Tensor.FromArray(flat, new Shape(values.GetLength(0), values.GetLength(1)));
    }

    private static Tensor Range(params int[] dims)
    {
        var shape = new Shape(dims);
        return Tensor.FromArray(Enumerable.Range(0, (int)shape.Size).Select(i => (double)i).ToArray(), shape);
    }

    private static void AssertTensor(Tensor actual, int[] expectedDims, params double[] expected)
    {
        Assert.Equal(new Shape(expectedDims), actual.Shape);
        Assert.Equal(expected, actual.ToDoubleArray());
    }

    // ------------------------------------------------------------------ broadcasting arithmetic

    [Fact]
    public void Add_broadcasts_a_row_over_every_row()
    {
        var y = Matrix(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }) + Tensor.FromArray([10.0, 20, 30]);
        AssertTensor(y, [2, 3], 11, 22, 33, 14, 25, 36);
    }

    [Fact]
    public void Subtract_of_a_column_and_a_row_is_an_outer_difference()
    {
        var column = Tensor.FromArray([1.0, 2, 3], new Shape(3, 1));
        var row = Tensor.FromArray([0.0, 10, 20, 30], new Shape(1, 4));
        AssertTensor(column - row, [3, 4], 1, -9, -19, -29, 2, -8, -18, -28, 3, -7, -17, -27);
    }

    [Fact]
    public void Non_commutative_ops_with_a_broadcast_left_operand_keep_operand_order()
    {
        var twelve = Tensor.FromArray([12.0]);
        var x = Tensor.FromArray([1.0, 2, 3, 4]);
        AssertTensor(Ops.Divide(twelve, x), [4], 12, 6, 4, 3);
        AssertTensor(Ops.Subtract(twelve, x), [4], 11, 10, 9, 8);
        AssertTensor(Ops.Power(Tensor.Scalar(2, DType.Float64), x), [4], 2, 4, 8, 16);
    }

    [Fact]
    public void Rank_0_and_rank_3_broadcast_to_the_larger_shape()
    {
        var y = Tensor.Scalar(1, DType.Float64) + Tensor.Zeros(new Shape(2, 1, 3), DType.Float64);
        AssertTensor(y, [2, 1, 3], 1, 1, 1, 1, 1, 1);
        AssertTensor(Tensor.Zeros(new Shape(4, 1), DType.Float64) * Tensor.Ones(new Shape(2, 1, 3), DType.Float64), [2, 4, 3], new double[24]);
    }

    [Fact]
    public void Power_Maximum_and_Minimum_compute_elementwise()
    {
        AssertTensor(Ops.Power(Tensor.FromArray([2.0, 3, 4]), Tensor.FromArray([3.0, 2, 0.5])), [3], 8, 9, 2);
        AssertTensor(Ops.Power(Tensor.FromArray([3.0, -2]), 2.0), [2], 9, 4);
        var m = Matrix(new double[,] { { 1, 5 }, { 3, 2 } });
        AssertTensor(Ops.Maximum(m, Tensor.FromArray([2.0])), [2, 2], 2, 5, 3, 2);
        AssertTensor(Ops.Minimum(m, Tensor.FromArray([2.0])), [2, 2], 1, 2, 2, 2);
    }

    [Fact]
    public void Scalar_operators_match_NumPy_arithmetic_exactly()
    {
        var x = Tensor.FromArray([7.0, 1, 3]);
        // NumPy's x / 10 is a true division: 7 / 10 == 0.7, whereas 7 * (1 / 10) == 0.7000000000000001.
        Assert.Equal([0.7, 0.1, 0.3], (x / 10.0).ToArray<double>());
        Assert.Equal([9.5, 3.5, 5.5], (x + 2.5).ToArray<double>());
        Assert.Equal([5.0, -1, 1], (x - 2.0).ToArray<double>());
        Assert.Equal([-5.0, 1, -1], (2.0 - x).ToArray<double>());
        Assert.Equal([14.0, 2, 6], (2.0 * x).ToArray<double>());
        Assert.Equal([-7.0, -1, -3], (-x).ToArray<double>());
    }

    [Fact]
    public void Float32_arithmetic_stays_float32()
    {
        var y = Tensor.FromArray([1f, 2f]) * Tensor.FromArray([0.5f, 4f]) + 1.0;
        Assert.Equal(DType.Float32, y.DType);
        Assert.Equal([1.5f, 9f], y.ToArray<float>());
    }

    // ------------------------------------------------------------------ comparisons and where

    [Fact]
    public void Comparisons_give_one_or_zero_in_the_input_dtype()
    {
        var a = Tensor.FromArray([1.0, 2, 3]);
        var b = Tensor.FromArray([2.0]);
        AssertTensor(Ops.Equal(a, b), [3], 0, 1, 0);
        AssertTensor(Ops.NotEqual(a, b), [3], 1, 0, 1);
        AssertTensor(Ops.Less(a, b), [3], 1, 0, 0);
        AssertTensor(Ops.LessEqual(a, b), [3], 1, 1, 0);
        AssertTensor(Ops.Greater(a, b), [3], 0, 0, 1);
        AssertTensor(Ops.GreaterEqual(a, b), [3], 0, 1, 1);
        Assert.Equal(DType.Float64, Ops.Less(a, b).DType);
        Assert.Equal(DType.Float32, Ops.Less(Tensor.FromArray([1f]), Tensor.FromArray([2f])).DType);
    }

    [Fact]
    public void Comparison_results_do_not_require_gradients()
    {
        var a = Tensor.FromArray([1.0, 2]);
        a.RequiresGrad = true;
        Assert.False(Ops.Greater(a, Tensor.FromArray([1.5])).RequiresGrad);
    }

    [Fact]
    public void Where_picks_from_a_or_b_with_all_three_broadcast()
    {
        var condition = Tensor.FromArray([1.0, 0], new Shape(2, 1));
        var y = Ops.Where(condition, Tensor.FromArray([1.0, 2, 3]), Tensor.Scalar(-1, DType.Float64));
        AssertTensor(y, [2, 3], 1, 2, 3, -1, -1, -1);
    }

    // ------------------------------------------------------------------ activations: Keras's scalar formulas

    private static double Relu6(double x) => Math.Min(Math.Max(x, 0), 6);

    private const double SeluScale = 1.0507009873554804934193349852946;
    private const double SeluAlpha = 1.6732632423543772848170429916717;

    /// <summary>Each op next to the formula Keras uses for it (keras/src/activations/activations.py, keras.ops).</summary>
    private static readonly Dictionary<string, (Func<Tensor, Tensor> Op, Func<double, double> Formula)> s_activations = new()
    {
        ["tanh"] = (Ops.Tanh, Math.Tanh),
        ["sigmoid"] = (Ops.Sigmoid, x => 1 / (1 + Math.Exp(-x))),
        ["hard_sigmoid (Keras 3: relu6(x + 3) / 6)"] = (Ops.HardSigmoid, x => Relu6(x + 3) / 6),
        ["hard_sigmoid (Keras 2: clip(0.2x + 0.5, 0, 1))"] = (Ops.HardSigmoidKeras2, x => Math.Clamp(0.2 * x + 0.5, 0, 1)),
        ["relu"] = (Ops.Relu, x => Math.Max(x, 0)),
        ["relu6"] = (Ops.Relu6, Relu6),
        ["leaky_relu (default negative_slope 0.2)"] = (x => Ops.LeakyRelu(x), x => x >= 0 ? x : 0.2 * x),
        ["leaky_relu (negative_slope 0.01)"] = (x => Ops.LeakyRelu(x, 0.01), x => x >= 0 ? x : 0.01 * x),
        ["elu (alpha 1)"] = (x => Ops.Elu(x), x => x > 0 ? x : Math.Exp(x) - 1),
        ["elu (alpha 0.5)"] = (x => Ops.Elu(x, 0.5), x => x > 0 ? x : 0.5 * (Math.Exp(x) - 1)),
        ["selu"] = (Ops.Selu, x => SeluScale * (x > 0 ? x : SeluAlpha * (Math.Exp(x) - 1))),
        ["gelu (approximate)"] = (x => Ops.Gelu(x, approximate: true),
            x => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))),
        ["softplus"] = (Ops.Softplus, x => Math.Log(1 + Math.Exp(x))),
        ["softsign"] = (Ops.Softsign, x => x / (1 + Math.Abs(x))),
        ["silu"] = (Ops.Silu, x => x / (1 + Math.Exp(-x))),
        ["hard_silu"] = (Ops.HardSilu, x => x * Relu6(x + 3) / 6),
        ["mish"] = (Ops.Mish, x => x * Math.Tanh(Math.Log(1 + Math.Exp(x)))),
        ["log_sigmoid"] = (Ops.LogSigmoid, x => -Math.Log(1 + Math.Exp(-x))),
        ["exponential"] = (Ops.Exp, Math.Exp),
        ["log"] = (Ops.Log, Math.Log),
        ["sqrt"] = (Ops.Sqrt, Math.Sqrt),
        ["square"] = (Ops.Square, x => x * x),
        ["reciprocal"] = (Ops.Reciprocal, x => 1 / x),
        ["sin"] = (Ops.Sin, Math.Sin),
        ["cos"] = (Ops.Cos, Math.Cos),
        ["abs"] = (Ops.Abs, Math.Abs),
        ["sign"] = (Ops.Sign, x => Math.Sign(x)),
        ["negative"] = (Ops.Negate, x => -x),
        ["clip(x, -1, 2)"] = (x => Ops.Clip(x, -1, 2), x => Math.Clamp(x, -1, 2)),
    };

    // Kinks (0, ±2.5, ±3, 6) are included on purpose: forward values there are defined and must match.
    private static readonly double[] s_activationPoints = [-7, -3.5, -3, -2.5, -1, -0.3, 0, 0.3, 1, 2.5, 3, 3.5, 6, 7];

    public static TheoryData<string> ActivationNames() => new(s_activations.Keys);

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Activation_matches_the_Keras_formula_in_float64(string name)
    {
        var (op, formula) = s_activations[name];
        var actual = op(Tensor.FromArray(s_activationPoints)).ToArray<double>();
        for (int i = 0; i < s_activationPoints.Length; i++)
            AssertClose(formula(s_activationPoints[i]), actual[i], 1e-12, $"{name}({s_activationPoints[i]})");
    }

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Activation_matches_the_Keras_formula_in_float32(string name)
    {
        var (op, formula) = s_activations[name];
        var actual = op(Tensor.FromArray(s_activationPoints.Select(v => (float)v).ToArray())).ToArray<float>();
        for (int i = 0; i < s_activationPoints.Length; i++)
            AssertClose(formula(s_activationPoints[i]), actual[i], 1e-6, $"{name}({s_activationPoints[i]})");
    }

    private static void AssertClose(double expected, double actual, double relativeTolerance, string what)
    {
        // NaN and infinities (log 0, √-7, 1/0) must agree exactly.
        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            Assert.True(expected.Equals(actual), $"{what}: expected {expected}, got {actual}");
            return;
        }
        double error = Math.Abs(expected - actual) / Math.Max(Math.Abs(expected), 1e-3);
        Assert.True(error <= relativeTolerance, $"{what}: expected {expected:R}, got {actual:R} (relative error {error:E2})");
    }

    [Theory]
    // x·Φ(x) from Python's math.erfc: 0.5 * x * erfc(-x / sqrt(2)).
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(-1.0, -0.15865525393145707)]
    [InlineData(0.5, 0.34573123063700656)]
    [InlineData(2.0, 1.9544997361036416)]
    [InlineData(0.0, 0.0)]
    [InlineData(-3.5, -0.0008142017766243376)]
    [InlineData(-4.5, -1.5289529061285276e-05)]
    [InlineData(-5.0, -1.4332578593959731e-06)]
    public void Exact_gelu_uses_erf(double x, double expected)
    {
        // 1e-12: below |x|/√2 = 3, erfc is 1 − erf, whose absolute rounding (1e-16) is 4e-13 of erfc(2.47) at x = −3.5.
        AssertClose(expected, Ops.Gelu(Tensor.FromArray([x])).Item(), 1e-12, $"gelu({x})");
        AssertClose(expected, Ops.Gelu(Tensor.FromArray([(float)x])).Item(), 1e-6, $"gelu({x}) in float32");
    }

    [Fact]
    public void Float32_tanh_keeps_its_relative_precision_near_zero()
    {
        float[] x = [0f, 1e-6f, -1e-4f, 1e-3f, 0.01f];
        var y = Ops.Tanh(Tensor.FromArray(x)).ToArray<float>();
        Assert.Equal(0f, y[0]);
        for (int i = 1; i < x.Length; i++)
        {
            double expected = Math.Tanh(x[i]);
            Assert.True(Math.Abs(y[i] - expected) <= 1e-7 * Math.Abs(expected), $"tanh({x[i]}): expected {expected:R}, got {y[i]:R}");
        }
    }

    [Theory]
    // Tails where log(1 + ε) and eˣ − 1 lose digits unless computed as log1p / expm1 (values from Python's math.log1p/expm1).
    [InlineData("softplus", -20.0, 2.061153620314381e-09)]
    [InlineData("softplus", -30.0, 9.357622968839737e-14)]
    [InlineData("softplus", -40.0, 4.248354255291589e-18)]
    [InlineData("log_sigmoid", 20.0, -2.061153620314381e-09)]
    [InlineData("log_sigmoid", 30.0, -9.357622968839737e-14)]
    [InlineData("mish", -20.0, -4.122307240628762e-08)]
    [InlineData("elu", -1e-10, -9.999999999500001e-11)]
    [InlineData("elu", -1e-5, -9.999950000166666e-06)]
    [InlineData("selu", -1e-10, -1.7580993407594719e-10)]
    public void Activation_tails_keep_full_float64_precision(string name, double x, double expected)
    {
        Func<Tensor, Tensor> op = name switch
        {
            "softplus" => Ops.Softplus,
            "log_sigmoid" => Ops.LogSigmoid,
            "mish" => Ops.Mish,
            "elu" => t => Ops.Elu(t),
            _ => Ops.Selu,
        };
        double actual = op(Tensor.FromArray([x])).Item();
        Assert.True(Math.Abs(actual - expected) <= 1e-14 * Math.Abs(expected), $"{name}({x}): expected {expected:R}, got {actual:R}");
    }

    [Fact]
    public void Selu_uses_the_Keras_constants()
    {
        AssertClose(SeluScale, Ops.Selu(Tensor.FromArray([1.0])).Item(), 1e-15, "selu(1)");
        AssertClose(-SeluScale * SeluAlpha * (1 - Math.Exp(-1)), Ops.Selu(Tensor.FromArray([-1.0])).Item(), 1e-15, "selu(-1)");
    }

    [Fact]
    public void Saturating_activations_stay_finite_for_huge_inputs()
    {
        var x = Tensor.FromArray([-1000.0, 1000.0]);
        Assert.Equal([0.0, 1000.0], Ops.Softplus(x).ToArray<double>());
        Assert.Equal([-1000.0, 0.0], Ops.LogSigmoid(x).ToArray<double>());
        Assert.Equal([0.0, 1.0], Ops.Sigmoid(x).ToArray<double>());
        Assert.Equal([-0.0, 1000.0], Ops.Silu(x).ToArray<double>());
        Assert.Equal([-1.0, 1.0], Ops.Tanh(x).ToArray<double>());
        Assert.Equal([0.0, 1000.0], Ops.Mish(x).ToArray<double>().Select(v => v == 0 ? 0.0 : v).ToArray());
        Assert.Equal([-0.0, 1000.0], Ops.Gelu(x).ToArray<double>());
    }

    // ------------------------------------------------------------------ reductions

    [Fact]
    public void Sum_over_one_axis_with_keepDims_keeps_a_size_1_axis()
    {
        // x[i, j, k] = 12i + 4j + k; Σj = 36i + 12 + 3k.
        AssertTensor(Ops.Sum(Range(2, 3, 4), 1, keepDims: true), [2, 1, 4], 12, 15, 18, 21, 48, 51, 54, 57);
        AssertTensor(Ops.Sum(Range(2, 3, 4), 1), [2, 4], 12, 15, 18, 21, 48, 51, 54, 57);
    }

    [Fact]
    public void Reductions_over_several_and_negative_axes()
    {
        var x = Range(2, 3, 4);
        AssertTensor(Ops.Sum(x, [0, 2]), [3], 60, 92, 124);
        AssertTensor(Ops.Sum(x, [-1, 0], keepDims: true), [1, 3, 1], 60, 92, 124);
        AssertTensor(Ops.Mean(x, [0, 1]), [4], 10, 11, 12, 13);
        AssertTensor(Ops.Max(x, [0]), [3, 4], Enumerable.Range(12, 12).Select(v => (double)v).ToArray());
        AssertTensor(Ops.Max(x, [-1], keepDims: true), [2, 3, 1], 3, 7, 11, 15, 19, 23);
        AssertTensor(Ops.Min(x, [1, 2]), [2], 0, 12);
        AssertTensor(Ops.Min(x, [0, 2], keepDims: true), [1, 3, 1], 0, 4, 8);
    }

    [Fact]
    public void Reducing_all_axes_gives_a_scalar_or_all_ones_with_keepDims()
    {
        var x = Range(2, 3, 4);
        AssertTensor(Ops.Mean(x), [], 11.5);
        AssertTensor(Ops.Sum(x), [], 276);
        AssertTensor(Ops.Max(x, keepDims: true), [1, 1, 1], 23);
        AssertTensor(Ops.Min(x), [], 0);
    }

    [Fact]
    public void Reducing_no_axes_returns_the_values_unchanged()
    {
        AssertTensor(Ops.Sum(Range(2, 2), []), [2, 2], 0, 1, 2, 3);
    }

    [Fact]
    public void Max_shares_the_gradient_equally_among_tied_maxima()
    {
        var x = Tensor.FromArray([1.0, 3, 3]);
        x.RequiresGrad = true;
        Ops.Max(x).Backward();
        Assert.Equal([0.0, 0.5, 0.5], x.Grad!.ToArray<double>());
    }

    [Fact]
    public void Maximum_sends_the_gradient_of_a_tie_to_a()
    {
        var a = Tensor.FromArray([1.0, 2]);
        var b = Tensor.FromArray([1.0, 3]);
        a.RequiresGrad = b.RequiresGrad = true;
        Ops.Sum(Ops.Maximum(a, b)).Backward();
        Assert.Equal([1.0, 0], a.Grad!.ToArray<double>());
        Assert.Equal([0.0, 1], b.Grad!.ToArray<double>());
    }

    [Fact]
    public void ArgMax_and_ArgMin_return_the_first_occurrence_of_ties()
    {
        var x = Matrix(new double[,] { { 1, 3, 3 }, { 2, 2, 1 } });
        Assert.Equal([1, 0], Ops.ArgMax(x).ToArray<int>());
        Assert.Equal([0, 2], Ops.ArgMin(x).ToArray<int>());
        Assert.Equal([1, 0, 0], Ops.ArgMax(x, 0).ToArray<int>());
        Assert.Equal([0, 1, 1], Ops.ArgMin(x, 0).ToArray<int>());
        var kept = Ops.ArgMax(x, -1, keepDims: true);
        Assert.Equal(new Shape(2, 1), kept.Shape);
        Assert.Equal(DType.Int32, kept.DType);
    }

    // ------------------------------------------------------------------ matmul

    [Theory]
    [InlineData(false, false, new double[] { 19, 22, 43, 50 })]
    [InlineData(true, false, new double[] { 26, 30, 38, 44 })]
    [InlineData(false, true, new double[] { 17, 23, 39, 53 })]
    [InlineData(true, true, new double[] { 23, 31, 34, 46 })]
    public void MatMul_of_2x2_matrices_in_all_transpose_combinations(bool transposeA, bool transposeB, double[] expected)
    {
        var a = Matrix(new double[,] { { 1, 2 }, { 3, 4 } });
        var b = Matrix(new double[,] { { 5, 6 }, { 7, 8 } });
        AssertTensor(Ops.MatMul(a, b, transposeA, transposeB), [2, 2], expected);
    }

    [Fact]
    public void MatMul_with_a_matrix_shared_by_the_batch()
    {
        var batch = Tensor.FromArray([1.0, 2, 3, 4], new Shape(2, 1, 2));
        var kernel = Matrix(new double[,] { { 5, 6 }, { 7, 8 } });
        AssertTensor(Ops.MatMul(batch, kernel), [2, 1, 2], 19, 22, 43, 50);
        AssertTensor(Ops.MatMul(kernel, Tensor.FromArray([1.0, 0, 0, 1], new Shape(2, 2, 1))), [2, 2, 1], 5, 7, 6, 8);
    }

    [Fact]
    public void MatMul_of_batches_multiplies_entry_by_entry()
    {
        var a = Tensor.FromArray([1.0, 2, 3, 4, 1, 0, 0, 1], new Shape(2, 2, 2));
        var b = Tensor.FromArray([1.0, 0, 0, 1, 5, 6, 7, 8], new Shape(2, 2, 2));
        AssertTensor(Ops.MatMul(a, b), [2, 2, 2], 1, 2, 3, 4, 5, 6, 7, 8);
    }

    // ------------------------------------------------------------------ data movement

    [Fact]
    public void Transpose_swaps_rows_and_columns()
    {
        AssertTensor(Ops.Transpose(Matrix(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } })), [3, 2], 1, 4, 2, 5, 3, 6);
    }

    [Fact]
    public void Transpose_with_a_permutation_moves_each_element_to_its_permuted_index()
    {
        var x = Range(2, 3, 4).ToDoubleArray();
        var y = Ops.Transpose(Range(2, 3, 4), 1, 2, 0);
        Assert.Equal(new Shape(3, 4, 2), y.Shape);
        var values = y.ToDoubleArray();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    Assert.Equal(x[i * 12 + j * 4 + k], values[j * 8 + k * 2 + i]);
    }

    [Fact]
    public void Slice_copies_a_window()
    {
        AssertTensor(Ops.Slice(Range(3, 4), [1, 1], [2, -1]), [2, 3], 5, 6, 7, 9, 10, 11);
        AssertTensor(Ops.Slice(Range(3, 4), -1, 2, 2), [3, 2], 2, 3, 6, 7, 10, 11);
        AssertTensor(Ops.Slice(Range(3, 4), 0, 1, 0), [0, 4]);
    }

    [Fact]
    public void Concat_joins_along_an_existing_axis()
    {
        var top = Matrix(new double[,] { { 1, 2 } });
        var bottom = Matrix(new double[,] { { 3, 4 }, { 5, 6 } });
        AssertTensor(Ops.Concat([top, bottom], 0), [3, 2], 1, 2, 3, 4, 5, 6);
        var left = Tensor.FromArray([1.0, 2], new Shape(2, 1));
        AssertTensor(Ops.Concat([left, bottom], -1), [2, 3], 1, 3, 4, 2, 5, 6);
    }

    [Fact]
    public void Stack_joins_along_a_new_axis()
    {
        var a = Tensor.FromArray([1.0, 2]);
        var b = Tensor.FromArray([3.0, 4]);
        AssertTensor(Ops.Stack([a, b]), [2, 2], 1, 2, 3, 4);
        AssertTensor(Ops.Stack([a, b], 1), [2, 2], 1, 3, 2, 4);
        AssertTensor(Ops.Stack([a, b], -1), [2, 2], 1, 3, 2, 4);
    }

    [Fact]
    public void Int32_index_tensors_concatenate_stack_and_move_like_floats()
    {
        var a = Tensor.FromArray([1, 2], new Shape(2));
        var b = Tensor.FromArray([3, 4], new Shape(2));
        Assert.Equal([1, 2, 3, 4], Ops.Concat([a, b], 0).ToArray<int>());
        Assert.Equal([1, 3, 2, 4], Ops.Stack([a, b], 1).ToArray<int>());
        Assert.Equal([2, 1], Ops.Flip(a, 0).ToArray<int>());
        Assert.Equal([1, 3, 2, 4], Ops.Transpose(Ops.Stack([a, b])).ToArray<int>());
        Assert.Equal([0, 1, 2, 0], Ops.Pad(a, [(1, 1)]).ToArray<int>());
    }

    [Fact]
    public void Split_cuts_into_pieces_of_given_or_equal_sizes()
    {
        var pieces = Ops.Split(Range(6), [1, 2, 3], 0);
        AssertTensor(pieces[0], [1], 0);
        AssertTensor(pieces[1], [2], 1, 2);
        AssertTensor(pieces[2], [3], 3, 4, 5);
        var halves = Ops.Split(Range(2, 4), 2);
        AssertTensor(halves[0], [2, 2], 0, 1, 4, 5);
        AssertTensor(halves[1], [2, 2], 2, 3, 6, 7);
    }

    [Fact]
    public void Pad_surrounds_with_the_constant()
    {
        AssertTensor(Ops.Pad(Matrix(new double[,] { { 1, 2 } }), [(1, 0), (0, 2)], 9), [2, 4], 9, 9, 9, 9, 1, 2, 9, 9);
    }

    [Fact]
    public void Flip_reverses_one_axis()
    {
        var x = Matrix(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        AssertTensor(Ops.Flip(x, 1), [2, 3], 3, 2, 1, 6, 5, 4);
        AssertTensor(Ops.Flip(x, 0), [2, 3], 4, 5, 6, 1, 2, 3);
        AssertTensor(Ops.Flip(x, -1), [2, 3], 3, 2, 1, 6, 5, 4);
    }

    [Fact]
    public void ExpandDims_and_Squeeze_add_and_remove_size_1_axes()
    {
        var x = Range(2, 3);
        Assert.Equal(new Shape(1, 2, 3), Ops.ExpandDims(x, 0).Shape);
        Assert.Equal(new Shape(2, 3, 1), Ops.ExpandDims(x, -1).Shape);
        Assert.Equal(new Shape(2, 1, 3), Ops.ExpandDims(x, 1).Shape);
        Assert.Equal(new Shape(3), Ops.Squeeze(Range(1, 3, 1)).Shape);
        Assert.Equal(new Shape(3, 1), Ops.Squeeze(Range(1, 3, 1), 0).Shape);
        Assert.Equal(Shape.Scalar, Ops.Squeeze(Range(1, 1)).Shape);
    }

    [Fact]
    public void BroadcastTo_repeats_size_1_and_missing_leading_axes()
    {
        AssertTensor(Ops.BroadcastTo(Tensor.FromArray([1.0, 2, 3]), new Shape(2, 3)), [2, 3], 1, 2, 3, 1, 2, 3);
        AssertTensor(Ops.BroadcastTo(Tensor.FromArray([1.0, 2], new Shape(2, 1)), new Shape(2, 3)), [2, 3], 1, 1, 1, 2, 2, 2);
    }

    [Fact]
    public void Reshape_infers_minus_one_and_keeps_row_major_order()
    {
        AssertTensor(Ops.Reshape(Range(2, 3), -1, 2), [3, 2], 0, 1, 2, 3, 4, 5);
        AssertTensor(Ops.Reshape(Range(2, 3), new Shape(6)), [6], 0, 1, 2, 3, 4, 5);
    }

    [Fact]
    public void Gather_looks_up_embedding_rows()
    {
        var table = Matrix(new double[,] { { 0, 1 }, { 10, 11 }, { 20, 21 } });
        var indices = Tensor.FromArray([2, 0, 1, 2], new Shape(2, 2));
        AssertTensor(Ops.Gather(table, indices), [2, 2, 2], 20, 21, 0, 1, 10, 11, 20, 21);
    }

    [Fact]
    public void Gather_scatter_adds_the_gradient_of_repeated_indices()
    {
        var table = Tensor.Zeros(new Shape(3, 2), DType.Float64);
        table.RequiresGrad = true;
        Ops.Sum(Ops.Gather(table, Tensor.FromArray([2, 0, 2], new Shape(3)))).Backward();
        Assert.Equal([1.0, 1, 0, 0, 2, 2], table.Grad!.ToArray<double>());
    }

    // ------------------------------------------------------------------ softmax

    [Fact]
    public void Softmax_of_1_2_3()
    {
        var y = Ops.Softmax(Tensor.FromArray([1.0, 2, 3])).ToArray<double>();
        double[] expected = [0.09003057317038046, 0.24472847105479764, 0.6652409557748218];
        for (int i = 0; i < 3; i++) AssertClose(expected[i], y[i], 1e-15, $"softmax[{i}]");
    }

    [Fact]
    public void LogSoftmax_is_stable_for_large_inputs()
    {
        var y = Ops.LogSoftmax(Tensor.FromArray([1000.0, 1001])).ToArray<double>();
        AssertClose(-1.3132616875182228, y[0], 1e-15, "log_softmax[0]");
        AssertClose(-0.31326168751822286, y[1], 1e-15, "log_softmax[1]");
        Assert.Equal([0.5, 0.5], Ops.Softmax(Tensor.FromArray([1e4f, 1e4f])).ToDoubleArray());
    }

    [Fact]
    public void Softmax_along_axis_0_normalizes_columns()
    {
        var y = Ops.Softmax(Matrix(new double[,] { { 1, 5 }, { 1, 5 } }), 0);
        AssertTensor(y, [2, 2], 0.5, 0.5, 0.5, 0.5);
        var sums = Ops.Sum(Ops.Softmax(Range(2, 3, 4), 1), 1).ToDoubleArray();
        Assert.All(sums, s => Assert.Equal(1.0, s, 12));
    }

    // ------------------------------------------------------------------ work split across threads

    // 300 × 512 = 153,600 elements: above the sizes from which the CPU kernels split work across cores.
    private const int Rows = 300, Columns = 512;

    /// <summary>Compares large arrays in one pass, reporting the first differing element (per-element asserts are slow).</summary>
    private static void AssertSameValues<T>(T[] expected, T[] actual) where T : IEquatable<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        int first = Enumerable.Range(0, expected.Length).FirstOrDefault(i => !expected[i].Equals(actual[i]), -1);
        Assert.True(first < 0, first < 0 ? "" : $"element {first}: expected {expected[first]}, got {actual[first]}");
    }

    [Fact]
    public void Large_broadcast_arithmetic_matches_the_elementwise_definition()
    {
        var a = Range(Rows, Columns);
        var sum = (a + Range(Rows, 1) * 1000.0).ToArray<double>();
        var quotient = Ops.Divide(Range(Columns) + 1.0, a + 1.0).ToArray<double>();   // a broadcast left operand
        AssertSameValues(Enumerable.Range(0, Rows * Columns).Select(k => k + 1000.0 * (k / Columns)).ToArray(), sum);
        AssertSameValues(Enumerable.Range(0, Rows * Columns).Select(k => (k % Columns + 1.0) / (k + 1.0)).ToArray(), quotient);
    }

    [Fact]
    public void Large_where_and_transpose_move_every_element_to_its_place()
    {
        var x = Range(Rows, Columns);
        var even = Ops.Equal(Tensor.FromArray(Enumerable.Range(0, Columns).Select(j => (double)(j % 2)).ToArray()), Tensor.Scalar(0, DType.Float64));
        var picked = Ops.Where(even, x, -x).ToArray<double>();
        AssertSameValues(Enumerable.Range(0, Rows * Columns).Select(k => k % Columns % 2 == 0 ? (double)k : -k).ToArray(), picked);
        var transposed = Ops.Transpose(x).ToArray<double>();
        AssertSameValues(Enumerable.Range(0, Rows * Columns).Select(t => (double)(t % Rows * Columns + t / Rows)).ToArray(), transposed);
    }

    [Fact]
    public void Large_reductions_match_the_sums_by_formula()
    {
        var x = Range(Rows * 100, 3);   // 30,000 rows of 3: the row-wise reduction is split across threads
        AssertSameValues(Enumerable.Range(0, Rows * 100).Select(r => 9.0 * r + 3).ToArray(), Ops.Sum(x, -1).ToArray<double>());
        double last = 3.0 * (Rows * 100 - 1);
        Assert.Equal([last, last + 1, last + 2], Ops.Max(x, [0]).ToArray<double>());
    }

    [Fact]
    public void Large_float32_tanh_and_unary_gradients_match_element_by_element()
    {
        var values = Enumerable.Range(0, Rows * Columns).Select(i => (float)Math.Sin(i)).ToArray();
        AssertSameValues(values.Select(v => (float)Math.Tanh(v)).ToArray(), Ops.Tanh(Tensor.FromArray(values)).ToArray<float>());

        var x = Tensor.FromArray(values.Select(v => (double)v).ToArray());
        x.RequiresGrad = true;
        Ops.Sum(Ops.Square(x)).Backward();
        AssertSameValues(values.Select(v => 2.0 * v).ToArray(), x.Grad!.ToArray<double>());
    }

    // ------------------------------------------------------------------ casts

    [Fact]
    public void Cast_to_int32_truncates_toward_zero_and_back_is_exact()
    {
        var ints = Ops.Cast(Tensor.FromArray([1.7, -1.7, 2.0, -0.5]), DType.Int32);
        Assert.Equal([1, -1, 2, 0], ints.ToArray<int>());
        Assert.Equal([1f, -1f, 2f, 0f], Ops.Cast(ints, DType.Float32).ToArray<float>());
        Assert.Equal([0.5f], Ops.Cast(Tensor.FromArray([0.5]), DType.Float32).ToArray<float>());
    }
}
