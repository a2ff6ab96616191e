using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Internal;

/// <summary>Writes and reads column types in model files and the schema entry.</summary>
internal static class DataViewTypeCodec
{
    private const byte KeyTag = 100;
    private const byte VectorTag = 101;
    private const byte RowIdTag = 102;

    public static DataKind ToDataKind(Type raw) =>
        raw == typeof(sbyte) ? DataKind.SByte : raw == typeof(byte) ? DataKind.Byte
        : raw == typeof(short) ? DataKind.Int16 : raw == typeof(ushort) ? DataKind.UInt16
        : raw == typeof(int) ? DataKind.Int32 : raw == typeof(uint) ? DataKind.UInt32
        : raw == typeof(long) ? DataKind.Int64 : raw == typeof(ulong) ? DataKind.UInt64
        : raw == typeof(float) ? DataKind.Single : raw == typeof(double) ? DataKind.Double
        : raw == typeof(ReadOnlyMemory<char>) ? DataKind.String : raw == typeof(bool) ? DataKind.Boolean
        : raw == typeof(TimeSpan) ? DataKind.TimeSpan : raw == typeof(DateTime) ? DataKind.DateTime
        : raw == typeof(DateTimeOffset) ? DataKind.DateTimeOffset
        : throw new ArgumentOutOfRangeException(nameof(raw), raw, "No DataKind for this type.");

    public static PrimitiveDataViewType FromDataKind(DataKind kind) => kind switch
    {
        DataKind.SByte => NumberDataViewType.SByte,
        DataKind.Byte => NumberDataViewType.Byte,
        DataKind.Int16 => NumberDataViewType.Int16,
        DataKind.UInt16 => NumberDataViewType.UInt16,
        DataKind.Int32 => NumberDataViewType.Int32,
        DataKind.UInt32 => NumberDataViewType.UInt32,
        DataKind.Int64 => NumberDataViewType.Int64,
        DataKind.UInt64 => NumberDataViewType.UInt64,
        DataKind.Single => NumberDataViewType.Single,
        DataKind.Double => NumberDataViewType.Double,
        DataKind.String => TextDataViewType.Instance,
        DataKind.Boolean => BooleanDataViewType.Instance,
        DataKind.TimeSpan => TimeSpanDataViewType.Instance,
        DataKind.DateTime => DateTimeDataViewType.Instance,
        DataKind.DateTimeOffset => DateTimeOffsetDataViewType.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown DataKind."),
    };

    public static Type ToRawType(DataKind kind) => FromDataKind(kind).RawType;

    public static void Write(BinaryWriter w, DataViewType type)
    {
        switch (type)
        {
            case VectorDataViewType v:
                w.Write(VectorTag);
                Write(w, v.ItemType);
                w.Write(v.Dimensions.Length);
                foreach (int d in v.Dimensions)
                {
                    w.Write(d);
                }

                break;
            case KeyDataViewType k:
                w.Write(KeyTag);
                w.Write((byte)ToDataKind(k.RawType));
                w.Write(k.Count);
                break;
            case RowIdDataViewType:
                w.Write(RowIdTag);
                break;
            default:
                w.Write((byte)ToDataKind(type.RawType));
                break;
        }
    }

    public static DataViewType Read(BinaryReader r)
    {
        byte tag = r.ReadByte();
        switch (tag)
        {
            case VectorTag:
                var item = Read(r) as PrimitiveDataViewType ?? throw new FormatException("A vector item type must be primitive.");
                int n = r.ReadInt32();
                if (n <= 0 || n > 64)
                {
                    throw new FormatException($"A vector type has {n} dimensions.");
                }

                var dims = new int[n];
                for (int i = 0; i < n; i++)
                {
                    dims[i] = r.ReadInt32();
                    if (dims[i] < 0)
                    {
                        throw new FormatException($"A vector dimension is negative ({dims[i]}).");
                    }
                }

                return new VectorDataViewType(item, dims);
            case KeyTag:
                var raw = ToRawType((DataKind)r.ReadByte());
                ulong count = r.ReadUInt64();
                if (!KeyDataViewType.IsValidDataType(raw) || count == 0)
                {
                    throw new FormatException($"Invalid key type: raw type {raw.Name}, count {count}.");
                }

                return new KeyDataViewType(raw, count);
            case RowIdTag:
                return RowIdDataViewType.Instance;
            default:
                if (tag < 1 || tag > 15)
                {
                    throw new FormatException($"Unknown column type tag {tag}.");
                }

                return FromDataKind((DataKind)tag);
        }
    }
}

/// <summary>
/// The "Schema" entry of a model file: the input schema as column names, visibility and types, preceded by the
/// binary-IDV magic. (ML.NET stores a full empty binary IDV here; this subset stores only what Load returns.)
/// </summary>
internal static class SchemaEntry
{
    public const string EntryName = "Schema";
    private static readonly byte[] s_magic = "CML\0DVB\0"u8.ToArray();
    private const int Version = 1;

    public static void Write(Stream s, DataViewSchema schema)
    {
        using var w = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
        w.Write(s_magic);
        w.Write(Version);
        w.Write(schema.Count);
        foreach (var c in schema)
        {
            w.Write(c.Name);
            DataViewTypeCodec.Write(w, c.Type);
        }
    }

    public static DataViewSchema Read(byte[] bytes)
    {
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes), System.Text.Encoding.UTF8);
            if (!r.ReadBytes(8).AsSpan().SequenceEqual(s_magic))
            {
                throw new FormatException("The Schema entry of the model does not start with the binary data view signature.");
            }

            int version = r.ReadInt32();
            if (version != Version)
            {
                throw new FormatException($"The Schema entry has version {version}; this code reads version {Version}.");
            }

            int count = r.ReadInt32();
            if (count < 0 || count > 1_000_000)
            {
                throw new FormatException($"The Schema entry declares {count} columns.");
            }

            var builder = new DataViewSchema.Builder();
            for (int i = 0; i < count; i++)
            {
                string name = r.ReadString();
                builder.AddColumn(name, DataViewTypeCodec.Read(r));
            }

            return builder.ToSchema();
        }
        catch (EndOfStreamException ex)
        {
            throw new FormatException("The Schema entry of the model is truncated.", ex);
        }
    }
}
