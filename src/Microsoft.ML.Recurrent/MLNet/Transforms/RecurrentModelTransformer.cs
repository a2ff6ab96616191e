using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Data;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.MLNet.Transforms;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms;

#if !MLNET_OFFICIAL
[assembly: Microsoft.ML.LoadableClass(typeof(Microsoft.ML.ITransformer), typeof(Microsoft.ML.Transforms.RecurrentModelTransformer), null, typeof(Microsoft.ML.SignatureLoadModel), "Recurrent model", Microsoft.ML.Transforms.RecurrentModelTransformer.LoaderSignature)]
#endif
[assembly: RecurrentLoader(typeof(Microsoft.ML.Transforms.RecurrentModelTransformer), Microsoft.ML.Transforms.RecurrentModelTransformer.LoaderSignature)]

namespace Microsoft.ML.Transforms;

/// <summary>
/// Applies a recurrent network to a sequence column, one row at a time, and appends its output (see
/// <see cref="RecurrentModelOutput"/>) as a new <c>Single</c> vector column. Created by
/// <see cref="RecurrentModelEstimator.Fit"/>; saved with <c>mlContext.Model.Save</c> (the network as its Keras config
/// JSON and weights inside the model zip) and reloaded with <c>mlContext.Model.Load</c>.
/// </summary>
/// <remarks>
/// Input: <c>Vector&lt;Single, T, F&gt;</c>, <c>Vector&lt;Single, T&gt;</c> (T steps of <see cref="FeaturesPerStep"/>,
/// default 1) or variable-length <c>Vector&lt;Single&gt;</c> whose length is a multiple of
/// <see cref="FeaturesPerStep"/>. A row with a wrong length or a NaN raises an error naming the column and the row.
/// Scoring runs in inference mode (no dropout) on the CPU.
/// </remarks>
public sealed class RecurrentModelTransformer : ITransformer
{
    internal const string LoaderSignature = "RecurrentModelTransform";

    // 0x00010001: input/output names, output kind, features per step (0 = not given), network "Network".
    internal static readonly ModelVersion Version = new("RNNAPPLY", 0x00010001, 0x00010001, 0x00010001, LoaderSignature);

    private readonly Model _network;
    private Binding? _lastBinding;

    internal RecurrentModelTransformer(Model network, string outputColumnName, string inputColumnName, RecurrentModelOutput output, int? featuresPerStep)
    {
        _network = network;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        Output = output;
        FeaturesPerStep = featuresPerStep;
    }

    /// <summary>The column written.</summary>
    public string OutputColumnName { get; }

    /// <summary>The sequence column read.</summary>
    public string InputColumnName { get; }

    /// <summary>What is written: the model's output, its last step, or the last recurrent layer's final states.</summary>
    public RecurrentModelOutput Output { get; }

    /// <summary>Features per step of one-dimensional sequence vectors; null means 1 (or F of a <c>Vector&lt;Single, T, F&gt;</c>).</summary>
    public int? FeaturesPerStep { get; }

    /// <summary>Always true: the transformer maps each row on its own, so it works in <c>PredictionEngine</c>.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus <see cref="OutputColumnName"/>.</summary>
    /// <param name="inputSchema">The input schema; must hold <see cref="InputColumnName"/> as a sequence column.</param>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Columns(inputSchema).OutputSchema(inputSchema);

    /// <summary>The row mapper used by <c>PredictionEngine</c>.</summary>
    /// <param name="inputSchema">The input schema.</param>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new AppendingRowToRowMapper(inputSchema, Columns(inputSchema));

    /// <summary>The input with <see cref="OutputColumnName"/> appended, computed lazily as rows are read.</summary>
    /// <param name="input">The data.</param>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new AppendingDataView(input, Columns(input.Schema));
    }

    /// <summary>Saves the transformer into an ML.NET model (called by <c>mlContext.Model.Save</c>).</summary>
    /// <param name="ctx">The save context.</param>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        var writer = RecurrentModelStorage.BeginSave(ctx, Version);
        writer.Write(OutputColumnName);
        writer.Write(InputColumnName);
        writer.Write((int)Output);
        writer.Write(FeaturesPerStep ?? 0);
        RecurrentModelStorage.SaveNetwork(ctx, "Network", _network);
    }

    private static ITransformer Create(IHostEnvironment env, object ctx)
    {
        var reader = RecurrentModelStorage.BeginLoad(ctx, Version, out _);
        string output = reader.ReadString();
        string input = reader.ReadString();
        int kind = reader.ReadInt32();
        int features = reader.ReadInt32();
        if (!Enum.IsDefined((RecurrentModelOutput)kind) || features < 0)
        {
            throw new FormatException($"The recurrent model transform's state is damaged (output kind {kind}, features per step {features}).");
        }

        return new RecurrentModelTransformer(RecurrentModelStorage.LoadNetwork(ctx, "Network"), output, input, (RecurrentModelOutput)kind, features == 0 ? null : features);
    }

    internal RecurrentModelScorer Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var column = inputSchema.GetColumnOrNull(InputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Sequence column '{InputColumnName}' not found in the input schema.");
        if (_lastBinding is { } last && last.InputType.Equals(column.Type))
        {
            return last.Scorer;
        }

        var sequence = SequenceColumn.FromType(InputColumnName, column.Type, FeaturesPerStep);
        var scorer = new RecurrentModelScorer(_network, sequence, Output);
        _lastBinding = new Binding(column.Type, scorer);
        return scorer;
    }

    private AppendedColumns Columns(DataViewSchema inputSchema)
    {
        var scorer = Bind(inputSchema);
        var column = inputSchema[InputColumnName];
        var sequence = scorer.Sequence;
        return new AppendedColumns(
            [new DataViewSchema.DetachedColumn(OutputColumnName, scorer.OutputType)],
            [InputColumnName],
            row =>
            {
                var getInput = row.GetGetter<VBuffer<float>>(column);
                var rowScorer = scorer.CreateRowScorer();
                var value = default(VBuffer<float>);
                ValueGetter<VBuffer<float>> getOutput = (ref VBuffer<float> destination) =>
                {
                    getInput(ref value);
                    rowScorer.Score(value, sequence.CheckedSteps(value, row.Position), ref destination);
                };
                return [getOutput];
            });
    }

    // One reference, so a binding is replaced atomically when cursors bind from several threads.
    private sealed record Binding(DataViewType InputType, RecurrentModelScorer Scorer);
}
