using System.Collections;

namespace Microsoft.ML.Data;

/// <summary>
/// A vector value of logical length <see cref="Length"/>, stored either densely or sparsely (explicit values plus their
/// indices, every other item being <c>default</c>). Buffers are reused by getters: the arrays of a destination buffer
/// are overwritten when large enough, so keep a copy if you need the old value.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public readonly struct VBuffer<T> : IEnumerable
{
    private readonly T[]? _values;
    private readonly int[]? _indices;
    private readonly int _count;

    /// <summary>The logical length of the vector.</summary>
    public readonly int Length;

    /// <summary>Creates a dense or sparse buffer.</summary>
    /// <param name="length">The logical length.</param>
    /// <param name="values">The explicit values; for a dense buffer at least <paramref name="length"/> of them.</param>
    /// <param name="indices">Null for a dense buffer; otherwise the indices of the explicit values.</param>
    public VBuffer(int length, T[] values, int[]? indices = null)
        : this(length, length, values, indices)
    {
    }

    /// <summary>Creates a buffer with <paramref name="count"/> explicit values.</summary>
    /// <param name="length">The logical length.</param>
    /// <param name="count">The number of explicit values; equal to <paramref name="length"/> for a dense buffer.</param>
    /// <param name="values">The explicit values, at least <paramref name="count"/> of them.</param>
    /// <param name="indices">The strictly increasing indices of the explicit values when the buffer is sparse.</param>
    public VBuffer(int length, int count, T[] values, int[]? indices)
    {
        if (length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The length must be non-negative.");
        }

        if (count < 0 || count > length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The count must be between 0 and the length {length}.");
        }

        if (count > 0 && (values == null || values.Length < count))
        {
            throw new ArgumentException($"The values array holds {values?.Length ?? 0} items but {count} are needed.", nameof(values));
        }

        if (count < length && count > 0 && (indices == null || indices.Length < count))
        {
            throw new ArgumentException($"A sparse buffer needs at least {count} indices.", nameof(indices));
        }

        Length = length;
        _count = count;
        _values = values;
        _indices = indices;
    }

    /// <summary>Whether all <see cref="Length"/> values are stored explicitly.</summary>
    public bool IsDense => _count == Length;

    internal T[]? ValuesArray => _values;

    internal int[]? IndicesArray => _indices;

    /// <summary>Returns the explicitly stored values (all values when dense).</summary>
    public ReadOnlySpan<T> GetValues() => _values == null ? ReadOnlySpan<T>.Empty : _values.AsSpan(0, _count);

    /// <summary>Returns the indices of the explicitly stored values; empty when the buffer is dense.</summary>
    public ReadOnlySpan<int> GetIndices() => IsDense || _indices == null ? ReadOnlySpan<int>.Empty : _indices.AsSpan(0, _count);

    /// <summary>Enumerates all <see cref="Length"/> values, with <c>default</c> for the implicit ones.</summary>
    public IEnumerable<T> DenseValues()
    {
        if (IsDense)
        {
            for (int i = 0; i < Length; i++)
            {
                yield return _values![i];
            }

            yield break;
        }

        int next = 0;
        for (int i = 0; i < Length; i++)
        {
            if (next < _count && _indices![next] == i)
            {
                yield return _values![next++];
            }
            else
            {
                yield return default!;
            }
        }
    }

    /// <summary>Enumerates index/value pairs.</summary>
    /// <param name="all">When false (the default) only explicit values are listed; when true every index is.</param>
    public IEnumerable<KeyValuePair<int, T>> Items(bool all = false)
    {
        if (IsDense || all)
        {
            int i = 0;
            foreach (var v in DenseValues())
            {
                yield return new KeyValuePair<int, T>(i++, v);
            }

            yield break;
        }

        for (int i = 0; i < _count; i++)
        {
            yield return new KeyValuePair<int, T>(_indices![i], _values![i]);
        }
    }

    /// <summary>Returns the value at <paramref name="index"/>, or <c>default</c> when it is not stored.</summary>
    /// <param name="index">The logical index, in [0, <see cref="Length"/>).</param>
    public T GetItemOrDefault(int index)
    {
        if ((uint)index >= (uint)Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The index must be in [0, {Length}).");
        }

        if (IsDense)
        {
            return _values![index];
        }

        int pos = _count == 0 ? -1 : Array.BinarySearch(_indices!, 0, _count, index);
        return pos >= 0 ? _values![pos] : default!;
    }

    /// <summary>Writes the value at <paramref name="index"/> (or <c>default</c>) into <paramref name="destination"/>.</summary>
    /// <param name="index">The logical index.</param>
    /// <param name="destination">Receives the value.</param>
    public void GetItemOrDefault(int index, ref T destination) => destination = GetItemOrDefault(index);

    /// <summary>Copies this buffer into <paramref name="destination"/>, reusing its arrays when large enough.</summary>
    /// <param name="destination">The buffer that receives the copy.</param>
    public void CopyTo(ref VBuffer<T> destination)
    {
        var editor = VBufferEditor.Create(ref destination, Length, _count);
        GetValues().CopyTo(editor.Values);
        if (!IsDense)
        {
            GetIndices().CopyTo(editor.Indices);
        }

        destination = editor.Commit();
    }

    /// <summary>Copies the items [<paramref name="sourceIndex"/>, <paramref name="sourceIndex"/> + <paramref name="length"/>) densely into <paramref name="destination"/>.</summary>
    /// <param name="destination">The buffer that receives the copy.</param>
    /// <param name="sourceIndex">The first index to copy.</param>
    /// <param name="length">How many items to copy.</param>
    public void CopyTo(ref VBuffer<T> destination, int sourceIndex, int length)
    {
        if (sourceIndex < 0 || length < 0 || sourceIndex + length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(sourceIndex), sourceIndex, $"The range [{sourceIndex}, {sourceIndex + length}) is outside [0, {Length}).");
        }

        var editor = VBufferEditor.Create(ref destination, length);
        for (int i = 0; i < length; i++)
        {
            editor.Values[i] = GetItemOrDefault(sourceIndex + i);
        }

        destination = editor.Commit();
    }

    /// <summary>Copies all <see cref="Length"/> values into <paramref name="destination"/>, writing <c>default</c> for implicit items.</summary>
    /// <param name="destination">A span of at least <see cref="Length"/> items.</param>
    public void CopyTo(Span<T> destination) => CopyTo(destination, 0);

    /// <summary>Copies all values into <paramref name="destination"/> starting at <paramref name="destinationIndex"/>.</summary>
    /// <param name="destination">The span to fill.</param>
    /// <param name="destinationIndex">Where the first item goes.</param>
    /// <param name="defaultValue">The value written for implicit items.</param>
    public void CopyTo(Span<T> destination, int destinationIndex, T defaultValue = default!)
    {
        if (destinationIndex < 0 || destination.Length - destinationIndex < Length)
        {
            throw new ArgumentException($"The destination needs room for {Length} items from index {destinationIndex}.", nameof(destination));
        }

        if (IsDense)
        {
            GetValues().CopyTo(destination.Slice(destinationIndex));
            return;
        }

        destination.Slice(destinationIndex, Length).Fill(defaultValue);
        for (int i = 0; i < _count; i++)
        {
            destination[destinationIndex + _indices![i]] = _values![i];
        }
    }

    /// <summary>Copies this buffer into <paramref name="destination"/> as a dense buffer.</summary>
    /// <param name="destination">The buffer that receives the copy.</param>
    public void CopyToDense(ref VBuffer<T> destination)
    {
        var editor = VBufferEditor.Create(ref destination, Length);
        CopyTo(editor.Values);
        destination = editor.Commit();
    }

    /// <summary>Copies <paramref name="length"/> items of <paramref name="source"/> from <paramref name="sourceIndex"/> into a dense <paramref name="destination"/>.</summary>
    /// <param name="source">The source array.</param>
    /// <param name="sourceIndex">The first item to copy.</param>
    /// <param name="destination">The buffer that receives the items.</param>
    /// <param name="length">How many items to copy.</param>
    public static void Copy(T[] source, int sourceIndex, ref VBuffer<T> destination, int length)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (sourceIndex < 0 || length < 0 || sourceIndex + length > source.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(sourceIndex), sourceIndex, $"The range [{sourceIndex}, {sourceIndex + length}) is outside the source array of {source.Length} items.");
        }

        var editor = VBufferEditor.Create(ref destination, length);
        source.AsSpan(sourceIndex, length).CopyTo(editor.Values);
        destination = editor.Commit();
    }

    /// <summary>Enumerates all values densely, like <see cref="DenseValues"/>.</summary>
    public IEnumerator GetEnumerator() => DenseValues().GetEnumerator();
}

/// <summary>Creates <see cref="VBufferEditor{T}"/> instances that fill a <see cref="VBuffer{T}"/> in place.</summary>
public static class VBufferEditor
{
    /// <summary>
    /// Prepares <paramref name="destination"/> to receive a vector of <paramref name="newLogicalLength"/> items, reusing its
    /// arrays when they are large enough. Fill <see cref="VBufferEditor{T}.Values"/> (and <see cref="VBufferEditor{T}.Indices"/>
    /// when sparse), then call <see cref="VBufferEditor{T}.Commit"/>.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="destination">The buffer to reuse.</param>
    /// <param name="newLogicalLength">The logical length of the new vector.</param>
    /// <param name="valuesCount">How many explicit values; null (the default) means dense.</param>
    /// <param name="maxValuesCapacity">An upper bound for the capacity of newly allocated arrays; null means no bound.</param>
    /// <param name="keepOldOnResize">Whether the old values are copied when a larger array has to be allocated.</param>
    /// <param name="requireIndicesOnDense">Whether an indices array is provided even for a dense vector.</param>
    public static VBufferEditor<T> Create<T>(
        ref VBuffer<T> destination,
        int newLogicalLength,
        int? valuesCount = null,
        int? maxValuesCapacity = null,
        bool keepOldOnResize = false,
        bool requireIndicesOnDense = false)
    {
        if (newLogicalLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(newLogicalLength), newLogicalLength, "The length must be non-negative.");
        }

        int count = valuesCount ?? newLogicalLength;
        if (count < 0 || count > newLogicalLength)
        {
            throw new ArgumentOutOfRangeException(nameof(valuesCount), count, $"The values count must be between 0 and {newLogicalLength}.");
        }

        T[]? values = destination.ValuesArray;
        bool createdValues = false;
        if (values == null || values.Length < count)
        {
            int capacity = maxValuesCapacity is int max ? Math.Max(count, Math.Min(max, count)) : count;
            var fresh = new T[capacity];
            if (keepOldOnResize && values != null)
            {
                values.AsSpan(0, Math.Min(values.Length, capacity)).CopyTo(fresh);
            }

            values = fresh;
            createdValues = true;
        }

        int[]? indices = destination.IndicesArray;
        bool createdIndices = false;
        bool needIndices = count < newLogicalLength || requireIndicesOnDense;
        if (needIndices && (indices == null || indices.Length < count))
        {
            var fresh = new int[count];
            if (keepOldOnResize && indices != null)
            {
                indices.AsSpan(0, Math.Min(indices.Length, count)).CopyTo(fresh);
            }

            indices = fresh;
            createdIndices = true;
        }

        return new VBufferEditor<T>(newLogicalLength, count, values, indices, createdValues, createdIndices);
    }

    /// <summary>Creates an editor over the current contents of <paramref name="destination"/>, to modify its values in place.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="destination">The buffer to edit.</param>
    public static VBufferEditor<T> CreateFromBuffer<T>(ref VBuffer<T> destination)
    {
        int count = destination.GetValues().Length;
        return new VBufferEditor<T>(destination.Length, count, destination.ValuesArray ?? Array.Empty<T>(), destination.IndicesArray, false, false);
    }
}

/// <summary>
/// Gives write access to the arrays behind a <see cref="VBuffer{T}"/>. Obtain one from <see cref="VBufferEditor.Create{T}"/>,
/// fill <see cref="Values"/> (and <see cref="Indices"/> for sparse vectors) and call <see cref="Commit"/>.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public readonly ref struct VBufferEditor<T>
{
    private readonly int _logicalLength;
    private readonly T[] _values;
    private readonly int[]? _indices;

    /// <summary>The explicit values to fill.</summary>
    public readonly Span<T> Values;

    /// <summary>The indices of the explicit values; empty for a dense vector unless indices were required.</summary>
    public readonly Span<int> Indices;

    internal VBufferEditor(int logicalLength, int count, T[] values, int[]? indices, bool createdNewValues, bool createdNewIndices)
    {
        _logicalLength = logicalLength;
        _values = values;
        _indices = indices;
        Values = values.AsSpan(0, count);
        Indices = indices == null ? Span<int>.Empty : indices.AsSpan(0, Math.Min(count, indices.Length));
        CreatedNewValues = createdNewValues;
        CreatedNewIndices = createdNewIndices;
    }

    /// <summary>Whether a new values array had to be allocated.</summary>
    public bool CreatedNewValues { get; }

    /// <summary>Whether a new indices array had to be allocated.</summary>
    public bool CreatedNewIndices { get; }

    /// <summary>Returns the finished buffer.</summary>
    public VBuffer<T> Commit() => new(_logicalLength, Values.Length, _values, _indices);

    /// <summary>Returns the finished buffer keeping only the first <paramref name="physicalValuesCount"/> explicit values.</summary>
    /// <param name="physicalValuesCount">How many of the explicit values are used; the rest are dropped.</param>
    public VBuffer<T> CommitTruncated(int physicalValuesCount)
    {
        if (physicalValuesCount < 0 || physicalValuesCount > Values.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(physicalValuesCount), physicalValuesCount, $"Must be between 0 and {Values.Length}.");
        }

        return new VBuffer<T>(_logicalLength, physicalValuesCount, _values, _indices);
    }
}
