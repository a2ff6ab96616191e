using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>A component that can write itself into a model file.</summary>
public interface ICanSaveModel
{
    /// <summary>Writes the component into <paramref name="ctx"/>.</summary>
    /// <param name="ctx">The save context supplied by <see cref="ModelOperationsCatalog.Save(ITransformer, DataViewSchema, string)"/>.</param>
    void Save(ModelSaveContext ctx);
}

/// <summary>
/// A fitted transformation of data: maps an input <see cref="IDataView"/> to an output one lazily, and describes the output schema.
/// </summary>
public interface ITransformer : ICanSaveModel
{
    /// <summary>Whether the transformer maps each row independently, so that <see cref="GetRowToRowMapper"/> can be used (required by prediction engines).</summary>
    bool IsRowToRowMapper { get; }

    /// <summary>Returns the schema that <see cref="Transform"/> produces for input with <paramref name="inputSchema"/>.</summary>
    /// <param name="inputSchema">The input schema.</param>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>Returns a row-to-row mapper bound to <paramref name="inputSchema"/>; throws unless <see cref="IsRowToRowMapper"/>.</summary>
    /// <param name="inputSchema">The input schema.</param>
    IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema);

    /// <summary>Applies the transformation lazily: no data is read until the result is cursored.</summary>
    /// <param name="input">The input data.</param>
    IDataView Transform(IDataView input);
}

/// <summary>An untrained transformation: <see cref="Fit"/> learns from data and returns a transformer.</summary>
/// <typeparam name="TTransformer">The type of the fitted transformer.</typeparam>
public interface IEstimator<out TTransformer>
    where TTransformer : ITransformer
{
    /// <summary>Trains on <paramref name="input"/> and returns the fitted transformer.</summary>
    /// <param name="input">The training data.</param>
    TTransformer Fit(IDataView input);

    /// <summary>Returns the shape of the output schema for input of shape <paramref name="inputSchema"/>, checking the required columns.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    SchemaShape GetOutputSchema(SchemaShape inputSchema);
}

/// <summary>A fitted data loader that produces an <see cref="IDataView"/> from a source.</summary>
/// <typeparam name="TSource">The type of the source, for example <see cref="IMultiStreamSource"/>.</typeparam>
public interface IDataLoader<in TSource> : ICanSaveModel
{
    /// <summary>Loads data from <paramref name="input"/>.</summary>
    /// <param name="input">The source.</param>
    IDataView Load(TSource input);

    /// <summary>Returns the schema of the data that <see cref="Load"/> produces.</summary>
    DataViewSchema GetOutputSchema();
}

/// <summary>An estimator of data loaders.</summary>
/// <typeparam name="TSource">The type of the source.</typeparam>
/// <typeparam name="TLoader">The type of the fitted loader.</typeparam>
public interface IDataLoaderEstimator<in TSource, out TLoader>
    where TLoader : IDataLoader<TSource>
{
    /// <summary>Fits a loader on <paramref name="input"/>.</summary>
    /// <param name="input">A sample of the source.</param>
    TLoader Fit(TSource input);

    /// <summary>Returns the shape of the loaded data.</summary>
    SchemaShape GetOutputSchema();
}

/// <summary>
/// Information about a trainer. Obtain it from a trainer's <see cref="ITrainerEstimator{TTransformer, TModel}.Info"/>.
/// </summary>
public sealed class TrainerInfo
{
    internal TrainerInfo(bool normalization = true, bool calibration = false, bool caching = true, bool supportValid = false, bool supportIncrementalTrain = false, bool supportTrainingDiagnostics = false)
    {
        NeedNormalization = normalization;
        NeedCalibration = calibration;
        WantCaching = caching;
        SupportsValidation = supportValid;
        SupportsIncrementalTraining = supportIncrementalTrain;
        SupportsTrainingDiagnostics = supportTrainingDiagnostics;
    }

    /// <summary>Whether the trainer benefits from normalized features.</summary>
    public bool NeedNormalization { get; }

    /// <summary>Whether the trainer benefits from cached data (it reads the data several times).</summary>
    public bool WantCaching { get; }

    internal bool NeedCalibration { get; }

    internal bool SupportsValidation { get; }

    internal bool SupportsIncrementalTraining { get; }

    internal bool SupportsTrainingDiagnostics { get; }
}

/// <summary>The base of ML.NET's extension attributes, which name a contract that a loaded model refers to.</summary>
public abstract class ExtensionBaseAttribute : Attribute
{
    private protected ExtensionBaseAttribute(string contractName)
    {
        ContractName = contractName;
    }

    /// <summary>The contract name this attribute declares.</summary>
    public string ContractName { get; }
}

/// <summary>A transformer produced by a trainer: it holds a model and appends score columns.</summary>
/// <typeparam name="TModel">The type of the model parameters.</typeparam>
public interface IPredictionTransformer<out TModel> : ITransformer
    where TModel : class
{
    /// <summary>The trained model.</summary>
    TModel Model { get; }
}

/// <summary>A prediction transformer that reads a single feature column.</summary>
/// <typeparam name="TModel">The type of the model parameters.</typeparam>
public interface ISingleFeaturePredictionTransformer<out TModel> : IPredictionTransformer<TModel>
    where TModel : class
{
    /// <summary>The name of the feature column.</summary>
    string FeatureColumnName { get; }

    /// <summary>The type of the feature column.</summary>
    DataViewType FeatureColumnType { get; }
}
