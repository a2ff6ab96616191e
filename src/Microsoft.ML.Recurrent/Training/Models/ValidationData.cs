using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Training.Models;

/// <summary>
/// The data <c>Model.Fit</c>
/// evaluates after every epoch (Keras <c>validation_data=(x_val, y_val[, val_sample_weight])</c>). A tuple converts:
/// <c>validationData: (xVal, yVal)</c> or <c>validationData: (xVal, yVal, wVal)</c>.
/// </summary>
public sealed class ValidationData
{
    /// <summary>Validation data for a model with one input and one output.</summary>
    /// <param name="x">Inputs, batch first.</param>
    /// <param name="y">Targets, batch first.</param>
    /// <param name="sampleWeight">Per-sample weights <c>(samples,)</c>; null for 1.</param>
    public ValidationData(Tensor x, Tensor y, Tensor? sampleWeight = null)
        : this([x], [y], sampleWeight is null ? null : [sampleWeight])
    {
    }

    /// <summary>Validation data for a model with several inputs or outputs.</summary>
    /// <param name="x">One array per model input.</param>
    /// <param name="y">One array per model output.</param>
    /// <param name="sampleWeight">One weight array (or null) per output, or a single array for all outputs; null for 1.</param>
    public ValidationData(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, IReadOnlyList<Tensor?>? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        X = x.ToArray();
        Y = y.ToArray();
        SampleWeight = sampleWeight?.ToArray();
    }

    /// <summary>One array per model input.</summary>
    public IReadOnlyList<Tensor> X { get; }

    /// <summary>One array per model output.</summary>
    public IReadOnlyList<Tensor> Y { get; }

    /// <summary>Sample weights (one array for all outputs, or one per output), or null.</summary>
    public IReadOnlyList<Tensor?>? SampleWeight { get; }

    /// <summary>Keras <c>validation_data=(x_val, y_val)</c>.</summary>
    /// <param name="data">Inputs and targets.</param>
    public static implicit operator ValidationData((Tensor X, Tensor Y) data) => new(data.X, data.Y);

    /// <summary>Keras <c>validation_data=(x_val, y_val)</c>, or none when <paramref name="data"/> is null.</summary>
    /// <param name="data">Inputs and targets, or null.</param>
    public static implicit operator ValidationData?((Tensor X, Tensor Y)? data) => data is { } d ? new(d.X, d.Y) : null;

    /// <summary>Keras <c>validation_data=(x_val, y_val, val_sample_weight)</c>.</summary>
    /// <param name="data">Inputs, targets and per-sample weights.</param>
    public static implicit operator ValidationData((Tensor X, Tensor Y, Tensor SampleWeight) data) => new(data.X, data.Y, data.SampleWeight);
}
