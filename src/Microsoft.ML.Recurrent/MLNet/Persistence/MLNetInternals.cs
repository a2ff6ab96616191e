namespace Microsoft.ML.Recurrent.MLNet.Persistence;

/// <summary>
/// Picks the binding of <see cref="IMLNetInternals"/>: Compat's direct one by default, reflection when built against
/// official ML.NET. Tests can run a block through the reflection binding against Compat (<see cref="Use"/>), which is
/// the evidence that the official binding works.
/// </summary>
internal static class MLNetInternals
{
    private static readonly AsyncLocal<IMLNetInternals?> s_override = new();

#if MLNET_OFFICIAL
    private static readonly IMLNetInternals s_default = new ReflectionInternals();
#else
    private static readonly IMLNetInternals s_default = new CompatInternals();
#endif

    /// <summary>The binding in use on this async flow.</summary>
    public static IMLNetInternals Current => s_override.Value ?? s_default;

    /// <summary>Uses <paramref name="binding"/> on this async flow until the returned scope is disposed.</summary>
    public static IDisposable Use(IMLNetInternals binding)
    {
        var previous = s_override.Value;
        s_override.Value = binding;
        return new Scope(() => s_override.Value = previous);
    }

    private sealed class Scope(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
