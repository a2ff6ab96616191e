using System.Runtime.InteropServices;
using System.Text;

namespace Microsoft.ML.Recurrent.Gpu.Native;

/// <summary>NVRTC: compiles CUDA C++ kernels at run time (no nvcc at build time).</summary>
internal static unsafe partial class NvrtcApi
{
    private const string Library = "nvrtc";

    [LibraryImport(Library)] public static partial int nvrtcVersion(int* major, int* minor);
    [LibraryImport(Library)]
    public static partial int nvrtcCreateProgram(nint* program, byte* source, byte* name, int headerCount, byte** headers, byte** includeNames);
    [LibraryImport(Library)] public static partial int nvrtcCompileProgram(nint program, int optionCount, byte** options);
    [LibraryImport(Library)] public static partial int nvrtcGetPTXSize(nint program, nuint* size);
    [LibraryImport(Library)] public static partial int nvrtcGetPTX(nint program, byte* ptx);
    [LibraryImport(Library)] public static partial int nvrtcGetProgramLogSize(nint program, nuint* size);
    [LibraryImport(Library)] public static partial int nvrtcGetProgramLog(nint program, byte* log);
    [LibraryImport(Library)] public static partial int nvrtcDestroyProgram(nint* program);

    /// <summary>
    /// Compiles <paramref name="source"/> to PTX (a NUL-terminated image for <c>cuModuleLoadData</c>). A failed compile
    /// throws <see cref="CudaException"/> carrying the compiler log.
    /// </summary>
    public static byte[] CompileToPtx(string source, string name, IReadOnlyList<string> options)
    {
        nint program;
        fixed (byte* sourceBytes = Utf8z(source))
        fixed (byte* nameBytes = Utf8z(name))
            CudaStatus.CheckNvrtc(nvrtcCreateProgram(&program, sourceBytes, nameBytes, 0, null, null), nameof(nvrtcCreateProgram));
        try
        {
            var optionBytes = options.Select(Utf8z).ToArray();
            var handles = optionBytes.Select(o => GCHandle.Alloc(o, GCHandleType.Pinned)).ToArray();
            try
            {
                var pointers = stackalloc byte*[Math.Max(1, handles.Length)];
                for (int i = 0; i < handles.Length; i++) pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
                int status = nvrtcCompileProgram(program, handles.Length, pointers);
                if (status != 0) CudaStatus.CheckNvrtc(status, nameof(nvrtcCompileProgram), Log(program));
            }
            finally
            {
                foreach (var handle in handles) handle.Free();
            }
            nuint size;
            CudaStatus.CheckNvrtc(nvrtcGetPTXSize(program, &size), nameof(nvrtcGetPTXSize));
            var ptx = new byte[(int)size];
            fixed (byte* p = ptx) CudaStatus.CheckNvrtc(nvrtcGetPTX(program, p), nameof(nvrtcGetPTX));
            return ptx;
        }
        finally
        {
            nvrtcDestroyProgram(&program);
        }
    }

    private static string Log(nint program)
    {
        nuint size;
        if (nvrtcGetProgramLogSize(program, &size) != 0 || size == 0) return "";
        var log = new byte[(int)size];
        fixed (byte* p = log) if (nvrtcGetProgramLog(program, p) != 0) return "";
        return Encoding.UTF8.GetString(log).TrimEnd('\0', '\n');
    }

    internal static byte[] Utf8z(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
