using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNet.Persistence;

/// <summary>
/// The official-ML.NET binding: reaches the internal members by reflection, exactly the members listed in
/// mlnet-persistence.md §5 (unchanged from ML.NET 1.5 to 5.0). Compat keeps the same internals under the same names,
/// so the tests run this binding against Compat too. A missing member fails with a message naming it.
/// </summary>
internal sealed class ReflectionInternals : IMLNetInternals
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private const BindingFlags Static = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;

    private static readonly Assembly s_core = typeof(ModelSaveContext).Assembly;
    private static readonly Type s_versionInfo = CoreType("Microsoft.ML.VersionInfo");
    private static readonly Type s_loadContext = CoreType("Microsoft.ML.ModelLoadContext");
    private static readonly Type s_signatureLoadModel = CoreType("Microsoft.ML.SignatureLoadModel");
    private static readonly Type s_loadableClassAttribute = CoreType("Microsoft.ML.LoadableClassAttribute");
    private static readonly Type s_loadableClassInfo = typeof(ComponentCatalog).GetNestedType("LoadableClassInfo", BindingFlags.NonPublic | BindingFlags.Public)
        ?? throw Missing("type ComponentCatalog.LoadableClassInfo");

    public IHostEnvironment GetEnvironment(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var iface = catalog.GetType().GetInterfaces().FirstOrDefault(i => i.FullName == "Microsoft.ML.IInternalCatalog")
            ?? throw new ArgumentException($"'{catalog.GetType().FullName}' is not an ML.NET catalog (it does not implement IInternalCatalog).", nameof(catalog));
        var getter = iface.GetProperty("Environment")?.GetMethod ?? throw Missing("IInternalCatalog.Environment");
        return (IHostEnvironment)getter.Invoke(catalog, null)!;
    }

    public (int? GpuDeviceId, bool FallbackToCpu) GetGpuSettings(IHostEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(env);
        // Official ML.NET keeps them on the environment behind MLContext (IHostEnvironmentInternal); MLContext shows them publicly.
        var holder = env.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "IHostEnvironmentInternal") ?? env.GetType();
        var gpu = holder.GetProperty("GpuDeviceId", Instance);
        var fallback = holder.GetProperty("FallbackToCpu", Instance);
        if (gpu is null || fallback is null) return (null, false);
        return ((int?)gpu.GetValue(env), (bool)fallback.GetValue(env)!);
    }

    public void RegisterLoader(ComponentCatalog catalog, Type loaderType, string loaderSignature)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var attrCtor = s_loadableClassAttribute.GetConstructor(Instance, [typeof(Type), typeof(Type), typeof(Type), typeof(Type), typeof(string), typeof(string[])])
            ?? throw Missing("LoadableClassAttribute(Type, Type, Type, Type, string, string[])");
        object attr = attrCtor.Invoke([typeof(ITransformer), loaderType, null, s_signatureLoadModel, loaderType.Name, new[] { loaderSignature }]);

        var tryGetIniters = typeof(ComponentCatalog).GetMethod("TryGetIniters", Static) ?? throw Missing("ComponentCatalog.TryGetIniters");
        object?[] args = [typeof(ITransformer), loaderType, new[] { s_loadContext }, null, null, null, null];
        if (!(bool)tryGetIniters.Invoke(null, args)!)
            throw new InvalidOperationException($"'{loaderType.FullName}' has no static Create(IHostEnvironment, object) loader.");

        var infoCtor = s_loadableClassInfo.GetConstructors(Instance).FirstOrDefault(c => c.GetParameters().Length == 5)
            ?? throw Missing("ComponentCatalog.LoadableClassInfo(attribute, getter, ctor, create, requireEnvironment)");
        object info = infoCtor.Invoke([attr, args[3], args[4], args[5], args[6]]);
        var addClass = typeof(ComponentCatalog).GetMethod("AddClass", Instance) ?? throw Missing("ComponentCatalog.AddClass");
        Invoke(addClass, catalog, [info, new[] { loaderSignature }, true]);
    }

    public SchemaShape.Column CreateSchemaColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations)
    {
        var ctor = typeof(SchemaShape.Column).GetConstructor(Instance, [typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape)])
            ?? throw Missing("SchemaShape.Column(string, VectorKind, DataViewType, bool, SchemaShape)");
        return (SchemaShape.Column)ctor.Invoke([name, kind, itemType, isKey, annotations]);
    }

    public BinaryWriter BeginSave(ModelSaveContext ctx, ModelVersion version)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        Invoke(Method(typeof(ModelSaveContext), "CheckAtModel", Type.EmptyTypes), ctx, []);
        Invoke(Method(typeof(ModelSaveContext), "SetVersionInfo", [s_versionInfo]), ctx, [CreateVersionInfo(version)]);
        return (BinaryWriter)Field(typeof(ModelSaveContext), "Writer").GetValue(ctx)!;
    }

    public void SaveBinaryStream(ModelSaveContext ctx, string name, Action<BinaryWriter> write) =>
        Invoke(Method(typeof(ModelSaveContext), "SaveBinaryStream", [typeof(string), typeof(Action<BinaryWriter>)]), ctx, [name, write]);

    public BinaryReader BeginLoad(object loadContext, ModelVersion version, out uint writtenVersion)
    {
        CheckLoadContext(loadContext);
        object ver = CreateVersionInfo(version);
        // Official ML.NET's own check says only "Cannot read this version of the file"; check first with clear words.
        object header = Field(s_loadContext, "Header").GetValue(loadContext)!;
        ulong signature = (ulong)Field(header.GetType(), "ModelSignature").GetValue(header)!;
        writtenVersion = (uint)Field(header.GetType(), "ModelVerWritten").GetValue(header)!;
        uint readable = (uint)Field(header.GetType(), "ModelVerReadable").GetValue(header)!;
        VersionCheck.Check(version, signature, (ulong)Field(s_versionInfo, "ModelSignature").GetValue(ver)!, writtenVersion, readable);
        Invoke(Method(s_loadContext, "CheckAtModel", [s_versionInfo]), loadContext, [ver]);
        return (BinaryReader)Field(s_loadContext, "Reader").GetValue(loadContext)!;
    }

    public bool TryLoadBinaryStream(object loadContext, string name, Action<BinaryReader> read)
    {
        CheckLoadContext(loadContext);
        return (bool)Invoke(Method(s_loadContext, "TryLoadBinaryStream", [typeof(string), typeof(Action<BinaryReader>)]), loadContext, [name, read])!;
    }

    private static object CreateVersionInfo(ModelVersion v)
    {
        var ctor = s_versionInfo.GetConstructor(Instance, [typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(string), typeof(string), typeof(string)])
            ?? throw Missing("VersionInfo(string, uint, uint, uint, string, string, string)");
        return Invoke(ctor, [v.ModelSignature, v.VerWrittenCur, v.VerReadableCur, v.VerWeCanReadBack, ModelVersion.LoaderAssemblyName, v.LoaderSignature, null]);
    }

    private static void CheckLoadContext(object loadContext)
    {
        if (loadContext is null || !s_loadContext.IsInstanceOfType(loadContext))
            throw new ArgumentException($"Expected ML.NET's model load context; got '{loadContext?.GetType().FullName ?? "null"}'.", nameof(loadContext));
    }

    private static Type CoreType(string name) => s_core.GetType(name) ?? throw Missing("type " + name);

    private static MethodInfo Method(Type type, string name, Type[] parameters) =>
        type.GetMethod(name, Instance, parameters) ?? throw Missing($"{type.Name}.{name}");

    private static FieldInfo Field(Type type, string name) => type.GetField(name, Instance) ?? throw Missing($"{type.Name}.{name}");

    private static object? Invoke(MethodBase method, object? target, object?[] args)
    {
        try
        {
            return method.Invoke(target, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private static object Invoke(ConstructorInfo ctor, object?[] args)
    {
        try
        {
            return ctor.Invoke(args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private static NotSupportedException Missing(string member) =>
        new($"This ML.NET version lacks the internal member {member} that Microsoft.ML.Recurrent uses to save and load models (present in ML.NET 1.5 to 5.0).");
}
