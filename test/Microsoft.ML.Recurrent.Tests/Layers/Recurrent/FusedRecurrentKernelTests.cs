using Microsoft.ML.Recurrent.Activations;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Tensors.Cpu;
using Microsoft.ML.Recurrent.Tests.Tensors.Cpu;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Layers.Recurrent;

/// <summary>
/// The fused LSTM / GRU / SimpleRNN sequence kernels against the generic cell-by-cell loop (the reference the Keras
/// golden cases pin down): outputs, final states and gradients w.r.t. inputs, weights and initial states, over masks,
/// go_backwards, zero_output_for_mask, return_sequences, initial states and dropout; plus float64 gradient checks.
/// </summary>
[Collection(nameof(GemmThreadSettingsCollection))]
public class FusedRecurrentKernelTests
{
    private const int Batch = 4, Steps = 6, Features = 3, Units = 5;

    /// <summary>Right-padded rows, a row with holes, a fully masked row.</summary>
    private static readonly double[] HolesMask =
    [
        1, 1, 1, 1, 1, 1,
        1, 1, 1, 0, 0, 0,
        0, 1, 0, 1, 1, 0,
        0, 0, 0, 0, 0, 0,
    ];

    private static readonly double[] RightPaddedMask =
    [
        1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 0, 0,
        1, 1, 0, 0, 0, 0,
        1, 0, 0, 0, 0, 0,
    ];

    /// <summary>A (batch, steps) mask with about one step in five masked, scattered over rows and times.</summary>
    private static double[] ScatteredHoles(int batch, int steps) =>
        [.. Enumerable.Range(0, batch * steps).Select(i => (i * 7 + i / steps) % 5 == 0 ? 0.0 : 1.0)];

    /// <summary>Gates of a layer kind: the recurrent kernel is (U, gates·U).</summary>
    private static int Gates(string kind) => kind.StartsWith("lstm", StringComparison.Ordinal) ? 4 : kind.StartsWith("gru", StringComparison.Ordinal) ? 3 : 1;

    /// <summary>Layer kinds: the cell and its activations.</summary>
    private static Rnn Create(string kind, string dtype, bool returnSequences, bool goBackwards, bool zeroOutputForMask,
        double dropout, double recurrentDropout, int implementation) => kind switch
        {
            "lstm" => new Lstm(Units, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11, implementation: implementation,
                returnSequences: returnSequences, returnState: true, goBackwards: goBackwards, zeroOutputForMask: zeroOutputForMask, dtype: dtype),
            "lstm_hard_sigmoid" => new Lstm(Units, activation: Activation.Relu, recurrentActivation: Activation.HardSigmoidKeras2, seed: 11,
                returnSequences: returnSequences, returnState: true, goBackwards: goBackwards, zeroOutputForMask: zeroOutputForMask, dtype: dtype),
            "gru" => new Gru(Units, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11, implementation: implementation,
                returnSequences: returnSequences, returnState: true, goBackwards: goBackwards, zeroOutputForMask: zeroOutputForMask, dtype: dtype),
            "gru_reset_before" => new Gru(Units, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11, resetAfter: false, implementation: implementation,
                returnSequences: returnSequences, returnState: true, goBackwards: goBackwards, zeroOutputForMask: zeroOutputForMask, dtype: dtype),
            "gru_hard_sigmoid" => new Gru(Units, recurrentActivation: Activation.HardSigmoidKeras2, activation: Activation.Get("softsign"), seed: 11,
                returnSequences: returnSequences, returnState: true, goBackwards: goBackwards, zeroOutputForMask: zeroOutputForMask, dtype: dtype),
            "gru_reset_before_hard_sigmoid" => new Gru(Units, recurrentActivation: Activation.HardSigmoidKeras2, resetAfter: false, seed: 11,
                returnSequences: returnSequences, returnState: true, goBackwards: goBackwards, zeroOutputForMask: zeroOutputForMask, dtype: dtype),
            "simple_tanh" => new SimpleRnn(Units, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11,
                returnSequences: returnSequences, returnState: true, goBackwards: goBackwards, zeroOutputForMask: zeroOutputForMask, dtype: dtype),
            "simple_relu" => new SimpleRnn(Units, activation: Activation.Relu, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11,
                returnSequences: returnSequences, returnState: true, goBackwards: goBackwards, zeroOutputForMask: zeroOutputForMask, dtype: dtype),
            "simple_elu" => new SimpleRnn(Units, activation: Activation.Get("elu"), useBias: false, seed: 11,
                returnSequences: returnSequences, returnState: true, goBackwards: goBackwards, zeroOutputForMask: zeroOutputForMask, dtype: dtype),
            _ => throw new ArgumentException(kind),
        };

    public static TheoryData<string, string, string, bool, bool, bool, bool, bool, int> Cases()
    {
        var data = new TheoryData<string, string, string, bool, bool, bool, bool, bool, int>();
        // kind, dtype, mask, returnSequences, goBackwards, zeroOutputForMask, initialStates, dropout, implementation
        foreach (var dtype in new[] { "float32", "float64" })
        {
            foreach (var kind in new[] { "lstm", "gru", "gru_reset_before", "simple_tanh", "simple_relu" })
            {
                data.Add(kind, dtype, "none", false, false, false, false, false, 2);
                data.Add(kind, dtype, "right", true, false, false, true, false, 2);
                data.Add(kind, dtype, "holes", true, true, false, true, false, 2);
                data.Add(kind, dtype, "holes", false, true, true, false, false, 2);
                data.Add(kind, dtype, "holes", true, false, true, true, true, 1);
                data.Add(kind, dtype, "right", false, true, false, true, true, 2);
            }
            data.Add("lstm_hard_sigmoid", dtype, "holes", true, true, false, true, false, 2);
            data.Add("gru_hard_sigmoid", dtype, "holes", true, false, true, true, false, 2);
            data.Add("simple_elu", dtype, "right", true, true, false, true, false, 2);
            data.Add("gru_reset_before_hard_sigmoid", dtype, "none", true, false, false, false, false, 2);
            data.Add("gru_reset_before_hard_sigmoid", dtype, "holes", false, true, false, true, false, 2);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_matches_generic_outputs_and_gradients(string kind, string dtype, string mask, bool returnSequences,
        bool goBackwards, bool zeroOutputForMask, bool initialStates, bool dropout, int implementation)
    {
        var type = dtype == "float64" ? DType.Float64 : DType.Float32;
        double tolerance = type == DType.Float64 ? 1e-12 : 1e-5;
        double rate = dropout ? 0.3 : 0.0;
        // Only the first is fused; same seed and weights, so the same dropout masks.
        var fused = Create(kind, dtype, returnSequences, goBackwards, zeroOutputForMask, rate, dropout && implementation == 1 ? 0.25 : 0.0, implementation);
        var generic = Create(kind, dtype, returnSequences, goBackwards, zeroOutputForMask, rate, dropout && implementation == 1 ? 0.25 : 0.0, implementation);
        generic.UseFusedKernels = false;

        var rng = new RandomGenerator(5);
        var x = rng.Normal(new Shape(Batch, Steps, Features), dtype: type);
        fused.Build(x.Shape);
        generic.Build(x.Shape);
        var weights = fused.Weights.Select(w => rng.Normal(w.Shape, 0, 0.6, type)).ToArray();
        fused.SetWeights(weights);
        generic.SetWeights(weights);
        var states = initialStates ? fused.Cell.StateShapes.Select(s => rng.Normal(new Shape(Batch, s[0]), dtype: type)).ToArray() : null;
        var maskTensor = mask switch
        {
            "holes" => Ops.Cast(Tensor.FromArray(HolesMask, new Shape(Batch, Steps)), type),
            "right" => Ops.Cast(Tensor.FromArray(RightPaddedMask, new Shape(Batch, Steps)), type),
            _ => null,
        };

        var (fusedOutputs, fusedGrads) = RunWithGradients(fused, x, states, maskTensor, training: dropout);
        var (genericOutputs, genericGrads) = RunWithGradients(generic, x, states, maskTensor, training: dropout);

        Assert.Equal(genericOutputs.Length, fusedOutputs.Length);
        for (int i = 0; i < fusedOutputs.Length; i++) AssertClose(genericOutputs[i], fusedOutputs[i], tolerance, $"output {i}");
        for (int i = 0; i < fusedGrads.Length; i++) AssertClose(genericGrads[i], fusedGrads[i], tolerance, $"gradient {i}");
    }

    /// <summary>Calls the layer, reduces every result with fixed weights, and differentiates w.r.t. x, initial states and weights.</summary>
    internal static (Tensor[] Outputs, Tensor[] Gradients) RunWithGradients(Rnn layer, Tensor x, Tensor[]? states, Tensor? mask, bool training, bool inputRequiresGrad = true)
    {
        var input = x.Clone();
        input.RequiresGrad = inputRequiresGrad;
        var initial = states?.Select(s =>
        {
            var leaf = s.Clone();
            leaf.RequiresGrad = true;
            return leaf;
        }).ToArray();
        var outputs = layer.Apply(input, new CallArguments { Mask = mask, InitialState = initial, Training = training });
        var rng = new RandomGenerator(99);
        Tensor? loss = null;
        foreach (var output in outputs)
        {
            var term = Ops.Sum(Ops.Multiply(output, rng.Uniform(output.Shape, 0.5, 1.5, output.DType)));
            loss = loss is null ? term : Ops.Add(loss, term);
        }
        Tensor[] leaves = inputRequiresGrad ? [input, .. initial ?? [], .. layer.Weights.Select(w => w.Value)] : [.. initial ?? [], .. layer.Weights.Select(w => w.Value)];
        return (outputs, Autodiff.Gradients(loss!, leaves));
    }

    internal static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tolerance * Math.Max(1.0, Math.Abs(e[i])),
                $"{what}[{i}]: generic {e[i]:G17}, fused {a[i]:G17} (shape {expected.Shape})");
    }

    [Theory]
    [InlineData("lstm", "holes", true, false)]
    [InlineData("lstm", "right", false, true)]
    [InlineData("gru", "holes", true, true)]
    [InlineData("gru_reset_before", "holes", false, false)]
    [InlineData("simple_tanh", "right", true, true)]
    [InlineData("simple_relu", "holes", false, true)]
    public void Fused_layer_passes_float64_gradient_check(string kind, string mask, bool goBackwards, bool returnSequences)
    {
        var layer = Create(kind, "float64", returnSequences, goBackwards, zeroOutputForMask: false, 0, 0, 2);
        var rng = new RandomGenerator(21);
        var x = rng.Normal(new Shape(Batch, Steps, Features), dtype: DType.Float64);
        layer.Build(x.Shape);
        var weights = layer.Weights.Select(w => rng.Normal(w.Shape, 0, 0.6, DType.Float64)).ToArray();
        var states = layer.Cell.StateShapes.Select(s => rng.Normal(new Shape(Batch, s[0]), dtype: DType.Float64)).ToArray();
        var maskTensor = Tensor.FromArray(mask == "holes" ? HolesMask : RightPaddedMask, new Shape(Batch, Steps));
        int stateCount = states.Length;

        var result = GradientCheck.Run(inputs =>
        {
            var outputs = layer.StatelessCall(inputs[(1 + stateCount)..], inputs[0],
                new CallArguments { Mask = maskTensor, InitialState = inputs[1..(1 + stateCount)] });
            return Ops.Concat(outputs.Select(o => Ops.Reshape(o, (int)o.Size)).ToArray(), 0);
        }, [x, .. states, .. weights]);
        Assert.True(result.MaxRelativeError < 1e-6, result.ToString());
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru_reset_before")]
    public void Weight_gradients_match_when_inputs_need_none(string kind)
    {
        // Per-gate input and recurrent dropout masks, and no input gradient (the first layer of a model).
        var fused = Create(kind, "float64", true, true, false, 0.3, 0.25, 1);
        var generic = Create(kind, "float64", true, true, false, 0.3, 0.25, 1);
        generic.UseFusedKernels = false;
        var rng = new RandomGenerator(8);
        var x = rng.Normal(new Shape(Batch, Steps, Features), dtype: DType.Float64);
        fused.Build(x.Shape);
        generic.Build(x.Shape);
        var weights = fused.Weights.Select(w => rng.Normal(w.Shape, 0, 0.6, DType.Float64)).ToArray();
        fused.SetWeights(weights);
        generic.SetWeights(weights);
        var states = fused.Cell.StateShapes.Select(s => rng.Normal(new Shape(Batch, s[0]), dtype: DType.Float64)).ToArray();
        var mask = Tensor.FromArray(HolesMask, new Shape(Batch, Steps));

        var (fusedOutputs, fusedGrads) = RunWithGradients(fused, x, states, mask, training: true, inputRequiresGrad: false);
        var (genericOutputs, genericGrads) = RunWithGradients(generic, x, states, mask, training: true, inputRequiresGrad: false);
        for (int i = 0; i < fusedOutputs.Length; i++) AssertClose(genericOutputs[i], fusedOutputs[i], 1e-12, $"output {i}");
        for (int i = 0; i < fusedGrads.Length; i++) AssertClose(genericGrads[i], fusedGrads[i], 1e-12, $"gradient {i}");
    }

    [Theory]
    [InlineData("lstm", true, true)]
    [InlineData("lstm", false, true)] // without a mask the LSTM writes its states in place
    [InlineData("lstm", false, false)]
    [InlineData("lstm_hard_sigmoid", false, false)] // the same, through the op-by-op gate pass
    [InlineData("gru", true, true)]
    [InlineData("gru_reset_before", true, true)]
    [InlineData("simple_tanh", true, true)]
    public void Inference_without_recording_matches_training_forward(string kind, bool masked, bool returnSequences)
    {
        // Random weights, biases included: inference adds the bias row by row, training in its projection.
        var layer = Create(kind, "float32", returnSequences, false, false, 0, 0, 2);
        var rng = new RandomGenerator(3);
        var x = rng.Normal(new Shape(Batch, Steps, Features));
        layer.Build(x.Shape);
        layer.SetWeights([.. layer.Weights.Select(w => rng.Normal(w.Shape, 0, 0.6))]);
        var mask = masked ? Tensor.FromArray(HolesMask.Select(v => (float)v).ToArray(), new Shape(Batch, Steps)) : null;
        var recorded = layer.Apply(x, new CallArguments { Mask = mask });
        Assert.True(recorded[0].RequiresGrad);
        Tensor[] inference;
        using (Autodiff.NoGrad()) inference = layer.Apply(x, new CallArguments { Mask = mask });
        Assert.False(inference[0].RequiresGrad);
        for (int i = 0; i < recorded.Length; i++) Assert.Equal(recorded[i].ToArray<float>(), inference[i].ToArray<float>());
    }

    [Theory]
    [InlineData("lstm", false)]
    [InlineData("lstm", true)]
    [InlineData("gru", true)]
    [InlineData("gru_reset_before", true)]
    [InlineData("simple_tanh", true)]
    public void Inference_projecting_per_step_matches_training_forward(string kind, bool masked)
    {
        // A batch large enough for both kernels to project each step's inputs inside the loop (and to split the rows
        // over the threads): they make the same products over the same rows, so the bits agree.
        const int batch = 24, steps = 64, units = 128;
        int cellUnits = kind == "simple_tanh" ? 2 * units : units; // a wider SimpleRNN, for a projection over 1 MiB
        Rnn layer = kind switch
        {
            "lstm" => new Lstm(cellUnits, returnSequences: true, returnState: true),
            "gru" => new Gru(cellUnits, returnSequences: true, returnState: true),
            "gru_reset_before" => new Gru(cellUnits, resetAfter: false, returnSequences: true, returnState: true),
            _ => new SimpleRnn(cellUnits, returnSequences: true, returnState: true),
        };
        Assert.True(RecurrentLoopPlan.ProjectsPerStep(batch, steps, cellUnits, Gates(kind) * cellUnits, sizeof(float)));
        var rng = new RandomGenerator(5);
        var x = rng.Normal(new Shape(batch, steps, Features));
        layer.Build(x.Shape);
        layer.SetWeights([.. layer.Weights.Select(w => rng.Normal(w.Shape, 0, 0.3))]);
        var mask = masked ? Tensor.FromArray(ScatteredHoles(batch, steps).Select(v => (float)v).ToArray(), new Shape(batch, steps)) : null;

        var recorded = layer.Apply(x, new CallArguments { Mask = mask });
        Tensor[] inference;
        using (Autodiff.NoGrad()) inference = layer.Apply(x, new CallArguments { Mask = mask });

        Assert.True(recorded[0].RequiresGrad);
        for (int i = 0; i < recorded.Length; i++) Assert.Equal(recorded[i].ToArray<float>(), inference[i].ToArray<float>());
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("gru_reset_before")]
    [InlineData("simple_tanh")]
    public void A_second_backward_through_the_same_graph_gives_the_same_gradients(string kind)
    {
        // The first backward pass hands the stored workspace back for reuse; a second one recomputes it.
        var layer = Create(kind, "float32", true, false, false, 0, 0, 2);
        var rng = new RandomGenerator(12);
        var x = rng.Normal(new Shape(Batch, Steps, Features));
        var mask = Tensor.FromArray(HolesMask.Select(v => (float)v).ToArray(), new Shape(Batch, Steps));
        var outputs = layer.Apply(x, new CallArguments { Mask = mask });
        var loss = Ops.Sum(Ops.Multiply(outputs[0], rng.Uniform(outputs[0].Shape, 0.5, 1.5)));
        var leaves = layer.Weights.Select(w => w.Value).ToArray();
        var first = Autodiff.Gradients(loss, leaves);
        // Another training call of the same shape in between takes the released workspace and overwrites it.
        var other = layer.Apply(rng.Normal(new Shape(Batch, Steps, Features)), new CallArguments());
        Autodiff.Gradients(Ops.Sum(other[0]), leaves);

        var second = Autodiff.Gradients(loss, leaves);

        for (int i = 0; i < first.Length; i++) Assert.Equal(first[i].ToArray<float>(), second[i].ToArray<float>());
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("simple_tanh")]
    public void Masked_steps_get_no_gradient_after_an_unmasked_call_of_the_same_shape(string kind)
    {
        // Reused buffers hold the previous call's values; the masked call must not pick up its gradients.
        var fused = Create(kind, "float64", true, false, false, 0, 0, 2);
        var generic = Create(kind, "float64", true, false, false, 0, 0, 2);
        generic.UseFusedKernels = false;
        var rng = new RandomGenerator(13);
        var x = rng.Normal(new Shape(Batch, Steps, Features), dtype: DType.Float64);
        fused.Build(x.Shape);
        generic.Build(x.Shape);
        var weights = fused.Weights.Select(w => rng.Normal(w.Shape, 0, 0.6, DType.Float64)).ToArray();
        fused.SetWeights(weights);
        generic.SetWeights(weights);
        var mask = Tensor.FromArray(HolesMask, new Shape(Batch, Steps));
        RunWithGradients(fused, x, null, null, training: false);

        var (_, fusedGrads) = RunWithGradients(fused, x, null, mask, training: false);
        var (_, genericGrads) = RunWithGradients(generic, x, null, mask, training: false);

        for (int i = 0; i < fusedGrads.Length; i++) AssertClose(genericGrads[i], fusedGrads[i], 1e-12, $"gradient {i}");
    }

    [Theory]
    [InlineData("lstm", 1, 4)]
    [InlineData("lstm", 2, 4)]
    [InlineData("gru", 2, 4)]
    [InlineData("gru_reset_before", 1, 4)]
    [InlineData("simple_tanh", 2, 4)]
    [InlineData("lstm", 2, 64)] // without dropout, long enough to project the inputs step by step
    [InlineData("gru", 2, 64)]
    [InlineData("gru_reset_before", 1, 64)]
    [InlineData("simple_tanh", 2, 64)]
    public void Steps_split_by_batch_rows_over_threads_match_the_generic_loop(string kind, int implementation, int steps)
    {
        // 23 rows × 96 units is big enough for the kernels to split the batch into row ranges, one per thread (at
        // most one per core); masks with holes, go_backwards and dropout masks run inside the ranges.
        const int batch = 23, units = 96;
        double dropout = steps == 4 ? 0.3 : 0, recurrentDropout = steps == 4 ? 0.25 : 0;
        int savedThreads = Gemm.MaxThreads;
        Gemm.MaxThreads = 3;
        try
        {
            Rnn Make() => kind switch
            {
                "lstm" => new Lstm(units, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11, implementation: implementation, returnSequences: true, returnState: true, goBackwards: true, dtype: "float64"),
                "gru" => new Gru(units, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11, implementation: implementation, returnSequences: true, returnState: true, dtype: "float64"),
                "gru_reset_before" => new Gru(units, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11, resetAfter: false, implementation: implementation, returnSequences: true, returnState: true, goBackwards: true, dtype: "float64"),
                _ => new SimpleRnn(units, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11, returnSequences: true, returnState: true, dtype: "float64"),
            };
            var (fused, generic, x, states) = FusedAndGeneric(Make, kind, batch, steps, units, seed: 17);
            var mask = Tensor.FromArray(ScatteredHoles(batch, steps), new Shape(batch, steps));

            var (fusedOutputs, fusedGrads) = RunWithGradients(fused, x, states, mask, training: true);
            var (genericOutputs, genericGrads) = RunWithGradients(generic, x, states, mask, training: true);

            for (int i = 0; i < fusedOutputs.Length; i++) AssertClose(genericOutputs[i], fusedOutputs[i], 1e-12, $"output {i}");
            for (int i = 0; i < fusedGrads.Length; i++) AssertClose(genericGrads[i], fusedGrads[i], 1e-12, $"gradient {i}");
        }
        finally
        {
            Gemm.MaxThreads = savedThreads;
        }
    }

    [Theory]
    [InlineData("lstm", 12)]
    [InlineData("lstm", 64)] // long enough to project the inputs step by step
    [InlineData("gru", 64)]
    [InlineData("gru_reset_before", 64)]
    [InlineData("simple_tanh", 64)]
    public void One_thread_or_two_give_the_same_bits(string kind, int steps)
    {
        if (Environment.ProcessorCount < 2)
        {
            Console.WriteLine("Skipped: one core here, so the time loop never splits its rows into parts.");
            return;
        }

        // With two threads the 37 rows (a tail row beyond the last whole group) split into two parts that the loop
        // re-splits after every step (a segment per step), by the parts' timings; with one, one product covers all
        // rows. Every row's arithmetic is the same either way.
        const int batch = 37, units = 96;
        Rnn Make() => kind switch
        {
            "lstm" => new Lstm(units, returnSequences: true, returnState: true, goBackwards: true),
            "gru" => new Gru(units, returnSequences: true, returnState: true),
            "gru_reset_before" => new Gru(units, resetAfter: false, returnSequences: true, returnState: true),
            _ => new SimpleRnn(units, returnSequences: true, returnState: true),
        };
        var layer = Make();
        var rng = new RandomGenerator(41);
        var x = rng.Normal(new Shape(batch, steps, Features));
        layer.Build(x.Shape);
        layer.SetWeights([.. layer.Weights.Select(w => rng.Normal(w.Shape, 0, 0.1))]);
        var states = layer.Cell.StateShapes.Select(s => rng.Normal(new Shape(batch, s[0]))).ToArray();
        var mask = Tensor.FromArray(ScatteredHoles(batch, steps).Select(v => (float)v).ToArray(), new Shape(batch, steps));

        (float[][] Outputs, float[][] Gradients, float[][] Inference) Run(int threads)
        {
            int saved = Gemm.MaxThreads;
            double savedSegment = RecurrentLoopPlan.SegmentFlops;
            Gemm.MaxThreads = threads;
            RecurrentLoopPlan.SegmentFlops = 1;
            try
            {
                Assert.Equal(threads, RecurrentLoopPlan.Parts(batch, units, Gates(kind) * units));
                var (outputs, gradients) = RunWithGradients(layer, x, states, mask, training: false);
                Tensor[] inference;
                using (Autodiff.NoGrad()) inference = layer.Apply(x, new CallArguments { Mask = mask, InitialState = states });
                return ([.. outputs.Select(o => o.ToArray<float>())], [.. gradients.Select(g => g.ToArray<float>())], [.. inference.Select(o => o.ToArray<float>())]);
            }
            finally
            {
                Gemm.MaxThreads = saved;
                RecurrentLoopPlan.SegmentFlops = savedSegment;
            }
        }

        var one = Run(1);
        var two = Run(2);

        Assert.Equal(one.Outputs, two.Outputs);
        Assert.Equal(one.Inference, two.Inference);
        for (int i = 0; i < one.Gradients.Length; i++) Assert.True(one.Gradients[i].SequenceEqual(two.Gradients[i]), $"gradient {i} differs");
    }

    /// <summary>
    /// Two float64 layers from <paramref name="make"/>, one on the generic loop, with the same random weights, plus
    /// inputs and initial states. 64 steps must project the inputs step by step, shorter sequences must not.
    /// </summary>
    private static (Rnn Fused, Rnn Generic, Tensor X, Tensor[] States) FusedAndGeneric(Func<Rnn> make, string kind, int batch, int steps, int units, int seed)
    {
        var fused = make();
        var generic = make();
        generic.UseFusedKernels = false;
        Assert.Equal(steps == 64, RecurrentLoopPlan.ProjectsPerStep(batch, steps, units, Gates(kind) * units, sizeof(double)));
        var rng = new RandomGenerator(seed);
        var x = rng.Normal(new Shape(batch, steps, Features), dtype: DType.Float64);
        fused.Build(x.Shape);
        generic.Build(x.Shape);
        // Over 64 steps, weights of 0.3 (recurrent gain ~0.3·√96 ≈ 3) would amplify rounding past the tolerance.
        var weights = fused.Weights.Select(w => rng.Normal(w.Shape, 0, steps == 64 ? 0.1 : 0.3, DType.Float64)).ToArray();
        fused.SetWeights(weights);
        generic.SetWeights(weights);
        var states = fused.Cell.StateShapes.Select(s => rng.Normal(new Shape(batch, s[0]), dtype: DType.Float64)).ToArray();
        return (fused, generic, x, states);
    }

    [Theory]
    [InlineData("lstm", false, 5)] // without a mask the LSTM writes its states in place
    [InlineData("lstm", true, 5)]
    [InlineData("gru", true, 5)]
    [InlineData("gru_reset_before", true, 5)]
    [InlineData("simple_tanh", true, 5)]
    [InlineData("lstm", false, 64)] // long enough to project the inputs step by step
    [InlineData("lstm", true, 64)]
    [InlineData("gru", true, 64)]
    [InlineData("gru_reset_before", true, 64)]
    [InlineData("simple_tanh", true, 64)]
    public void Inference_split_by_batch_rows_over_threads_matches_the_generic_loop(string kind, bool masked, int steps)
    {
        // The inference kernel (no tape) splits the batch into one part per thread (at most one per core), each part
        // taking its rows through every step on its own; backwards in time, from given initial states.
        const int batch = 23, units = 96;
        int savedThreads = Gemm.MaxThreads;
        Gemm.MaxThreads = 3;
        try
        {
            Rnn Make() => kind switch
            {
                "lstm" => new Lstm(units, returnSequences: true, returnState: true, goBackwards: true, dtype: "float64"),
                "gru" => new Gru(units, returnSequences: true, returnState: true, goBackwards: true, dtype: "float64"),
                "gru_reset_before" => new Gru(units, resetAfter: false, returnSequences: true, returnState: true, goBackwards: true, dtype: "float64"),
                _ => new SimpleRnn(units, returnSequences: true, returnState: true, goBackwards: true, dtype: "float64"),
            };
            var (fused, generic, x, states) = FusedAndGeneric(Make, kind, batch, steps, units, seed: 23);
            var mask = masked ? Tensor.FromArray(ScatteredHoles(batch, steps), new Shape(batch, steps)) : null;
            var arguments = new CallArguments { Mask = mask, InitialState = states };

            Tensor[] fusedOutputs, genericOutputs;
            using (Autodiff.NoGrad())
            {
                fusedOutputs = fused.Apply(x, arguments);
                genericOutputs = generic.Apply(x, arguments);
            }

            Assert.False(fusedOutputs[0].RequiresGrad);
            for (int i = 0; i < fusedOutputs.Length; i++) AssertClose(genericOutputs[i], fusedOutputs[i], 1e-12, $"output {i}");
        }
        finally
        {
            Gemm.MaxThreads = savedThreads;
        }
    }
}
