using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Data;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.MLNet.Training;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Losses;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNet.Trainers;

/// <summary>What the three recurrent trainers share: reading the data, fitting through the core, and the schema checks.</summary>
internal static class RecurrentTraining
{
    /// <summary>How a task reads its label and trains: the label reader, the network outputs, the loss and the label tensor.</summary>
    public sealed record Task(string Name, Func<DataViewSchema, string, LabelColumn> Label, Func<LabelColumn, int> Outputs, Loss Loss, Func<SequenceData, Tensor> Targets);

    /// <summary>Reads <paramref name="input"/> (and the validation set), fits, and returns the trained model with the feature column's type.</summary>
    public static (RecurrentModelParameters Model, DataViewType FeatureType, LabelColumn Label) Fit(IHostEnvironment env, RecurrentTrainerOptions options, RecurrentCellType cellType, Task task, IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        options.Check();
        var sequence = SequenceColumn.Bind(input.Schema, options.FeatureColumnName, options.FeaturesPerStep);
        var label = task.Label(input.Schema, options.LabelColumnName);
        var train = SequenceData.Read(input, sequence, label);
        (Tensor X, Tensor Y)? validation = null;
        if (options.ValidationSet is { } set)
        {
            var validSequence = SequenceColumn.Bind(set.Schema, options.FeatureColumnName, options.FeaturesPerStep);
            if (validSequence.Features != sequence.Features)
                throw new ArgumentException($"The validation set's column '{options.FeatureColumnName}' has {validSequence.Features} features per step; the training data has {sequence.Features}.", nameof(options.ValidationSet));
            var valid = SequenceData.Read(set, validSequence, task.Label(set.Schema, options.LabelColumnName));
            validation = (valid.InputTensor(), task.Targets(valid));
        }
        int outputs = task.Outputs(label);
        bool padded = sequence.IsVariableLength;
        var factory = RecurrentNetworks.Factory(options, cellType, train.Steps, train.Features, outputs, padded);
        var result = RecurrentFitting.Fit(env, task.Name, options, factory, task.Loss, null, train.InputTensor(), task.Targets(train), validation);
        var featureType = input.Schema[options.FeatureColumnName].Type;
        return (new RecurrentModelParameters(result.Network, sequence.Timesteps, sequence.Features, outputs), featureType, label);
    }

    /// <summary>Checks the sequence and label columns of <paramref name="input"/> and appends <paramref name="outputs"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing.</exception>
    /// <exception cref="ArgumentException">A column has the wrong type.</exception>
    public static SchemaShape OutputSchema(SchemaShape input, RecurrentTrainerOptions options, Func<SchemaShape.Column, string?> labelProblem, Func<SchemaShape.Column, IEnumerable<SchemaShape.Column>> outputs)
    {
        ArgumentNullException.ThrowIfNull(input);
        var features = Find(input, options.FeatureColumnName, "Sequence");
        if (features.Kind == SchemaShape.Column.VectorKind.Scalar || features.ItemType != NumberDataViewType.Single || features.IsKey)
            throw new ArgumentException($"Sequence column '{options.FeatureColumnName}' has type {features}; expected a vector of Single (Vector<Single, T, F>, Vector<Single, T> or Vector<Single>).", nameof(input));
        var label = Find(input, options.LabelColumnName, "Label");
        if (labelProblem(label) is { } problem)
            throw new ArgumentException($"Label column '{options.LabelColumnName}' has type {label}; {problem}.", nameof(input));
        var columns = new List<SchemaShape.Column>();
        var added = outputs(label).ToList();
        foreach (var c in input)
            if (!added.Any(a => a.Name == c.Name)) columns.Add(c);
        columns.AddRange(added);
        return new SchemaShape(columns);
    }

    /// <summary>An output column of a trainer (through the adapter: the constructor is internal in ML.NET).</summary>
    public static SchemaShape.Column Column(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey = false, SchemaShape? annotations = null) =>
        MLNetInternals.Current.CreateSchemaColumn(name, kind, itemType, isKey, annotations);

    private static SchemaShape.Column Find(SchemaShape input, string name, string role)
    {
        foreach (var c in input.Reverse())
            if (c.Name == name) return c;
        throw new ArgumentOutOfRangeException(nameof(input), $"{role} column '{name}' not found.");
    }
}
