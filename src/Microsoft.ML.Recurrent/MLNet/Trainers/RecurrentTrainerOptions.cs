using Microsoft.ML.Recurrent.MLNet.Training;
using Microsoft.ML.Recurrent.Training.Models;

namespace Microsoft.ML.Recurrent.MLNet.Trainers;

/// <summary>
/// Options of the recurrent trainers (regression, binary, multiclass): the columns, the network (built in, or any
/// network of our layers, or a Keras model config JSON) and the shared training options.
/// </summary>
public abstract class RecurrentTrainerOptions : RecurrentFitOptions
{
    /// <summary>The label column. Default <c>"Label"</c>.</summary>
    public string LabelColumnName = "Label";

    /// <summary>The sequence column: <c>Vector&lt;Single, T, F&gt;</c>, <c>Vector&lt;Single, T&gt;</c> or variable-length <c>Vector&lt;Single&gt;</c>. Default <c>"Features"</c>.</summary>
    public string FeatureColumnName = "Features";

    /// <summary>Features per step for one-dimensional vector columns (their length must be a multiple of it). Null (default) means 1, or F for <c>Vector&lt;Single, T, F&gt;</c>.</summary>
    public int? FeaturesPerStep;

    /// <summary>The recurrent layer of the built-in network. Default <see cref="RecurrentCellType.Lstm"/> (<c>Gru(...)</c> sets GRU).</summary>
    public RecurrentCellType CellType = RecurrentCellType.Lstm;

    /// <summary>Units of each recurrent layer of the built-in network. Default 32.</summary>
    public int Units = 32;

    /// <summary>Stacked recurrent layers of the built-in network. Default 1.</summary>
    public int NumberOfLayers = 1;

    /// <summary>
    /// A network to train instead of the built-in one, built from Microsoft.ML.Recurrent layers: it maps
    /// <c>(batch, steps, features)</c> to <c>(batch, outputs)</c> — the label width for regression, 1 logit for binary,
    /// one logit per class for multiclass (no final sigmoid or softmax). Only its architecture is used: a fresh copy is
    /// built from its config and initialized from <see cref="RecurrentFitOptions.Seed"/>. For padded variable-length
    /// sequences, start it with a <c>Masking</c> layer. Null (default) for the built-in network.
    /// </summary>
    public Model? Network;

    /// <summary>Like <see cref="Network"/>, as a Keras model config JSON (<c>model.to_json()</c> of a Sequential). Null (default) for none.</summary>
    public string? NetworkConfigJson;

    internal override void Check()
    {
        base.Check();
        ArgumentException.ThrowIfNullOrEmpty(LabelColumnName, nameof(LabelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(FeatureColumnName, nameof(FeatureColumnName));
        if (FeaturesPerStep is <= 0) throw new ArgumentOutOfRangeException(nameof(FeaturesPerStep), FeaturesPerStep, "FeaturesPerStep must be positive.");
        if (Units <= 0) throw new ArgumentOutOfRangeException(nameof(Units), Units, "Units must be positive.");
        if (NumberOfLayers <= 0) throw new ArgumentOutOfRangeException(nameof(NumberOfLayers), NumberOfLayers, "NumberOfLayers must be positive.");
        if (Network is not null && NetworkConfigJson is not null)
            throw new ArgumentException("Give either Network or NetworkConfigJson, not both.", nameof(NetworkConfigJson));
    }
}
