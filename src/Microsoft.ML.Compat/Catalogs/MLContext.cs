using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>
/// The entry point of ML.NET: holds the catalogs of operations (data, transforms, trainers, evaluation, model
/// persistence), the random seed that makes operations reproducible, and the <see cref="Log"/> event.
/// </summary>
public sealed class MLContext : IHostEnvironment
{
    private readonly object _optionsLock = new();
    private readonly Dictionary<string, object?> _options = new(StringComparer.Ordinal);
    private readonly Random _rand;
    private readonly object _randLock = new();

    /// <summary>Creates a context.</summary>
    /// <param name="seed">The seed of all randomness (splits, shuffles, trainers). Null (the default) makes results nondeterministic; pass a value for reproducible results.</param>
    public MLContext(int? seed = null)
    {
        Seed = seed;
        _rand = seed.HasValue ? new Random(seed.Value) : new Random();
        ComponentCatalog = new ComponentCatalog();
        BinaryClassification = new BinaryClassificationCatalog(this);
        MulticlassClassification = new MulticlassClassificationCatalog(this);
        Regression = new RegressionCatalog(this);
        Clustering = new ClusteringCatalog(this);
        Ranking = new RankingCatalog(this);
        AnomalyDetection = new AnomalyDetectionCatalog(this);
        Forecasting = new ForecastingCatalog(this);
        Transforms = new TransformsCatalog(this);
        Model = new ModelOperationsCatalog(this);
        Data = new DataOperationsCatalog(this);
    }

    /// <summary>Raised for every message the components of this context report.</summary>
    public event EventHandler<LoggingEventArgs>? Log;

    /// <summary>Trainers and evaluation for binary classification.</summary>
    public BinaryClassificationCatalog BinaryClassification { get; }

    /// <summary>Trainers and evaluation for multiclass classification.</summary>
    public MulticlassClassificationCatalog MulticlassClassification { get; }

    /// <summary>Trainers and evaluation for regression.</summary>
    public RegressionCatalog Regression { get; }

    /// <summary>Trainers for clustering.</summary>
    public ClusteringCatalog Clustering { get; }

    /// <summary>Trainers for ranking.</summary>
    public RankingCatalog Ranking { get; }

    /// <summary>Trainers for anomaly detection.</summary>
    public AnomalyDetectionCatalog AnomalyDetection { get; }

    /// <summary>Forecasters for time series.</summary>
    public ForecastingCatalog Forecasting { get; }

    /// <summary>Data transformations.</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>Saving, loading and applying models.</summary>
    public ModelOperationsCatalog Model { get; }

    /// <summary>Loading, saving, splitting and filtering data.</summary>
    public DataOperationsCatalog Data { get; }

    /// <summary>The catalog of loadable components; register assemblies that declare custom mapping factories here.</summary>
    public ComponentCatalog ComponentCatalog { get; }

    /// <summary>The folder for temporary files; defaults to the system temporary folder.</summary>
    public string TempFilePath { get; set; } = Path.GetTempPath();

    /// <summary>Whether GPU-capable components fall back to the CPU when no GPU is usable.</summary>
    public bool FallbackToCpu { get; set; }

    /// <summary>The GPU device that GPU-capable components use; null means the CPU.</summary>
    public int? GpuDeviceId { get; set; }

    internal int? Seed { get; }

    /// <summary>Sets option <paramref name="name"/> to <paramref name="value"/>, replacing any previous value.</summary>
    /// <typeparam name="T">The option type.</typeparam>
    /// <param name="name">The option name.</param>
    /// <param name="value">The value.</param>
    public void SetOption<T>(string name, T value)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_optionsLock)
        {
            _options[name] = value;
        }
    }

    /// <summary>Adds option <paramref name="name"/> unless it exists; returns whether it was added.</summary>
    /// <typeparam name="T">The option type.</typeparam>
    /// <param name="name">The option name.</param>
    /// <param name="value">The value.</param>
    public bool TryAddOption<T>(string name, T value)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_optionsLock)
        {
            return _options.TryAdd(name, value);
        }
    }

    /// <summary>Reads option <paramref name="name"/>; returns false when it is absent or not a <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The option type.</typeparam>
    /// <param name="name">The option name.</param>
    /// <param name="value">Receives the value.</param>
    public bool TryGetOption<T>(string name, out T value)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_optionsLock)
        {
            if (_options.TryGetValue(name, out object? v) && v is T t)
            {
                value = t;
                return true;
            }
        }

        value = default!;
        return false;
    }

    /// <summary>Returns option <paramref name="name"/>, or <c>default</c> when it is absent.</summary>
    /// <typeparam name="T">The option type.</typeparam>
    /// <param name="name">The option name.</param>
    public T GetOptionOrDefault<T>(string name) => TryGetOption(name, out T value) ? value : default!;

    /// <summary>Removes option <paramref name="name"/>; returns whether it existed.</summary>
    /// <param name="name">The option name.</param>
    public bool RemoveOption(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_optionsLock)
        {
            return _options.Remove(name);
        }
    }

    /// <summary>Draws a seed for a component from the context's generator (deterministic when the context has a seed).</summary>
    internal int NextSeed()
    {
        lock (_randLock)
        {
            return _rand.Next();
        }
    }

    internal void Report(string source, ChannelMessageKind kind, string message) =>
        Log?.Invoke(this, new LoggingEventArgs(message, kind, source));

    string IExceptionContext.ContextDescription => nameof(MLContext);

    TException IExceptionContext.Process<TException>(TException ex) => ex;

    IChannel IChannelProvider.Start(string name) => new LogChannel(this, name);

    IPipe<TMessage> IChannelProvider.StartPipe<TMessage>(string name) => new LogPipe<TMessage>(this, name);

    IProgressChannel IProgressChannelProvider.StartProgressChannel(string name) => new ProgressChannel(this, name);

    IHost IHostEnvironment.Register(string name, int? seed, bool? verbose) => new Host(this, name, seed ?? NextSeed());

    private sealed class Host : IHost
    {
        private readonly MLContext _context;

        public Host(MLContext context, string name, int seed)
        {
            _context = context;
            ContextDescription = name;
            Rand = new Random(seed);
        }

        public Random Rand { get; }

        public string ContextDescription { get; }

        public ComponentCatalog ComponentCatalog => _context.ComponentCatalog;

        public TException Process<TException>(TException ex)
            where TException : Exception => ex;

        public IHost Register(string name, int? seed = null, bool? verbose = null) => new Host(_context, name, seed ?? Rand.Next());

        public IChannel Start(string name) => new LogChannel(_context, name);

        public IPipe<TMessage> StartPipe<TMessage>(string name) => new LogPipe<TMessage>(_context, name);

        public IProgressChannel StartProgressChannel(string name) => new ProgressChannel(_context, name);
    }

    private class LogPipe<TMessage> : IPipe<TMessage>
    {
        public LogPipe(MLContext context, string name)
        {
            Context = context;
            ContextDescription = name;
        }

        protected MLContext Context { get; }

        public string ContextDescription { get; }

        public TException Process<TException>(TException ex)
            where TException : Exception => ex;

        public void Send(TMessage msg)
        {
            if (msg is ChannelMessage cm)
            {
                Context.Report(ContextDescription, cm.Kind, cm.Message);
            }
            else
            {
                Context.Report(ContextDescription, ChannelMessageKind.Info, msg?.ToString() ?? string.Empty);
            }
        }

        public void Dispose()
        {
        }
    }

    private sealed class LogChannel : LogPipe<ChannelMessage>, IChannel
    {
        public LogChannel(MLContext context, string name)
            : base(context, name)
        {
        }

        public void Trace(MessageSensitivity sensitivity, string fmt) => Send(new ChannelMessage(ChannelMessageKind.Trace, sensitivity, fmt));

        public void Trace(MessageSensitivity sensitivity, string fmt, params object[] args) => Send(new ChannelMessage(ChannelMessageKind.Trace, sensitivity, fmt, args));

        public void Error(MessageSensitivity sensitivity, string fmt) => Send(new ChannelMessage(ChannelMessageKind.Error, sensitivity, fmt));

        public void Error(MessageSensitivity sensitivity, string fmt, params object[] args) => Send(new ChannelMessage(ChannelMessageKind.Error, sensitivity, fmt, args));

        public void Warning(MessageSensitivity sensitivity, string fmt) => Send(new ChannelMessage(ChannelMessageKind.Warning, sensitivity, fmt));

        public void Warning(MessageSensitivity sensitivity, string fmt, params object[] args) => Send(new ChannelMessage(ChannelMessageKind.Warning, sensitivity, fmt, args));

        public void Info(MessageSensitivity sensitivity, string fmt) => Send(new ChannelMessage(ChannelMessageKind.Info, sensitivity, fmt));

        public void Info(MessageSensitivity sensitivity, string fmt, params object[] args) => Send(new ChannelMessage(ChannelMessageKind.Info, sensitivity, fmt, args));
    }

    private sealed class ProgressChannel : IProgressChannel
    {
        private readonly MLContext _context;
        private readonly string _name;
        private ProgressHeader? _header;

        public ProgressChannel(MLContext context, string name)
        {
            _context = context;
            _name = name;
        }

        public IProgressChannel StartProgressChannel(string name) => new ProgressChannel(_context, _name + "/" + name);

        public void SetHeader(ProgressHeader header, Action<IProgressEntry> fillAction) => _header = header;

        public void Checkpoint(params double?[] values)
        {
            var names = _header == null ? Enumerable.Empty<string>() : _header.MetricNames.Concat(_header.UnitNames);
            string text = string.Join(", ", values.Zip(names.Concat(Enumerable.Repeat("value", values.Length)), (v, n) => $"{n}={v}"));
            _context.Report(_name, ChannelMessageKind.Trace, "Checkpoint: " + text);
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>A message reported through <see cref="MLContext.Log"/>.</summary>
public sealed class LoggingEventArgs : EventArgs
{
    /// <summary>Creates an informational message with no source.</summary>
    /// <param name="message">The message text.</param>
    public LoggingEventArgs(string message)
    {
        RawMessage = message;
        Kind = ChannelMessageKind.Info;
        Source = string.Empty;
    }

    /// <summary>Creates a message.</summary>
    /// <param name="message">The message text.</param>
    /// <param name="kind">The kind of message.</param>
    /// <param name="source">The component that reported it.</param>
    public LoggingEventArgs(string message, ChannelMessageKind kind, string source)
    {
        RawMessage = message;
        Kind = kind;
        Source = source;
    }

    /// <summary>The component that reported the message.</summary>
    public string Source { get; }

    /// <summary>The kind of message.</summary>
    public ChannelMessageKind Kind { get; }

    /// <summary>The message with its source and kind: "[Source=..., Kind=...] text".</summary>
    public string Message => $"[Source={Source}, Kind={Kind}] {RawMessage}";

    /// <summary>The message text alone.</summary>
    public string RawMessage { get; }
}

/// <summary>Gives ML.NET's own extension methods access to the environment behind a catalog (internal, as in ML.NET).</summary>
internal interface IInternalCatalog
{
    IHostEnvironment Environment { get; }
}
