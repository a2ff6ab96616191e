using System.Globalization;
using System.Reflection;
using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Runtime;

[assembly: Microsoft.ML.LoadableClass(typeof(Microsoft.ML.Data.TextLoader), typeof(Microsoft.ML.Data.TextLoader), null, typeof(Microsoft.ML.SignatureLoadModel), "Text loader", Microsoft.ML.Data.TextLoader.LoaderSignature)]

namespace Microsoft.ML.Data;

/// <summary>
/// Loads delimited text files (CSV, TSV...). Each column reads one or more source fields (0-based) and parses them as
/// its <see cref="DataKind"/>. Files are streamed line by line on every cursor; nothing is kept in memory.
/// </summary>
public sealed class TextLoader : IDataLoader<IMultiStreamSource>
{
    internal const string LoaderSignature = "TextLoader";
    private readonly Options _options;
    private readonly ColumnBinding[] _bindings;

    internal TextLoader(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(env);
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Columns == null || options.Columns.Length == 0)
        {
            throw new ArgumentException("The text loader needs at least one column.", nameof(options));
        }

        if (options.Separators == null || options.Separators.Length == 0)
        {
            throw new ArgumentException("The text loader needs at least one separator.", nameof(options));
        }

        if (options.AllowSparse)
        {
            throw new ArgumentException("The sparse text format (allowSparse: true) is not supported by Microsoft.ML.Compat.", nameof(options));
        }

        if (options.DecimalMarker != '.' && options.DecimalMarker != ',')
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DecimalMarker, "DecimalMarker must be '.' or ','.");
        }

        _bindings = options.Columns.Select(ColumnBinding.Create).ToArray();
        var builder = new DataViewSchema.Builder();
        foreach (var b in _bindings)
        {
            builder.AddColumn(b.Name, b.Type);
        }

        Schema = builder.ToSchema();
    }

    private DataViewSchema Schema { get; }

    /// <summary>Returns a lazily read data view over <paramref name="input"/>.</summary>
    /// <param name="input">The files to read.</param>
    public IDataView Load(IMultiStreamSource input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new TextDataView(this, input);
    }

    /// <summary>Returns the schema of the loaded data.</summary>
    public DataViewSchema GetOutputSchema() => Schema;

    internal static VersionInfo GetVersionInfo() => new("TXTLOADR", 0x00010001, 0x00010001, 0x00010001, typeof(TextLoader).Assembly.FullName!, LoaderSignature);

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        var w = ctx.Writer;
        w.Write(new string(_options.Separators));
        w.Write(_options.HasHeader);
        w.Write(_options.AllowQuoting);
        w.Write(_options.TrimWhitespace);
        w.Write(_options.MissingRealsAsNaNs);
        w.Write(_options.DecimalMarker);
        w.Write(_options.EscapeChar);
        w.Write(_options.MaxRows ?? -1);
        w.Write(_options.Columns.Length);
        foreach (var c in _options.Columns)
        {
            ctx.SaveNonEmptyString(c.Name);
            w.Write((byte)c.DataKind);
            w.Write(c.KeyCount?.Count ?? 0UL);
            w.Write(c.Source.Length);
            foreach (var r in c.Source)
            {
                w.Write(r.Min);
                w.Write(r.Max ?? -1);
                w.Write(r.AutoEnd);
                w.Write(r.VariableEnd);
                w.Write(r.ForceVector);
            }
        }
    }

    private static TextLoader Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(GetVersionInfo());
        var r = ctx.Reader;
        var o = new Options
        {
            Separators = r.ReadString().ToCharArray(),
            HasHeader = r.ReadBoolean(),
            AllowQuoting = r.ReadBoolean(),
            TrimWhitespace = r.ReadBoolean(),
            MissingRealsAsNaNs = r.ReadBoolean(),
            DecimalMarker = r.ReadChar(),
            EscapeChar = r.ReadChar(),
        };
        long maxRows = r.ReadInt64();
        o.MaxRows = maxRows < 0 ? null : maxRows;
        int n = r.ReadInt32();
        if (n <= 0 || n > 100_000)
        {
            throw new FormatException($"Text loader declares {n} columns.");
        }

        o.Columns = new Column[n];
        for (int i = 0; i < n; i++)
        {
            string name = ctx.LoadNonEmptyString();
            var kind = (DataKind)r.ReadByte();
            ulong keyCount = r.ReadUInt64();
            int nr = r.ReadInt32();
            var ranges = new Range[nr];
            for (int j = 0; j < nr; j++)
            {
                int min = r.ReadInt32();
                int max = r.ReadInt32();
                ranges[j] = new Range(min, max < 0 ? null : max) { AutoEnd = r.ReadBoolean(), VariableEnd = r.ReadBoolean(), ForceVector = r.ReadBoolean() };
            }

            o.Columns[i] = new Column(name, kind, ranges, keyCount == 0 ? null : new KeyCount(keyCount));
        }

        return new TextLoader(env, o);
    }

    /// <summary>Builds the options of a loader for <typeparamref name="TInput"/> from its <see cref="LoadColumnAttribute"/> members.</summary>
    internal static Column[] ColumnsFromType<TInput>()
    {
        var columns = new List<Column>();
        var def = SchemaDefinition.Create(typeof(TInput), SchemaDefinition.Direction.Read);
        foreach (var c in def)
        {
            var member = PocoTypes.FindMember(typeof(TInput), c.MemberName);
            var load = member.GetCustomAttribute<LoadColumnAttribute>()
                ?? throw new InvalidOperationException($"Field or property '{member.Name}' of '{typeof(TInput).Name}' has no LoadColumn attribute; every column loaded from text needs one.");
            var type = c.ColumnType;
            var item = type is VectorDataViewType v ? v.ItemType : type;
            var kind = DataViewTypeCodec.ToDataKind(item.RawType);
            KeyCount? keyCount = item is KeyDataViewType k ? new KeyCount(k.Count) : null;
            columns.Add(new Column(c.ColumnName, kind, load.Sources.ToArray(), keyCount) { ForceVectorFromMember = type is VectorDataViewType, Dimensions = type is VectorDataViewType vt && vt.IsKnownSize ? vt.Dimensions.ToArray() : null });
        }

        return columns.ToArray();
    }

    /// <summary>The options of a <see cref="TextLoader"/>.</summary>
    public sealed class Options
    {
        /// <summary>Whether fields may be enclosed in double quotes (which may then contain separators). Default false.</summary>
        public bool AllowQuoting;

        /// <summary>Whether the sparse "length index:value" format is accepted. Default false.</summary>
        public bool AllowSparse;

        /// <summary>The number of fields per line, for the sparse format; null when unknown.</summary>
        public int? InputSize;

        /// <summary>The field separators. Default tab.</summary>
        public char[] Separators = { '\t' };

        /// <summary>The decimal marker of numbers: '.' (default) or ','.</summary>
        public char DecimalMarker = '.';

        /// <summary>The columns to load.</summary>
        public Column[] Columns = Array.Empty<Column>();

        /// <summary>Whether whitespace around fields is removed. Default false.</summary>
        public bool TrimWhitespace;

        /// <summary>Whether the first line of each file is a header and is skipped. Default false.</summary>
        public bool HasHeader;

        /// <summary>Whether several threads may parse; accepted for compatibility.</summary>
        public bool UseThreads = true;

        /// <summary>Whether quoted fields may span lines; accepted for compatibility.</summary>
        public bool ReadMultilines;

        /// <summary>A file whose first line is the header; accepted for compatibility.</summary>
        public string? HeaderFile;

        /// <summary>The maximum number of rows to read; null reads all.</summary>
        public long? MaxRows;

        /// <summary>The character that escapes a quote inside a quoted field. Default '"' (a doubled quote).</summary>
        public char EscapeChar = '"';

        /// <summary>Whether empty floating-point fields read as NaN (true) or 0 (false, the default).</summary>
        public bool MissingRealsAsNaNs;

        internal Options Clone() => (Options)MemberwiseClone();
    }

    /// <summary>A column of a text loader: its name, its kind and the source fields it reads.</summary>
    public sealed class Column
    {
        /// <summary>Creates an empty column description.</summary>
        public Column()
        {
        }

        /// <summary>Creates a scalar column reading source field <paramref name="index"/>.</summary>
        /// <param name="name">The column name.</param>
        /// <param name="dataKind">The kind of the values.</param>
        /// <param name="index">The 0-based source field.</param>
        public Column(string name, DataKind dataKind, int index)
            : this(name, dataKind, new[] { new Range(index) })
        {
        }

        /// <summary>Creates a vector column reading source fields <paramref name="minIndex"/> to <paramref name="maxIndex"/> (both included).</summary>
        /// <param name="name">The column name.</param>
        /// <param name="dataKind">The kind of the values.</param>
        /// <param name="minIndex">The first source field.</param>
        /// <param name="maxIndex">The last source field.</param>
        public Column(string name, DataKind dataKind, int minIndex, int maxIndex)
            : this(name, dataKind, new[] { new Range(minIndex, maxIndex) })
        {
        }

        /// <summary>Creates a column reading the given source ranges.</summary>
        /// <param name="name">The column name.</param>
        /// <param name="dataKind">The kind of the values.</param>
        /// <param name="source">The source ranges.</param>
        /// <param name="keyCount">When not null, the column is a key with this count.</param>
        public Column(string name, DataKind dataKind, Range[] source, KeyCount? keyCount = null)
        {
            Name = name;
            DataKind = dataKind;
            Source = source;
            KeyCount = keyCount;
        }

        /// <summary>The column name.</summary>
        public string Name = string.Empty;

        /// <summary>The source ranges.</summary>
        public Range[] Source = Array.Empty<Range>();

        /// <summary>When not null, the column is a key with this count.</summary>
        public KeyCount? KeyCount;

        /// <summary>The kind of the values.</summary>
        public DataKind DataKind { get; set; } = DataKind.Single;

        internal bool ForceVectorFromMember { get; init; }

        internal int[]? Dimensions { get; init; }
    }

    /// <summary>A range of source fields (0-based, both ends included).</summary>
    public sealed class Range
    {
        /// <summary>Creates an empty range.</summary>
        public Range()
        {
        }

        /// <summary>Creates a single-field range.</summary>
        /// <param name="index">The field index.</param>
        public Range(int index)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            Min = index;
            Max = index;
        }

        /// <summary>Creates a range from <paramref name="min"/> to <paramref name="max"/>; a null max reads to the end of the line.</summary>
        /// <param name="min">The first field.</param>
        /// <param name="max">The last field, or null.</param>
        public Range(int min, int? max)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(min);
            if (max < min)
            {
                throw new ArgumentOutOfRangeException(nameof(max), max, $"Must be at least min ({min}).");
            }

            Min = min;
            Max = max;
            VariableEnd = max == null;
        }

        /// <summary>The first field.</summary>
        public int Min;

        /// <summary>The last field; null means the end of the line.</summary>
        public int? Max;

        /// <summary>Whether the range ends at the last field of the input size.</summary>
        public bool AutoEnd;

        /// <summary>Whether the range ends at the end of each line (variable-size vector).</summary>
        public bool VariableEnd;

        /// <summary>Whether the range covers all fields not used by other columns.</summary>
        public bool AllOther;

        /// <summary>Whether a single field is still loaded as a vector of size 1.</summary>
        public bool ForceVector;
    }

    /// <summary>How one column reads its fields.</summary>
    private sealed class ColumnBinding
    {
        public string Name = string.Empty;
        public DataViewType Type = NumberDataViewType.Single;
        public PrimitiveDataViewType ItemType = NumberDataViewType.Single;
        public int[] Fixed = Array.Empty<int>();
        public int VariableFrom = -1;

        public static ColumnBinding Create(Column c)
        {
            if (string.IsNullOrEmpty(c.Name))
            {
                throw new ArgumentException("Every text loader column needs a name.", nameof(c));
            }

            if (c.Source == null || c.Source.Length == 0)
            {
                throw new ArgumentException($"Text loader column '{c.Name}' has no source fields.", nameof(c));
            }

            PrimitiveDataViewType item = c.KeyCount?.Count is ulong count
                ? new KeyDataViewType(DataViewTypeCodec.ToRawType(c.DataKind), count)
                : DataViewTypeCodec.FromDataKind(c.DataKind);
            var fixedIdx = new List<int>();
            int variableFrom = -1;
            bool forceVector = c.ForceVectorFromMember;
            foreach (var r in c.Source)
            {
                if (r.AllOther)
                {
                    throw new ArgumentException($"Text loader column '{c.Name}': AllOther ranges are not supported.", nameof(c));
                }

                forceVector |= r.ForceVector;
                if (r.Max == null || r.VariableEnd || r.AutoEnd)
                {
                    if (variableFrom >= 0 || !ReferenceEquals(r, c.Source[^1]))
                    {
                        throw new ArgumentException($"Text loader column '{c.Name}': only the last range may end at the end of the line.", nameof(c));
                    }

                    variableFrom = r.Min;
                }
                else
                {
                    for (int i = r.Min; i <= r.Max; i++)
                    {
                        fixedIdx.Add(i);
                    }
                }
            }

            DataViewType type = item;
            if (variableFrom >= 0)
            {
                type = new VectorDataViewType(item, 0);
            }
            else if (fixedIdx.Count > 1 || forceVector)
            {
                type = c.Dimensions != null && c.Dimensions.Aggregate(1, (a, b) => a * b) == fixedIdx.Count
                    ? new VectorDataViewType(item, c.Dimensions)
                    : new VectorDataViewType(item, fixedIdx.Count);
            }

            return new ColumnBinding { Name = c.Name, Type = type, ItemType = item, Fixed = fixedIdx.ToArray(), VariableFrom = variableFrom };
        }
    }

    private sealed class TextDataView : IDataView
    {
        private readonly TextLoader _loader;
        private readonly IMultiStreamSource _source;

        public TextDataView(TextLoader loader, IMultiStreamSource source)
        {
            _loader = loader;
            _source = source;
        }

        public bool CanShuffle => false;

        public DataViewSchema Schema => _loader.Schema;

        public long? GetRowCount() => null;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            new Cursor(_loader, _source, columnsNeeded);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            new[] { GetRowCursor(columnsNeeded, rand) };
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly TextLoader _loader;
        private readonly IMultiStreamSource _source;
        private readonly Delegate?[] _getters;
        private readonly List<string> _fields = new();
        private readonly System.Text.StringBuilder _field = new();
        private TextReader? _reader;
        private int _fileIndex = -1;
        private long _line;
        private long _position = -1;

        public Cursor(TextLoader loader, IMultiStreamSource source, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _loader = loader;
            _source = source;
            _getters = new Delegate?[loader.Schema.Count];
            foreach (var c in columnsNeeded)
            {
                var method = typeof(Cursor).GetMethod(c.Type is VectorDataViewType ? nameof(MakeVectorGetter) : nameof(MakeScalarGetter), BindingFlags.NonPublic | BindingFlags.Instance)!
                    .MakeGenericMethod(loader._bindings[c.Index].ItemType.RawType);
                _getters[c.Index] = (Delegate)method.Invoke(this, new object[] { loader._bindings[c.Index] })!;
            }
        }

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => _loader.Schema;

        private string CurrentPath => _source.GetPathOrNull(_fileIndex) ?? $"stream #{_fileIndex}";

        public override bool MoveNext()
        {
            if (_loader._options.MaxRows is long max && _position + 1 >= max)
            {
                return false;
            }

            while (true)
            {
                if (_reader == null)
                {
                    if (++_fileIndex >= _source.Count)
                    {
                        return false;
                    }

                    _reader = _source.OpenTextReader(_fileIndex);
                    _line = 0;
                    if (_loader._options.HasHeader)
                    {
                        // The header is the first line that is not a "#@" schema comment (as written by SaveAsText).
                        string? header;
                        do
                        {
                            header = _reader.ReadLine();
                            _line++;
                        }
                        while (header != null && header.StartsWith("#@", StringComparison.Ordinal));
                    }
                }

                string? text = _reader.ReadLine();
                if (text == null)
                {
                    _reader.Dispose();
                    _reader = null;
                    continue;
                }

                _line++;
                if (text.StartsWith("#@", StringComparison.Ordinal) || (string.IsNullOrWhiteSpace(text) && text.IndexOfAny(_loader._options.Separators) < 0))
                {
                    continue;
                }

                Split(text);
                _position++;
                return true;
            }
        }

        private void Split(string line)
        {
            var o = _loader._options;
            _fields.Clear();
            _field.Clear();
            bool inQuotes = false;
            bool wasQuoted = false;
            bool closedQuote = false;
            for (int i = 0; i < line.Length; i++)
            {
                char ch = line[i];
                if (o.AllowQuoting && inQuotes)
                {
                    if (ch == o.EscapeChar && o.EscapeChar != '"' && i + 1 < line.Length && line[i + 1] == '"')
                    {
                        _field.Append('"');
                        i++;
                    }
                    else if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"' && o.EscapeChar == '"')
                    {
                        _field.Append('"');
                        i++;
                    }
                    else if (ch == '"')
                    {
                        inQuotes = false;
                        closedQuote = true;
                    }
                    else
                    {
                        _field.Append(ch);
                    }
                }
                else if (Array.IndexOf(o.Separators, ch) >= 0)
                {
                    AddField(wasQuoted);
                    wasQuoted = false;
                    closedQuote = false;
                }
                else if (closedQuote && char.IsWhiteSpace(ch))
                {
                    // Whitespace between a closing quote and the next separator is not part of the field.
                }
                else if (o.AllowQuoting && ch == '"' && _field.ToString().Trim().Length == 0)
                {
                    _field.Clear();
                    inQuotes = true;
                    wasQuoted = true;
                }
                else
                {
                    _field.Append(ch);
                }
            }

            if (inQuotes)
            {
                throw new FormatException($"Unterminated quoted field in file '{CurrentPath}', line {_line}.");
            }

            AddField(wasQuoted);
        }

        private void AddField(bool quoted)
        {
            string s = _field.ToString();
            _fields.Add(_loader._options.TrimWhitespace && !quoted ? s.Trim() : s);
            _field.Clear();
        }

        private ValueGetter<T> MakeScalarGetter<T>(ColumnBinding b)
        {
            int index = b.Fixed[0];
            return (ref T dst) => dst = Parse<T>(b, index);
        }

        private ValueGetter<VBuffer<T>> MakeVectorGetter<T>(ColumnBinding b)
        {
            return (ref VBuffer<T> dst) =>
            {
                int n = b.Fixed.Length + (b.VariableFrom >= 0 ? Math.Max(0, _fields.Count - b.VariableFrom) : 0);
                var editor = VBufferEditor.Create(ref dst, n);
                for (int i = 0; i < b.Fixed.Length; i++)
                {
                    editor.Values[i] = Parse<T>(b, b.Fixed[i]);
                }

                for (int i = b.Fixed.Length; i < n; i++)
                {
                    editor.Values[i] = Parse<T>(b, b.VariableFrom + i - b.Fixed.Length);
                }

                dst = editor.Commit();
            };
        }

        private T Parse<T>(ColumnBinding b, int index)
        {
            string text = index < _fields.Count ? _fields[index] : string.Empty;
            if (TextValueParser.TryParse(text, b.ItemType, _loader._options, out T value))
            {
                return value;
            }

            throw new FormatException($"Could not parse value '{text}' as {b.ItemType} for column '{b.Name}' in file '{CurrentPath}', line {_line}, column {index + 1}.");
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => GetterArray.Get<TValue>(Schema, _getters, column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => (uint)column.Index < (uint)_getters.Length && _getters[column.Index] != null;

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _reader?.Dispose();
                _reader = null;
            }
        }
    }
}

/// <summary>Parses text fields into column values the way ML.NET's text loader does ("?" and "NaN" are NaN, keys are 0-based in text).</summary>
internal static class TextValueParser
{
    public static bool TryParse<T>(string text, PrimitiveDataViewType type, TextLoader.Options options, out T value)
    {
        bool ok = TryParseObject(text, type, options, out object? boxed);
        value = ok ? (T)boxed! : default!;
        return ok;
    }

    private static bool TryParseObject(string text, PrimitiveDataViewType type, TextLoader.Options options, out object? value)
    {
        var culture = CultureInfo.InvariantCulture;
        var s = text.AsSpan().Trim();
        if (options.DecimalMarker == ',' && (type.RawType == typeof(float) || type.RawType == typeof(double)))
        {
            s = text.Trim().Replace(',', '.').AsSpan();
        }

        const NumberStyles floatStyle = NumberStyles.Float | NumberStyles.AllowThousands;
        value = null;
        if (type is KeyDataViewType key)
        {
            if (s.Length == 0)
            {
                value = Convert.ChangeType(0UL, key.RawType, culture);
                return true;
            }

            if (!ulong.TryParse(s, NumberStyles.Integer, culture, out ulong k) || k >= key.Count)
            {
                return false;
            }

            value = Convert.ChangeType(k + 1, key.RawType, culture);
            return true;
        }

        Type t = type.RawType;
        if (t == typeof(float) || t == typeof(double))
        {
            double d;
            if (s.Length == 0)
            {
                d = options.MissingRealsAsNaNs ? double.NaN : 0;
            }
            else if (s is "?" || s.Equals("NaN", StringComparison.OrdinalIgnoreCase))
            {
                d = double.NaN;
            }
            else if (!double.TryParse(s, floatStyle, culture, out d))
            {
                return false;
            }

            value = t == typeof(float) ? (object)(float)d : d;
            return true;
        }

        if (t == typeof(ReadOnlyMemory<char>))
        {
            value = text.AsMemory();
            return true;
        }

        if (t == typeof(bool))
        {
            if (s.Length == 0)
            {
                value = false;
                return true;
            }

            if (bool.TryParse(s, out bool b))
            {
                value = b;
                return true;
            }

            if (s is "1" or "0")
            {
                value = s is "1";
                return true;
            }

            return false;
        }

        if (t == typeof(DateTime))
        {
            if (s.Length == 0)
            {
                value = default(DateTime);
                return true;
            }

            bool ok = DateTime.TryParse(s, culture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dt);
            value = dt;
            return ok;
        }

        if (t == typeof(DateTimeOffset))
        {
            if (s.Length == 0)
            {
                value = default(DateTimeOffset);
                return true;
            }

            bool ok = DateTimeOffset.TryParse(s, culture, DateTimeStyles.None, out var dto);
            value = dto;
            return ok;
        }

        if (t == typeof(TimeSpan))
        {
            if (s.Length == 0)
            {
                value = default(TimeSpan);
                return true;
            }

            bool ok = TimeSpan.TryParse(s, culture, out var ts);
            value = ts;
            return ok;
        }

        // Integers: empty is 0 (integers have no missing value in ML.NET 4).
        if (s.Length == 0)
        {
            value = Convert.ChangeType(0, t, culture);
            return true;
        }

        if (!long.TryParse(s, NumberStyles.Integer, culture, out long l) && !(t == typeof(ulong) && ulong.TryParse(s, NumberStyles.Integer, culture, out _)))
        {
            return false;
        }

        try
        {
            value = t == typeof(ulong) ? ulong.Parse(s, NumberStyles.Integer, culture) : Convert.ChangeType(l, t, culture);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}
