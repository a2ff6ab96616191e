namespace Microsoft.ML.Data;

/// <summary>Names the column a field or property maps to (default: the member name).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ColumnNameAttribute : Attribute
{
    /// <summary>Maps the member to the column <paramref name="name"/>.</summary>
    /// <param name="name">The column name.</param>
    public ColumnNameAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The column name.</summary>
    public string Name { get; }
}

/// <summary>Excludes a field or property from the schema.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class NoColumnAttribute : Attribute
{
}

/// <summary>Says which source columns of a text file (0-based) a member is loaded from.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class LoadColumnAttribute : Attribute
{
    /// <summary>Loads the member from the single source column <paramref name="fieldIndex"/>.</summary>
    /// <param name="fieldIndex">The 0-based index of the source column.</param>
    public LoadColumnAttribute(int fieldIndex)
    {
        Sources = new List<TextLoader.Range> { new(fieldIndex) };
    }

    /// <summary>Loads the member (a vector) from source columns <paramref name="start"/> to <paramref name="end"/>, both included.</summary>
    /// <param name="start">The first source column.</param>
    /// <param name="end">The last source column.</param>
    public LoadColumnAttribute(int start, int end)
    {
        Sources = new List<TextLoader.Range> { new(start, end) };
    }

    /// <summary>Loads the member (a vector) from the listed source columns.</summary>
    /// <param name="columnIndexes">The 0-based source column indices.</param>
    public LoadColumnAttribute(int[] columnIndexes)
    {
        Sources = columnIndexes.Select(i => new TextLoader.Range(i)).ToList();
    }

    internal List<TextLoader.Range> Sources { get; }
}

/// <summary>Marks a member as a key: values 1 to <c>Count</c>, 0 meaning missing.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class KeyTypeAttribute : Attribute
{
    /// <summary>Marks the member as a key whose count is the largest value of its type.</summary>
    public KeyTypeAttribute()
    {
    }

    /// <summary>Marks the member as a key with <paramref name="count"/> values.</summary>
    /// <param name="count">The number of key values.</param>
    public KeyTypeAttribute(ulong count)
    {
        KeyCount = new KeyCount(count);
    }

    /// <summary>The number of key values; null means the largest value of the member type.</summary>
    public KeyCount? KeyCount { get; set; }
}

/// <summary>The number of values of a key column.</summary>
public sealed class KeyCount
{
    /// <summary>Creates a key count.</summary>
    /// <param name="count">The number of key values; null (the default) means unknown.</param>
    public KeyCount(ulong? count = null)
    {
        Count = count;
    }

    /// <summary>The number of key values; null when unknown.</summary>
    public ulong? Count { get; set; }
}

/// <summary>Marks an array or <see cref="VBuffer{T}"/> member as a vector of known size, optionally multi-dimensional.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class VectorTypeAttribute : Attribute
{
    /// <summary>Marks the member as a variable-size vector.</summary>
    public VectorTypeAttribute()
    {
        Dims = new[] { 0 };
    }

    /// <summary>Marks the member as a vector of <paramref name="size"/> items.</summary>
    /// <param name="size">The vector size; 0 means variable.</param>
    public VectorTypeAttribute(int size)
    {
        Dims = new[] { size };
    }

    /// <summary>Marks the member as a vector with the given dimensions, for example (4, 3) for a 4×3 tensor of 12 items.</summary>
    /// <param name="dimensions">The dimensions.</param>
    public VectorTypeAttribute(params int[] dimensions)
    {
        Dims = dimensions is { Length: > 0 } ? dimensions : new[] { 0 };
    }

    /// <summary>The dimensions of the vector.</summary>
    public int[] Dims { get; }

    /// <summary>The total size (product of the dimensions); 0 means variable.</summary>
    public int Size => Dims.Aggregate(1, (a, b) => a * b);
}

/// <summary>Gives the header names a text member is loaded from (for loaders that read by name).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class LoadColumnNameAttribute : Attribute
{
    /// <summary>Loads the member from the field <paramref name="fieldName"/>.</summary>
    /// <param name="fieldName">The field name.</param>
    public LoadColumnNameAttribute(string fieldName)
    {
        FieldNames = new[] { fieldName };
    }

    /// <summary>Loads the member from the given fields.</summary>
    /// <param name="fieldNames">The field names.</param>
    public LoadColumnNameAttribute(params string[] fieldNames)
    {
        FieldNames = fieldNames;
    }

    /// <summary>The field names.</summary>
    public IReadOnlyList<string> FieldNames { get; }
}
