using System.Collections;
using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>
/// The ordered set of columns of an <see cref="IDataView"/>. When several columns share a name, the last one is visible
/// and the others are hidden; lookups by name return the visible one. Build schemas with <see cref="Builder"/>.
/// </summary>
public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
{
    private readonly Column[] _columns;
    private readonly Dictionary<string, int> _nameToIndex;

    private DataViewSchema(Column[] columns)
    {
        _columns = columns;
        _nameToIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in columns)
        {
            _nameToIndex[c.Name] = c.Index;
        }
    }

    /// <summary>The number of columns, hidden ones included.</summary>
    public int Count => _columns.Length;

    /// <summary>Returns the column at <paramref name="columnIndex"/>.</summary>
    /// <param name="columnIndex">The index, in [0, <see cref="Count"/>).</param>
    public Column this[int columnIndex]
    {
        get
        {
            if ((uint)columnIndex >= (uint)_columns.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(columnIndex), columnIndex, $"Column index must be between 0 and {_columns.Length - 1}.");
            }

            return _columns[columnIndex];
        }
    }

    /// <summary>Returns the visible column named <paramref name="name"/>; throws when there is none.</summary>
    /// <param name="name">The column name.</param>
    public Column this[string name] =>
        GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(name), $"Column '{name}' not found");

    /// <summary>Returns the visible column named <paramref name="name"/>, or null when there is none.</summary>
    /// <param name="name">The column name.</param>
    public Column? GetColumnOrNull(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _nameToIndex.TryGetValue(name, out int index) ? _columns[index] : null;
    }

    /// <inheritdoc/>
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Lists the columns as "Name: Type" separated by "; ".</summary>
    public override string ToString() => string.Join("; ", _columns.Select(c => c.ToString()));

    internal static DataViewSchema Create(IEnumerable<DetachedColumn> columns)
    {
        var list = columns.ToList();
        var result = new Column[list.Count];
        var lastIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < list.Count; i++)
        {
            lastIndex[list[i].Name] = i;
        }

        for (int i = 0; i < list.Count; i++)
        {
            result[i] = new Column(list[i].Name, i, lastIndex[list[i].Name] != i, list[i].Type, list[i].Annotations);
        }

        return new DataViewSchema(result);
    }

    /// <summary>A column of a schema: its name, position, type, visibility and annotations.</summary>
    public readonly struct Column
    {
        internal Column(string name, int index, bool isHidden, DataViewType type, Annotations annotations)
        {
            Name = name;
            Index = index;
            IsHidden = isHidden;
            Type = type;
            Annotations = annotations ?? Annotations.Empty;
        }

        /// <summary>The name of the column.</summary>
        public string Name { get; }

        /// <summary>The position of the column in its schema.</summary>
        public int Index { get; }

        /// <summary>Whether a later column with the same name hides this one.</summary>
        public bool IsHidden { get; }

        /// <summary>The type of the column.</summary>
        public DataViewType Type { get; }

        /// <summary>The annotations (metadata) of the column; never null.</summary>
        public Annotations Annotations { get; }

        /// <summary>Returns "Name: Type", followed by the annotation kinds in braces when there are any.</summary>
        public override string ToString()
        {
            var kinds = Annotations.Schema.Select(c => c.Name).ToList();
            return kinds.Count == 0 ? $"{Name}: {Type}" : $"{Name}: {Type} {{{string.Join(", ", kinds)}}}";
        }
    }

    /// <summary>A column description that does not belong to any schema, used to build schemas.</summary>
    public readonly struct DetachedColumn
    {
        /// <summary>Creates a detached column.</summary>
        /// <param name="name">The column name.</param>
        /// <param name="type">The column type.</param>
        /// <param name="annotations">The annotations; null means none.</param>
        public DetachedColumn(string name, DataViewType type, Annotations? annotations = null)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Type = type ?? throw new ArgumentNullException(nameof(type));
            Annotations = annotations ?? Annotations.Empty;
        }

        /// <summary>Copies name, type and annotations of <paramref name="column"/>.</summary>
        /// <param name="column">The column to copy.</param>
        public DetachedColumn(Column column)
            : this(column.Name, column.Type, column.Annotations)
        {
        }

        /// <summary>The column name.</summary>
        public string Name { get; }

        /// <summary>The column type.</summary>
        public DataViewType Type { get; }

        /// <summary>The annotations; never null.</summary>
        public Annotations Annotations { get; }
    }

    /// <summary>Builds a <see cref="DataViewSchema"/>. Adding a name twice hides the earlier column.</summary>
    public sealed class Builder
    {
        private readonly List<DetachedColumn> _columns = new();

        /// <summary>Creates an empty builder.</summary>
        public Builder()
        {
        }

        /// <summary>Adds a column.</summary>
        /// <param name="name">The column name.</param>
        /// <param name="type">The column type.</param>
        /// <param name="annotations">The annotations; null means none.</param>
        public void AddColumn(string name, DataViewType type, Annotations? annotations = null) =>
            _columns.Add(new DetachedColumn(name, type, annotations));

        /// <summary>Adds copies of the given columns.</summary>
        /// <param name="source">The columns to add.</param>
        public void AddColumns(IEnumerable<Column> source)
        {
            ArgumentNullException.ThrowIfNull(source);
            foreach (var c in source)
            {
                _columns.Add(new DetachedColumn(c));
            }
        }

        /// <summary>Adds the given columns.</summary>
        /// <param name="source">The columns to add.</param>
        public void AddColumns(IEnumerable<DetachedColumn> source)
        {
            ArgumentNullException.ThrowIfNull(source);
            _columns.AddRange(source);
        }

        /// <summary>Returns the schema built so far.</summary>
        public DataViewSchema ToSchema() => Create(_columns);
    }

    /// <summary>
    /// The annotations of a column: a single row of named values ("SlotNames", "KeyValues", "IsNormalized"...) described
    /// by <see cref="Schema"/>.
    /// </summary>
    public sealed class Annotations
    {
        private readonly Delegate[] _getters;

        internal Annotations(DataViewSchema schema, Delegate[] getters)
        {
            Schema = schema;
            _getters = getters;
        }

        /// <summary>The schema of the annotation row; each column is one annotation kind.</summary>
        public DataViewSchema Schema { get; }

        /// <summary>Annotations with no values.</summary>
        public static Annotations Empty { get; } = new(new DataViewSchema(Array.Empty<Column>()), Array.Empty<Delegate>());

        /// <summary>Returns the getter of the annotation described by <paramref name="column"/>.</summary>
        /// <typeparam name="TValue">The raw type of the annotation.</typeparam>
        /// <param name="column">A column of <see cref="Schema"/>.</param>
        public ValueGetter<TValue> GetGetter<TValue>(Column column)
        {
            if ((uint)column.Index >= (uint)_getters.Length || !ReferenceEquals(Schema[column.Index].Type, column.Type) || Schema[column.Index].Name != column.Name)
            {
                throw new ArgumentOutOfRangeException(nameof(column), $"Annotation '{column.Name}' does not belong to these annotations.");
            }

            return _getters[column.Index] as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Invalid TValue in GetGetter for annotation '{column.Name}': '{typeof(TValue)}', expected type: '{column.Type.RawType}'.");
        }

        /// <summary>Reads the annotation of kind <paramref name="kind"/> into <paramref name="value"/>.</summary>
        /// <typeparam name="TValue">The raw type of the annotation.</typeparam>
        /// <param name="kind">The annotation kind, for example "SlotNames".</param>
        /// <param name="value">Receives the value.</param>
        public void GetValue<TValue>(string kind, ref TValue value)
        {
            var column = Schema.GetColumnOrNull(kind) ?? throw new InvalidOperationException($"Invalid call to 'GetValue': annotation '{kind}' not found.");
            GetGetter<TValue>(column)(ref value);
        }

        /// <summary>Lists the annotation kinds, separated by ", ".</summary>
        public override string ToString() => string.Join(", ", Schema.Select(c => c.Name));

        /// <summary>Builds <see cref="Annotations"/>.</summary>
        public sealed class Builder
        {
            private readonly List<(DetachedColumn Column, Delegate Getter)> _items = new();

            /// <summary>Creates an empty builder.</summary>
            public Builder()
            {
            }

            /// <summary>Adds an annotation whose value is read by <paramref name="getter"/>.</summary>
            /// <typeparam name="TValue">The raw type of the annotation; must match <paramref name="type"/>.</typeparam>
            /// <param name="name">The annotation kind.</param>
            /// <param name="type">The annotation type.</param>
            /// <param name="getter">Reads the value.</param>
            /// <param name="annotations">Annotations of the annotation; null means none.</param>
            public void Add<TValue>(string name, DataViewType type, ValueGetter<TValue> getter, Annotations? annotations = null)
            {
                ArgumentNullException.ThrowIfNull(getter);
                Add(name, type, (Delegate)getter, annotations);
            }

            /// <summary>Adds an annotation whose value is read by <paramref name="getter"/>, a <see cref="ValueGetter{TValue}"/> of the type's raw type.</summary>
            /// <param name="name">The annotation kind.</param>
            /// <param name="type">The annotation type.</param>
            /// <param name="getter">A <see cref="ValueGetter{TValue}"/> of <paramref name="type"/>'s raw type.</param>
            /// <param name="annotations">Annotations of the annotation; null means none.</param>
            public void Add(string name, DataViewType type, Delegate getter, Annotations? annotations = null)
            {
                ArgumentException.ThrowIfNullOrEmpty(name);
                ArgumentNullException.ThrowIfNull(type);
                ArgumentNullException.ThrowIfNull(getter);
                var expected = typeof(ValueGetter<>).MakeGenericType(type.RawType);
                if (getter.GetType() != expected)
                {
                    throw new ArgumentException($"Getter of annotation '{name}' has type '{getter.GetType()}', expected '{expected}'.", nameof(getter));
                }

                _items.Add((new DetachedColumn(name, type, annotations), getter));
            }

            /// <summary>Adds an annotation with a constant value.</summary>
            /// <typeparam name="TValue">The raw type of <paramref name="type"/>.</typeparam>
            /// <param name="name">The annotation kind.</param>
            /// <param name="type">The annotation type.</param>
            /// <param name="value">The value.</param>
            /// <param name="annotations">Annotations of the annotation; null means none.</param>
            public void AddPrimitiveValue<TValue>(string name, PrimitiveDataViewType type, TValue value, Annotations? annotations = null)
            {
                ArgumentNullException.ThrowIfNull(type);
                if (type.RawType != typeof(TValue))
                {
                    throw new ArgumentException($"Value of annotation '{name}' has type '{typeof(TValue)}', expected '{type.RawType}'.", nameof(value));
                }

                Add(name, type, (ValueGetter<TValue>)((ref TValue dst) => dst = value), annotations);
            }

            /// <summary>Copies the annotations of <paramref name="annotations"/> whose kind passes <paramref name="selector"/>.</summary>
            /// <param name="annotations">The annotations to copy from.</param>
            /// <param name="selector">Returns true for the kinds to copy.</param>
            public void Add(Annotations annotations, Func<string, bool> selector)
            {
                ArgumentNullException.ThrowIfNull(annotations);
                ArgumentNullException.ThrowIfNull(selector);
                foreach (var c in annotations.Schema)
                {
                    if (selector(c.Name))
                    {
                        _items.Add((new DetachedColumn(c), annotations._getters[c.Index]));
                    }
                }
            }

            /// <summary>Returns the annotations built so far.</summary>
            public Annotations ToAnnotations() =>
                new(Create(_items.Select(i => i.Column)), _items.Select(i => i.Getter).ToArray());
        }
    }
}
