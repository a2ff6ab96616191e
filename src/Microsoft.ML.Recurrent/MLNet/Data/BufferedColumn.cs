using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.MLNet.Data;

/// <summary>
/// The values of one input column read row by row into memory (vectors deep-copied, since getters reuse buffers), so
/// that rows can be regrouped, compared and selected after the cursor has moved on.
/// </summary>
internal abstract class BufferedColumn
{
    protected BufferedColumn(DataViewSchema.Column column)
    {
        Column = column;
    }

    /// <summary>The input column the values come from.</summary>
    public DataViewSchema.Column Column { get; }

    /// <summary>Creates the buffer for <paramref name="column"/>, reading through <paramref name="row"/>'s getter.</summary>
    public static BufferedColumn Create(DataViewRow row, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        MethodInfo make;
        if (raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>))
        {
            make = typeof(BufferedColumn).GetMethod(nameof(CreateVector), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(raw.GetGenericArguments()[0]);
        }
        else
        {
            make = typeof(BufferedColumn).GetMethod(nameof(CreateScalar), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(raw);
        }

        return (BufferedColumn)make.Invoke(null, [row, column])!;
    }

    /// <summary>Appends the current row's value.</summary>
    public abstract void ReadCurrent();

    /// <summary>Whether the values at rows <paramref name="a"/> and <paramref name="b"/> are equal (text and vectors by content).</summary>
    public abstract bool ValuesEqual(int a, int b);

    /// <summary>A value usable as a dictionary key (text as string); null when the value is missing (empty text, NaN, key 0).</summary>
    public abstract object? GroupingKey(int row);

    /// <summary>The value at <paramref name="row"/> for messages.</summary>
    public abstract string Format(int row);

    /// <summary>The values at <paramref name="rows"/>, as an array of the column's raw type.</summary>
    public abstract Array Select(IReadOnlyList<int> rows);

    private static BufferedColumn CreateScalar<T>(DataViewRow row, DataViewSchema.Column column) => new Scalar<T>(column, row.GetGetter<T>(column));

    private static BufferedColumn CreateVector<T>(DataViewRow row, DataViewSchema.Column column) => new Vector<T>(column, row.GetGetter<VBuffer<T>>(column));

    /// <summary>A scalar column (numbers, keys, text, booleans, dates).</summary>
    private sealed class Scalar<T> : BufferedColumn
    {
        private readonly ValueGetter<T> _getter;
        private readonly List<T> _values = [];

        public Scalar(DataViewSchema.Column column, ValueGetter<T> getter)
            : base(column)
        {
            _getter = getter;
        }

        public override void ReadCurrent()
        {
            T value = default!;
            _getter(ref value);
            _values.Add(value);
        }

        public override bool ValuesEqual(int a, int b) => _values[a] is ReadOnlyMemory<char> text
            ? text.Span.SequenceEqual(((ReadOnlyMemory<char>)(object)_values[b]!).Span)
            : EqualityComparer<T>.Default.Equals(_values[a], _values[b]);

        public override object? GroupingKey(int row)
        {
            object value = _values[row]!;
            bool missing = value switch
            {
                ReadOnlyMemory<char> text => text.IsEmpty,
                float f => float.IsNaN(f),
                double d => double.IsNaN(d),
                _ => Column.Type is KeyDataViewType && Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture) == 0,
            };
            return missing ? null : value is ReadOnlyMemory<char> t ? t.ToString() : value;
        }

        public override string Format(int row) => _values[row] is IFormattable f
            ? f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)
            : _values[row]?.ToString() ?? "null";

        public override Array Select(IReadOnlyList<int> rows)
        {
            var result = new T[rows.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = _values[rows[i]];
            }

            return result;
        }
    }

    /// <summary>A vector column; each value is a private copy.</summary>
    private sealed class Vector<T> : BufferedColumn
    {
        private readonly ValueGetter<VBuffer<T>> _getter;
        private readonly List<VBuffer<T>> _values = [];
        private VBuffer<T> _buffer;

        public Vector(DataViewSchema.Column column, ValueGetter<VBuffer<T>> getter)
            : base(column)
        {
            _getter = getter;
        }

        public override void ReadCurrent()
        {
            _getter(ref _buffer);
            VBuffer<T> copy = default;
            _buffer.CopyToDense(ref copy);
            _values.Add(copy);
        }

        public override bool ValuesEqual(int a, int b)
        {
            var x = _values[a].GetValues();
            var y = _values[b].GetValues();
            if (_values[a].Length != _values[b].Length || x.Length != y.Length)
            {
                return false;
            }

            for (int i = 0; i < x.Length; i++)
            {
                if (!EqualityComparer<T>.Default.Equals(x[i], y[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public override object? GroupingKey(int row) => throw new InvalidOperationException($"Vector column '{Column.Name}' cannot group rows.");

        public override string Format(int row) => "[" + string.Join(", ", _values[row].DenseValues()) + "]";

        public override Array Select(IReadOnlyList<int> rows)
        {
            var result = new VBuffer<T>[rows.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = _values[rows[i]];
            }

            return result;
        }
    }
}
