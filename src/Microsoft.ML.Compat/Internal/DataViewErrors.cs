using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Internal;

/// <summary>The exceptions (and messages) ML.NET raises for misuse of rows and schemas.</summary>
internal static class DataViewErrors
{
    public static InvalidOperationException GetterTypeMismatch<TValue>(DataViewSchema.Column column) =>
        new($"Invalid TValue in GetGetter for column #{column}: '{typeof(TValue)}', expected type: '{column.Type.RawType}'.");

    public static ArgumentOutOfRangeException InactiveColumn(DataViewSchema.Column column) =>
        new(nameof(column), $"Column '{column.Name}' (#{column.Index}) is not active in this row; request it in the cursor's columnsNeeded.");

    public static ArgumentOutOfRangeException ColumnNotFound(string name, string paramName = "name") =>
        new(paramName, $"Column '{name}' not found");

    public static ArgumentOutOfRangeException SchemaMismatch(string paramName, string role, string column, string expected, string actual) =>
        new(paramName, $"Schema mismatch for {role} column '{column}': expected {expected}, got {actual}");

    public static void CheckColumnOfSchema(DataViewSchema schema, DataViewSchema.Column column)
    {
        if ((uint)column.Index >= (uint)schema.Count || schema[column.Index].Name != column.Name || !schema[column.Index].Type.Equals(column.Type))
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' (#{column.Index}) does not belong to this row's schema.");
        }
    }

    public static bool IsNumberOrKeyScalar(DataViewType t) => t is NumberDataViewType or KeyDataViewType;
}
