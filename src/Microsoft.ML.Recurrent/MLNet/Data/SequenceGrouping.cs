using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.MLNet.Data;

/// <summary>
/// Groups one-row-per-step data into one row per sequence: rows sharing a key, ordered by time, their feature columns
/// stacked step after step (step-major: <c>[t0f0, t0f1, ..., t1f0, ...]</c>), padded or truncated to a fixed length
/// when one is given. Reads the input once and holds the result in memory.
/// </summary>
internal sealed class SequenceGrouping
{
    public required string KeyColumnName { get; init; }

    public string? TimeColumnName { get; init; }

    public required string[] FeatureColumnNames { get; init; }

    public required string OutputColumnName { get; init; }

    public string? LabelColumnName { get; init; }

    public SequenceLabelSelection LabelSelection { get; init; }

    public int? SequenceLength { get; init; }

    public SequencePadding Padding { get; init; }

    public SequenceTruncation Truncation { get; init; }

    public float PaddingValue { get; init; }

    public IDataView Apply(IDataView input)
    {
        var schema = input.Schema;
        var key = FindColumn(schema, KeyColumnName, "keyColumnName");
        if (key.Type is VectorDataViewType)
        {
            throw new ArgumentOutOfRangeException("keyColumnName", $"Key column '{key.Name}' must be a scalar (text, number or key), got {key.Type}.");
        }

        DataViewSchema.Column? time = TimeColumnName == null ? null : FindColumn(schema, TimeColumnName, "timeColumnName");
        if (time is { } t && !IsOrderable(t.Type))
        {
            throw new ArgumentOutOfRangeException("timeColumnName", $"Time column '{t.Name}' must be a number, key, DateTime, DateTimeOffset or TimeSpan, got {t.Type}.");
        }

        DataViewSchema.Column? label = LabelColumnName == null ? null : FindColumn(schema, LabelColumnName, "labelColumnName");
        var features = FeatureColumnNames.Select(name => FindColumn(schema, name, "featureColumnNames")).ToArray();
        var featureWidths = features.Select(FeatureWidth).ToArray();
        int stepWidth = featureWidths.Sum();

        var needed = new List<DataViewSchema.Column> { key };
        needed.AddRange(features);
        if (time is { } tc)
        {
            needed.Add(tc);
        }

        if (label is { } lc)
        {
            needed.Add(lc);
        }

        var steps = new List<float>();
        var groupOf = new Dictionary<object, int>();
        var groups = new List<List<int>>();
        var firstRowOfGroup = new List<int>();
        BufferedColumn keyValues, timeValues = null!, labelValues = null!;
        using (var cursor = input.GetRowCursor(needed.Distinct()))
        {
            keyValues = BufferedColumn.Create(cursor, key);
            if (time is { } tcol)
            {
                timeValues = BufferedColumn.Create(cursor, tcol);
            }

            if (label is { } lcol)
            {
                labelValues = BufferedColumn.Create(cursor, lcol);
            }

            var readers = features.Select((c, i) => FeatureReader(cursor, c, featureWidths[i])).ToArray();
            int row = 0;
            var buffer = new float[stepWidth];
            while (cursor.MoveNext())
            {
                keyValues.ReadCurrent();
                object groupKey = keyValues.GroupingKey(row)
                    ?? throw new InvalidOperationException($"Key column '{key.Name}' is missing (empty, NaN or key 0) at input row {row}; every row needs a key to be grouped.");
                if (!groupOf.TryGetValue(groupKey, out int g))
                {
                    g = groups.Count;
                    groupOf.Add(groupKey, g);
                    groups.Add([]);
                    firstRowOfGroup.Add(row);
                }

                groups[g].Add(row);
                if (time is { } timeColumn)
                {
                    timeValues.ReadCurrent();
                    if (timeValues.GroupingKey(row) == null)
                    {
                        throw new InvalidOperationException($"Time column '{timeColumn.Name}' is missing (NaN or key 0) at input row {row} (key {keyValues.Format(row)}).");
                    }
                }

                if (label != null)
                {
                    labelValues.ReadCurrent();
                }

                int offset = 0;
                for (int f = 0; f < readers.Length; f++)
                {
                    readers[f](buffer.AsSpan(offset, featureWidths[f]));
                    for (int i = 0; i < featureWidths[f]; i++)
                    {
                        if (float.IsNaN(buffer[offset + i]))
                        {
                            string slot = featureWidths[f] == 1 && features[f].Type is not VectorDataViewType ? string.Empty : $" slot {i}";
                            throw new InvalidOperationException($"Feature column '{features[f].Name}'{slot} is NaN at input row {row} (key {keyValues.Format(row)}); sequences cannot contain missing values — filter or impute them first.");
                        }
                    }

                    offset += featureWidths[f];
                }

                steps.AddRange(buffer);
                row++;
            }
        }

        var sequences = new VBuffer<float>[groups.Count];
        var labelRows = new int[groups.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            var rows = groups[g];
            if (time != null)
            {
                rows = OrderByTime(rows, timeValues, keyValues);
            }

            var kept = Keep(rows, keyValues);
            labelRows[g] = label is { } lcol2 ? LabelRow(rows, kept, labelValues, keyValues, lcol2) : 0;
            sequences[g] = Shape(kept, steps, stepWidth);
        }

        var builder = new DataViewSchema.Builder();
        builder.AddColumn(key.Name, key.Type, key.Annotations);
        var sequenceType = SequenceLength is int length
            ? new VectorDataViewType(NumberDataViewType.Single, length, stepWidth)
            : new VectorDataViewType(NumberDataViewType.Single);
        builder.AddColumn(OutputColumnName, sequenceType);
        var columns = new List<Array> { keyValues.Select(firstRowOfGroup), sequences };
        if (label is { } labelColumn)
        {
            builder.AddColumn(labelColumn.Name, labelColumn.Type, labelColumn.Annotations);
            columns.Add(labelValues.Select(labelRows));
        }

        return new ColumnArrayDataView(builder.ToSchema(), columns.ToArray(), groups.Count);
    }

    private static DataViewSchema.Column FindColumn(DataViewSchema schema, string name, string parameter) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(parameter, $"Column '{name}' not found in the input schema.");

    private static bool IsOrderable(DataViewType type) =>
        type is NumberDataViewType or KeyDataViewType
        || type.RawType == typeof(DateTime) || type.RawType == typeof(DateTimeOffset) || type.RawType == typeof(TimeSpan);

    private static int FeatureWidth(DataViewSchema.Column column) => column.Type switch
    {
        NumberDataViewType => 1,
        VectorDataViewType { IsKnownSize: true } v when v.ItemType == NumberDataViewType.Single => v.Size,
        _ => throw new ArgumentOutOfRangeException("featureColumnNames", $"Feature column '{column.Name}' must be a number or a known-size Vector<Single>, got {column.Type}."),
    };

    private static Action<Span<float>> FeatureReader(DataViewRow row, DataViewSchema.Column column, int width)
    {
        if (column.Type is VectorDataViewType)
        {
            var getter = row.GetGetter<VBuffer<float>>(column);
            VBuffer<float> value = default;
            return destination =>
            {
                getter(ref value);
                destination.Clear();
                foreach (var item in value.Items())
                {
                    destination[item.Key] = item.Value;
                }
            };
        }

        var raw = column.Type.RawType;
        if (raw == typeof(float))
        {
            var getter = row.GetGetter<float>(column);
            float value = 0;
            return destination =>
            {
                getter(ref value);
                destination[0] = value;
            };
        }

        var make = typeof(SequenceGrouping).GetMethod(nameof(ConvertingReader), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        return (Action<Span<float>>)make.MakeGenericMethod(raw).Invoke(null, [row, column])!;
    }

    // Other number types (Double, integers) are converted to Single, the engine's compute type.
    private static Action<Span<float>> ConvertingReader<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return destination =>
        {
            getter(ref value);
            destination[0] = Convert.ToSingle(value, CultureInfo.InvariantCulture);
        };
    }

    private static List<int> OrderByTime(List<int> rows, BufferedColumn time, BufferedColumn key)
    {
        var sortKeys = rows.Select(r => (IComparable)time.GroupingKey(r)!).ToArray();
        var order = Enumerable.Range(0, rows.Count).OrderBy(i => sortKeys[i]).ToArray();
        var sorted = order.Select(i => rows[i]).ToList();
        for (int i = 1; i < sorted.Count; i++)
        {
            if (time.ValuesEqual(sorted[i - 1], sorted[i]))
            {
                throw new InvalidOperationException($"Time column '{time.Column.Name}' has the value {time.Format(sorted[i])} twice for key {key.Format(sorted[i])} (input rows {Math.Min(sorted[i - 1], sorted[i])} and {Math.Max(sorted[i - 1], sorted[i])}); each step of a sequence needs its own time.");
            }
        }

        return sorted;
    }

    private List<int> Keep(List<int> rows, BufferedColumn key)
    {
        if (SequenceLength is not int length || rows.Count <= length)
        {
            return rows;
        }

        return Truncation switch
        {
            SequenceTruncation.Pre => rows.GetRange(rows.Count - length, length),
            SequenceTruncation.Post => rows.GetRange(0, length),
            _ => throw new InvalidOperationException($"Key {key.Format(rows[0])} of column '{key.Column.Name}' has {rows.Count} rows, more than sequenceLength {length}, and truncation is None; pass truncation: Pre (keep the latest steps) or Post (keep the earliest), or a larger sequenceLength."),
        };
    }

    private int LabelRow(List<int> rows, List<int> kept, BufferedColumn labels, BufferedColumn key, DataViewSchema.Column labelColumn)
    {
        if (LabelSelection == SequenceLabelSelection.LastStep)
        {
            return kept[^1];
        }

        foreach (int r in rows)
        {
            if (!labels.ValuesEqual(rows[0], r))
            {
                throw new InvalidOperationException($"Label column '{labelColumn.Name}' differs within key {key.Format(r)}: {labels.Format(rows[0])} at input row {rows[0]}, {labels.Format(r)} at input row {r}; pass labelSelection: LastStep to label each sequence by its last step.");
            }
        }

        return kept[^1];
    }

    private VBuffer<float> Shape(List<int> kept, List<float> steps, int stepWidth)
    {
        int length = SequenceLength ?? kept.Count;
        var values = new float[length * stepWidth];
        int start = SequenceLength != null && Padding == SequencePadding.Pre ? length - kept.Count : 0;
        values.AsSpan().Fill(PaddingValue);
        for (int s = 0; s < kept.Count; s++)
        {
            for (int f = 0; f < stepWidth; f++)
            {
                values[((start + s) * stepWidth) + f] = steps[(kept[s] * stepWidth) + f];
            }
        }

        return new VBuffer<float>(values.Length, values);
    }
}
