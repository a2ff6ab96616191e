using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.MLNet.Data;

/// <summary>
/// A sequence column and how its vectors split into time steps (ARCHITECTURE §5): <c>Vector&lt;Single, T, F&gt;</c>
/// (T steps of F features), <c>Vector&lt;Single, T&gt;</c> (T steps of <see cref="Features"/> = features-per-step, 1 by
/// default), or variable-length <c>Vector&lt;Single&gt;</c> whose length must be a multiple of the features per step.
/// Values are stored step-major: step 0's features, then step 1's, ...
/// </summary>
internal sealed class SequenceColumn
{
    private SequenceColumn(string name, int timesteps, int features)
    {
        Name = name;
        Timesteps = timesteps;
        Features = features;
    }

    /// <summary>The column name.</summary>
    public string Name { get; }

    /// <summary>Steps per sequence; 0 when the length varies from row to row.</summary>
    public int Timesteps { get; }

    /// <summary>Features per step.</summary>
    public int Features { get; }

    /// <summary>Whether sequences have different lengths (and batches are right-padded with a mask).</summary>
    public bool IsVariableLength => Timesteps == 0;

    /// <summary>Finds and checks column <paramref name="name"/> of <paramref name="schema"/>.</summary>
    /// <param name="schema">The data's schema.</param>
    /// <param name="name">The sequence column.</param>
    /// <param name="featuresPerStep">Features per step for one-dimensional vectors; null for 1 (or F of a two-dimensional vector).</param>
    /// <exception cref="ArgumentOutOfRangeException">No such column.</exception>
    /// <exception cref="ArgumentException">The column is not a Single vector, or its size does not split into steps.</exception>
    public static SequenceColumn Bind(DataViewSchema schema, string name, int? featuresPerStep)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var column = schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(name), $"Sequence column '{name}' not found.");
        return FromType(name, column.Type, featuresPerStep);
    }

    /// <summary>The sequence layout of a column of type <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">Not a sequence type.</exception>
    public static SequenceColumn FromType(string name, DataViewType type, int? featuresPerStep)
    {
        if (featuresPerStep is <= 0)
            throw new ArgumentOutOfRangeException(nameof(featuresPerStep), featuresPerStep, $"Features per step for column '{name}' must be positive.");
        if (type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
            throw new ArgumentException($"Column '{name}' has type {type}; a sequence column must be Vector<Single, T, F>, Vector<Single, T> or Vector<Single>.", nameof(name));
        var dims = vector.Dimensions;
        if (dims.Length == 2 && vector.IsKnownSize)
        {
            if (featuresPerStep is { } f && f != dims[1])
                throw new ArgumentException($"Column '{name}' has type {type} ({dims[1]} features per step), but {f} features per step were declared.", nameof(featuresPerStep));
            return new SequenceColumn(name, dims[0], dims[1]);
        }
        if (dims.Length > 2)
            throw new ArgumentException($"Column '{name}' has type {type}; a sequence column has at most two dimensions (steps, features).", nameof(name));
        int features = featuresPerStep ?? 1;
        if (!vector.IsKnownSize) return new SequenceColumn(name, 0, features);
        if (vector.Size % features != 0)
            throw new ArgumentException($"Column '{name}' has type {type}, whose size {vector.Size} is not a multiple of the {features} features per step.", nameof(featuresPerStep));
        return new SequenceColumn(name, vector.Size / features, features);
    }

    /// <summary>The number of steps in <paramref name="value"/>, after checking its length and that it holds no NaN.</summary>
    /// <param name="value">The row's value.</param>
    /// <param name="row">The row index, for the message.</param>
    /// <exception cref="InvalidOperationException">Wrong or non-multiple length, an empty sequence, or a NaN.</exception>
    public int CheckedSteps(in VBuffer<float> value, long row)
    {
        int length = value.Length;
        if (Timesteps > 0 && length != Timesteps * Features)
            throw new InvalidOperationException($"Column '{Name}', row {row}: the sequence has {length} values; expected {Timesteps * Features} ({Timesteps} steps x {Features} features).");
        if (length % Features != 0)
            throw new InvalidOperationException($"Column '{Name}', row {row}: the sequence has {length} values, which is not a multiple of the {Features} features per step.");
        if (length == 0)
            throw new InvalidOperationException($"Column '{Name}', row {row}: the sequence is empty.");
        var values = value.GetValues();
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i]))
            {
                int index = value.IsDense ? i : value.GetIndices()[i];
                throw new InvalidOperationException($"Column '{Name}', row {row}: the sequence has NaN at step {index / Features}, feature {index % Features}; sequences must not contain missing values.");
            }
        }
        return length / Features;
    }
}
