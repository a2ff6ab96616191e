namespace Microsoft.ML.Recurrent.MLNet.Persistence;

/// <summary>
/// How a saved component identifies itself (ML.NET's <c>VersionInfo</c>): an 8-character model signature, the version
/// written now, the oldest reader version that can read it, the oldest written version this code reads back, and the
/// loader signature the component is registered under. The loader assembly is always Microsoft.ML.Recurrent.
/// </summary>
/// <param name="ModelSignature">8 ASCII characters, e.g. <c>"RNNREGRS"</c>.</param>
/// <param name="VerWrittenCur">The version this code writes, e.g. <c>0x00010001</c>.</param>
/// <param name="VerReadableCur">The oldest reader version that can read what this code writes.</param>
/// <param name="VerWeCanReadBack">The oldest written version this code can read.</param>
/// <param name="LoaderSignature">The name the loader is registered under (at most 24 ASCII characters).</param>
internal sealed record ModelVersion(string ModelSignature, uint VerWrittenCur, uint VerReadableCur, uint VerWeCanReadBack, string LoaderSignature)
{
    /// <summary>The full name of the assembly that holds every loader of the extension.</summary>
    public static string LoaderAssemblyName { get; } = typeof(ModelVersion).Assembly.FullName!;
}
