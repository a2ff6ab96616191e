using Microsoft.ML.Recurrent.Tensors;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Gpu.Tests;

/// <summary>Runs everywhere: checks device selection against whatever this machine has.</summary>
public class CudaRuntimeTests(ITestOutputHelper output)
{
    [Fact]
    public void Automatic_selection_uses_the_GPU_when_present_and_the_CPU_otherwise()
    {
        bool available = CudaRuntime.TryInitialize(out var reason);
        output.WriteLine(CudaRuntime.Describe());
        Assert.Equal(available ? Device.Cuda(0) : Device.Cpu, CudaRuntime.SelectDevice(null));
        Assert.Equal(Device.Cpu, CudaRuntime.SelectDevice(Device.Cpu));
        if (available)
        {
            Assert.Equal("", reason);
            Assert.True(CudaRuntime.DeviceCount > 0);
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(reason));
            Assert.Equal(0, CudaRuntime.DeviceCount);
            Assert.StartsWith("CUDA unavailable: ", CudaRuntime.Describe());
        }
    }

    [Fact]
    public void An_explicit_CUDA_device_that_cannot_be_used_throws_with_the_reason()
    {
        if (CudaRuntime.TryInitialize(out var reason))
        {
            var e = Assert.Throws<InvalidOperationException>(() => CudaRuntime.SelectDevice(Device.Cuda(CudaRuntime.DeviceCount)));
            Assert.Contains("valid indices", e.Message);
        }
        else
        {
            var e = Assert.Throws<InvalidOperationException>(() => CudaRuntime.SelectDevice(Device.Cuda(0)));
            Assert.Contains("cuda:0", e.Message);
            Assert.Contains(reason, e.Message);
        }
    }
}
