using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>Loading data from objects and files, saving it, and splitting, filtering, shuffling and caching it.</summary>
public sealed class DataOperationsCatalog : IInternalCatalog
{
    internal DataOperationsCatalog(MLContext context)
    {
        Context = context;
    }

    IHostEnvironment IInternalCatalog.Environment => Context;

    internal MLContext Context { get; }

    /// <summary>A pair of training and test data.</summary>
    public readonly struct TrainTestData
    {
        /// <summary>The training rows.</summary>
        public readonly IDataView TrainSet;

        /// <summary>The test rows.</summary>
        public readonly IDataView TestSet;

        internal TrainTestData(IDataView trainSet, IDataView testSet)
        {
            TrainSet = trainSet;
            TestSet = testSet;
        }
    }

    /// <summary>
    /// Wraps an enumerable of objects as an <see cref="IDataView"/>. Public fields and properties become columns
    /// (fields first); the enumerable is read lazily each time the data is cursored, so it must be re-enumerable.
    /// </summary>
    /// <typeparam name="TRow">The row class.</typeparam>
    /// <param name="data">The rows.</param>
    /// <param name="schemaDefinition">Overrides the inferred mapping (column names, types); null infers it from <typeparamref name="TRow"/>.</param>
    public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data, SchemaDefinition? schemaDefinition = null)
        where TRow : class
    {
        ArgumentNullException.ThrowIfNull(data);
        return new EnumerableDataView<TRow>(data, PocoReadLayout<TRow>.Create(schemaDefinition));
    }

    /// <summary>Wraps an enumerable of objects as an <see cref="IDataView"/> with the given schema (types and annotations are taken from it).</summary>
    /// <typeparam name="TRow">The row class; each schema column needs a member of the same name.</typeparam>
    /// <param name="data">The rows.</param>
    /// <param name="schema">The schema of the resulting data.</param>
    public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data, DataViewSchema schema)
        where TRow : class
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(schema);
        return new EnumerableDataView<TRow>(data, PocoReadLayout<TRow>.Create(schema));
    }

    /// <summary>Reads the rows of <paramref name="data"/> as objects, lazily.</summary>
    /// <typeparam name="TRow">The row class; members are matched with columns by name.</typeparam>
    /// <param name="data">The data.</param>
    /// <param name="reuseRowObject">Whether the same object is returned (overwritten) for every row.</param>
    /// <param name="ignoreMissingColumns">Whether members without a matching column are skipped; when false they throw.</param>
    /// <param name="schemaDefinition">Overrides the member-to-column mapping; null infers it.</param>
    public IEnumerable<TRow> CreateEnumerable<TRow>(IDataView data, bool reuseRowObject, bool ignoreMissingColumns = false, SchemaDefinition? schemaDefinition = null)
        where TRow : class, new()
    {
        ArgumentNullException.ThrowIfNull(data);
        var layout = new PocoWriteLayout<TRow>(data.Schema, ignoreMissingColumns, schemaDefinition);
        return Enumerate(data, layout, reuseRowObject);
    }

    private static IEnumerable<TRow> Enumerate<TRow>(IDataView data, PocoWriteLayout<TRow> layout, bool reuse)
        where TRow : class, new()
    {
        using var cursor = data.GetRowCursor(layout.Columns);
        var fill = layout.Bind(cursor);
        TRow? shared = reuse ? new TRow() : null;
        while (cursor.MoveNext())
        {
            var row = shared ?? new TRow();
            fill(row);
            yield return row;
        }
    }

    /// <summary>
    /// Splits the data into a training and a test set. Rows are assigned by hashing the sampling key into [0, 1), so
    /// this is not a prefix split; rows with equal keys land in the same set.
    /// </summary>
    /// <param name="data">The data.</param>
    /// <param name="testFraction">The fraction of rows for the test set, in (0, 1).</param>
    /// <param name="samplingKeyColumnName">A column whose values keep related rows together; null assigns each row independently.</param>
    /// <param name="seed">The seed of the assignment; null uses the context's generator.</param>
    public TrainTestData TrainTestSplit(IDataView data, double testFraction = 0.1, string? samplingKeyColumnName = null, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "Must be between 0 and 1 exclusive.");
        }

        var key = SplitKey.Create(data, samplingKeyColumnName, seed ?? Context.NextSeed());
        return new TrainTestData(key.Filter(data, 0, 1 - testFraction), key.Filter(data, 1 - testFraction, 1));
    }

    /// <summary>Splits the data into <paramref name="numberOfFolds"/> train/test pairs; each row is in exactly one test set.</summary>
    /// <param name="data">The data.</param>
    /// <param name="numberOfFolds">The number of folds, at least 2.</param>
    /// <param name="samplingKeyColumnName">A column whose values keep related rows together; null assigns each row independently.</param>
    /// <param name="seed">The seed of the assignment; null uses the context's generator.</param>
    public IReadOnlyList<TrainTestData> CrossValidationSplit(IDataView data, int numberOfFolds = 5, string? samplingKeyColumnName = null, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (numberOfFolds < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(numberOfFolds), numberOfFolds, "Must be at least 2.");
        }

        var key = SplitKey.Create(data, samplingKeyColumnName, seed ?? Context.NextSeed());
        var result = new List<TrainTestData>();
        for (int i = 0; i < numberOfFolds; i++)
        {
            double lo = (double)i / numberOfFolds;
            double hi = (double)(i + 1) / numberOfFolds;
            result.Add(new TrainTestData(key.Filter(data, lo, hi, complement: true), key.Filter(data, lo, hi)));
        }

        return result;
    }

    /// <summary>Keeps the first <paramref name="count"/> rows.</summary>
    /// <param name="input">The data.</param>
    /// <param name="count">How many rows to keep; must be non-negative.</param>
    public IDataView TakeRows(IDataView input, long count)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new RowRangeDataView(input, 0, count);
    }

    /// <summary>Skips the first <paramref name="count"/> rows.</summary>
    /// <param name="input">The data.</param>
    /// <param name="count">How many rows to skip; must be non-negative.</param>
    public IDataView SkipRows(IDataView input, long count)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new RowRangeDataView(input, count, long.MaxValue);
    }

    /// <summary>Keeps the rows whose value in <paramref name="columnName"/> satisfies lower ≤ value &lt; upper; NaN rows are dropped.</summary>
    /// <param name="input">The data.</param>
    /// <param name="columnName">A scalar Single or Double column.</param>
    /// <param name="lowerBound">The inclusive lower bound.</param>
    /// <param name="upperBound">The exclusive upper bound.</param>
    public IDataView FilterRowsByColumn(IDataView input, string columnName, double lowerBound = double.NegativeInfinity, double upperBound = double.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!(lowerBound < upperBound))
        {
            throw new ArgumentOutOfRangeException(nameof(upperBound), upperBound, $"Must be greater than lowerBound ({lowerBound}).");
        }

        var column = input.Schema.GetColumnOrNull(columnName) ?? throw DataViewErrors.ColumnNotFound(columnName, nameof(columnName));
        var read = NumericReader.Create(column);
        return new FilteringDataView(input, new[] { column }, row =>
        {
            var value = read(row);
            return () =>
            {
                double v = value();
                return v >= lowerBound && v < upperBound;
            };
        });
    }

    /// <summary>
    /// Keeps the rows of a key column whose key, as the fraction (key - 1) / count, satisfies lower ≤ fraction &lt; upper;
    /// rows with the missing key 0 are dropped.
    /// </summary>
    /// <param name="input">The data.</param>
    /// <param name="columnName">A scalar key column.</param>
    /// <param name="lowerBound">The inclusive lower bound, in [0, 1].</param>
    /// <param name="upperBound">The exclusive upper bound, in [0, 1].</param>
    public IDataView FilterRowsByKeyColumnFraction(IDataView input, string columnName, double lowerBound = 0, double upperBound = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!(lowerBound >= 0 && lowerBound <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(lowerBound), lowerBound, "Must be in [0, 1].");
        }

        if (!(upperBound >= 0 && upperBound <= 1 && upperBound > lowerBound))
        {
            throw new ArgumentOutOfRangeException(nameof(upperBound), upperBound, $"Must be in [0, 1] and greater than lowerBound ({lowerBound}).");
        }

        var column = input.Schema.GetColumnOrNull(columnName) ?? throw DataViewErrors.ColumnNotFound(columnName, nameof(columnName));
        if (column.Type is not KeyDataViewType key)
        {
            throw DataViewErrors.SchemaMismatch(nameof(columnName), "input", columnName, "a key", column.Type.ToString()!);
        }

        var read = NumericReader.Create(column);
        double count = key.Count;
        return new FilteringDataView(input, new[] { column }, row =>
        {
            var value = read(row);
            return () =>
            {
                double k = value();
                double fraction = (k - 1) / count;
                return k > 0 && fraction >= lowerBound && fraction < upperBound;
            };
        });
    }

    /// <summary>
    /// Draws a bootstrap sample: each row appears k times, k drawn from a Poisson(1) distribution (deterministic for a
    /// seed); with <paramref name="complement"/>, only the rows drawn 0 times (the out-of-bag rows) are kept.
    /// </summary>
    /// <param name="input">The data.</param>
    /// <param name="seed">The seed; null uses the context's generator.</param>
    /// <param name="complement">Whether to return the rows left out of the sample instead.</param>
    public IDataView BootstrapSample(IDataView input, int? seed = null, bool complement = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BootstrapDataView(input, seed ?? Context.NextSeed(), complement);
    }

    /// <summary>Drops rows that have a missing value (NaN, or key 0) in any of <paramref name="columns"/>, including inside vectors.</summary>
    /// <param name="input">The data.</param>
    /// <param name="columns">The columns to check.</param>
    public IDataView FilterRowsByMissingValues(IDataView input, params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0)
        {
            throw new ArgumentException("At least one column is needed.", nameof(columns));
        }

        var cols = columns.Select(n => input.Schema.GetColumnOrNull(n) ?? throw DataViewErrors.ColumnNotFound(n, nameof(columns))).ToArray();
        var checks = cols.Select(MissingValueCheck.Create).ToArray();
        return new FilteringDataView(input, cols, row =>
        {
            var isMissing = checks.Select(c => c(row)).ToArray();
            return () => !isMissing.Any(m => m());
        });
    }

    /// <summary>Shuffles the rows through a pool of <paramref name="shufflePoolSize"/> rows (memory stays bounded).</summary>
    /// <param name="input">The data.</param>
    /// <param name="seed">The seed; null uses the context's generator.</param>
    /// <param name="shufflePoolSize">The number of rows held in the pool.</param>
    /// <param name="shuffleSource">Whether the source is also asked for a random order when it can shuffle.</param>
    public IDataView ShuffleRows(IDataView input, int? seed = null, int shufflePoolSize = 1000, bool shuffleSource = true)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shufflePoolSize);
        return new ShufflingDataView(input, seed ?? Context.NextSeed(), shufflePoolSize, shuffleSource);
    }

    /// <summary>Caches the data in memory on first read, so later passes do not recompute upstream transforms.</summary>
    /// <param name="input">The data.</param>
    /// <param name="columnsToPrefetch">Accepted for compatibility; all columns are cached.</param>
    public IDataView Cache(IDataView input, params string[] columnsToPrefetch)
    {
        ArgumentNullException.ThrowIfNull(input);
        foreach (var name in columnsToPrefetch ?? Array.Empty<string>())
        {
            _ = input.Schema.GetColumnOrNull(name) ?? throw DataViewErrors.ColumnNotFound(name, nameof(columnsToPrefetch));
        }

        return new CachingDataView(input);
    }
}
