using System.Reflection;
using Microsoft.ML.Compat.Internal;

namespace Microsoft.ML.Data;

/// <summary>
/// Describes how the public fields and properties of a class map to data view columns. Create one with
/// <see cref="Create"/>, adjust column names or types (for example fix a runtime vector size), and pass it to
/// <c>LoadFromEnumerable</c>, <c>CreateEnumerable</c> or <c>CreatePredictionEngine</c>.
/// </summary>
public sealed class SchemaDefinition : List<SchemaDefinition.Column>
{
    private SchemaDefinition()
    {
    }

    /// <summary>Which way data flows through the mapped class.</summary>
    [Flags]
    public enum Direction
    {
        /// <summary>Values are read from the class into a data view (members need a getter).</summary>
        Read = 1,

        /// <summary>Values are written from a data view into the class (members need a setter).</summary>
        Write = 2,

        /// <summary>Both directions.</summary>
        Both = Read | Write,
    }

    /// <summary>Returns the column mapped from the member named <paramref name="columnName"/> (by column name), or sets it.</summary>
    /// <param name="columnName">The column name.</param>
    public Column this[string columnName]
    {
        get => this.FirstOrDefault(c => c.ColumnName == columnName)
            ?? throw new ArgumentOutOfRangeException(nameof(columnName), $"No column named '{columnName}' in the schema definition.");
        set
        {
            int i = FindIndex(c => c.ColumnName == columnName);
            if (i < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(columnName), $"No column named '{columnName}' in the schema definition.");
            }

            this[i] = value;
        }
    }

    /// <summary>
    /// Creates the definition of <paramref name="userType"/>: public fields first, then public properties, skipping
    /// members marked <see cref="NoColumnAttribute"/>, honouring <see cref="ColumnNameAttribute"/>,
    /// <see cref="VectorTypeAttribute"/> and <see cref="KeyTypeAttribute"/>.
    /// </summary>
    /// <param name="userType">The class to map.</param>
    /// <param name="direction">Which accessors members need; members lacking them are skipped.</param>
    public static SchemaDefinition Create(Type userType, Direction direction = Direction.Both)
    {
        ArgumentNullException.ThrowIfNull(userType);
        var def = new SchemaDefinition();
        var members = new List<MemberInfo>();
        members.AddRange(userType.GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => !f.IsStatic && !(f.IsInitOnly && direction.HasFlag(Direction.Write))));
        members.AddRange(userType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0
                && (!direction.HasFlag(Direction.Read) || p.GetMethod?.IsPublic == true)
                && (!direction.HasFlag(Direction.Write) || p.SetMethod?.IsPublic == true)));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in members)
        {
            if (m.GetCustomAttribute<NoColumnAttribute>() != null)
            {
                continue;
            }

            string name = m.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? m.Name;
            if (!names.Add(name))
            {
                throw new InvalidOperationException($"Duplicate column name '{name}' in type '{userType.Name}'.");
            }

            Type memberType = m is FieldInfo f ? f.FieldType : ((PropertyInfo)m).PropertyType;
            var type = PocoTypes.InferType(memberType, m, userType);
            def.Add(new Column(m.Name, name, type));
        }

        return def;
    }

    /// <summary>One member-to-column mapping.</summary>
    public sealed class Column
    {
        private readonly List<(string Kind, DataViewType Type, Delegate Getter)> _annotations = new();

        /// <summary>Creates a mapping of member <paramref name="memberName"/> to column <paramref name="columnName"/>.</summary>
        /// <param name="memberName">The field or property name.</param>
        /// <param name="columnName">The column name.</param>
        /// <param name="columnType">The column type; null means inferred from the member type.</param>
        public Column(string memberName, string columnName, DataViewType? columnType = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(memberName);
            ArgumentException.ThrowIfNullOrEmpty(columnName);
            MemberName = memberName;
            ColumnName = columnName;
            ColumnType = columnType!;
        }

        /// <summary>The field or property name.</summary>
        public string MemberName { get; }

        /// <summary>The column name.</summary>
        public string ColumnName { get; set; }

        /// <summary>The column type. Set it to, for example, <c>new VectorDataViewType(NumberDataViewType.Single, n)</c> to fix the size of an array member.</summary>
        public DataViewType ColumnType { get; set; }

        /// <summary>The annotations added with <see cref="AddAnnotation{T}"/>.</summary>
        public DataViewSchema.Annotations Annotations
        {
            get
            {
                var builder = new DataViewSchema.Annotations.Builder();
                foreach (var (kind, type, getter) in _annotations)
                {
                    builder.Add(kind, type, getter);
                }

                return builder.ToAnnotations();
            }
        }

        /// <summary>Adds an annotation with a constant value to the column.</summary>
        /// <typeparam name="T">The value type; arrays are stored as vectors.</typeparam>
        /// <param name="kind">The annotation kind, for example "SlotNames".</param>
        /// <param name="value">The value.</param>
        /// <param name="annotationType">The annotation type.</param>
        public void AddAnnotation<T>(string kind, T value, DataViewType annotationType)
        {
            ArgumentException.ThrowIfNullOrEmpty(kind);
            ArgumentNullException.ThrowIfNull(annotationType);
            _annotations.RemoveAll(a => a.Kind == kind);
            _annotations.Add((kind, annotationType, PocoTypes.MakeConstantGetter(value, annotationType)));
        }
    }
}
