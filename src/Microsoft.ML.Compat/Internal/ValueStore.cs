using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Internal;

/// <summary>Stores copies of one column's values (vectors deep-copied so later getter calls cannot alias them).</summary>
internal abstract class ValueStore
{
    private static readonly MethodInfo s_create = typeof(ValueStore).GetMethod(nameof(CreateTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static ValueStore Create(DataViewType type) => (ValueStore)s_create.MakeGenericMethod(type.RawType).Invoke(null, null)!;

    private static ValueStore CreateTyped<T>() => new ValueStore<T>();

    public int Count { get; protected set; }

    /// <summary>Binds the store to the getter of <paramref name="column"/> in <paramref name="row"/>.</summary>
    public abstract void Bind(DataViewRow row, DataViewSchema.Column column);

    /// <summary>Copies the current value of the bound getter into slot <paramref name="index"/> (appending when index == Count).</summary>
    public abstract void CopyFromRow(int index);

    /// <summary>Returns a getter reading the slot chosen by <paramref name="index"/>.</summary>
    public abstract Delegate MakeGetter(Func<int> index);

    /// <summary>Copies slot <paramref name="from"/> onto slot <paramref name="to"/>.</summary>
    public abstract void Move(int from, int to);
}

internal sealed class ValueStore<T> : ValueStore
{
    private static readonly bool s_isVector = typeof(T).IsGenericType && typeof(T).GetGenericTypeDefinition() == typeof(VBuffer<>);
    private readonly List<T> _values = new();
    private ValueGetter<T>? _getter;
    private T _scratch = default!;

    public override void Bind(DataViewRow row, DataViewSchema.Column column) => _getter = row.GetGetter<T>(column);

    public override void CopyFromRow(int index)
    {
        _getter!(ref _scratch);
        T value = _scratch;
        if (s_isVector)
        {
            value = index < _values.Count ? _values[index] : default!;
            CopyVector(_scratch, ref value);
        }

        if (index == _values.Count)
        {
            _values.Add(value);
            Count = _values.Count;
        }
        else
        {
            _values[index] = value;
        }
    }

    public override void Move(int from, int to)
    {
        if (s_isVector)
        {
            T value = _values[to];
            CopyVector(_values[from], ref value);
            _values[to] = value;
        }
        else
        {
            _values[to] = _values[from];
        }
    }

    public override Delegate MakeGetter(Func<int> index)
    {
        if (s_isVector)
        {
            return (ValueGetter<T>)((ref T dst) => CopyVector(_values[index()], ref dst));
        }

        return (ValueGetter<T>)((ref T dst) => dst = _values[index()]);
    }

    private static void CopyVector(T source, ref T destination)
    {
        // T is VBuffer<TItem> here; go through object to call the generic CopyTo without knowing TItem.
        VectorCopier.Copy(source, ref destination);
    }
}

/// <summary>Copies VBuffer values of any item type.</summary>
internal static class VectorCopier
{
    private static class Cache<T>
    {
        public static readonly CopyDelegate<T> Copy = Create();

        private static CopyDelegate<T> Create()
        {
            var item = typeof(T).GetGenericArguments()[0];
            var method = typeof(VectorCopier).GetMethod(nameof(CopyVBuffer), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(item);
            return (CopyDelegate<T>)Delegate.CreateDelegate(typeof(CopyDelegate<T>), method);
        }
    }

    internal delegate void CopyDelegate<T>(in T source, ref T destination);

    public static void Copy<T>(in T source, ref T destination) => Cache<T>.Copy(in source, ref destination);

    private static void CopyVBuffer<TItem>(in VBuffer<TItem> source, ref VBuffer<TItem> destination) => source.CopyTo(ref destination);
}
