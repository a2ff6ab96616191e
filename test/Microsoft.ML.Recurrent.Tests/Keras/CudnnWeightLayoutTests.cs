using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Keras;

/// <summary>
/// Keras 2 CuDNNLSTM / CuDNNGRU files load into LSTM / GRU. The test writes weights in the cuDNN layout with the reverse
/// rule of keras-rnn-spec §4.3 (per gate: K_cudnn = reshape(flatten(Kᵀ), (F, U)), R_cudnn = Rᵀ, biases split) and checks
/// that the converted layer computes exactly what the original did.
/// </summary>
public class CudnnWeightLayoutTests
{
    private static float[] CudnnKernel(float[] kernel, int features, int units, int gates)
    {
        var result = new float[kernel.Length];
        for (int g = 0; g < gates; g++)
        {
            // Kᵀ of block g, flattened row-major: element (u, f) = K[f, g·U + u]; written back row-major into (F, U).
            var flat = new List<float>();
            for (int u = 0; u < units; u++)
                for (int f = 0; f < features; f++) flat.Add(kernel[f * gates * units + g * units + u]);
            for (int i = 0; i < flat.Count; i++)
                result[(i / units) * gates * units + g * units + i % units] = flat[i];
        }
        return result;
    }

    private static float[] CudnnRecurrent(float[] recurrent, int units, int gates)
    {
        var result = new float[recurrent.Length];
        for (int g = 0; g < gates; g++)
            for (int r = 0; r < units; r++)
                for (int c = 0; c < units; c++)
                    result[r * gates * units + g * units + c] = recurrent[c * gates * units + g * units + r];
        return result;
    }

    [Fact]
    public void CuDNNLSTM_config_and_weights_load_as_an_equivalent_LSTM()
    {
        int features = 3, units = 2;
        var rng = new RandomGenerator(11);
        var reference = new Lstm(units, returnSequences: true);
        var x = rng.Uniform(new Shape(2, 4, features), -1, 1);
        var expected = reference.Apply(x).ToArray<float>();
        var (k, r, b) = (reference.Cell.Kernel.Value.ToArray<float>(), reference.Cell.RecurrentKernel.Value.ToArray<float>(), reference.Cell.Bias!.Value.ToArray<float>());

        var config = JsonNode.Parse("""{"class_name": "CuDNNLSTM", "config": {"name": "cu_dnnlstm", "trainable": true, "units": 2, "return_sequences": true, "return_state": false, "go_backwards": false, "stateful": false, "time_major": false, "unit_forget_bias": true}}""")!;
        var loaded = (Lstm)KerasLayers.Deserialize(config);
        loaded.Build(x.Shape);
        var halfBias = b.Select(v => v / 2).ToArray();
        loaded.SetWeights([
            Tensor.FromArray(CudnnKernel(k, features, units, 4), new Shape(features, 4 * units)),
            Tensor.FromArray(CudnnRecurrent(r, units, 4), new Shape(units, 4 * units)),
            Tensor.FromArray([.. halfBias, .. halfBias], new Shape(8 * units)),
        ]);

        Assert.Equal("LSTM", loaded.ClassName);
        Assert.Equal(k, loaded.Cell.Kernel.Value.ToArray<float>());
        Assert.Equal(r, loaded.Cell.RecurrentKernel.Value.ToArray<float>());
        var actual = loaded.Apply(x).ToArray<float>();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 6);
    }

    [Fact]
    public void CuDNNGRU_weights_load_into_reset_after_GRU_only()
    {
        int features = 2, units = 3;
        var reference = new Gru(units);
        var x = new RandomGenerator(5).Uniform(new Shape(1, 3, features), -1, 1);
        var expected = reference.Apply(x).ToArray<float>();
        var (k, r, b) = (reference.Cell.Kernel.Value.ToArray<float>(), reference.Cell.RecurrentKernel.Value.ToArray<float>(), reference.Cell.Bias!.Value.ToArray<float>());
        Tensor[] cudnn =
        [
            Tensor.FromArray(CudnnKernel(k, features, units, 3), new Shape(features, 3 * units)),
            Tensor.FromArray(CudnnRecurrent(r, units, 3), new Shape(units, 3 * units)),
            Tensor.FromArray(b, new Shape(6 * units)),
        ];

        var loaded = (Gru)KerasLayers.Deserialize(JsonNode.Parse("""{"class_name": "CuDNNGRU", "config": {"units": 3}}""")!);
        Assert.True(loaded.Cell.ResetAfter);
        loaded.Build(x.Shape);
        loaded.SetWeights(cudnn);
        var actual = loaded.Apply(x).ToArray<float>();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 6);

        var v1 = new Gru(units, resetAfter: false);
        v1.Build(x.Shape);
        Assert.Contains("reset_after", Assert.Throws<ArgumentException>(() => v1.SetWeights(cudnn)).Message);
    }
}
