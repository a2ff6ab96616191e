namespace TimeSeriesSample;

/// <summary>
/// Gives a baseline the same kind of interval as the recurrent forecaster: split-conformal half-widths per horizon
/// step, from the baseline's absolute errors at origins in the calibration part (the end of the training data).
/// </summary>
public sealed class ConformalBaseline(Func<IReadOnlyList<double>, double[]> forecast, double[][] halfWidths)
{
    /// <summary>Calibrates <paramref name="forecast"/> on origins <paramref name="from"/> … trainEnd − 2 of <paramref name="series"/>.</summary>
    public static ConformalBaseline Calibrate(Func<IReadOnlyList<double>, double[]> forecast, IReadOnlyList<double> series, int from, int trainEnd, int horizon)
    {
        var errors = Enumerable.Range(0, horizon).Select(_ => new List<double>()).ToArray();
        for (int origin = from; origin < trainEnd - 1; origin++)
        {
            var values = forecast(series.Take(origin + 1).ToList());
            for (int k = 1; k <= horizon && origin + k < trainEnd; k++)
            {
                errors[k - 1].Add(Math.Abs(series[origin + k] - values[k - 1]));
            }
        }

        return new ConformalBaseline(forecast, errors.Select(e => e.Order().ToArray()).ToArray());
    }

    /// <summary>The forecast after <paramref name="history"/> with bounds at <paramref name="confidenceLevel"/>.</summary>
    public Forecast Predict(IReadOnlyList<double> history, double confidenceLevel)
    {
        var values = forecast(history);
        var half = halfWidths.Select(e => e[Math.Clamp((int)Math.Ceiling((e.Length + 1) * confidenceLevel), 1, e.Length) - 1]).ToArray();
        return new Forecast(history.Count - 1, values, values.Select((v, k) => v - half[k]).ToArray(), values.Select((v, k) => v + half[k]).ToArray());
    }
}
