using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Data;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.MLNet.Transforms;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Models;

namespace Microsoft.ML.Transforms;

/// <summary>
/// Applies a trained or imported recurrent network to a sequence column; created by
/// <c>mlContext.Transforms.ApplyRecurrentModel(...)</c>. Fitting trains nothing: it checks the input column, builds the
/// network for it when it is not built yet, and returns a <see cref="RecurrentModelTransformer"/> holding its own copy of
/// the network (later changes to the network you passed do not reach it).
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Needs training data</term><description>No (only the schema is used).</description></item>
/// <item><term>Input column</term><description><c>Vector&lt;Single, T, F&gt;</c>, <c>Vector&lt;Single, T&gt;</c> or <c>Vector&lt;Single&gt;</c> (with features per step).</description></item>
/// <item><term>Output column</term><description>Known-size <c>Vector&lt;Single&gt;</c>; variable-length for per-step outputs of variable-length input.</description></item>
/// </list>
/// </remarks>
public sealed class RecurrentModelEstimator : IEstimator<RecurrentModelTransformer>
{
    private readonly Model _network;
    private readonly IReadOnlyList<float[]>? _weights;
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly RecurrentModelOutput _output;
    private readonly int? _featuresPerStep;

    internal RecurrentModelEstimator(Model network, IReadOnlyList<float[]>? weights, string outputColumnName, string inputColumnName, RecurrentModelOutput output, int? featuresPerStep)
    {
        _network = network;
        _weights = weights;
        _outputColumnName = outputColumnName;
        _inputColumnName = inputColumnName;
        _output = output;
        _featuresPerStep = featuresPerStep;
    }

    /// <summary>Checks <paramref name="input"/>'s sequence column and returns the transformer.</summary>
    /// <param name="input">Data whose schema holds the sequence column (rows are not read).</param>
    public RecurrentModelTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = input.Schema.GetColumnOrNull(_inputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"Sequence column '{_inputColumnName}' not found in the input schema.");
        var sequence = SequenceColumn.FromType(_inputColumnName, column.Type, _featuresPerStep);
        var transformer = new RecurrentModelTransformer(Snapshot(sequence), _outputColumnName, _inputColumnName, _output, _featuresPerStep);
        transformer.Bind(input.Schema);
        return transformer;
    }

    /// <summary>The input columns plus the output vector column.</summary>
    /// <param name="inputSchema">The input columns; the sequence column must be a <c>Single</c> vector.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var columns = inputSchema.Where(c => c.Name != _outputColumnName).ToList();
        var input = inputSchema.Cast<SchemaShape.Column?>().LastOrDefault(c => c!.Value.Name == _inputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Sequence column '{_inputColumnName}' not found in the input schema.");
        if (input.Kind == SchemaShape.Column.VectorKind.Scalar || input.ItemType != NumberDataViewType.Single || input.IsKey)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Sequence column '{_inputColumnName}' has type {input}; expected a vector of Single.");
        }

        var kind = SchemaShape.Column.VectorKind.Vector;
        if (input.Kind == SchemaShape.Column.VectorKind.VariableVector && _output == RecurrentModelOutput.Output)
        {
            var sequence = SequenceColumn.FromType(_inputColumnName, new VectorDataViewType(NumberDataViewType.Single), _featuresPerStep);
            if (!new RecurrentModelScorer(Snapshot(sequence), sequence, _output).OutputType.IsKnownSize)
            {
                kind = SchemaShape.Column.VectorKind.VariableVector;
            }
        }

        columns.Add(MLNetInternals.Current.CreateSchemaColumn(_outputColumnName, kind, NumberDataViewType.Single, false, null));
        return new SchemaShape(columns);
    }

    /// <summary>The network built for <paramref name="sequence"/>, with the imported weights, copied through its config and weights.</summary>
    private Model Snapshot(SequenceColumn sequence)
    {
        lock (_network)
        {
            if (!_network.Built)
            {
                // Keras builds on first call; the steps do not size any recurrent weight, so 1 stands in for variable length.
                _network.Build(new Shape(1, sequence.IsVariableLength ? 1 : sequence.Timesteps, sequence.Features));
            }

            if (_weights != null)
            {
                AssignWeights(_network, _weights);
            }

            var config = _network.ToModelConfig();
            config.Remove("compile_config");
            var copy = Model.FromModelConfig(config);
            if (!copy.Built)
            {
                copy.Build(_network.BuildInputShape!.Value);
            }

            copy.SetWeights(_network.GetWeights());
            return copy;
        }
    }

    private static void AssignWeights(Model network, IReadOnlyList<float[]> weights)
    {
        var variables = network.Weights;
        if (weights.Count != variables.Count)
        {
            throw new ArgumentException($"Model '{network.Name}' has {variables.Count} weights ({string.Join(", ", variables.Select(v => $"{v.Name} {v.Shape}"))}) but {weights.Count} arrays were given; pass them in Keras get_weights() order.", nameof(weights));
        }

        var tensors = new Tensor[weights.Count];
        for (int i = 0; i < tensors.Length; i++)
        {
            if (weights[i] is null || weights[i].Length != variables[i].Shape.Size)
            {
                throw new ArgumentException($"weights[{i}] has {weights[i]?.Length ?? 0} values but weight '{variables[i].Name}' of shape {variables[i].Shape} needs {variables[i].Shape.Size}.", nameof(weights));
            }

            tensors[i] = Tensor.FromArray(weights[i], variables[i].Shape);
        }

        network.SetWeights(tensors);
    }
}
