using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNet.Persistence;

/// <summary>The environment behind an ML.NET catalog, for the extension's entry points (which also register the loaders).</summary>
internal static class CatalogEnvironment
{
    /// <summary>The environment of <paramref name="catalog"/>, with the recurrent loaders registered in its component catalog.</summary>
    public static IHostEnvironment Of(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var env = MLNetInternals.Current.GetEnvironment(catalog);
        env.ComponentCatalog.RegisterRecurrent();
        return env;
    }
}
