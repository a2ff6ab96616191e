using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>
/// Scores single objects with a transformer. Not thread-safe: it keeps one input row and one output row and re-reads
/// the output getters on every call. It cannot be subclassed outside ML.NET.
/// </summary>
/// <typeparam name="TSrc">The input class.</typeparam>
/// <typeparam name="TDst">The output class.</typeparam>
public abstract class PredictionEngineBase<TSrc, TDst> : IDisposable
    where TSrc : class
    where TDst : class, new()
{
    private readonly ITransformer _transformer;
    private readonly bool _ownsTransformer;
    private readonly PocoInputRow<TSrc> _input;
    private readonly Action<TDst> _fill;
    private readonly DataViewRow _output;
    private bool _disposed;

    private protected PredictionEngineBase(IHostEnvironment env, ITransformer transformer, bool ignoreMissingColumns, SchemaDefinition? inputSchemaDefinition, SchemaDefinition? outputSchemaDefinition, bool ownsTransformer)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(transformer);
        if (!transformer.IsRowToRowMapper)
        {
            throw new InvalidOperationException($"Transformer '{transformer.GetType().Name}' is not a row-to-row mapper, so it cannot be used by a prediction engine.");
        }

        _transformer = transformer;
        _ownsTransformer = ownsTransformer;
        var layout = PocoReadLayout<TSrc>.Create(inputSchemaDefinition);
        _input = new PocoInputRow<TSrc>(layout);
        var mapper = transformer.GetRowToRowMapper(layout.Schema);
        OutputSchema = mapper.OutputSchema;
        var writer = new PocoWriteLayout<TDst>(OutputSchema, ignoreMissingColumns, outputSchemaDefinition);
        _output = mapper.GetRow(_input, writer.Columns);
        _fill = writer.Bind(_output);
    }

    /// <summary>The schema of the transformer's output.</summary>
    public DataViewSchema OutputSchema { get; }

    /// <summary>Scores <paramref name="example"/> into a new <typeparamref name="TDst"/>.</summary>
    /// <param name="example">The input object.</param>
    public TDst Predict(TSrc example)
    {
        TDst result = new();
        Predict(example, ref result);
        return result;
    }

    /// <summary>Scores <paramref name="example"/> into <paramref name="prediction"/>, which is reused (created when null).</summary>
    /// <param name="example">The input object.</param>
    /// <param name="prediction">The object that receives the output.</param>
    public abstract void Predict(TSrc example, ref TDst prediction);

    private protected void PredictCore(TSrc example, ref TDst prediction)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(example);
        _input.SetCurrent(example);
        prediction ??= new TDst();
        _fill(prediction);
    }

    /// <summary>Releases the engine; disposes the transformer too when the engine owns it.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _output.Dispose();
        if (_ownsTransformer)
        {
            (_transformer as IDisposable)?.Dispose();
        }
    }
}

/// <summary>
/// Scores single objects with a transformer; create it with <see cref="ModelOperationsCatalog.CreatePredictionEngine{TSrc, TDst}(ITransformer, bool, SchemaDefinition, SchemaDefinition)"/>.
/// </summary>
/// <typeparam name="TSrc">The input class.</typeparam>
/// <typeparam name="TDst">The output class.</typeparam>
public sealed class PredictionEngine<TSrc, TDst> : PredictionEngineBase<TSrc, TDst>
    where TSrc : class
    where TDst : class, new()
{
    internal PredictionEngine(IHostEnvironment env, ITransformer transformer, bool ignoreMissingColumns, SchemaDefinition? inputSchemaDefinition, SchemaDefinition? outputSchemaDefinition, bool ownsTransformer)
        : base(env, transformer, ignoreMissingColumns, inputSchemaDefinition, outputSchemaDefinition, ownsTransformer)
    {
    }

    /// <summary>Scores <paramref name="example"/> into <paramref name="prediction"/>, which is reused (created when null).</summary>
    /// <param name="example">The input object.</param>
    /// <param name="prediction">The object that receives the output.</param>
    public override void Predict(TSrc example, ref TDst prediction) => PredictCore(example, ref prediction);
}
