namespace Microsoft.ML.Data;

/// <summary>A set of streams (usually files) that a data loader reads one after the other.</summary>
public interface IMultiStreamSource
{
    /// <summary>The number of streams.</summary>
    int Count { get; }

    /// <summary>Returns the path of stream <paramref name="index"/>, or null when it has none.</summary>
    /// <param name="index">The stream index.</param>
    string? GetPathOrNull(int index);

    /// <summary>Opens stream <paramref name="index"/>.</summary>
    /// <param name="index">The stream index.</param>
    Stream Open(int index);

    /// <summary>Opens stream <paramref name="index"/> as text.</summary>
    /// <param name="index">The stream index.</param>
    TextReader OpenTextReader(int index);
}

/// <summary>An <see cref="IMultiStreamSource"/> over files.</summary>
public sealed class MultiFileSource : IMultiStreamSource
{
    private readonly string[] _paths;

    /// <summary>Creates a source over the given files; null or empty entries are ignored.</summary>
    /// <param name="paths">The file paths.</param>
    public MultiFileSource(params string[] paths)
    {
        _paths = (paths ?? Array.Empty<string>()).Where(p => !string.IsNullOrEmpty(p)).ToArray();
    }

    /// <inheritdoc/>
    public int Count => _paths.Length;

    /// <inheritdoc/>
    public string? GetPathOrNull(int index) => _paths[index];

    /// <inheritdoc/>
    public Stream Open(int index)
    {
        string path = _paths[index];
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
    }

    /// <inheritdoc/>
    public TextReader OpenTextReader(int index) => new StreamReader(Open(index));
}

/// <summary>Loads data with a loader from file paths.</summary>
public static class DataLoaderExtensions
{
    /// <summary>Loads the files at <paramref name="path"/> with <paramref name="loader"/>.</summary>
    /// <param name="loader">The loader.</param>
    /// <param name="path">The file paths.</param>
    public static IDataView Load(this IDataLoader<IMultiStreamSource> loader, params string[] path)
    {
        ArgumentNullException.ThrowIfNull(loader);
        return loader.Load(new MultiFileSource(path));
    }
}
