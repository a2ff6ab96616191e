using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML;

/// <summary>The basic column transforms: concatenate, copy, select and drop.</summary>
public static class TransformExtensionsCatalog
{
    /// <summary>
    /// Creates an estimator that concatenates <paramref name="inputColumnNames"/> into a vector column named
    /// <paramref name="outputColumnName"/>. The inputs must share an item type; the output has a known size when all
    /// inputs do, and slot names when any input is a scalar or has slot names.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The name of the output column; an existing column of that name becomes hidden.</param>
    /// <param name="inputColumnNames">The columns to concatenate, in order.</param>
    public static ColumnConcatenatingEstimator Concatenate(this TransformsCatalog catalog, string outputColumnName, params string[] inputColumnNames)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ColumnConcatenatingEstimator(outputColumnName, inputColumnNames);
    }

    /// <summary>Creates an estimator that copies <paramref name="inputColumnName"/> to <paramref name="outputColumnName"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The name of the copy.</param>
    /// <param name="inputColumnName">The column to copy.</param>
    public static ColumnCopyingEstimator CopyColumns(this TransformsCatalog catalog, string outputColumnName, string inputColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ColumnCopyingEstimator((outputColumnName, inputColumnName));
    }

    /// <summary>Creates an estimator that drops the named columns (hidden columns are dropped as well).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="columnNames">The columns to drop; each must exist.</param>
    public static ColumnSelectingEstimator DropColumns(this TransformsCatalog catalog, params string[] columnNames)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(columnNames);
        return new ColumnSelectingEstimator(null, columnNames, false);
    }

    /// <summary>Creates an estimator that keeps only the named columns, in the given order; hidden columns are dropped.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="columnNames">The columns to keep; each must exist.</param>
    public static ColumnSelectingEstimator SelectColumns(this TransformsCatalog catalog, params string[] columnNames) =>
        SelectColumns(catalog, columnNames, false);

    /// <summary>Creates an estimator that keeps only the named columns, in the given order.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="columnNames">The columns to keep; each must exist.</param>
    /// <param name="keepHidden">Whether hidden columns of the same names are kept too.</param>
    public static ColumnSelectingEstimator SelectColumns(this TransformsCatalog catalog, string[] columnNames, bool keepHidden)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(columnNames);
        return new ColumnSelectingEstimator(columnNames, null, keepHidden);
    }
}

/// <summary>Normalization transforms.</summary>
public static class NormalizationCatalog
{
    /// <summary>
    /// Creates an estimator that scales each slot by its observed range: with <paramref name="fixZero"/> (the default)
    /// y = x / max(|min|, |max|), in [-1, 1], keeping 0 at 0; otherwise y = (x - min) / (max - min), in [0, 1].
    /// Slots with no spread become 0. The output keeps the input item type and is annotated IsNormalized.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The output column; Single or Double, scalar or known-size vector.</param>
    /// <param name="inputColumnName">The input column; null means <paramref name="outputColumnName"/> (normalize in place).</param>
    /// <param name="maximumExampleCount">The maximum number of rows read to compute the statistics.</param>
    /// <param name="fixZero">Whether 0 maps to 0 (no offset).</param>
    public static NormalizingEstimator NormalizeMinMax(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null, long maximumExampleCount = 1000000000, bool fixZero = true) =>
        Create(catalog, new[] { NormalizerSpec.Create(outputColumnName, inputColumnName, NormalizingEstimator.NormalizationMode.MinMax, maximumExampleCount, fixZero) });

    /// <summary>Creates an estimator that applies min-max normalization to several columns (see the single-column overload).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="columns">The (output, input) pairs.</param>
    /// <param name="maximumExampleCount">The maximum number of rows read to compute the statistics.</param>
    /// <param name="fixZero">Whether 0 maps to 0 (no offset).</param>
    public static NormalizingEstimator NormalizeMinMax(this TransformsCatalog catalog, InputOutputColumnPair[] columns, long maximumExampleCount = 1000000000, bool fixZero = true) =>
        Create(catalog, Pairs(columns).Select(p => NormalizerSpec.Create(p.Output, p.Input, NormalizingEstimator.NormalizationMode.MinMax, maximumExampleCount, fixZero)).ToArray());

    /// <summary>
    /// Creates an estimator that scales each slot by its mean and (population) variance: with <paramref name="fixZero"/>
    /// (the default) y = x / sqrt(variance + mean²), i.e. divided by the root mean square; otherwise y = (x - mean) / σ.
    /// Slots with zero variance become 0.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The output column; Single or Double, scalar or known-size vector.</param>
    /// <param name="inputColumnName">The input column; null means <paramref name="outputColumnName"/>.</param>
    /// <param name="maximumExampleCount">The maximum number of rows read to compute the statistics.</param>
    /// <param name="fixZero">Whether 0 maps to 0 (no offset).</param>
    /// <param name="useCdf">Whether the normal CDF is applied afterwards (not supported here; must be false).</param>
    public static NormalizingEstimator NormalizeMeanVariance(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null, long maximumExampleCount = 1000000000, bool fixZero = true, bool useCdf = false)
    {
        CheckNoCdf(useCdf);
        return Create(catalog, new[] { NormalizerSpec.Create(outputColumnName, inputColumnName, NormalizingEstimator.NormalizationMode.MeanVariance, maximumExampleCount, fixZero) });
    }

    /// <summary>Creates an estimator that applies mean-variance normalization to several columns (see the single-column overload).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="columns">The (output, input) pairs.</param>
    /// <param name="maximumExampleCount">The maximum number of rows read to compute the statistics.</param>
    /// <param name="fixZero">Whether 0 maps to 0 (no offset).</param>
    /// <param name="useCdf">Whether the normal CDF is applied afterwards (not supported here; must be false).</param>
    public static NormalizingEstimator NormalizeMeanVariance(this TransformsCatalog catalog, InputOutputColumnPair[] columns, long maximumExampleCount = 1000000000, bool fixZero = true, bool useCdf = false)
    {
        CheckNoCdf(useCdf);
        return Create(catalog, Pairs(columns).Select(p => NormalizerSpec.Create(p.Output, p.Input, NormalizingEstimator.NormalizationMode.MeanVariance, maximumExampleCount, fixZero)).ToArray());
    }

    private static void CheckNoCdf(bool useCdf)
    {
        if (useCdf)
        {
            throw new ArgumentOutOfRangeException(nameof(useCdf), useCdf, "The CDF variant of mean-variance normalization is not supported by Microsoft.ML.Compat.");
        }
    }

    private static IEnumerable<(string Output, string Input)> Pairs(InputOutputColumnPair[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0)
        {
            throw new ArgumentException("At least one column pair is needed.", nameof(columns));
        }

        return columns.Select(c => (c.OutputColumnName, c.InputColumnName));
    }

    private static NormalizingEstimator Create(TransformsCatalog catalog, NormalizerSpec[] specs)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NormalizingEstimator(catalog.Context, specs);
    }
}

/// <summary>A pair of output and input column names.</summary>
public sealed class InputOutputColumnPair
{
    /// <summary>Creates a pair.</summary>
    /// <param name="outputColumnName">The output column.</param>
    /// <param name="inputColumnName">The input column; null means the same as <paramref name="outputColumnName"/>.</param>
    public InputOutputColumnPair(string outputColumnName, string? inputColumnName = null)
    {
        SchemaChecks.CheckName(outputColumnName, nameof(outputColumnName));
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName ?? outputColumnName;
    }

    /// <summary>The output column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The input column.</summary>
    public string InputColumnName { get; }
}
