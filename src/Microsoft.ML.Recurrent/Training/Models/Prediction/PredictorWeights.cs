using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Tensors.Cpu;

namespace Microsoft.ML.Recurrent.Training.Models.Prediction;

/// <summary>Reads a weight's current float32 CPU values in place (no copy), for the predictor stages.</summary>
internal static class PredictorWeights
{
    /// <summary>Whether the predictor can read <paramref name="variable"/> in place (float32 on the CPU, or absent).</summary>
    public static bool Readable(Variable? variable) =>
        variable is null || (variable.Value.DType == DType.Float32 && variable.Value.Storage is CpuStorage);

    /// <summary>The values of <paramref name="variable"/>, or null for no variable.</summary>
    public static float[]? Of(Variable? variable) => variable is null ? null : ((CpuStorage)variable.Value.Storage).Array<float>();
}
