using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Internal;

/// <summary>The column layout of a class read into a data view: schema plus the member behind each column.</summary>
internal sealed class PocoReadLayout<TRow>
    where TRow : class
{
    private readonly MemberInfo[] _members;

    private PocoReadLayout(DataViewSchema schema, MemberInfo[] members)
    {
        Schema = schema;
        _members = members;
    }

    public DataViewSchema Schema { get; }

    public static PocoReadLayout<TRow> Create(SchemaDefinition? definition)
    {
        definition ??= SchemaDefinition.Create(typeof(TRow), SchemaDefinition.Direction.Read);
        var builder = new DataViewSchema.Builder();
        var members = new List<MemberInfo>();
        foreach (var c in definition)
        {
            var m = PocoTypes.FindMember(typeof(TRow), c.MemberName);
            var type = c.ColumnType ?? PocoTypes.InferType(PocoTypes.MemberType(m), m, typeof(TRow));
            if (!PocoTypes.CanReceive(PocoTypes.MemberType(m), type))
            {
                throw new InvalidOperationException($"Member '{m.Name}' of type '{PocoTypes.MemberType(m)}' cannot provide column '{c.ColumnName}' of type {type}.");
            }

            builder.AddColumn(c.ColumnName, type, c.Annotations);
            members.Add(m);
        }

        return new PocoReadLayout<TRow>(builder.ToSchema(), members.ToArray());
    }

    public static PocoReadLayout<TRow> Create(DataViewSchema schema)
    {
        var def = SchemaDefinition.Create(typeof(TRow), SchemaDefinition.Direction.Read);
        var builder = new DataViewSchema.Builder();
        var members = new List<MemberInfo>();
        foreach (var col in schema)
        {
            var c = def.FirstOrDefault(d => d.ColumnName == col.Name)
                ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Type '{typeof(TRow).Name}' has no member for column '{col.Name}'.");
            var m = PocoTypes.FindMember(typeof(TRow), c.MemberName);
            builder.AddColumn(col.Name, col.Type, col.Annotations);
            members.Add(m);
        }

        return new PocoReadLayout<TRow>(builder.ToSchema(), members.ToArray());
    }

    public Delegate?[] CreateGetters(Func<TRow> current, Func<int, bool> isActive)
    {
        var getters = new Delegate?[_members.Length];
        for (int i = 0; i < getters.Length; i++)
        {
            if (isActive(i))
            {
                getters[i] = PocoTypes.MakeInputGetter(_members[i], Schema[i].Type, current);
            }
        }

        return getters;
    }
}

/// <summary>Typed getter lookup over an array of getters, with ML.NET's checks and messages.</summary>
internal static class GetterArray
{
    public static ValueGetter<TValue> Get<TValue>(DataViewSchema schema, Delegate?[] getters, DataViewSchema.Column column)
    {
        DataViewErrors.CheckColumnOfSchema(schema, column);
        var g = getters[column.Index] ?? throw DataViewErrors.InactiveColumn(column);
        return g as ValueGetter<TValue> ?? throw DataViewErrors.GetterTypeMismatch<TValue>(column);
    }
}

/// <summary>An <see cref="IDataView"/> over an enumerable of objects; cursors stream the enumerable, nothing is copied.</summary>
internal sealed class EnumerableDataView<TRow> : IDataView
    where TRow : class
{
    private readonly IEnumerable<TRow> _data;
    private readonly PocoReadLayout<TRow> _layout;

    public EnumerableDataView(IEnumerable<TRow> data, PocoReadLayout<TRow> layout)
    {
        _data = data;
        _layout = layout;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _layout.Schema;

    public long? GetRowCount() => _data switch
    {
        ICollection<TRow> c => c.Count,
        IReadOnlyCollection<TRow> r => r.Count,
        _ => null,
    };

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly EnumerableDataView<TRow> _parent;
        private readonly IEnumerator<TRow> _enumerator;
        private readonly Delegate?[] _getters;
        private TRow? _current;
        private long _position = -1;

        public Cursor(EnumerableDataView<TRow> parent, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _parent = parent;
            var active = new HashSet<int>(columnsNeeded.Select(c => c.Index));
            _getters = parent._layout.CreateGetters(() => _current ?? throw new InvalidOperationException("The cursor is not on a row; call MoveNext first."), active.Contains);
            _enumerator = parent._data.GetEnumerator();
        }

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => _parent.Schema;

        public override bool MoveNext()
        {
            if (_enumerator.MoveNext())
            {
                _current = _enumerator.Current ?? throw new InvalidOperationException($"Row {_position + 1} of the enumerable is null.");
                _position++;
                return true;
            }

            _current = null;
            return false;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => GetterArray.Get<TValue>(Schema, _getters, column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => (uint)column.Index < (uint)_getters.Length && _getters[column.Index] != null;

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _enumerator.Dispose();
            }
        }
    }
}

/// <summary>A single row whose values come from an object that is replaced for each prediction.</summary>
internal sealed class PocoInputRow<TRow> : DataViewRow
    where TRow : class
{
    private readonly Delegate?[] _getters;
    private TRow? _current;
    private long _position = -1;

    public PocoInputRow(PocoReadLayout<TRow> layout)
    {
        Schema = layout.Schema;
        _getters = layout.CreateGetters(() => _current ?? throw new InvalidOperationException("No example has been set."), _ => true);
    }

    public override long Position => _position;

    public override long Batch => 0;

    public override DataViewSchema Schema { get; }

    public void SetCurrent(TRow example)
    {
        _current = example;
        _position++;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => GetterArray.Get<TValue>(Schema, _getters, column);

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

    public override bool IsColumnActive(DataViewSchema.Column column) => (uint)column.Index < (uint)_getters.Length;
}

/// <summary>Binds the settable members of a class to the columns of a schema, to fill objects from rows.</summary>
internal sealed class PocoWriteLayout<TRow>
    where TRow : class
{
    private readonly List<(MemberInfo Member, DataViewSchema.Column Column)> _bindings = new();

    public PocoWriteLayout(DataViewSchema schema, bool ignoreMissingColumns, SchemaDefinition? definition)
    {
        definition ??= SchemaDefinition.Create(typeof(TRow), SchemaDefinition.Direction.Write);
        foreach (var c in definition)
        {
            var column = schema.GetColumnOrNull(c.ColumnName);
            if (column == null)
            {
                if (ignoreMissingColumns)
                {
                    continue;
                }

                throw new ArgumentOutOfRangeException(nameof(schema), $"Could not find  column '{c.ColumnName}'");
            }

            var m = PocoTypes.FindMember(typeof(TRow), c.MemberName);
            if (!PocoTypes.CanReceive(PocoTypes.MemberType(m), column.Value.Type))
            {
                throw new InvalidOperationException($"Can't bind the IDataView column '{column.Value.Name}' of type '{column.Value.Type}' to field or property '{m.Name}' of type '{PocoTypes.MemberType(m)}'.");
            }

            _bindings.Add((m, column.Value));
        }
    }

    public IEnumerable<DataViewSchema.Column> Columns => _bindings.Select(b => b.Column);

    public Action<TRow> Bind(DataViewRow row)
    {
        var pokes = _bindings.Select(b => PocoTypes.MakeOutputPoke<TRow>(b.Member, row, row.Schema[b.Column.Index])).ToArray();
        return target =>
        {
            foreach (var p in pokes)
            {
                p(target);
            }
        };
    }
}
