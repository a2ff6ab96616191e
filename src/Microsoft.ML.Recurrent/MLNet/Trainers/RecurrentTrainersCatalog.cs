using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.MLNet.Trainers;

namespace Microsoft.ML;

/// <summary>
/// The recurrent sequence trainers on ML.NET's regression, binary and multiclass trainer catalogs:
/// <c>Lstm(...)</c>, <c>Gru(...)</c> (a built-in network: recurrent layers and a dense output) and
/// <c>Recurrent(options)</c> (any network of Microsoft.ML.Recurrent layers, or a Keras model config JSON).
/// The input is a sequence column: <c>Vector&lt;Single, T, F&gt;</c>, <c>Vector&lt;Single, T&gt;</c> or variable-length
/// <c>Vector&lt;Single&gt;</c> with <c>featuresPerStep</c> (right-padded and masked).
/// </summary>
public static class RecurrentTrainersCatalog
{
    /// <summary>A LSTM network for predicting a Single (or vector) label from a sequence column: <paramref name="numberOfLayers"/> stacked LSTM layers of <paramref name="units"/> units and a dense output, trained with Adam.</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="labelColumnName">The label column: Single, or a known-size vector of Single. Default <c>"Label"</c>.</param>
    /// <param name="featureColumnName">The sequence column. Default <c>"Features"</c>.</param>
    /// <param name="featuresPerStep">Features per step of a one-dimensional vector column; null (default) for 1, or F of a <c>Vector&lt;Single, T, F&gt;</c>.</param>
    /// <param name="units">Units per LSTM layer. Default 32.</param>
    /// <param name="numberOfLayers">Stacked LSTM layers. Default 1.</param>
    /// <param name="maxEpochs">Passes over the data. Default 20.</param>
    /// <param name="batchSize">Sequences per step. Default 32.</param>
    /// <param name="learningRate">Adam's learning rate. Default 0.001.</param>
    public static RecurrentRegressionTrainer Lstm(this RegressionCatalog.RegressionTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Features",
        int? featuresPerStep = null, int units = 32, int numberOfLayers = 1, int maxEpochs = 20, int batchSize = 32, double learningRate = 0.001) =>
        new(CatalogEnvironment.Of(catalog), Flat<RecurrentRegressionTrainer.Options>(labelColumnName, featureColumnName, featuresPerStep, units, numberOfLayers, maxEpochs, batchSize, learningRate), RecurrentCellType.Lstm);

    /// <summary>A LSTM network for predicting a Single (or vector) label from a sequence column, with all options (<see cref="RecurrentTrainerOptions.CellType"/> is set to LSTM).</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="options">The options.</param>
    public static RecurrentRegressionTrainer Lstm(this RegressionCatalog.RegressionTrainers catalog, RecurrentRegressionTrainer.Options options) =>
        new(CatalogEnvironment.Of(catalog), options, RecurrentCellType.Lstm);

    /// <summary>A GRU network for predicting a Single (or vector) label from a sequence column: <paramref name="numberOfLayers"/> stacked GRU layers of <paramref name="units"/> units and a dense output, trained with Adam.</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="labelColumnName">The label column: Single, or a known-size vector of Single. Default <c>"Label"</c>.</param>
    /// <param name="featureColumnName">The sequence column. Default <c>"Features"</c>.</param>
    /// <param name="featuresPerStep">Features per step of a one-dimensional vector column; null (default) for 1, or F of a <c>Vector&lt;Single, T, F&gt;</c>.</param>
    /// <param name="units">Units per GRU layer. Default 32.</param>
    /// <param name="numberOfLayers">Stacked GRU layers. Default 1.</param>
    /// <param name="maxEpochs">Passes over the data. Default 20.</param>
    /// <param name="batchSize">Sequences per step. Default 32.</param>
    /// <param name="learningRate">Adam's learning rate. Default 0.001.</param>
    public static RecurrentRegressionTrainer Gru(this RegressionCatalog.RegressionTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Features",
        int? featuresPerStep = null, int units = 32, int numberOfLayers = 1, int maxEpochs = 20, int batchSize = 32, double learningRate = 0.001) =>
        new(CatalogEnvironment.Of(catalog), Flat<RecurrentRegressionTrainer.Options>(labelColumnName, featureColumnName, featuresPerStep, units, numberOfLayers, maxEpochs, batchSize, learningRate), RecurrentCellType.Gru);

    /// <summary>A GRU network for predicting a Single (or vector) label from a sequence column, with all options (<see cref="RecurrentTrainerOptions.CellType"/> is set to GRU).</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="options">The options.</param>
    public static RecurrentRegressionTrainer Gru(this RegressionCatalog.RegressionTrainers catalog, RecurrentRegressionTrainer.Options options) =>
        new(CatalogEnvironment.Of(catalog), options, RecurrentCellType.Gru);

    /// <summary>A recurrent network for predicting a Single (or vector) label from a sequence column: <see cref="RecurrentTrainerOptions.Network"/> or <see cref="RecurrentTrainerOptions.NetworkConfigJson"/> when given, else the built-in network of <see cref="RecurrentTrainerOptions.CellType"/>.</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="options">The options.</param>
    public static RecurrentRegressionTrainer Recurrent(this RegressionCatalog.RegressionTrainers catalog, RecurrentRegressionTrainer.Options options) =>
        new(CatalogEnvironment.Of(catalog), options, null);

    /// <summary>A LSTM network for classifying sequences into two classes: <paramref name="numberOfLayers"/> stacked LSTM layers of <paramref name="units"/> units and a dense output, trained with Adam.</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="labelColumnName">The label column: Boolean, or Single (0 negative). Default <c>"Label"</c>.</param>
    /// <param name="featureColumnName">The sequence column. Default <c>"Features"</c>.</param>
    /// <param name="featuresPerStep">Features per step of a one-dimensional vector column; null (default) for 1, or F of a <c>Vector&lt;Single, T, F&gt;</c>.</param>
    /// <param name="units">Units per LSTM layer. Default 32.</param>
    /// <param name="numberOfLayers">Stacked LSTM layers. Default 1.</param>
    /// <param name="maxEpochs">Passes over the data. Default 20.</param>
    /// <param name="batchSize">Sequences per step. Default 32.</param>
    /// <param name="learningRate">Adam's learning rate. Default 0.001.</param>
    public static RecurrentBinaryTrainer Lstm(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Features",
        int? featuresPerStep = null, int units = 32, int numberOfLayers = 1, int maxEpochs = 20, int batchSize = 32, double learningRate = 0.001) =>
        new(CatalogEnvironment.Of(catalog), Flat<RecurrentBinaryTrainer.Options>(labelColumnName, featureColumnName, featuresPerStep, units, numberOfLayers, maxEpochs, batchSize, learningRate), RecurrentCellType.Lstm);

    /// <summary>A LSTM network for classifying sequences into two classes, with all options (<see cref="RecurrentTrainerOptions.CellType"/> is set to LSTM).</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="options">The options.</param>
    public static RecurrentBinaryTrainer Lstm(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RecurrentBinaryTrainer.Options options) =>
        new(CatalogEnvironment.Of(catalog), options, RecurrentCellType.Lstm);

    /// <summary>A GRU network for classifying sequences into two classes: <paramref name="numberOfLayers"/> stacked GRU layers of <paramref name="units"/> units and a dense output, trained with Adam.</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="labelColumnName">The label column: Boolean, or Single (0 negative). Default <c>"Label"</c>.</param>
    /// <param name="featureColumnName">The sequence column. Default <c>"Features"</c>.</param>
    /// <param name="featuresPerStep">Features per step of a one-dimensional vector column; null (default) for 1, or F of a <c>Vector&lt;Single, T, F&gt;</c>.</param>
    /// <param name="units">Units per GRU layer. Default 32.</param>
    /// <param name="numberOfLayers">Stacked GRU layers. Default 1.</param>
    /// <param name="maxEpochs">Passes over the data. Default 20.</param>
    /// <param name="batchSize">Sequences per step. Default 32.</param>
    /// <param name="learningRate">Adam's learning rate. Default 0.001.</param>
    public static RecurrentBinaryTrainer Gru(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Features",
        int? featuresPerStep = null, int units = 32, int numberOfLayers = 1, int maxEpochs = 20, int batchSize = 32, double learningRate = 0.001) =>
        new(CatalogEnvironment.Of(catalog), Flat<RecurrentBinaryTrainer.Options>(labelColumnName, featureColumnName, featuresPerStep, units, numberOfLayers, maxEpochs, batchSize, learningRate), RecurrentCellType.Gru);

    /// <summary>A GRU network for classifying sequences into two classes, with all options (<see cref="RecurrentTrainerOptions.CellType"/> is set to GRU).</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="options">The options.</param>
    public static RecurrentBinaryTrainer Gru(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RecurrentBinaryTrainer.Options options) =>
        new(CatalogEnvironment.Of(catalog), options, RecurrentCellType.Gru);

    /// <summary>A recurrent network for classifying sequences into two classes: <see cref="RecurrentTrainerOptions.Network"/> or <see cref="RecurrentTrainerOptions.NetworkConfigJson"/> when given, else the built-in network of <see cref="RecurrentTrainerOptions.CellType"/>.</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="options">The options.</param>
    public static RecurrentBinaryTrainer Recurrent(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RecurrentBinaryTrainer.Options options) =>
        new(CatalogEnvironment.Of(catalog), options, null);

    /// <summary>A LSTM network for classifying sequences into K classes: <paramref name="numberOfLayers"/> stacked LSTM layers of <paramref name="units"/> units and a dense output, trained with Adam.</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="labelColumnName">The label column: a key (use MapValueToKey). Default <c>"Label"</c>.</param>
    /// <param name="featureColumnName">The sequence column. Default <c>"Features"</c>.</param>
    /// <param name="featuresPerStep">Features per step of a one-dimensional vector column; null (default) for 1, or F of a <c>Vector&lt;Single, T, F&gt;</c>.</param>
    /// <param name="units">Units per LSTM layer. Default 32.</param>
    /// <param name="numberOfLayers">Stacked LSTM layers. Default 1.</param>
    /// <param name="maxEpochs">Passes over the data. Default 20.</param>
    /// <param name="batchSize">Sequences per step. Default 32.</param>
    /// <param name="learningRate">Adam's learning rate. Default 0.001.</param>
    public static RecurrentMulticlassTrainer Lstm(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Features",
        int? featuresPerStep = null, int units = 32, int numberOfLayers = 1, int maxEpochs = 20, int batchSize = 32, double learningRate = 0.001) =>
        new(CatalogEnvironment.Of(catalog), Flat<RecurrentMulticlassTrainer.Options>(labelColumnName, featureColumnName, featuresPerStep, units, numberOfLayers, maxEpochs, batchSize, learningRate), RecurrentCellType.Lstm);

    /// <summary>A LSTM network for classifying sequences into K classes, with all options (<see cref="RecurrentTrainerOptions.CellType"/> is set to LSTM).</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="options">The options.</param>
    public static RecurrentMulticlassTrainer Lstm(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RecurrentMulticlassTrainer.Options options) =>
        new(CatalogEnvironment.Of(catalog), options, RecurrentCellType.Lstm);

    /// <summary>A GRU network for classifying sequences into K classes: <paramref name="numberOfLayers"/> stacked GRU layers of <paramref name="units"/> units and a dense output, trained with Adam.</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="labelColumnName">The label column: a key (use MapValueToKey). Default <c>"Label"</c>.</param>
    /// <param name="featureColumnName">The sequence column. Default <c>"Features"</c>.</param>
    /// <param name="featuresPerStep">Features per step of a one-dimensional vector column; null (default) for 1, or F of a <c>Vector&lt;Single, T, F&gt;</c>.</param>
    /// <param name="units">Units per GRU layer. Default 32.</param>
    /// <param name="numberOfLayers">Stacked GRU layers. Default 1.</param>
    /// <param name="maxEpochs">Passes over the data. Default 20.</param>
    /// <param name="batchSize">Sequences per step. Default 32.</param>
    /// <param name="learningRate">Adam's learning rate. Default 0.001.</param>
    public static RecurrentMulticlassTrainer Gru(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Features",
        int? featuresPerStep = null, int units = 32, int numberOfLayers = 1, int maxEpochs = 20, int batchSize = 32, double learningRate = 0.001) =>
        new(CatalogEnvironment.Of(catalog), Flat<RecurrentMulticlassTrainer.Options>(labelColumnName, featureColumnName, featuresPerStep, units, numberOfLayers, maxEpochs, batchSize, learningRate), RecurrentCellType.Gru);

    /// <summary>A GRU network for classifying sequences into K classes, with all options (<see cref="RecurrentTrainerOptions.CellType"/> is set to GRU).</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="options">The options.</param>
    public static RecurrentMulticlassTrainer Gru(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RecurrentMulticlassTrainer.Options options) =>
        new(CatalogEnvironment.Of(catalog), options, RecurrentCellType.Gru);

    /// <summary>A recurrent network for classifying sequences into K classes: <see cref="RecurrentTrainerOptions.Network"/> or <see cref="RecurrentTrainerOptions.NetworkConfigJson"/> when given, else the built-in network of <see cref="RecurrentTrainerOptions.CellType"/>.</summary>
    /// <param name="catalog">The trainer catalog.</param>
    /// <param name="options">The options.</param>
    public static RecurrentMulticlassTrainer Recurrent(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RecurrentMulticlassTrainer.Options options) =>
        new(CatalogEnvironment.Of(catalog), options, null);

    // The flat overloads' parameters, as ML.NET's flat trainer overloads fill their Options.
    private static TOptions Flat<TOptions>(string labelColumnName, string featureColumnName, int? featuresPerStep, int units, int numberOfLayers,
        int maxEpochs, int batchSize, double learningRate) where TOptions : RecurrentTrainerOptions, new() => new()
    {
        LabelColumnName = labelColumnName,
        FeatureColumnName = featureColumnName,
        FeaturesPerStep = featuresPerStep,
        Units = units,
        NumberOfLayers = numberOfLayers,
        MaxEpochs = maxEpochs,
        BatchSize = batchSize,
        LearningRate = learningRate,
    };
}
