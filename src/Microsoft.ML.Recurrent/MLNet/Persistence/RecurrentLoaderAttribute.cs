namespace Microsoft.ML.Recurrent.MLNet.Persistence;

/// <summary>
/// Lists a loadable component of the extension for <see cref="RecurrentComponentCatalogExtensions.RegisterRecurrent"/>
/// (official ML.NET, where the internal <c>LoadableClassAttribute</c> cannot be written). The component also carries
/// Compat's <c>[assembly: LoadableClass(...)]</c> under <c>#if !MLNET_OFFICIAL</c>, so Compat loads it with no registration:
/// <code>
/// #if !MLNET_OFFICIAL
/// [assembly: LoadableClass(typeof(ITransformer), typeof(MyTransformer), null, typeof(SignatureLoadModel), "My transformer", MyTransformer.LoaderSignature)]
/// #endif
/// [assembly: RecurrentLoader(typeof(MyTransformer), MyTransformer.LoaderSignature)]
/// </code>
/// The loader is a static <c>Create(IHostEnvironment env, object ctx)</c> returning <see cref="ITransformer"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class RecurrentLoaderAttribute(Type loaderType, string loaderSignature) : Attribute
{
    /// <summary>The type with the static <c>Create(IHostEnvironment, object)</c> loader.</summary>
    public Type LoaderType { get; } = loaderType;

    /// <summary>The loader signature written into saved models.</summary>
    public string LoaderSignature { get; } = loaderSignature;
}
