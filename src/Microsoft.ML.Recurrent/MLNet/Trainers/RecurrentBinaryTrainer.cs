using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Data;
using Microsoft.ML.Recurrent.Training.Losses;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNet.Trainers;

/// <summary>
/// Trains a recurrent network to classify sequences into two classes (label Boolean, or Single 0/1) with binary
/// cross-entropy on the network's logit. Create it with <c>mlContext.BinaryClassification.Trainers.Lstm(...)</c>,
/// <c>.Gru(...)</c> or <c>.Recurrent(options)</c>.
/// </summary>
public sealed class RecurrentBinaryTrainer : IEstimator<RecurrentBinaryTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly Options _options;
    private readonly RecurrentCellType _cellType;

    /// <summary>Options of <see cref="RecurrentBinaryTrainer"/>.</summary>
    public sealed class Options : RecurrentTrainerOptions
    {
    }

    internal RecurrentBinaryTrainer(IHostEnvironment env, Options options, RecurrentCellType? cellType)
    {
        _env = env;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _cellType = cellType ?? options.CellType;
        options.Check();
    }

    private static readonly RecurrentTraining.Task s_task = new("RecurrentBinaryClassification",
        LabelColumn.Binary, _ => 1, new BinaryCrossentropy(fromLogits: true), data => data.LabelTensor());

    /// <summary>Trains on <paramref name="input"/>.</summary>
    /// <param name="input">Rows with the sequence and label columns.</param>
    /// <exception cref="InvalidOperationException">A bad row (the message names the column and row).</exception>
    public RecurrentBinaryTransformer Fit(IDataView input)
    {
        var (model, featureType, _) = RecurrentTraining.Fit(_env, _options, _cellType, s_task, input);
        return new RecurrentBinaryTransformer(model, _options.FeatureColumnName, featureType);
    }

    /// <summary>The input schema with <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c> appended.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        RecurrentTraining.OutputSchema(inputSchema, _options,
            label => label.Kind == SchemaShape.Column.VectorKind.Scalar && !label.IsKey && (label.ItemType == BooleanDataViewType.Instance || label.ItemType == NumberDataViewType.Single)
                ? null : "binary classification needs Boolean or Single",
            _ =>
            [
                RecurrentTraining.Column("Score", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single),
                RecurrentTraining.Column("Probability", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single),
                RecurrentTraining.Column("PredictedLabel", SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance),
            ]);
}
