namespace Microsoft.ML;

/// <summary>The signature of model loaders: a loader is created from the environment and a <see cref="ModelLoadContext"/>.</summary>
internal delegate void SignatureLoadModel(ModelLoadContext ctx);

/// <summary>
/// Declares (at assembly level) a class that can be instantiated by load name, for example a transformer loader:
/// <c>[assembly: LoadableClass(typeof(ITransformer), typeof(MyTransformer), null, typeof(SignatureLoadModel), "My transformer", MyTransformer.LoaderSignature)]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class LoadableClassAttribute : LoadableClassAttributeBase
{
    public LoadableClassAttribute(Type instType, Type? argType, Type sigType, string userName, params string[] loadNames)
        : base(null, instType, instType, argType, new[] { sigType }, userName, loadNames)
    {
    }

    public LoadableClassAttribute(Type instType, Type loaderType, Type? argType, Type sigType, string userName, params string[] loadNames)
        : base(null, instType, loaderType, argType, new[] { sigType }, userName, loadNames)
    {
    }

    public LoadableClassAttribute(string? summary, Type instType, Type loaderType, Type? argType, Type sigType, string userName, params string[] loadNames)
        : base(summary, instType, loaderType, argType, new[] { sigType }, userName, loadNames)
    {
    }
}

/// <summary>The data of a loadable-class declaration.</summary>
internal abstract class LoadableClassAttributeBase : Attribute
{
    protected LoadableClassAttributeBase(string? summary, Type instType, Type loaderType, Type? argType, Type[] sigTypes, string userName, string[] loadNames)
    {
        Summary = summary;
        InstanceType = instType ?? throw new ArgumentNullException(nameof(instType));
        LoaderType = loaderType ?? throw new ArgumentNullException(nameof(loaderType));
        ArgType = argType;
        SigTypes = sigTypes;
        UserName = userName ?? string.Empty;
        LoadNames = loadNames is { Length: > 0 } ? loadNames : new[] { loaderType.Name };
    }

    public string? Summary { get; }

    public Type InstanceType { get; }

    public Type LoaderType { get; }

    public Type? ArgType { get; }

    public Type[] SigTypes { get; }

    public Type? CtorType => ArgType;

    public string UserName { get; }

    public string[] LoadNames { get; }

    public string? DocName { get; set; }
}
