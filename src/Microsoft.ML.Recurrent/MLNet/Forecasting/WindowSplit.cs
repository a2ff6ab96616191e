namespace Microsoft.ML.Transforms.TimeSeries;

/// <summary>
/// Which windows of a series train the forecaster and which validate it, in time order: window i reads rows
/// i … i + windowSize − 1 and predicts rows i + windowSize … i + windowSize + horizon − 1. The last
/// <c>validationFraction</c> of the windows validate; the horizon − 1 windows before them are dropped, so no
/// validation target is also a training target.
/// </summary>
internal readonly record struct WindowSplit(int TrainWindows, int ValidationStart, int ValidationWindows)
{
    /// <summary>Splits the windows of a series of <paramref name="rows"/> rows, or returns null when there are too few.</summary>
    public static WindowSplit? TryCreate(int rows, int windowSize, int horizon, double validationFraction)
    {
        int windows = rows - windowSize - horizon + 1;
        if (windows <= 0)
        {
            return null;
        }

        int validation = Math.Max(1, (int)Math.Round(windows * validationFraction));
        int train = windows - validation - (horizon - 1);
        return train < 1 ? null : new WindowSplit(train, windows - validation, validation);
    }

    /// <summary>The fewest rows that give at least one training and one validation window.</summary>
    public static int MinimumRows(int windowSize, int horizon, double validationFraction)
    {
        int rows = windowSize + horizon;
        while (TryCreate(rows, windowSize, horizon, validationFraction) is null)
        {
            rows++;
        }

        return rows;
    }
}
