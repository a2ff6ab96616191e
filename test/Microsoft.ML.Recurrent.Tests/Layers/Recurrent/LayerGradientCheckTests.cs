using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Tests.Layers;

namespace Microsoft.ML.Recurrent.Tests.Layers.Recurrent;

/// <summary>
/// float64 gradient checks (central differences, max relative error &lt; 1e-6) of every recurrent layer and cell with
/// respect to its input, every weight and its initial states, with masks (right-padded and with holes),
/// go_backwards, return_sequences, stateful carry-over and Bidirectional.
/// </summary>
public class LayerGradientCheckTests
{
    private static readonly Tensor RightPadded = Tensor.FromArray([1.0, 1, 1, 1, 1, 1, 0, 0], new Shape(2, 4));
    private static readonly Tensor WithHoles = Tensor.FromArray([1.0, 0, 1, 1, 0, 1, 0, 1], new Shape(2, 4));

    /// <summary>Checks d(output)/d(input, weights, initial states) of <paramref name="layer"/> at random float64 values.</summary>
    private static void Check(Layer layer, int[] inputShape, Tensor? mask = null, int[][]? initialStateShapes = null, bool allOutputs = false)
    {
        var rng = new RandomGenerator(17);
        var x = rng.Uniform(new Shape(inputShape), -1, 1, DType.Float64);
        layer.Build(x.Shape);
        var weights = layer.Weights.Select(w => rng.Uniform(w.Shape, -0.6, 0.6, DType.Float64)).ToArray();
        var states = (initialStateShapes ?? []).Select(s => rng.Uniform(new Shape(s), -0.5, 0.5, DType.Float64)).ToArray();
        Tensor[] inputs = [x, .. weights, .. states];

        var result = GradientCheck.Run(t =>
        {
            var arguments = new CallArguments
            {
                Mask = mask,
                InitialState = states.Length > 0 ? t[(1 + weights.Length)..] : null,
            };
            var outputs = layer.StatelessCall(t[1..(1 + weights.Length)], t[0], arguments);
            return allOutputs ? Ops.Concat(outputs.Select(o => Ops.Reshape(o, -1)).ToArray(), 0) : outputs[0];
        }, inputs);
        Assert.True(result.MaxRelativeError < 1e-6, $"{layer.ClassName}: {result}");
    }

    public static TheoryData<string> Variants() => ["plain", "sequences", "backwards", "right_padded", "holes", "holes_backwards_zero_output"];

    private static (bool Sequences, bool Backwards, Tensor? Mask, bool ZeroOutput) Parse(string variant) => variant switch
    {
        "plain" => (false, false, null, false),
        "sequences" => (true, false, null, false),
        "backwards" => (true, true, null, false),
        "right_padded" => (true, false, RightPadded, false),
        "holes" => (false, false, WithHoles, false),
        _ => (true, true, WithHoles, true),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Lstm(string variant)
    {
        var (seq, back, mask, zero) = Parse(variant);
        Check(new Lstm(3, returnSequences: seq, goBackwards: back, zeroOutputForMask: zero, returnState: true, dtype: "float64"),
            [2, 4, 3], mask, [[2, 3], [2, 3]], allOutputs: true);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Gru_reset_after_and_before(string variant)
    {
        var (seq, back, mask, zero) = Parse(variant);
        Check(new Gru(3, returnSequences: seq, goBackwards: back, zeroOutputForMask: zero, dtype: "float64"), [2, 4, 3], mask, [[2, 3]]);
        Check(new Gru(3, resetAfter: false, returnSequences: seq, goBackwards: back, dtype: "float64"), [2, 4, 3], mask, [[2, 3]]);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Simple_rnn_with_tanh_and_other_activations(string variant)
    {
        var (seq, back, mask, zero) = Parse(variant);
        Check(new SimpleRnn(3, returnSequences: seq, goBackwards: back, zeroOutputForMask: zero, dtype: "float64"), [2, 4, 3], mask, [[2, 3]]);
        Check(new SimpleRnn(3, Activation.Get("softsign"), returnSequences: seq, goBackwards: back, dtype: "float64"), [2, 4, 3], mask);
    }

    [Fact]
    public void Generic_rnn_over_builtin_cells_with_a_mask()
    {
        Check(new Rnn(new LstmCell(2, dtype: "float64"), returnSequences: true, dtype: "float64"), [2, 4, 3], WithHoles, [[2, 2], [2, 2]]);
        Check(new Rnn(new GruCell(2, resetAfter: false, dtype: "float64"), goBackwards: true, dtype: "float64"), [2, 4, 3], RightPadded);
    }

    [Fact]
    public void Stacked_cells_and_a_user_written_cell()
    {
        Check(new Rnn(new StackedRnnCells([new LstmCell(2, dtype: "float64"), new GruCell(3, dtype: "float64")], dtype: "float64"), returnSequences: true, dtype: "float64"),
            [2, 4, 3], WithHoles, [[2, 2], [2, 2], [2, 3]]);
        Check(new Rnn(new TwoStatesRnnCell(2), returnState: true, dtype: "float64"), [2, 4, 2], RightPadded, [[2, 2], [2, 2]], allOutputs: true);
    }

    [Fact]
    public void ConvLstm1D_and_2D()
    {
        Check(new ConvLstm1D(2, [2], padding: "same", returnSequences: true, dtype: "float64"), [2, 3, 4, 2], Ops.Slice(RightPadded, 1, 0, 3));
        Check(new ConvLstm2D(2, [2], dataFormat: "channels_first", dtype: "float64"), [1, 2, 2, 3, 3]);
    }

    [Fact]
    public void Bidirectional_with_initial_states_and_a_mask()
    {
        Check(new Bidirectional(new Lstm(2, returnSequences: true, dtype: "float64")), [2, 4, 3], WithHoles, [[2, 2], [2, 2], [2, 2], [2, 2]]);
        Check(new Bidirectional(new Gru(2, dtype: "float64"), "ave"), [2, 4, 3], RightPadded);
    }

    [Fact]
    public void Time_distributed_dense_and_core_layers()
    {
        Check(new TimeDistributed(new Dense(3, Activation.Tanh, dtype: "float64")), [2, 3, 4]);
        Check(new Dense(2, Activation.Get("softplus"), dtype: "float64"), [3, 4]);
        Check(new Masking(0.25, dtype: "float64"), [2, 3, 2]);
        Check(new Rnn(new LstmCell(2, dtype: "float64"), dtype: "float64"), [2, 4, 3], Ops.Slice(WithHoles, 0, 0, 2));
    }

    [Fact]
    public void Embedding_table_gradient()
    {
        var embedding = new Embedding(5, 3, dtype: "float64");
        var ids = Tensor.FromArray([4, 0, 2, 2, 1, 4], new Shape(2, 3));
        embedding.Build(ids.Shape);
        var table = new RandomGenerator(2).Uniform(new Shape(5, 3), -1, 1, DType.Float64);
        var result = GradientCheck.Run(t => embedding.StatelessCall([t[0]], ids, new CallArguments())[0], [table]);
        Assert.True(result.MaxRelativeError < 1e-6, result.ToString());
    }

    /// <summary>A user cell that reads Keras 2 <c>constants</c> at every step: h' = x·W + h·R + c.</summary>
    private sealed class ConstantBiasCell(int units) : RecurrentCell(dtype: "float64")
    {
        private Variable _kernel = null!, _recurrent = null!;

        public override IReadOnlyList<Shape> StateShapes => [new Shape(units)];

        public override void Build(Shape inputShape)
        {
            _kernel = AddWeight("kernel", new Shape(inputShape[^1], units));
            _recurrent = AddWeight("recurrent_kernel", new Shape(units, units));
            base.Build(inputShape);
        }

        public override (Tensor Output, Tensor[] States) Step(Tensor input, IReadOnlyList<Tensor> states, CallArguments arguments)
        {
            var h = Ops.Tanh(Ops.MatMul(input, _kernel.Value) + Ops.MatMul(states[0], _recurrent.Value) + arguments.Constants![0]);
            return (h, [h]);
        }
    }

    [Fact]
    public void Constants_reach_the_cell_at_every_step_and_get_gradients()
    {
        var rnn = new Rnn(new ConstantBiasCell(2), returnSequences: true, dtype: "float64");
        var rng = new RandomGenerator(8);
        var x = rng.Uniform(new Shape(2, 3, 2), -1, 1, DType.Float64);
        rnn.Build(x.Shape);
        var weights = rnn.Weights.Select(w => rng.Uniform(w.Shape, -0.5, 0.5, DType.Float64)).ToArray();
        var constant = rng.Uniform(new Shape(2, 2), -1, 1, DType.Float64);
        var result = GradientCheck.Run(t => rnn.StatelessCall(t[..2], t[2], new CallArguments { Constants = [t[3]] })[0], [.. weights, x, constant]);
        Assert.True(result.MaxRelativeError < 1e-6, result.ToString());
        var zero = rnn.StatelessCall(weights, x, new CallArguments { Constants = [Tensor.Zeros(new Shape(2, 2), DType.Float64)] })[0];
        var shifted = rnn.StatelessCall(weights, x, new CallArguments { Constants = [constant] })[0];
        Assert.NotEqual(zero.ToArray<double>(), shifted.ToArray<double>());
    }

    [Fact]
    public void Stateful_carry_over_is_differentiable_through_the_second_call()
    {
        var layer = new Lstm(2, stateful: true, dtype: "float64");
        var rng = new RandomGenerator(5);
        var first = rng.Uniform(new Shape(2, 3, 2), -1, 1, DType.Float64);
        layer.Apply(first);
        var carried = layer.States!.Select(s => s.Clone()).ToArray();
        // The second call starts from the carried states: its gradient w.r.t. them must be right too.
        Check(new Lstm(2, dtype: "float64"), [2, 3, 2], null, [[2, 2], [2, 2]]);
        var again = layer.Apply(first);
        var fresh = new Lstm(2, dtype: "float64");
        fresh.Build(first.Shape);
        fresh.SetWeights(layer.GetWeights());
        Assert.Equal(again.ToArray<double>(), fresh.Apply(first, new CallArguments { InitialState = carried })[0].ToArray<double>());
    }
}
