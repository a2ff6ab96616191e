using System.Collections.Immutable;

namespace Microsoft.ML.Data;

/// <summary>
/// The base class of every column type in an <see cref="IDataView"/>. A column type pairs a logical meaning with the
/// .NET type (<see cref="RawType"/>) that getters read and write.
/// </summary>
public abstract class DataViewType : IEquatable<DataViewType>
{
    private protected DataViewType(Type rawType)
    {
        RawType = rawType ?? throw new ArgumentNullException(nameof(rawType));
    }

    /// <summary>The .NET type of the values of this column type, used as the type argument of getters.</summary>
    public Type RawType { get; }

    /// <summary>Returns whether <paramref name="other"/> describes the same column type.</summary>
    /// <param name="other">The type to compare with.</param>
    public abstract bool Equals(DataViewType? other);
}

/// <summary>The base class of single-valued column types (numbers, text, booleans, keys, dates).</summary>
public abstract class PrimitiveDataViewType : DataViewType
{
    /// <summary>Creates a primitive type whose values have the .NET type <paramref name="rawType"/>.</summary>
    /// <param name="rawType">The .NET type of the values. Must not be an array or a <see cref="VBuffer{T}"/>.</param>
    protected PrimitiveDataViewType(Type rawType)
        : base(rawType)
    {
        if (rawType.IsArray || (rawType.IsGenericType && rawType.GetGenericTypeDefinition() == typeof(VBuffer<>)))
        {
            throw new ArgumentException($"A primitive type cannot have the raw type '{rawType}'.", nameof(rawType));
        }
    }
}

/// <summary>The base class of column types whose values have an inner structure, such as vectors.</summary>
public abstract class StructuredDataViewType : DataViewType
{
    /// <summary>Creates a structured type whose values have the .NET type <paramref name="rawType"/>.</summary>
    /// <param name="rawType">The .NET type of the values.</param>
    protected StructuredDataViewType(Type rawType)
        : base(rawType)
    {
    }
}

/// <summary>The numeric column types. Each number type exists once; compare them by reference or with <see cref="Equals(DataViewType)"/>.</summary>
public sealed class NumberDataViewType : PrimitiveDataViewType
{
    private NumberDataViewType(Type rawType)
        : base(rawType)
    {
    }

    /// <summary>The 8-bit signed integer type (<see cref="sbyte"/>).</summary>
    public static NumberDataViewType SByte { get; } = new(typeof(sbyte));

    /// <summary>The 8-bit unsigned integer type (<see cref="byte"/>).</summary>
    public static NumberDataViewType Byte { get; } = new(typeof(byte));

    /// <summary>The 16-bit signed integer type (<see cref="short"/>).</summary>
    public static NumberDataViewType Int16 { get; } = new(typeof(short));

    /// <summary>The 16-bit unsigned integer type (<see cref="ushort"/>).</summary>
    public static NumberDataViewType UInt16 { get; } = new(typeof(ushort));

    /// <summary>The 32-bit signed integer type (<see cref="int"/>).</summary>
    public static NumberDataViewType Int32 { get; } = new(typeof(int));

    /// <summary>The 32-bit unsigned integer type (<see cref="uint"/>).</summary>
    public static NumberDataViewType UInt32 { get; } = new(typeof(uint));

    /// <summary>The 64-bit signed integer type (<see cref="long"/>).</summary>
    public static NumberDataViewType Int64 { get; } = new(typeof(long));

    /// <summary>The 64-bit unsigned integer type (<see cref="ulong"/>).</summary>
    public static NumberDataViewType UInt64 { get; } = new(typeof(ulong));

    /// <summary>The single-precision floating point type (<see cref="float"/>).</summary>
    public static NumberDataViewType Single { get; } = new(typeof(float));

    /// <summary>The double-precision floating point type (<see cref="double"/>).</summary>
    public static NumberDataViewType Double { get; } = new(typeof(double));

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc/>
    public override int GetHashCode() => RawType.GetHashCode();

    /// <summary>Returns the name of the .NET type, for example "Single".</summary>
    public override string ToString() => RawType.Name;
}

/// <summary>The text column type; values are <see cref="ReadOnlyMemory{T}"/> of <see cref="char"/>.</summary>
public sealed class TextDataViewType : PrimitiveDataViewType
{
    private TextDataViewType()
        : base(typeof(ReadOnlyMemory<char>))
    {
    }

    /// <summary>The single instance of the text type.</summary>
    public static TextDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc/>
    public override int GetHashCode() => RawType.GetHashCode();

    /// <summary>Returns "String".</summary>
    public override string ToString() => "String";
}

/// <summary>The boolean column type.</summary>
public sealed class BooleanDataViewType : PrimitiveDataViewType
{
    private BooleanDataViewType()
        : base(typeof(bool))
    {
    }

    /// <summary>The single instance of the boolean type.</summary>
    public static BooleanDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc/>
    public override int GetHashCode() => RawType.GetHashCode();

    /// <summary>Returns "Boolean".</summary>
    public override string ToString() => "Boolean";
}

/// <summary>The <see cref="System.DateTime"/> column type.</summary>
public sealed class DateTimeDataViewType : PrimitiveDataViewType
{
    private DateTimeDataViewType()
        : base(typeof(DateTime))
    {
    }

    /// <summary>The single instance of the date-time type.</summary>
    public static DateTimeDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc/>
    public override int GetHashCode() => RawType.GetHashCode();

    /// <summary>Returns "DateTime".</summary>
    public override string ToString() => "DateTime";
}

/// <summary>The <see cref="System.DateTimeOffset"/> column type.</summary>
public sealed class DateTimeOffsetDataViewType : PrimitiveDataViewType
{
    private DateTimeOffsetDataViewType()
        : base(typeof(DateTimeOffset))
    {
    }

    /// <summary>The single instance of the date-time-offset type.</summary>
    public static DateTimeOffsetDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc/>
    public override int GetHashCode() => RawType.GetHashCode();

    /// <summary>Returns "DateTimeZone", the name ML.NET uses for this type.</summary>
    public override string ToString() => "DateTimeZone";
}

/// <summary>The <see cref="System.TimeSpan"/> column type.</summary>
public sealed class TimeSpanDataViewType : PrimitiveDataViewType
{
    private TimeSpanDataViewType()
        : base(typeof(TimeSpan))
    {
    }

    /// <summary>The single instance of the time-span type.</summary>
    public static TimeSpanDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc/>
    public override int GetHashCode() => RawType.GetHashCode();

    /// <summary>Returns "TimeSpan".</summary>
    public override string ToString() => "TimeSpan";
}

/// <summary>The type of row identifiers (<see cref="DataViewRowId"/>).</summary>
public sealed class RowIdDataViewType : PrimitiveDataViewType
{
    private RowIdDataViewType()
        : base(typeof(DataViewRowId))
    {
    }

    /// <summary>The single instance of the row-id type.</summary>
    public static RowIdDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc/>
    public override int GetHashCode() => RawType.GetHashCode();

    /// <summary>Returns "DataViewRowId".</summary>
    public override string ToString() => "DataViewRowId";
}

/// <summary>
/// A key type: an unsigned integer that indexes a set of <see cref="Count"/> values. The raw value 0 means missing;
/// valid keys are 1 to <see cref="Count"/>.
/// </summary>
public sealed class KeyDataViewType : PrimitiveDataViewType
{
    /// <summary>Creates a key type.</summary>
    /// <param name="type">The raw type: <see cref="byte"/>, <see cref="ushort"/>, <see cref="uint"/> or <see cref="ulong"/>.</param>
    /// <param name="count">The number of distinct key values; must be positive and fit in <paramref name="type"/>.</param>
    public KeyDataViewType(Type type, ulong count)
        : base(type)
    {
        if (!IsValidDataType(type))
        {
            throw new ArgumentException($"Type '{type}' is not a valid key type; expected Byte, UInt16, UInt32 or UInt64.", nameof(type));
        }

        if (count == 0 || count > MaxCount(type))
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The key count must be between 1 and {MaxCount(type)} for raw type {type.Name}.");
        }

        Count = count;
    }

    /// <summary>Creates a key type.</summary>
    /// <param name="type">The raw type: <see cref="byte"/>, <see cref="ushort"/>, <see cref="uint"/> or <see cref="ulong"/>.</param>
    /// <param name="count">The number of distinct key values; must be positive.</param>
    public KeyDataViewType(Type type, int count)
        : this(type, count > 0 ? (ulong)count : throw new ArgumentOutOfRangeException(nameof(count), count, "The key count must be positive."))
    {
    }

    /// <summary>The number of valid key values.</summary>
    public ulong Count { get; }

    /// <summary>Returns whether <paramref name="type"/> can be the raw type of a key: byte, ushort, uint or ulong.</summary>
    /// <param name="type">The candidate raw type.</param>
    public static bool IsValidDataType(Type type) =>
        type == typeof(byte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong);

    private static ulong MaxCount(Type type) =>
        type == typeof(byte) ? byte.MaxValue : type == typeof(ushort) ? ushort.MaxValue : type == typeof(uint) ? uint.MaxValue : ulong.MaxValue;

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) =>
        other is KeyDataViewType key && key.RawType == RawType && key.Count == Count;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DataViewType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RawType, Count);

    /// <summary>Returns the type as "Key&lt;UInt32, 0-9&gt;".</summary>
    public override string ToString() => $"Key<{RawType.Name}, 0-{Count - 1}>";
}

/// <summary>
/// A vector column type: values are <see cref="VBuffer{T}"/> of the item type. A vector has one or more
/// <see cref="Dimensions"/>; a size of 0 means the length varies from row to row.
/// </summary>
public sealed class VectorDataViewType : StructuredDataViewType
{
    /// <summary>Creates a one-dimensional vector type.</summary>
    /// <param name="itemType">The type of the items.</param>
    /// <param name="size">The length of the vector; 0 (the default) means the length varies from row to row.</param>
    public VectorDataViewType(PrimitiveDataViewType itemType, int size = 0)
        : base(MakeRawType(itemType))
    {
        if (size < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "The vector size must be non-negative.");
        }

        ItemType = itemType;
        Size = size;
        Dimensions = ImmutableArray.Create(size);
    }

    /// <summary>Creates a vector type with the given dimensions.</summary>
    /// <param name="itemType">The type of the items.</param>
    /// <param name="dimensions">The dimensions; all must be non-negative. Only the first may be 0 (unknown).</param>
    public VectorDataViewType(PrimitiveDataViewType itemType, params int[] dimensions)
        : this(itemType, ImmutableArray.Create(dimensions ?? throw new ArgumentNullException(nameof(dimensions))))
    {
    }

    /// <summary>Creates a vector type with the given dimensions.</summary>
    /// <param name="itemType">The type of the items.</param>
    /// <param name="dimensions">The dimensions; all must be non-negative.</param>
    public VectorDataViewType(PrimitiveDataViewType itemType, ImmutableArray<int> dimensions)
        : base(MakeRawType(itemType))
    {
        if (dimensions.IsDefaultOrEmpty)
        {
            throw new ArgumentException("A vector type needs at least one dimension.", nameof(dimensions));
        }

        int size = 1;
        foreach (int d in dimensions)
        {
            if (d < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(dimensions), d, "Vector dimensions must be non-negative.");
            }

            size = checked(size * d);
        }

        ItemType = itemType;
        Dimensions = dimensions;
        Size = size;
    }

    /// <summary>The type of the items of the vector.</summary>
    public PrimitiveDataViewType ItemType { get; }

    /// <summary>The dimensions of the vector; a variable-length vector has the single dimension 0.</summary>
    public ImmutableArray<int> Dimensions { get; }

    /// <summary>The total number of items (the product of <see cref="Dimensions"/>), or 0 when the length varies.</summary>
    public int Size { get; }

    /// <summary>Whether every row has the same, known number of items (<see cref="Size"/> &gt; 0).</summary>
    public bool IsKnownSize => Size > 0;

    private static Type MakeRawType(PrimitiveDataViewType itemType) =>
        typeof(VBuffer<>).MakeGenericType((itemType ?? throw new ArgumentNullException(nameof(itemType))).RawType);

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return other is VectorDataViewType v && v.ItemType.Equals(ItemType) && v.Size == Size && v.Dimensions.SequenceEqual(Dimensions);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DataViewType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(ItemType);
        foreach (int d in Dimensions)
        {
            hash.Add(d);
        }

        return hash.ToHashCode();
    }

    /// <summary>Returns the type as "Vector&lt;Single, 4, 3&gt;", or "Vector&lt;Single&gt;" when the size varies.</summary>
    public override string ToString() =>
        Size == 0 && Dimensions.Length == 1 ? $"Vector<{ItemType}>" : $"Vector<{ItemType}, {string.Join(", ", Dimensions)}>";
}
