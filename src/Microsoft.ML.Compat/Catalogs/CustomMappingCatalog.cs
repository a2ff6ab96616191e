using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML;

/// <summary>Custom row mappings written as .NET actions.</summary>
public static class CustomMappingCatalog
{
    /// <summary>
    /// Creates an estimator that applies <paramref name="mapAction"/> to every row. The action may run on several
    /// cursors at once, so it must be thread-safe and must not keep state between rows.
    /// </summary>
    /// <typeparam name="TSrc">The input class; its members are read from the columns of the same names.</typeparam>
    /// <typeparam name="TDst">The output class; its members become columns (replacing same-named inputs).</typeparam>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="mapAction">The action that fills the output from the input.</param>
    /// <param name="contractName">The contract name under which the mapping is saved; null makes the model unsavable.</param>
    /// <param name="inputSchemaDefinition">Overrides the mapping of <typeparamref name="TSrc"/>; null infers it.</param>
    /// <param name="outputSchemaDefinition">Overrides the mapping of <typeparamref name="TDst"/>; null infers it.</param>
    public static CustomMappingEstimator<TSrc, TDst> CustomMapping<TSrc, TDst>(this TransformsCatalog catalog, Action<TSrc, TDst> mapAction, string? contractName,
        SchemaDefinition? inputSchemaDefinition = null, SchemaDefinition? outputSchemaDefinition = null)
        where TSrc : class, new()
        where TDst : class, new()
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new CustomMappingEstimator<TSrc, TDst>(catalog.Context, mapAction, contractName, inputSchemaDefinition, outputSchemaDefinition);
    }
}
