#if !MLNET_OFFICIAL
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNet.Persistence;

/// <summary>The Compat binding: Compat grants this assembly its internals (InternalsVisibleTo), so calls are direct.</summary>
internal sealed class CompatInternals : IMLNetInternals
{
    public IHostEnvironment GetEnvironment(object catalog) =>
        catalog is IInternalCatalog c ? c.Environment
        : throw new ArgumentException($"'{catalog?.GetType().FullName ?? "null"}' is not an ML.NET catalog.", nameof(catalog));

    public (int? GpuDeviceId, bool FallbackToCpu) GetGpuSettings(IHostEnvironment env) =>
        env is MLContext context ? (context.GpuDeviceId, context.FallbackToCpu) : (null, false);

    public void RegisterLoader(ComponentCatalog catalog, Type loaderType, string loaderSignature)
    {
        var attr = new LoadableClassAttribute(typeof(ITransformer), loaderType, null, typeof(SignatureLoadModel), loaderType.Name, loaderSignature);
        if (!ComponentCatalog.TryGetIniters(typeof(ITransformer), loaderType, [typeof(ModelLoadContext)], out var getter, out var ctor, out var create, out bool requireEnvironment))
            throw new InvalidOperationException($"'{loaderType.FullName}' has no static Create(IHostEnvironment, object) loader.");
        catalog.AddClass(new ComponentCatalog.LoadableClassInfo(attr, getter, ctor, create, requireEnvironment), [loaderSignature], throwOnError: true);
    }

    public SchemaShape.Column CreateSchemaColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations) =>
        new(name, kind, itemType, isKey, annotations);

    public BinaryWriter BeginSave(ModelSaveContext ctx, ModelVersion version)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(new VersionInfo(version.ModelSignature, version.VerWrittenCur, version.VerReadableCur, version.VerWeCanReadBack,
            ModelVersion.LoaderAssemblyName, version.LoaderSignature));
        return ctx.Writer;
    }

    public void SaveBinaryStream(ModelSaveContext ctx, string name, Action<BinaryWriter> write) => ctx.SaveBinaryStream(name, write);

    public BinaryReader BeginLoad(object loadContext, ModelVersion version, out uint writtenVersion)
    {
        var ctx = AsLoadContext(loadContext);
        var ver = new VersionInfo(version.ModelSignature, version.VerWrittenCur, version.VerReadableCur, version.VerWeCanReadBack,
            ModelVersion.LoaderAssemblyName, version.LoaderSignature);
        writtenVersion = ctx.Header.ModelVerWritten;
        VersionCheck.Check(version, ctx.Header.ModelSignature, ver.ModelSignature, writtenVersion, ctx.Header.ModelVerReadable);
        ctx.CheckAtModel(ver);
        return ctx.Reader;
    }

    public bool TryLoadBinaryStream(object loadContext, string name, Action<BinaryReader> read) => AsLoadContext(loadContext).TryLoadBinaryStream(name, read);

    private static ModelLoadContext AsLoadContext(object loadContext) =>
        loadContext as ModelLoadContext ?? throw new ArgumentException($"Expected ML.NET's model load context; got '{loadContext?.GetType().FullName ?? "null"}'.", nameof(loadContext));
}
#endif
