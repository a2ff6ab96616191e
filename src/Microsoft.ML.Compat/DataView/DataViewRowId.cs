namespace Microsoft.ML.Data;

/// <summary>A 128-bit row identifier. Ids are unique within a data view and survive shuffling.</summary>
public readonly struct DataViewRowId : IComparable<DataViewRowId>, IEquatable<DataViewRowId>
{
    /// <summary>The low 64 bits.</summary>
    public readonly ulong Low;

    /// <summary>The high 64 bits.</summary>
    public readonly ulong High;

    /// <summary>Creates an id from its two halves.</summary>
    /// <param name="low">The low 64 bits.</param>
    /// <param name="high">The high 64 bits.</param>
    public DataViewRowId(ulong low, ulong high)
    {
        Low = low;
        High = high;
    }

    /// <summary>Returns a new id derived from this one, unlikely to collide with ids from <see cref="Next"/>.</summary>
    public DataViewRowId Fork()
    {
        ulong h = Mix(High ^ 0x9E3779B97F4A7C15UL);
        ulong l = Mix(Low ^ h);
        return new DataViewRowId(l, h);
    }

    /// <summary>Returns the id that follows this one in a sequence.</summary>
    public DataViewRowId Next()
    {
        ulong h = Mix(High + 0x632BE59BD9B4E019UL);
        ulong l = Mix(Low + h);
        return new DataViewRowId(l, h);
    }

    /// <summary>Combines this id with <paramref name="other"/> into a new id (for rows built from two sources).</summary>
    /// <param name="other">The other id.</param>
    public DataViewRowId Combine(DataViewRowId other)
    {
        ulong h = Mix(High ^ Mix(other.High + 0x9E3779B97F4A7C15UL));
        ulong l = Mix(Low ^ Mix(other.Low + h));
        return new DataViewRowId(l, h);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <inheritdoc/>
    public int CompareTo(DataViewRowId other)
    {
        int c = High.CompareTo(other.High);
        return c != 0 ? c : Low.CompareTo(other.Low);
    }

    /// <inheritdoc/>
    public bool Equals(DataViewRowId other) => Low == other.Low && High == other.High;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DataViewRowId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Low, High);

    /// <summary>Returns the id as 32 hexadecimal digits, high half first.</summary>
    public override string ToString() => $"0x{High:X16}{Low:X16}";

    /// <summary>Returns whether two ids are equal.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    public static bool operator ==(DataViewRowId left, DataViewRowId right) => left.Equals(right);

    /// <summary>Returns whether two ids differ.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    public static bool operator !=(DataViewRowId left, DataViewRowId right) => !left.Equals(right);
}
