using System.Text;
using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>
/// The context a component reads itself from when a model is loaded (internal, as in ML.NET). Loaders are static
/// <c>Create(IHostEnvironment env, ModelLoadContext ctx)</c> methods or constructors registered with
/// <see cref="LoadableClassAttribute"/> and <see cref="SignatureLoadModel"/>.
/// </summary>
internal sealed class ModelLoadContext : IDisposable
{
    /// <summary>The reader of the model block, positioned at its start.</summary>
    public readonly BinaryReader Reader;

    /// <summary>The repository being read.</summary>
    public readonly RepositoryReader Repository;

    /// <summary>The directory of this component inside the repository.</summary>
    public readonly string Directory;

    /// <summary>The string table of the entry.</summary>
    public readonly string[] Strings;

    /// <summary>The full name of the assembly that wrote the component (and holds its loader).</summary>
    public readonly string LoaderAssemblyName;

    /// <summary>The parsed header.</summary>
    public ModelHeader Header;

    private ModelLoadContext(RepositoryReader rep, string dir, byte[] bytes)
    {
        Repository = rep;
        Directory = dir;
        string entry = RepositoryWriter.Combine(dir, ModelSaveContext.ModelEntryName);
        Header = ModelHeader.Parse(bytes, entry, out Strings, out LoaderAssemblyName);
        Reader = new BinaryReader(new MemoryStream(bytes, (int)Header.FpModel, (int)Header.CbModel, writable: false), Encoding.UTF8);
    }

    public bool InRepository => true;

    /// <summary>The loader signature recorded in the header.</summary>
    public string LoaderSignature => Header.LoaderSignature;

    /// <summary>Checks that the entry was written by a component with <paramref name="ver"/>'s signature and a readable version.</summary>
    /// <exception cref="FormatException">The signature differs or the version is outside what this code reads.</exception>
    public void CheckAtModel(VersionInfo ver)
    {
        CheckAtModel();
        if (Header.ModelSignature != ver.ModelSignature)
        {
            throw new FormatException($"Model entry in '{Directory}' has signature '{ModelHeader.DecodeSignature(Header.ModelSignature)}'; expected '{ModelHeader.DecodeSignature(ver.ModelSignature)}'.");
        }

        if (Header.ModelVerReadable > ver.VerWrittenCur)
        {
            throw new FormatException($"Model '{ModelHeader.DecodeSignature(ver.ModelSignature)}' in '{Directory}' needs reader version 0x{Header.ModelVerReadable:X8}; this code reads up to 0x{ver.VerWrittenCur:X8}. The model was saved by a newer version.");
        }

        if (Header.ModelVerWritten < ver.VerWeCanReadBack)
        {
            throw new FormatException($"Model '{ModelHeader.DecodeSignature(ver.ModelSignature)}' in '{Directory}' has version 0x{Header.ModelVerWritten:X8}; this code reads back versions from 0x{ver.VerWeCanReadBack:X8}. The model is too old.");
        }
    }

    /// <summary>Checks that the reader is at the start of the model block.</summary>
    public void CheckAtModel()
    {
        if (Reader.BaseStream.Position != 0)
        {
            throw new InvalidOperationException("The load context is not at the start of the model block.");
        }
    }

    /// <summary>Reads a string id and returns the string.</summary>
    public string LoadString()
    {
        int id = Reader.ReadInt32();
        if (id < 0 || id >= Strings.Length)
        {
            throw new FormatException($"Model entry in '{Directory}' refers to string {id}, but its string table has {Strings.Length} strings.");
        }

        return Strings[id];
    }

    /// <summary>Reads a string id; -1 means null.</summary>
    public string? LoadStringOrNull()
    {
        int id = Reader.ReadInt32();
        if (id == -1)
        {
            return null;
        }

        if (id < 0 || id >= Strings.Length)
        {
            throw new FormatException($"Model entry in '{Directory}' refers to string {id}, but its string table has {Strings.Length} strings.");
        }

        return Strings[id];
    }

    /// <summary>Reads a string that must not be empty.</summary>
    public string LoadNonEmptyString()
    {
        string s = LoadString();
        if (s.Length == 0)
        {
            throw new FormatException($"Model entry in '{Directory}' has an empty string where a name was expected.");
        }

        return s;
    }

    /// <summary>Reads the binary entry <paramref name="name"/> beside the model block; returns false when absent.</summary>
    public bool TryLoadBinaryStream(string name, Action<BinaryReader> action)
    {
        byte[]? bytes = Repository.TryReadEntry(RepositoryWriter.Combine(Directory, name));
        if (bytes == null)
        {
            return false;
        }

        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        action(r);
        return true;
    }

    /// <summary>Reads the text entry <paramref name="name"/> beside the model block; returns false when absent.</summary>
    public bool TryLoadTextStream(string name, Action<TextReader> action)
    {
        byte[]? bytes = Repository.TryReadEntry(RepositoryWriter.Combine(Directory, name));
        if (bytes == null)
        {
            return false;
        }

        using var r = new StreamReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        action(r);
        return true;
    }

    /// <summary>Loads the sub-model saved in the sub-directory <paramref name="name"/>.</summary>
    public void LoadModel<TRes, TSig>(IHostEnvironment env, out TRes result, string name, params object[] extra)
        where TRes : class
    {
        if (!TryLoadModel<TRes, TSig>(env, out result!, Repository, RepositoryWriter.Combine(Directory, name), extra))
        {
            throw new FormatException($"The model file has no entry '{RepositoryWriter.Combine(RepositoryWriter.Combine(Directory, name), ModelSaveContext.ModelEntryName)}'.");
        }
    }

    /// <summary>Loads the sub-model in <paramref name="name"/>, or returns false when there is none.</summary>
    public bool LoadModelOrNull<TRes, TSig>(IHostEnvironment env, out TRes? result, string name, params object[] extra)
        where TRes : class =>
        TryLoadModel<TRes, TSig>(env, out result, Repository, RepositoryWriter.Combine(Directory, name), extra);

    /// <summary>Loads the model saved in directory <paramref name="dir"/> of <paramref name="rep"/>.</summary>
    public static void LoadModel<TRes, TSig>(IHostEnvironment env, out TRes result, RepositoryReader rep, string dir, params object[] extra)
        where TRes : class
    {
        if (!TryLoadModel<TRes, TSig>(env, out result!, rep, dir, extra))
        {
            throw new FormatException($"The model file has no entry '{RepositoryWriter.Combine(dir, ModelSaveContext.ModelEntryName)}'.");
        }
    }

    /// <summary>Loads the model in <paramref name="dir"/>; returns false when the directory holds no model.</summary>
    public static bool TryLoadModel<TRes, TSig>(IHostEnvironment env, out TRes? result, RepositoryReader rep, string dir, params object[] extra)
        where TRes : class
    {
        ArgumentNullException.ThrowIfNull(env);
        byte[]? bytes = rep.TryReadEntry(RepositoryWriter.Combine(dir, ModelSaveContext.ModelEntryName));
        if (bytes == null)
        {
            result = null;
            return false;
        }

        using var ctx = new ModelLoadContext(rep, RepositoryWriter.Normalize(dir), bytes);
        result = ctx.CreateInstance<TRes, TSig>(env, extra);
        return true;
    }

    private TRes CreateInstance<TRes, TSig>(IHostEnvironment env, object[] extra)
        where TRes : class
    {
        var catalog = env.ComponentCatalog;
        catalog.EnsureLoaderAssemblyIsRegistered(LoaderAssemblyName);
        if (!catalog.TryFindLoadableClass(typeof(TSig), Header.LoaderSignature, out var info)
            && !(Header.LoaderSignatureAlt.Length > 0 && catalog.TryFindLoadableClass(typeof(TSig), Header.LoaderSignatureAlt, out info)))
        {
            throw new InvalidOperationException($"Unknown loader signature '{Header.LoaderSignature}' in '{Directory}' (written by '{LoaderAssemblyName}'). Register the assembly that defines it with mlContext.ComponentCatalog.RegisterAssembly.");
        }

        var args = new object[1 + extra.Length];
        args[0] = this;
        extra.CopyTo(args, 1);
        object instance = info!.CreateInstance(env, args);
        return instance as TRes ?? throw new InvalidOperationException($"The loader '{Header.LoaderSignature}' created a '{instance.GetType()}', which is not a '{typeof(TRes)}'.");
    }

    public void Dispose() => Reader.Dispose();
}
