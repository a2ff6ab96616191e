using Microsoft.ML.Compat.Internal;

namespace Microsoft.ML.Data;

/// <summary>
/// The base of ML.NET's transformers that map each row independently. It cannot be subclassed outside ML.NET; implement
/// <see cref="ITransformer"/> directly instead.
/// </summary>
public abstract class RowToRowTransformerBase : ITransformer
{
    private protected RowToRowTransformerBase()
    {
    }

    bool ITransformer.IsRowToRowMapper => true;

    /// <summary>Returns the output schema for input with <paramref name="inputSchema"/>; throws when a required column is missing or has the wrong type.</summary>
    /// <param name="inputSchema">The input schema.</param>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return MakeMapping(inputSchema).OutputSchema;
    }

    /// <summary>Applies the transformer lazily to <paramref name="input"/>.</summary>
    /// <param name="input">The input data.</param>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedDataView(input, MakeMapping(input.Schema));
    }

    IRowToRowMapper ITransformer.GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new MappedRowToRowMapper(MakeMapping(inputSchema));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        SaveModel(ctx);
    }

    private protected abstract RowMapping MakeMapping(DataViewSchema inputSchema);

    private protected abstract void SaveModel(ModelSaveContext ctx);
}

/// <summary>
/// The base of ML.NET's estimators that need no training: <see cref="Fit"/> only checks the input schema and returns
/// the transformer. It cannot be subclassed outside ML.NET.
/// </summary>
/// <typeparam name="TTransformer">The transformer type.</typeparam>
public abstract class TrivialEstimator<TTransformer> : IEstimator<TTransformer>
    where TTransformer : class, ITransformer
{
    /// <summary>The transformer that <see cref="Fit"/> returns.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("StyleCop.CSharp.MaintainabilityRules", "SA1401", Justification = "ML.NET exposes it as a field.")]
    private protected readonly TTransformer Transformer;

    private protected TrivialEstimator(TTransformer transformer)
    {
        Transformer = transformer ?? throw new ArgumentNullException(nameof(transformer));
    }

    /// <summary>Checks the input schema and returns the transformer.</summary>
    /// <param name="input">The input data; only its schema is read.</param>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Transformer.GetOutputSchema(input.Schema);
        return Transformer;
    }

    /// <summary>Returns the output schema shape for <paramref name="inputSchema"/>.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);
}
