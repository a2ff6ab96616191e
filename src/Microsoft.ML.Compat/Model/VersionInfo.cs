namespace Microsoft.ML;

/// <summary>
/// Identifies a saved component and the versions of its format: the 8-character model signature, the version written
/// now, the oldest reader version that can read it, and the oldest written version this code can read back.
/// </summary>
internal readonly struct VersionInfo
{
    public readonly ulong ModelSignature;
    public readonly uint VerWrittenCur;
    public readonly uint VerReadableCur;
    public readonly uint VerWeCanReadBack;
    public readonly string LoaderAssemblyName;
    public readonly string? LoaderSignature;
    public readonly string? LoaderSignatureAlt;

    public VersionInfo(string modelSignature, uint verWrittenCur, uint verReadableCur, uint verWeCanReadBack,
        string loaderAssemblyName, string? loaderSignature = null, string? loaderSignatureAlt = null)
    {
        ModelSignature = ModelHeader.EncodeSignature(modelSignature, nameof(modelSignature));
        if (verReadableCur > verWrittenCur)
        {
            throw new ArgumentOutOfRangeException(nameof(verReadableCur), verReadableCur, $"The readable version cannot exceed the written version {verWrittenCur:X8}.");
        }

        if (verWeCanReadBack > verWrittenCur)
        {
            throw new ArgumentOutOfRangeException(nameof(verWeCanReadBack), verWeCanReadBack, $"The read-back version cannot exceed the written version {verWrittenCur:X8}.");
        }

        VerWrittenCur = verWrittenCur;
        VerReadableCur = verReadableCur;
        VerWeCanReadBack = verWeCanReadBack;
        LoaderAssemblyName = loaderAssemblyName ?? throw new ArgumentNullException(nameof(loaderAssemblyName));
        LoaderSignature = loaderSignature;
        LoaderSignatureAlt = loaderSignatureAlt;
    }
}
