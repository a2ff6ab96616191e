namespace TimeSeriesSample;

/// <summary>The two classical baselines: seasonal naive and a least-squares linear autoregression.</summary>
public static class Baselines
{
    /// <summary>Seasonal naive: step k after the last observation repeats the value one season earlier.</summary>
    public static double[] SeasonalNaive(IReadOnlyList<double> history, int horizon, int season)
    {
        int last = history.Count - 1;
        return Enumerable.Range(1, horizon).Select(k => history[last + k - season * (1 + (k - 1) / season)]).ToArray();
    }

    /// <summary>Fits AR(<paramref name="order"/>) with an intercept by least squares on <paramref name="series"/>[..trainEnd].</summary>
    public static double[] FitAutoregression(IReadOnlyList<double> series, int trainEnd, int order)
    {
        int n = order + 1;
        var normal = new double[n, n];
        var rhs = new double[n];
        for (int t = order; t < trainEnd; t++)
        {
            var row = Lags(series, t, order);
            for (int i = 0; i < n; i++)
            {
                rhs[i] += row[i] * series[t];
                for (int j = 0; j < n; j++) normal[i, j] += row[i] * row[j];
            }
        }

        return Solve(normal, rhs);
    }

    /// <summary>Forecasts <paramref name="horizon"/> steps with AR coefficients, feeding each forecast back as a lag.</summary>
    public static double[] Autoregression(IReadOnlyList<double> history, double[] beta, int horizon)
    {
        int order = beta.Length - 1;
        var extended = history.Skip(history.Count - order).ToList();
        var forecast = new double[horizon];
        for (int k = 0; k < horizon; k++)
        {
            forecast[k] = Lags(extended, extended.Count, order).Zip(beta, (a, b) => a * b).Sum();
            extended.Add(forecast[k]);
        }

        return forecast;
    }

    private static double[] Lags(IReadOnlyList<double> series, int t, int order) => [1.0, .. Enumerable.Range(1, order).Select(k => series[t - k])];

    // Gaussian elimination with partial pivoting (the system is small and well conditioned after the intercept).
    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        for (int col = 0; col < n; col++)
        {
            int pivot = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(a[r, col]));
            for (int k = 0; k < n; k++) (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
            (b[col], b[pivot]) = (b[pivot], b[col]);
            for (int r = col + 1; r < n; r++)
            {
                double factor = a[r, col] / a[col, col];
                for (int k = col; k < n; k++) a[r, k] -= factor * a[col, k];
                b[r] -= factor * b[col];
            }
        }

        var x = new double[n];
        for (int r = n - 1; r >= 0; r--)
        {
            double s = b[r];
            for (int k = r + 1; k < n; k++) s -= a[r, k] * x[k];
            x[r] = s / a[r, r];
        }

        return x;
    }
}
