using System.Linq.Expressions;
using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Internal;

/// <summary>Maps .NET member types to column types and builds typed accessors between class members and getters.</summary>
internal static class PocoTypes
{
    private static readonly MethodInfo s_getterSame = Method(nameof(GetterSame));
    private static readonly MethodInfo s_getterString = Method(nameof(GetterString));
    private static readonly MethodInfo s_getterArray = Method(nameof(GetterArray));
    private static readonly MethodInfo s_getterStringArray = Method(nameof(GetterStringArray));
    private static readonly MethodInfo s_getterVBuffer = Method(nameof(GetterVBuffer));
    private static readonly MethodInfo s_pokeSame = Method(nameof(PokeSame));
    private static readonly MethodInfo s_pokeString = Method(nameof(PokeString));
    private static readonly MethodInfo s_pokeArray = Method(nameof(PokeArray));
    private static readonly MethodInfo s_pokeStringArray = Method(nameof(PokeStringArray));
    private static readonly MethodInfo s_pokeVBuffer = Method(nameof(PokeVBuffer));
    private static readonly MethodInfo s_constant = Method(nameof(ConstantGetter));

    private static MethodInfo Method(string name) => typeof(PocoTypes).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;

    public static PrimitiveDataViewType? PrimitiveOf(Type t)
    {
        if (t == typeof(float)) return NumberDataViewType.Single;
        if (t == typeof(double)) return NumberDataViewType.Double;
        if (t == typeof(int)) return NumberDataViewType.Int32;
        if (t == typeof(long)) return NumberDataViewType.Int64;
        if (t == typeof(uint)) return NumberDataViewType.UInt32;
        if (t == typeof(ulong)) return NumberDataViewType.UInt64;
        if (t == typeof(short)) return NumberDataViewType.Int16;
        if (t == typeof(ushort)) return NumberDataViewType.UInt16;
        if (t == typeof(sbyte)) return NumberDataViewType.SByte;
        if (t == typeof(byte)) return NumberDataViewType.Byte;
        if (t == typeof(bool)) return BooleanDataViewType.Instance;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>)) return TextDataViewType.Instance;
        if (t == typeof(DateTime)) return DateTimeDataViewType.Instance;
        if (t == typeof(DateTimeOffset)) return DateTimeOffsetDataViewType.Instance;
        if (t == typeof(TimeSpan)) return TimeSpanDataViewType.Instance;
        if (t == typeof(DataViewRowId)) return RowIdDataViewType.Instance;
        return null;
    }

    public static Type? ElementTypeOf(Type memberType) =>
        memberType.IsArray && memberType.GetArrayRank() == 1 ? memberType.GetElementType()
        : memberType.IsGenericType && memberType.GetGenericTypeDefinition() == typeof(VBuffer<>) ? memberType.GetGenericArguments()[0]
        : null;

    /// <summary>Infers the column type of a member from its type and its VectorType / KeyType attributes.</summary>
    public static DataViewType InferType(Type memberType, MemberInfo? member, Type? owner)
    {
        var vectorAttr = member?.GetCustomAttribute<VectorTypeAttribute>();
        var keyAttr = member?.GetCustomAttribute<KeyTypeAttribute>();
        Type? element = ElementTypeOf(memberType);
        string where = member == null ? $"type '{memberType}'" : $"member '{member.Name}' of '{owner?.Name}'";
        if (vectorAttr != null && element == null)
        {
            throw new InvalidOperationException($"VectorType is set on {where}, but '{memberType}' is not an array or VBuffer.");
        }

        PrimitiveDataViewType ItemType(Type t)
        {
            if (keyAttr != null)
            {
                if (!KeyDataViewType.IsValidDataType(t))
                {
                    throw new InvalidOperationException($"KeyType is set on {where}, but '{t}' is not Byte, UInt16, UInt32 or UInt64.");
                }

                ulong count = keyAttr.KeyCount?.Count ?? (t == typeof(byte) ? byte.MaxValue : t == typeof(ushort) ? ushort.MaxValue : t == typeof(uint) ? uint.MaxValue : ulong.MaxValue);
                return new KeyDataViewType(t, count);
            }

            return PrimitiveOf(t) ?? throw new InvalidOperationException($"Could not determine an IDataView type for {where}: '{t}' is not supported.");
        }

        if (element != null)
        {
            return new VectorDataViewType(ItemType(element), vectorAttr?.Dims ?? new[] { 0 });
        }

        return ItemType(memberType);
    }

    /// <summary>The raw getter type a member of <paramref name="memberType"/> exchanges values with.</summary>
    public static Type RawTypeOfMember(Type memberType)
    {
        Type? element = ElementTypeOf(memberType);
        if (element != null)
        {
            return typeof(VBuffer<>).MakeGenericType(element == typeof(string) ? typeof(ReadOnlyMemory<char>) : element);
        }

        return memberType == typeof(string) ? typeof(ReadOnlyMemory<char>) : memberType;
    }

    public static Type MemberType(MemberInfo m) => m is FieldInfo f ? f.FieldType : ((PropertyInfo)m).PropertyType;

    public static MemberInfo FindMember(Type owner, string memberName) =>
        (MemberInfo?)owner.GetField(memberName, BindingFlags.Public | BindingFlags.Instance)
        ?? owner.GetProperty(memberName, BindingFlags.Public | BindingFlags.Instance)
        ?? throw new ArgumentOutOfRangeException(nameof(memberName), $"Type '{owner.Name}' has no public field or property '{memberName}'.");

    public static Func<TRow, TMember> MakeReader<TRow, TMember>(MemberInfo m)
    {
        var p = Expression.Parameter(typeof(TRow));
        return Expression.Lambda<Func<TRow, TMember>>(Expression.MakeMemberAccess(p, m), p).Compile();
    }

    public static Action<TRow, TMember> MakeWriter<TRow, TMember>(MemberInfo m)
    {
        var p = Expression.Parameter(typeof(TRow));
        var v = Expression.Parameter(typeof(TMember));
        return Expression.Lambda<Action<TRow, TMember>>(Expression.Assign(Expression.MakeMemberAccess(p, m), v), p, v).Compile();
    }

    private static bool CanRead(MemberInfo m) => m is FieldInfo || ((PropertyInfo)m).GetMethod?.IsPublic == true;

    /// <summary>Builds a <see cref="ValueGetter{TValue}"/> of <paramref name="columnType"/>'s raw type reading member <paramref name="m"/> of the current row.</summary>
    public static Delegate MakeInputGetter<TRow>(MemberInfo m, DataViewType columnType, Func<TRow> current)
    {
        Type memberType = MemberType(m);
        Type raw = columnType.RawType;
        if (RawTypeOfMember(memberType) != raw)
        {
            throw new InvalidOperationException($"Member '{m.Name}' of type '{memberType}' cannot provide a column of type {columnType}.");
        }

        Type? element = ElementTypeOf(memberType);
        MethodInfo method = memberType == raw && element == null ? s_getterSame.MakeGenericMethod(typeof(TRow), memberType)
            : memberType == typeof(string) ? s_getterString.MakeGenericMethod(typeof(TRow))
            : memberType.IsArray && element == typeof(string) ? s_getterStringArray.MakeGenericMethod(typeof(TRow))
            : memberType.IsArray ? s_getterArray.MakeGenericMethod(typeof(TRow), element!)
            : s_getterVBuffer.MakeGenericMethod(typeof(TRow), element!);
        return (Delegate)method.Invoke(null, new object[] { m, current })!;
    }

    private static ValueGetter<T> GetterSame<TRow, T>(MemberInfo m, Func<TRow> current)
    {
        var read = MakeReader<TRow, T>(m);
        return (ref T dst) => dst = read(current());
    }

    private static ValueGetter<ReadOnlyMemory<char>> GetterString<TRow>(MemberInfo m, Func<TRow> current)
    {
        var read = MakeReader<TRow, string>(m);
        return (ref ReadOnlyMemory<char> dst) => dst = (read(current()) ?? string.Empty).AsMemory();
    }

    private static ValueGetter<VBuffer<T>> GetterArray<TRow, T>(MemberInfo m, Func<TRow> current)
    {
        var read = MakeReader<TRow, T[]>(m);
        return (ref VBuffer<T> dst) =>
        {
            var arr = read(current());
            int n = arr?.Length ?? 0;
            var editor = VBufferEditor.Create(ref dst, n);
            arr.AsSpan().CopyTo(editor.Values);
            dst = editor.Commit();
        };
    }

    private static ValueGetter<VBuffer<ReadOnlyMemory<char>>> GetterStringArray<TRow>(MemberInfo m, Func<TRow> current)
    {
        var read = MakeReader<TRow, string[]>(m);
        return (ref VBuffer<ReadOnlyMemory<char>> dst) =>
        {
            var arr = read(current());
            int n = arr?.Length ?? 0;
            var editor = VBufferEditor.Create(ref dst, n);
            for (int i = 0; i < n; i++)
            {
                editor.Values[i] = (arr![i] ?? string.Empty).AsMemory();
            }

            dst = editor.Commit();
        };
    }

    private static ValueGetter<VBuffer<T>> GetterVBuffer<TRow, T>(MemberInfo m, Func<TRow> current)
    {
        var read = MakeReader<TRow, VBuffer<T>>(m);
        return (ref VBuffer<T> dst) => read(current()).CopyTo(ref dst);
    }

    /// <summary>Returns whether a member of <paramref name="memberType"/> can receive values of a column of <paramref name="columnType"/>.</summary>
    public static bool CanReceive(Type memberType, DataViewType columnType) => RawTypeOfMember(memberType) == columnType.RawType;

    /// <summary>Builds an action that reads <paramref name="column"/> of <paramref name="row"/> into member <paramref name="m"/>.</summary>
    public static Action<TRow> MakeOutputPoke<TRow>(MemberInfo m, DataViewRow row, DataViewSchema.Column column)
    {
        Type memberType = MemberType(m);
        if (!CanReceive(memberType, column.Type))
        {
            throw new InvalidOperationException($"Can't bind the IDataView column '{column.Name}' of type '{column.Type}' to field or property '{m.Name}' of type '{memberType}'.");
        }

        Type? element = ElementTypeOf(memberType);
        MethodInfo method = memberType == column.Type.RawType && element == null ? s_pokeSame.MakeGenericMethod(typeof(TRow), memberType)
            : memberType == typeof(string) ? s_pokeString.MakeGenericMethod(typeof(TRow))
            : memberType.IsArray && element == typeof(string) ? s_pokeStringArray.MakeGenericMethod(typeof(TRow))
            : memberType.IsArray ? s_pokeArray.MakeGenericMethod(typeof(TRow), element!)
            : s_pokeVBuffer.MakeGenericMethod(typeof(TRow), element!);
        return (Action<TRow>)method.Invoke(null, new object[] { m, row, column })!;
    }

    private static Action<TRow> PokeSame<TRow, T>(MemberInfo m, DataViewRow row, DataViewSchema.Column column)
    {
        var write = MakeWriter<TRow, T>(m);
        var getter = row.GetGetter<T>(column);
        return target =>
        {
            T value = default!;
            getter(ref value);
            write(target, value);
        };
    }

    private static Action<TRow> PokeString<TRow>(MemberInfo m, DataViewRow row, DataViewSchema.Column column)
    {
        var write = MakeWriter<TRow, string>(m);
        var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
        return target =>
        {
            ReadOnlyMemory<char> value = default;
            getter(ref value);
            write(target, value.ToString());
        };
    }

    private static Action<TRow> PokeArray<TRow, T>(MemberInfo m, DataViewRow row, DataViewSchema.Column column)
    {
        var write = MakeWriter<TRow, T[]>(m);
        var read = CanRead(m) ? MakeReader<TRow, T[]>(m) : null;
        var getter = row.GetGetter<VBuffer<T>>(column);
        VBuffer<T> buffer = default;
        return target =>
        {
            getter(ref buffer);
            var arr = read?.Invoke(target);
            if (arr == null || arr.Length != buffer.Length)
            {
                arr = new T[buffer.Length];
            }

            buffer.CopyTo(arr);
            write(target, arr);
        };
    }

    private static Action<TRow> PokeStringArray<TRow>(MemberInfo m, DataViewRow row, DataViewSchema.Column column)
    {
        var write = MakeWriter<TRow, string[]>(m);
        var getter = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
        VBuffer<ReadOnlyMemory<char>> buffer = default;
        return target =>
        {
            getter(ref buffer);
            write(target, buffer.DenseValues().Select(v => v.ToString()).ToArray());
        };
    }

    private static Action<TRow> PokeVBuffer<TRow, T>(MemberInfo m, DataViewRow row, DataViewSchema.Column column)
    {
        var write = MakeWriter<TRow, VBuffer<T>>(m);
        var read = CanRead(m) ? MakeReader<TRow, VBuffer<T>>(m) : null;
        var getter = row.GetGetter<VBuffer<T>>(column);
        VBuffer<T> buffer = default;
        return target =>
        {
            getter(ref buffer);
            var value = read?.Invoke(target) ?? default;
            buffer.CopyTo(ref value);
            write(target, value);
        };
    }

    /// <summary>Builds a getter returning a constant (arrays become vectors, strings text).</summary>
    public static Delegate MakeConstantGetter<T>(T value, DataViewType type)
    {
        Type raw = type.RawType;
        object? converted = value switch
        {
            string s => s.AsMemory(),
            string[] ss => new VBuffer<ReadOnlyMemory<char>>(ss.Length, ss.Select(x => (x ?? string.Empty).AsMemory()).ToArray()),
            Array a when ElementTypeOf(a.GetType()) is Type e => Activator.CreateInstance(typeof(VBuffer<>).MakeGenericType(e), a.Length, a, null),
            _ => value,
        };
        if (converted == null ? raw.IsValueType : !raw.IsInstanceOfType(converted))
        {
            throw new ArgumentException($"A value of type '{typeof(T)}' does not fit annotation type {type}.", nameof(value));
        }

        return (Delegate)s_constant.MakeGenericMethod(raw).Invoke(null, new[] { converted })!;
    }

    private static ValueGetter<T> ConstantGetter<T>(T value) => (ref T dst) => dst = value;
}
