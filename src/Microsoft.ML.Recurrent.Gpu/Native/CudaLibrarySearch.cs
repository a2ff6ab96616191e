namespace Microsoft.ML.Recurrent.Gpu.Native;

/// <summary>The operating-system family a library search is planned for.</summary>
internal enum SearchPlatform
{
    Linux,
    Windows,
}

/// <summary>
/// One native library the backend loads: its logical name (the one used in <c>LibraryImport</c>), the file names
/// to try, newest CUDA major first, and the folders NVIDIA's pip wheels put it in.
/// </summary>
/// <param name="LogicalName">Name used by the P/Invoke declarations ("cuda", "cublas", "cudnn", "nvrtc", ...).</param>
/// <param name="LinuxFileNames">Sonames, CUDA 13 before CUDA 12 (never the dev-only unversioned <c>.so</c> for the driver).</param>
/// <param name="WindowsFileNames">DLL names, same order.</param>
/// <param name="WheelFolders">Folders below <c>site-packages/</c> holding the library in NVIDIA's pip wheels.</param>
internal sealed record CudaLibraryInfo(
    string LogicalName,
    IReadOnlyList<string> LinuxFileNames,
    IReadOnlyList<string> WindowsFileNames,
    IReadOnlyList<string> WheelFolders)
{
    public IReadOnlyList<string> FileNames(SearchPlatform platform) =>
        platform == SearchPlatform.Windows ? WindowsFileNames : LinuxFileNames;
}

/// <summary>What a library search may look at: environment variables, python site-packages roots and the OS.</summary>
/// <param name="Platform">Linux or Windows.</param>
/// <param name="Environment">Environment variables (CUDA_PATH, CUDNN_PATH, LD_LIBRARY_PATH, PATH, VIRTUAL_ENV, CONDA_PREFIX, MLRECURRENT_CUDA_PATH).</param>
/// <param name="SitePackages">Python site-packages folders found on this machine (see <see cref="CudaLibrarySearch.DiscoverSitePackages"/>).</param>
/// <param name="DriverVersion">
/// <c>cuDriverGetVersion</c> once the driver is loaded (13000 = CUDA 13.0), else null. A driver older than CUDA 13 cannot
/// run CUDA 13 libraries, so CUDA 12 file names are tried first for it.
/// </param>
internal sealed record SearchEnvironment(
    SearchPlatform Platform,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> SitePackages,
    int? DriverVersion = null)
{
    public string? Get(string name) =>
        Environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary>The environment of the running process.</summary>
    public static SearchEnvironment Current()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
            if (entry.Key is string key && entry.Value is string value) variables[key] = value;
        var platform = OperatingSystem.IsWindows() ? SearchPlatform.Windows : SearchPlatform.Linux;
        return new SearchEnvironment(platform, variables, CudaLibrarySearch.DiscoverSitePackages(platform, variables));
    }
}

/// <summary>
/// Plans where each CUDA library is looked for. Planning is a pure function of <see cref="SearchEnvironment"/> so the
/// order is unit-tested without a GPU; <see cref="CudaLibraries"/> walks the plan with <c>NativeLibrary.TryLoad</c>.
/// </summary>
internal static class CudaLibrarySearch
{
    /// <summary>Environment variable naming one extra folder searched before everything else.</summary>
    public const string OverrideVariable = "MLRECURRENT_CUDA_PATH";

    /// <summary>Marker for the last candidate: the bare file name, resolved by the OS loader (ld.so cache, LD_LIBRARY_PATH, PATH).</summary>
    public const string SystemLoaderFolder = "(system loader)";

    public static readonly CudaLibraryInfo Driver = new("cuda",
        ["libcuda.so.1"], ["nvcuda.dll"], []);

    public static readonly CudaLibraryInfo CublasLt = new("cublasLt",
        ["libcublasLt.so.13", "libcublasLt.so.12"], ["cublasLt64_13.dll", "cublasLt64_12.dll"],
        ["nvidia/cu13/lib", "nvidia/cublas/lib"]);

    public static readonly CudaLibraryInfo Cublas = new("cublas",
        ["libcublas.so.13", "libcublas.so.12"], ["cublas64_13.dll", "cublas64_12.dll"],
        ["nvidia/cu13/lib", "nvidia/cublas/lib"]);

    public static readonly CudaLibraryInfo Nvrtc = new("nvrtc",
        ["libnvrtc.so.13", "libnvrtc.so.12"], ["nvrtc64_130_0.dll", "nvrtc64_120_0.dll"],
        ["nvidia/cu13/lib", "nvidia/cuda_nvrtc/lib"]);

    public static readonly CudaLibraryInfo Cudnn = new("cudnn",
        ["libcudnn.so.9"], ["cudnn64_9.dll"], ["nvidia/cudnn/lib", "nvidia/cudnn/bin"]);

    /// <summary>
    /// cuDNN 9 sub-libraries, in dependency order. The <c>libcudnn.so.9</c> shim dlopens them by soname; loading them
    /// first by full path makes that succeed without LD_LIBRARY_PATH (else status 1008 SUBLIBRARY_LOADING_FAILED).
    /// </summary>
    public static readonly IReadOnlyList<CudaLibraryInfo> CudnnSubLibraries =
    [
        .. new[] { "graph", "heuristic", "engines_precompiled", "engines_runtime_compiled", "ops", "cnn", "adv" }
            .Select(part => new CudaLibraryInfo("cudnn_" + part, [$"libcudnn_{part}.so.9"], [$"cudnn_{part}64_9.dll"],
                ["nvidia/cudnn/lib", "nvidia/cudnn/bin"])),
    ];

    /// <summary>
    /// Folders to search for <paramref name="library"/>, most specific first, without duplicates; the last entry is
    /// <see cref="SystemLoaderFolder"/>. Order: the override variable, CUDNN_PATH (cuDNN only), CUDA_PATH, pip wheel
    /// folders under each site-packages root, LD_LIBRARY_PATH (Linux) or PATH (Windows) entries, the usual install
    /// folders, then the OS loader.
    /// </summary>
    public static IReadOnlyList<string> Folders(CudaLibraryInfo library, SearchEnvironment environment)
    {
        var folders = new List<string>();
        var seen = new HashSet<string>(environment.Platform == SearchPlatform.Windows ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        void Add(string? folder)
        {
            if (string.IsNullOrWhiteSpace(folder)) return;
            var normalized = folder.TrimEnd('/', '\\');
            if (normalized.Length == 0) normalized = folder;
            if (seen.Add(normalized)) folders.Add(normalized);
        }
        bool windows = environment.Platform == SearchPlatform.Windows;
        string Join(string a, string b) => windows ? $"{a.TrimEnd('\\', '/')}\\{b.Replace('/', '\\')}" : $"{a.TrimEnd('/')}/{b}";
        IEnumerable<string> LibFolders(string root) => windows
            ? [Join(root, "bin"), Join(root, "bin/x64"), root]
            : [Join(root, "lib64"), Join(root, "lib"), Join(root, "targets/x86_64-linux/lib"), root];

        var explicitRoot = environment.Get(OverrideVariable);
        if (explicitRoot is not null) { Add(explicitRoot); foreach (var f in LibFolders(explicitRoot)) Add(f); }

        if (library.LogicalName.StartsWith("cudnn", StringComparison.Ordinal) && environment.Get("CUDNN_PATH") is { } cudnnRoot)
            foreach (var f in LibFolders(cudnnRoot)) Add(f);

        if (environment.Get("CUDA_PATH") is { } cudaRoot)
            foreach (var f in LibFolders(cudaRoot)) Add(f);

        foreach (var sitePackages in environment.SitePackages)
            foreach (var wheelFolder in library.WheelFolders)
                Add(Join(sitePackages, wheelFolder));

        var pathList = environment.Get(windows ? "PATH" : "LD_LIBRARY_PATH");
        if (pathList is not null)
            foreach (var entry in pathList.Split(windows ? ';' : ':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                Add(entry);

        if (windows)
        {
            // The driver lives in System32; toolkits install under Program Files with a versioned folder.
            if (environment.Get("SystemRoot") is { } systemRoot) Add(Join(systemRoot, "System32"));
        }
        else
        {
            Add("/usr/local/cuda/lib64");
            Add("/usr/local/cuda/targets/x86_64-linux/lib");
            Add("/usr/lib/x86_64-linux-gnu");
            Add("/usr/local/nvidia/lib64");
            Add("/usr/lib64");
            Add("/usr/lib/wsl/lib");
        }
        folders.Add(SystemLoaderFolder);
        return folders;
    }

    /// <summary>Full candidate paths (folder × file name, CUDA 13 names first within a folder); bare names for the OS loader.</summary>
    public static IReadOnlyList<string> Candidates(CudaLibraryInfo library, SearchEnvironment environment)
    {
        bool windows = environment.Platform == SearchPlatform.Windows;
        var names = library.FileNames(environment.Platform);
        if (environment.DriverVersion is < 13000) names = names.Reverse().ToArray(); // lists are ordered CUDA 13, CUDA 12
        var candidates = new List<string>();
        foreach (var folder in Folders(library, environment))
            foreach (var name in names)
                candidates.Add(folder == SystemLoaderFolder ? name : folder + (windows ? "\\" : "/") + name);
        return candidates;
    }

    /// <summary>
    /// Python site-packages roots worth looking in for NVIDIA wheels: the active virtual/conda environment, then
    /// <c>/opt/*/.venv</c>, system and user python folders. Only existing folders are returned.
    /// </summary>
    public static IReadOnlyList<string> DiscoverSitePackages(SearchPlatform platform, IReadOnlyDictionary<string, string> environment)
    {
        var roots = new List<string>();
        try
        {
            foreach (var root in SitePackageRoots(platform, environment))
                if (Directory.Exists(root) && !roots.Contains(root)) roots.Add(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable folder only narrows the search; the failure message lists what was searched.
        }
        return roots;
    }

    private static IEnumerable<string> SitePackageRoots(SearchPlatform platform, IReadOnlyDictionary<string, string> environment)
    {
        static IEnumerable<string> Glob(string parent, string pattern)
            => Directory.Exists(parent) ? Directory.EnumerateDirectories(parent, pattern).Order(StringComparer.Ordinal) : [];

        IEnumerable<string> UnderPrefix(string prefix)
        {
            if (platform == SearchPlatform.Windows) { yield return Path.Combine(prefix, "Lib", "site-packages"); yield break; }
            foreach (var python in Glob(Path.Combine(prefix, "lib"), "python3*").Reverse())
            {
                yield return Path.Combine(python, "site-packages");
                yield return Path.Combine(python, "dist-packages");
            }
        }

        foreach (var variable in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
            if (environment.TryGetValue(variable, out var prefix) && !string.IsNullOrWhiteSpace(prefix))
                foreach (var root in UnderPrefix(prefix)) yield return root;
        if (platform == SearchPlatform.Linux)
        {
            foreach (var opt in Glob("/opt", "*"))
            {
                foreach (var root in UnderPrefix(Path.Combine(opt, ".venv"))) yield return root;
                foreach (var root in UnderPrefix(opt)) yield return root;
            }
            foreach (var root in UnderPrefix("/usr/local")) yield return root;
            foreach (var root in UnderPrefix("/usr")) yield return root;
            if (environment.TryGetValue("HOME", out var home) && !string.IsNullOrWhiteSpace(home))
                foreach (var root in UnderPrefix(Path.Combine(home, ".local"))) yield return root;
        }
    }
}
