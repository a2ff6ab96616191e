using System.Globalization;
using System.Text;

namespace Microsoft.ML.Data;

/// <summary>The metrics of a regression model, from <see cref="RegressionCatalog.Evaluate"/>.</summary>
public sealed class RegressionMetrics
{
    internal RegressionMetrics(double l1, double l2, double rms, double lossFunction, double rSquared)
    {
        MeanAbsoluteError = l1;
        MeanSquaredError = l2;
        RootMeanSquaredError = rms;
        LossFunction = lossFunction;
        RSquared = rSquared;
    }

    /// <summary>The mean of |label - score|.</summary>
    public double MeanAbsoluteError { get; }

    /// <summary>The mean of (label - score)².</summary>
    public double MeanSquaredError { get; }

    /// <summary>The square root of <see cref="MeanSquaredError"/>.</summary>
    public double RootMeanSquaredError { get; }

    /// <summary>The mean of the loss function (squared loss), computed in single precision per row.</summary>
    public double LossFunction { get; }

    /// <summary>The coefficient of determination: 1 - SSE / SST (can be negative).</summary>
    public double RSquared { get; }
}

/// <summary>The metrics of a binary classifier that are computed from scores and predicted labels.</summary>
public class BinaryClassificationMetrics
{
    private protected BinaryClassificationMetrics(double auc, double accuracy, double positivePrecision, double positiveRecall, double negativePrecision, double negativeRecall, double f1Score, double auprc, ConfusionMatrix confusionMatrix)
    {
        AreaUnderRocCurve = auc;
        Accuracy = accuracy;
        PositivePrecision = positivePrecision;
        PositiveRecall = positiveRecall;
        NegativePrecision = negativePrecision;
        NegativeRecall = negativeRecall;
        F1Score = f1Score;
        AreaUnderPrecisionRecallCurve = auprc;
        ConfusionMatrix = confusionMatrix;
    }

    internal static BinaryClassificationMetrics Create(double auc, double accuracy, double positivePrecision, double positiveRecall, double negativePrecision, double negativeRecall, double f1Score, double auprc, ConfusionMatrix confusionMatrix) =>
        new(auc, accuracy, positivePrecision, positiveRecall, negativePrecision, negativeRecall, f1Score, auprc, confusionMatrix);

    /// <summary>The area under the ROC curve: the probability that a random positive scores above a random negative (ties count half).</summary>
    public double AreaUnderRocCurve { get; }

    /// <summary>The fraction of rows whose predicted label is right.</summary>
    public double Accuracy { get; }

    /// <summary>TP / (TP + FP); 0 when nothing is predicted positive.</summary>
    public double PositivePrecision { get; }

    /// <summary>TP / (TP + FN); 0 when there are no positives.</summary>
    public double PositiveRecall { get; }

    /// <summary>TN / (TN + FN); 0 when nothing is predicted negative.</summary>
    public double NegativePrecision { get; }

    /// <summary>TN / (TN + FP); 0 when there are no negatives.</summary>
    public double NegativeRecall { get; }

    /// <summary>The harmonic mean of <see cref="PositivePrecision"/> and <see cref="PositiveRecall"/>.</summary>
    public double F1Score { get; }

    /// <summary>The area under the precision-recall curve ("lower trapezoid" estimator).</summary>
    public double AreaUnderPrecisionRecallCurve { get; }

    /// <summary>The confusion matrix (positive class first).</summary>
    public ConfusionMatrix ConfusionMatrix { get; }
}

/// <summary>The metrics of a calibrated binary classifier: <see cref="BinaryClassificationMetrics"/> plus probability metrics.</summary>
public sealed class CalibratedBinaryClassificationMetrics : BinaryClassificationMetrics
{
    internal CalibratedBinaryClassificationMetrics(BinaryClassificationMetrics basic, double logLoss, double logLossReduction, double entropy)
        : base(basic.AreaUnderRocCurve, basic.Accuracy, basic.PositivePrecision, basic.PositiveRecall, basic.NegativePrecision, basic.NegativeRecall, basic.F1Score, basic.AreaUnderPrecisionRecallCurve, basic.ConfusionMatrix)
    {
        LogLoss = logLoss;
        LogLossReduction = logLossReduction;
        Entropy = entropy;
    }

    /// <summary>The mean of -log2(p) for positives and -log2(1 - p) for negatives, p being the predicted probability.</summary>
    public double LogLoss { get; }

    /// <summary>(LL(prior) - LL(classifier)) / LL(prior): the improvement over always predicting the prior.</summary>
    public double LogLossReduction { get; }

    /// <summary>The entropy (in bits) of the label distribution: the log-loss of predicting the prior.</summary>
    public double Entropy { get; }
}

/// <summary>The metrics of a multiclass classifier, from <see cref="MulticlassClassificationCatalog.Evaluate"/>.</summary>
public sealed class MulticlassClassificationMetrics
{
    internal MulticlassClassificationMetrics(double logLoss, double logLossReduction, double macroAccuracy, double microAccuracy, int topK, double topKAccuracy, double[] topKAll, double[] perClassLogLoss, ConfusionMatrix confusionMatrix)
    {
        LogLoss = logLoss;
        LogLossReduction = logLossReduction;
        MacroAccuracy = macroAccuracy;
        MicroAccuracy = microAccuracy;
        TopKPredictionCount = topK;
        TopKAccuracy = topKAccuracy;
        TopKAccuracyForAllK = topKAll;
        PerClassLogLoss = perClassLogLoss;
        ConfusionMatrix = confusionMatrix;
    }

    /// <summary>The mean of -ln(p) of the true class (p clamped below at 1e-15).</summary>
    public double LogLoss { get; }

    /// <summary>(LL(prior) - LL(classifier)) / LL(prior).</summary>
    public double LogLossReduction { get; }

    /// <summary>The mean over classes present in the labels of the per-class accuracy (recall).</summary>
    public double MacroAccuracy { get; }

    /// <summary>The fraction of rows classified correctly.</summary>
    public double MicroAccuracy { get; }

    /// <summary>The fraction of rows whose true class is among the <see cref="TopKPredictionCount"/> best scores; 0 when K is 0.</summary>
    public double TopKAccuracy { get; }

    /// <summary>The K used for <see cref="TopKAccuracy"/>.</summary>
    public int TopKPredictionCount { get; }

    /// <summary>The top-k accuracy for k = 1 to <see cref="TopKPredictionCount"/>; null when K is 0.</summary>
    public IReadOnlyList<double>? TopKAccuracyForAllK { get; }

    /// <summary>The log-loss of the rows of each class.</summary>
    public IReadOnlyList<double> PerClassLogLoss { get; }

    /// <summary>The confusion matrix.</summary>
    public ConfusionMatrix ConfusionMatrix { get; }
}

/// <summary>Counts of rows per (actual class, predicted class), with per-class precision and recall.</summary>
public sealed class ConfusionMatrix
{
    private readonly string[] _labels;
    private readonly bool _isBinary;

    internal ConfusionMatrix(double[][] counts, string[] labels, bool isBinary)
    {
        _labels = labels;
        _isBinary = isBinary;
        NumberOfClasses = counts.Length;
        Counts = counts.Select(r => (IReadOnlyList<double>)r.ToArray()).ToArray();
        var recall = new double[NumberOfClasses];
        var precision = new double[NumberOfClasses];
        for (int i = 0; i < NumberOfClasses; i++)
        {
            double rowSum = counts[i].Sum();
            double colSum = counts.Sum(r => r[i]);
            recall[i] = rowSum > 0 ? counts[i][i] / rowSum : 0;
            precision[i] = colSum > 0 ? counts[i][i] / colSum : 0;
        }

        PerClassRecall = recall;
        PerClassPrecision = precision;
    }

    /// <summary>The precision of each class: correct predictions of the class / all predictions of the class.</summary>
    public IReadOnlyList<double> PerClassPrecision { get; }

    /// <summary>The recall of each class: correct predictions of the class / all rows of the class.</summary>
    public IReadOnlyList<double> PerClassRecall { get; }

    /// <summary>The counts: <c>Counts[actual][predicted]</c>.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Counts { get; }

    /// <summary>The number of classes.</summary>
    public int NumberOfClasses { get; }

    /// <summary>Returns the number of rows of class <paramref name="actualClassIndicatorIndex"/> predicted as <paramref name="predictedClassIndicatorIndex"/>.</summary>
    /// <param name="predictedClassIndicatorIndex">The predicted class index.</param>
    /// <param name="actualClassIndicatorIndex">The actual class index.</param>
    public double GetCountForClassPair(int predictedClassIndicatorIndex, int actualClassIndicatorIndex)
    {
        if ((uint)predictedClassIndicatorIndex >= (uint)NumberOfClasses)
        {
            throw new ArgumentOutOfRangeException(nameof(predictedClassIndicatorIndex), predictedClassIndicatorIndex, $"Must be between 0 and {NumberOfClasses - 1}.");
        }

        if ((uint)actualClassIndicatorIndex >= (uint)NumberOfClasses)
        {
            throw new ArgumentOutOfRangeException(nameof(actualClassIndicatorIndex), actualClassIndicatorIndex, $"Must be between 0 and {NumberOfClasses - 1}.");
        }

        return Counts[actualClassIndicatorIndex][predictedClassIndicatorIndex];
    }

    /// <summary>Returns the matrix as a text table: rows are the truth, columns the predictions, with recall and precision.</summary>
    public string GetFormattedConfusionTable()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        if (_isBinary)
        {
            double pos = Counts[0].Sum();
            double neg = Counts[1].Sum();
            sb.AppendLine(string.Format(c, "TEST POSITIVE RATIO:\t{0:0.0000} ({1:0.0}/({1:0.0}+{2:0.0}))", pos + neg > 0 ? pos / (pos + neg) : 0, pos, neg));
        }

        int labelWidth = Math.Max(9, _labels.Max(l => l.Length) + 1);
        int width = Math.Max(6, Math.Max(_labels.Max(l => l.Length), Counts.SelectMany(r => r).Select(v => v.ToString("0", c).Length).DefaultIfEmpty(1).Max()));
        string line = new string('=', (NumberOfClasses * (width + 3)) - 1);
        sb.AppendLine("Confusion table");
        sb.Append(new string(' ', labelWidth + 1)).Append("||").AppendLine(line);
        sb.Append("PREDICTED".PadRight(labelWidth + 1)).Append("||");
        for (int j = 0; j < NumberOfClasses; j++)
        {
            sb.Append(' ').Append(_labels[j].PadLeft(width)).Append(" |");
        }

        sb.AppendLine(" Recall");
        sb.Append("TRUTH".PadRight(labelWidth + 1)).Append("||").AppendLine(line);
        for (int i = 0; i < NumberOfClasses; i++)
        {
            sb.Append(' ').Append(_labels[i].PadLeft(labelWidth)).Append("||");
            for (int j = 0; j < NumberOfClasses; j++)
            {
                sb.Append(' ').Append(Counts[i][j].ToString("0", c).PadLeft(width)).Append(" |");
            }

            sb.Append(' ').AppendLine(PerClassRecall[i].ToString("0.0000", c));
        }

        sb.Append(new string(' ', labelWidth + 1)).Append("||").AppendLine(line);
        sb.Append("Precision".PadRight(labelWidth + 1)).Append("||");
        for (int j = 0; j < NumberOfClasses; j++)
        {
            sb.Append(' ').Append(PerClassPrecision[j].ToString("0.0000", c).PadLeft(width)).Append(" |");
        }

        sb.AppendLine();
        return sb.ToString();
    }
}
