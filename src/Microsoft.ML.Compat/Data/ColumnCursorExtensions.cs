using System.Collections.Immutable;
using System.Reflection;
using Microsoft.ML.Compat.Internal;

namespace Microsoft.ML.Data;

/// <summary>Reads a single column of a data view.</summary>
public static class ColumnCursorExtensions
{
    /// <summary>
    /// Enumerates the values of column <paramref name="columnName"/> lazily. <typeparamref name="T"/> is the column's raw
    /// type, or <see cref="string"/> for text, or an array for vectors (each value is a fresh copy).
    /// </summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="data">The data.</param>
    /// <param name="columnName">The column name.</param>
    public static IEnumerable<T> GetColumn<T>(this IDataView data, string columnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var column = data.Schema.GetColumnOrNull(columnName) ?? throw DataViewErrors.ColumnNotFound(columnName, nameof(columnName));
        return GetColumn<T>(data, column);
    }

    /// <summary>Enumerates the values of <paramref name="column"/> lazily (see the overload by name).</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="data">The data.</param>
    /// <param name="column">A column of <paramref name="data"/>'s schema.</param>
    public static IEnumerable<T> GetColumn<T>(this IDataView data, DataViewSchema.Column column)
    {
        ArgumentNullException.ThrowIfNull(data);
        DataViewErrors.CheckColumnOfSchema(data.Schema, column);
        var raw = column.Type.RawType;
        if (typeof(T) == raw && !(raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>)))
        {
            return Same<T>(data, column);
        }

        if (!PocoTypes.CanReceive(typeof(T), column.Type))
        {
            throw new InvalidOperationException($"Could not map the column '{column.Name}' of type {column.Type} to {typeof(T)}.");
        }

        var method = typeof(ColumnCursorExtensions).GetMethod(nameof(Converted), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(typeof(T));
        return (IEnumerable<T>)method.Invoke(null, new object[] { data, column })!;
    }

    private static IEnumerable<T> Same<T>(IDataView data, DataViewSchema.Column column)
    {
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            yield return value;
        }
    }

    private static IEnumerable<T> Converted<T>(IDataView data, DataViewSchema.Column column)
    {
        using var cursor = data.GetRowCursor(new[] { column });
        var holder = new Holder<T>();
        var member = typeof(Holder<T>).GetField(nameof(Holder<T>.Value))!;
        var poke = PocoTypes.MakeOutputPoke<Holder<T>>(member, cursor, column);
        while (cursor.MoveNext())
        {
            holder.Value = default!;
            poke(holder);
            yield return holder.Value;
        }
    }

    private sealed class Holder<T>
    {
        public T Value = default!;
    }
}

/// <summary>Looks at the first rows of a data view in a debugger-friendly form.</summary>
public static class DebuggerExtensions
{
    /// <summary>Reads up to <paramref name="maxRows"/> rows into a <see cref="DataDebuggerPreview"/>.</summary>
    /// <param name="data">The data.</param>
    /// <param name="maxRows">The maximum number of rows. Default 100.</param>
    public static DataDebuggerPreview Preview(this IDataView data, int maxRows = 100)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        return new DataDebuggerPreview(data, maxRows);
    }
}

/// <summary>The first rows of a data view, by row and by column; values are boxed copies (vectors as copied VBuffers).</summary>
public sealed class DataDebuggerPreview
{
    internal DataDebuggerPreview(IDataView data, int maxRows)
    {
        Schema = data.Schema;
        var columns = data.Schema.Where(c => !c.IsHidden).ToArray();
        var rows = new List<RowInfo>();
        var perColumn = columns.Select(_ => new List<object>()).ToArray();
        using (var cursor = data.GetRowCursor(columns))
        {
            var readers = columns.Select(c => (Func<object>)typeof(DataDebuggerPreview).GetMethod(nameof(Reader), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(c.Type.RawType).Invoke(null, new object[] { cursor, c })!).ToArray();
            while (rows.Count < maxRows && cursor.MoveNext())
            {
                var values = new KeyValuePair<string, object>[columns.Length];
                for (int i = 0; i < columns.Length; i++)
                {
                    object v = readers[i]();
                    values[i] = new KeyValuePair<string, object>(columns[i].Name, v);
                    perColumn[i].Add(v);
                }

                rows.Add(new RowInfo(values));
            }
        }

        RowView = rows.ToImmutableArray();
        ColumnView = columns.Select((c, i) => new ColumnInfo(c, perColumn[i].ToArray())).ToImmutableArray();
    }

    /// <summary>The schema of the data.</summary>
    public DataViewSchema Schema { get; }

    /// <summary>The values by column (visible columns only).</summary>
    public ImmutableArray<ColumnInfo> ColumnView { get; }

    /// <summary>The values by row.</summary>
    public ImmutableArray<RowInfo> RowView { get; }

    /// <summary>Returns "N columns, M rows".</summary>
    public override string ToString() => $"{ColumnView.Length} columns, {RowView.Length} rows";

    private static Func<object> Reader<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var g = row.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            g(ref value);
            if (typeof(T).IsGenericType && typeof(T).GetGenericTypeDefinition() == typeof(VBuffer<>))
            {
                T copy = default!;
                VectorCopier.Copy(in value, ref copy);
                return copy!;
            }

            return value!;
        };
    }

    /// <summary>The values of one column.</summary>
    public sealed class ColumnInfo
    {
        internal ColumnInfo(DataViewSchema.Column column, object[] values)
        {
            Column = column;
            Values = values;
        }

        /// <summary>The column.</summary>
        public DataViewSchema.Column Column { get; }

        /// <summary>The values, one per previewed row.</summary>
        public object[] Values { get; }

        /// <summary>Returns "Name: Type".</summary>
        public override string ToString() => $"{Column.Name}: {Column.Type}";
    }

    /// <summary>The values of one row.</summary>
    public sealed class RowInfo
    {
        internal RowInfo(KeyValuePair<string, object>[] values)
        {
            Values = values;
        }

        /// <summary>The (column name, value) pairs.</summary>
        public KeyValuePair<string, object>[] Values { get; }

        /// <summary>Returns the number of values.</summary>
        public override string ToString() => $"{Values.Length} columns";
    }
}
