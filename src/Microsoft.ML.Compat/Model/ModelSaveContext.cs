using System.Text;

namespace Microsoft.ML;

/// <summary>
/// The context a component writes itself into when a model is saved. Only ML.NET components (and, here, the
/// Microsoft.ML.Recurrent extension) can write into it; user code only disposes it.
/// </summary>
public sealed class ModelSaveContext : IDisposable
{
    internal const string ModelEntryName = "Model.key";

    /// <summary>The writer of the model block; write the component's payload here.</summary>
    internal readonly BinaryWriter Writer;

    /// <summary>The repository the context writes into.</summary>
    internal readonly RepositoryWriter Repository;

    /// <summary>The directory of this component inside the repository.</summary>
    internal readonly string Directory;

    private readonly MemoryStream _model;
    private readonly List<string> _strings = new();
    private readonly Dictionary<string, int> _stringIds = new(StringComparer.Ordinal);
    private VersionInfo? _version;
    private bool _done;

    internal ModelSaveContext(RepositoryWriter rep, string dir)
    {
        Repository = rep ?? throw new ArgumentNullException(nameof(rep));
        Directory = RepositoryWriter.Normalize(dir ?? string.Empty);
        _model = new MemoryStream();
        Writer = new BinaryWriter(_model, Encoding.UTF8, leaveOpen: true);
    }

    internal bool InRepository => true;

    /// <summary>Checks that nothing has been written into the model block yet.</summary>
    internal void CheckAtModel()
    {
        if (_version != null || _model.Length != 0)
        {
            throw new InvalidOperationException("The save context is not at the start of the model block.");
        }
    }

    /// <summary>Declares the signature, versions and loader of the component being saved.</summary>
    internal void SetVersionInfo(VersionInfo ver)
    {
        if (_version != null)
        {
            throw new InvalidOperationException("SetVersionInfo can be called only once per save context.");
        }

        _version = ver;
    }

    /// <summary>Writes the id of <paramref name="str"/> in the string table.</summary>
    internal void SaveString(string str)
    {
        ArgumentNullException.ThrowIfNull(str);
        Writer.Write(GetStringId(str));
    }

    /// <summary>Writes the id of <paramref name="str"/>, or -1 for null.</summary>
    internal void SaveStringOrNull(string? str) => Writer.Write(str == null ? -1 : GetStringId(str));

    /// <summary>Writes the id of a non-empty string.</summary>
    internal void SaveNonEmptyString(string str)
    {
        ArgumentException.ThrowIfNullOrEmpty(str);
        SaveString(str);
    }

    private int GetStringId(string str)
    {
        if (!_stringIds.TryGetValue(str, out int id))
        {
            id = _strings.Count;
            _strings.Add(str);
            _stringIds.Add(str, id);
        }

        return id;
    }

    /// <summary>Writes a human-readable text entry named <paramref name="name"/> beside the model block.</summary>
    internal void SaveTextStream(string name, Action<TextWriter> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Repository.WriteEntry(RepositoryWriter.Combine(Directory, name), s =>
        {
            using var w = new StreamWriter(s, new UTF8Encoding(false), 1024, leaveOpen: true);
            action(w);
        });
    }

    /// <summary>Writes a binary entry named <paramref name="name"/> beside the model block.</summary>
    internal void SaveBinaryStream(string name, Action<BinaryWriter> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Repository.WriteEntry(RepositoryWriter.Combine(Directory, name), s =>
        {
            using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
            action(w);
        });
    }

    /// <summary>Saves <paramref name="value"/> as a sub-model in the sub-directory <paramref name="name"/>.</summary>
    internal void SaveModel<T>(T value, string name)
        where T : class
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        SaveModel(Repository, value, RepositoryWriter.Combine(Directory, name));
    }

    /// <summary>Saves <paramref name="value"/> (an <see cref="ICanSaveModel"/>) into directory <paramref name="path"/> of <paramref name="rep"/>.</summary>
    internal static void SaveModel<T>(RepositoryWriter rep, T value, string path)
        where T : class
    {
        if (value is not ICanSaveModel savable)
        {
            throw new InvalidOperationException($"Type '{value?.GetType().FullName ?? "null"}' cannot be saved: it does not implement ICanSaveModel.");
        }

        using var ctx = new ModelSaveContext(rep, path);
        savable.Save(ctx);
        ctx.Done();
    }

    /// <summary>Finishes the component: writes the header, model block and strings as the Model.key entry.</summary>
    internal void Done()
    {
        if (_done)
        {
            return;
        }

        if (_version is not VersionInfo ver)
        {
            throw new InvalidOperationException($"The component saved in '{Directory}' did not call SetVersionInfo.");
        }

        Writer.Flush();
        Repository.WriteEntry(RepositoryWriter.Combine(Directory, ModelEntryName), ModelHeader.Compose(ver, _model.GetBuffer().AsSpan(0, (int)_model.Length), _strings));
        _done = true;
    }

    /// <summary>Releases the context.</summary>
    public void Dispose()
    {
        Writer.Dispose();
        _model.Dispose();
    }
}
