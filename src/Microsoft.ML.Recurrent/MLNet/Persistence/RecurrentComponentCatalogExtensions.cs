using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>Registration of the Microsoft.ML.Recurrent components with an ML.NET component catalog.</summary>
public static class RecurrentComponentCatalogExtensions
{
    private static readonly ConditionalWeakTable<ComponentCatalog, object> s_registered = new();

    /// <summary>
    /// Makes <c>mlContext.Model.Load</c> able to load models that contain Microsoft.ML.Recurrent transformers. Call it once
    /// per <see cref="MLContext"/> before loading: <c>mlContext.ComponentCatalog.RegisterRecurrent();</c> — like
    /// <c>RegisterAssembly</c> for custom mappings. Against official ML.NET it registers the loaders (through private
    /// members of ML.NET, present in versions 1.5 to 5.0); with the Compat implementation it is not needed and does
    /// nothing. The extension's own entry points (trainers, transforms) call it for you. Calling it twice is harmless.
    /// </summary>
    /// <param name="catalog">The catalog, <c>mlContext.ComponentCatalog</c>.</param>
    public static void RegisterRecurrent(this ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
#if MLNET_OFFICIAL
        RegisterLoaders(catalog, MLNetInternals.Current);
#endif
    }

    /// <summary>Registers every <see cref="RecurrentLoaderAttribute"/> of this assembly through <paramref name="internals"/> (once per catalog).</summary>
    internal static void RegisterLoaders(ComponentCatalog catalog, IMLNetInternals internals)
    {
        lock (s_registered)
        {
            if (s_registered.TryGetValue(catalog, out _)) return;
            foreach (var loader in typeof(RecurrentComponentCatalogExtensions).Assembly.GetCustomAttributes<RecurrentLoaderAttribute>())
                internals.RegisterLoader(catalog, loader.LoaderType, loader.LoaderSignature);
            s_registered.Add(catalog, new object());
        }
    }
}
