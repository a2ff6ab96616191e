using System.Collections;

namespace Microsoft.ML.Recurrent.Tensors;

/// <summary>
/// The dimensions of a dense row-major tensor, e.g. <c>(batch, time, features)</c>. Immutable; a rank-0 shape
/// <c>()</c> is a scalar with one element.
/// </summary>
public readonly struct Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[]? _dims;

    /// <summary>Creates a shape from its dimensions; every dimension must be non-negative.</summary>
    /// <exception cref="ArgumentException">A dimension is negative.</exception>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
                throw new ArgumentException($"Shape dimension {i} is {dims[i]}; dimensions must be >= 0 (shape {Format(dims)}).", nameof(dims));
        }
        _dims = (int[])dims.Clone();
    }

    /// <summary>Creates a shape from a span of dimensions.</summary>
    public Shape(ReadOnlySpan<int> dims) : this(dims.ToArray())
    {
    }

    /// <summary>The scalar shape <c>()</c>.</summary>
    public static Shape Scalar => new([]);

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>Number of dimensions (same as <see cref="Rank"/>).</summary>
    public int Count => Rank;

    /// <summary>Dimension <paramref name="axis"/>; negative axes count from the end, as in NumPy.</summary>
    public int this[int axis] => Dims[NormalizeAxis(axis, Rank, "Shape")];

    /// <summary>Total number of elements (product of the dimensions; 1 for a scalar).</summary>
    public long Size
    {
        get
        {
            long n = 1;
            foreach (int d in Dims) n *= d;
            return n;
        }
    }

    /// <summary>The dimensions as a span.</summary>
    public ReadOnlySpan<int> Dims => _dims ?? [];

    /// <summary>A copy of the dimensions.</summary>
    public int[] ToArray() => Dims.ToArray();

    /// <summary>Row-major strides in elements.</summary>
    public long[] Strides()
    {
        var dims = Dims;
        var strides = new long[dims.Length];
        long s = 1;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= dims[i];
        }
        return strides;
    }

    /// <summary>Maps a possibly negative axis into <c>[0, rank)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside <c>[-rank, rank)</c>; the message names <paramref name="operation"/>.</exception>
    public static int NormalizeAxis(int axis, int rank, string operation)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{operation}: axis {axis} is out of range for a tensor of rank {rank}; expected -{rank} <= axis < {rank}.");
        return a;
    }

    /// <summary>The NumPy broadcast of two shapes.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names <paramref name="operation"/>.</exception>
    public static Shape Broadcast(Shape a, Shape b, string operation)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Rank) >= 0 ? a.Dims[i - (rank - a.Rank)] : 1;
            int db = i - (rank - b.Rank) >= 0 ? b.Dims[i - (rank - b.Rank)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{operation}: shapes {a} and {b} cannot be broadcast together (dimension {i} from the left of the broadcast: {da} vs {db}); expected equal sizes or 1.");
            dims[i] = da == 1 ? db : da;
        }
        return new Shape(dims);
    }

    /// <summary>Returns a copy with dimension <paramref name="axis"/> replaced.</summary>
    public Shape With(int axis, int size)
    {
        var dims = ToArray();
        dims[NormalizeAxis(axis, Rank, "Shape.With")] = size;
        return new Shape(dims);
    }

    /// <inheritdoc/>
    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Equality of dimensions.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    /// <summary>Inequality of dimensions.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>Implicit conversion from a dimension array.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <summary>Python-style text: <c>(2, 3)</c>, <c>(5,)</c>, <c>()</c>.</summary>
    public override string ToString() => Format(Dims);

    private static string Format(ReadOnlySpan<int> dims) =>
        dims.Length == 1 ? $"({dims[0]},)" : "(" + string.Join(", ", dims.ToArray()) + ")";

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)(_dims ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
