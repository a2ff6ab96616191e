using System.Collections;
using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>
/// The schema as estimators see it before any data is read: for each column its name, whether it is a scalar, a
/// fixed-size or a variable-size vector, its item type, whether it is a key, and the kinds of its annotations.
/// </summary>
public sealed class SchemaShape : IReadOnlyList<SchemaShape.Column>
{
    private readonly Column[] _columns;

    /// <summary>Creates a schema shape from its columns.</summary>
    /// <param name="columns">The columns.</param>
    public SchemaShape(IEnumerable<Column> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = columns.ToArray();
    }

    /// <summary>The number of columns.</summary>
    public int Count => _columns.Length;

    /// <summary>Returns the column at <paramref name="index"/>.</summary>
    /// <param name="index">The column index.</param>
    public Column this[int index] => _columns[index];

    /// <inheritdoc/>
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Creates the shape of <paramref name="schema"/>; hidden columns are left out.</summary>
    internal static SchemaShape Create(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var columns = new List<Column>();
        foreach (var c in schema)
        {
            if (!c.IsHidden)
            {
                columns.Add(Column.FromType(c.Name, c.Type, c.Annotations));
            }
        }

        return new SchemaShape(columns);
    }

    /// <summary>Finds the last column named <paramref name="name"/>.</summary>
    internal bool TryFindColumn(string name, out Column column)
    {
        for (int i = _columns.Length - 1; i >= 0; i--)
        {
            if (_columns[i].Name == name)
            {
                column = _columns[i];
                return true;
            }
        }

        column = default;
        return false;
    }

    /// <summary>The shape of one column.</summary>
    public readonly struct Column
    {
        /// <summary>The column name.</summary>
        public readonly string Name;

        /// <summary>Whether the column is a scalar, a fixed-size vector or a variable-size vector.</summary>
        public readonly VectorKind Kind;

        /// <summary>The item type (for key columns, the number type of the key's raw type).</summary>
        public readonly DataViewType ItemType;

        /// <summary>Whether the column holds keys.</summary>
        public readonly bool IsKey;

        /// <summary>The shapes of the column's annotations.</summary>
        public readonly SchemaShape Annotations;

        internal Column(string name, VectorKind vecKind, DataViewType itemType, bool isKey, SchemaShape? annotations = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(itemType);
            Name = name;
            Kind = vecKind;
            ItemType = itemType;
            IsKey = isKey;
            Annotations = annotations ?? new SchemaShape(Array.Empty<Column>());
        }

        /// <summary>Whether <see cref="Name"/> is set (default columns are invalid).</summary>
        internal bool IsValid => Name != null;

        internal static Column FromType(string name, DataViewType type, DataViewSchema.Annotations? annotations)
        {
            var kind = type is VectorDataViewType v ? (v.IsKnownSize ? VectorKind.Vector : VectorKind.VariableVector) : VectorKind.Scalar;
            var item = type is VectorDataViewType vec ? vec.ItemType : type;
            bool isKey = item is KeyDataViewType;
            if (item is KeyDataViewType key)
            {
                item = ItemTypeOfRaw(key.RawType);
            }

            SchemaShape? ann = null;
            if (annotations != null && annotations.Schema.Count > 0)
            {
                ann = new SchemaShape(annotations.Schema.Select(a => FromType(a.Name, a.Type, null)));
            }

            return new Column(name, kind, item, isKey, ann);
        }

        private static DataViewType ItemTypeOfRaw(Type raw) =>
            raw == typeof(byte) ? NumberDataViewType.Byte : raw == typeof(ushort) ? NumberDataViewType.UInt16 : raw == typeof(uint) ? NumberDataViewType.UInt32 : NumberDataViewType.UInt64;

        /// <summary>Returns whether a column of shape <paramref name="source"/> can be used where this shape is expected.</summary>
        internal bool IsCompatibleWith(Column source)
        {
            if (source.Name != Name || source.IsKey != IsKey || !source.ItemType.Equals(ItemType))
            {
                return false;
            }

            if (Kind != source.Kind && !(Kind == VectorKind.VariableVector && source.Kind == VectorKind.Vector))
            {
                return false;
            }

            foreach (var a in Annotations)
            {
                if (!source.Annotations.TryFindColumn(a.Name, out var sa) || !a.IsCompatibleWith(sa))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Returns the type as text, for example "Vector&lt;Single&gt;" or "Key&lt;UInt32&gt;".</summary>
        internal string GetTypeString()
        {
            string item = IsKey ? $"Key<{ItemType}>" : ItemType.ToString()!;
            return Kind switch
            {
                VectorKind.Vector => $"Vector<{item}>",
                VectorKind.VariableVector => $"VarVector<{item}>",
                _ => item,
            };
        }

        /// <summary>Returns "Name: Type".</summary>
        public override string ToString() => $"{Name}: {GetTypeString()}";

        /// <summary>The vector-ness of a column.</summary>
        public enum VectorKind
        {
            /// <summary>A single value.</summary>
            Scalar,

            /// <summary>A vector whose size is known.</summary>
            Vector,

            /// <summary>A vector whose size varies from row to row.</summary>
            VariableVector,
        }
    }
}
