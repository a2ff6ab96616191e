using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.MLNet.Data;

/// <summary>
/// Reads a label column into floats, <see cref="Width"/> per row, checking for missing values:
/// regression (Single, or a known-size Single vector for multi-output), binary (Boolean, or Single 0/1) and
/// multiclass (a key: the class index 0..K-1, as after <c>MapValueToKey</c>).
/// </summary>
internal sealed class LabelColumn
{
    private readonly Func<DataViewRow, Action<long, Span<float>>> _bind;

    private LabelColumn(string name, int width, Func<DataViewRow, Action<long, Span<float>>> bind)
    {
        Name = name;
        Width = width;
        _bind = bind;
    }

    /// <summary>The column name.</summary>
    public string Name { get; }

    /// <summary>Floats per row.</summary>
    public int Width { get; }

    /// <summary>For a key label: the number of classes; otherwise 0.</summary>
    public int ClassCount { get; private init; }

    /// <summary>A reader of the label on <paramref name="row"/>: writes row <c>index</c>'s label into the span.</summary>
    public Action<long, Span<float>> Bind(DataViewRow row) => _bind(row);

    /// <summary>A regression label: Single, or a known-size vector of Single (one output per element).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such column.</exception>
    /// <exception cref="ArgumentException">Wrong type.</exception>
    public static LabelColumn Regression(DataViewSchema schema, string name)
    {
        var column = Find(schema, name);
        if (column.Type == NumberDataViewType.Single)
        {
            return new LabelColumn(name, 1, row =>
            {
                var get = row.GetGetter<float>(column);
                float v = 0;
                return (index, dst) =>
                {
                    get(ref v);
                    if (float.IsNaN(v)) throw Missing(name, index, "NaN");
                    dst[0] = v;
                };
            });
        }
        if (column.Type is VectorDataViewType { IsKnownSize: true } vector && vector.ItemType == NumberDataViewType.Single)
        {
            int width = vector.Size;
            return new LabelColumn(name, width, row =>
            {
                var get = row.GetGetter<VBuffer<float>>(column);
                var v = default(VBuffer<float>);
                return (index, dst) =>
                {
                    get(ref v);
                    v.CopyTo(dst[..width]);
                    for (int i = 0; i < width; i++)
                        if (float.IsNaN(dst[i])) throw Missing(name, index, $"NaN at element {i}");
                };
            });
        }
        throw new ArgumentException($"Label column '{name}' has type {column.Type}; regression needs Single or a known-size vector of Single.", nameof(name));
    }

    /// <summary>A binary label: Boolean, or Single where 0 is negative and anything else positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such column.</exception>
    /// <exception cref="ArgumentException">Wrong type.</exception>
    public static LabelColumn Binary(DataViewSchema schema, string name)
    {
        var column = Find(schema, name);
        if (column.Type == BooleanDataViewType.Instance)
        {
            return new LabelColumn(name, 1, row =>
            {
                var get = row.GetGetter<bool>(column);
                bool v = false;
                return (_, dst) =>
                {
                    get(ref v);
                    dst[0] = v ? 1 : 0;
                };
            });
        }
        if (column.Type == NumberDataViewType.Single)
        {
            return new LabelColumn(name, 1, row =>
            {
                var get = row.GetGetter<float>(column);
                float v = 0;
                return (index, dst) =>
                {
                    get(ref v);
                    if (float.IsNaN(v)) throw Missing(name, index, "NaN");
                    dst[0] = v != 0 ? 1 : 0;
                };
            });
        }
        throw new ArgumentException($"Label column '{name}' has type {column.Type}; binary classification needs Boolean or Single.", nameof(name));
    }

    /// <summary>A multiclass label: a key column (class index = key value − 1; key 0 means missing).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such column.</exception>
    /// <exception cref="ArgumentException">Not a key column, or fewer than 2 classes.</exception>
    public static LabelColumn Key(DataViewSchema schema, string name)
    {
        var column = Find(schema, name);
        if (column.Type is not KeyDataViewType key || key.RawType != typeof(uint))
            throw new ArgumentException($"Label column '{name}' has type {column.Type}; multiclass classification needs a key column of UInt32 (map values to keys with mlContext.Transforms.Conversion.MapValueToKey).", nameof(name));
        if (key.Count < 2 || key.Count > int.MaxValue)
            throw new ArgumentException($"Label column '{name}' has type {column.Type}; multiclass classification needs 2 or more classes.", nameof(name));
        int classes = (int)key.Count;
        return new LabelColumn(name, 1, row =>
        {
            var get = row.GetGetter<uint>(column);
            uint v = 0;
            return (index, dst) =>
            {
                get(ref v);
                if (v == 0 || v > classes) throw Missing(name, index, v == 0 ? "key 0 (missing value)" : $"key {v} beyond the {classes} classes");
                dst[0] = v - 1;
            };
        })
        { ClassCount = classes };
    }

    private static DataViewSchema.Column Find(DataViewSchema schema, string name)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(name), $"Label column '{name}' not found.");
    }

    private static InvalidOperationException Missing(string name, long row, string what) =>
        new($"Label column '{name}', row {row}: the label is missing ({what}); every training row needs a label.");
}
