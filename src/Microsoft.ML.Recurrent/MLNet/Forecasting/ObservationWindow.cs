namespace Microsoft.ML.Transforms.TimeSeries;

/// <summary>
/// The last <see cref="Length"/> observations of a series and its covariates (the forecaster's state): a ring buffer
/// of <c>Length × Features</c> values, oldest first when read.
/// </summary>
internal sealed class ObservationWindow
{
    private readonly float[] _values;
    private int _next;

    public ObservationWindow(int length, int features)
    {
        Length = length;
        Features = features;
        _values = new float[length * features];
    }

    /// <summary>The number of time steps kept.</summary>
    public int Length { get; }

    /// <summary>The values per time step (series first, then covariates).</summary>
    public int Features { get; }

    /// <summary>How many observations were pushed in total (the window is full once this reaches <see cref="Length"/>).</summary>
    public long Observed { get; private set; }

    /// <summary>Appends one time step (<see cref="Features"/> values), dropping the oldest when full.</summary>
    public void Push(ReadOnlySpan<float> observation)
    {
        observation.CopyTo(_values.AsSpan(_next * Features, Features));
        _next = (_next + 1) % Length;
        Observed++;
    }

    /// <summary>Copies the window, oldest step first, into <paramref name="destination"/> (<c>Length × Features</c>).</summary>
    public void CopyTo(Span<float> destination)
    {
        if (Observed < Length)
        {
            throw new InvalidOperationException(
                $"The forecaster has seen {Observed} observations but needs {Length} (its window size) before it can forecast.");
        }

        int head = _next * Features;
        _values.AsSpan(head).CopyTo(destination);
        _values.AsSpan(0, head).CopyTo(destination[(_values.Length - head)..]);
    }

    public ObservationWindow Clone()
    {
        var copy = new ObservationWindow(Length, Features) { _next = _next, Observed = Observed };
        _values.CopyTo(copy._values, 0);
        return copy;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Length);
        writer.Write(Features);
        writer.Write(Observed);
        writer.Write(_next);
        foreach (float v in _values)
        {
            writer.Write(v);
        }
    }

    public static ObservationWindow Read(BinaryReader reader)
    {
        int length = reader.ReadInt32();
        int features = reader.ReadInt32();
        if (length <= 0 || features <= 0 || (long)length * features > 1 << 24)
        {
            throw new InvalidDataException($"The forecaster state has an invalid window of {length} steps × {features} features.");
        }

        var window = new ObservationWindow(length, features) { Observed = reader.ReadInt64(), _next = reader.ReadInt32() };
        if (window.Observed < 0 || window._next < 0 || window._next >= length)
        {
            throw new InvalidDataException("The forecaster state has an invalid window position.");
        }

        for (int i = 0; i < window._values.Length; i++)
        {
            window._values[i] = reader.ReadSingle();
        }

        return window;
    }
}
