using System.Globalization;
using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Internal;

/// <summary>Computes ML.NET's evaluation metrics in one pass over the scored data.</summary>
internal static class Evaluators
{
    private static DataViewSchema.Column Require(DataViewSchema schema, string name, string role, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        return schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(paramName, $"{role} column '{name}' not found");
    }

    private static void RequireType(DataViewSchema.Column col, string role, string paramName, Func<DataViewType, bool> ok, string expected)
    {
        if (!ok(col.Type))
        {
            throw new ArgumentOutOfRangeException(paramName, $"{role} column '{col.Name}' has type '{col.Type}' but must be {expected}");
        }
    }

    /// <summary>Reads a label column as float: booleans 0/1, numbers as is, keys as key - 1 (NaN for missing key 0).</summary>
    private static Func<float> LabelReader(DataViewRow row, DataViewSchema.Column col)
    {
        switch (col.Type)
        {
            case BooleanDataViewType:
                {
                    var g = row.GetGetter<bool>(col);
                    bool b = false;
                    return () =>
                    {
                        g(ref b);
                        return b ? 1 : 0;
                    };
                }

            case KeyDataViewType:
                {
                    var read = NumericReader.Create(col)(row);
                    return () =>
                    {
                        double k = read();
                        return k == 0 ? float.NaN : (float)(k - 1);
                    };
                }

            default:
                {
                    var read = NumericReader.Create(col)(row);
                    return () => (float)read();
                }
        }
    }

    private static bool IsLabelType(DataViewType t) => t is BooleanDataViewType or KeyDataViewType || t == NumberDataViewType.Single || t == NumberDataViewType.Double;

    public static RegressionMetrics Regression(IDataView data, string labelColumnName, string scoreColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var label = Require(data.Schema, labelColumnName, "Label", nameof(labelColumnName));
        var score = Require(data.Schema, scoreColumnName, "Score", nameof(scoreColumnName));
        RequireType(label, "Label", nameof(labelColumnName), t => t == NumberDataViewType.Single, "Single");
        RequireType(score, "Score", nameof(scoreColumnName), t => t == NumberDataViewType.Single, "Single");
        double sumWeights = 0, l1 = 0, l2 = 0, loss = 0, labelW = 0, labelSqW = 0;
        using (var cursor = data.GetRowCursor(new[] { label, score }))
        {
            var lg = cursor.GetGetter<float>(label);
            var sg = cursor.GetGetter<float>(score);
            float y = 0, s = 0;
            while (cursor.MoveNext())
            {
                lg(ref y);
                sg(ref s);
                if (float.IsNaN(y) || float.IsNaN(s))
                {
                    continue;
                }

                const float weight = 1;
                sumWeights += weight;
                labelW += y * weight;
                labelSqW += y * y * weight;
                double err = Math.Abs((double)y - s);
                l1 += err * weight;
                l2 += err * err * weight;
                float diff = s - y;
                loss += (double)(diff * diff) * weight;
            }
        }

        if (sumWeights == 0)
        {
            return new RegressionMetrics(0, 0, 0, 0, 0);
        }

        return new RegressionMetrics(l1 / sumWeights, l2 / sumWeights, Math.Sqrt(l2 / sumWeights), loss / sumWeights, 1 - (l2 / (labelSqW - (labelW * labelW / sumWeights))));
    }

    public static BinaryClassificationMetrics Binary(IDataView data, string labelColumnName, string scoreColumnName, string? probabilityColumnName, string predictedLabelColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var label = Require(data.Schema, labelColumnName, "Label", nameof(labelColumnName));
        var score = Require(data.Schema, scoreColumnName, "Score", nameof(scoreColumnName));
        var predicted = Require(data.Schema, predictedLabelColumnName, "PredictedLabel", nameof(predictedLabelColumnName));
        DataViewSchema.Column? prob = probabilityColumnName == null ? null : Require(data.Schema, probabilityColumnName, "Probability", nameof(probabilityColumnName));
        RequireType(label, "Label", nameof(labelColumnName), t => IsLabelType(t) && !(t is KeyDataViewType k && k.Count != 2), "Boolean, Single, Double or a key with 2 values");
        RequireType(score, "Score", nameof(scoreColumnName), t => t == NumberDataViewType.Single, "Single");
        RequireType(predicted, "PredictedLabel", nameof(predictedLabelColumnName), t => t is BooleanDataViewType, "Boolean");
        if (prob is { } p)
        {
            RequireType(p, "Probability", nameof(probabilityColumnName), t => t == NumberDataViewType.Single, "Single");
        }

        double tp = 0, tn = 0, fp = 0, fn = 0, logLoss = 0, llPos = 0, llNeg = 0;
        var scoresPos = new List<float>();
        var scoresNeg = new List<float>();
        var prSample = new List<(float Score, float Label)>();
        var needed = new List<DataViewSchema.Column> { label, score, predicted };
        if (prob is { } pc)
        {
            needed.Add(pc);
        }

        using (var cursor = data.GetRowCursor(needed))
        {
            var lg = LabelReader(cursor, label);
            var sg = cursor.GetGetter<float>(score);
            var pg = cursor.GetGetter<bool>(predicted);
            ValueGetter<float>? probGetter = prob is { } pcol ? cursor.GetGetter<float>(pcol) : null;
            float s = 0, pr = float.NaN;
            bool predictedPositive = false;
            while (cursor.MoveNext())
            {
                float y = lg();
                sg(ref s);
                if (!float.IsFinite(s) || float.IsNaN(y))
                {
                    continue;
                }

                pg(ref predictedPositive);
                probGetter?.Invoke(ref pr);
                bool positive = y > 0;
                if (positive)
                {
                    if (predictedPositive)
                    {
                        tp++;
                    }
                    else
                    {
                        fn++;
                    }

                    scoresPos.Add(s);
                }
                else
                {
                    if (predictedPositive)
                    {
                        fp++;
                    }
                    else
                    {
                        tn++;
                    }

                    scoresNeg.Add(s);
                }

                prSample.Add((s, y));
                if (probGetter != null)
                {
                    if (!float.IsNaN(pr))
                    {
                        logLoss += positive ? -Math.Log(pr, 2) : -Math.Log(1.0 - pr, 2);
                        if (positive)
                        {
                            llPos++;
                        }
                        else
                        {
                            llNeg++;
                        }
                    }
                    else
                    {
                        logLoss = double.NaN;
                    }
                }
            }
        }

        double total = tp + tn + fp + fn;
        double precisionPos = tp + fp > 0 ? tp / (tp + fp) : 0;
        double recallPos = tp + fn > 0 ? tp / (tp + fn) : 0;
        double precisionNeg = tn + fn > 0 ? tn / (tn + fn) : 0;
        double recallNeg = tn + fp > 0 ? tn / (tn + fp) : 0;
        var matrix = new ConfusionMatrix(new[] { new[] { tp, fn }, new[] { fp, tn } }, new[] { "positive", "negative" }, isBinary: true);
        var basic = BinaryClassificationMetrics.Create(
            Auc(scoresPos, scoresNeg),
            total > 0 ? (tp + tn) / total : 0,
            precisionPos,
            recallPos,
            precisionNeg,
            recallNeg,
            2 * precisionPos * recallPos / (precisionPos + recallPos),
            AuPrc(prSample),
            matrix);
        if (prob == null)
        {
            return basic;
        }

        double entropy = total > 0 ? Entropy((tp + fn) / total) : 0;
        double ll = double.IsNaN(logLoss) ? double.NaN : llPos + llNeg > 0 ? logLoss / (llPos + llNeg) : 0;
        double llr = 0;
        if (llPos + llNeg > 0)
        {
            double prior = Entropy(llPos / (llPos + llNeg));
            llr = (prior - ll) / prior;
        }

        return new CalibratedBinaryClassificationMetrics(basic, ll, llr, entropy);
    }

    private static double Entropy(double p) =>
        p <= 0 || p >= 1 ? 0 : (-p * Math.Log(p, 2)) - ((1 - p) * Math.Log(1 - p, 2));

    /// <summary>The exact AUC with ties counted half, as ML.NET's unweighted AUC aggregator walks the two sorted lists.</summary>
    private static double Auc(List<float> pos, List<float> neg)
    {
        if (pos.Count == 0 || neg.Count == 0)
        {
            return pos.Count == 0 && neg.Count == 0 ? 0 : double.NaN;
        }

        var p = pos.OrderByDescending(x => x).ToArray();
        var n = neg.OrderByDescending(x => x).ToArray();
        int i = 0, j = 0;
        double cumPos = 0, cumAuc = 0;
        while (i < p.Length && j < n.Length)
        {
            if (p[i] > n[j])
            {
                cumPos++;
                i++;
            }
            else if (p[i] < n[j])
            {
                cumAuc += cumPos;
                j++;
            }
            else
            {
                float score = p[i];
                double tiePos = 0, tieNeg = 0;
                while (i < p.Length && p[i] == score)
                {
                    tiePos++;
                    i++;
                }

                while (j < n.Length && n[j] == score)
                {
                    tieNeg++;
                    j++;
                }

                cumAuc += (cumPos * tieNeg) + (0.5 * tiePos * tieNeg);
                cumPos += tiePos;
            }
        }

        cumPos += p.Length - i;
        cumAuc += cumPos * (n.Length - j);
        return cumAuc / ((double)p.Length * n.Length);
    }

    /// <summary>The "lower trapezoid" AUPRC estimator ML.NET uses, over rows in descending score order (stable).</summary>
    private static double AuPrc(List<(float Score, float Label)> sample)
    {
        int posCount = sample.Count(x => x.Label > 0);
        if (sample.Count == 0)
        {
            return 0;
        }

        double prevRecall = 0, prevPrecisionMin = 1, cum = 0;
        int truePos = 0, falsePos = 0;
        foreach (var (_, label) in sample.OrderByDescending(x => x.Score))
        {
            if (label > 0)
            {
                truePos++;
                double recall = (double)truePos / posCount;
                double precision = (double)truePos / (truePos + falsePos);
                cum += (recall - prevRecall) * (prevPrecisionMin + precision) / 2;
                prevPrecisionMin = precision;
                prevRecall = recall;
            }
            else
            {
                falsePos++;
                prevPrecisionMin = (double)truePos / (truePos + falsePos);
            }
        }

        return cum;
    }

    public static MulticlassClassificationMetrics Multiclass(IDataView data, string labelColumnName, string scoreColumnName, string predictedLabelColumnName, int topKPredictionCount)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (topKPredictionCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(topKPredictionCount), topKPredictionCount, "Must be non-negative.");
        }

        var label = Require(data.Schema, labelColumnName, "Label", nameof(labelColumnName));
        var score = Require(data.Schema, scoreColumnName, "Score", nameof(scoreColumnName));
        _ = Require(data.Schema, predictedLabelColumnName, "PredictedLabel", nameof(predictedLabelColumnName));
        RequireType(label, "Label", nameof(labelColumnName), t => t is KeyDataViewType || t == NumberDataViewType.Single || t == NumberDataViewType.Double, "a key, Single or Double");
        RequireType(score, "Score", nameof(scoreColumnName), t => t is VectorDataViewType v && v.IsKnownSize && v.Size >= 2 && v.ItemType == NumberDataViewType.Single, "a known-size vector of Single with at least 2 slots");
        int k = ((VectorDataViewType)score.Type).Size;
        if (label.Type is KeyDataViewType key && key.Count != (ulong)k)
        {
            throw new ArgumentOutOfRangeException(nameof(scoreColumnName), $"Score column '{score.Name}' has {k} slots but label column '{label.Name}' has {key.Count} classes");
        }

        var counts = new double[k][];
        for (int i = 0; i < k; i++)
        {
            counts[i] = new double[k];
        }

        var classCount = new double[k];
        var classLogLoss = new double[k];
        var topK = new double[Math.Min(topKPredictionCount, k)];
        double total = 0, correct = 0, logLoss = 0;
        const double epsilon = 1e-15;
        using (var cursor = data.GetRowCursor(new[] { label, score }))
        {
            var lg = LabelReader(cursor, label);
            var sg = cursor.GetGetter<VBuffer<float>>(score);
            VBuffer<float> buf = default;
            var scores = new float[k];
            while (cursor.MoveNext())
            {
                float y = lg();
                if (float.IsNaN(y))
                {
                    continue;
                }

                int actual = (int)y;
                if (actual != y || actual < 0 || actual >= k)
                {
                    throw new InvalidOperationException($"Label {y.ToString(CultureInfo.InvariantCulture)} of column '{label.Name}' is not a class index in [0, {k}).");
                }

                sg(ref buf);
                buf.CopyTo(scores);
                int predicted = 0;
                for (int i = 1; i < k; i++)
                {
                    if (scores[i] > scores[predicted])
                    {
                        predicted = i;
                    }
                }

                total++;
                classCount[actual]++;
                counts[actual][predicted]++;
                if (predicted == actual)
                {
                    correct++;
                }

                float p = scores[actual];
                double rowLoss = p < epsilon || float.IsNaN(p) ? -Math.Log(epsilon) : -Math.Log(p);
                logLoss += rowLoss;
                classLogLoss[actual] += rowLoss;
                if (topK.Length > 0)
                {
                    int rank = 0;
                    for (int i = 0; i < k; i++)
                    {
                        if (scores[i] > p || (scores[i] == p && i < actual))
                        {
                            rank++;
                        }
                    }

                    for (int t = rank; t < topK.Length; t++)
                    {
                        topK[t]++;
                    }
                }
            }
        }

        double macro = 0;
        int nonEmpty = 0;
        double prior = 0;
        for (int i = 0; i < k; i++)
        {
            if (classCount[i] > 0)
            {
                nonEmpty++;
                macro += counts[i][i] / classCount[i];
                double f = classCount[i] / total;
                prior -= f * Math.Log(f);
            }
        }

        double ll = total > 0 ? logLoss / total : 0;
        var labels = ClassNames(label, k);
        return new MulticlassClassificationMetrics(
            ll,
            total > 0 && prior > 0 ? (prior - ll) / prior : 0,
            nonEmpty > 0 ? macro / nonEmpty : 0,
            total > 0 ? correct / total : 0,
            topKPredictionCount,
            topK.Length > 0 && total > 0 ? topK[^1] / total : 0,
            topK.Select(t => total > 0 ? t / total : 0).ToArray(),
            classLogLoss.Select((l, i) => classCount[i] > 0 ? l / classCount[i] : 0).ToArray(),
            new ConfusionMatrix(counts, labels, isBinary: false));
    }

    private static string[] ClassNames(DataViewSchema.Column label, int k)
    {
        if (label.Type is KeyDataViewType && label.Annotations.Schema.GetColumnOrNull(AnnotationKinds.KeyValues) is { } kv && kv.Type is VectorDataViewType v && v.Size == k)
        {
            var method = typeof(Evaluators).GetMethod(nameof(KeyValueNames), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(v.ItemType.RawType);
            return (string[])method.Invoke(null, new object[] { label })!;
        }

        return Enumerable.Range(0, k).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    private static string[] KeyValueNames<T>(DataViewSchema.Column label)
    {
        VBuffer<T> values = default;
        label.GetKeyValues(ref values);
        return values.DenseValues().Select(x => x is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : x?.ToString() ?? string.Empty).ToArray();
    }
}
