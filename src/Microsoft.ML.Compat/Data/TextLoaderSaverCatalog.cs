using System.Globalization;
using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>Loading data from delimited text files and saving data as text.</summary>
public static class TextLoaderSaverCatalog
{
    /// <summary>Creates a text loader whose columns come from the <see cref="LoadColumnAttribute"/> members of <typeparamref name="TInput"/>.</summary>
    /// <typeparam name="TInput">The class describing the columns.</typeparam>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="separatorChar">The field separator. Default tab.</param>
    /// <param name="hasHeader">Whether the first line of each file is a header.</param>
    /// <param name="dataSample">A sample of the data; accepted for compatibility.</param>
    /// <param name="allowQuoting">Whether fields may be enclosed in double quotes.</param>
    /// <param name="trimWhitespace">Whether whitespace around fields is removed.</param>
    /// <param name="allowSparse">Whether the sparse format is accepted (not supported here; must be false).</param>
    public static TextLoader CreateTextLoader<TInput>(this DataOperationsCatalog catalog, char separatorChar = '\t', bool hasHeader = false, IMultiStreamSource? dataSample = null, bool allowQuoting = false, bool trimWhitespace = false, bool allowSparse = false)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TextLoader(catalog.Context, new TextLoader.Options
        {
            Columns = TextLoader.ColumnsFromType<TInput>(),
            Separators = new[] { separatorChar },
            HasHeader = hasHeader,
            AllowQuoting = allowQuoting,
            TrimWhitespace = trimWhitespace,
            AllowSparse = allowSparse,
        });
    }

    /// <summary>Creates a text loader with the given options.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="options">The options, including the columns.</param>
    /// <param name="dataSample">A sample of the data; accepted for compatibility.</param>
    public static TextLoader CreateTextLoader(this DataOperationsCatalog catalog, TextLoader.Options options, IMultiStreamSource? dataSample = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TextLoader(catalog.Context, options);
    }

    /// <summary>Creates a text loader with the given columns.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="columns">The columns.</param>
    /// <param name="separatorChar">The field separator. Default tab.</param>
    /// <param name="hasHeader">Whether the first line of each file is a header.</param>
    /// <param name="dataSample">A sample of the data; accepted for compatibility.</param>
    /// <param name="allowQuoting">Whether fields may be enclosed in double quotes.</param>
    /// <param name="trimWhitespace">Whether whitespace around fields is removed.</param>
    /// <param name="allowSparse">Whether the sparse format is accepted (not supported here; must be false).</param>
    public static TextLoader CreateTextLoader(this DataOperationsCatalog catalog, TextLoader.Column[] columns, char separatorChar = '\t', bool hasHeader = false, IMultiStreamSource? dataSample = null, bool allowQuoting = false, bool trimWhitespace = false, bool allowSparse = false)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TextLoader(catalog.Context, new TextLoader.Options
        {
            Columns = columns,
            Separators = new[] { separatorChar },
            HasHeader = hasHeader,
            AllowQuoting = allowQuoting,
            TrimWhitespace = trimWhitespace,
            AllowSparse = allowSparse,
        });
    }

    /// <summary>Loads a text file whose columns come from the <see cref="LoadColumnAttribute"/> members of <typeparamref name="TInput"/>. The file is read lazily.</summary>
    /// <typeparam name="TInput">The class describing the columns.</typeparam>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="path">The file path.</param>
    /// <param name="separatorChar">The field separator. Default tab.</param>
    /// <param name="hasHeader">Whether the first line is a header.</param>
    /// <param name="allowQuoting">Whether fields may be enclosed in double quotes.</param>
    /// <param name="trimWhitespace">Whether whitespace around fields is removed.</param>
    /// <param name="allowSparse">Whether the sparse format is accepted (not supported here; must be false).</param>
    public static IDataView LoadFromTextFile<TInput>(this DataOperationsCatalog catalog, string path, char separatorChar = '\t', bool hasHeader = false, bool allowQuoting = false, bool trimWhitespace = false, bool allowSparse = false)
    {
        CheckPath(path);
        return catalog.CreateTextLoader<TInput>(separatorChar, hasHeader, null, allowQuoting, trimWhitespace, allowSparse).Load(new MultiFileSource(path));
    }

    /// <summary>Loads a text file whose columns come from <typeparamref name="TInput"/>, with the other options from <paramref name="options"/>.</summary>
    /// <typeparam name="TInput">The class describing the columns.</typeparam>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="path">The file path.</param>
    /// <param name="options">The options; its columns are replaced by those of <typeparamref name="TInput"/>.</param>
    public static IDataView LoadFromTextFile<TInput>(this DataOperationsCatalog catalog, string path, TextLoader.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        CheckPath(path);
        var copy = options.Clone();
        copy.Columns = TextLoader.ColumnsFromType<TInput>();
        return new TextLoader(catalog.Context, copy).Load(new MultiFileSource(path));
    }

    /// <summary>Loads a text file with the given columns.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="path">The file path.</param>
    /// <param name="columns">The columns.</param>
    /// <param name="separatorChar">The field separator. Default tab.</param>
    /// <param name="hasHeader">Whether the first line is a header.</param>
    /// <param name="allowQuoting">Whether fields may be enclosed in double quotes.</param>
    /// <param name="trimWhitespace">Whether whitespace around fields is removed.</param>
    /// <param name="allowSparse">Whether the sparse format is accepted (not supported here; must be false).</param>
    public static IDataView LoadFromTextFile(this DataOperationsCatalog catalog, string path, TextLoader.Column[] columns, char separatorChar = '\t', bool hasHeader = false, bool allowQuoting = false, bool trimWhitespace = false, bool allowSparse = false)
    {
        CheckPath(path);
        return catalog.CreateTextLoader(columns, separatorChar, hasHeader, null, allowQuoting, trimWhitespace, allowSparse).Load(new MultiFileSource(path));
    }

    /// <summary>Loads a text file with the given options.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="path">The file path.</param>
    /// <param name="options">The options, including the columns.</param>
    public static IDataView LoadFromTextFile(this DataOperationsCatalog catalog, string path, TextLoader.Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckPath(path);
        return catalog.CreateTextLoader(options).Load(new MultiFileSource(path));
    }

    private static void CheckPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new ArgumentException($"File '{path}' does not exist.", nameof(path));
        }
    }

    /// <summary>
    /// Writes <paramref name="data"/> as delimited text: optionally a "#@ TextLoader{...}" schema comment, a header row of
    /// column names, then one line per row (vectors spread over consecutive fields, NaN written as "?").
    /// </summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The data.</param>
    /// <param name="stream">The stream to write; it is left open.</param>
    /// <param name="separatorChar">The field separator. Default tab.</param>
    /// <param name="headerRow">Whether a header row of column names is written.</param>
    /// <param name="schema">Whether the schema comment line is written.</param>
    /// <param name="keepHidden">Whether hidden columns are written too.</param>
    /// <param name="forceDense">Accepted for compatibility; vectors are always written densely.</param>
    public static void SaveAsText(this DataOperationsCatalog catalog, IDataView data, Stream stream, char separatorChar = '\t', bool headerRow = true, bool schema = true, bool keepHidden = false, bool forceDense = false)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(stream);
        var columns = data.Schema.Where(c => keepHidden || !c.IsHidden).ToArray();
        foreach (var c in columns)
        {
            var item = c.Type is VectorDataViewType v ? v.ItemType : c.Type;
            if (item is RowIdDataViewType)
            {
                throw new ArgumentOutOfRangeException(nameof(data), $"Column '{c.Name}' of type {c.Type} cannot be saved as text.");
            }
        }

        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 65536, leaveOpen: true);
        string sep = separatorChar.ToString();
        using var cursor = data.GetRowCursor(columns);
        var formatters = columns.Select(c => TextValueFormatter.Create(cursor, c, separatorChar)).ToArray();
        if (schema)
        {
            var parts = new List<string>();
            int index = 0;
            foreach (var c in columns)
            {
                var item = c.Type is VectorDataViewType v ? v.ItemType : c.Type;
                int width = c.Type is VectorDataViewType vv ? vv.Size : 1;
                string kind = DataViewTypeCodec.ToDataKind(item.RawType).ToString();
                string key = item is KeyDataViewType k ? $"{{{k.Count}}}" : string.Empty;
                string range = c.Type is VectorDataViewType vt && vt.Size == 0 ? $"{index}-*" : width == 1 ? $"{index}" : $"{index}-{index + width - 1}";
                parts.Add($"col={c.Name}:{kind}{key}:{range}");
                index += width;
            }

            writer.WriteLine($"#@ TextLoader{{{(headerRow ? "header+ " : string.Empty)}sep={(separatorChar == '\t' ? "tab" : sep)} {string.Join(" ", parts)}}}");
        }

        if (headerRow)
        {
            var names = new List<string>();
            foreach (var c in columns)
            {
                int width = c.Type is VectorDataViewType v && v.Size > 0 ? v.Size : 1;
                names.Add(c.Name);
                names.AddRange(Enumerable.Repeat(string.Empty, width - 1));
            }

            writer.WriteLine(string.Join(sep, names));
        }

        var fields = new List<string>();
        while (cursor.MoveNext())
        {
            fields.Clear();
            foreach (var f in formatters)
            {
                f(fields);
            }

            writer.WriteLine(string.Join(sep, fields));
        }
    }
}

/// <summary>Formats the values of one column as text fields.</summary>
internal static class TextValueFormatter
{
    public static Action<List<string>> Create(DataViewRow row, DataViewSchema.Column column, char separator)
    {
        var item = column.Type is VectorDataViewType v ? v.ItemType : column.Type;
        var method = typeof(TextValueFormatter).GetMethod(column.Type is VectorDataViewType ? nameof(Vector) : nameof(Scalar), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(item.RawType);
        return (Action<List<string>>)method.Invoke(null, new object[] { row, column, item is KeyDataViewType, separator })!;
    }

    private static Action<List<string>> Scalar<T>(DataViewRow row, DataViewSchema.Column column, bool isKey, char separator)
    {
        var g = row.GetGetter<T>(column);
        T value = default!;
        return fields =>
        {
            g(ref value);
            fields.Add(Format(value, isKey, separator));
        };
    }

    private static Action<List<string>> Vector<T>(DataViewRow row, DataViewSchema.Column column, bool isKey, char separator)
    {
        var g = row.GetGetter<VBuffer<T>>(column);
        VBuffer<T> value = default;
        return fields =>
        {
            g(ref value);
            foreach (var x in value.DenseValues())
            {
                fields.Add(Format(x, isKey, separator));
            }
        };
    }

    internal static string Format<T>(T value, bool isKey, char separator)
    {
        var c = CultureInfo.InvariantCulture;
        if (isKey)
        {
            ulong k = Convert.ToUInt64(value, c);
            return k == 0 ? string.Empty : (k - 1).ToString(c);
        }

        string s = value switch
        {
            float f => float.IsNaN(f) ? "?" : f.ToString("R", c),
            double d => double.IsNaN(d) ? "?" : d.ToString("R", c),
            ReadOnlyMemory<char> m => m.ToString(),
            DateTime dt => dt.ToString("o", c),
            DateTimeOffset dto => dto.ToString("o", c),
            IFormattable fm => fm.ToString(null, c),
            _ => value?.ToString() ?? string.Empty,
        };
        if (value is ReadOnlyMemory<char> && (s.Contains(separator) || s.Contains('"') || s.Length == 0))
        {
            s = "\"" + s.Replace("\"", "\"\"") + "\"";
        }

        return s;
    }
}
