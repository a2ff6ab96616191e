using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNet.Persistence;

/// <summary>
/// The one door to the ML.NET members that official ML.NET keeps internal: writing into <see cref="ModelSaveContext"/>,
/// reading a model load context, registering a loader, the environment behind a catalog and
/// <see cref="SchemaShape.Column"/>'s constructor. Two bindings: <c>CompatInternals</c> (Compat grants
/// InternalsVisibleTo) and <see cref="ReflectionInternals"/> (official ML.NET, mlnet-persistence.md §5).
/// Everything else in <c>MLNet/</c> uses public ML.NET surface only.
/// </summary>
internal interface IMLNetInternals
{
    /// <summary>The environment behind an ML.NET catalog (a trainer sub-catalog, <c>mlContext.Transforms</c>, ...).</summary>
    IHostEnvironment GetEnvironment(object catalog);

    /// <summary><c>MLContext.GpuDeviceId</c> and <c>FallbackToCpu</c> of the context behind <paramref name="env"/> (null and false when unknown).</summary>
    (int? GpuDeviceId, bool FallbackToCpu) GetGpuSettings(IHostEnvironment env);

    /// <summary>Registers <paramref name="loaderType"/>'s static <c>Create(IHostEnvironment, object)</c> under <paramref name="loaderSignature"/>.</summary>
    void RegisterLoader(ComponentCatalog catalog, Type loaderType, string loaderSignature);

    /// <summary>A <see cref="SchemaShape.Column"/> (its constructor is internal in ML.NET).</summary>
    SchemaShape.Column CreateSchemaColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations);

    /// <summary>Checks the save context is fresh, records the version info and returns the model block's writer.</summary>
    BinaryWriter BeginSave(ModelSaveContext ctx, ModelVersion version);

    /// <summary>Writes a binary entry named <paramref name="name"/> beside the model block.</summary>
    void SaveBinaryStream(ModelSaveContext ctx, string name, Action<BinaryWriter> write);

    /// <summary>Checks the signature and versions of a load context (the internal <c>ModelLoadContext</c>) and returns its reader and the written version.</summary>
    BinaryReader BeginLoad(object loadContext, ModelVersion version, out uint writtenVersion);

    /// <summary>Reads the binary entry <paramref name="name"/> beside the model block; false when absent.</summary>
    bool TryLoadBinaryStream(object loadContext, string name, Action<BinaryReader> read);
}
