using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Transforms.TimeSeries;

namespace Microsoft.ML;

/// <summary>
/// Recurrent forecasters on <c>mlContext.Forecasting</c>, shaped like ML.NET's <c>ForecastBySsa</c>, and their
/// forecast engine.
/// </summary>
public static class RecurrentForecastingCatalog
{
    /// <summary>
    /// Creates an estimator that trains an LSTM forecaster on <paramref name="inputColumnName"/> (read in row order) and
    /// forecasts the next <paramref name="horizon"/> values into <paramref name="outputColumnName"/>.
    /// </summary>
    /// <param name="catalog">The forecasting catalog, <c>mlContext.Forecasting</c>.</param>
    /// <param name="outputColumnName">The forecast column, <c>Vector&lt;Single, horizon&gt;</c>.</param>
    /// <param name="inputColumnName">The series column (Single), one row per time step, no missing values.</param>
    /// <param name="windowSize">Past time steps each forecast reads (for a seasonal series, at least one season).</param>
    /// <param name="horizon">Future values forecast at once.</param>
    /// <param name="confidenceLowerBoundColumn">The lower bound column (<c>Vector&lt;Single, horizon&gt;</c>); null for none.</param>
    /// <param name="confidenceUpperBoundColumn">The upper bound column (<c>Vector&lt;Single, horizon&gt;</c>); null for none.</param>
    /// <param name="confidenceLevel">The bounds' confidence level, in (0, 1); bounds are split-conformal intervals from held-out errors (see <see cref="RecurrentForecastingTransformer"/>). Default 0.95.</param>
    /// <param name="covariateColumnNames">Single columns observed with the series, used as extra inputs of past steps; null for none.</param>
    /// <param name="hiddenUnits">Units of the LSTM layer. Default 32.</param>
    /// <param name="maxEpochs">Passes over the training windows. Default 50.</param>
    /// <param name="batchSize">Windows per gradient step. Default 32.</param>
    /// <param name="learningRate">Adam's learning rate. Default 0.005.</param>
    /// <param name="validationSetFraction">The fraction of windows at the end of the series held out for validation and interval calibration, in (0, 1). Default 0.2.</param>
    /// <param name="seed">The seed of initialization and shuffling; null draws one from the MLContext's seed.</param>
    /// <param name="device">Where to train: null or <see cref="Device.Auto"/> (a GPU when usable, else the CPU), <see cref="Device.Cpu"/>, <see cref="Device.Cuda(int)"/>.</param>
    /// <param name="progress">Receives a report after every batch and epoch; null for none. Epoch summaries also go to <c>MLContext.Log</c>.</param>
    /// <example>
    /// <code>
    /// var pipeline = mlContext.Forecasting.ForecastByLstm("Forecast", "Value", windowSize: 24, horizon: 12,
    ///     confidenceLowerBoundColumn: "Lower", confidenceUpperBoundColumn: "Upper");
    /// var model = pipeline.Fit(history);
    /// var engine = model.CreateTimeSeriesEngine&lt;Observation, Forecast&gt;(mlContext);
    /// </code>
    /// </example>
    public static RecurrentForecastingEstimator ForecastByLstm(this ForecastingCatalog catalog, string outputColumnName, string inputColumnName,
        int windowSize, int horizon, string? confidenceLowerBoundColumn = null, string? confidenceUpperBoundColumn = null, float confidenceLevel = 0.95f,
        string[]? covariateColumnNames = null, int hiddenUnits = 32, int maxEpochs = 50, int batchSize = 32, double learningRate = 0.005,
        double validationSetFraction = 0.2, int? seed = null, Device? device = null, IProgress<TrainingProgress>? progress = null) =>
        Create(catalog, RecurrentForecastingEstimator.RecurrentCell.Lstm, outputColumnName, inputColumnName, windowSize, horizon, confidenceLowerBoundColumn,
            confidenceUpperBoundColumn, confidenceLevel, covariateColumnNames, hiddenUnits, maxEpochs, batchSize, learningRate, validationSetFraction, seed, device, progress);

    /// <summary>
    /// Creates an estimator that trains a GRU forecaster; the parameters are those of
    /// <see cref="ForecastByLstm(ForecastingCatalog, string, string, int, int, string, string, float, string[], int, int, int, double, double, int?, Device?, IProgress{TrainingProgress})"/>.
    /// </summary>
    /// <param name="catalog">The forecasting catalog, <c>mlContext.Forecasting</c>.</param>
    /// <param name="outputColumnName">The forecast column, <c>Vector&lt;Single, horizon&gt;</c>.</param>
    /// <param name="inputColumnName">The series column (Single), one row per time step, no missing values.</param>
    /// <param name="windowSize">Past time steps each forecast reads.</param>
    /// <param name="horizon">Future values forecast at once.</param>
    /// <param name="confidenceLowerBoundColumn">The lower bound column; null for none.</param>
    /// <param name="confidenceUpperBoundColumn">The upper bound column; null for none.</param>
    /// <param name="confidenceLevel">The bounds' confidence level, in (0, 1). Default 0.95.</param>
    /// <param name="covariateColumnNames">Single columns observed with the series; null for none.</param>
    /// <param name="hiddenUnits">Units of the GRU layer. Default 32.</param>
    /// <param name="maxEpochs">Passes over the training windows. Default 50.</param>
    /// <param name="batchSize">Windows per gradient step. Default 32.</param>
    /// <param name="learningRate">Adam's learning rate. Default 0.005.</param>
    /// <param name="validationSetFraction">The fraction of windows held out at the end. Default 0.2.</param>
    /// <param name="seed">The seed; null draws one from the MLContext's seed.</param>
    /// <param name="device">Where to train; null for <see cref="Device.Auto"/>.</param>
    /// <param name="progress">Receives training progress; null for none.</param>
    public static RecurrentForecastingEstimator ForecastByGru(this ForecastingCatalog catalog, string outputColumnName, string inputColumnName,
        int windowSize, int horizon, string? confidenceLowerBoundColumn = null, string? confidenceUpperBoundColumn = null, float confidenceLevel = 0.95f,
        string[]? covariateColumnNames = null, int hiddenUnits = 32, int maxEpochs = 50, int batchSize = 32, double learningRate = 0.005,
        double validationSetFraction = 0.2, int? seed = null, Device? device = null, IProgress<TrainingProgress>? progress = null) =>
        Create(catalog, RecurrentForecastingEstimator.RecurrentCell.Gru, outputColumnName, inputColumnName, windowSize, horizon, confidenceLowerBoundColumn,
            confidenceUpperBoundColumn, confidenceLevel, covariateColumnNames, hiddenUnits, maxEpochs, batchSize, learningRate, validationSetFraction, seed, device, progress);

    /// <summary>Creates an estimator that trains a recurrent forecaster with every option (the cell included) from <paramref name="options"/>.</summary>
    /// <param name="catalog">The forecasting catalog, <c>mlContext.Forecasting</c>.</param>
    /// <param name="options">The options; copied, so later changes do not affect the estimator.</param>
    public static RecurrentForecastingEstimator ForecastByRecurrent(this ForecastingCatalog catalog, RecurrentForecastingEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RecurrentForecastingEstimator(CatalogEnvironment.Of(catalog), options.Clone());
    }

    /// <summary>
    /// Creates a forecast engine for a model that ends with a recurrent forecaster (a fitted <c>ForecastByLstm</c> /
    /// <c>ForecastByGru</c>, alone or last in a chain, also as loaded by <c>mlContext.Model.Load</c>). The engine copies
    /// the model's state, so predictions through it never change the model. The counterpart of ML.NET's
    /// <c>CreateTimeSeriesEngine</c>; it takes the <see cref="MLContext"/> itself, so with official ML.NET's
    /// <c>Microsoft.ML.Transforms.TimeSeries</c> also imported, passing an <see cref="MLContext"/> binds here and passing
    /// an <c>IHostEnvironment</c> binds to ML.NET's engine for its own forecasters.
    /// </summary>
    /// <typeparam name="TSrc">The observation class (members for the series and covariate columns).</typeparam>
    /// <typeparam name="TDst">The forecast class (<c>float[]</c> members for the forecast and bound columns).</typeparam>
    /// <param name="transformer">The fitted or loaded model.</param>
    /// <param name="env">The ML.NET context.</param>
    /// <param name="ignoreMissingColumns">When false (the default), a <typeparamref name="TDst"/> member that matches no column is an error; when true it is left as is.</param>
    /// <param name="inputSchemaDefinition">How <typeparamref name="TSrc"/> maps to columns; null to use its attributes.</param>
    /// <param name="outputSchemaDefinition">How <typeparamref name="TDst"/> maps to columns; null to use its attributes.</param>
    /// <exception cref="ArgumentException">The model holds no recurrent forecaster, or it is not the last transformer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A <typeparamref name="TDst"/> member has the wrong type or (with <paramref name="ignoreMissingColumns"/> false) matches no column.</exception>
    public static RecurrentForecastEngine<TSrc, TDst> CreateTimeSeriesEngine<TSrc, TDst>(this ITransformer transformer, MLContext env,
        bool ignoreMissingColumns = false, SchemaDefinition? inputSchemaDefinition = null, SchemaDefinition? outputSchemaDefinition = null)
        where TSrc : class
        where TDst : class, new()
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(env);
        return new RecurrentForecastEngine<TSrc, TDst>(env, transformer, ignoreMissingColumns, inputSchemaDefinition, outputSchemaDefinition);
    }

    private static RecurrentForecastingEstimator Create(ForecastingCatalog catalog, RecurrentForecastingEstimator.RecurrentCell cell, string outputColumnName,
        string inputColumnName, int windowSize, int horizon, string? lower, string? upper, float confidenceLevel, string[]? covariateColumnNames, int hiddenUnits,
        int maxEpochs, int batchSize, double learningRate, double validationSetFraction, int? seed, Device? device, IProgress<TrainingProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RecurrentForecastingEstimator(CatalogEnvironment.Of(catalog), new RecurrentForecastingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            WindowSize = windowSize,
            Horizon = horizon,
            ConfidenceLowerBoundColumn = lower,
            ConfidenceUpperBoundColumn = upper,
            ConfidenceLevel = confidenceLevel,
            CovariateColumnNames = covariateColumnNames?.ToArray(),
            Cell = cell,
            HiddenUnits = hiddenUnits,
            MaxEpochs = maxEpochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
            ValidationSetFraction = validationSetFraction,
            Seed = seed,
            Device = device ?? Device.Auto,
            Progress = progress,
        });
    }
}
