using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Internal;

/// <summary>An output column computed from input columns.</summary>
internal sealed class ComputedColumn
{
    public ComputedColumn(string name, DataViewType type, int[] dependencies, Func<DataViewRow, object?, Delegate> makeGetter, DataViewSchema.Annotations? annotations = null)
    {
        Column = new DataViewSchema.DetachedColumn(name, type, annotations);
        Dependencies = dependencies;
        MakeGetter = makeGetter;
    }

    public DataViewSchema.DetachedColumn Column { get; }

    /// <summary>Indices of the input columns the value is computed from.</summary>
    public int[] Dependencies { get; }

    /// <summary>Builds a getter reading from the input row; the second argument is the per-row state of the mapping.</summary>
    public Func<DataViewRow, object?, Delegate> MakeGetter { get; }
}

/// <summary>
/// How a transformer maps rows of one input schema: each output column is either an input column passed through
/// or a computed column. Appending a column whose name exists hides the input column (last one wins).
/// </summary>
internal sealed class RowMapping
{
    private readonly int[] _source;
    private readonly ComputedColumn?[] _computed;

    private RowMapping(DataViewSchema input, DataViewSchema output, int[] source, ComputedColumn?[] computed, Func<DataViewRow, object?>? createState)
    {
        InputSchema = input;
        OutputSchema = output;
        _source = source;
        _computed = computed;
        CreateRowState = createState;
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    /// <summary>Creates state shared by all getters of one output row (for example a cache of the last mapped row).</summary>
    public Func<DataViewRow, object?>? CreateRowState { get; }

    public static RowMapping Append(DataViewSchema input, IReadOnlyList<ComputedColumn> added, Func<DataViewRow, object?>? createState = null)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumns(added.Select(a => a.Column));
        int n = input.Count + added.Count;
        var source = new int[n];
        var computed = new ComputedColumn?[n];
        for (int i = 0; i < input.Count; i++)
        {
            source[i] = i;
        }

        for (int j = 0; j < added.Count; j++)
        {
            source[input.Count + j] = -1;
            computed[input.Count + j] = added[j];
        }

        return new RowMapping(input, builder.ToSchema(), source, computed, createState);
    }

    public static RowMapping Select(DataViewSchema input, IReadOnlyList<int> inputIndices)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputIndices.Select(i => input[i]));
        return new RowMapping(input, builder.ToSchema(), inputIndices.ToArray(), new ComputedColumn?[inputIndices.Count], null);
    }

    public bool IsPassThrough(int outputIndex, out int inputIndex)
    {
        inputIndex = _source[outputIndex];
        return inputIndex >= 0;
    }

    public ComputedColumn GetComputed(int outputIndex) => _computed[outputIndex]!;

    /// <summary>Returns which input columns must be active to read the given output columns.</summary>
    public bool[] GetInputActive(IEnumerable<DataViewSchema.Column> outputColumns)
    {
        var active = new bool[InputSchema.Count];
        foreach (var c in outputColumns)
        {
            if ((uint)c.Index >= (uint)_source.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(outputColumns), $"Column '{c.Name}' (#{c.Index}) is not in the output schema.");
            }

            if (_source[c.Index] >= 0)
            {
                active[_source[c.Index]] = true;
            }
            else
            {
                foreach (int d in _computed[c.Index]!.Dependencies)
                {
                    active[d] = true;
                }
            }
        }

        return active;
    }

    public IEnumerable<DataViewSchema.Column> GetInputColumns(IEnumerable<DataViewSchema.Column> outputColumns)
    {
        var active = GetInputActive(outputColumns);
        return InputSchema.Where(c => active[c.Index]);
    }
}

/// <summary>The getters of one output row over one input row.</summary>
internal sealed class MappedGetters
{
    private readonly RowMapping _mapping;
    private readonly DataViewRow _input;
    private readonly bool[] _active;
    private readonly Delegate?[] _getters;
    private readonly object? _state;

    public MappedGetters(RowMapping mapping, DataViewRow input, IEnumerable<DataViewSchema.Column> activeOutput)
    {
        _mapping = mapping;
        _input = input;
        _active = new bool[mapping.OutputSchema.Count];
        foreach (var c in activeOutput)
        {
            _active[c.Index] = true;
        }

        _getters = new Delegate?[_active.Length];
        _state = mapping.CreateRowState?.Invoke(input);
    }

    public bool IsActive(DataViewSchema.Column column) => (uint)column.Index < (uint)_active.Length && _active[column.Index];

    public ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        DataViewErrors.CheckColumnOfSchema(_mapping.OutputSchema, column);
        if (!_active[column.Index])
        {
            throw DataViewErrors.InactiveColumn(column);
        }

        if (column.Type.RawType != typeof(TValue))
        {
            throw DataViewErrors.GetterTypeMismatch<TValue>(column);
        }

        if (_mapping.IsPassThrough(column.Index, out int src))
        {
            return _input.GetGetter<TValue>(_input.Schema[src]);
        }

        _getters[column.Index] ??= _mapping.GetComputed(column.Index).MakeGetter(_input, _state);
        return (ValueGetter<TValue>)_getters[column.Index]!;
    }
}

/// <summary>A row produced by a <see cref="RowMapping"/> from an input row.</summary>
internal sealed class MappedRow : DataViewRow
{
    private readonly DataViewRow _input;
    private readonly MappedGetters _getters;

    public MappedRow(RowMapping mapping, DataViewRow input, IEnumerable<DataViewSchema.Column> activeOutput)
    {
        _input = input;
        Schema = mapping.OutputSchema;
        _getters = new MappedGetters(mapping, input, activeOutput);
    }

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override DataViewSchema Schema { get; }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _getters.GetGetter<TValue>(column);

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => _getters.IsActive(column);
}

/// <summary>A cursor produced by a <see cref="RowMapping"/> over an input cursor.</summary>
internal sealed class MappedCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _input;
    private readonly MappedGetters _getters;

    public MappedCursor(RowMapping mapping, DataViewRowCursor input, IEnumerable<DataViewSchema.Column> activeOutput)
    {
        _input = input;
        Schema = mapping.OutputSchema;
        _getters = new MappedGetters(mapping, input, activeOutput);
    }

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override DataViewSchema Schema { get; }

    public override bool MoveNext() => _input.MoveNext();

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _getters.GetGetter<TValue>(column);

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => _getters.IsActive(column);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Dispose();
        }
    }
}

/// <summary>The lazy output of a row-mapping transformer: cursors wrap input cursors, nothing is materialized.</summary>
internal sealed class MappedDataView : IDataView
{
    private readonly IDataView _input;
    private readonly RowMapping _mapping;

    public MappedDataView(IDataView input, RowMapping mapping)
    {
        _input = input;
        _mapping = mapping;
    }

    public bool CanShuffle => _input.CanShuffle;

    public DataViewSchema Schema => _mapping.OutputSchema;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        var cursor = _input.GetRowCursor(_mapping.GetInputColumns(needed), rand);
        return new MappedCursor(_mapping, cursor, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        return _input.GetRowCursorSet(_mapping.GetInputColumns(needed), n, rand)
            .Select(c => (DataViewRowCursor)new MappedCursor(_mapping, c, needed)).ToArray();
    }
}

/// <summary>The <see cref="IRowToRowMapper"/> of a <see cref="RowMapping"/>.</summary>
internal sealed class MappedRowToRowMapper : IRowToRowMapper
{
    private readonly RowMapping _mapping;

    public MappedRowToRowMapper(RowMapping mapping)
    {
        _mapping = mapping;
    }

    public DataViewSchema InputSchema => _mapping.InputSchema;

    public DataViewSchema OutputSchema => _mapping.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        _mapping.GetInputColumns(dependingColumns);

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedRow(_mapping, input, activeColumns);
    }
}

/// <summary>Chains row-to-row mappers: the output row of one is the input row of the next.</summary>
internal sealed class CompositeRowToRowMapper : IRowToRowMapper
{
    private readonly IRowToRowMapper[] _mappers;

    public CompositeRowToRowMapper(DataViewSchema inputSchema, IRowToRowMapper[] mappers)
    {
        InputSchema = inputSchema;
        _mappers = mappers;
        OutputSchema = mappers.Length == 0 ? inputSchema : mappers[^1].OutputSchema;
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var cols = dependingColumns;
        for (int i = _mappers.Length - 1; i >= 0; i--)
        {
            cols = _mappers[i].GetDependencies(cols).ToList();
        }

        return cols;
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        var needed = new List<IEnumerable<DataViewSchema.Column>>();
        var cols = activeColumns.ToList();
        for (int i = _mappers.Length - 1; i >= 0; i--)
        {
            needed.Insert(0, cols);
            cols = _mappers[i].GetDependencies(cols).ToList();
        }

        var row = input;
        for (int i = 0; i < _mappers.Length; i++)
        {
            row = _mappers[i].GetRow(row, needed[i]);
        }

        return row;
    }
}
