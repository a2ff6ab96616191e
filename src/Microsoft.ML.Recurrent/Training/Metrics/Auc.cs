using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Training.Metrics;

/// <summary>
/// Area under the ROC or precision-recall curve (Keras <c>AUC</c>), from confusion counts at
/// <see cref="NumThresholds"/> thresholds spread evenly over [0, 1] (plus −ε and 1 + ε at the ends); a prediction
/// above a threshold counts as positive. ROC uses the trapezoidal rule; PR with <c>"interpolation"</c> uses the
/// Davis-Goadrich interpolation Keras uses; <c>"minoring"</c>/<c>"majoring"</c> use left/right Riemann sums.
/// </summary>
public sealed class Auc : Metric
{
    private readonly double[] _thresholds;
    private readonly double[] _tp, _fp, _tn, _fn;

    /// <summary>Creates the metric.</summary>
    /// <param name="numThresholds">Number of thresholds, at least 2. Default 200.</param>
    /// <param name="curve"><c>"ROC"</c> or <c>"PR"</c>. Default <c>"ROC"</c>.</param>
    /// <param name="summationMethod"><c>"interpolation"</c>, <c>"minoring"</c> or <c>"majoring"</c>. Default <c>"interpolation"</c>.</param>
    /// <param name="fromLogits">Apply a sigmoid to predictions first. Default false.</param>
    /// <param name="name">Name. Default <c>"auc"</c>.</param>
    /// <exception cref="ArgumentException">Invalid threshold count, curve or summation method.</exception>
    public Auc(int numThresholds = 200, string curve = "ROC", string summationMethod = "interpolation", bool fromLogits = false, string name = "auc") : base(name)
    {
        if (numThresholds <= 1) throw new ArgumentOutOfRangeException(nameof(numThresholds), numThresholds, "Argument `num_thresholds` must be an integer > 1.");
        if (curve is not ("ROC" or "PR")) throw new ArgumentException($"Invalid AUC curve value: \"{curve}\". Expected values are [\"ROC\", \"PR\"].", nameof(curve));
        if (summationMethod is not ("interpolation" or "minoring" or "majoring"))
            throw new ArgumentException($"Invalid AUC summation method value: \"{summationMethod}\". Expected values are [\"interpolation\", \"majoring\", \"minoring\"].", nameof(summationMethod));
        NumThresholds = numThresholds;
        Curve = curve;
        SummationMethod = summationMethod;
        FromLogits = fromLogits;
        _thresholds = new double[numThresholds];
        const double epsilon = 1e-7;
        _thresholds[0] = -epsilon;
        for (int i = 1; i < numThresholds - 1; i++) _thresholds[i] = (double)i / (numThresholds - 1);
        _thresholds[^1] = 1.0 + epsilon;
        _tp = new double[numThresholds];
        _fp = new double[numThresholds];
        _tn = new double[numThresholds];
        _fn = new double[numThresholds];
    }

    /// <inheritdoc/>
    public override string ClassName => "AUC";

    /// <summary>Number of thresholds.</summary>
    public int NumThresholds { get; }

    /// <summary><c>"ROC"</c> or <c>"PR"</c>.</summary>
    public string Curve { get; }

    /// <summary>How the area is summed.</summary>
    public string SummationMethod { get; }

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; }

    /// <inheritdoc/>
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        var (t, p, _, w) = Host(yTrue, yPred, sampleWeight);
        if (t.Length != p.Length)
            throw new ArgumentException($"Metric '{Name}': y_true has shape {yTrue.Shape} and y_pred {yPred.Shape}; expected the same number of elements.", nameof(yTrue));
        for (long i = 0; i < p.Length; i++)
        {
            double prediction = FromLogits ? 1 / (1 + Math.Exp(-p[i])) : p[i];
            bool positive = t[i] > 0.5;
            double weight = WeightAt(w, i, p.Length);
            for (int k = 0; k < NumThresholds; k++)
            {
                bool predictedPositive = prediction > _thresholds[k];
                if (positive) { if (predictedPositive) _tp[k] += weight; else _fn[k] += weight; }
                else { if (predictedPositive) _fp[k] += weight; else _tn[k] += weight; }
            }
        }
    }

    private static double DivideNoNan(double a, double b) => b == 0 ? 0 : a / b;

    /// <inheritdoc/>
    public override double Result()
    {
        int n = NumThresholds;
        if (Curve == "PR" && SummationMethod == "interpolation")
        {
            double area = 0;
            for (int i = 0; i < n - 1; i++)
            {
                double dtp = _tp[i] - _tp[i + 1];
                double p0 = _tp[i] + _fp[i], p1 = _tp[i + 1] + _fp[i + 1];
                double slope = DivideNoNan(dtp, Math.Max(p0 - p1, 0));
                double intercept = _tp[i + 1] - slope * p1;
                double ratio = p0 > 0 && p1 > 0 ? DivideNoNan(p0, Math.Max(p1, 0)) : 1;
                area += DivideNoNan(slope * (dtp + intercept * Math.Log(ratio)), Math.Max(_tp[i + 1] + _fn[i + 1], 0));
            }
            return area;
        }
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double recall = DivideNoNan(_tp[i], _tp[i] + _fn[i]);
            if (Curve == "ROC")
            {
                x[i] = DivideNoNan(_fp[i], _fp[i] + _tn[i]);
                y[i] = recall;
            }
            else
            {
                x[i] = recall;
                y[i] = DivideNoNan(_tp[i], _tp[i] + _fp[i]);
            }
        }
        double sum = 0;
        for (int i = 0; i < n - 1; i++)
        {
            double height = SummationMethod switch
            {
                "interpolation" => (y[i] + y[i + 1]) / 2,
                "minoring" => Math.Min(y[i], y[i + 1]),
                _ => Math.Max(y[i], y[i + 1]),
            };
            sum += (x[i] - x[i + 1]) * height;
        }
        return sum;
    }

    /// <inheritdoc/>
    public override void ResetState()
    {
        Array.Clear(_tp);
        Array.Clear(_fp);
        Array.Clear(_tn);
        Array.Clear(_fn);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["num_thresholds"] = NumThresholds;
        c["curve"] = Curve;
        c["summation_method"] = SummationMethod;
        c["multi_label"] = false;
        c["from_logits"] = FromLogits;
        return c;
    }
}
