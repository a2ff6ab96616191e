using System.Buffers.Binary;
using System.Text;

namespace Microsoft.ML;

/// <summary>
/// The 256-byte header of a <c>Model.key</c> entry (ML.NET's layout): signatures, versions and the offsets of the model
/// block, the string table, the loader assembly name and the tail.
/// </summary>
internal struct ModelHeader
{
    public const ulong SignatureValue = 0x4C45444F4D004C4D; // "ML\0MODEL"
    public const ulong TailSignatureValue = 0x4D4C004D4F44454C;
    public const uint VerWrittenCur = 0x00010002;
    public const uint VerReadableCur = 0x00010002;
    public const int Size = 0x100;
    private const int LoaderSignatureSize = 24;

    public ulong Signature;
    public uint VerWritten;
    public uint VerReadable;
    public long FpModel;
    public long CbModel;
    public long FpStringTable;
    public long CbStringTable;
    public long FpStringChars;
    public long CbStringChars;
    public ulong ModelSignature;
    public uint ModelVerWritten;
    public uint ModelVerReadable;
    public string LoaderSignature;
    public string LoaderSignatureAlt;
    public long FpTail;
    public long FpLim;
    public long FpAssemblyName;
    public uint CbAssemblyName;

    public static ulong EncodeSignature(string signature, string paramName)
    {
        if (signature == null || signature.Length == 0 || signature.Length > 8)
        {
            throw new ArgumentException($"A model signature has 1 to 8 ASCII characters; got '{signature}'.", paramName);
        }

        ulong value = 0;
        for (int i = 0; i < signature.Length; i++)
        {
            char c = signature[i];
            if (c > 0x7F)
            {
                throw new ArgumentException($"Model signature '{signature}' is not ASCII.", paramName);
            }

            // ML.NET stores a space as a zero byte.
            value |= (ulong)(c == ' ' ? 0 : c) << (8 * i);
        }

        return value;
    }

    public static string DecodeSignature(ulong value)
    {
        var chars = new char[8];
        int length = 8;
        for (int i = 0; i < 8; i++)
        {
            chars[i] = (char)((value >> (8 * i)) & 0xFF);
        }

        while (length > 0 && chars[length - 1] == '\0')
        {
            length--;
        }

        for (int i = 0; i < length; i++)
        {
            if (chars[i] == '\0')
            {
                chars[i] = ' ';
            }
        }

        return new string(chars, 0, length);
    }

    /// <summary>Writes a complete Model.key entry: header, model block, strings, assembly name and tail.</summary>
    public static byte[] Compose(VersionInfo ver, ReadOnlySpan<byte> model, IReadOnlyList<string> strings)
    {
        using var ms = new MemoryStream();
        ms.Write(new byte[Size]);
        ms.Write(model);

        long fpStringTable = ms.Position;
        long cumulative = 0;
        Span<byte> buf = stackalloc byte[8];
        foreach (string s in strings)
        {
            cumulative += s.Length * 2L;
            BinaryPrimitives.WriteInt64LittleEndian(buf, cumulative);
            ms.Write(buf);
        }

        long fpStringChars = ms.Position;
        foreach (string s in strings)
        {
            ms.Write(Encoding.Unicode.GetBytes(s));
        }

        long fpAssembly = ms.Position;
        byte[] asm = Encoding.Unicode.GetBytes(ver.LoaderAssemblyName);
        ms.Write(asm);
        long fpTail = ms.Position;
        BinaryPrimitives.WriteUInt64LittleEndian(buf, TailSignatureValue);
        ms.Write(buf);
        long fpLim = ms.Position;

        byte[] bytes = ms.ToArray();
        var h = bytes.AsSpan(0, Size);
        BinaryPrimitives.WriteUInt64LittleEndian(h[0x00..], SignatureValue);
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x08..], VerWrittenCur);
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x0C..], VerReadableCur);
        BinaryPrimitives.WriteInt64LittleEndian(h[0x10..], Size);
        BinaryPrimitives.WriteInt64LittleEndian(h[0x18..], model.Length);
        BinaryPrimitives.WriteInt64LittleEndian(h[0x20..], strings.Count == 0 ? 0 : fpStringTable);
        BinaryPrimitives.WriteInt64LittleEndian(h[0x28..], fpStringChars - fpStringTable);
        BinaryPrimitives.WriteInt64LittleEndian(h[0x30..], strings.Count == 0 ? 0 : fpStringChars);
        BinaryPrimitives.WriteInt64LittleEndian(h[0x38..], fpAssembly - fpStringChars);
        BinaryPrimitives.WriteUInt64LittleEndian(h[0x40..], ver.ModelSignature);
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x48..], ver.VerWrittenCur);
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x4C..], ver.VerReadableCur);
        WriteAscii(h.Slice(0x50, LoaderSignatureSize), ver.LoaderSignature);
        WriteAscii(h.Slice(0x68, LoaderSignatureSize), ver.LoaderSignatureAlt);
        BinaryPrimitives.WriteInt64LittleEndian(h[0x80..], fpTail);
        BinaryPrimitives.WriteInt64LittleEndian(h[0x88..], fpLim);
        BinaryPrimitives.WriteInt64LittleEndian(h[0x90..], fpAssembly);
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x98..], (uint)asm.Length);
        return bytes;
    }

    private static void WriteAscii(Span<byte> target, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        if (text.Length > target.Length || text.Any(c => c > 0x7F))
        {
            throw new ArgumentException($"Loader signature '{text}' must be at most {target.Length} ASCII characters.");
        }

        Encoding.ASCII.GetBytes(text, target);
    }

    private static string ReadAscii(ReadOnlySpan<byte> source)
    {
        int n = source.IndexOf((byte)0);
        return Encoding.ASCII.GetString(n < 0 ? source : source[..n]);
    }

    /// <summary>Parses and validates the header and string table of a Model.key entry.</summary>
    /// <exception cref="FormatException">The bytes are not a valid model entry.</exception>
    public static ModelHeader Parse(byte[] bytes, string entryName, out string[] strings, out string loaderAssemblyName)
    {
        if (bytes.Length < Size + 8)
        {
            throw new FormatException($"Model entry '{entryName}' is truncated: {bytes.Length} bytes, expected at least {Size + 8}.");
        }

        var h = bytes.AsSpan(0, Size);
        var header = new ModelHeader
        {
            Signature = BinaryPrimitives.ReadUInt64LittleEndian(h[0x00..]),
            VerWritten = BinaryPrimitives.ReadUInt32LittleEndian(h[0x08..]),
            VerReadable = BinaryPrimitives.ReadUInt32LittleEndian(h[0x0C..]),
            FpModel = BinaryPrimitives.ReadInt64LittleEndian(h[0x10..]),
            CbModel = BinaryPrimitives.ReadInt64LittleEndian(h[0x18..]),
            FpStringTable = BinaryPrimitives.ReadInt64LittleEndian(h[0x20..]),
            CbStringTable = BinaryPrimitives.ReadInt64LittleEndian(h[0x28..]),
            FpStringChars = BinaryPrimitives.ReadInt64LittleEndian(h[0x30..]),
            CbStringChars = BinaryPrimitives.ReadInt64LittleEndian(h[0x38..]),
            ModelSignature = BinaryPrimitives.ReadUInt64LittleEndian(h[0x40..]),
            ModelVerWritten = BinaryPrimitives.ReadUInt32LittleEndian(h[0x48..]),
            ModelVerReadable = BinaryPrimitives.ReadUInt32LittleEndian(h[0x4C..]),
            LoaderSignature = ReadAscii(h.Slice(0x50, LoaderSignatureSize)),
            LoaderSignatureAlt = ReadAscii(h.Slice(0x68, LoaderSignatureSize)),
            FpTail = BinaryPrimitives.ReadInt64LittleEndian(h[0x80..]),
            FpLim = BinaryPrimitives.ReadInt64LittleEndian(h[0x88..]),
            FpAssemblyName = BinaryPrimitives.ReadInt64LittleEndian(h[0x90..]),
            CbAssemblyName = BinaryPrimitives.ReadUInt32LittleEndian(h[0x98..]),
        };

        if (header.Signature != SignatureValue)
        {
            throw new FormatException($"Model entry '{entryName}' does not start with the ML.NET model signature.");
        }

        if (header.VerReadable > VerWrittenCur)
        {
            throw new FormatException($"Model entry '{entryName}' needs header version {header.VerReadable:X8}; this code reads up to {VerWrittenCur:X8}.");
        }

        long length = bytes.Length;
        bool InRange(long fp, long cb) => fp >= 0 && cb >= 0 && fp <= length && cb <= length - fp;
        if (header.FpModel != Size || !InRange(header.FpModel, header.CbModel) || !InRange(header.FpStringTable, header.CbStringTable)
            || !InRange(header.FpStringChars, header.CbStringChars) || !InRange(header.FpAssemblyName, header.CbAssemblyName)
            || header.FpLim != length || header.FpTail != length - 8 || header.CbStringTable % 8 != 0 || header.CbAssemblyName % 2 != 0)
        {
            throw new FormatException($"Model entry '{entryName}' has an inconsistent header (offsets outside the {length}-byte entry).");
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)header.FpTail)) != TailSignatureValue)
        {
            throw new FormatException($"Model entry '{entryName}' has a corrupted tail signature.");
        }

        int count = (int)(header.CbStringTable / 8);
        strings = new string[count];
        long prev = 0;
        for (int i = 0; i < count; i++)
        {
            long end = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)(header.FpStringTable + (8 * i))));
            if (end < prev || end > header.CbStringChars || (end - prev) % 2 != 0)
            {
                throw new FormatException($"Model entry '{entryName}' has a corrupted string table at string {i}.");
            }

            strings[i] = Encoding.Unicode.GetString(bytes, (int)(header.FpStringChars + prev), (int)(end - prev));
            prev = end;
        }

        loaderAssemblyName = Encoding.Unicode.GetString(bytes, (int)header.FpAssemblyName, (int)header.CbAssemblyName);
        return header;
    }
}
