using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Autograd;

/// <summary>
/// Every differentiable op against float64 central differences (<see cref="GradientCheck"/>), over shapes with
/// size-1 and odd dimensions, scalars and broadcasting. The tolerance is the acceptance bar, never loosened per op:
/// where a function has a kink, the evaluation points are moved away from it instead.
/// </summary>
public class OpsGradientTests
{
    private const double MaxRelativeError = 1e-6;

    /// <summary>
    /// Draws points uniformly in [min, max) and pushes any point within 0.1 of a kink 0.25 away from it: a central
    /// difference with step 1e-6 that straddles a kink measures the average of two slopes, not the derivative.
    /// </summary>
    private static Tensor PointsAwayFromKinks(Shape shape, long seed, double min, double max, params double[] kinks)
    {
        var values = new RandomGenerator(seed).Uniform(shape, min, max, DType.Float64).ToArray<double>();
        for (int i = 0; i < values.Length; i++)
            foreach (double kink in kinks)
                if (Math.Abs(values[i] - kink) < 0.1) values[i] = kink + (values[i] >= kink ? 0.25 : -0.25);
        return Tensor.FromArray(values, shape);
    }

    private static Tensor Points(Shape shape, long seed, double min = -2, double max = 2) => PointsAwayFromKinks(shape, seed, min, max);

    private static void AssertGradientMatches(Func<Tensor[], Tensor> function, params Tensor[] inputs)
    {
        var result = GradientCheck.Run(function, inputs);
        Assert.True(result.MaxRelativeError < MaxRelativeError, result.ToString());
    }

    // ------------------------------------------------------------------ unary ops and activations

    /// <summary>One unary op with its parameters and a domain that avoids its kinks and singularities.</summary>
    public sealed record UnaryCase(UnaryOp Op, double Alpha, double Beta, double Min, double Max, params double[] Kinks);

    private static readonly Dictionary<string, UnaryCase> s_unaryCases = new()
    {
        ["Negate"] = new(UnaryOp.Negate, 0, 0, -3, 3),
        ["Abs"] = new(UnaryOp.Abs, 0, 0, -3, 3, 0),
        ["Sign"] = new(UnaryOp.Sign, 0, 0, -3, 3, 0),
        ["Square"] = new(UnaryOp.Square, 0, 0, -3, 3),
        ["Sqrt"] = new(UnaryOp.Sqrt, 0, 0, 0.5, 4),                 // positive: √ is not differentiable at 0
        ["Reciprocal"] = new(UnaryOp.Reciprocal, 0, 0, -3, 3, 0),    // pole at 0
        ["Exp"] = new(UnaryOp.Exp, 0, 0, -3, 3),
        ["Log"] = new(UnaryOp.Log, 0, 0, 0.5, 4),                   // positive: log's domain
        ["Sin"] = new(UnaryOp.Sin, 0, 0, -4, 4),
        ["Cos"] = new(UnaryOp.Cos, 0, 0, -4, 4),
        ["Tanh"] = new(UnaryOp.Tanh, 0, 0, -3, 3),
        ["Sigmoid"] = new(UnaryOp.Sigmoid, 0, 0, -5, 5),
        ["HardSigmoid"] = new(UnaryOp.HardSigmoid, 0, 0, -5, 5, -3, 3),               // kinks at ±3
        ["HardSigmoidKeras2"] = new(UnaryOp.HardSigmoidKeras2, 0, 0, -4, 4, -2.5, 2.5), // kinks at ±2.5
        ["Relu"] = new(UnaryOp.Relu, 0, 0, -3, 3, 0),
        ["Relu6"] = new(UnaryOp.Relu6, 0, 0, -3, 8, 0, 6),
        ["LeakyRelu(0.2)"] = new(UnaryOp.LeakyRelu, 0.2, 0, -3, 3, 0),
        ["LeakyRelu(0.01)"] = new(UnaryOp.LeakyRelu, 0.01, 0, -3, 3, 0),
        ["Elu(1)"] = new(UnaryOp.Elu, 1.0, 0, -3, 3, 0),
        ["Elu(0.5)"] = new(UnaryOp.Elu, 0.5, 0, -3, 3, 0),
        ["Selu"] = new(UnaryOp.Selu, 0, 0, -3, 3, 0),
        ["Gelu"] = new(UnaryOp.Gelu, 0, 0, -4, 4),
        ["GeluTanh"] = new(UnaryOp.GeluTanh, 0, 0, -4, 4),
        ["Softplus"] = new(UnaryOp.Softplus, 0, 0, -5, 5),
        ["Softsign"] = new(UnaryOp.Softsign, 0, 0, -3, 3, 0),       // f'' jumps at 0
        ["Silu"] = new(UnaryOp.Silu, 0, 0, -5, 5),
        ["HardSilu"] = new(UnaryOp.HardSilu, 0, 0, -5, 5, -3, 3),   // kinks at ±3
        ["Mish"] = new(UnaryOp.Mish, 0, 0, -5, 5),
        ["LogSigmoid"] = new(UnaryOp.LogSigmoid, 0, 0, -5, 5),
        ["Clip(-1, 1.5)"] = new(UnaryOp.Clip, -1, 1.5, -3, 3, -1, 1.5),
    };

    private static readonly int[][] s_unaryShapes = [[], [1], [5], [2, 1, 3]];

    public static TheoryData<string, int[]> UnaryOpsAndShapes()
    {
        var data = new TheoryData<string, int[]>();
        foreach (var name in s_unaryCases.Keys)
            foreach (var shape in s_unaryShapes) data.Add(name, shape);
        return data;
    }

    [Theory]
    [MemberData(nameof(UnaryOpsAndShapes))]
    public void Unary_op_gradient_matches_finite_differences(string caseName, int[] dims)
    {
        var c = s_unaryCases[caseName];
        var x = PointsAwayFromKinks(new Shape(dims), seed: dims.Length + 10 * (int)c.Op, c.Min, c.Max, c.Kinks);
        AssertGradientMatches(t => Ops.Unary(c.Op, t[0], c.Alpha, c.Beta), x);
    }

    [Theory]
    [InlineData(UnaryOp.Softplus, -20, -8)]
    [InlineData(UnaryOp.Softplus, 8, 20)]
    [InlineData(UnaryOp.LogSigmoid, 8, 20)]
    [InlineData(UnaryOp.LogSigmoid, -20, -8)]
    [InlineData(UnaryOp.Mish, -20, -8)]
    [InlineData(UnaryOp.Silu, -20, -8)]
    [InlineData(UnaryOp.Sigmoid, -20, -8)]
    [InlineData(UnaryOp.Gelu, -6, -4)]
    [InlineData(UnaryOp.Elu, -0.05, -0.01)]
    public void Unary_op_gradient_matches_finite_differences_in_the_tails(UnaryOp op, double min, double max)
    {
        // Saturated regions, where the values are tiny and any rounding noise in the forward pass shows up in the
        // central difference. Elu's range stays ≥ 0.01 from its kink at 0.
        AssertGradientMatches(t => Ops.Unary(op, t[0], alpha: 1.0), Points(new Shape(7), 50 + (int)op, min, max));
    }

    [Theory]
    // At a kink there is no derivative to check numerically; the value used there is TensorFlow's (what a Keras
    // model trained with the TF backend gets): relu/relu6 grads use strict comparisons, leaky_relu uses
    // features > 0, tf.clip_by_value passes the gradient on its closed interval.
    [InlineData(UnaryOp.Relu, 0.0, 0, 0, 0.0)]
    [InlineData(UnaryOp.Relu6, 0.0, 0, 0, 0.0)]
    [InlineData(UnaryOp.Relu6, 6.0, 0, 0, 0.0)]
    [InlineData(UnaryOp.LeakyRelu, 0.0, 0.2, 0, 0.2)]
    [InlineData(UnaryOp.Abs, 0.0, 0, 0, 0.0)]
    [InlineData(UnaryOp.Elu, 0.0, 1.0, 0, 1.0)]
    [InlineData(UnaryOp.HardSigmoid, -3.0, 0, 0, 0.0)]
    [InlineData(UnaryOp.HardSigmoid, 3.0, 0, 0, 0.0)]
    [InlineData(UnaryOp.HardSilu, -3.0, 0, 0, 0.0)]
    [InlineData(UnaryOp.HardSilu, 3.0, 0, 0, 1.0)]
    [InlineData(UnaryOp.HardSigmoidKeras2, -2.5, 0, 0, 0.2)]
    [InlineData(UnaryOp.HardSigmoidKeras2, 2.5, 0, 0, 0.2)]
    [InlineData(UnaryOp.Clip, -1.0, -1.0, 2.0, 1.0)]
    [InlineData(UnaryOp.Clip, 2.0, -1.0, 2.0, 1.0)]
    public void Derivative_at_a_kink_follows_TensorFlow(UnaryOp op, double x, double alpha, double beta, double expected)
    {
        var input = Tensor.FromArray([x]);
        input.RequiresGrad = true;
        Ops.Sum(Ops.Unary(op, input, alpha, beta)).Backward();
        Assert.Equal(expected, input.Grad!.Item(), 15);
    }

    [Fact]
    public void Every_unary_op_has_a_gradient_case()
    {
        var covered = s_unaryCases.Values.Select(c => c.Op).ToHashSet();
        Assert.All(Enum.GetValues<UnaryOp>(), op => Assert.Contains(op, covered));
    }

    // ------------------------------------------------------------------ binary ops with broadcasting

    private static readonly (int[] A, int[] B)[] s_broadcastPairs =
    [
        ([2, 3], [2, 3]),
        ([2, 3], [3]),
        ([3, 1], [1, 4]),
        ([1], [2, 3]),
        ([], [2, 3]),
        ([2, 3], []),
        ([2, 1, 3], [4, 1]),
        ([5], [1]),
    ];

    public static TheoryData<BinaryOp, int[], int[]> BinaryOpsAndShapes()
    {
        var data = new TheoryData<BinaryOp, int[], int[]>();
        foreach (var op in new[] { BinaryOp.Add, BinaryOp.Subtract, BinaryOp.Multiply, BinaryOp.Divide, BinaryOp.Power, BinaryOp.Maximum, BinaryOp.Minimum })
            foreach (var (a, b) in s_broadcastPairs) data.Add(op, a, b);
        return data;
    }

    [Theory]
    [MemberData(nameof(BinaryOpsAndShapes))]
    public void Binary_op_gradient_matches_finite_differences_with_broadcasting(BinaryOp op, int[] aDims, int[] bDims)
    {
        // Power's base is kept positive (aᵇ is real and ln a defined); Divide's denominator stays away from 0.
        var a = op == BinaryOp.Power ? Points(new Shape(aDims), 1, 0.5, 2) : Points(new Shape(aDims), 1);
        var b = op == BinaryOp.Divide ? PointsAwayFromKinks(new Shape(bDims), 2, -2, 2, 0) : Points(new Shape(bDims), 2);
        AssertGradientMatches(t => Ops.Binary(op, t[0], t[1]), a, b);
    }

    private static readonly Dictionary<string, Func<Tensor[], Tensor>> s_operatorCases = new()
    {
        ["x + 2.5"] = t => t[0] + 2.5,
        ["2.5 + x"] = t => 2.5 + t[0],
        ["x - 1.5"] = t => t[0] - 1.5,
        ["1.5 - x"] = t => 1.5 - t[0],
        ["x * -3"] = t => t[0] * -3.0,
        ["-3 * x"] = t => -3.0 * t[0],
        ["x / 4"] = t => t[0] / 4.0,
        ["-x"] = t => -t[0],
        ["Ops.Add(x, 1.25)"] = t => Ops.Add(t[0], 1.25),
        ["Ops.Multiply(x, -0.5)"] = t => Ops.Multiply(t[0], -0.5),
        ["Ops.Power(x, 3)"] = t => Ops.Power(t[0], 3.0),
        ["Ops.Power(x, -1.5)"] = t => Ops.Power(t[0], -1.5),
        ["x + y"] = t => t[0] + t[1],
        ["x - y"] = t => t[0] - t[1],
        ["x * y"] = t => t[0] * t[1],
        ["x / y"] = t => t[0] / t[1],
        ["x * x (same tensor twice)"] = t => t[0] * t[0],
    };

    public static TheoryData<string> OperatorCases() => new(s_operatorCases.Keys);

    [Theory]
    [MemberData(nameof(OperatorCases))]
    public void Operator_and_scalar_overload_gradient_matches_finite_differences(string caseName)
    {
        // x is positive so that x^-1.5 is defined; y is positive so that x / y has no pole.
        var x = Points(new Shape(2, 3), 3, 0.5, 2);
        var y = Points(new Shape(3, 1, 1), 4, 0.5, 2);
        AssertGradientMatches(s_operatorCases[caseName], x, y);
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 3 }, new[] { 2, 1 })]
    [InlineData(new[] { 3 }, new[] { 2, 3 }, new int[0])]
    [InlineData(new[] { 1 }, new[] { 1, 4 }, new[] { 3, 1 })]
    public void Where_gradient_goes_to_the_chosen_branch(int[] conditionDims, int[] aDims, int[] bDims)
    {
        var condition = Ops.Greater(Points(new Shape(conditionDims), 5), Tensor.Scalar(0, DType.Float64));
        AssertGradientMatches(t => Ops.Where(condition, t[0], t[1]), Points(new Shape(aDims), 6), Points(new Shape(bDims), 7));
    }

    [Fact]
    public void Cast_to_the_same_dtype_passes_the_gradient_through()
    {
        AssertGradientMatches(t => Ops.Cast(t[0], DType.Float64) * t[0], Points(new Shape(2, 3), 8));
    }

    [Fact]
    public void Cast_through_float32_returns_a_float64_gradient()
    {
        var x = Tensor.FromArray([1.0, -2.0, 3.0]);
        x.RequiresGrad = true;
        Ops.Sum(Ops.Cast(x, DType.Float32) * 2.0).Backward();
        Assert.Equal(DType.Float64, x.Grad!.DType);
        Assert.Equal([2.0, 2.0, 2.0], x.Grad.ToArray<double>());
    }

    // ------------------------------------------------------------------ reductions

    private static readonly (int[] Shape, int[]? Axes)[] s_reductionCases =
    [
        ([2, 3, 4], null),
        ([2, 3, 4], [0]),
        ([2, 3, 4], [1]),
        ([2, 3, 4], [-1]),
        ([2, 3, 4], [0, 2]),
        ([2, 3, 4], [1, 2]),
        ([3, 1, 5], [1]),
        ([3, 1, 5], [0, 1]),
        ([5], [0]),
        ([1], null),
        ([], null),
    ];

    public static TheoryData<ReduceOp, int[], int[]?, bool> ReductionCases()
    {
        var data = new TheoryData<ReduceOp, int[], int[]?, bool>();
        foreach (var op in Enum.GetValues<ReduceOp>())
            foreach (var (shape, axes) in s_reductionCases)
                foreach (bool keepDims in new[] { false, true })
                    data.Add(op, shape, axes, keepDims);
        return data;
    }

    [Theory]
    [MemberData(nameof(ReductionCases))]
    public void Reduction_gradient_matches_finite_differences(ReduceOp op, int[] dims, int[]? axes, bool keepDims)
    {
        // Random continuous values have no ties, so Max/Min are differentiable at them.
        AssertGradientMatches(t => Ops.Reduce(op, t[0], axes, keepDims), Points(new Shape(dims), 9));
    }

    // ------------------------------------------------------------------ matmul

    public static TheoryData<int[], int[], bool, bool> MatMulCases()
    {
        var data = new TheoryData<int[], int[], bool, bool>();
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                // op(a) is (2, 3) and op(b) is (3, 4) in every case; the stored operands are transposed when asked.
                int[] a2 = ta ? [3, 2] : [2, 3], b2 = tb ? [4, 3] : [3, 4];
                int[] a3 = [2, .. a2], b3 = [2, .. b2];
                data.Add(a2, b2, ta, tb);   // matrix · matrix
                data.Add(a3, b3, ta, tb);   // batch · batch
                data.Add(a3, b2, ta, tb);   // batch · shared matrix
                data.Add(a2, b3, ta, tb);   // shared matrix · batch
            }
        data.Add([1, 3], [3, 1], false, false);
        data.Add([1, 1], [1, 5], false, false);
        data.Add([3, 1, 1], [1, 2], false, false);
        data.Add([1, 2, 3], [1, 1, 3], false, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(MatMulCases))]
    public void MatMul_gradient_matches_finite_differences(int[] aDims, int[] bDims, bool transposeA, bool transposeB)
    {
        AssertGradientMatches(t => Ops.MatMul(t[0], t[1], transposeA, transposeB), Points(new Shape(aDims), 10), Points(new Shape(bDims), 11));
    }

    // ------------------------------------------------------------------ shape and data-movement ops

    private static readonly Dictionary<string, (Func<Tensor[], Tensor> Function, int[][] Shapes)> s_shapeCases = new()
    {
        ["Reshape (2, 3) -> (3, 2)"] = (t => Ops.Reshape(t[0], 3, 2), [[2, 3]]),
        ["Reshape (2, 3) -> (1, -1, 1)"] = (t => Ops.Reshape(t[0], 1, -1, 1), [[2, 3]]),
        ["Transpose (2, 3, 4) by (2, 0, 1)"] = (t => Ops.Transpose(t[0], 2, 0, 1), [[2, 3, 4]]),
        ["Transpose (2, 3, 4) reversed"] = (t => Ops.Transpose(t[0]), [[2, 3, 4]]),
        ["Transpose (3, 1, 2) by (-1, 0, -2)"] = (t => Ops.Transpose(t[0], -1, 0, -2), [[3, 1, 2]]),
        ["Slice (3, 5) from (1, 2) size (2, -1)"] = (t => Ops.Slice(t[0], [1, 2], [2, -1]), [[3, 5]]),
        ["Slice axis -1 of (2, 5)"] = (t => Ops.Slice(t[0], -1, 1, 3), [[2, 5]]),
        ["Concat axis 0"] = (t => Ops.Concat([t[0], t[1], t[2]], 0), [[1, 3], [2, 3], [3, 3]]),
        ["Concat axis -1"] = (t => Ops.Concat([t[0], t[1], t[2]], -1), [[2, 1], [2, 3], [2, 2]]),
        ["Concat axis 1 of rank 3"] = (t => Ops.Concat([t[0], t[1]], 1), [[2, 1, 3], [2, 2, 3]]),
        ["Concat of one tensor"] = (t => Ops.Concat([t[0]], 0), [[3]]),
        ["Stack axis 0"] = (t => Ops.Stack([t[0], t[1]], 0), [[2, 3], [2, 3]]),
        ["Stack axis 1"] = (t => Ops.Stack([t[0], t[1], t[2]], 1), [[3], [3], [3]]),
        ["Stack axis -1"] = (t => Ops.Stack([t[0], t[1]], -1), [[1, 3], [1, 3]]),
        // Pieces are scaled differently and re-joined in reverse so that each piece's gradient is distinguishable.
        ["Split (5, 2) into 2, 1, 2 on axis 0"] = (t =>
        {
            var pieces = Ops.Split(t[0], [2, 1, 2], 0);
            return Ops.Concat([pieces[2] * 3.0, pieces[1] * 2.0, pieces[0]], 0);
        }, [[5, 2]]),
        ["Split (2, 6) into 3 equal pieces"] = (t =>
        {
            var pieces = Ops.Split(t[0], 3, -1);
            return Ops.Concat([pieces[2] * 3.0, pieces[1] * 2.0, pieces[0]], -1);
        }, [[2, 6]]),
        ["Pad (2, 3) by ((1, 0), (2, 1))"] = (t => Ops.Pad(t[0], [(1, 0), (2, 1)], 0.5), [[2, 3]]),
        ["Pad (3,) by ((0, 2),)"] = (t => Ops.Pad(t[0], [(0, 2)]), [[3]]),
        ["Flip axis 0"] = (t => Ops.Flip(t[0], 0), [[3, 2]]),
        ["Flip axis -1"] = (t => Ops.Flip(t[0], -1), [[2, 3, 5]]),
        ["Flip size-1 axis"] = (t => Ops.Flip(t[0], 1), [[3, 1]]),
        ["ExpandDims axis 0"] = (t => Ops.ExpandDims(t[0], 0) * t[1], [[3], [2, 1, 1]]),
        ["ExpandDims axis -1"] = (t => Ops.ExpandDims(t[0], -1), [[2, 3]]),
        ["Squeeze axis 1"] = (t => Ops.Squeeze(t[0], 1), [[3, 1, 2]]),
        ["Squeeze all"] = (t => Ops.Squeeze(t[0]), [[1, 3, 1]]),
        ["BroadcastTo (3, 1) -> (2, 3, 4)"] = (t => Ops.BroadcastTo(t[0], new Shape(2, 3, 4)), [[3, 1]]),
        ["BroadcastTo () -> (2, 2)"] = (t => Ops.BroadcastTo(t[0], new Shape(2, 2)), [[]]),
        ["Gather rows of (5, 3) with repeated indices"] = (t => Ops.Gather(t[0], Tensor.FromArray([0, 4, 4, 2], new Shape(2, 2))), [[5, 3]]),
        ["Gather from a (4,) table"] = (t => Ops.Gather(t[0], Tensor.FromArray([3, 0, 3], new Shape(3))), [[4]]),
        ["Gather with a scalar index"] = (t => Ops.Gather(t[0], Tensor.FromArray([2], Shape.Scalar)), [[4, 2, 3]]),
        ["Gather with float indices"] = (t => Ops.Gather(t[0], Tensor.FromArray([1.0, 1.0])), [[3, 2]]),
    };

    public static TheoryData<string> ShapeOpCases() => new(s_shapeCases.Keys);

    [Theory]
    [MemberData(nameof(ShapeOpCases))]
    public void Shape_op_gradient_matches_finite_differences(string caseName)
    {
        var (function, shapes) = s_shapeCases[caseName];
        AssertGradientMatches(function, shapes.Select((s, i) => Points(new Shape(s), 20 + i)).ToArray());
    }

    // ------------------------------------------------------------------ softmax

    public static TheoryData<bool, int[], int> SoftmaxCases()
    {
        var data = new TheoryData<bool, int[], int>();
        foreach (bool log in new[] { false, true })
        {
            foreach (int axis in new[] { 0, 1, 2, -1 }) data.Add(log, [2, 3, 4], axis);
            data.Add(log, [1], 0);
            data.Add(log, [3, 1], -1);
            data.Add(log, [3, 1], 0);
            data.Add(log, [5], -1);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SoftmaxCases))]
    public void Softmax_gradient_matches_finite_differences_along_any_axis(bool log, int[] dims, int axis)
    {
        AssertGradientMatches(t => log ? Ops.LogSoftmax(t[0], axis) : Ops.Softmax(t[0], axis), Points(new Shape(dims), 30, -3, 3));
    }

    [Fact]
    public void Gradient_of_a_composition_of_ops_matches_finite_differences()
    {
        // A small recurrent-style step: h = tanh(x·W + h0·U + b), then a log-softmax readout averaged over the batch.
        AssertGradientMatches(
            t => Ops.Mean(Ops.LogSoftmax(Ops.MatMul(Ops.Tanh(Ops.MatMul(t[0], t[1]) + Ops.MatMul(t[2], t[3]) + t[4]), t[5]), -1), 0),
            Points(new Shape(3, 4), 40), Points(new Shape(4, 5), 41), Points(new Shape(3, 5), 42),
            Points(new Shape(5, 5), 43), Points(new Shape(5), 44), Points(new Shape(5, 2), 45));
    }
}
