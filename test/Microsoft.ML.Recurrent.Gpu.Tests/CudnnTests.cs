using Microsoft.ML.Recurrent.Gpu.Native;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Gpu.Tests;

/// <summary>Needs a CUDA device and cuDNN 9: the v8 RNN API from descriptor to forward pass, checked against a host LSTM.</summary>
public unsafe class CudnnTests(ITestOutputHelper output)
{
    [CudnnFact]
    public void Version_is_9_and_matches_the_loaded_CUDA_major()
    {
        var (major, _, _) = CudnnApi.DecodeVersion(CudnnApi.cudnnGetVersion());
        output.WriteLine(CudaRuntime.Describe());
        Assert.Equal(9, major);
        var cudaMajor = (int)(CudnnApi.cudnnGetCudartVersion() / 1000);
        Assert.Contains($".so.{cudaMajor}", CudaLibraries.LoadedPaths["cublas"]);
    }

    [CudnnFact]
    public void Lstm_forward_matches_a_host_reference()
    {
        const int batch = 2, steps = 3, inputSize = 4, hidden = 5;
        using var context = new CudaDeviceContext(0);
        nint handle = context.Cudnn;

        nint dropoutRaw, rnnRaw, xRaw, yRaw;
        CudnnApi.Check(CudnnApi.cudnnCreateDropoutDescriptor(&dropoutRaw), "cudnnCreateDropoutDescriptor");
        using var dropout = new CudnnDropoutDescriptorHandle(dropoutRaw);
        CudnnApi.Check(CudnnApi.cudnnSetDropoutDescriptor(dropoutRaw, handle, 0f, 0, 0, 0), "cudnnSetDropoutDescriptor");
        CudnnApi.Check(CudnnApi.cudnnCreateRNNDescriptor(&rnnRaw), "cudnnCreateRNNDescriptor");
        using var rnn = new CudnnRnnDescriptorHandle(rnnRaw);
        CudnnApi.Check(CudnnApi.cudnnSetRNNDescriptor_v8(rnnRaw, CudnnRnnAlgo.Standard, CudnnRnnMode.Lstm, CudnnRnnBiasMode.DoubleBias,
            CudnnDirection.Unidirectional, CudnnRnnInputMode.Linear, CudnnDataType.Float, CudnnDataType.Float, CudnnMathType.Fma,
            inputSize, hidden, hidden, 1, dropoutRaw, CudnnApi.RnnPaddedIoEnabled), "cudnnSetRNNDescriptor_v8");

        var lengths = Enumerable.Repeat(steps, batch).ToArray();
        float fill = 0;
        CudnnApi.Check(CudnnApi.cudnnCreateRNNDataDescriptor(&xRaw), "cudnnCreateRNNDataDescriptor");
        using var xDesc = new CudnnRnnDataDescriptorHandle(xRaw);
        CudnnApi.Check(CudnnApi.cudnnCreateRNNDataDescriptor(&yRaw), "cudnnCreateRNNDataDescriptor");
        using var yDesc = new CudnnRnnDataDescriptorHandle(yRaw);
        fixed (int* l = lengths)
        {
            CudnnApi.Check(CudnnApi.cudnnSetRNNDataDescriptor(xRaw, CudnnDataType.Float, CudnnRnnDataLayout.BatchMajorUnpacked, steps, batch, inputSize, l, &fill), "cudnnSetRNNDataDescriptor");
            CudnnApi.Check(CudnnApi.cudnnSetRNNDataDescriptor(yRaw, CudnnDataType.Float, CudnnRnnDataLayout.BatchMajorUnpacked, steps, batch, hidden, l, &fill), "cudnnSetRNNDataDescriptor");
        }

        nuint weightBytes, workBytes;
        CudnnApi.Check(CudnnApi.cudnnGetRNNWeightSpaceSize(handle, rnnRaw, &weightBytes), "cudnnGetRNNWeightSpaceSize");
        // At least the 4 gates' W, R and two biases; cuDNN may pad, so the exact layout is read through GetRNNWeightParams below.
        output.WriteLine($"LSTM weight space: {weightBytes} bytes");
        Assert.True(weightBytes >= (nuint)(4 * (hidden * inputSize + hidden * hidden + 2 * hidden) * sizeof(float)), $"weight space {weightBytes} bytes is too small");
        CudnnApi.Check(CudnnApi.cudnnGetRNNTempSpaceSizes(handle, rnnRaw, CudnnForwardMode.Inference, xRaw, &workBytes, null), "cudnnGetRNNTempSpaceSizes");

        var random = new Random(7);
        var weights = Enumerable.Range(0, (int)weightBytes / 4).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var x = Enumerable.Range(0, batch * steps * inputSize).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray();
        var dW = context.Allocator.Allocate((long)weightBytes);
        var dX = context.Allocator.Allocate(x.Length * 4);
        var dY = context.Allocator.Allocate(batch * steps * hidden * 4);
        var dWork = context.Allocator.Allocate((long)workBytes);
        var dLengths = context.Allocator.Allocate(batch * 4);
        context.Upload<float>(weights, dW.Pointer);
        context.Upload<float>(x, dX.Pointer);
        context.Upload<int>(lengths, dLengths.Pointer);

        // Read each gate's matrix and bias through cudnnGetRNNWeightParams offsets, never assumed positions.
        nint mRaw, bRaw;
        CudnnApi.Check(CudnnApi.cudnnCreateTensorDescriptor(&mRaw), "cudnnCreateTensorDescriptor");
        using var mDesc = new CudnnTensorDescriptorHandle(mRaw);
        CudnnApi.Check(CudnnApi.cudnnCreateTensorDescriptor(&bRaw), "cudnnCreateTensorDescriptor");
        using var bDesc = new CudnnTensorDescriptorHandle(bRaw);
        int* dims = stackalloc int[3];
        int* strides = stackalloc int[3];
        var matrices = new float[8][];
        var biases = new float[8][];
        for (int id = 0; id < 8; id++)
        {
            ulong mAddr, bAddr;
            CudnnApi.Check(CudnnApi.cudnnGetRNNWeightParams(handle, rnnRaw, 0, weightBytes, dW.Pointer, id, mRaw, &mAddr, bRaw, &bAddr), "cudnnGetRNNWeightParams");
            int rank;
            CudnnDataType type;
            CudnnApi.Check(CudnnApi.cudnnGetTensorNdDescriptor(mRaw, 3, &type, &rank, dims, strides), "cudnnGetTensorNdDescriptor");
            Assert.Equal(hidden, dims[1]);
            Assert.Equal(id < 4 ? inputSize : hidden, dims[2]);
            int mOffset = (int)(mAddr - dW.Pointer) / 4, bOffset = (int)(bAddr - dW.Pointer) / 4;
            matrices[id] = weights.AsSpan(mOffset, dims[1] * dims[2]).ToArray();
            biases[id] = weights.AsSpan(bOffset, hidden).ToArray();
        }

        CudnnApi.Check(CudnnApi.cudnnRNNForward(handle, rnnRaw, CudnnForwardMode.Inference, dLengths.Pointer, xRaw, dX.Pointer, yRaw, dY.Pointer,
            0, 0, 0, 0, 0, 0, weightBytes, dW.Pointer, workBytes, dWork.Pointer, 0, 0), "cudnnRNNForward");
        var y = new float[batch * steps * hidden];
        context.Download<float>(dY.Pointer, y);

        static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        for (int b = 0; b < batch; b++)
        {
            var h = new double[hidden];
            var c = new double[hidden];
            for (int t = 0; t < steps; t++)
            {
                var gates = new double[4, hidden];
                for (int g = 0; g < 4; g++)
                    for (int u = 0; u < hidden; u++)
                    {
                        double sum = biases[g][u] + biases[g + 4][u];
                        for (int i = 0; i < inputSize; i++) sum += matrices[g][u * inputSize + i] * x[(b * steps + t) * inputSize + i];
                        for (int j = 0; j < hidden; j++) sum += matrices[g + 4][u * hidden + j] * h[j];
                        gates[g, u] = sum;
                    }
                for (int u = 0; u < hidden; u++)
                {
                    c[u] = Sigmoid(gates[1, u]) * c[u] + Sigmoid(gates[0, u]) * Math.Tanh(gates[2, u]);
                    h[u] = Sigmoid(gates[3, u]) * Math.Tanh(c[u]);
                    Assert.Equal(h[u], y[(b * steps + t) * hidden + u], 1e-5);
                }
            }
        }
    }
}
