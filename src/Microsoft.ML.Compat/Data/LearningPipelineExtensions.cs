using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>Builds pipelines by appending estimators and transformers.</summary>
public static class LearningPipelineExtensions
{
    /// <summary>Creates a chain of <paramref name="start"/> followed by <paramref name="estimator"/>.</summary>
    /// <typeparam name="TTrans">The transformer type of the appended estimator.</typeparam>
    /// <param name="start">The first estimator.</param>
    /// <param name="estimator">The estimator to append.</param>
    /// <param name="scope">When the appended transformer applies.</param>
    public static EstimatorChain<TTrans> Append<TTrans>(this IEstimator<ITransformer> start, IEstimator<TTrans> estimator, TransformerScope scope = TransformerScope.Everything)
        where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(estimator);
        return new EstimatorChain<ITransformer>().Append(start).Append(estimator, scope);
    }

    /// <summary>Creates a chain of <paramref name="start"/> followed by <paramref name="transformer"/>.</summary>
    /// <typeparam name="TTrans">The type of the appended transformer.</typeparam>
    /// <param name="start">The first transformer.</param>
    /// <param name="transformer">The transformer to append.</param>
    public static TransformerChain<TTrans> Append<TTrans>(this ITransformer start, TTrans transformer)
        where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(transformer);
        return new TransformerChain<TTrans>(start, transformer);
    }

    /// <summary>Appends a caching checkpoint after <paramref name="start"/>.</summary>
    /// <typeparam name="TTrans">The transformer type of <paramref name="start"/>.</typeparam>
    /// <param name="start">The estimator.</param>
    /// <param name="env">The environment (the <see cref="MLContext"/>).</param>
    public static EstimatorChain<TTrans> AppendCacheCheckpoint<TTrans>(this IEstimator<TTrans> start, IHostEnvironment env)
        where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        return new EstimatorChain<TTrans>().Append(start).AppendCacheCheckpoint(env);
    }

    /// <summary>Returns an estimator that calls <paramref name="onFit"/> with the transformer each time it is fitted.</summary>
    /// <typeparam name="TTransformer">The transformer type.</typeparam>
    /// <param name="estimator">The estimator.</param>
    /// <param name="onFit">Called with the fitted transformer.</param>
    public static IEstimator<TTransformer> WithOnFitDelegate<TTransformer>(this IEstimator<TTransformer> estimator, Action<TTransformer> onFit)
        where TTransformer : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(onFit);
        return new DelegateEstimator<TTransformer>(estimator, onFit);
    }

    private sealed class DelegateEstimator<TTransformer> : IEstimator<TTransformer>
        where TTransformer : class, ITransformer
    {
        private readonly IEstimator<TTransformer> _inner;
        private readonly Action<TTransformer> _onFit;

        public DelegateEstimator(IEstimator<TTransformer> inner, Action<TTransformer> onFit)
        {
            _inner = inner;
            _onFit = onFit;
        }

        public TTransformer Fit(IDataView input)
        {
            var t = _inner.Fit(input);
            _onFit(t);
            return t;
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _inner.GetOutputSchema(inputSchema);
    }
}
