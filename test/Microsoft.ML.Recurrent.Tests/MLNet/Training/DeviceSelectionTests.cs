using Microsoft.ML.Recurrent.MLNet.Training;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Training;

/// <summary>Device choice as ML.NET's GPU components make it. This test process has no CUDA backend registered.</summary>
public sealed class DeviceSelectionTests
{
    [Fact]
    public void Auto_without_a_GPU_package_is_the_CPU()
    {
        Assert.False(TensorBackends.IsCudaRegistered);
        Assert.Equal(Device.Cpu, DeviceSelection.Resolve(Device.Auto, gpuDeviceId: null, fallbackToCpu: false, channel: null));
        Assert.Equal(Device.Cpu, DeviceSelection.Resolve(Device.Cpu, gpuDeviceId: 0, fallbackToCpu: false, channel: null));
    }

    [Fact]
    public void An_explicit_GPU_that_cannot_be_used_throws_unless_fallback_is_on()
    {
        var e = Assert.Throws<InvalidOperationException>(() => DeviceSelection.Resolve(Device.Cuda(1), null, fallbackToCpu: false, channel: null));
        Assert.Contains("cuda:1", e.Message);
        Assert.Contains("FallbackToCpu", e.Message);
        Assert.Equal(Device.Cpu, DeviceSelection.Resolve(Device.Cuda(1), null, fallbackToCpu: true, channel: null));
    }

    [Fact]
    public void Auto_follows_MLContext_GpuDeviceId_and_its_fallback_rule()
    {
        var e = Assert.Throws<InvalidOperationException>(() => DeviceSelection.Resolve(Device.Auto, gpuDeviceId: 2, fallbackToCpu: false, channel: null));
        Assert.Contains("cuda:2", e.Message);
        Assert.Equal(Device.Cpu, DeviceSelection.Resolve(Device.Auto, gpuDeviceId: 2, fallbackToCpu: true, channel: null));
    }

    [Fact]
    public void Auto_is_a_choice_not_a_place_for_tensors()
    {
        Assert.Equal("auto", Device.Auto.ToString());
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(new Shape(2), device: Device.Auto));
    }
}
