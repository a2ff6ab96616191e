using System.IO.Compression;

namespace Microsoft.ML;

/// <summary>Writes the entries of a model zip. Entry names always use '/' as separator.</summary>
internal sealed class RepositoryWriter : IDisposable
{
    private readonly ZipArchive _archive;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public RepositoryWriter(Stream stream)
    {
        _archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
    }

    public static string Combine(string? dir, string name) =>
        string.IsNullOrEmpty(dir) ? Normalize(name) : Normalize(dir) + "/" + Normalize(name);

    public static string Normalize(string path) => path.Replace('\\', '/').Trim('/');

    public void WriteEntry(string path, ReadOnlySpan<byte> bytes)
    {
        path = Normalize(path);
        if (!_names.Add(path))
        {
            throw new InvalidOperationException($"The model already contains an entry named '{path}'.");
        }

        var entry = _archive.CreateEntry(path, CompressionLevel.Optimal);
        using var s = entry.Open();
        s.Write(bytes);
    }

    public void WriteEntry(string path, Action<Stream> write)
    {
        using var ms = new MemoryStream();
        write(ms);
        WriteEntry(path, ms.GetBuffer().AsSpan(0, (int)ms.Length));
    }

    public void Dispose() => _archive.Dispose();
}

/// <summary>Reads the entries of a model zip; accepts both '/' and '\' in entry names.</summary>
internal sealed class RepositoryReader : IDisposable
{
    private readonly ZipArchive _archive;
    private readonly Dictionary<string, ZipArchiveEntry> _entries = new(StringComparer.Ordinal);

    public RepositoryReader(Stream stream)
    {
        try
        {
            _archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            foreach (var e in _archive.Entries)
            {
                _entries[RepositoryWriter.Normalize(e.FullName)] = e;
            }
        }
        catch (InvalidDataException ex)
        {
            throw new FormatException("The stream is not a valid model file: it is not a zip archive or the archive is corrupted.", ex);
        }
    }

    public bool Contains(string path) => _entries.ContainsKey(RepositoryWriter.Normalize(path));

    public byte[]? TryReadEntry(string path)
    {
        path = RepositoryWriter.Normalize(path);
        if (!_entries.TryGetValue(path, out var entry))
        {
            return null;
        }

        try
        {
            using var s = entry.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            return ms.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new FormatException($"Model entry '{path}' is corrupted and cannot be decompressed.", ex);
        }
    }

    public void Dispose() => _archive.Dispose();
}
