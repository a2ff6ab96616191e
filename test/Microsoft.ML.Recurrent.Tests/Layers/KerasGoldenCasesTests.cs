using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Layers;

/// <summary>
/// Replays the golden cases taken from Keras's own test suite (../shared/testdata/keras-golden-public.json) through the
/// Keras-config path: build the layer from its config, make the input as the case says, call it as the case says, and
/// compare with numpy's rule |actual − expected| ≤ atol + rtol·|expected|.
/// </summary>
public partial class KerasGoldenCasesTests
{
    static KerasGoldenCasesTests()
    {
        OneStateRnnCell.Register();
        TwoStatesRnnCell.Register();
    }

    public static IEnumerable<object[]> CaseIds() => GoldenCases.Load().Select(c => new object[] { c["id"]!.GetValue<string>() });

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Golden_case_matches_Keras(string id)
    {
        var golden = GoldenCases.Load().Single(c => c["id"]!.GetValue<string>() == id);
        var layer = KerasLayers.Deserialize(golden["layer"]!);
        var input = MakeInput(golden["input"]!.AsObject());
        var call = golden["call"] as JsonObject ?? new JsonObject();

        var expected = golden["expected"]!.AsArray();
        if (golden["sequence_of_calls"] is JsonArray sequence)
        {
            foreach (var step in sequence)
            {
                switch (step!["op"]!.GetValue<string>())
                {
                    case "call":
                        var result = Invoke(layer, input, call);
                        if (step["compared"] is JsonValue compared && compared.TryGetValue<string>(out var which))
                        {
                            var index = Regex.Match(which, @"\d+");
                            var entries = index.Success ? [expected[int.Parse(index.Value, CultureInfo.InvariantCulture)]!] : expected.Select(e => e!);
                            foreach (var entry in entries) Check(id, result, entry.AsObject());
                        }
                        break;
                    case "reset_state":
                        ((Rnn)layer).ResetStates();
                        break;
                    default:
                        throw new InvalidOperationException($"{id}: unknown step {step["op"]}");
                }
            }
        }
        else
        {
            var result = Invoke(layer, input, call);
            foreach (var entry in expected) Check(id, result, entry!.AsObject());
        }
    }

    /// <summary>Calls the layer and returns its result with Keras's Python structure (a tensor, or a list of results).</summary>
    private static object Invoke(Layer layer, Tensor input, JsonObject call)
    {
        var arguments = new CallArguments
        {
            Mask = call["mask"] is JsonObject mask ? MaskTensor(mask["value"]!.AsArray()) : null,
            InitialState = call["initial_state"] is JsonObject s ? States(s) : call["states"] is JsonObject cs ? States(cs) : null,
        };
        var outputs = layer.Apply(input, arguments);
        return layer switch
        {
            RecurrentCell => new List<object> { outputs[0], outputs.Skip(1).Cast<object>().ToList() },
            Rnn { ReturnState: true, Cell: StackedRnnCells stacked } => GroupStackedStates(outputs, stacked),
            Rnn { ReturnState: true } => outputs.Cast<object>().ToList(),
            Bidirectional b when b.MergeMode is null || b.Forward.ReturnState => outputs.Cast<object>().ToList(),
            _ => outputs[0],
        };
    }

    /// <summary>
    /// Keras 3 returns a stacked cell's states per cell: <c>output, [cell 1 states], [cell 2 states]</c>, where a cell
    /// with a single integer state_size (the test cells) gives a bare tensor and built-in cells give lists.
    /// </summary>
    private static List<object> GroupStackedStates(Tensor[] outputs, StackedRnnCells stacked)
    {
        var result = new List<object> { outputs[0] };
        int offset = 1;
        foreach (var cell in stacked.Cells)
        {
            int count = cell.StateShapes.Count;
            var states = outputs.Skip(offset).Take(count).Cast<object>().ToList();
            result.Add(count == 1 && cell is not DenseRecurrentCell ? states[0] : states);
            offset += count;
        }
        return result;
    }

    private static Tensor[] States(JsonObject spec)
    {
        if (spec["spec"] is JsonObject generated)
        {
            // "[s1, s2] with s1 = s2 = ..." : two equal generated states.
            var state = MakeInput(generated);
            return [state, state.Clone()];
        }
        var value = spec["value"]!.AsArray();
        bool isList = spec["expression"]!.GetValue<string>().TrimStart().StartsWith('[');
        return isList ? value.Select(v => NestedToTensor(v!.AsArray())).ToArray() : [NestedToTensor(value)];
    }

    private static Tensor MakeInput(JsonObject spec)
    {
        var shape = new Shape(spec["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray());
        float divide = spec["divide_by"] is { } d ? d.GetValue<float>() : 1f;
        var values = new float[shape.Size];
        for (int i = 0; i < values.Length; i++)
            values[i] = spec["kind"]!.GetValue<string>() == "ones" ? 1f : spec["divide_by"] is null ? i : i / divide;
        return Tensor.FromArray(values, shape);
    }

    private static Tensor MaskTensor(JsonArray rows) =>
        Tensor.FromArray(rows.SelectMany(r => r!.AsArray().Select(v => v!.GetValue<bool>() ? 1f : 0f)).ToArray(),
            new Shape(rows.Count, rows[0]!.AsArray().Count));

    private static Tensor NestedToTensor(JsonArray nested)
    {
        var dims = new List<int>();
        JsonNode? node = nested;
        while (node is JsonArray a) { dims.Add(a.Count); node = a.Count > 0 ? a[0] : null; }
        var values = new List<float>();
        void Flatten(JsonNode n)
        {
            if (n is JsonArray a) foreach (var x in a) Flatten(x!);
            else values.Add(n.GetValue<float>());
        }
        Flatten(nested);
        return Tensor.FromArray(values.ToArray(), new Shape(dims.ToArray()));
    }

    private static void Check(string id, object result, JsonObject expected)
    {
        string target = expected["target"]!.GetValue<string>();
        var match = TargetPattern().Match(target);
        Assert.True(match.Success, $"{id}: cannot parse target '{target}'");
        object value = result;
        foreach (Capture index in match.Groups["index"].Captures)
            value = Index(value, int.Parse(index.Value, CultureInfo.InvariantCulture));
        var actual = (Tensor)value;
        double atol = expected["tolerance"]!["atol"]!.GetValue<double>();
        double rtol = expected["tolerance"]!["rtol"]!.GetValue<double>();
        var want = Flatten(expected["value"]!);
        var got = match.Groups["sum"].Success ? [Ops.Sum(actual).Item()] : actual.ToDoubleArray();
        Assert.True(want.Count == got.Length, $"{id} {target}: {got.Length} values, expected {want.Count} (shape {actual.Shape})");
        for (int i = 0; i < got.Length; i++)
        {
            double bound = atol + rtol * Math.Abs(want[i]);
            Assert.True(Math.Abs(got[i] - want[i]) <= bound,
                $"{id} {target}[{i}]: got {got[i]:G9}, expected {want[i]:G9} (|diff| {Math.Abs(got[i] - want[i]):E2} > {bound:E2})");
        }
    }

    private static object Index(object value, int i) => value switch
    {
        List<object> list => list[i],
        Tensor t => Ops.Squeeze(Ops.Slice(t, 0, i, 1), 0),
        _ => throw new InvalidOperationException($"Cannot index {value}"),
    };

    private static List<double> Flatten(JsonNode node)
    {
        var values = new List<double>();
        void Walk(JsonNode n)
        {
            if (n is JsonArray a) foreach (var x in a) Walk(x!);
            else values.Add(n.GetValue<double>());
        }
        Walk(node);
        return values;
    }

    [GeneratedRegex(@"^(?<sum>sum\()?result(\[(?<index>\d+)\])*\)?$")]
    private static partial Regex TargetPattern();
}

/// <summary>Finds and reads the shared golden file (../shared/testdata beside the repository).</summary>
internal static class GoldenCases
{
    private static JsonArray? s_cases;

    public static IReadOnlyList<JsonNode> Load()
    {
        if (s_cases is null)
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Recurrent.ML.sln"))) dir = dir.Parent;
            if (dir is null) throw new FileNotFoundException("Cannot find the repository root (Recurrent.ML.sln) above " + AppContext.BaseDirectory);
            string path = Path.Combine(dir.FullName, "..", "shared", "testdata", "keras-golden-public.json");
            s_cases = JsonNode.Parse(File.ReadAllText(path))!.AsArray();
        }
        return s_cases.Select(c => c!).ToList();
    }
}
