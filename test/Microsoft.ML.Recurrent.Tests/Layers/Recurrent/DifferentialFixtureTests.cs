using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Tensors;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Layers.Recurrent;

/// <summary>
/// Replays differential fixtures computed by independent implementations (PyTorch: Fixtures/PyTorch/
/// generate_rnn_fixtures.py; TensorFlow.js: Fixtures/TfJs/generate_tfjs_fixtures.mjs; see Fixtures/README.md)
/// through the public API: layer from its Keras config, fixture weights via SetWeights, call with mask and initial
/// state, then compare every output and the gradients of L = Σᵢ Σ outputᵢ ⊙ wᵢ with respect to the input, every
/// weight and the initial states, elementwise |actual − expected| ≤ 1e-5·(1 + |expected|) (float32).
/// </summary>
public class DifferentialFixtureTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static readonly string[] s_files =
    [
        Path.Combine("Fixtures", "PyTorch", "pytorch_rnn_fixtures.json"),
        Path.Combine("Fixtures", "TfJs", "tfjs_fixtures.json"),
    ];

    private static readonly Lazy<Dictionary<string, JsonObject>> s_cases = new(LoadAll);

    private static Dictionary<string, JsonObject> LoadAll()
    {
        var cases = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var file in s_files)
        {
            string path = Path.Combine(AppContext.BaseDirectory, file);
            var doc = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            string source = Path.GetFileNameWithoutExtension(file);
            foreach (var c in doc["cases"]!.AsArray())
                cases.Add(source + "/" + c!["id"]!.GetValue<string>(), c.AsObject());
        }
        return cases;
    }

    public static IEnumerable<object[]> CaseIds() => s_cases.Value.Keys.Select(k => new object[] { k });

    [Fact]
    public void Both_fixture_files_have_cases()
    {
        Assert.True(s_cases.Value.Keys.Count(k => k.StartsWith("pytorch_rnn_fixtures/", StringComparison.Ordinal)) >= 20);
        Assert.True(s_cases.Value.Keys.Count(k => k.StartsWith("tfjs_fixtures/", StringComparison.Ordinal)) >= 15);
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Fixture_outputs_and_gradients_match(string key)
    {
        var fixture = s_cases.Value[key];
        bool keras2 = fixture["keras2"]?.GetValue<bool>() ?? false;
        var layer = KerasLayers.Deserialize(fixture["layer"]!, keras2);

        var input = ToTensor(fixture["input"]!);
        input.RequiresGrad = true;
        if (!layer.Built) layer.Build(input.Shape);
        layer.SetWeights(fixture["weights"]!.AsArray().Select(w => ToTensor(w!)).ToArray());

        var mask = fixture["mask"] is JsonObject m ? ToTensor(m) : null;
        Tensor[]? initial = fixture["initial_state"] is JsonArray states ? states.Select(s => ToTensor(s!)).ToArray() : null;
        if (initial is not null) foreach (var s in initial) s.RequiresGrad = true;

        var outputs = layer.Apply(input, new CallArguments { Mask = mask, InitialState = initial });

        var expectedOutputs = fixture["outputs"]!.AsArray();
        Assert.Equal(expectedOutputs.Count, outputs.Length);
        double worst = 0;
        for (int i = 0; i < outputs.Length; i++)
            worst = Math.Max(worst, Compare(key, $"outputs[{i}]", outputs[i], expectedOutputs[i]!));

        var functional = fixture["functional"]!.AsArray();
        Tensor? loss = null;
        for (int i = 0; i < outputs.Length; i++)
        {
            var term = Ops.Sum(Ops.Multiply(outputs[i], ToTensor(functional[i]!)));
            loss = loss is null ? term : Ops.Add(loss, term);
        }

        var weights = layer.Weights.Select(w => w.Value).ToList();
        var wrt = new List<Tensor> { input };
        wrt.AddRange(weights);
        if (initial is not null) wrt.AddRange(initial);
        var grads = Autodiff.Gradients(loss!, wrt);

        var expectedGrads = fixture["grads"]!.AsObject();
        worst = Math.Max(worst, Compare(key, "d/d input", grads[0], expectedGrads["input"]!));
        var weightGrads = expectedGrads["weights"]!.AsArray();
        Assert.Equal(weightGrads.Count, weights.Count);
        for (int i = 0; i < weights.Count; i++)
            worst = Math.Max(worst, Compare(key, $"d/d {layer.Weights[i].Name} (weight {i})", grads[1 + i], weightGrads[i]!));
        if (initial is not null)
        {
            var stateGrads = expectedGrads["initial_state"]!.AsArray();
            for (int i = 0; i < initial.Length; i++)
                worst = Math.Max(worst, Compare(key, $"d/d initial_state[{i}]", grads[1 + weights.Count + i], stateGrads[i]!));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}: max |a-b|/(1+|b|) = {worst:E2}"));
    }

    /// <summary>Checks the rule elementwise and returns the worst |a − b| / (1 + |b|).</summary>
    private static double Compare(string key, string what, Tensor actual, JsonNode expected)
    {
        var shape = expected["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
        Assert.True(actual.Shape == new Shape(shape), $"{key} {what}: shape {actual.Shape}, expected ({string.Join(", ", shape)})");
        var want = expected["data"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var got = actual.ToDoubleArray();
        double worst = 0;
        for (int i = 0; i < got.Length; i++)
        {
            double err = Math.Abs(got[i] - want[i]);
            worst = Math.Max(worst, err / (1 + Math.Abs(want[i])));
            Assert.True(err <= Tolerance * (1 + Math.Abs(want[i])),
                $"{key} {what}[{i}]: got {got[i]:G9}, expected {want[i]:G9} (|diff| {err:E2})");
        }
        return worst;
    }

    private static Tensor ToTensor(JsonNode node)
    {
        var shape = node["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
        var data = node["data"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        return Tensor.FromArray(data, new Shape(shape));
    }
}
