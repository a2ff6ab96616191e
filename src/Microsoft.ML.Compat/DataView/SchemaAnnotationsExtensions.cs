namespace Microsoft.ML.Data;

/// <summary>Reads the well-known annotations (slot names, key values, normalization flag) of a column.</summary>
public static class SchemaAnnotationsExtensions
{
    /// <summary>Reads the "SlotNames" annotation of a vector column into <paramref name="slotNames"/>.</summary>
    /// <param name="column">The column.</param>
    /// <param name="slotNames">Receives the slot names.</param>
    public static void GetSlotNames(this DataViewSchema.Column column, ref VBuffer<ReadOnlyMemory<char>> slotNames) =>
        column.Annotations.GetValue(AnnotationKinds.SlotNames, ref slotNames);

    /// <summary>Returns whether the column has a "SlotNames" annotation of text vectors matching its size.</summary>
    /// <param name="column">The column.</param>
    public static bool HasSlotNames(this DataViewSchema.Column column)
    {
        var slot = column.Annotations.Schema.GetColumnOrNull(AnnotationKinds.SlotNames);
        return slot is { } s && s.Type is VectorDataViewType v && v.ItemType is TextDataViewType
            && column.Type is VectorDataViewType cv && cv.Size == v.Size && v.Size > 0;
    }

    /// <summary>Reads the "KeyValues" annotation of a key column into <paramref name="keyValues"/>.</summary>
    /// <typeparam name="TValue">The raw type of the key values.</typeparam>
    /// <param name="column">The column.</param>
    /// <param name="keyValues">Receives the key values.</param>
    public static void GetKeyValues<TValue>(this DataViewSchema.Column column, ref VBuffer<TValue> keyValues) =>
        column.Annotations.GetValue(AnnotationKinds.KeyValues, ref keyValues);

    /// <summary>Returns whether the column has a "KeyValues" annotation, optionally of the given item type.</summary>
    /// <param name="column">The column.</param>
    /// <param name="keyValueItemType">The expected item type of the key values; null accepts any.</param>
    public static bool HasKeyValues(this DataViewSchema.Column column, PrimitiveDataViewType? keyValueItemType = null)
    {
        var keyType = column.Type is VectorDataViewType vec ? vec.ItemType as KeyDataViewType : column.Type as KeyDataViewType;
        var kv = column.Annotations.Schema.GetColumnOrNull(AnnotationKinds.KeyValues);
        if (keyType == null || kv is not { } k || k.Type is not VectorDataViewType kvType || (ulong)kvType.Size != keyType.Count)
        {
            return false;
        }

        return keyValueItemType == null || kvType.ItemType.Equals(keyValueItemType);
    }

    /// <summary>Returns whether the column carries the annotation "IsNormalized" = true.</summary>
    /// <param name="column">The column.</param>
    public static bool IsNormalized(this DataViewSchema.Column column)
    {
        var c = column.Annotations.Schema.GetColumnOrNull(AnnotationKinds.IsNormalized);
        if (c is not { } col || col.Type is not BooleanDataViewType)
        {
            return false;
        }

        bool value = false;
        column.Annotations.GetValue(AnnotationKinds.IsNormalized, ref value);
        return value;
    }
}

/// <summary>The annotation kind strings of ML.NET (internal there as AnnotationUtils.Kinds).</summary>
internal static class AnnotationKinds
{
    public const string SlotNames = "SlotNames";
    public const string KeyValues = "KeyValues";
    public const string IsNormalized = "IsNormalized";
    public const string ScoreColumnSetId = "ScoreColumnSetId";
    public const string ScoreColumnKind = "ScoreColumnKind";
    public const string ScoreValueKind = "ScoreValueKind";
    public const string TrainingLabelValues = "TrainingLabelValues";
    public const string CategoricalSlotRanges = "CategoricalSlotRanges";
    public const string IsUserVisible = "IsUserVisible";
}
