using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Transforms;

namespace Microsoft.ML;

/// <summary>Applying recurrent networks to sequence columns, as extension methods on <see cref="MLContext.Transforms"/>.</summary>
public static class RecurrentModelCatalog
{
    /// <summary>
    /// Creates a <see cref="RecurrentModelEstimator"/> that runs <paramref name="model"/> (a network built from this
    /// package's layers, trained or not) on each sequence of <paramref name="inputColumnName"/> and writes its output to
    /// <paramref name="outputColumnName"/>, for featurization or scoring.
    /// </summary>
    /// <param name="catalog">The transforms catalog (<c>mlContext.Transforms</c>).</param>
    /// <param name="outputColumnName">The column written: a <c>Single</c> vector (see <paramref name="output"/>).</param>
    /// <param name="inputColumnName">The sequence column: <c>Vector&lt;Single, T, F&gt;</c>, <c>Vector&lt;Single, T&gt;</c> or <c>Vector&lt;Single&gt;</c>.</param>
    /// <param name="model">The network, e.g. a <see cref="Sequential"/>; stateful networks are rejected. Built for the input when not built yet; the transformer keeps a copy.</param>
    /// <param name="output">What to write. Default <see cref="RecurrentModelOutput.Output"/>.</param>
    /// <param name="featuresPerStep">Features per step of one-dimensional sequence vectors; null for 1 (or F of <c>Vector&lt;Single, T, F&gt;</c>).</param>
    /// <example>
    /// <code>
    /// var model = new Sequential([new Lstm(16, returnSequences: true), new Dense(1)]);
    /// var pipeline = mlContext.Transforms.ApplyRecurrentModel("Encoded", "Features", model, RecurrentModelOutput.LastStep);
    /// </code>
    /// </example>
    public static RecurrentModelEstimator ApplyRecurrentModel(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, Model model,
        RecurrentModelOutput output = RecurrentModelOutput.Output, int? featuresPerStep = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(catalog, outputColumnName, inputColumnName, model, null, output, featuresPerStep);
    }

    /// <summary>
    /// Creates a <see cref="RecurrentModelEstimator"/> that runs the model saved in <paramref name="modelFile"/> by
    /// <c>Model.Save</c> on each sequence of <paramref name="inputColumnName"/>. The file is read now.
    /// </summary>
    /// <param name="catalog">The transforms catalog (<c>mlContext.Transforms</c>).</param>
    /// <param name="outputColumnName">The column written: a <c>Single</c> vector (see <paramref name="output"/>).</param>
    /// <param name="inputColumnName">The sequence column: <c>Vector&lt;Single, T, F&gt;</c>, <c>Vector&lt;Single, T&gt;</c> or <c>Vector&lt;Single&gt;</c>.</param>
    /// <param name="modelFile">A file written by <c>Model.Save</c>.</param>
    /// <param name="output">What to write. Default <see cref="RecurrentModelOutput.Output"/>.</param>
    /// <param name="featuresPerStep">Features per step of one-dimensional sequence vectors; null for 1 (or F of <c>Vector&lt;Single, T, F&gt;</c>).</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a complete saved model.</exception>
    public static RecurrentModelEstimator ApplyRecurrentModel(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, string modelFile,
        RecurrentModelOutput output = RecurrentModelOutput.Output, int? featuresPerStep = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelFile);
        return Create(catalog, outputColumnName, inputColumnName, Model.Load(modelFile), null, output, featuresPerStep);
    }

    /// <summary>
    /// Creates a <see cref="RecurrentModelEstimator"/> that runs a Keras model, given as its config JSON
    /// (<c>model.to_json()</c>: a <c>Sequential</c> envelope, Keras 2 or 3) and its weights (<c>model.get_weights()</c>,
    /// each array flattened in row-major order), on each sequence of <paramref name="inputColumnName"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog (<c>mlContext.Transforms</c>).</param>
    /// <param name="outputColumnName">The column written: a <c>Single</c> vector (see <paramref name="output"/>).</param>
    /// <param name="inputColumnName">The sequence column: <c>Vector&lt;Single, T, F&gt;</c>, <c>Vector&lt;Single, T&gt;</c> or <c>Vector&lt;Single&gt;</c>.</param>
    /// <param name="kerasModelConfig">The model config JSON.</param>
    /// <param name="weights">The weights in Keras <c>get_weights()</c> order; assigned once the network is built for the input.</param>
    /// <param name="output">What to write. Default <see cref="RecurrentModelOutput.Output"/>.</param>
    /// <param name="featuresPerStep">Features per step of one-dimensional sequence vectors; null for 1 (or F of <c>Vector&lt;Single, T, F&gt;</c>).</param>
    public static RecurrentModelEstimator ApplyRecurrentModel(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, string kerasModelConfig,
        IReadOnlyList<float[]> weights, RecurrentModelOutput output = RecurrentModelOutput.Output, int? featuresPerStep = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(kerasModelConfig);
        ArgumentNullException.ThrowIfNull(weights);
        Model model;
        try
        {
            model = Model.FromModelConfig(JsonNode.Parse(kerasModelConfig) as JsonObject ?? throw new FormatException("the JSON is not an object"));
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or NotSupportedException or InvalidCastException)
        {
            throw new ArgumentException($"The Keras model config cannot be read: {e.Message}", nameof(kerasModelConfig), e);
        }

        return Create(catalog, outputColumnName, inputColumnName, model, weights, output, featuresPerStep);
    }

    private static RecurrentModelEstimator Create(TransformsCatalog catalog, string outputColumnName, string inputColumnName, Model model,
        IReadOnlyList<float[]>? weights, RecurrentModelOutput output, int? featuresPerStep)
    {
        CatalogEnvironment.Of(catalog); // registers the loaders, so a saved pipeline can be loaded back in this context
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        if (!Enum.IsDefined(output))
        {
            throw new ArgumentOutOfRangeException(nameof(output), output, "Expected Output, LastStep or States.");
        }

        if (featuresPerStep is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(featuresPerStep), featuresPerStep, "Features per step must be positive (or null).");
        }

        if (model.IsStateful)
        {
            throw new ArgumentException($"Model '{model.Name}' is stateful, so each row's output would depend on the rows before it; rebuild it with stateful: false to apply it row by row.", nameof(model));
        }

        return new RecurrentModelEstimator(model, weights, outputColumnName, inputColumnName, output, featuresPerStep);
    }
}
