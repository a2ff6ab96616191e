using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Keras;

/// <summary>
/// Converts the weights of Keras 2's <c>CuDNNLSTM</c> / <c>CuDNNGRU</c> to the <c>LSTM</c> / <c>GRU(reset_after=true)</c>
/// layout (keras-rnn-spec §4.3). cuDNN consumed each kernel gate block by raw row-major flattening, so a block
/// <c>(F, U)</c> holds the transposed matrix's bytes: <c>K_g = reshape(flatten(K_cudnn_g), (U, F))ᵀ</c>; recurrent
/// blocks are plain transposes; the input and recurrent biases are summed (LSTM) or stacked as two rows (GRU).
/// </summary>
public static class CudnnWeightLayout
{
    /// <summary>
    /// <c>[kernel (F, 4U), recurrent_kernel (U, 4U), bias (8U,)]</c> of a CuDNNLSTM → the LSTM's
    /// <c>[kernel, recurrent_kernel, bias (4U,)]</c>.
    /// </summary>
    public static Tensor[] LstmFromCudnn(Tensor kernel, Tensor recurrentKernel, Tensor bias)
    {
        int units = recurrentKernel.Shape[0];
        Check(bias, 8 * units, "CuDNNLSTM bias");
        using var _ = Autodiff.NoGrad();
        var summed = Ops.Slice(bias, 0, 0, 4 * units) + Ops.Slice(bias, 0, 4 * units, 4 * units);
        return [ConvertKernel(kernel, units, 4), ConvertRecurrent(recurrentKernel, units, 4), summed];
    }

    /// <summary>
    /// <c>[kernel (F, 3U), recurrent_kernel (U, 3U), bias (6U,)]</c> of a CuDNNGRU → GRU(reset_after=true)'s
    /// <c>[kernel, recurrent_kernel, bias (2, 3U)]</c>.
    /// </summary>
    public static Tensor[] GruFromCudnn(Tensor kernel, Tensor recurrentKernel, Tensor bias)
    {
        int units = recurrentKernel.Shape[0];
        Check(bias, 6 * units, "CuDNNGRU bias");
        using var _ = Autodiff.NoGrad();
        return [ConvertKernel(kernel, units, 3), ConvertRecurrent(recurrentKernel, units, 3), Ops.Reshape(bias, 2, 3 * units)];
    }

    private static void Check(Tensor bias, int length, string what)
    {
        if (bias.Rank != 1 || bias.Shape[0] != length)
            throw new ArgumentException($"{what} has shape {bias.Shape}; expected ({length},).", nameof(bias));
    }

    private static Tensor ConvertKernel(Tensor kernel, int units, int gates)
    {
        int features = kernel.Shape[0];
        var blocks = Ops.Split(kernel, gates, 1).Select(block => Ops.Transpose(Ops.Reshape(block.Clone(), units, features))).ToArray();
        return Ops.Concat(blocks, 1);
    }

    private static Tensor ConvertRecurrent(Tensor recurrentKernel, int units, int gates) =>
        Ops.Concat(Ops.Split(recurrentKernel, gates, 1).Select(block => Ops.Transpose(block)).ToArray(), 1);
}
