using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Internal;

/// <summary>Reads a scalar numeric or key column of any raw type as <see cref="double"/>.</summary>
internal static class NumericReader
{
    public static Func<DataViewRow, Func<double>> Create(DataViewSchema.Column column)
    {
        Type raw = column.Type.RawType;
        if (column.Type is not (NumberDataViewType or KeyDataViewType))
        {
            throw DataViewErrors.SchemaMismatch("columnName", "input", column.Name, "a numeric or key scalar", column.Type.ToString()!);
        }

        var method = typeof(NumericReader).GetMethod(nameof(CreateTyped), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(raw);
        return (Func<DataViewRow, Func<double>>)method.Invoke(null, new object[] { column })!;
    }

    private static Func<DataViewRow, Func<double>> CreateTyped<T>(DataViewSchema.Column column)
        where T : struct
    {
        return row =>
        {
            var getter = row.GetGetter<T>(column);
            T value = default;
            return () =>
            {
                getter(ref value);
                return ToDouble(value);
            };
        };
    }

    public static double ToDouble<T>(T value) => value switch
    {
        float f => f,
        double d => d,
        int i => i,
        long l => l,
        uint u => u,
        ulong ul => ul,
        short s => s,
        ushort us => us,
        sbyte sb => sb,
        byte b => b,
        _ => throw new InvalidOperationException($"Type '{typeof(T)}' is not numeric."),
    };
}

/// <summary>Builds per-row checks for missing values: NaN for floating point, 0 for keys (also inside vectors).</summary>
internal static class MissingValueCheck
{
    public static Func<DataViewRow, Func<bool>> Create(DataViewSchema.Column column)
    {
        var item = column.Type is VectorDataViewType v ? v.ItemType : column.Type;
        bool vector = column.Type is VectorDataViewType;
        string name = item.RawType == typeof(float) ? nameof(Single)
            : item.RawType == typeof(double) ? nameof(Double)
            : item is KeyDataViewType ? nameof(Key)
            : nameof(Never);
        var method = typeof(MissingValueCheck).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;
        if (name == nameof(Key))
        {
            method = method.MakeGenericMethod(item.RawType);
        }

        return row => (Func<bool>)method.Invoke(null, new object[] { row, column, vector })!;
    }

    private static Func<bool> Single(DataViewRow row, DataViewSchema.Column column, bool vector)
    {
        if (vector)
        {
            var g = row.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buf = default;
            return () =>
            {
                g(ref buf);
                foreach (var x in buf.GetValues())
                {
                    if (float.IsNaN(x))
                    {
                        return true;
                    }
                }

                return false;
            };
        }

        var s = row.GetGetter<float>(column);
        float v = 0;
        return () =>
        {
            s(ref v);
            return float.IsNaN(v);
        };
    }

    private static Func<bool> Double(DataViewRow row, DataViewSchema.Column column, bool vector)
    {
        if (vector)
        {
            var g = row.GetGetter<VBuffer<double>>(column);
            VBuffer<double> buf = default;
            return () =>
            {
                g(ref buf);
                foreach (var x in buf.GetValues())
                {
                    if (double.IsNaN(x))
                    {
                        return true;
                    }
                }

                return false;
            };
        }

        var s = row.GetGetter<double>(column);
        double v = 0;
        return () =>
        {
            s(ref v);
            return double.IsNaN(v);
        };
    }

    private static Func<bool> Key<T>(DataViewRow row, DataViewSchema.Column column, bool vector)
        where T : struct, IEquatable<T>
    {
        if (vector)
        {
            var g = row.GetGetter<VBuffer<T>>(column);
            VBuffer<T> buf = default;
            return () =>
            {
                g(ref buf);
                if (!buf.IsDense && buf.GetValues().Length < buf.Length)
                {
                    return true;
                }

                foreach (var x in buf.GetValues())
                {
                    if (x.Equals(default))
                    {
                        return true;
                    }
                }

                return false;
            };
        }

        var s = row.GetGetter<T>(column);
        T v = default;
        return () =>
        {
            s(ref v);
            return v.Equals(default);
        };
    }

    private static Func<bool> Never(DataViewRow row, DataViewSchema.Column column, bool vector) => () => false;
}

/// <summary>Assigns each row a pseudo-random fraction in [0, 1) from its position or a sampling key, for splits.</summary>
internal sealed class SplitKey
{
    private readonly DataViewSchema.Column? _keyColumn;
    private readonly ulong _seed;

    private SplitKey(DataViewSchema.Column? keyColumn, int seed)
    {
        _keyColumn = keyColumn;
        _seed = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL;
    }

    public static SplitKey Create(IDataView data, string? samplingKeyColumnName, int seed)
    {
        DataViewSchema.Column? column = null;
        if (samplingKeyColumnName != null)
        {
            column = data.Schema.GetColumnOrNull(samplingKeyColumnName) ?? throw DataViewErrors.ColumnNotFound(samplingKeyColumnName, "samplingKeyColumnName");
            if (column.Value.Type is VectorDataViewType)
            {
                throw DataViewErrors.SchemaMismatch("samplingKeyColumnName", "sampling key", column.Value.Name, "a scalar", column.Value.Type.ToString()!);
            }
        }

        return new SplitKey(column, seed);
    }

    public IDataView Filter(IDataView data, double lo, double hi, bool complement = false)
    {
        var needed = _keyColumn is { } k ? new[] { k } : Array.Empty<DataViewSchema.Column>();
        return new FilteringDataView(data, needed, row =>
        {
            var hash = MakeHasher(row);
            return () =>
            {
                double f = (Mix(hash() ^ _seed) >> 11) * (1.0 / (1UL << 53));
                bool inside = f >= lo && f < hi;
                return inside != complement;
            };
        });
    }

    private Func<ulong> MakeHasher(DataViewRow row)
    {
        if (_keyColumn is not { } column)
        {
            return () => Mix((ulong)row.Position + 1);
        }

        var method = typeof(SplitKey).GetMethod(nameof(HashTyped), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(column.Type.RawType);
        return (Func<ulong>)method.Invoke(null, new object[] { row, column })!;
    }

    private static Func<ulong> HashTyped<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return value switch
            {
                ReadOnlyMemory<char> text => Fnv(text.Span),
                float f => Mix((ulong)BitConverter.DoubleToInt64Bits(f)),
                double d => Mix((ulong)BitConverter.DoubleToInt64Bits(d)),
                _ => Fnv((value?.ToString() ?? string.Empty).AsSpan()),
            };
        };
    }

    private static ulong Fnv(ReadOnlySpan<char> text)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in text)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return Mix(h);
    }

    internal static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
