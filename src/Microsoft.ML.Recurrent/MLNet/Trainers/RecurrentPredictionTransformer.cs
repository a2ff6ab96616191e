using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Data;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.MLNet.Scoring;
using Microsoft.ML.Recurrent.Training.Models;

namespace Microsoft.ML.Recurrent.MLNet.Trainers;

/// <summary>
/// The base of the fitted recurrent trainers: scores the sequence column one row at a time and appends the task's
/// output columns (ML.NET's conventions: <c>Score</c>, <c>Probability</c>, <c>PredictedLabel</c>). Works with
/// <c>PredictionEngine</c>, <c>Transform</c> and <c>mlContext.Model.Save</c>/<c>Load</c>.
/// </summary>
public abstract class RecurrentPredictionTransformer : ISingleFeaturePredictionTransformer<RecurrentModelParameters>
{
    private readonly SequenceScorer _scorer;
    private readonly SequenceColumn _layout;

    private protected RecurrentPredictionTransformer(RecurrentModelParameters model, string featureColumnName, DataViewType featureColumnType)
    {
        Model = model;
        FeatureColumnName = featureColumnName;
        FeatureColumnType = featureColumnType;
        _layout = SequenceColumn.FromType(featureColumnName, featureColumnType, model.FeaturesPerStep);
        _scorer = new SequenceScorer(model.Network, _layout, model.Outputs);
    }

    /// <summary>The trained network and the sequence layout it reads.</summary>
    public RecurrentModelParameters Model { get; }

    /// <summary>The sequence column scored.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The type of the sequence column at training time.</summary>
    public DataViewType FeatureColumnType { get; }

    /// <summary>True: the transformer maps rows one at a time (so it works in a <c>PredictionEngine</c>).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema followed by the output columns.</summary>
    /// <param name="inputSchema">The input schema; must hold the sequence column.</param>
    /// <exception cref="ArgumentOutOfRangeException">The sequence column is missing.</exception>
    /// <exception cref="ArgumentException">The sequence column's type does not match the training type.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Columns(inputSchema).OutputSchema(inputSchema);

    /// <summary>A row mapper for <c>PredictionEngine</c>.</summary>
    /// <param name="inputSchema">The input schema.</param>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new AppendingRowToRowMapper(inputSchema, Columns(inputSchema));

    /// <summary>Scores <paramref name="input"/> lazily, row by row.</summary>
    /// <param name="input">Data with the sequence column.</param>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new AppendingDataView(input, Columns(input.Schema));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        var writer = RecurrentModelStorage.BeginSave(ctx, Version);
        writer.Write(FeatureColumnName);
        var dims = ((VectorDataViewType)FeatureColumnType).Dimensions;
        writer.Write(dims.Length);
        foreach (int d in dims) writer.Write(d);
        writer.Write(Model.Timesteps);
        writer.Write(Model.FeaturesPerStep);
        writer.Write(Model.Outputs);
        SaveTask(writer);
        RecurrentModelStorage.SaveNetwork(ctx, "Network", Model.Network);
    }

    /// <summary>The common part of a loader: reads what <see cref="ICanSaveModel.Save"/> wrote before the task's own state.</summary>
    private protected static (RecurrentModelParameters Model, string FeatureColumnName, DataViewType FeatureColumnType, BinaryReader Reader) LoadCommon(object ctx, ModelVersion version)
    {
        var reader = RecurrentModelStorage.BeginLoad(ctx, version, out _);
        try
        {
            string name = reader.ReadString();
            var dims = new int[reader.ReadInt32()];
            for (int i = 0; i < dims.Length; i++) dims[i] = reader.ReadInt32();
            int timesteps = reader.ReadInt32(), features = reader.ReadInt32(), outputs = reader.ReadInt32();
            if (dims.Length is < 1 or > 2 || dims.Any(d => d < 0) || features <= 0 || outputs <= 0 || timesteps < 0)
                throw new FormatException("the sequence layout is out of range");
            var network = RecurrentModelStorage.LoadNetwork(ctx, "Network");
            return (new RecurrentModelParameters(network, timesteps, features, outputs), name, new VectorDataViewType(NumberDataViewType.Single, dims), reader);
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException($"The '{version.LoaderSignature}' model block is truncated.", e);
        }
    }

    private protected abstract ModelVersion Version { get; }

    /// <summary>The appended columns, in order.</summary>
    private protected abstract IReadOnlyList<DataViewSchema.DetachedColumn> OutputColumns { get; }

    /// <summary>Writes the task's own state after the common part.</summary>
    private protected abstract void SaveTask(BinaryWriter writer);

    /// <summary>The getters of <see cref="OutputColumns"/>, given the network outputs of the current row.</summary>
    private protected abstract Delegate[] MakeGetters(Func<float[]> outputs);

    private AppendedColumns Columns(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var column = inputSchema.GetColumnOrNull(FeatureColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Sequence column '{FeatureColumnName}' not found; the model was trained on it (type {FeatureColumnType}).");
        var given = SequenceColumn.FromType(FeatureColumnName, column.Type, Model.FeaturesPerStep);
        if (!_layout.IsVariableLength && !given.IsVariableLength && given.Timesteps != _layout.Timesteps)
            throw new ArgumentException($"Sequence column '{FeatureColumnName}' has type {column.Type} ({given.Timesteps} steps); the model was trained on {_layout.Timesteps} steps ({FeatureColumnType}).", nameof(inputSchema));
        return new AppendedColumns(OutputColumns, [FeatureColumnName], row =>
        {
            var get = row.GetGetter<VBuffer<float>>(column);
            var scorer = _scorer.CreateRowScorer();
            var value = default(VBuffer<float>);
            var outputs = new float[Model.Outputs];
            long scored = long.MinValue;
            float[] Current()
            {
                // The output columns of one row share one network call.
                if (row.Position != scored)
                {
                    get(ref value);
                    scorer.Score(value, row.Position, outputs);
                    scored = row.Position;
                }
                return outputs;
            }
            return MakeGetters(Current);
        });
    }
}
