using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Transforms.TimeSeries;

/// <summary>
/// Forecasts one observation at a time with a recurrent forecaster and its own copy of the state; the counterpart of
/// ML.NET's <c>TimeSeriesPredictionEngine</c> (same members), which cannot carry a third party's state. Create it with
/// <c>model.CreateTimeSeriesEngine&lt;TSrc, TDst&gt;(mlContext)</c>. Not thread-safe; use one engine per thread.
/// </summary>
/// <typeparam name="TSrc">The observation class: members for the series column and the covariate columns (float).</typeparam>
/// <typeparam name="TDst">The forecast class: <c>float[]</c> members for the forecast column and, when the model has them, the bound columns.</typeparam>
/// <example>
/// <code>
/// var engine = model.CreateTimeSeriesEngine&lt;Observation, Forecast&gt;(mlContext);
/// Forecast next = engine.Predict();                       // forecast from the state after training
/// next = engine.Predict(new Observation { Value = 3.2f }); // add an observation, then forecast
/// engine.CheckPoint(mlContext, "forecaster.zip");          // save the model with the updated state
/// </code>
/// </example>
public sealed class RecurrentForecastEngine<TSrc, TDst> : IDisposable
    where TSrc : class
    where TDst : class, new()
{
    private readonly MLContext _context;
    private readonly ITransformer[] _before;
    private readonly RecurrentForecastingTransformer _forecaster;
    private readonly ObservationWindow _state;
    private readonly SchemaDefinition? _inputDefinition;
    private readonly (int Which, Action<TDst, float[]> Set)[] _outputs;
    private readonly (int Input, Action<TDst, float> Set)[] _copies;

    internal RecurrentForecastEngine(MLContext context, ITransformer model, bool ignoreMissingColumns,
        SchemaDefinition? inputSchemaDefinition, SchemaDefinition? outputSchemaDefinition)
    {
        _context = context;
        (_before, _forecaster) = Split(model);
        _state = _forecaster.State.Clone();
        _inputDefinition = inputSchemaDefinition;
        var columns = _forecaster.ColumnNames;
        var outputs = new List<(int, Action<TDst, float[]>)>();
        var copies = new List<(int, Action<TDst, float>)>();
        foreach (var column in outputSchemaDefinition ?? SchemaDefinition.Create(typeof(TDst)))
        {
            var member = (MemberInfo?)typeof(TDst).GetField(column.MemberName) ?? typeof(TDst).GetProperty(column.MemberName);
            int output = Array.IndexOf(columns.Outputs, column.ColumnName);
            int input = Array.IndexOf(columns.Inputs, column.ColumnName);
            if (output >= 0)
            {
                outputs.Add((output, Setter<float[]>(member, column.ColumnName, $"Vector<Single, {_forecaster.Horizon}>")));
            }
            else if (input >= 0 && MemberType(member) == typeof(float))
            {
                copies.Add((input, Setter<float>(member, column.ColumnName, "Single")));
            }
            else if (!ignoreMissingColumns)
            {
                throw new ArgumentOutOfRangeException(nameof(outputSchemaDefinition),
                    $"Could not find column '{column.ColumnName}' (member '{column.MemberName}' of {typeof(TDst).Name}); the forecaster outputs {string.Join(", ", columns.Outputs.Select(o => $"'{o}'"))}.");
            }
        }

        _outputs = outputs.ToArray();
        _copies = copies.ToArray();
    }

    /// <summary>The number of values each forecast holds at most (the trained horizon).</summary>
    public int Horizon => _forecaster.Horizon;

    /// <summary>
    /// Adds <paramref name="example"/> to the state (when not null), then forecasts.
    /// </summary>
    /// <param name="example">The next observation of the series and covariates; null to forecast without adding one.</param>
    /// <param name="horizon">Values to forecast, 1 … the trained horizon; null for the trained horizon.</param>
    /// <param name="confidenceLevel">The bounds' confidence level in (0, 1); null for the model's.</param>
    /// <returns>A new forecast object.</returns>
    /// <exception cref="InvalidOperationException">A series or covariate value is NaN or infinite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The horizon or confidence level is out of range.</exception>
    public TDst Predict(TSrc? example, int? horizon = null, float? confidenceLevel = null)
    {
        var prediction = new TDst();
        Predict(example, ref prediction, horizon, confidenceLevel);
        return prediction;
    }

    /// <summary>Forecasts from the current state without adding an observation.</summary>
    /// <param name="horizon">Values to forecast, 1 … the trained horizon; null for the trained horizon.</param>
    /// <param name="confidenceLevel">The bounds' confidence level in (0, 1); null for the model's.</param>
    /// <returns>A new forecast object.</returns>
    public TDst Predict(int? horizon = null, float? confidenceLevel = null) => Predict(null, horizon, confidenceLevel);

    /// <summary>
    /// Adds <paramref name="example"/> to the state (when not null), then writes the forecast into
    /// <paramref name="prediction"/>; a null <paramref name="prediction"/> only updates the state.
    /// </summary>
    /// <param name="example">The next observation; null to forecast without adding one.</param>
    /// <param name="prediction">The object to fill, or null to update the state only.</param>
    /// <param name="horizon">Values to forecast, 1 … the trained horizon; null for the trained horizon.</param>
    /// <param name="confidenceLevel">The bounds' confidence level in (0, 1); null for the model's.</param>
    public void Predict(TSrc? example, ref TDst prediction, int? horizon = null, float? confidenceLevel = null)
    {
        int h = horizon ?? Horizon;
        if (h < 1 || h > Horizon)
        {
            throw new ArgumentOutOfRangeException(nameof(horizon), h, $"The horizon must be between 1 and the trained horizon {Horizon}.");
        }

        float level = confidenceLevel ?? _forecaster.ConfidenceLevel;
        if (!(level > 0 && level < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidenceLevel), level, "The confidence level must be in (0, 1).");
        }

        float[]? observed = example is null ? null : Observe(example);
        if (prediction is null)
        {
            return;
        }

        var (forecast, lower, upper) = _forecaster.Forecaster.Forecast(_state, h, level);
        foreach (var (which, set) in _outputs)
        {
            set(prediction, which switch { 0 => forecast, 1 => lower, _ => upper });
        }

        if (observed is not null)
        {
            foreach (var (input, set) in _copies)
            {
                set(prediction, observed[input]);
            }
        }
    }

    /// <summary>Adds <paramref name="example"/> to the state (when not null), then forecasts with the model's horizon and confidence level.</summary>
    /// <param name="example">The next observation; null to forecast without adding one.</param>
    /// <param name="prediction">The object to fill, or null to update the state only.</param>
    public void Predict(TSrc? example, ref TDst prediction) => Predict(example, ref prediction, null, null);

    /// <summary>
    /// Saves the model with this engine's updated state to <paramref name="modelPath"/> (through a temporary file;
    /// no input schema is stored). Load it with <c>mlContext.Model.Load</c> and create an engine again to continue.
    /// </summary>
    /// <param name="env">The environment, normally the <see cref="MLContext"/>.</param>
    /// <param name="modelPath">The file to write.</param>
    public void CheckPoint(IHostEnvironment env, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ContextOf(env).Model.Save(CheckPointModel(), null, modelPath);
    }

    /// <summary>Saves the model with this engine's updated state into <paramref name="stream"/> (left open); see <see cref="CheckPoint(IHostEnvironment, string)"/>.</summary>
    /// <param name="env">The environment, normally the <see cref="MLContext"/>.</param>
    /// <param name="stream">A writable stream.</param>
    public void CheckPoint(IHostEnvironment env, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(stream);
        ContextOf(env).Model.Save(CheckPointModel(), null, stream);
    }

    /// <summary>Does nothing; the engine holds no unmanaged resources.</summary>
    public void Dispose()
    {
    }

    private float[] Observe(TSrc example)
    {
        IDataView view = _context.Data.LoadFromEnumerable(new[] { example }, _inputDefinition);
        foreach (var transformer in _before)
        {
            view = transformer.Transform(view);
        }

        var values = SeriesColumns.Read(view, _forecaster.ColumnNames.Inputs, _state.Observed);
        var step = values.Select(v => v.Length == 1 ? v[0] : throw new InvalidOperationException($"The example gave {v.Length} rows; expected one.")).ToArray();
        _state.Push(step);
        return step;
    }

    private ITransformer CheckPointModel()
    {
        var forecaster = _forecaster.WithState(_state);
        return _before.Length == 0 ? forecaster : new TransformerChain<ITransformer>([.. _before, forecaster]);
    }

    private MLContext ContextOf(IHostEnvironment env) => env as MLContext ?? _context;

    private static (ITransformer[] Before, RecurrentForecastingTransformer Forecaster) Split(ITransformer model)
    {
        if (model is RecurrentForecastingTransformer single)
        {
            return ([], single);
        }

        var parts = model is IEnumerable<ITransformer> chain ? chain.ToArray() : [model];
        int at = Array.FindLastIndex(parts, p => p is RecurrentForecastingTransformer);
        if (at < 0)
        {
            throw new ArgumentException(
                $"The model ({model.GetType().Name}) holds no recurrent forecaster (ForecastByLstm/ForecastByGru). For ML.NET's own forecasters pass the environment as IHostEnvironment to use ML.NET's CreateTimeSeriesEngine.", nameof(model));
        }

        if (at != parts.Length - 1)
        {
            throw new ArgumentException(
                $"The recurrent forecaster must be the last transformer of the model; it is at position {at} of {parts.Length}.", nameof(model));
        }

        return (parts[..at], (RecurrentForecastingTransformer)parts[at]);
    }

    private static Type? MemberType(MemberInfo? member) => member switch
    {
        FieldInfo f => f.FieldType,
        PropertyInfo p => p.PropertyType,
        _ => null,
    };

    private static Action<TDst, T> Setter<T>(MemberInfo? member, string column, string columnType)
    {
        if (MemberType(member) != typeof(T))
        {
            throw new ArgumentOutOfRangeException(nameof(TDst),
                $"Member '{member?.Name}' of {typeof(TDst).Name} receives column '{column}' ({columnType}), so it must be {typeof(T).Name}; it is {MemberType(member)?.Name ?? "missing"}.");
        }

        return member switch
        {
            FieldInfo f => (target, value) => f.SetValue(target, value),
            PropertyInfo p => (target, value) => p.SetValue(target, value),
            _ => throw new ArgumentOutOfRangeException(nameof(TDst), $"{typeof(TDst).Name} has no member '{member?.Name}'."),
        };
    }
}
