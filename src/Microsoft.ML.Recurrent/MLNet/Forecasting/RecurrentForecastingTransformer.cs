using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.TimeSeries;

#if !MLNET_OFFICIAL
[assembly: LoadableClass(typeof(ITransformer), typeof(RecurrentForecastingTransformer), null, typeof(SignatureLoadModel),
    "Recurrent forecaster", RecurrentForecastingTransformer.LoaderSignature)]
#endif
[assembly: RecurrentLoader(typeof(RecurrentForecastingTransformer), RecurrentForecastingTransformer.LoaderSignature)]

namespace Microsoft.ML.Transforms.TimeSeries;

/// <summary>
/// A fitted recurrent forecaster with its state (the last <c>windowSize</c> observations). The counterpart of ML.NET's
/// <c>SsaForecastingTransformer</c>: <see cref="Transform"/> walks the rows of a data view in order, adds each
/// observation to (a copy of) the state and outputs the forecast of the next <c>horizon</c> values after it; for
/// one-at-a-time forecasting create an engine with <c>CreateTimeSeriesEngine</c>.
/// </summary>
/// <remarks>
/// <para><b>Confidence bounds</b> are split-conformal intervals calibrated on held-out data: during training, the last
/// part of the series (in time order) is kept out of the gradient steps; the forecaster's absolute errors on those
/// validation windows, in the series' units, are stored per horizon step. The half-width for step k at confidence
/// level c is the ⌈(n + 1)·c⌉-th smallest of the n stored errors of step k (the largest when that rank exceeds n), and
/// the bounds are forecast ∓ half-width. If future errors behave like the validation errors (exchangeable), each bound
/// pair covers the actual value with probability at least c; any confidence level can be asked for at prediction
/// time without retraining.</para>
/// <para>Saved with <c>mlContext.Model.Save</c> (network config and weights, scaling, interval errors and state);
/// <c>mlContext.Model.Load</c> restores it, and a checkpoint of an engine restores the engine's updated state.</para>
/// </remarks>
public sealed class RecurrentForecastingTransformer : ITransformer
{
    internal const string LoaderSignature = "RecurrentForecastXf";

    private static readonly ModelVersion s_version = new("RNNFCAST", 0x00010001, 0x00010001, 0x00010001, LoaderSignature);

    private readonly IHostEnvironment _env;

    internal RecurrentForecastingTransformer(IHostEnvironment env, Columns columns, RecurrentForecaster forecaster, ObservationWindow state)
    {
        _env = env;
        ColumnNames = columns;
        Forecaster = forecaster;
        State = state;
    }

    /// <summary>The length of the forecast vectors.</summary>
    public int Horizon => Forecaster.Horizon;

    /// <summary>The number of past steps each forecast reads.</summary>
    public int WindowSize => Forecaster.WindowSize;

    /// <summary>The confidence level of the bound columns (the engine can override it per call).</summary>
    public float ConfidenceLevel => ColumnNames.ConfidenceLevel;

    /// <summary>False: the output of a row depends on the rows before it.</summary>
    public bool IsRowToRowMapper => false;

    internal Columns ColumnNames { get; }

    internal RecurrentForecaster Forecaster { get; }

    internal ObservationWindow State { get; }

    /// <summary>The input schema plus the forecast column and, when named, the bound columns (<c>Vector&lt;Single, Horizon&gt;</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The series or a covariate column is missing or not Single.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SeriesColumns.Check(inputSchema, ColumnNames.Inputs);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        var type = new VectorDataViewType(NumberDataViewType.Single, Horizon);
        foreach (string name in ColumnNames.Outputs)
        {
            builder.AddColumn(name, type);
        }

        return builder.ToSchema();
    }

    /// <summary>
    /// Forecasts after every row of <paramref name="input"/>, in row order, starting from this transformer's state
    /// (which is not changed). Rows with a NaN or infinite series or covariate value fail when read, naming column and row.
    /// </summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ForecastDataView(this, input, GetOutputSchema(input.Schema));
    }

    /// <summary>Not supported: forecasting carries state from row to row. Use <see cref="Transform"/> or <c>CreateTimeSeriesEngine</c>.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new InvalidOperationException("The recurrent forecaster is stateful, so it is not a row-to-row mapper; use Transform or CreateTimeSeriesEngine.");

    /// <summary>Saves the network, scaling, interval errors and state into an ML.NET model.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var writer = RecurrentModelStorage.BeginSave(ctx, s_version);
        ColumnNames.Write(writer);
        Forecaster.WriteState(writer);
        State.Write(writer);
        RecurrentModelStorage.SaveNetwork(ctx, "Network", Forecaster.Network);
    }

    // The loader ML.NET calls on Model.Load (ctx is the internal ModelLoadContext).
    private static ITransformer Create(IHostEnvironment env, object ctx)
    {
        var reader = RecurrentModelStorage.BeginLoad(ctx, s_version, out _);
        try
        {
            var columns = Columns.Read(reader);
            var network = RecurrentModelStorage.LoadNetwork(ctx, "Network");
            var forecaster = RecurrentForecaster.ReadState(reader, network);
            var state = ObservationWindow.Read(reader);
            if (state.Length != forecaster.WindowSize || state.Features != forecaster.Features || columns.Inputs.Length != forecaster.Features)
            {
                throw new InvalidDataException($"The forecaster's state ({state.Length} × {state.Features}) does not match its network ({forecaster.WindowSize} × {forecaster.Features}).");
            }

            return new RecurrentForecastingTransformer(env, columns, forecaster, state);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw new FormatException($"The recurrent forecaster in the model file is damaged: {e.Message}", e);
        }
    }

    /// <summary>A copy with another state (the engine's checkpoint).</summary>
    internal RecurrentForecastingTransformer WithState(ObservationWindow state) => new(_env, ColumnNames, Forecaster, state.Clone());

    /// <summary>The column names and default confidence level.</summary>
    internal sealed record Columns(string Output, string Input, string? Lower, string? Upper, string[] Covariates, float ConfidenceLevel)
    {
        /// <summary>The series column, then the covariates.</summary>
        public string[] Inputs => [Input, .. Covariates];

        /// <summary>The forecast column, then the bounds when named.</summary>
        public string[] Outputs => Lower is null ? [Output] : [Output, Lower, Upper!];

        public static Columns From(RecurrentForecastingEstimator.Options o) =>
            new(o.OutputColumnName, o.InputColumnName, o.ConfidenceLowerBoundColumn, o.ConfidenceUpperBoundColumn, o.CovariateColumnNames ?? [], o.ConfidenceLevel);

        public void Write(BinaryWriter writer)
        {
            writer.Write(Output);
            writer.Write(Input);
            writer.Write(Lower ?? string.Empty);
            writer.Write(Upper ?? string.Empty);
            writer.Write(Covariates.Length);
            foreach (string c in Covariates)
            {
                writer.Write(c);
            }

            writer.Write(ConfidenceLevel);
        }

        public static Columns Read(BinaryReader reader)
        {
            string output = reader.ReadString(), input = reader.ReadString(), lower = reader.ReadString(), upper = reader.ReadString();
            int count = reader.ReadInt32();
            if (count < 0 || count > 1 << 16)
            {
                throw new InvalidDataException($"The forecaster lists {count} covariate columns.");
            }

            var covariates = new string[count];
            for (int i = 0; i < count; i++)
            {
                covariates[i] = reader.ReadString();
            }

            float level = reader.ReadSingle();
            return new Columns(output, input, lower.Length == 0 ? null : lower, upper.Length == 0 ? null : upper, covariates, level);
        }
    }
}
