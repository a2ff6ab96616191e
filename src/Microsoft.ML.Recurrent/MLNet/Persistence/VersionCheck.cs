namespace Microsoft.ML.Recurrent.MLNet.Persistence;

/// <summary>The signature and version checks on load, with messages that say what to do.</summary>
internal static class VersionCheck
{
    /// <summary>Throws when the stored component is not <paramref name="version"/>'s kind or its version cannot be read.</summary>
    /// <exception cref="FormatException">Wrong signature, a newer model than this code reads, or an older one it no longer reads.</exception>
    public static void Check(ModelVersion version, ulong storedSignature, ulong expectedSignature, uint written, uint readable)
    {
        if (storedSignature != expectedSignature)
            throw new FormatException($"The model entry for loader '{version.LoaderSignature}' has signature {Decode(storedSignature)}; expected '{version.ModelSignature}'. The model file is damaged or was written by a different component.");
        if (readable > version.VerWrittenCur)
            throw new FormatException($"The '{version.LoaderSignature}' model was saved by a newer Microsoft.ML.Recurrent (format 0x{written:X8}, readable from 0x{readable:X8}); this version reads formats up to 0x{version.VerWrittenCur:X8}. Update Microsoft.ML.Recurrent to load it.");
        if (written < version.VerWeCanReadBack)
            throw new FormatException($"The '{version.LoaderSignature}' model has format 0x{written:X8}, older than the oldest this version reads (0x{version.VerWeCanReadBack:X8}). Retrain it or load it with an older Microsoft.ML.Recurrent.");
    }

    private static string Decode(ulong signature)
    {
        var chars = new char[8];
        for (int i = 0; i < 8; i++)
        {
            byte b = (byte)(signature >> (8 * i));
            chars[i] = b == 0 ? ' ' : b is >= 32 and < 127 ? (char)b : '?';
        }
        return "'" + new string(chars) + "'";
    }
}
