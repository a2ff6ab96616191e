using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Gpu.Native;

/// <summary>
/// Base for native handles released by one native call. Release failures are not thrown (SafeHandle release runs on
/// dispose paths where throwing would mask the real error); the handle reports failure to the runtime instead.
/// </summary>
internal abstract class NativeHandle : SafeHandle
{
    protected NativeHandle(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;
}

/// <summary>A retained primary context of one device (released with cuDevicePrimaryCtxRelease).</summary>
internal sealed class PrimaryContextHandle(nint context, int device) : NativeHandle(context)
{
    public int DeviceOrdinal { get; } = device;

    protected override bool ReleaseHandle() => DriverApi.cuDevicePrimaryCtxRelease(DeviceOrdinal) == 0;
}

/// <summary>A CUDA stream.</summary>
internal sealed class StreamHandle(nint stream) : NativeHandle(stream)
{
    protected override bool ReleaseHandle() => DriverApi.cuStreamDestroy(handle) == 0;
}

/// <summary>A loaded CUDA module (PTX or cubin).</summary>
internal sealed class CudaModuleHandle(nint module) : NativeHandle(module)
{
    protected override bool ReleaseHandle() => DriverApi.cuModuleUnload(handle) == 0;
}

/// <summary>A cuBLAS handle.</summary>
internal sealed class CublasHandle(nint cublas) : NativeHandle(cublas)
{
    protected override bool ReleaseHandle() => CublasApi.cublasDestroy(handle) == 0;
}

/// <summary>A cuDNN handle.</summary>
internal sealed class CudnnHandle(nint cudnn) : NativeHandle(cudnn)
{
    protected override bool ReleaseHandle() => CudnnApi.cudnnDestroy(handle) == 0;
}

/// <summary>A cuDNN tensor descriptor.</summary>
internal sealed class CudnnTensorDescriptorHandle(nint descriptor) : NativeHandle(descriptor)
{
    protected override bool ReleaseHandle() => CudnnApi.cudnnDestroyTensorDescriptor(handle) == 0;
}

/// <summary>A cuDNN dropout descriptor.</summary>
internal sealed class CudnnDropoutDescriptorHandle(nint descriptor) : NativeHandle(descriptor)
{
    protected override bool ReleaseHandle() => CudnnApi.cudnnDestroyDropoutDescriptor(handle) == 0;
}

/// <summary>A cuDNN RNN descriptor.</summary>
internal sealed class CudnnRnnDescriptorHandle(nint descriptor) : NativeHandle(descriptor)
{
    protected override bool ReleaseHandle() => CudnnApi.cudnnDestroyRNNDescriptor(handle) == 0;
}

/// <summary>A cuDNN RNN data descriptor.</summary>
internal sealed class CudnnRnnDataDescriptorHandle(nint descriptor) : NativeHandle(descriptor)
{
    protected override bool ReleaseHandle() => CudnnApi.cudnnDestroyRNNDataDescriptor(handle) == 0;
}
