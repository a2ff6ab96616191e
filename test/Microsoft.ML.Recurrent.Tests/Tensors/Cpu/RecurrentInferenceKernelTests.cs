using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Tensors.Cpu;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tensors.Cpu;

[Collection(nameof(GemmThreadSettingsCollection))]
public sealed unsafe class RecurrentInferenceKernelTests
{
    [Theory]
    [InlineData("lstm", false)] // without a mask the LSTM writes its states in place
    [InlineData("lstm", true)]
    [InlineData("gru", true)]
    [InlineData("gru_reset_before", true)]
    [InlineData("simple_rnn", true)]
    public void Moving_rows_between_the_parts_changes_no_bit(string kind, bool masked)
    {
        if (Environment.ProcessorCount < 2)
        {
            Console.WriteLine("Skipped: one core here, so the time loop never splits its rows into parts.");
            return;
        }

        // 37 rows (a tail row beyond the last whole group) × 96 units: big enough to split over two threads, in one
        // segment of steps, so the rows stay where they are put for the whole call.
        const int batch = 37, steps = 12, features = 5, units = 96;
        Rnn layer = kind switch
        {
            "lstm" => new Lstm(units, returnSequences: true),
            "gru" => new Gru(units, returnSequences: true),
            "gru_reset_before" => new Gru(units, resetAfter: false, returnSequences: true),
            _ => new SimpleRnn(units, returnSequences: true),
        };
        var rng = new RandomGenerator(31);
        layer.Build(new Shape(batch, steps, features));
        layer.SetWeights([.. layer.Weights.Select(w => rng.Normal(w.Shape, 0, 0.3))]);
        var (cell, spec) = FusedRecurrentSequence.Describe(layer)!.Value;
        float[] x = rng.Normal(new Shape(batch, steps, features)).ToArray<float>();
        float[] w = cell.Kernel.Value.ToArray<float>(), r = cell.RecurrentKernel.Value.ToArray<float>(), b = cell.Bias!.Value.ToArray<float>();
        float[] mask = [.. Enumerable.Range(0, batch * steps).Select(i => (i * 7 + i / steps) % 5 == 0 ? 0f : 1f)];
        var kernel = new RecurrentInferenceKernel<float>(spec, features);
        fixed (float* pr = r) kernel.Pack(pr);
        Assert.True(RecurrentLoopPlan.SegmentSteps(batch, steps, features, units, spec.Gates * units, 2) >= steps);

        float[] Run(int? bound)
        {
            var output = new float[batch * steps * units];
            int saved = Gemm.MaxThreads;
            Gemm.MaxThreads = 2;
            try
            {
                if (bound is { } row) kernel.Split.Move(row);
                fixed (float* px = x, pw = w, pb = b, pm = mask, po = output)
                {
                    kernel.Forward(batch, steps, px, pw, pb, null, null, masked ? pm : null, po, null, null);
                }
            }
            finally
            {
                Gemm.MaxThreads = saved;
            }

            return output;
        }

        float[] even = Run(null);
        Assert.Equal(2, kernel.Split.Parts);

        Assert.Equal(even, Run(4));
        Assert.Equal(even, Run(32));
        Assert.Equal(even, Run(12));
    }
}
