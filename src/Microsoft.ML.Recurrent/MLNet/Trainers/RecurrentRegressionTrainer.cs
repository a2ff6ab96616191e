using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Data;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Losses;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNet.Trainers;

/// <summary>
/// Trains a recurrent network to predict a Single label (or a known-size vector of Single, one output per element)
/// from a sequence column, with mean squared error. Create it with <c>mlContext.Regression.Trainers.Lstm(...)</c>,
/// <c>.Gru(...)</c> or <c>.Recurrent(options)</c>.
/// </summary>
public sealed class RecurrentRegressionTrainer : IEstimator<RecurrentRegressionTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly Options _options;
    private readonly RecurrentCellType _cellType;

    /// <summary>Options of <see cref="RecurrentRegressionTrainer"/>.</summary>
    public sealed class Options : RecurrentTrainerOptions
    {
    }

    internal RecurrentRegressionTrainer(IHostEnvironment env, Options options, RecurrentCellType? cellType)
    {
        _env = env;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _cellType = cellType ?? options.CellType;
        options.Check();
    }

    private static readonly RecurrentTraining.Task s_task = new("RecurrentRegression",
        LabelColumn.Regression, label => label.Width, new MeanSquaredError(), data => data.LabelTensor());

    /// <summary>Trains on <paramref name="input"/>.</summary>
    /// <param name="input">Rows with the sequence and label columns.</param>
    /// <exception cref="InvalidOperationException">A bad row (the message names the column and row).</exception>
    public RecurrentRegressionTransformer Fit(IDataView input)
    {
        var (model, featureType, label) = RecurrentTraining.Fit(_env, _options, _cellType, s_task, input);
        return new RecurrentRegressionTransformer(model, _options.FeatureColumnName, featureType, vectorScore: input.Schema[label.Name].Type is VectorDataViewType);
    }

    /// <summary>The input schema with <c>Score</c> appended.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        RecurrentTraining.OutputSchema(inputSchema, _options,
            label => label.ItemType == NumberDataViewType.Single && !label.IsKey && label.Kind != SchemaShape.Column.VectorKind.VariableVector ? null : "regression needs Single or a known-size vector of Single",
            label => [RecurrentTraining.Column("Score", label.Kind, NumberDataViewType.Single)]);
}
