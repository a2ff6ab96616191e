using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.MLNet.Data;

/// <summary>
/// A read-only data view over values already held in memory, one array per column (element type = the column's raw
/// type). Used by data operations that must see every row before producing any (grouping), built from public ML.NET
/// surface only.
/// </summary>
internal sealed class ColumnArrayDataView : IDataView
{
    private readonly Array[] _columns;
    private readonly int _rowCount;

    /// <summary>Creates the view; <paramref name="columns"/>[i] must be a <c>T[]</c> of <paramref name="schema"/>[i]'s raw type, all of one length.</summary>
    public ColumnArrayDataView(DataViewSchema schema, Array[] columns, int rowCount)
    {
        if (columns.Length != schema.Count)
        {
            throw new ArgumentException($"Expected {schema.Count} column arrays, got {columns.Length}.", nameof(columns));
        }

        for (int i = 0; i < columns.Length; i++)
        {
            if (columns[i].GetType().GetElementType() != schema[i].Type.RawType || columns[i].Length != rowCount)
            {
                throw new ArgumentException($"Column '{schema[i].Name}' needs {rowCount} values of {schema[i].Type.RawType}.", nameof(columns));
            }
        }

        Schema = schema;
        _columns = columns;
        _rowCount = rowCount;
    }

    public bool CanShuffle => true;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int[] order = Enumerable.Range(0, _rowCount).ToArray();
        if (rand != null)
        {
            // Fisher-Yates from the caller's generator, so a seeded shuffle is reproducible.
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = rand.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }

        var active = new bool[Schema.Count];
        foreach (var c in columnsNeeded)
        {
            active[c.Index] = true;
        }

        return new Cursor(this, order, active);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ColumnArrayDataView _view;
        private readonly int[] _order;
        private readonly bool[] _active;
        private long _position = -1;

        public Cursor(ColumnArrayDataView view, int[] order, bool[] active)
        {
            _view = view;
            _order = order;
            _active = active;
        }

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => _view.Schema;

        public override bool MoveNext()
        {
            if (_position + 1 >= _order.Length)
            {
                _position = _order.Length;
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if ((uint)column.Index >= (uint)_active.Length || Schema[column.Index].Name != column.Name)
            {
                throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' (#{column.Index}) does not belong to this view's schema.");
            }

            if (!_active[column.Index])
            {
                throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' (#{column.Index}) is not active in this cursor; request it in columnsNeeded.");
            }

            if (_view._columns[column.Index] is not TValue[] values)
            {
                throw new InvalidOperationException($"Invalid TValue in GetGetter for column '{column.Name}': '{typeof(TValue)}', expected type: '{column.Type.RawType}'.");
            }

            return MakeGetter(values, CurrentRow);
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)CurrentRow(), 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        private int CurrentRow()
        {
            if (_position < 0 || _position >= _order.Length)
            {
                throw new InvalidOperationException("The cursor is not on a row; call MoveNext first and read only while it returns true.");
            }

            return _order[_position];
        }

        // Vectors are copied into the caller's buffer: callers edit their buffers in place, which must not reach ours.
        private static ValueGetter<TValue> MakeGetter<TValue>(TValue[] values, Func<int> row)
        {
            if (typeof(TValue).IsGenericType && typeof(TValue).GetGenericTypeDefinition() == typeof(VBuffer<>))
            {
                var make = typeof(Cursor).GetMethod(nameof(MakeVectorGetter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
                return (ValueGetter<TValue>)make.MakeGenericMethod(typeof(TValue).GetGenericArguments()[0]).Invoke(null, [values, row])!;
            }

            return (ref TValue value) => value = values[row()];
        }

        private static ValueGetter<VBuffer<T>> MakeVectorGetter<T>(VBuffer<T>[] values, Func<int> row) =>
            (ref VBuffer<T> value) => values[row()].CopyTo(ref value);
    }
}
