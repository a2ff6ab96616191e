using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>
/// The data interface of ML.NET: a schema plus lazily evaluated rows that are read through cursors. Data views are
/// immutable and can be read many times; transforms wrap them without copying the data.
/// </summary>
public interface IDataView
{
    /// <summary>Whether <see cref="GetRowCursor"/> honours a non-null random generator by returning rows in random order.</summary>
    bool CanShuffle { get; }

    /// <summary>The schema of the rows.</summary>
    DataViewSchema Schema { get; }

    /// <summary>Returns the number of rows when it is known cheaply, otherwise null.</summary>
    long? GetRowCount();

    /// <summary>Returns a cursor over the rows that can read the columns in <paramref name="columnsNeeded"/>.</summary>
    /// <param name="columnsNeeded">The columns whose getters will be requested; others may be inactive.</param>
    /// <param name="rand">When not null and <see cref="CanShuffle"/> is true, the rows come in a random order drawn from it.</param>
    DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null);

    /// <summary>Returns up to <paramref name="n"/> cursors that together visit every row once, for parallel reading.</summary>
    /// <param name="columnsNeeded">The columns whose getters will be requested.</param>
    /// <param name="n">The suggested number of cursors.</param>
    /// <param name="rand">An optional random generator for shuffling.</param>
    DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null);
}

/// <summary>Reads a value into a caller-owned buffer; getters reuse <paramref name="value"/> (for example its arrays) when they can.</summary>
/// <typeparam name="TValue">The raw type of the column.</typeparam>
/// <param name="value">The buffer that receives the value.</param>
public delegate void ValueGetter<TValue>(ref TValue value);

/// <summary>A row of an <see cref="IDataView"/>: typed getters for its active columns.</summary>
public abstract class DataViewRow : IDisposable
{
    /// <summary>Creates a row.</summary>
    protected DataViewRow()
    {
    }

    /// <summary>The position of the row; -1 before the first row of a cursor.</summary>
    public abstract long Position { get; }

    /// <summary>The batch of the row; rows from parallel cursors of one set differ in batch.</summary>
    public abstract long Batch { get; }

    /// <summary>The schema of the row.</summary>
    public abstract DataViewSchema Schema { get; }

    /// <summary>Returns a getter for <paramref name="column"/>; <typeparamref name="TValue"/> must be the column's raw type.</summary>
    /// <typeparam name="TValue">The raw type of the column.</typeparam>
    /// <param name="column">An active column of <see cref="Schema"/>.</param>
    public abstract ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column);

    /// <summary>Returns a getter for the unique id of the current row.</summary>
    public abstract ValueGetter<DataViewRowId> GetIdGetter();

    /// <summary>Returns whether getters may be requested for <paramref name="column"/>.</summary>
    /// <param name="column">A column of <see cref="Schema"/>.</param>
    public abstract bool IsColumnActive(DataViewSchema.Column column);

    /// <summary>Releases the row and what it reads from.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources; override to dispose what the row owns.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>A row that moves forward through the rows of a data view.</summary>
public abstract class DataViewRowCursor : DataViewRow
{
    /// <summary>Moves to the next row; returns false once the rows are exhausted.</summary>
    public abstract bool MoveNext();
}
