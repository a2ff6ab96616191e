namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>
/// Disposes, at the end of a <c>using</c> block, every tensor created inside it on this thread, except those
/// passed to <see cref="Keep"/>. This releases device memory deterministically in loops that create many
/// temporaries (a training step, a GPU forward pass).
/// </summary>
/// <example>
/// <code>
/// Tensor loss;
/// using (var scope = TensorScope.Begin())
/// {
///     loss = scope.Keep(Ops.Mean(Ops.Square(prediction - target)));
/// } // every other temporary is released here
/// </code>
/// </example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? t_current;

    private readonly TensorScope? _outer;
    private readonly List<Tensor> _owned = [];
    private bool _disposed;

    private TensorScope(TensorScope? outer) => _outer = outer;

    /// <summary>Starts a scope on the current thread; nested scopes are allowed.</summary>
    public static TensorScope Begin() => t_current = new TensorScope(t_current);

    /// <summary>Moves <paramref name="tensor"/> out of this scope into the enclosing one (or none) and returns it.</summary>
    public Tensor Keep(Tensor tensor)
    {
        // Only a tensor this scope owns moves outward; one created outside (a parameter) must not be adopted by
        // the enclosing scope, which would dispose it.
        if (_owned.Remove(tensor)) _outer?._owned.Add(tensor);
        return tensor;
    }

    internal static void Register(Tensor tensor) => t_current?._owned.Add(tensor);

    /// <summary>Takes <paramref name="tensor"/> out of the scopes of this thread, so that none of them disposes it.</summary>
    internal static void Forget(Tensor tensor)
    {
        for (var scope = t_current; scope is not null; scope = scope._outer)
            if (scope._owned.Remove(tensor)) return;
    }

    /// <summary>Disposes the tensors created in the scope and not kept.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (t_current == this) t_current = _outer;
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }
}
