using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>Saving and loading models, and creating prediction engines from them.</summary>
public sealed class ModelOperationsCatalog : IInternalCatalog
{
    internal const string VersionEntryName = "TrainingInfo/Version.txt";
    internal const string ModelDirectory = "TransformerChain";

    internal ModelOperationsCatalog(MLContext context)
    {
        Context = context;
    }

    IHostEnvironment IInternalCatalog.Environment => Context;

    internal MLContext Context { get; }

    /// <summary>
    /// Saves <paramref name="model"/> and the schema of its input to a zip file. The file is written to a temporary
    /// file first and moved into place, so an existing file is never left half-written.
    /// </summary>
    /// <param name="model">The model (a transformer or chain); every part must be savable.</param>
    /// <param name="inputSchema">The schema the model expects; null saves no schema (Load then returns null).</param>
    /// <param name="filePath">The path of the file to write.</param>
    public void Save(ITransformer model, DataViewSchema? inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(model);
        SaveToFile(filePath, s => Save(model, inputSchema, s));
    }

    private static void SaveToFile(string filePath, Action<Stream> save)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        string full = Path.GetFullPath(filePath);
        string dir = Path.GetDirectoryName(full) ?? ".";
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                save(fs);
                fs.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Saves <paramref name="model"/> and the schema of its input as a zip into <paramref name="stream"/>.</summary>
    /// <param name="model">The model; every part must be savable.</param>
    /// <param name="inputSchema">The schema the model expects; null saves no schema.</param>
    /// <param name="stream">A writable stream; it is left open.</param>
    public void Save(ITransformer model, DataViewSchema? inputSchema, Stream stream)
    {
        SaveCore(model, stream, rep =>
        {
            if (inputSchema != null)
            {
                rep.WriteEntry(SchemaEntry.EntryName, s => SchemaEntry.Write(s, inputSchema));
            }
        });
    }

    private static void SaveCore(ITransformer model, Stream stream, Action<RepositoryWriter> writeExtra)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream must be writable.", nameof(stream));
        }

        // Build the whole zip in memory first so a failing component leaves the target stream untouched.
        using var buffer = new MemoryStream();
        using (var rep = new RepositoryWriter(buffer))
        {
            rep.WriteEntry(VersionEntryName, System.Text.Encoding.UTF8.GetBytes(VersionText + Environment.NewLine));
            ModelSaveContext.SaveModel(rep, model, ModelDirectory);
            writeExtra(rep);
        }

        buffer.Position = 0;
        buffer.CopyTo(stream);
        stream.Flush();
    }

    /// <summary>
    /// Saves <paramref name="model"/> together with the data loader that feeds it; the input schema is the loader's
    /// output schema. The file is written to a temporary file first and moved into place.
    /// </summary>
    /// <typeparam name="TSource">The source type of the loader.</typeparam>
    /// <param name="model">The model; every part must be savable.</param>
    /// <param name="loader">The data loader, for example a <see cref="TextLoader"/>.</param>
    /// <param name="filePath">The path of the file to write.</param>
    public void Save<TSource>(ITransformer model, IDataLoader<TSource> loader, string filePath)
    {
        ArgumentNullException.ThrowIfNull(loader);
        SaveToFile(filePath, s => Save(model, loader, s));
    }

    /// <summary>Saves <paramref name="model"/> together with the data loader that feeds it into <paramref name="stream"/>.</summary>
    /// <typeparam name="TSource">The source type of the loader.</typeparam>
    /// <param name="model">The model; every part must be savable.</param>
    /// <param name="loader">The data loader.</param>
    /// <param name="stream">A writable stream; it is left open.</param>
    public void Save<TSource>(ITransformer model, IDataLoader<TSource> loader, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(loader);
        SaveCore(model, stream, rep =>
        {
            using var root = new ModelSaveContext(rep, string.Empty);
            root.SetVersionInfo(CompositeLoaderVersion());
            root.Writer.Write(1);
            root.Done();
            ModelSaveContext.SaveModel(rep, loader, LoaderDirectory);
            rep.WriteEntry(SchemaEntry.EntryName, s => SchemaEntry.Write(s, loader.GetOutputSchema()));
        });
    }

    /// <summary>Loads a model saved with a data loader, returning the transformer and the loader.</summary>
    /// <param name="filePath">The model file.</param>
    /// <param name="loader">Receives the data loader.</param>
    /// <exception cref="FormatException">The file is not a model saved with a loader, or is corrupted.</exception>
    public ITransformer LoadWithDataLoader(string filePath, out IDataLoader<IMultiStreamSource> loader)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        using var fs = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        return LoadWithDataLoader(fs, out loader);
    }

    /// <summary>Loads a model saved with a data loader from a stream.</summary>
    /// <param name="stream">A readable stream holding the model zip.</param>
    /// <param name="loader">Receives the data loader.</param>
    /// <exception cref="FormatException">The stream is not a model saved with a loader, or is corrupted.</exception>
    public ITransformer LoadWithDataLoader(Stream stream, out IDataLoader<IMultiStreamSource> loader)
    {
        IDataLoader<IMultiStreamSource>? found = null;
        var model = LoadCore(stream, out _, rep =>
        {
            if (!ModelLoadContext.TryLoadModel<IDataLoader<IMultiStreamSource>, SignatureLoadModel>(Context, out found, rep, LoaderDirectory))
            {
                throw new FormatException($"The model was saved without a data loader (no '{LoaderDirectory}/{ModelSaveContext.ModelEntryName}' entry).");
            }
        });
        loader = found!;
        return model;
    }

    internal const string LoaderDirectory = "Loader";

    private static VersionInfo CompositeLoaderVersion() =>
        new("CMPSTLDR", 0x00010001, 0x00010001, 0x00010001, typeof(ModelOperationsCatalog).Assembly.FullName!, "CompositeLoader");

    internal static string VersionText => "4.0.2 (Microsoft.ML.Compat " + typeof(ModelOperationsCatalog).Assembly.GetName().Version + ")";

    /// <summary>Loads a model saved with <see cref="Save(ITransformer, DataViewSchema, string)"/>.</summary>
    /// <param name="filePath">The model file.</param>
    /// <param name="inputSchema">Receives the saved input schema, or null when none was saved.</param>
    /// <exception cref="FormatException">The file is not a model file or is corrupted.</exception>
    public ITransformer Load(string filePath, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        using var fs = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return Load(fs, out inputSchema);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"Cannot load model '{filePath}': {ex.Message}", ex);
        }
    }

    /// <summary>Loads a model from a stream holding a model zip.</summary>
    /// <param name="stream">A readable, seekable stream.</param>
    /// <param name="inputSchema">Receives the saved input schema, or null when none was saved.</param>
    /// <exception cref="FormatException">The stream is not a model file or is corrupted.</exception>
    public ITransformer Load(Stream stream, out DataViewSchema inputSchema) => LoadCore(stream, out inputSchema, null);

    private ITransformer LoadCore(Stream stream, out DataViewSchema inputSchema, Action<RepositoryReader>? loadExtra)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Stream source = stream;
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            source = copy;
        }

        try
        {
            using var rep = new RepositoryReader(source);
            if (!rep.Contains(RepositoryWriter.Combine(ModelDirectory, ModelSaveContext.ModelEntryName)))
            {
                throw new FormatException($"The zip is not an ML.NET model: it has no '{ModelDirectory}/{ModelSaveContext.ModelEntryName}' entry.");
            }

            ModelLoadContext.LoadModel<ITransformer, SignatureLoadModel>(Context, out var model, rep, ModelDirectory);
            byte[]? schemaBytes = rep.TryReadEntry(SchemaEntry.EntryName);
            inputSchema = schemaBytes == null ? null! : SchemaEntry.Read(schemaBytes);
            loadExtra?.Invoke(rep);
            return model;
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or ArgumentException or OverflowException or IOException)
        {
            throw new FormatException($"The model is corrupted: {ex.Message}", ex);
        }
    }

    /// <summary>Creates a prediction engine that scores single objects with <paramref name="transformer"/>.</summary>
    /// <typeparam name="TSrc">The input class.</typeparam>
    /// <typeparam name="TDst">The output class; members are filled from output columns of the same name.</typeparam>
    /// <param name="transformer">A row-to-row transformer.</param>
    /// <param name="ignoreMissingColumns">Whether <typeparamref name="TDst"/> members without a matching column keep their value (true, the default) or throw.</param>
    /// <param name="inputSchemaDefinition">Overrides the mapping of <typeparamref name="TSrc"/>; null infers it.</param>
    /// <param name="outputSchemaDefinition">Overrides the mapping of <typeparamref name="TDst"/>; null infers it.</param>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer transformer, bool ignoreMissingColumns = true, SchemaDefinition? inputSchemaDefinition = null, SchemaDefinition? outputSchemaDefinition = null)
        where TSrc : class
        where TDst : class, new() =>
        new(Context, transformer, ignoreMissingColumns, inputSchemaDefinition, outputSchemaDefinition, ownsTransformer: true);

    /// <summary>Creates a prediction engine whose input rows have the column types of <paramref name="inputSchema"/>.</summary>
    /// <typeparam name="TSrc">The input class.</typeparam>
    /// <typeparam name="TDst">The output class.</typeparam>
    /// <param name="transformer">A row-to-row transformer.</param>
    /// <param name="inputSchema">The schema of the input, for example the one returned by <see cref="Load(string, out DataViewSchema)"/>.</param>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer transformer, DataViewSchema inputSchema)
        where TSrc : class
        where TDst : class, new()
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var def = SchemaDefinition.Create(typeof(TSrc), SchemaDefinition.Direction.Read);
        foreach (var c in def)
        {
            if (inputSchema.GetColumnOrNull(c.ColumnName) is { } col)
            {
                c.ColumnType = col.Type;
            }
        }

        return new PredictionEngine<TSrc, TDst>(Context, transformer, true, def, null, ownsTransformer: true);
    }

    /// <summary>Creates a prediction engine with the given options.</summary>
    /// <typeparam name="TSrc">The input class.</typeparam>
    /// <typeparam name="TDst">The output class.</typeparam>
    /// <param name="transformer">A row-to-row transformer.</param>
    /// <param name="options">The options.</param>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer transformer, PredictionEngineOptions options)
        where TSrc : class
        where TDst : class, new()
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PredictionEngine<TSrc, TDst>(Context, transformer, options.IgnoreMissingColumns, options.InputSchemaDefinition, options.OutputSchemaDefinition, options.OwnsTransformer);
    }
}

/// <summary>Options of <see cref="ModelOperationsCatalog.CreatePredictionEngine{TSrc, TDst}(ITransformer, PredictionEngineOptions)"/>.</summary>
public sealed class PredictionEngineOptions
{
    /// <summary>Whether output members without a matching column keep their value (true) or throw (false).</summary>
    public bool IgnoreMissingColumns = true;

    /// <summary>Overrides the mapping of the input class; null infers it.</summary>
    public SchemaDefinition? InputSchemaDefinition;

    /// <summary>Overrides the mapping of the output class; null infers it.</summary>
    public SchemaDefinition? OutputSchemaDefinition;

    /// <summary>Whether disposing the engine disposes the transformer (when it is disposable). Defaults to true.</summary>
    public bool OwnsTransformer = true;
}
