namespace Microsoft.ML.Data;

/// <summary>Maps a single input row to an output row; bound to an input schema. Used by prediction engines.</summary>
public interface IRowToRowMapper
{
    /// <summary>The input schema the mapper is bound to.</summary>
    DataViewSchema InputSchema { get; }

    /// <summary>The schema of the rows returned by <see cref="GetRow"/>.</summary>
    DataViewSchema OutputSchema { get; }

    /// <summary>Returns the input columns needed to compute <paramref name="dependingColumns"/> of the output.</summary>
    /// <param name="dependingColumns">Columns of <see cref="OutputSchema"/>.</param>
    IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns);

    /// <summary>Returns an output row whose getters read from <paramref name="input"/> when called.</summary>
    /// <param name="input">A row of <see cref="InputSchema"/>.</param>
    /// <param name="activeColumns">The output columns that will be read.</param>
    DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns);
}

/// <summary>The kinds of values a data view column can hold, as used by text loading and type conversion.</summary>
public enum DataKind : byte
{
    /// <summary>8-bit signed integer.</summary>
    SByte = 1,

    /// <summary>8-bit unsigned integer.</summary>
    Byte = 2,

    /// <summary>16-bit signed integer.</summary>
    Int16 = 3,

    /// <summary>16-bit unsigned integer.</summary>
    UInt16 = 4,

    /// <summary>32-bit signed integer.</summary>
    Int32 = 5,

    /// <summary>32-bit unsigned integer.</summary>
    UInt32 = 6,

    /// <summary>64-bit signed integer.</summary>
    Int64 = 7,

    /// <summary>64-bit unsigned integer.</summary>
    UInt64 = 8,

    /// <summary>Single-precision floating point.</summary>
    Single = 9,

    /// <summary>Double-precision floating point.</summary>
    Double = 10,

    /// <summary>Text.</summary>
    String = 11,

    /// <summary>Boolean.</summary>
    Boolean = 12,

    /// <summary>Time span.</summary>
    TimeSpan = 13,

    /// <summary>Date and time.</summary>
    DateTime = 14,

    /// <summary>Date and time with offset.</summary>
    DateTimeOffset = 15,
}
