using Microsoft.ML.Data;

namespace Microsoft.ML.Transforms.TimeSeries;

/// <summary>Reads the series and covariate columns of a data view, in row order, checking type and values.</summary>
internal static class SeriesColumns
{
    /// <summary>Throws unless every column in <paramref name="names"/> exists in <paramref name="schema"/> with type <see cref="float"/> (Single).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or not Single.</exception>
    public static DataViewSchema.Column[] Check(DataViewSchema schema, IReadOnlyList<string> names)
    {
        var columns = new DataViewSchema.Column[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            var column = schema.GetColumnOrNull(names[i])
                ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Could not find input column '{names[i]}'.");
            if (column.Type != NumberDataViewType.Single)
            {
                throw new ArgumentOutOfRangeException(nameof(schema),
                    $"Schema mismatch for input column '{names[i]}': expected Single, got {column.Type}.");
            }

            columns[i] = column;
        }

        return columns;
    }

    /// <summary>The values of <paramref name="names"/> (series first), one array per column, in row order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or not Single.</exception>
    /// <exception cref="InvalidOperationException">A value is NaN or infinite (the message names column and row).</exception>
    /// <param name="data">The data.</param>
    /// <param name="names">The column names.</param>
    /// <param name="firstRow">The row number of the first row in error messages (the engine counts observations across calls).</param>
    public static float[][] Read(IDataView data, IReadOnlyList<string> names, long firstRow = 0)
    {
        var columns = Check(data.Schema, names);
        var values = names.Select(_ => new List<float>()).ToArray();
        using var cursor = data.GetRowCursor(columns);
        var getters = columns.Select(c => cursor.GetGetter<float>(c)).ToArray();
        long row = firstRow;
        while (cursor.MoveNext())
        {
            for (int i = 0; i < columns.Length; i++)
            {
                float value = 0;
                getters[i](ref value);
                CheckFinite(value, names[i], row);
                values[i].Add(value);
            }

            row++;
        }

        return values.Select(v => v.ToArray()).ToArray();
    }

    /// <summary>Throws when <paramref name="value"/> is NaN or infinite.</summary>
    /// <exception cref="InvalidOperationException">The value is not finite.</exception>
    public static void CheckFinite(float value, string column, long row)
    {
        if (!float.IsFinite(value))
        {
            throw new InvalidOperationException(
                $"Column '{column}', row {row}: the value is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}; a forecasting series and its covariates must be finite (fill or drop missing values first).");
        }
    }
}
