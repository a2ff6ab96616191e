using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Optimizers;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Training;

/// <summary>
/// Replays Fixtures/Training/optimizer_trajectories.json (written by generate_optimizer_trajectories.py with PyTorch):
/// 20 full-batch steps of LSTM(4) → Dense(1) with MSE, per optimizer; per-step losses and final weights must match.
/// </summary>
public class OptimizerTrajectoryTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonObject> s_fixture = new(() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Training", "optimizer_trajectories.json")))!);

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in (JsonArray)s_fixture.Value["cases"]!) data.Add(c!["name"]!.GetValue<string>());
        return data;
    }

    internal static double[] Flatten(JsonNode node)
    {
        var values = new List<double>();
        void Walk(JsonNode n)
        {
            if (n is JsonArray a) foreach (var e in a) Walk(e!);
            else values.Add(n.GetValue<double>());
        }
        Walk(node);
        return values.ToArray();
    }

    private static Tensor Cast(Tensor t, string dtype) => dtype == "float64" ? t : Ops.Cast(t, DType.Float32);

    private static Optimizer Create(JsonObject c)
    {
        var hp = (JsonObject)c["config"]!;
        double D(string k) => hp[k]!.GetValue<double>();
        bool B(string k) => hp[k]!.GetValue<bool>();
        return c["optimizer"]!.GetValue<string>() switch
        {
            "SGD" => new Sgd(D("learning_rate"), D("momentum"), B("nesterov")),
            "Adam" => new Adam(D("learning_rate"), D("beta_1"), D("beta_2"), D("epsilon"), B("amsgrad")),
            "AdamW" => new AdamW(D("learning_rate"), D("weight_decay"), D("beta_1"), D("beta_2"), D("epsilon"), B("amsgrad")),
            "RMSprop" => new RmsProp(D("learning_rate"), D("rho"), D("momentum"), D("epsilon"), B("centered")),
            var other => throw new InvalidOperationException(other),
        };
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Float64_trajectory_matches_PyTorch(string name) => Replay(name, "float64", tolerance: 1e-10);

    /// <summary>The same steps in float32 against the float64 reference: rounding only, within the 1e-5 acceptance bound.</summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Float32_trajectory_matches_PyTorch(string name) => Replay(name, "float32", tolerance: 1e-5);

    private void Replay(string name, string dtype, double tolerance)
    {
        var fixture = s_fixture.Value;
        var c = (JsonObject)((JsonArray)fixture["cases"]!).First(e => e!["name"]!.GetValue<string>() == name)!;
        var x = Cast(Tensor.FromArray(Flatten(fixture["x"]!), new Shape(8, 6, 3)), dtype);
        var y = Cast(Tensor.FromArray(Flatten(fixture["y"]!), new Shape(8, 1)), dtype);
        var lstm = new Lstm(4, dtype: dtype);
        var dense = new Dense(1, dtype: dtype);
        dense.Apply(lstm.Apply(x, training: false), training: false);
        var init = (JsonObject)fixture["initial_weights"]!;
        lstm.SetWeights([Tensor.FromArray(Flatten(init["kernel"]!), new Shape(3, 16)), Tensor.FromArray(Flatten(init["recurrent_kernel"]!), new Shape(4, 16)), Tensor.FromArray(Flatten(init["bias"]!), new Shape(16))]);
        dense.SetWeights([Tensor.FromArray(Flatten(init["dense_kernel"]!), new Shape(4, 1)), Tensor.FromArray(Flatten(init["dense_bias"]!), new Shape(1))]);
        var variables = lstm.TrainableWeights.Concat(dense.TrainableWeights).ToList();
        var optimizer = Create(c);

        var expectedLosses = Flatten(c["losses"]!);
        double maxLossError = 0;
        for (int step = 0; step < expectedLosses.Length; step++)
        {
            var loss = Ops.Mean(Ops.Square(Ops.Subtract(dense.Apply(lstm.Apply(x, training: false), training: false), y)));
            maxLossError = Math.Max(maxLossError, Math.Abs(loss.Item() - expectedLosses[step]));
            var grads = Autodiff.Gradients(loss, variables.Select(v => v.Value).ToList());
            optimizer.Apply(grads, variables);
        }

        var final = (JsonObject)c["final_weights"]!;
        string[] names = ["kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias"];
        double maxWeightError = 0;
        for (int i = 0; i < names.Length; i++)
        {
            var expected = Flatten(final[names[i]]!);
            var actual = variables[i].Value.ToDoubleArray();
            for (int k = 0; k < expected.Length; k++) maxWeightError = Math.Max(maxWeightError, Math.Abs(actual[k] - expected[k]));
        }
        output.WriteLine($"{name} ({dtype}): max |Δloss| = {maxLossError:E2}, max |Δweight| = {maxWeightError:E2}");
        Assert.True(maxLossError < tolerance, $"{name} ({dtype}): loss deviates by {maxLossError}");
        Assert.True(maxWeightError < tolerance, $"{name} ({dtype}): weights deviate by {maxWeightError}");
        Assert.Equal(expectedLosses.Length, optimizer.Iterations);
    }
}
