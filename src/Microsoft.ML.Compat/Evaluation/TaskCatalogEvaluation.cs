using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;

namespace Microsoft.ML;

public sealed partial class RegressionCatalog
{
    /// <summary>Evaluates regression scores against labels: MAE, MSE, RMSE, loss and R². Rows with a NaN label or score are skipped.</summary>
    /// <param name="data">The scored data.</param>
    /// <param name="labelColumnName">The label column (Single).</param>
    /// <param name="scoreColumnName">The score column (Single).</param>
    public RegressionMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score") =>
        Evaluators.Regression(data, labelColumnName, scoreColumnName);

    /// <summary>Splits the data into folds, trains <paramref name="estimator"/> on all folds but one and evaluates it on the remaining one, for each fold.</summary>
    /// <param name="data">The data.</param>
    /// <param name="estimator">The estimator (pipeline) to train; its output needs a Score column.</param>
    /// <param name="numberOfFolds">The number of folds, at least 2.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="samplingKeyColumnName">A column that keeps related rows in the same fold; null assigns rows independently.</param>
    /// <param name="seed">The seed of the split; null uses the context's generator.</param>
    public IReadOnlyList<CrossValidationResult<RegressionMetrics>> CrossValidate(IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = "Label", string? samplingKeyColumnName = null, int? seed = null) =>
        CrossValidateCore(data, estimator, numberOfFolds, samplingKeyColumnName, seed, scored => Evaluate(scored, labelColumnName));
}

public sealed partial class BinaryClassificationCatalog
{
    /// <summary>
    /// Evaluates a calibrated binary classifier: the metrics of <see cref="EvaluateNonCalibrated"/> plus log-loss,
    /// log-loss reduction and entropy from the probability column.
    /// </summary>
    /// <param name="data">The scored data.</param>
    /// <param name="labelColumnName">The label column: Boolean, Single, Double (positive when &gt; 0) or a key with 2 values.</param>
    /// <param name="scoreColumnName">The score column (Single).</param>
    /// <param name="probabilityColumnName">The probability column (Single).</param>
    /// <param name="predictedLabelColumnName">The predicted label column (Boolean).</param>
    public CalibratedBinaryClassificationMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score", string probabilityColumnName = "Probability", string predictedLabelColumnName = "PredictedLabel")
    {
        ArgumentNullException.ThrowIfNull(probabilityColumnName);
        return (CalibratedBinaryClassificationMetrics)Evaluators.Binary(data, labelColumnName, scoreColumnName, probabilityColumnName, predictedLabelColumnName);
    }

    /// <summary>Evaluates a binary classifier from its scores and predicted labels: AUC, accuracy, precision, recall, F1, AUPRC and the confusion matrix.</summary>
    /// <param name="data">The scored data.</param>
    /// <param name="labelColumnName">The label column: Boolean, Single, Double (positive when &gt; 0) or a key with 2 values.</param>
    /// <param name="scoreColumnName">The score column (Single).</param>
    /// <param name="predictedLabelColumnName">The predicted label column (Boolean).</param>
    public BinaryClassificationMetrics EvaluateNonCalibrated(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel") =>
        Evaluators.Binary(data, labelColumnName, scoreColumnName, null, predictedLabelColumnName);

    /// <summary>Cross-validates a calibrated binary classifier (see <see cref="RegressionCatalog.CrossValidate"/> for the procedure).</summary>
    /// <param name="data">The data.</param>
    /// <param name="estimator">The estimator to train; its output needs Score, Probability and PredictedLabel columns.</param>
    /// <param name="numberOfFolds">The number of folds, at least 2.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="samplingKeyColumnName">A column that keeps related rows in the same fold.</param>
    /// <param name="seed">The seed of the split.</param>
    public IReadOnlyList<CrossValidationResult<CalibratedBinaryClassificationMetrics>> CrossValidate(IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = "Label", string? samplingKeyColumnName = null, int? seed = null) =>
        CrossValidateCore(data, estimator, numberOfFolds, samplingKeyColumnName, seed, scored => Evaluate(scored, labelColumnName));

    /// <summary>Cross-validates a non-calibrated binary classifier.</summary>
    /// <param name="data">The data.</param>
    /// <param name="estimator">The estimator to train; its output needs Score and PredictedLabel columns.</param>
    /// <param name="numberOfFolds">The number of folds, at least 2.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="samplingKeyColumnName">A column that keeps related rows in the same fold.</param>
    /// <param name="seed">The seed of the split.</param>
    public IReadOnlyList<CrossValidationResult<BinaryClassificationMetrics>> CrossValidateNonCalibrated(IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = "Label", string? samplingKeyColumnName = null, int? seed = null) =>
        CrossValidateCore(data, estimator, numberOfFolds, samplingKeyColumnName, seed, scored => EvaluateNonCalibrated(scored, labelColumnName));
}

public sealed partial class MulticlassClassificationCatalog
{
    /// <summary>Evaluates a multiclass classifier: micro and macro accuracy, log-loss, top-K accuracy and the confusion matrix.</summary>
    /// <param name="data">The scored data.</param>
    /// <param name="labelColumnName">The label column: a key (classes 1..K) or Single/Double class indices 0..K-1.</param>
    /// <param name="scoreColumnName">The score column: a known-size vector of K Single values (the predicted class is the arg-max).</param>
    /// <param name="predictedLabelColumnName">The predicted label column; it must exist.</param>
    /// <param name="topKPredictionCount">K for <see cref="MulticlassClassificationMetrics.TopKAccuracy"/>; 0 (the default) skips it.</param>
    public MulticlassClassificationMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel", int topKPredictionCount = 0) =>
        Evaluators.Multiclass(data, labelColumnName, scoreColumnName, predictedLabelColumnName, topKPredictionCount);

    /// <summary>Cross-validates a multiclass classifier.</summary>
    /// <param name="data">The data.</param>
    /// <param name="estimator">The estimator to train; its output needs Score and PredictedLabel columns.</param>
    /// <param name="numberOfFolds">The number of folds, at least 2.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="samplingKeyColumnName">A column that keeps related rows in the same fold.</param>
    /// <param name="seed">The seed of the split.</param>
    public IReadOnlyList<CrossValidationResult<MulticlassClassificationMetrics>> CrossValidate(IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = "Label", string? samplingKeyColumnName = null, int? seed = null) =>
        CrossValidateCore(data, estimator, numberOfFolds, samplingKeyColumnName, seed, scored => Evaluate(scored, labelColumnName));
}
