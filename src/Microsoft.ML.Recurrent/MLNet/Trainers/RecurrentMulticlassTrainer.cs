using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Data;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Losses;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNet.Trainers;

/// <summary>
/// Trains a recurrent network to classify sequences into K classes (label: a key column, as made by
/// <c>MapValueToKey</c>) with sparse categorical cross-entropy on the network's K logits. Create it with
/// <c>mlContext.MulticlassClassification.Trainers.Lstm(...)</c>, <c>.Gru(...)</c> or <c>.Recurrent(options)</c>.
/// </summary>
public sealed class RecurrentMulticlassTrainer : IEstimator<RecurrentMulticlassTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly Options _options;
    private readonly RecurrentCellType _cellType;

    /// <summary>Options of <see cref="RecurrentMulticlassTrainer"/>.</summary>
    public sealed class Options : RecurrentTrainerOptions
    {
    }

    internal RecurrentMulticlassTrainer(IHostEnvironment env, Options options, RecurrentCellType? cellType)
    {
        _env = env;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _cellType = cellType ?? options.CellType;
        options.Check();
    }

    private static readonly RecurrentTraining.Task s_task = new("RecurrentMulticlassClassification",
        LabelColumn.Key, label => label.ClassCount, new SparseCategoricalCrossentropy(fromLogits: true),
        data => Tensor.FromArray(data.Labels!, new Shape(data.Count)));

    /// <summary>Trains on <paramref name="input"/>.</summary>
    /// <param name="input">Rows with the sequence and key label columns.</param>
    /// <exception cref="InvalidOperationException">A bad row (the message names the column and row).</exception>
    public RecurrentMulticlassTransformer Fit(IDataView input)
    {
        var (model, featureType, label) = RecurrentTraining.Fit(_env, _options, _cellType, s_task, input);
        var keyValues = RecurrentMulticlassTransformer.ReadKeyValues(input.Schema[label.Name]);
        return new RecurrentMulticlassTransformer(model, _options.FeatureColumnName, featureType, keyValues);
    }

    /// <summary>The input schema with <c>Score</c> (class probabilities) and <c>PredictedLabel</c> (the label's key type) appended.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        RecurrentTraining.OutputSchema(inputSchema, _options,
            label => label.IsKey && label.Kind == SchemaShape.Column.VectorKind.Scalar ? null : "multiclass classification needs a key column (use MapValueToKey)",
            label =>
            [
                RecurrentTraining.Column("Score", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single),
                RecurrentTraining.Column("PredictedLabel", SchemaShape.Column.VectorKind.Scalar, label.ItemType, isKey: true, label.Annotations),
            ]);
}
