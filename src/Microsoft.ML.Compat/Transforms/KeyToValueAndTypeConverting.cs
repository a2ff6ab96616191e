using System.Globalization;
using System.Reflection;
using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

[assembly: Microsoft.ML.LoadableClass(typeof(Microsoft.ML.ITransformer), typeof(Microsoft.ML.Transforms.KeyToValueMappingTransformer), null, typeof(Microsoft.ML.SignatureLoadModel), "Key To Value Transform", Microsoft.ML.Transforms.KeyToValueMappingTransformer.LoaderSignature)]
[assembly: Microsoft.ML.LoadableClass(typeof(Microsoft.ML.ITransformer), typeof(Microsoft.ML.Transforms.TypeConvertingTransformer), null, typeof(Microsoft.ML.SignatureLoadModel), "Type Converter", Microsoft.ML.Transforms.TypeConvertingTransformer.LoaderSignature)]

namespace Microsoft.ML.Transforms;

/// <summary>Maps keys back to the values of their "KeyValues" annotation. Needs no training.</summary>
public sealed class KeyToValueMappingEstimator : TrivialEstimator<KeyToValueMappingTransformer>
{
    internal KeyToValueMappingEstimator(string outputColumnName, string? inputColumnName)
        : base(new KeyToValueMappingTransformer(new[] { (outputColumnName, inputColumnName ?? outputColumnName) }))
    {
    }

    /// <summary>Returns the input shape plus the value columns.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var added = new List<SchemaShape.Column>();
        foreach (var (o, i) in Transformer.Pairs)
        {
            var src = SchemaChecks.FindInput(inputSchema, i);
            if (!src.IsKey || !src.Annotations.TryFindColumn(AnnotationKinds.KeyValues, out var kv))
            {
                throw DataViewErrors.SchemaMismatch(nameof(inputSchema), "input", i, "a key with key values", src.GetTypeString());
            }

            added.Add(new SchemaShape.Column(o, src.Kind, kv.ItemType, false));
        }

        return SchemaChecks.AddColumns(inputSchema, added);
    }
}

/// <summary>Maps keys back to the values of their "KeyValues" annotation; key 0 (missing) maps to the missing value (NaN, empty text, default).</summary>
public sealed class KeyToValueMappingTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "KeyToValueTransform";

    internal KeyToValueMappingTransformer((string Output, string Input)[] pairs)
    {
        foreach (var (o, i) in pairs)
        {
            SchemaChecks.CheckName(o, "outputColumnName");
            SchemaChecks.CheckName(i, "inputColumnName");
        }

        Pairs = pairs;
    }

    internal (string Output, string Input)[] Pairs { get; }

    private static VersionInfo GetVersionInfo() => new("KEY2VALT", 0x00010001, 0x00010001, 0x00010001, typeof(KeyToValueMappingTransformer).Assembly.FullName!, LoaderSignature);

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.Writer.Write(Pairs.Length);
        foreach (var (o, i) in Pairs)
        {
            ctx.SaveNonEmptyString(o);
            ctx.SaveNonEmptyString(i);
        }
    }

    private static KeyToValueMappingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(GetVersionInfo());
        int n = ctx.Reader.ReadInt32();
        if (n <= 0 || n > 100_000)
        {
            throw new FormatException($"Key-to-value transform of {n} columns in '{ctx.Directory}'.");
        }

        var pairs = new (string, string)[n];
        for (int k = 0; k < n; k++)
        {
            pairs[k] = (ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString());
        }

        return new KeyToValueMappingTransformer(pairs);
    }

    private protected override RowMapping MakeMapping(DataViewSchema inputSchema)
    {
        var added = new List<ComputedColumn>();
        foreach (var (o, i) in Pairs)
        {
            var src = SchemaChecks.FindInput(inputSchema, i);
            var key = SchemaChecks.ItemType(src.Type) as KeyDataViewType;
            var kvCol = src.Annotations.Schema.GetColumnOrNull(AnnotationKinds.KeyValues);
            if (key == null || kvCol is not { } kv || kv.Type is not VectorDataViewType kvType)
            {
                throw DataViewErrors.SchemaMismatch(nameof(inputSchema), "input", i, "a key with key values", src.Type.ToString()!);
            }

            DataViewType outType = src.Type is VectorDataViewType v ? new VectorDataViewType(kvType.ItemType, v.Dimensions) : kvType.ItemType;
            var method = typeof(KeyToValueMappingTransformer).GetMethod(src.Type is VectorDataViewType ? nameof(VectorGetter) : nameof(ScalarGetter), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(key.RawType, kvType.ItemType.RawType);
            var builder = new DataViewSchema.Annotations.Builder();
            builder.Add(src.Annotations, k => k == AnnotationKinds.SlotNames);
            added.Add(new ComputedColumn(o, outType, new[] { src.Index }, (row, _) => (Delegate)method.Invoke(null, new object[] { row, src })!, builder.ToAnnotations()));
        }

        return RowMapping.Append(inputSchema, added);
    }

    private static TValue[] ReadKeyValues<TValue>(DataViewSchema.Column src)
    {
        VBuffer<TValue> kv = default;
        src.GetKeyValues(ref kv);
        return kv.DenseValues().ToArray();
    }

    private static TValue Missing<TValue>() =>
        typeof(TValue) == typeof(float) ? (TValue)(object)float.NaN : typeof(TValue) == typeof(double) ? (TValue)(object)double.NaN : default!;

    private static ValueGetter<TValue> ScalarGetter<TKey, TValue>(DataViewRow row, DataViewSchema.Column src)
    {
        var values = ReadKeyValues<TValue>(src);
        var missing = Missing<TValue>();
        var g = row.GetGetter<TKey>(src);
        TKey k = default!;
        return (ref TValue dst) =>
        {
            g(ref k);
            ulong key = Convert.ToUInt64(k, CultureInfo.InvariantCulture);
            dst = key >= 1 && key <= (ulong)values.Length ? values[key - 1] : missing;
        };
    }

    private static ValueGetter<VBuffer<TValue>> VectorGetter<TKey, TValue>(DataViewRow row, DataViewSchema.Column src)
    {
        var values = ReadKeyValues<TValue>(src);
        var missing = Missing<TValue>();
        var g = row.GetGetter<VBuffer<TKey>>(src);
        VBuffer<TKey> keys = default;
        return (ref VBuffer<TValue> dst) =>
        {
            g(ref keys);
            var editor = VBufferEditor.Create(ref dst, keys.Length);
            int i = 0;
            foreach (var k in keys.DenseValues())
            {
                ulong key = Convert.ToUInt64(k, CultureInfo.InvariantCulture);
                editor.Values[i++] = key >= 1 && key <= (ulong)values.Length ? values[key - 1] : missing;
            }

            dst = editor.Commit();
        };
    }
}

/// <summary>Converts columns to another <see cref="DataKind"/> (numbers, booleans, text). Needs no training.</summary>
public sealed class TypeConvertingEstimator : TrivialEstimator<TypeConvertingTransformer>
{
    internal TypeConvertingEstimator(string outputColumnName, string? inputColumnName, DataKind outputKind)
        : base(new TypeConvertingTransformer(new[] { (outputColumnName, inputColumnName ?? outputColumnName, outputKind) }))
    {
    }

    /// <summary>Returns the input shape plus the converted columns.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var added = Transformer.Columns.Select(c =>
        {
            var src = SchemaChecks.FindInput(inputSchema, c.Input);
            return new SchemaShape.Column(c.Output, src.Kind, DataViewTypeCodec.FromDataKind(c.Kind), false);
        }).ToList();
        return SchemaChecks.AddColumns(inputSchema, added);
    }
}

/// <summary>Converts columns to another <see cref="DataKind"/>; vectors are converted item by item.</summary>
public sealed class TypeConvertingTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "Convert";

    internal TypeConvertingTransformer((string Output, string Input, DataKind Kind)[] columns)
    {
        foreach (var (o, i, k) in columns)
        {
            SchemaChecks.CheckName(o, "outputColumnName");
            SchemaChecks.CheckName(i, "inputColumnName");
            DataViewTypeCodec.FromDataKind(k);
        }

        Columns = columns;
    }

    internal (string Output, string Input, DataKind Kind)[] Columns { get; }

    private static VersionInfo GetVersionInfo() => new("CONVERTF", 0x00010001, 0x00010001, 0x00010001, typeof(TypeConvertingTransformer).Assembly.FullName!, LoaderSignature);

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.Writer.Write(Columns.Length);
        foreach (var (o, i, k) in Columns)
        {
            ctx.SaveNonEmptyString(o);
            ctx.SaveNonEmptyString(i);
            ctx.Writer.Write((byte)k);
        }
    }

    private static TypeConvertingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(GetVersionInfo());
        int n = ctx.Reader.ReadInt32();
        if (n <= 0 || n > 100_000)
        {
            throw new FormatException($"Type conversion of {n} columns in '{ctx.Directory}'.");
        }

        var cols = new (string, string, DataKind)[n];
        for (int k = 0; k < n; k++)
        {
            cols[k] = (ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), (DataKind)ctx.Reader.ReadByte());
        }

        return new TypeConvertingTransformer(cols);
    }

    private protected override RowMapping MakeMapping(DataViewSchema inputSchema)
    {
        var added = new List<ComputedColumn>();
        foreach (var (o, i, kind) in Columns)
        {
            var src = SchemaChecks.FindInput(inputSchema, i);
            var from = SchemaChecks.ItemType(src.Type);
            var to = DataViewTypeCodec.FromDataKind(kind);
            if (from is RowIdDataViewType)
            {
                throw DataViewErrors.SchemaMismatch(nameof(inputSchema), "input", i, "a primitive type", src.Type.ToString()!);
            }

            DataViewType outType = src.Type is VectorDataViewType v ? new VectorDataViewType(to, v.Dimensions) : to;
            var method = typeof(TypeConvertingTransformer).GetMethod(src.Type is VectorDataViewType ? nameof(VectorGetter) : nameof(ScalarGetter), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(from.RawType, to.RawType);
            var builder = new DataViewSchema.Annotations.Builder();
            builder.Add(src.Annotations, k => k == AnnotationKinds.SlotNames);
            string name = o;
            added.Add(new ComputedColumn(o, outType, new[] { src.Index }, (row, _) => (Delegate)method.Invoke(null, new object[] { row, src, name })!, builder.ToAnnotations()));
        }

        return RowMapping.Append(inputSchema, added);
    }

    private static ValueGetter<TOut> ScalarGetter<TIn, TOut>(DataViewRow row, DataViewSchema.Column src, string name)
    {
        var g = row.GetGetter<TIn>(src);
        TIn v = default!;
        return (ref TOut dst) =>
        {
            g(ref v);
            dst = ValueConverter.Convert<TIn, TOut>(v, name);
        };
    }

    private static ValueGetter<VBuffer<TOut>> VectorGetter<TIn, TOut>(DataViewRow row, DataViewSchema.Column src, string name)
    {
        var g = row.GetGetter<VBuffer<TIn>>(src);
        VBuffer<TIn> v = default;
        return (ref VBuffer<TOut> dst) =>
        {
            g(ref v);
            var editor = VBufferEditor.Create(ref dst, v.Length);
            int i = 0;
            foreach (var x in v.DenseValues())
            {
                editor.Values[i++] = ValueConverter.Convert<TIn, TOut>(x, name);
            }

            dst = editor.Commit();
        };
    }
}

/// <summary>Converts single values between column raw types.</summary>
internal static class ValueConverter
{
    public static TOut Convert<TIn, TOut>(TIn value, string column)
    {
        var c = CultureInfo.InvariantCulture;
        if (value is TOut same)
        {
            return same;
        }

        if (typeof(TOut) == typeof(ReadOnlyMemory<char>))
        {
            string text = value switch
            {
                float f => f.ToString("R", c),
                double d => d.ToString("R", c),
                IFormattable fm => fm.ToString(null, c),
                _ => value?.ToString() ?? string.Empty,
            };
            return (TOut)(object)text.AsMemory();
        }

        object? source = value;
        if (value is ReadOnlyMemory<char> m)
        {
            string s = m.ToString().Trim();
            if (typeof(TOut) == typeof(float) || typeof(TOut) == typeof(double))
            {
                double d = s.Length == 0 || s == "?" || !double.TryParse(s, NumberStyles.Float, c, out double parsed) ? double.NaN : parsed;
                return typeof(TOut) == typeof(float) ? (TOut)(object)(float)d : (TOut)(object)d;
            }

            if (typeof(TOut) == typeof(bool))
            {
                return bool.TryParse(s, out bool b) ? (TOut)(object)b : s == "1" ? (TOut)(object)true : s is "0" or "" ? (TOut)(object)false
                    : throw new FormatException($"Cannot convert text '{s}' of column '{column}' to Boolean.");
            }

            if (!decimal.TryParse(s, NumberStyles.Float, c, out decimal dec))
            {
                throw new FormatException($"Cannot convert text '{s}' of column '{column}' to {typeof(TOut).Name}.");
            }

            source = dec;
        }

        if (typeof(TOut) == typeof(bool))
        {
            return (TOut)(object)(System.Convert.ToDouble(source, c) != 0);
        }

        if (source is bool bo)
        {
            source = bo ? 1 : 0;
        }

        if ((source is float fl && !float.IsFinite(fl)) || (source is double db && !double.IsFinite(db)))
        {
            if (typeof(TOut) == typeof(float) || typeof(TOut) == typeof(double))
            {
                return (TOut)System.Convert.ChangeType(source, typeof(TOut), c);
            }

            throw new OverflowException($"Cannot convert {source} of column '{column}' to {typeof(TOut).Name}.");
        }

        try
        {
            return (TOut)System.Convert.ChangeType(source, typeof(TOut), c)!;
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException)
        {
            throw new InvalidOperationException($"Cannot convert value '{source}' of column '{column}' from {typeof(TIn).Name} to {typeof(TOut).Name}.", ex);
        }
    }
}
