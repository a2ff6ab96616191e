using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Initializers;
using Microsoft.ML.Recurrent.Keras;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Layers;

/// <summary>The test cell of Keras's rnn_test.py, written the way a user writes a cell: one state, weights of ones.</summary>
internal sealed class OneStateRnnCell(int units, string? name = null) : RecurrentCell(name)
{
    private Variable _kernel = null!;
    private Variable _recurrentKernel = null!;

    public int Units { get; } = units;

    public override string ClassName => "OneStateRNNCell";

    public override string Module => "tests";

    public override IReadOnlyList<Shape> StateShapes => [new Shape(Units)];

    public override void Build(Shape inputShape)
    {
        _kernel = AddWeight("kernel", new Shape(inputShape[^1], Units), new Ones());
        _recurrentKernel = AddWeight("recurrent_kernel", new Shape(Units, Units), new Ones());
        base.Build(inputShape);
    }

    public override (Tensor Output, Tensor[] States) Step(Tensor input, IReadOnlyList<Tensor> states, CallArguments arguments)
    {
        var output = Ops.MatMul(input, _kernel.Value) + Ops.MatMul(states[0], _recurrentKernel.Value);
        return (output, [output]);
    }

    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["units"] = Units;
        return config;
    }

    public static void Register() =>
        KerasLayers.Register("OneStateRNNCell", c => new OneStateRnnCell(c["units"]!.GetValue<int>(), c["name"]?.GetValue<string>()));
}

/// <summary>The two-state test cell of Keras's rnn_test.py, including its quirk of reading states[0] twice.</summary>
internal sealed class TwoStatesRnnCell(int units, string? name = null) : RecurrentCell(name)
{
    private Variable _kernel = null!;
    private Variable _recurrentKernel1 = null!;
    private Variable _recurrentKernel2 = null!;

    public int Units { get; } = units;

    public override string ClassName => "TwoStatesRNNCell";

    public override string Module => "tests";

    public override IReadOnlyList<Shape> StateShapes => [new Shape(Units), new Shape(Units)];

    public override void Build(Shape inputShape)
    {
        _kernel = AddWeight("kernel", new Shape(inputShape[^1], Units), new Ones());
        _recurrentKernel1 = AddWeight("recurrent_kernel_1", new Shape(Units, Units), new Ones());
        _recurrentKernel2 = AddWeight("recurrent_kernel_2", new Shape(Units, Units), new Ones());
        base.Build(inputShape);
    }

    public override (Tensor Output, Tensor[] States) Step(Tensor input, IReadOnlyList<Tensor> states, CallArguments arguments)
    {
        var h = Ops.MatMul(input, _kernel.Value);
        var output1 = h + Ops.MatMul(states[0], _recurrentKernel1.Value);
        var output2 = h + Ops.MatMul(states[0], _recurrentKernel2.Value);
        return (output1 + output2, [output1, output2]);
    }

    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["units"] = Units;
        return config;
    }

    public static void Register() =>
        KerasLayers.Register("TwoStatesRNNCell", c => new TwoStatesRnnCell(c["units"]!.GetValue<int>(), c["name"]?.GetValue<string>()));
}
