namespace Microsoft.ML.Transforms.TimeSeries;

/// <summary>
/// Split-conformal prediction intervals: for each horizon step, the sorted absolute errors of the forecaster on
/// held-out (validation) windows it was not trained on. The half-width at confidence level c is the
/// ⌈(n + 1)·c⌉-th smallest of the n errors (the largest when that rank exceeds n), which covers a new point with
/// probability at least c when errors are exchangeable.
/// </summary>
internal sealed class ForecastIntervals
{
    private readonly float[][] _sortedErrors;

    public ForecastIntervals(float[][] absoluteErrorsPerStep)
    {
        _sortedErrors = absoluteErrorsPerStep.Select(e => e.Order().ToArray()).ToArray();
    }

    /// <summary>The number of horizon steps.</summary>
    public int Horizon => _sortedErrors.Length;

    /// <summary>The number of held-out errors per step.</summary>
    public int Count => _sortedErrors.Length == 0 ? 0 : _sortedErrors[0].Length;

    /// <summary>The half-width of the interval for <paramref name="step"/> (0-based) at <paramref name="confidenceLevel"/>.</summary>
    public float HalfWidth(int step, float confidenceLevel)
    {
        var errors = _sortedErrors[step];
        int rank = (int)Math.Ceiling((errors.Length + 1) * (double)confidenceLevel);
        return errors[Math.Clamp(rank, 1, errors.Length) - 1];
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Horizon);
        writer.Write(Count);
        foreach (var errors in _sortedErrors)
        {
            foreach (float e in errors)
            {
                writer.Write(e);
            }
        }
    }

    public static ForecastIntervals Read(BinaryReader reader)
    {
        int horizon = reader.ReadInt32();
        int count = reader.ReadInt32();
        if (horizon <= 0 || count <= 0 || (long)horizon * count > 1 << 24)
        {
            throw new InvalidDataException($"The forecaster's interval table has an invalid size {horizon} × {count}.");
        }

        var errors = new float[horizon][];
        for (int s = 0; s < horizon; s++)
        {
            errors[s] = new float[count];
            for (int i = 0; i < count; i++)
            {
                errors[s][i] = reader.ReadSingle();
            }
        }

        return new ForecastIntervals(errors);
    }
}
