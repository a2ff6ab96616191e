namespace Microsoft.ML.Recurrent;

/// <summary>
/// The process-wide source of seeds for everything that is not seeded explicitly (unseeded initializers, dropout
/// of unseeded layers), like Python's global <c>random</c> module that Keras draws its default seeds from.
/// </summary>
/// <remarks>
/// Calling <see cref="Set"/> at the start of a program makes every unseeded draw after it reproducible, as
/// <c>keras.utils.set_random_seed(seed)</c> does. Without it, the sequence starts from an unpredictable state.
/// The source is thread-safe; seeds are handed out in a single global order, so a program that creates objects
/// from several threads is reproducible only if it creates them in a deterministic order.
/// </remarks>
/// <example>
/// <code>
/// RandomSeeds.Set(1337);
/// var kernel = new GlorotUniform().Create(new Shape(8, 64));   // same values on every run of the program
/// </code>
/// </example>
public static class RandomSeeds
{
    private static readonly object s_gate = new();
    private static ulong s_state = unchecked((ulong)Random.Shared.NextInt64());

    // A private sequence for one logical flow (it follows async calls and tasks started inside it), so that a seeded
    // ML.NET fit is reproducible while other threads draw from the global sequence.
    private static readonly AsyncLocal<ScopedState?> s_scoped = new();

    private sealed class ScopedState(ulong state)
    {
        public ulong State = state;
    }

    /// <summary>
    /// Draws seeds on this logical flow (including tasks it starts) from a private sequence starting at
    /// <paramref name="seed"/> until the returned scope is disposed; other threads keep the global sequence.
    /// </summary>
    internal static IDisposable Scope(long seed)
    {
        var previous = s_scoped.Value;
        s_scoped.Value = new ScopedState(unchecked((ulong)seed));
        return new ScopeEnd(() => s_scoped.Value = previous);
    }

    private sealed class ScopeEnd(Action end) : IDisposable
    {
        public void Dispose() => end();
    }

    /// <summary>Restarts the global seed sequence from <paramref name="seed"/>.</summary>
    /// <param name="seed">Any value; equal values give equal sequences.</param>
    public static void Set(long seed)
    {
        if (s_scoped.Value is { } scoped)
        {
            lock (scoped) scoped.State = unchecked((ulong)seed);
            return;
        }
        lock (s_gate) s_state = unchecked((ulong)seed);
    }

    /// <summary>
    /// The next seed of the global sequence (or of the flow's private one, see <see cref="Scope"/>): a non-negative value below 2<sup>31</sup>, so it fits every place a
    /// seed is stored (Keras writes seeds as Python ints; <c>make_default_seed</c> draws them below 10⁹).
    /// </summary>
    public static long Next()
    {
        ulong z;
        if (s_scoped.Value is { } scoped)
        {
            lock (scoped)
            {
                scoped.State = unchecked(scoped.State + 0x9E3779B97F4A7C15UL);
                z = scoped.State;
            }
        }
        else
        {
            lock (s_gate)
            {
                s_state = unchecked(s_state + 0x9E3779B97F4A7C15UL);
                z = s_state;
            }
        }
        // SplitMix64 finalizer: consecutive states map to well-mixed, independent-looking seeds.
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (long)(z >> 33);
    }
}
