using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.MLNet.Data;

/// <summary>
/// Columns that a transformer appends to its input, built from public ML.NET surface only (ML.NET's own mapper base
/// classes cannot be subclassed by a third party): the new columns' names and types, the input columns they are computed
/// from, and <see cref="Bind"/>, which returns one <c>ValueGetter&lt;T&gt;</c> per new column for an input row.
/// Used by <see cref="AppendingRowToRowMapper"/> and <see cref="AppendingDataView"/>.
/// </summary>
/// <param name="Columns">The new columns, in order.</param>
/// <param name="InputColumnNames">The input columns the new columns are computed from.</param>
/// <param name="Bind">Given an input row (or cursor), the getters of the new columns, one per <paramref name="Columns"/> entry, each a <c>ValueGetter&lt;T&gt;</c> of the column's raw type.</param>
internal sealed record AppendedColumns(
    IReadOnlyList<DataViewSchema.DetachedColumn> Columns,
    IReadOnlyList<string> InputColumnNames,
    Func<DataViewRow, Delegate[]> Bind)
{
    /// <summary>The input schema followed by the new columns (a new column hides an input column of the same name).</summary>
    public DataViewSchema OutputSchema(DataViewSchema input)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumns(Columns);
        return builder.ToSchema();
    }

    /// <summary>The input columns needed to compute <paramref name="outputColumns"/> (columns of <see cref="OutputSchema"/>).</summary>
    public IEnumerable<DataViewSchema.Column> Dependencies(DataViewSchema input, IEnumerable<DataViewSchema.Column> outputColumns)
    {
        var needed = new HashSet<int>();
        foreach (var column in outputColumns)
        {
            if (column.Index < input.Count) needed.Add(column.Index);
            else
                foreach (string name in InputColumnNames)
                    needed.Add((input.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(input), $"Column '{name}' not found")).Index);
        }
        return needed.OrderBy(i => i).Select(i => input[i]);
    }
}

/// <summary>
/// A row of <see cref="AppendedColumns.OutputSchema"/> over an input row: input columns pass through, new columns come
/// from the bound getters.
/// </summary>
internal sealed class AppendedRow : DataViewRow
{
    private readonly DataViewRow _input;
    private readonly Delegate[]? _getters;
    private readonly bool[] _active;
    private readonly bool _ownsInput;

    public AppendedRow(DataViewRow input, DataViewSchema outputSchema, AppendedColumns columns, IEnumerable<DataViewSchema.Column> activeColumns, bool ownsInput)
    {
        _input = input;
        _ownsInput = ownsInput;
        Schema = outputSchema;
        _active = new bool[outputSchema.Count];
        foreach (var c in activeColumns) _active[c.Index] = true;
        if (_active.Skip(input.Schema.Count).Any(a => a)) _getters = columns.Bind(input);
    }

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override DataViewSchema Schema { get; }

    public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!_active[column.Index])
            throw new InvalidOperationException($"Column '{column.Name}' is not active in this row; request it when creating the cursor.");
        int inputCount = _input.Schema.Count;
        if (column.Index < inputCount) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        return _getters![column.Index - inputCount] as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Invalid TValue in GetGetter for column #{column.Index}: {column.Type}: '{typeof(TValue)}', expected type: '{column.Type.RawType}'.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsInput) _input.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>A cursor over <see cref="AppendingDataView"/>.</summary>
internal sealed class AppendedCursor(DataViewRowCursor input, DataViewSchema outputSchema, AppendedColumns columns, IEnumerable<DataViewSchema.Column> activeColumns)
    : DataViewRowCursor
{
    private readonly AppendedRow _row = new(input, outputSchema, columns, activeColumns, ownsInput: true);

    public override long Position => input.Position;

    public override long Batch => input.Batch;

    public override DataViewSchema Schema => outputSchema;

    public override bool MoveNext() => input.MoveNext();

    public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

    public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _row.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>The data view a transformer returns from <c>Transform</c>: the input with the appended columns, computed lazily per row.</summary>
internal sealed class AppendingDataView(IDataView input, AppendedColumns columns) : IDataView
{
    public DataViewSchema Schema { get; } = columns.OutputSchema(input.Schema);

    public bool CanShuffle => input.CanShuffle;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = columnsNeeded.ToList();
        var cursor = input.GetRowCursor(columns.Dependencies(input.Schema, active), rand);
        return new AppendedCursor(cursor, Schema, columns, active);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}

/// <summary>The row-to-row mapper a transformer returns for <c>PredictionEngine</c>.</summary>
internal sealed class AppendingRowToRowMapper(DataViewSchema inputSchema, AppendedColumns columns) : IRowToRowMapper
{
    public DataViewSchema InputSchema { get; } = inputSchema;

    public DataViewSchema OutputSchema { get; } = columns.OutputSchema(inputSchema);

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        columns.Dependencies(InputSchema, dependingColumns);

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new AppendedRow(input, OutputSchema, columns, activeColumns, ownsInput: false);
}
