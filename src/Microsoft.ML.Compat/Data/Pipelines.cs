using System.Collections;
using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Runtime;

[assembly: Microsoft.ML.LoadableClass(typeof(Microsoft.ML.ITransformer), typeof(Microsoft.ML.Data.TransformerChainLoader), null, typeof(Microsoft.ML.SignatureLoadModel), "Transformer chain", Microsoft.ML.Data.TransformerChainLoader.LoaderSignature)]

namespace Microsoft.ML.Data;

/// <summary>When a transformer of a chain applies: at training, at testing, at scoring, or combinations.</summary>
[Flags]
public enum TransformerScope
{
    /// <summary>Never.</summary>
    None = 0,

    /// <summary>When training.</summary>
    Training = 1 << 0,

    /// <summary>When testing.</summary>
    Testing = 1 << 1,

    /// <summary>When training or testing.</summary>
    TrainTest = Training | Testing,

    /// <summary>When scoring (prediction).</summary>
    Scoring = 1 << 2,

    /// <summary>Always.</summary>
    Everything = TrainTest | Scoring,
}

/// <summary>
/// A sequence of estimators fitted left to right: each is fitted on the output of the previous fitted transformers.
/// </summary>
/// <typeparam name="TLastTransformer">The type of the transformer of the last estimator.</typeparam>
public sealed class EstimatorChain<TLastTransformer> : IEstimator<TransformerChain<TLastTransformer>>
    where TLastTransformer : class, ITransformer
{
    private readonly IEstimator<ITransformer>[] _estimators;
    private readonly TransformerScope[] _scopes;

    /// <summary>The last estimator of the chain; null for an empty chain.</summary>
    public readonly IEstimator<TLastTransformer> LastEstimator;

    /// <summary>Creates an empty chain.</summary>
    public EstimatorChain()
    {
        _estimators = Array.Empty<IEstimator<ITransformer>>();
        _scopes = Array.Empty<TransformerScope>();
        LastEstimator = null!;
    }

    private EstimatorChain(IEstimator<ITransformer>[] estimators, TransformerScope[] scopes)
    {
        _estimators = estimators;
        _scopes = scopes;
        LastEstimator = estimators.Length == 0 ? null! : (IEstimator<TLastTransformer>)estimators[^1];
    }

    /// <summary>Fits each estimator on the output of the transformers fitted before it, and returns the chain of transformers.</summary>
    /// <param name="input">The training data.</param>
    public TransformerChain<TLastTransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var current = input;
        var transformers = new ITransformer[_estimators.Length];
        for (int i = 0; i < _estimators.Length; i++)
        {
            transformers[i] = _estimators[i].Fit(current);
            if (i < _estimators.Length - 1)
            {
                current = transformers[i].Transform(current);
            }
        }

        return new TransformerChain<TLastTransformer>(transformers, _scopes);
    }

    /// <summary>Propagates the schema shape through every estimator.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var s = inputSchema;
        foreach (var e in _estimators)
        {
            s = e.GetOutputSchema(s);
        }

        return s;
    }

    /// <summary>Returns a new chain with <paramref name="estimator"/> appended.</summary>
    /// <typeparam name="TNewTrans">The transformer type of the appended estimator.</typeparam>
    /// <param name="estimator">The estimator to append.</param>
    /// <param name="scope">When the fitted transformer applies.</param>
    public EstimatorChain<TNewTrans> Append<TNewTrans>(IEstimator<TNewTrans> estimator, TransformerScope scope = TransformerScope.Everything)
        where TNewTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return new EstimatorChain<TNewTrans>(_estimators.Append(estimator).ToArray(), _scopes.Append(scope).ToArray());
    }

    /// <summary>Appends a caching checkpoint: the data is cached before the next estimator is fitted.</summary>
    /// <param name="env">The environment (the <see cref="MLContext"/>).</param>
    public EstimatorChain<TLastTransformer> AppendCacheCheckpoint(IHostEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(env);
        if (_estimators.Length == 0 || _estimators[^1] is CacheCheckpointEstimator)
        {
            return this;
        }

        var estimators = _estimators.Append(new CacheCheckpointEstimator()).ToArray();
        var scopes = _scopes.Append(TransformerScope.Everything).ToArray();

        // The checkpoint is transparent: the last real estimator stays LastEstimator.
        return new EstimatorChain<TLastTransformer>(estimators, scopes, LastEstimator);
    }

    private EstimatorChain(IEstimator<ITransformer>[] estimators, TransformerScope[] scopes, IEstimator<TLastTransformer> last)
    {
        _estimators = estimators;
        _scopes = scopes;
        LastEstimator = last;
    }
}

/// <summary>Caches data between estimators of a chain; its transformer passes data through.</summary>
internal sealed class CacheCheckpointEstimator : IEstimator<ITransformer>
{
    public ITransformer Fit(IDataView input) => new PassThroughTransformer();

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inputSchema;

    private sealed class PassThroughTransformer : ITransformer
    {
        public bool IsRowToRowMapper => true;

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new CompositeRowToRowMapper(inputSchema, Array.Empty<IRowToRowMapper>());

        public IDataView Transform(IDataView input) => new CachingDataView(input);

        public void Save(ModelSaveContext ctx) => throw new InvalidOperationException("Cache checkpoints are not saved.");
    }
}

/// <summary>
/// A sequence of fitted transformers applied left to right. A chain fitted from an <see cref="EstimatorChain{TLastTransformer}"/>
/// is typed by its last transformer; a chain loaded from a file is a <c>TransformerChain&lt;ITransformer&gt;</c>.
/// </summary>
/// <typeparam name="TLastTransformer">The type of the last transformer.</typeparam>
public sealed class TransformerChain<TLastTransformer> : ITransformer, IEnumerable<ITransformer>, IDisposable
    where TLastTransformer : class, ITransformer
{
    private readonly ITransformer[] _transformers;
    private readonly TransformerScope[] _scopes;

    /// <summary>The last transformer; null for an empty chain.</summary>
    public readonly TLastTransformer LastTransformer;

    /// <summary>Creates a chain of <paramref name="transformers"/> with their scopes.</summary>
    /// <param name="transformers">The transformers, in order.</param>
    /// <param name="scopes">One scope per transformer.</param>
    public TransformerChain(IEnumerable<ITransformer> transformers, IEnumerable<TransformerScope> scopes)
    {
        ArgumentNullException.ThrowIfNull(transformers);
        ArgumentNullException.ThrowIfNull(scopes);
        var all = transformers.ToArray();
        var nonCache = all.Where(t => t.GetType().DeclaringType != typeof(CacheCheckpointEstimator)).ToArray();
        _transformers = all;
        _scopes = scopes.ToArray();
        if (_scopes.Length != _transformers.Length)
        {
            throw new ArgumentException($"Got {_scopes.Length} scopes for {_transformers.Length} transformers.", nameof(scopes));
        }

        LastTransformer = nonCache.Length == 0 ? null! : nonCache[^1] as TLastTransformer
            ?? throw new ArgumentException($"The last transformer is a '{nonCache[^1].GetType().Name}', not a '{typeof(TLastTransformer).Name}'.", nameof(transformers));
    }

    /// <summary>Creates a chain of <paramref name="transformers"/> that all apply everywhere.</summary>
    /// <param name="transformers">The transformers, in order.</param>
    public TransformerChain(params ITransformer[] transformers)
        : this(transformers ?? throw new ArgumentNullException(nameof(transformers)), transformers.Select(_ => TransformerScope.Everything))
    {
    }

    /// <summary>Whether every transformer of the chain is a row-to-row mapper.</summary>
    public bool IsRowToRowMapper => _transformers.All(t => t.IsRowToRowMapper);

    /// <summary>Returns the schema produced by all transformers.</summary>
    /// <param name="inputSchema">The input schema.</param>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => GetOutputSchema(inputSchema, TransformerScope.Everything);

    /// <summary>Returns the schema produced by the transformers whose scope intersects <paramref name="scope"/>.</summary>
    /// <param name="inputSchema">The input schema.</param>
    /// <param name="scope">The scope filter.</param>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema, TransformerScope scope)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var s = inputSchema;
        for (int i = 0; i < _transformers.Length; i++)
        {
            if ((_scopes[i] & scope) != 0)
            {
                s = _transformers[i].GetOutputSchema(s);
            }
        }

        return s;
    }

    /// <summary>Applies all transformers lazily.</summary>
    /// <param name="input">The input data.</param>
    public IDataView Transform(IDataView input) => Transform(input, TransformerScope.Everything);

    /// <summary>Applies the transformers whose scope intersects <paramref name="scope"/>.</summary>
    /// <param name="input">The input data.</param>
    /// <param name="scope">The scope filter.</param>
    public IDataView Transform(IDataView input, TransformerScope scope)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema, scope);
        var d = input;
        for (int i = 0; i < _transformers.Length; i++)
        {
            if ((_scopes[i] & scope) != 0)
            {
                d = _transformers[i].Transform(d);
            }
        }

        return d;
    }

    /// <summary>Returns a chain of the transformers whose scope intersects <paramref name="scopeFilter"/>.</summary>
    /// <param name="scopeFilter">The scope filter.</param>
    public TransformerChain<ITransformer> GetModelFor(TransformerScope scopeFilter)
    {
        var keep = Enumerable.Range(0, _transformers.Length).Where(i => (_scopes[i] & scopeFilter) != 0).ToArray();
        return new TransformerChain<ITransformer>(keep.Select(i => _transformers[i]), keep.Select(i => _scopes[i]));
    }

    /// <summary>Returns a new chain with <paramref name="transformer"/> appended.</summary>
    /// <typeparam name="TNewLast">The type of the appended transformer.</typeparam>
    /// <param name="transformer">The transformer.</param>
    /// <param name="scope">When it applies.</param>
    public TransformerChain<TNewLast> Append<TNewLast>(TNewLast transformer, TransformerScope scope = TransformerScope.Everything)
        where TNewLast : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(transformer);
        return new TransformerChain<TNewLast>(_transformers.Append(transformer), _scopes.Append(scope));
    }

    /// <summary>Returns a mapper that runs the rows through every transformer; throws unless <see cref="IsRowToRowMapper"/>.</summary>
    /// <param name="inputSchema">The input schema.</param>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var mappers = new List<IRowToRowMapper>();
        var s = inputSchema;
        foreach (var t in _transformers)
        {
            if (!t.IsRowToRowMapper)
            {
                throw new InvalidOperationException($"Transformer '{t.GetType().Name}' in the chain is not a row-to-row mapper.");
            }

            var m = t.GetRowToRowMapper(s);
            mappers.Add(m);
            s = m.OutputSchema;
        }

        return new CompositeRowToRowMapper(inputSchema, mappers.ToArray());
    }

    /// <summary>Saves the chain: the number of transformers, their scopes, and each transformer in Transform_NNN.</summary>
    /// <param name="ctx">The save context.</param>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(TransformerChainLoader.GetVersionInfo());
        var saved = Enumerable.Range(0, _transformers.Length).Where(i => _transformers[i].GetType().DeclaringType != typeof(CacheCheckpointEstimator)).ToArray();
        ctx.Writer.Write(saved.Length);
        for (int k = 0; k < saved.Length; k++)
        {
            ctx.Writer.Write((int)_scopes[saved[k]]);
            ctx.SaveModel(_transformers[saved[k]], string.Format(System.Globalization.CultureInfo.InvariantCulture, TransformerChainLoader.TransformDirTemplate, k));
        }
    }

    /// <summary>Enumerates the transformers.</summary>
    public IEnumerator<ITransformer> GetEnumerator() => ((IEnumerable<ITransformer>)_transformers).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes the transformers that are disposable.</summary>
    public void Dispose()
    {
        foreach (var t in _transformers)
        {
            (t as IDisposable)?.Dispose();
        }
    }
}

/// <summary>Loads <see cref="TransformerChain{TLastTransformer}"/> models (as chains of <see cref="ITransformer"/>).</summary>
internal static class TransformerChainLoader
{
    public const string LoaderSignature = "TransformerChain";
    public const string TransformDirTemplate = "Transform_{0:000}";

    public static VersionInfo GetVersionInfo() => new(
        modelSignature: "XF CHAIN",
        verWrittenCur: 0x00010001,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(TransformerChainLoader).Assembly.FullName!);

    public static ITransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(GetVersionInfo());
        int count = ctx.Reader.ReadInt32();
        if (count < 0 || count > 100_000)
        {
            throw new FormatException($"Transformer chain in '{ctx.Directory}' declares {count} transformers.");
        }

        var transformers = new ITransformer[count];
        var scopes = new TransformerScope[count];
        for (int i = 0; i < count; i++)
        {
            scopes[i] = (TransformerScope)ctx.Reader.ReadInt32();
            ctx.LoadModel<ITransformer, SignatureLoadModel>(env, out transformers[i], string.Format(System.Globalization.CultureInfo.InvariantCulture, TransformDirTemplate, i));
        }

        return new TransformerChain<ITransformer>(transformers, scopes);
    }
}
