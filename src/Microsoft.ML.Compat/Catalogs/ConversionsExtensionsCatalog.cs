using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML;

/// <summary>Type and key conversions on <see cref="TransformsCatalog.Conversion"/>.</summary>
public static class ConversionsExtensionsCatalog
{
    /// <summary>
    /// Creates an estimator that maps the distinct values of a column to keys 1..N (0 for missing or unseen values),
    /// annotating the output with the values ("KeyValues").
    /// </summary>
    /// <param name="catalog">The conversion catalog.</param>
    /// <param name="outputColumnName">The output key column.</param>
    /// <param name="inputColumnName">The input column; null means <paramref name="outputColumnName"/>.</param>
    /// <param name="maximumNumberOfKeys">The maximum number of distinct values kept; later values map to 0.</param>
    /// <param name="keyOrdinality">Whether keys follow first occurrence (default) or value order.</param>
    /// <param name="addKeyValueAnnotationsAsText">Whether the key values are annotated as text instead of their own type.</param>
    /// <param name="keyData">Data whose single column lists the values to map; null learns them from the training data.</param>
    public static ValueToKeyMappingEstimator MapValueToKey(this TransformsCatalog.ConversionTransforms catalog, string outputColumnName, string? inputColumnName = null,
        int maximumNumberOfKeys = 1000000, ValueToKeyMappingEstimator.KeyOrdinality keyOrdinality = ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence,
        bool addKeyValueAnnotationsAsText = false, IDataView? keyData = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ValueToKeyMappingEstimator(outputColumnName, inputColumnName, maximumNumberOfKeys, keyOrdinality, addKeyValueAnnotationsAsText, keyData);
    }

    /// <summary>Creates an estimator that maps keys back to their values (the "KeyValues" annotation of the input).</summary>
    /// <param name="catalog">The conversion catalog.</param>
    /// <param name="outputColumnName">The output value column.</param>
    /// <param name="inputColumnName">The input key column; null means <paramref name="outputColumnName"/>.</param>
    public static KeyToValueMappingEstimator MapKeyToValue(this TransformsCatalog.ConversionTransforms catalog, string outputColumnName, string? inputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new KeyToValueMappingEstimator(outputColumnName, inputColumnName);
    }

    /// <summary>Creates an estimator that converts a column to <paramref name="outputKind"/> (item by item for vectors).</summary>
    /// <param name="catalog">The conversion catalog.</param>
    /// <param name="outputColumnName">The output column.</param>
    /// <param name="inputColumnName">The input column; null means <paramref name="outputColumnName"/>.</param>
    /// <param name="outputKind">The kind of the output values. Default <see cref="DataKind.Single"/>.</param>
    public static TypeConvertingEstimator ConvertType(this TransformsCatalog.ConversionTransforms catalog, string outputColumnName, string? inputColumnName = null, DataKind outputKind = DataKind.Single)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TypeConvertingEstimator(outputColumnName, inputColumnName, outputKind);
    }
}
