using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Internal;

/// <summary>Resolves the input columns of transforms, with ML.NET's errors for missing or mistyped columns.</summary>
internal static class SchemaChecks
{
    public static DataViewSchema.Column FindInput(DataViewSchema schema, string name, string paramName = "inputSchema") =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(paramName, $"Could not find input column '{name}'");

    public static SchemaShape.Column FindInput(SchemaShape shape, string name, string paramName = "inputSchema") =>
        shape.TryFindColumn(name, out var c) ? c : throw new ArgumentOutOfRangeException(paramName, $"Could not find input column '{name}'");

    public static PrimitiveDataViewType ItemType(DataViewType type) =>
        type is VectorDataViewType v ? v.ItemType : (PrimitiveDataViewType)type;

    public static void CheckName(string name, string paramName)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A column name must not be null or empty.", paramName);
        }
    }

    public static SchemaShape AddColumns(SchemaShape input, IEnumerable<SchemaShape.Column> added)
    {
        var list = input.ToList();
        foreach (var a in added)
        {
            list.RemoveAll(c => c.Name == a.Name);
            list.Add(a);
        }

        return new SchemaShape(list);
    }

    public static SchemaShape Annotations(params string[] kinds) =>
        new(kinds.Select(k => k switch
        {
            AnnotationKinds.IsNormalized => new SchemaShape.Column(k, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false),
            _ => new SchemaShape.Column(k, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false),
        }));
}

/// <summary>Writes and reads primitive values (by column type) in model files.</summary>
internal static class PrimitiveValueCodec
{
    public static void Write(BinaryWriter w, Type raw, object value)
    {
        switch (value)
        {
            case float f: w.Write(f); break;
            case double d: w.Write(d); break;
            case sbyte sb: w.Write(sb); break;
            case byte b: w.Write(b); break;
            case short s: w.Write(s); break;
            case ushort us: w.Write(us); break;
            case int i: w.Write(i); break;
            case uint ui: w.Write(ui); break;
            case long l: w.Write(l); break;
            case ulong ul: w.Write(ul); break;
            case bool bo: w.Write(bo); break;
            case ReadOnlyMemory<char> m: w.Write(m.ToString()); break;
            case DateTime dt: w.Write(dt.Ticks); w.Write((byte)dt.Kind); break;
            case DateTimeOffset dto: w.Write(dto.Ticks); w.Write((short)dto.Offset.TotalMinutes); break;
            case TimeSpan ts: w.Write(ts.Ticks); break;
            default: throw new InvalidOperationException($"Values of type '{raw}' cannot be saved.");
        }
    }

    public static object Read(BinaryReader r, Type raw)
    {
        if (raw == typeof(float)) return r.ReadSingle();
        if (raw == typeof(double)) return r.ReadDouble();
        if (raw == typeof(sbyte)) return r.ReadSByte();
        if (raw == typeof(byte)) return r.ReadByte();
        if (raw == typeof(short)) return r.ReadInt16();
        if (raw == typeof(ushort)) return r.ReadUInt16();
        if (raw == typeof(int)) return r.ReadInt32();
        if (raw == typeof(uint)) return r.ReadUInt32();
        if (raw == typeof(long)) return r.ReadInt64();
        if (raw == typeof(ulong)) return r.ReadUInt64();
        if (raw == typeof(bool)) return r.ReadBoolean();
        if (raw == typeof(ReadOnlyMemory<char>)) return r.ReadString().AsMemory();
        if (raw == typeof(DateTime)) return new DateTime(r.ReadInt64(), (DateTimeKind)r.ReadByte());
        if (raw == typeof(DateTimeOffset)) return new DateTimeOffset(r.ReadInt64(), TimeSpan.FromMinutes(r.ReadInt16()));
        if (raw == typeof(TimeSpan)) return new TimeSpan(r.ReadInt64());
        throw new FormatException($"Values of type '{raw}' cannot be loaded.");
    }
}
