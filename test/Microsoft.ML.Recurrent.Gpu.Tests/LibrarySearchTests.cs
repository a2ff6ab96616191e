using Microsoft.ML.Recurrent.Gpu.Native;

namespace Microsoft.ML.Recurrent.Gpu.Tests;

public class LibrarySearchTests
{
    private static SearchEnvironment Linux(Dictionary<string, string>? variables = null, params string[] sitePackages)
        => new(SearchPlatform.Linux, variables ?? [], sitePackages);

    [Fact]
    public void Override_then_CudaPath_then_wheels_then_LdLibraryPath_then_system_then_loader()
    {
        var env = Linux(new()
        {
            ["MLRECURRENT_CUDA_PATH"] = "/custom",
            ["CUDA_PATH"] = "/usr/local/cuda-13.0",
            ["LD_LIBRARY_PATH"] = "/a/lib::/b/lib/",
        }, "/opt/torch/.venv/lib/python3.12/site-packages");

        var folders = CudaLibrarySearch.Folders(CudaLibrarySearch.Cublas, env);

        int Index(string f) => folders.ToList().IndexOf(f);
        Assert.Equal(0, Index("/custom"));
        Assert.True(Index("/custom/lib64") < Index("/usr/local/cuda-13.0/lib64"));
        Assert.True(Index("/usr/local/cuda-13.0/targets/x86_64-linux/lib") < Index("/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib"));
        Assert.True(Index("/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib") < Index("/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cublas/lib"));
        Assert.True(Index("/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cublas/lib") < Index("/a/lib"));
        Assert.True(Index("/b/lib") < Index("/usr/lib/x86_64-linux-gnu"));
        Assert.Equal(CudaLibrarySearch.SystemLoaderFolder, folders[^1]);
        Assert.Equal(folders.Count, folders.Distinct().Count());
    }

    [Fact]
    public void Candidates_try_CUDA13_before_CUDA12_in_each_folder_and_bare_sonames_last()
    {
        var candidates = CudaLibrarySearch.Candidates(CudaLibrarySearch.Nvrtc, Linux(sitePackages: "/sp"));
        Assert.Equal("/sp/nvidia/cu13/lib/libnvrtc.so.13", candidates[0]);
        Assert.Equal("/sp/nvidia/cu13/lib/libnvrtc.so.12", candidates[1]);
        Assert.Contains("/sp/nvidia/cuda_nvrtc/lib/libnvrtc.so.12", candidates);
        Assert.Equal(["libnvrtc.so.13", "libnvrtc.so.12"], candidates.TakeLast(2));
    }

    [Fact]
    public void Driver_is_never_the_dev_only_unversioned_so_and_has_no_wheel_folder()
    {
        var candidates = CudaLibrarySearch.Candidates(CudaLibrarySearch.Driver, Linux(sitePackages: "/sp"));
        Assert.All(candidates, c => Assert.EndsWith("libcuda.so.1", c));
        Assert.DoesNotContain(candidates, c => c.StartsWith("/sp", StringComparison.Ordinal));
        Assert.Contains("/usr/local/nvidia/lib64/libcuda.so.1", candidates);
    }

    [Fact]
    public void CudnnPath_is_searched_for_cuDNN_and_its_sublibraries_only()
    {
        var env = Linux(new() { ["CUDNN_PATH"] = "/cudnn" });
        Assert.Contains("/cudnn/lib", CudaLibrarySearch.Folders(CudaLibrarySearch.Cudnn, env));
        Assert.Contains("/cudnn/lib", CudaLibrarySearch.Folders(CudaLibrarySearch.CudnnSubLibraries[0], env));
        Assert.DoesNotContain("/cudnn/lib", CudaLibrarySearch.Folders(CudaLibrarySearch.Cublas, env));
    }

    [Fact]
    public void Cudnn_sublibraries_are_the_cuDNN9_set_in_dependency_order()
    {
        var names = CudaLibrarySearch.CudnnSubLibraries.Select(l => l.LinuxFileNames.Single()).ToArray();
        Assert.Equal("libcudnn_graph.so.9", names[0]);
        Assert.Equal("libcudnn_adv.so.9", names[^1]);
        Assert.Contains("libcudnn_ops.so.9", names);
        Assert.Contains("libcudnn_engines_precompiled.so.9", names);
        Assert.True(Array.IndexOf(names, "libcudnn_ops.so.9") < Array.IndexOf(names, "libcudnn_adv.so.9"));
    }

    [Fact]
    public void Windows_uses_PATH_bin_folders_and_dll_names()
    {
        var env = new SearchEnvironment(SearchPlatform.Windows, new Dictionary<string, string>
        {
            ["CUDA_PATH"] = @"C:\CUDA\v13.0",
            ["PATH"] = @"C:\tools;C:\CUDA\v13.0\bin",
            ["SystemRoot"] = @"C:\Windows",
        }, []);
        var candidates = CudaLibrarySearch.Candidates(CudaLibrarySearch.Cublas, env);
        Assert.Equal(@"C:\CUDA\v13.0\bin\cublas64_13.dll", candidates[0]);
        Assert.Single(candidates, c => c.Equals(@"C:\CUDA\v13.0\bin\cublas64_13.dll", StringComparison.OrdinalIgnoreCase)); // PATH duplicate removed
        Assert.Contains(@"C:\Windows\System32\cublas64_12.dll", candidates);
        Assert.DoesNotContain(candidates, c => c.Contains('/'));
    }

    [Fact]
    public void Blank_variables_are_ignored()
    {
        var plain = CudaLibrarySearch.Folders(CudaLibrarySearch.Cublas, Linux());
        var blank = CudaLibrarySearch.Folders(CudaLibrarySearch.Cublas, Linux(new() { ["CUDA_PATH"] = " ", ["LD_LIBRARY_PATH"] = "" }));
        Assert.Equal(plain, blank);
    }

    [Fact]
    public void Site_packages_discovery_finds_a_virtual_env_and_skips_missing_folders()
    {
        var root = Directory.CreateTempSubdirectory("mlrec-venv-");
        try
        {
            var sitePackages = Directory.CreateDirectory(Path.Combine(root.FullName, "lib", "python3.12", "site-packages")).FullName;
            var found = CudaLibrarySearch.DiscoverSitePackages(SearchPlatform.Linux, new Dictionary<string, string> { ["VIRTUAL_ENV"] = root.FullName });
            Assert.Equal(sitePackages, found[0]);
            Assert.All(found, f => Assert.True(Directory.Exists(f)));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void Missing_library_message_names_the_library_and_every_folder_searched()
    {
        var folders = CudaLibrarySearch.Folders(CudaLibrarySearch.Cudnn, Linux(new() { ["CUDA_PATH"] = "/nowhere" }));
        var e = new CudaLibraryNotFoundException("cudnn", folders);
        Assert.Contains("'cudnn'", e.Message);
        Assert.Contains("/nowhere/lib64", e.Message);
        Assert.Contains(CudaLibrarySearch.OverrideVariable, e.Message);
        Assert.IsAssignableFrom<DllNotFoundException>(e);
    }

    [Fact]
    public void Loading_from_an_empty_environment_fails_with_the_search_list()
    {
        // A made-up library name that exists nowhere, so the result is the same with or without a GPU.
        var fake = new CudaLibraryInfo("mlrec_missing", ["libmlrec_missing_xyz.so.1"], ["mlrec_missing_xyz.dll"], ["nvidia/none/lib"]);
        var env = Linux(new() { ["CUDA_PATH"] = "/definitely/not/here" });
        var e = Assert.Throws<CudaLibraryNotFoundException>(() => CudaLibraries.Load(fake, env));
        Assert.Equal("mlrec_missing", e.Library);
        Assert.Contains("/definitely/not/here/lib64", e.Searched);
        Assert.False(CudaLibraries.TryLoad(fake, out var failure, env));
        Assert.Contains("mlrec_missing", failure);
    }
}

public class DriverVersionOrderTests
{
    [Theory]
    [InlineData(null, "libcublas.so.13")]
    [InlineData(13000, "libcublas.so.13")]
    [InlineData(12090, "libcublas.so.12")]
    public void A_CUDA12_driver_tries_CUDA12_names_first(int? driverVersion, string first)
    {
        var env = new SearchEnvironment(SearchPlatform.Linux, new Dictionary<string, string>(), [], driverVersion);
        Assert.Equal(first, CudaLibrarySearch.Candidates(CudaLibrarySearch.Cublas, env)[0].Split('/')[^1]);
        Assert.Equal(2, CudaLibrarySearch.Candidates(CudaLibrarySearch.Cublas, env).Count(c => c.EndsWith("/usr/lib64/libcublas.so.12", StringComparison.Ordinal) || c.EndsWith("/usr/lib64/libcublas.so.13", StringComparison.Ordinal)));
    }
}
