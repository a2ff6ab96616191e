using System.Globalization;
using System.Reflection;
using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

[assembly: Microsoft.ML.LoadableClass(typeof(Microsoft.ML.ITransformer), typeof(Microsoft.ML.Transforms.ValueToKeyMappingTransformer), null, typeof(Microsoft.ML.SignatureLoadModel), "Term Transform", Microsoft.ML.Transforms.ValueToKeyMappingTransformer.LoaderSignature)]

namespace Microsoft.ML.Transforms;

/// <summary>
/// Learns the distinct values of a column and maps each value to a key (1 to the number of values; 0 for missing or
/// unseen values). The output is <c>Key&lt;UInt32&gt;</c> with a "KeyValues" annotation listing the values.
/// </summary>
public sealed class ValueToKeyMappingEstimator : IEstimator<ValueToKeyMappingTransformer>
{
    private readonly string _output;
    private readonly string _input;
    private readonly int _maxKeys;
    private readonly KeyOrdinality _ordinality;
    private readonly bool _asText;
    private readonly IDataView? _keyData;

    internal ValueToKeyMappingEstimator(string outputColumnName, string? inputColumnName, int maximumNumberOfKeys, KeyOrdinality keyOrdinality, bool addKeyValueAnnotationsAsText, IDataView? keyData)
    {
        SchemaChecks.CheckName(outputColumnName, nameof(outputColumnName));
        if (maximumNumberOfKeys <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maximumNumberOfKeys), maximumNumberOfKeys, "Must be positive.");
        }

        _output = outputColumnName;
        _input = inputColumnName ?? outputColumnName;
        _maxKeys = maximumNumberOfKeys;
        _ordinality = keyOrdinality;
        _asText = addKeyValueAnnotationsAsText;
        _keyData = keyData;
    }

    /// <summary>The order in which keys are assigned to values.</summary>
    public enum KeyOrdinality : byte
    {
        /// <summary>In the order the values first occur in the data.</summary>
        ByOccurrence = 0,

        /// <summary>In the natural order of the values (ordinal for text).</summary>
        ByValue = 1,
    }

    /// <summary>Reads the distinct values of the input column (or of the key data) and returns the transformer.</summary>
    /// <param name="input">The training data.</param>
    public ValueToKeyMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var col = ValueToKeyMappingTransformer.CheckInput(input.Schema, _input);
        var item = SchemaChecks.ItemType(col.Type);
        var source = _keyData ?? input;
        var sourceCol = _keyData == null ? col : _keyData.Schema.Count == 1 ? _keyData.Schema[0] : SchemaChecks.FindInput(_keyData.Schema, _input, "keyData");
        if (!SchemaChecks.ItemType(sourceCol.Type).Equals(item))
        {
            throw DataViewErrors.SchemaMismatch("keyData", "key data", sourceCol.Name, item.ToString()!, sourceCol.Type.ToString()!);
        }

        var terms = new List<object>();
        var seen = new HashSet<object>();
        using (var cursor = source.GetRowCursor(new[] { sourceCol }))
        {
            var read = TermValues.Reader(cursor, sourceCol);
            while (cursor.MoveNext())
            {
                foreach (var v in read())
                {
                    if (TermValues.IsMissing(v) || seen.Contains(v))
                    {
                        continue;
                    }

                    if (terms.Count >= _maxKeys)
                    {
                        break;
                    }

                    seen.Add(v);
                    terms.Add(v);
                }
            }
        }

        if (terms.Count == 0)
        {
            throw new InvalidOperationException($"Column '{sourceCol.Name}' has no non-missing values, so no keys can be learned for '{_output}'.");
        }

        if (_ordinality == KeyOrdinality.ByValue)
        {
            terms.Sort(TermValues.Compare);
        }

        return new ValueToKeyMappingTransformer(new[] { new ValueToKeyMappingTransformer.TermColumn(_output, _input, item, terms.ToArray(), _asText) });
    }

    /// <summary>Returns the input shape plus the key column.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var src = SchemaChecks.FindInput(inputSchema, _input);
        if (src.ItemType is not PrimitiveDataViewType || src.ItemType is RowIdDataViewType)
        {
            throw DataViewErrors.SchemaMismatch(nameof(inputSchema), "input", _input, "a primitive type", src.GetTypeString());
        }

        return SchemaChecks.AddColumns(inputSchema, new[] { new SchemaShape.Column(_output, src.Kind, NumberDataViewType.UInt32, true, SchemaChecks.Annotations(AnnotationKinds.KeyValues)) });
    }
}

/// <summary>Helpers for term values, which are boxed (text as <see cref="string"/>) so that they can be hashed.</summary>
internal static class TermValues
{
    public static object Box<T>(T value) => value is ReadOnlyMemory<char> m ? m.ToString() : value!;

    public static bool IsMissing(object v) => v is float f && float.IsNaN(f) || v is double d && double.IsNaN(d) || v is string s && s.Length == 0;

    public static int Compare(object a, object b) =>
        a is string sa && b is string sb ? string.CompareOrdinal(sa, sb) : Comparer<object>.Default.Compare(a, b);

    public static Func<IEnumerable<object>> Reader(DataViewRow row, DataViewSchema.Column column)
    {
        var item = SchemaChecks.ItemType(column.Type);
        var method = typeof(TermValues).GetMethod(column.Type is VectorDataViewType ? nameof(VectorReader) : nameof(ScalarReader), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(item.RawType);
        return (Func<IEnumerable<object>>)method.Invoke(null, new object[] { row, column })!;
    }

    private static Func<IEnumerable<object>> ScalarReader<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var g = row.GetGetter<T>(column);
        T v = default!;
        return () =>
        {
            g(ref v);
            return new[] { Box(v) };
        };
    }

    private static Func<IEnumerable<object>> VectorReader<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var g = row.GetGetter<VBuffer<T>>(column);
        VBuffer<T> v = default;
        return () =>
        {
            g(ref v);
            return v.DenseValues().Select(x => Box(x)).ToArray();
        };
    }

    public static T Unbox<T>(object v) => typeof(T) == typeof(ReadOnlyMemory<char>) ? (T)(object)((string)v).AsMemory() : (T)v;

    public static string ToText(object v) => v switch
    {
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable fm => fm.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? string.Empty,
    };
}

/// <summary>Maps values to keys with the dictionary learned by <see cref="ValueToKeyMappingEstimator"/>.</summary>
public sealed class ValueToKeyMappingTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "TermTransform";
    private readonly TermColumn[] _columns;

    internal ValueToKeyMappingTransformer(TermColumn[] columns)
    {
        _columns = columns;
    }

    internal sealed class TermColumn
    {
        public TermColumn(string output, string input, PrimitiveDataViewType itemType, object[] terms, bool keyValuesAsText)
        {
            Output = output;
            Input = input;
            ItemType = itemType;
            Terms = terms;
            KeyValuesAsText = keyValuesAsText;
            Index = new Dictionary<object, uint>(terms.Length);
            for (int i = 0; i < terms.Length; i++)
            {
                Index[terms[i]] = (uint)(i + 1);
            }
        }

        public string Output { get; }

        public string Input { get; }

        public PrimitiveDataViewType ItemType { get; }

        public object[] Terms { get; }

        public bool KeyValuesAsText { get; }

        public Dictionary<object, uint> Index { get; }
    }

    internal static DataViewSchema.Column CheckInput(DataViewSchema schema, string name)
    {
        var col = SchemaChecks.FindInput(schema, name);
        var item = SchemaChecks.ItemType(col.Type);
        if (item is RowIdDataViewType)
        {
            throw DataViewErrors.SchemaMismatch("inputSchema", "input", name, "a primitive type", col.Type.ToString()!);
        }

        return col;
    }

    private static VersionInfo GetVersionInfo() => new("TERMTRNF", 0x00010001, 0x00010001, 0x00010001, typeof(ValueToKeyMappingTransformer).Assembly.FullName!, LoaderSignature);

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.Writer.Write(_columns.Length);
        foreach (var c in _columns)
        {
            ctx.SaveNonEmptyString(c.Output);
            ctx.SaveNonEmptyString(c.Input);
            ctx.Writer.Write(c.KeyValuesAsText);
            DataViewTypeCodec.Write(ctx.Writer, c.ItemType);
            ctx.Writer.Write(c.Terms.Length);
            foreach (var t in c.Terms)
            {
                PrimitiveValueCodec.Write(ctx.Writer, c.ItemType.RawType, t is string s ? s.AsMemory() : t);
            }
        }
    }

    private static ValueToKeyMappingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(GetVersionInfo());
        int n = ctx.Reader.ReadInt32();
        if (n <= 0 || n > 100_000)
        {
            throw new FormatException($"Term transform of {n} columns in '{ctx.Directory}'.");
        }

        var cols = new TermColumn[n];
        for (int i = 0; i < n; i++)
        {
            string output = ctx.LoadNonEmptyString();
            string input = ctx.LoadNonEmptyString();
            bool asText = ctx.Reader.ReadBoolean();
            var item = DataViewTypeCodec.Read(ctx.Reader) as PrimitiveDataViewType ?? throw new FormatException("Term item type is not primitive.");
            int count = ctx.Reader.ReadInt32();
            if (count <= 0 || count > 100_000_000)
            {
                throw new FormatException($"Term column '{output}' has {count} terms.");
            }

            var terms = new object[count];
            for (int t = 0; t < count; t++)
            {
                object v = PrimitiveValueCodec.Read(ctx.Reader, item.RawType);
                terms[t] = v is ReadOnlyMemory<char> m ? m.ToString() : v;
            }

            cols[i] = new TermColumn(output, input, item, terms, asText);
        }

        return new ValueToKeyMappingTransformer(cols);
    }

    private protected override RowMapping MakeMapping(DataViewSchema inputSchema)
    {
        var added = new List<ComputedColumn>();
        foreach (var c in _columns)
        {
            var src = CheckInput(inputSchema, c.Input);
            var item = SchemaChecks.ItemType(src.Type);
            if (!item.Equals(c.ItemType))
            {
                throw DataViewErrors.SchemaMismatch(nameof(inputSchema), "input", c.Input, c.ItemType.ToString()!, item.ToString()!);
            }

            var keyType = new KeyDataViewType(typeof(uint), c.Terms.Length);
            DataViewType outType = src.Type is VectorDataViewType v ? new VectorDataViewType(keyType, v.Dimensions) : keyType;
            var method = typeof(ValueToKeyMappingTransformer).GetMethod(src.Type is VectorDataViewType ? nameof(VectorGetter) : nameof(ScalarGetter), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(item.RawType);
            var col = c;
            added.Add(new ComputedColumn(c.Output, outType, new[] { src.Index }, (row, _) => (Delegate)method.Invoke(null, new object[] { row, src, col })!, KeyValuesAnnotation(c)));
        }

        return RowMapping.Append(inputSchema, added);
    }

    private static DataViewSchema.Annotations KeyValuesAnnotation(TermColumn c)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        var item = c.KeyValuesAsText ? TextDataViewType.Instance : c.ItemType;
        var method = typeof(ValueToKeyMappingTransformer).GetMethod(nameof(KeyValuesGetter), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(item.RawType);
        var terms = c.KeyValuesAsText ? c.Terms.Select(t => (object)TermValues.ToText(t)).ToArray() : c.Terms;
        builder.Add(AnnotationKinds.KeyValues, new VectorDataViewType(item, terms.Length), (Delegate)method.Invoke(null, new object[] { terms })!);
        return builder.ToAnnotations();
    }

    private static ValueGetter<VBuffer<T>> KeyValuesGetter<T>(object[] terms)
    {
        var values = terms.Select(TermValues.Unbox<T>).ToArray();
        return (ref VBuffer<T> dst) => VBuffer<T>.Copy(values, 0, ref dst, values.Length);
    }

    private static ValueGetter<uint> ScalarGetter<T>(DataViewRow row, DataViewSchema.Column src, TermColumn c)
    {
        var g = row.GetGetter<T>(src);
        T v = default!;
        return (ref uint dst) =>
        {
            g(ref v);
            dst = c.Index.TryGetValue(TermValues.Box(v), out uint k) ? k : 0;
        };
    }

    private static ValueGetter<VBuffer<uint>> VectorGetter<T>(DataViewRow row, DataViewSchema.Column src, TermColumn c)
    {
        var g = row.GetGetter<VBuffer<T>>(src);
        VBuffer<T> v = default;
        return (ref VBuffer<uint> dst) =>
        {
            g(ref v);
            var editor = VBufferEditor.Create(ref dst, v.Length);
            int i = 0;
            foreach (var x in v.DenseValues())
            {
                editor.Values[i++] = c.Index.TryGetValue(TermValues.Box(x), out uint k) ? k : 0;
            }

            dst = editor.Commit();
        };
    }
}
