using System.Reflection;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Gpu.Native;

/// <summary>A CUDA library could not be loaded; the message names the library and every place searched.</summary>
public sealed class CudaLibraryNotFoundException : DllNotFoundException
{
    /// <summary>Creates the exception.</summary>
    public CudaLibraryNotFoundException(string library, IReadOnlyList<string> searched)
        : base(Describe(library, searched))
    {
        Library = library;
        Searched = searched;
    }

    /// <summary>The logical library name ("cuda", "cublas", "cudnn", "nvrtc", ...).</summary>
    public string Library { get; }

    /// <summary>The folders searched, in order.</summary>
    public IReadOnlyList<string> Searched { get; }

    internal static string Describe(string library, IReadOnlyList<string> searched) =>
        $"The CUDA library '{library}' was not found. Searched: {string.Join(", ", searched)}. " +
        $"Install the NVIDIA driver / CUDA 12 or 13 libraries (or the nvidia-* pip wheels), or set {CudaLibrarySearch.OverrideVariable} to the folder that holds them.";
}

/// <summary>
/// Loads the CUDA libraries once per process by walking <see cref="CudaLibrarySearch"/>'s plan, and routes the
/// P/Invoke declarations' logical names to the loaded handles.
/// </summary>
internal static class CudaLibraries
{
    private static readonly object s_gate = new();
    private static readonly Dictionary<string, nint> s_loaded = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, string> s_paths = new(StringComparer.Ordinal);
    private static bool s_resolverInstalled;

    /// <summary>Full paths (or bare names for the OS loader) of the libraries loaded so far, by logical name.</summary>
    public static IReadOnlyDictionary<string, string> LoadedPaths
    {
        get { lock (s_gate) return new Dictionary<string, string>(s_paths); }
    }

    /// <summary>Loads <paramref name="library"/> (and, for cuDNN, its sub-libraries first); throws <see cref="CudaLibraryNotFoundException"/>.</summary>
    public static nint Load(CudaLibraryInfo library, SearchEnvironment? environment = null)
    {
        lock (s_gate)
        {
            InstallResolver();
            if (s_loaded.TryGetValue(library.LogicalName, out var handle)) return handle;
            environment ??= SearchEnvironment.Current();
            if (library == CudaLibrarySearch.Cublas || library == CudaLibrarySearch.Cudnn)
                TryLoadLocked(CudaLibrarySearch.CublasLt, environment, out _); // cuDNN 9 and cuBLAS both need cuBLASLt
            if (library == CudaLibrarySearch.Cudnn)
                PreloadCudnnSubLibraries(environment);
            if (TryLoadLocked(library, environment, out handle)) return handle;
            throw new CudaLibraryNotFoundException(library.LogicalName, CudaLibrarySearch.Folders(library, environment));
        }
    }

    /// <summary>Like <see cref="Load"/> but reports failure as text instead of throwing.</summary>
    public static bool TryLoad(CudaLibraryInfo library, out string? failure, SearchEnvironment? environment = null)
    {
        try { Load(library, environment); failure = null; return true; }
        catch (CudaLibraryNotFoundException e) { failure = e.Message; return false; }
    }

    /// <summary>
    /// Loads the cuDNN sub-libraries, repeating passes until one makes no progress: a part that failed only because a
    /// part it links against was not loaded yet succeeds on a later pass. Missing optional parts (cnn, engines in slim
    /// installs) are left to cuDNN, which reports them when an operation needs them.
    /// </summary>
    private static void PreloadCudnnSubLibraries(SearchEnvironment environment)
    {
        var pending = CudaLibrarySearch.CudnnSubLibraries.ToList();
        while (pending.RemoveAll(part => TryLoadLocked(part, environment, out _)) > 0 && pending.Count > 0)
        {
        }
    }

    private static bool TryLoadLocked(CudaLibraryInfo library, SearchEnvironment environment, out nint handle)
    {
        if (s_loaded.TryGetValue(library.LogicalName, out handle)) return true;
        foreach (var candidate in CudaLibrarySearch.Candidates(library, environment))
        {
            bool isPath = candidate.Contains('/') || candidate.Contains('\\');
            if (isPath && !File.Exists(candidate)) continue;
            // NVRTC loads its builtins library (versioned with the minor, e.g. .so.13.0) from its own folder; load it
            // first so a folder that is not on the loader path still works.
            if (isPath && library == CudaLibrarySearch.Nvrtc) PreloadSiblings(candidate, "libnvrtc-builtins.so.*");
            if (NativeLibrary.TryLoad(candidate, out handle))
            {
                s_loaded[library.LogicalName] = handle;
                s_paths[library.LogicalName] = candidate;
                return true;
            }
        }
        handle = 0;
        return false;
    }

    private static void PreloadSiblings(string libraryPath, string pattern)
    {
        var folder = Path.GetDirectoryName(libraryPath);
        if (folder is null || !Directory.Exists(folder)) return;
        foreach (var sibling in Directory.EnumerateFiles(folder, pattern).Order(StringComparer.Ordinal))
            NativeLibrary.TryLoad(sibling, out _);
    }

    private static void InstallResolver()
    {
        if (s_resolverInstalled) return;
        NativeLibrary.SetDllImportResolver(typeof(CudaLibraries).Assembly, Resolve);
        s_resolverInstalled = true;
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        var info = name switch
        {
            "cuda" => CudaLibrarySearch.Driver,
            "cublas" => CudaLibrarySearch.Cublas,
            "cudnn" => CudaLibrarySearch.Cudnn,
            "nvrtc" => CudaLibrarySearch.Nvrtc,
            _ => null,
        };
        if (info is null) return 0;
        // Throwing here surfaces the search list instead of the runtime's generic DllNotFoundException.
        return Load(info);
    }
}
