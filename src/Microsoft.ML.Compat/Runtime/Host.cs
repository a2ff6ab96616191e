namespace Microsoft.ML.Runtime;

/// <summary>A context that can decorate exceptions with a description of where they happened.</summary>
public interface IExceptionContext
{
    /// <summary>A description of the context, for example the component name.</summary>
    string ContextDescription { get; }

    /// <summary>Decorates <paramref name="ex"/> with this context and returns it, ready to be thrown.</summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    /// <param name="ex">The exception.</param>
    TException Process<TException>(TException ex)
        where TException : Exception;
}

/// <summary>Starts channels and pipes through which components report messages.</summary>
public interface IChannelProvider : IExceptionContext
{
    /// <summary>Starts a message channel.</summary>
    /// <param name="name">The channel name, reported as the message source.</param>
    IChannel Start(string name);

    /// <summary>Starts a pipe of messages of type <typeparamref name="TMessage"/>.</summary>
    /// <typeparam name="TMessage">The message type.</typeparam>
    /// <param name="name">The pipe name.</param>
    IPipe<TMessage> StartPipe<TMessage>(string name);
}

/// <summary>Starts channels that report the progress of long operations.</summary>
public interface IProgressChannelProvider
{
    /// <summary>Starts a progress channel.</summary>
    /// <param name="name">The name of the operation.</param>
    IProgressChannel StartProgressChannel(string name);
}

/// <summary>The environment components run in: logging, randomness and the component catalog.</summary>
public interface IHostEnvironment : IChannelProvider, IProgressChannelProvider
{
    /// <summary>The catalog of loadable components.</summary>
    ComponentCatalog ComponentCatalog { get; }

    /// <summary>Creates a host for a component.</summary>
    /// <param name="name">The component name.</param>
    /// <param name="seed">The seed of the host's random generator; null derives it from the environment.</param>
    /// <param name="verbose">Whether the host reports trace messages; null inherits.</param>
    IHost Register(string name, int? seed = null, bool? verbose = null);
}

/// <summary>A component's view of the environment, with its own random generator.</summary>
public interface IHost : IHostEnvironment
{
    /// <summary>The random generator of this host.</summary>
    Random Rand { get; }
}

/// <summary>A pipe that delivers messages to listeners.</summary>
/// <typeparam name="TMessage">The message type.</typeparam>
public interface IPipe<TMessage> : IExceptionContext, IDisposable
{
    /// <summary>Sends a message.</summary>
    /// <param name="msg">The message.</param>
    void Send(TMessage msg);
}

/// <summary>A channel for user-visible messages of four kinds.</summary>
public interface IChannel : IPipe<ChannelMessage>
{
    /// <summary>Reports a trace message.</summary>
    /// <param name="sensitivity">What the message may reveal.</param>
    /// <param name="fmt">The message.</param>
    void Trace(MessageSensitivity sensitivity, string fmt);

    /// <summary>Reports a formatted trace message.</summary>
    /// <param name="sensitivity">What the message may reveal.</param>
    /// <param name="fmt">The composite format string.</param>
    /// <param name="args">The format arguments.</param>
    void Trace(MessageSensitivity sensitivity, string fmt, params object[] args);

    /// <summary>Reports an error message.</summary>
    /// <param name="sensitivity">What the message may reveal.</param>
    /// <param name="fmt">The message.</param>
    void Error(MessageSensitivity sensitivity, string fmt);

    /// <summary>Reports a formatted error message.</summary>
    /// <param name="sensitivity">What the message may reveal.</param>
    /// <param name="fmt">The composite format string.</param>
    /// <param name="args">The format arguments.</param>
    void Error(MessageSensitivity sensitivity, string fmt, params object[] args);

    /// <summary>Reports a warning.</summary>
    /// <param name="sensitivity">What the message may reveal.</param>
    /// <param name="fmt">The message.</param>
    void Warning(MessageSensitivity sensitivity, string fmt);

    /// <summary>Reports a formatted warning.</summary>
    /// <param name="sensitivity">What the message may reveal.</param>
    /// <param name="fmt">The composite format string.</param>
    /// <param name="args">The format arguments.</param>
    void Warning(MessageSensitivity sensitivity, string fmt, params object[] args);

    /// <summary>Reports an informational message.</summary>
    /// <param name="sensitivity">What the message may reveal.</param>
    /// <param name="fmt">The message.</param>
    void Info(MessageSensitivity sensitivity, string fmt);

    /// <summary>Reports a formatted informational message.</summary>
    /// <param name="sensitivity">What the message may reveal.</param>
    /// <param name="fmt">The composite format string.</param>
    /// <param name="args">The format arguments.</param>
    void Info(MessageSensitivity sensitivity, string fmt, params object[] args);
}

/// <summary>The kind of a channel message.</summary>
public enum ChannelMessageKind
{
    /// <summary>Detailed diagnostic output.</summary>
    Trace,

    /// <summary>Informational output.</summary>
    Info,

    /// <summary>A warning.</summary>
    Warning,

    /// <summary>An error.</summary>
    Error,
}

/// <summary>What a message may reveal, so that listeners can filter sensitive output.</summary>
[Flags]
public enum MessageSensitivity
{
    /// <summary>Reveals nothing about the data or schema.</summary>
    None = 0,

    /// <summary>May reveal user data.</summary>
    UserData = 0x1,

    /// <summary>May reveal the schema.</summary>
    Schema = 0x2,

    /// <summary>Unknown; treated as revealing everything.</summary>
    Unknown = ~None,

    /// <summary>Reveals everything.</summary>
    All = ~None,
}

/// <summary>A message sent through an <see cref="IChannel"/>.</summary>
public readonly struct ChannelMessage
{
    private readonly string _message;
    private readonly object[]? _args;

    /// <summary>Creates a message.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="sensitivity">The sensitivity.</param>
    /// <param name="message">The message text.</param>
    public ChannelMessage(ChannelMessageKind kind, MessageSensitivity sensitivity, string message)
    {
        Kind = kind;
        Sensitivity = sensitivity;
        _message = message ?? string.Empty;
        _args = null;
    }

    /// <summary>Creates a formatted message.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="sensitivity">The sensitivity.</param>
    /// <param name="fmt">The composite format string.</param>
    /// <param name="args">The format arguments.</param>
    public ChannelMessage(ChannelMessageKind kind, MessageSensitivity sensitivity, string fmt, params object[] args)
    {
        Kind = kind;
        Sensitivity = sensitivity;
        _message = fmt ?? string.Empty;
        _args = args;
    }

    /// <summary>The kind of the message.</summary>
    public ChannelMessageKind Kind { get; }

    /// <summary>What the message may reveal.</summary>
    public MessageSensitivity Sensitivity { get; }

    /// <summary>The message text, formatted with its arguments.</summary>
    public string Message => _args is { Length: > 0 } ? string.Format(System.Globalization.CultureInfo.InvariantCulture, _message, _args) : _message;
}

/// <summary>A channel that reports progress and metrics of a long operation.</summary>
public interface IProgressChannel : IProgressChannelProvider, IDisposable
{
    /// <summary>Declares the progress units and metrics, and a callback that fills them when progress is polled.</summary>
    /// <param name="header">The units and metrics.</param>
    /// <param name="fillAction">Fills the current values into an entry.</param>
    void SetHeader(ProgressHeader header, Action<IProgressEntry> fillAction);

    /// <summary>Records a checkpoint with the given values (metrics first, then progress).</summary>
    /// <param name="values">The values.</param>
    void Checkpoint(params double?[] values);
}

/// <summary>Names of the progress units and metrics reported by a progress channel.</summary>
public sealed class ProgressHeader
{
    /// <summary>The names of the metrics.</summary>
    public readonly IReadOnlyList<string> MetricNames;

    /// <summary>The names of the progress units, outermost first.</summary>
    public readonly IReadOnlyList<string> UnitNames;

    /// <summary>Creates a header.</summary>
    /// <param name="metricNames">The metric names; null means none.</param>
    /// <param name="unitNames">The unit names; null means none.</param>
    public ProgressHeader(string[]? metricNames, string[]? unitNames)
    {
        MetricNames = metricNames ?? Array.Empty<string>();
        UnitNames = unitNames ?? Array.Empty<string>();
    }

    /// <summary>Creates a header with units only.</summary>
    /// <param name="unitNames">The unit names.</param>
    public ProgressHeader(params string[] unitNames)
        : this(null, unitNames)
    {
    }
}

/// <summary>Receives progress values when a progress channel is polled.</summary>
public interface IProgressEntry
{
    /// <summary>Sets the progress of unit <paramref name="index"/>.</summary>
    /// <param name="index">The unit index.</param>
    /// <param name="value">The progress.</param>
    void SetProgress(int index, double value);

    /// <summary>Sets the progress of unit <paramref name="index"/> and its upper limit.</summary>
    /// <param name="index">The unit index.</param>
    /// <param name="value">The progress.</param>
    /// <param name="lim">The upper limit.</param>
    void SetProgress(int index, double value, double lim);

    /// <summary>Sets metric <paramref name="index"/>.</summary>
    /// <param name="index">The metric index.</param>
    /// <param name="value">The value.</param>
    void SetMetric(int index, double value);
}
