using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.MLNet.Data;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Persistence;

/// <summary>
/// A transformer outside the extension assembly that persists a network plus its own state through
/// <see cref="RecurrentModelStorage"/>, as a third party against official ML.NET would: it has no Compat
/// LoadableClass attribute, so loading needs <see cref="IMLNetInternals.RegisterLoader"/>.
/// </summary>
internal sealed class NetworkTransformer : ITransformer
{
    public const string LoaderSignature = "TestNetworkXf";
    public static readonly ModelVersion CurrentVersion = new("TESTNETW", 0x00010002, 0x00010001, 0x00010001, LoaderSignature);

    private readonly Model _network;
    private readonly SequenceColumn _sequence;

    public NetworkTransformer(Model network, string column, int steps, int features, float offset, ModelVersion? saveAs = null)
    {
        _network = network;
        _sequence = SequenceColumn.FromType(column, new VectorDataViewType(NumberDataViewType.Single, steps, features), null);
        Offset = offset;
        SaveAs = saveAs ?? CurrentVersion;
    }

    public float Offset { get; }

    public ModelVersion SaveAs { get; }

    public int Outputs => _network.PredictOnBatch(Tensor.Zeros(new Shape(1, _sequence.Timesteps, _sequence.Features))).Shape[^1];

    public static Model CreateNetwork(int steps, int features) =>
        new Sequential([new Lstm(4), new Dense(2)], inputShape: [steps, features]);

    public bool IsRowToRowMapper => true;

    private AppendedColumns Columns(DataViewSchema input)
    {
        var column = input[_sequence.Name];
        int outputs = Outputs;
        return new AppendedColumns(
            [new DataViewSchema.DetachedColumn("Output", new VectorDataViewType(NumberDataViewType.Single, outputs))],
            [_sequence.Name],
            row =>
            {
                var get = row.GetGetter<VBuffer<float>>(column);
                var value = default(VBuffer<float>);
                ValueGetter<VBuffer<float>> output = (ref VBuffer<float> dst) =>
                {
                    get(ref value);
                    int steps = _sequence.CheckedSteps(value, row.Position);
                    var x = new float[steps * _sequence.Features];
                    value.CopyTo(x);
                    var y = _network.PredictOnBatch(Tensor.FromArray(x, new Shape(1, steps, _sequence.Features))).ToFloatArray();
                    for (int i = 0; i < y.Length; i++) y[i] += Offset;
                    dst = new VBuffer<float>(y.Length, y);
                };
                return [output];
            });
    }

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Columns(inputSchema).OutputSchema(inputSchema);

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new AppendingRowToRowMapper(inputSchema, Columns(inputSchema));

    public IDataView Transform(IDataView input) => new AppendingDataView(input, Columns(input.Schema));

    public void Save(ModelSaveContext ctx)
    {
        var writer = RecurrentModelStorage.BeginSave(ctx, SaveAs);
        writer.Write(_sequence.Name);
        writer.Write(_sequence.Timesteps);
        writer.Write(_sequence.Features);
        writer.Write(Offset);
        RecurrentModelStorage.SaveNetwork(ctx, "Network", _network);
    }

    private static ITransformer Create(IHostEnvironment env, object ctx)
    {
        var reader = RecurrentModelStorage.BeginLoad(ctx, CurrentVersion, out _);
        string column = reader.ReadString();
        int steps = reader.ReadInt32();
        int features = reader.ReadInt32();
        float offset = reader.ReadSingle();
        return new NetworkTransformer(RecurrentModelStorage.LoadNetwork(ctx, "Network"), column, steps, features, offset);
    }
}
