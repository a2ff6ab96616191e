using System.Runtime.InteropServices;
using System.Text;

namespace Microsoft.ML.Recurrent.Gpu.Native;

/// <summary>cuDNN data types (cudnnDataType_t).</summary>
internal enum CudnnDataType { Float = 0, Double = 1, Half = 2, BFloat16 = 9 }

/// <summary>cudnnRNNAlgo_t.</summary>
internal enum CudnnRnnAlgo { Standard = 0, PersistStatic = 1, PersistDynamic = 2, PersistStaticSmallH = 3 }

/// <summary>cudnnRNNMode_t (cell kind).</summary>
internal enum CudnnRnnMode { Relu = 0, Tanh = 1, Lstm = 2, Gru = 3 }

/// <summary>cudnnRNNBiasMode_t.</summary>
internal enum CudnnRnnBiasMode { NoBias = 0, SingleInputBias = 1, DoubleBias = 2, SingleRecurrentBias = 3 }

/// <summary>cudnnDirectionMode_t.</summary>
internal enum CudnnDirection { Unidirectional = 0, Bidirectional = 1 }

/// <summary>cudnnRNNInputMode_t.</summary>
internal enum CudnnRnnInputMode { Linear = 0, Skip = 1 }

/// <summary>cudnnMathType_t; FMA_MATH keeps float32 off TF32 tensor cores (Keras FP32 parity).</summary>
internal enum CudnnMathType { Default = 0, TensorOp = 1, TensorOpAllowConversion = 2, Fma = 3 }

/// <summary>cudnnRNNDataLayout_t; batch-major unpadded is Keras' native [B, T, V].</summary>
internal enum CudnnRnnDataLayout { SequenceMajorUnpacked = 0, SequenceMajorPacked = 1, BatchMajorUnpacked = 2 }

/// <summary>cudnnForwardMode_t.</summary>
internal enum CudnnForwardMode { Inference = 0, Training = 1 }

/// <summary>cudnnWgradMode_t.</summary>
internal enum CudnnWgradMode { Add = 0, Set = 1 }

/// <summary>The cuDNN 9 subset the backend uses: handle, tensor/dropout descriptors and the v8 RNN API (the only one in cuDNN 9).</summary>
internal static unsafe partial class CudnnApi
{
    private const string Library = "cudnn";

    /// <summary>auxFlags bit required by the two unpacked data layouts.</summary>
    public const uint RnnPaddedIoEnabled = 1;

    [LibraryImport(Library)] public static partial nuint cudnnGetVersion();
    [LibraryImport(Library)] public static partial nuint cudnnGetCudartVersion();
    [LibraryImport(Library)] public static partial byte* cudnnGetErrorString(int status);
    [LibraryImport(Library)] public static partial void cudnnGetLastErrorString(byte* message, nuint maxSize);

    [LibraryImport(Library)] public static partial int cudnnCreate(nint* handle);
    [LibraryImport(Library)] public static partial int cudnnDestroy(nint handle);
    [LibraryImport(Library)] public static partial int cudnnSetStream(nint handle, nint stream);

    [LibraryImport(Library)] public static partial int cudnnCreateTensorDescriptor(nint* descriptor);
    [LibraryImport(Library)] public static partial int cudnnDestroyTensorDescriptor(nint descriptor);
    [LibraryImport(Library)]
    public static partial int cudnnSetTensorNdDescriptor(nint descriptor, CudnnDataType dataType, int rank, int* dims, int* strides);
    [LibraryImport(Library)]
    public static partial int cudnnGetTensorNdDescriptor(nint descriptor, int rankRequested, CudnnDataType* dataType, int* rank, int* dims, int* strides);

    [LibraryImport(Library)] public static partial int cudnnCreateDropoutDescriptor(nint* descriptor);
    [LibraryImport(Library)] public static partial int cudnnDestroyDropoutDescriptor(nint descriptor);
    [LibraryImport(Library)]
    public static partial int cudnnSetDropoutDescriptor(nint descriptor, nint handle, float dropout, nint states, nuint stateBytes, ulong seed);

    [LibraryImport(Library)] public static partial int cudnnCreateRNNDescriptor(nint* descriptor);
    [LibraryImport(Library)] public static partial int cudnnDestroyRNNDescriptor(nint descriptor);
    [LibraryImport(Library)]
    public static partial int cudnnSetRNNDescriptor_v8(nint descriptor, CudnnRnnAlgo algo, CudnnRnnMode cellMode, CudnnRnnBiasMode biasMode,
        CudnnDirection direction, CudnnRnnInputMode inputMode, CudnnDataType dataType, CudnnDataType mathPrecision, CudnnMathType mathType,
        int inputSize, int hiddenSize, int projectionSize, int layerCount, nint dropoutDescriptor, uint auxFlags);

    [LibraryImport(Library)] public static partial int cudnnCreateRNNDataDescriptor(nint* descriptor);
    [LibraryImport(Library)] public static partial int cudnnDestroyRNNDataDescriptor(nint descriptor);
    [LibraryImport(Library)]
    public static partial int cudnnSetRNNDataDescriptor(nint descriptor, CudnnDataType dataType, CudnnRnnDataLayout layout,
        int maxSequenceLength, int batchSize, int vectorSize, int* sequenceLengths, void* paddingFill);

    [LibraryImport(Library)] public static partial int cudnnGetRNNWeightSpaceSize(nint handle, nint rnn, nuint* bytes);
    [LibraryImport(Library)]
    public static partial int cudnnGetRNNTempSpaceSizes(nint handle, nint rnn, CudnnForwardMode mode, nint xDescriptor, nuint* workSpaceBytes, nuint* reserveSpaceBytes);
    [LibraryImport(Library)]
    public static partial int cudnnGetRNNWeightParams(nint handle, nint rnn, int pseudoLayer, nuint weightSpaceBytes, ulong weightSpace,
        int linearLayerId, nint matrixDescriptor, ulong* matrixAddress, nint biasDescriptor, ulong* biasAddress);

    [LibraryImport(Library)]
    public static partial int cudnnRNNForward(nint handle, nint rnn, CudnnForwardMode mode, ulong deviceSequenceLengths,
        nint xDescriptor, ulong x, nint yDescriptor, ulong y, nint hDescriptor, ulong hx, ulong hy, nint cDescriptor, ulong cx, ulong cy,
        nuint weightSpaceBytes, ulong weightSpace, nuint workSpaceBytes, ulong workSpace, nuint reserveSpaceBytes, ulong reserveSpace);

    [LibraryImport(Library)]
    public static partial int cudnnRNNBackwardData_v8(nint handle, nint rnn, ulong deviceSequenceLengths,
        nint yDescriptor, ulong y, ulong dy, nint xDescriptor, ulong dx, nint hDescriptor, ulong hx, ulong dhy, ulong dhx,
        nint cDescriptor, ulong cx, ulong dcy, ulong dcx, nuint weightSpaceBytes, ulong weightSpace,
        nuint workSpaceBytes, ulong workSpace, nuint reserveSpaceBytes, ulong reserveSpace);

    [LibraryImport(Library)]
    public static partial int cudnnRNNBackwardWeights_v8(nint handle, nint rnn, CudnnWgradMode addGrad, ulong deviceSequenceLengths,
        nint xDescriptor, ulong x, nint hDescriptor, ulong hx, nint yDescriptor, ulong y, nuint weightSpaceBytes, ulong dweightSpace,
        nuint workSpaceBytes, ulong workSpace, nuint reserveSpaceBytes, ulong reserveSpace);

    public static void Check(int status, string call) => CudaStatus.CheckCudnn(status, call);

    /// <summary>cuDNN's own text for the last failure, or null when cuDNN is not loaded (never throws).</summary>
    public static string? TryLastErrorString()
    {
        if (!CudaLibraries.LoadedPaths.ContainsKey("cudnn")) return null;
        try
        {
            var buffer = stackalloc byte[1024];
            cudnnGetLastErrorString(buffer, 1024);
            var text = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(buffer));
            return text.Length == 0 ? null : text;
        }
        catch (EntryPointNotFoundException)
        {
            return null; // cuDNN 8 has no cudnnGetLastErrorString
        }
    }

    /// <summary>Decodes <c>cudnnGetVersion()</c>: v9 is major*10000+minor*100+patch (v8 used major*1000).</summary>
    public static (int Major, int Minor, int Patch) DecodeVersion(ulong version) => version >= 90000
        ? ((int)(version / 10000), (int)(version / 100 % 100), (int)(version % 100))
        : ((int)(version / 1000), (int)(version / 100 % 10), (int)(version % 100));
}
