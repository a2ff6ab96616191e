using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.MLNet.Training;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Transforms.TimeSeries;

/// <summary>
/// Trains a recurrent (LSTM or GRU) forecaster on a series column, read in row order; created by
/// <see cref="RecurrentForecastingCatalog.ForecastByLstm(ForecastingCatalog, string, string, int, int, string, string, float, string[], int, int, int, double, double, int?, Device?, IProgress{TrainingProgress})"/>
/// and <c>ForecastByGru</c>. The counterpart of ML.NET's <c>SsaForecastingEstimator</c>.
/// </summary>
/// <remarks>
/// <para>Every run of <see cref="Options.WindowSize"/> consecutive rows (the series and any covariates) is one input
/// window; the <see cref="Options.Horizon"/> series values after it are its target. The last
/// <see cref="RecurrentFitOptions.ValidationSetFraction"/> of the windows, in time order, are held out: they give the validation loss
/// and calibrate the confidence intervals (see <see cref="RecurrentForecastingTransformer"/>).</para>
/// <para>The network is <c>LSTM(HiddenUnits)</c> or <c>GRU(HiddenUnits)</c> then <c>Dense(Horizon)</c>, trained with Adam on
/// the mean squared error of the scaled changes from the window's last value.</para>
/// </remarks>
public sealed class RecurrentForecastingEstimator : IEstimator<RecurrentForecastingTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly Options _options;

    internal RecurrentForecastingEstimator(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Check();
        _env = env;
        _options = options;
    }

    /// <summary>The recurrent cell of the forecaster's network.</summary>
    public enum RecurrentCell
    {
        /// <summary>Keras <c>LSTM</c>.</summary>
        Lstm,

        /// <summary>Keras <c>GRU</c> (Keras 3 defaults, <c>reset_after=True</c>).</summary>
        Gru,
    }

    /// <summary>Trains the forecaster on <paramref name="input"/>, read in row order, and returns it with its state at the last row.</summary>
    /// <param name="input">The training data: the series column and the covariate columns, all Single, no missing values.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or not Single.</exception>
    /// <exception cref="InvalidOperationException">A value is NaN or infinite, or the series is too short for the window, horizon and validation part.</exception>
    public RecurrentForecastingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var names = _options.SeriesColumnNames;
        var columns = SeriesColumns.Read(input, names);
        int rows = columns[0].Length;
        if (WindowSplit.TryCreate(rows, _options.WindowSize, _options.Horizon, _options.ValidationSetFraction) is null)
        {
            int needed = WindowSplit.MinimumRows(_options.WindowSize, _options.Horizon, _options.ValidationSetFraction);
            throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture,
                "Column '{0}' has {1} rows; the forecaster needs at least {2} (windowSize {3} + horizon {4}, with {5:0.##}% of the windows held out for validation).",
                _options.InputColumnName, rows, needed, _options.WindowSize, _options.Horizon, _options.ValidationSetFraction * 100));
        }

        var forecaster = RecurrentForecaster.Train(_env, columns, _options);
        var state = new ObservationWindow(_options.WindowSize, names.Length);
        var step = new float[names.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < names.Length; c++)
            {
                step[c] = columns[c][r];
            }

            state.Push(step);
        }

        return new RecurrentForecastingTransformer(_env, RecurrentForecastingTransformer.Columns.From(_options), forecaster, state);
    }

    /// <summary>
    /// The schema after fitting: the input plus the forecast column and, when named, the lower and upper bound
    /// columns, each a vector of <see cref="Options.Horizon"/> Singles.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or not a Single scalar.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var result = inputSchema.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (string name in _options.SeriesColumnNames)
        {
            var column = inputSchema.LastOrDefault(c => c.Name == name);
            if (column.Name is null)
            {
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find input column '{name}'.");
            }

            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single || column.IsKey)
            {
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Schema mismatch for input column '{name}': expected Single, got {column.Kind} of {column.ItemType}{(column.IsKey ? " (key)" : "")}.");
            }
        }

        var internals = MLNetInternals.Current;
        foreach (string name in RecurrentForecastingTransformer.Columns.From(_options).Outputs)
        {
            result[name] = internals.CreateSchemaColumn(name, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, null);
        }

        return new SchemaShape(result.Values);
    }

    /// <summary>
    /// The options of a recurrent forecaster; the catalog methods fill them from their named parameters. The shared
    /// training options (<see cref="RecurrentFitOptions"/>) apply, with forecaster defaults: 50 epochs, learning rate
    /// 0.005 and a validation fraction of 0.2 (required: the held-out end of the series calibrates the intervals).
    /// </summary>
    public sealed class Options : RecurrentFitOptions
    {
        /// <summary>Creates options with the forecaster's defaults.</summary>
        public Options()
        {
            MaxEpochs = 50;
            LearningRate = 0.005;
            ValidationSetFraction = 0.2;
        }

        /// <summary>The forecast column: <c>Vector&lt;Single, Horizon&gt;</c>. Required.</summary>
        public string OutputColumnName = null!;

        /// <summary>The series column (Single), read in row order. Required.</summary>
        public string InputColumnName = null!;

        /// <summary>Past time steps the network reads per forecast. Required, ≥ 1.</summary>
        public int WindowSize;

        /// <summary>Future values forecast at once. Required, ≥ 1.</summary>
        public int Horizon;

        /// <summary>The lower confidence bound column (<c>Vector&lt;Single, Horizon&gt;</c>); null for none. Give both bounds or neither.</summary>
        public string? ConfidenceLowerBoundColumn;

        /// <summary>The upper confidence bound column (<c>Vector&lt;Single, Horizon&gt;</c>); null for none. Give both bounds or neither.</summary>
        public string? ConfidenceUpperBoundColumn;

        /// <summary>The confidence level of the bounds, in (0, 1). Default 0.95.</summary>
        public float ConfidenceLevel = 0.95f;

        /// <summary>
        /// Columns (Single) observed together with the series, read as extra inputs of each window step; null for none.
        /// Only past values are used, so forecasts need no future covariates.
        /// </summary>
        public string[]? CovariateColumnNames;

        /// <summary>The recurrent cell. Default <see cref="RecurrentCell.Lstm"/>.</summary>
        public RecurrentCell Cell = RecurrentCell.Lstm;

        /// <summary>Units of the recurrent layer. Default 32.</summary>
        public int HiddenUnits = 32;

        /// <summary>
        /// Epochs of further training on every window (the validation windows included) after the intervals are
        /// calibrated, so the forecaster also learns from the most recent data; 0 for none, null (the default) for
        /// half of <see cref="RecurrentFitOptions.MaxEpochs"/>.
        /// </summary>
        public int? RefitEpochs;

        /// <summary>The series column, then the covariates.</summary>
        internal string[] SeriesColumnNames => [InputColumnName, .. CovariateColumnNames ?? []];

        internal Options Clone() => (Options)MemberwiseClone();

        internal override void Check()
        {
            base.Check();
            ArgumentException.ThrowIfNullOrEmpty(OutputColumnName, nameof(OutputColumnName));
            ArgumentException.ThrowIfNullOrEmpty(InputColumnName, nameof(InputColumnName));
            Positive(WindowSize, nameof(WindowSize));
            Positive(Horizon, nameof(Horizon));
            Positive(HiddenUnits, nameof(HiddenUnits));
            if (RefitEpochs < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(RefitEpochs), RefitEpochs, "RefitEpochs must be 0 or more.");
            }

            if ((ConfidenceLowerBoundColumn is null) != (ConfidenceUpperBoundColumn is null))
            {
                throw new ArgumentException("Give both ConfidenceLowerBoundColumn and ConfidenceUpperBoundColumn, or neither.",
                    ConfidenceLowerBoundColumn is null ? nameof(ConfidenceLowerBoundColumn) : nameof(ConfidenceUpperBoundColumn));
            }

            if (!(ConfidenceLevel > 0 && ConfidenceLevel < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(ConfidenceLevel), ConfidenceLevel, "ConfidenceLevel must be in (0, 1).");
            }

            if (ValidationSet is not null)
            {
                throw new ArgumentException("The forecaster holds out the end of the series itself (ValidationSetFraction); it takes no separate ValidationSet.", nameof(ValidationSet));
            }

            if (!(ValidationSetFraction > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(ValidationSetFraction), ValidationSetFraction,
                    "ValidationSetFraction must be in (0, 1): the forecaster's intervals are calibrated on the held-out end of the series.");
            }

            foreach (string? name in CovariateColumnNames ?? [])
            {
                ArgumentException.ThrowIfNullOrEmpty(name, nameof(CovariateColumnNames));
            }
        }

        private static void Positive(int value, string name)
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
            }
        }
    }
}
