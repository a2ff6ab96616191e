namespace TimeSeriesSample;

/// <summary>One method's forecasts from every origin of the held-out part, and their scores.</summary>
/// <param name="Method">The method's name in the table.</param>
public sealed record ForecastMetrics(string Method, double Mae, double Rmse, double Smape, double Coverage, int Points)
{
    /// <summary>
    /// Scores forecasts made at origins <c>origin</c> (the index of the last observed value) against
    /// <paramref name="actual"/>, for the horizon steps in <paramref name="steps"/> (1-based) that fall inside the series.
    /// </summary>
    public static ForecastMetrics Score(string method, IReadOnlyList<double> actual, IReadOnlyList<Forecast> forecasts, Range steps)
    {
        double abs = 0, squares = 0, smape = 0;
        int points = 0, covered = 0;
        foreach (var f in forecasts)
        {
            var (first, count) = steps.GetOffsetAndLength(f.Values.Length + 1);
            for (int k = first; k < first + count; k++)
            {
                int t = f.Origin + k;
                if (t >= actual.Count) break;
                double a = actual[t], v = f.Values[k - 1];
                abs += Math.Abs(a - v);
                squares += (a - v) * (a - v);
                smape += 2 * Math.Abs(a - v) / (Math.Abs(a) + Math.Abs(v));
                covered += a >= f.Lower[k - 1] && a <= f.Upper[k - 1] ? 1 : 0;
                points++;
            }
        }

        return new ForecastMetrics(method, abs / points, Math.Sqrt(squares / points), 100 * smape / points, 100.0 * covered / points, points);
    }
}

/// <summary>A forecast of the steps after <paramref name="Origin"/>, with its interval bounds.</summary>
public sealed record Forecast(int Origin, double[] Values, double[] Lower, double[] Upper);
