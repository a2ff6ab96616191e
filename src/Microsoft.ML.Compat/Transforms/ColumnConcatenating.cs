using System.Reflection;
using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms;

[assembly: Microsoft.ML.LoadableClass(typeof(Microsoft.ML.ITransformer), typeof(Microsoft.ML.Data.ColumnConcatenatingTransformer), null, typeof(Microsoft.ML.SignatureLoadModel), "Concat Transform", Microsoft.ML.Data.ColumnConcatenatingTransformer.LoaderSignature)]

namespace Microsoft.ML.Transforms
{
    /// <summary>
    /// Concatenates columns that share an item type into one vector column (see
    /// <see cref="TransformExtensionsCatalog.Concatenate(TransformsCatalog, string, string[])"/>). Needs no training.
    /// </summary>
    public sealed class ColumnConcatenatingEstimator : IEstimator<ColumnConcatenatingTransformer>
    {
        private readonly string _name;
        private readonly string[] _sources;

        internal ColumnConcatenatingEstimator(string outputColumnName, params string[] inputColumnNames)
        {
            SchemaChecks.CheckName(outputColumnName, nameof(outputColumnName));
            ArgumentNullException.ThrowIfNull(inputColumnNames);
            if (inputColumnNames.Length == 0)
            {
                throw new ArgumentException("Concatenate needs at least one input column.", nameof(inputColumnNames));
            }

            foreach (var s in inputColumnNames)
            {
                SchemaChecks.CheckName(s, nameof(inputColumnNames));
            }

            _name = outputColumnName;
            _sources = inputColumnNames;
        }

        /// <summary>Checks the input columns and returns the transformer.</summary>
        /// <param name="input">The data; only its schema is read.</param>
        public ColumnConcatenatingTransformer Fit(IDataView input)
        {
            ArgumentNullException.ThrowIfNull(input);
            var t = new ColumnConcatenatingTransformer(_name, _sources);
            t.GetOutputSchema(input.Schema);
            return t;
        }

        /// <summary>Returns the input shape plus the concatenated vector column.</summary>
        /// <param name="inputSchema">The input schema shape.</param>
        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            ArgumentNullException.ThrowIfNull(inputSchema);
            var cols = _sources.Select(s => SchemaChecks.FindInput(inputSchema, s)).ToArray();
            var first = cols[0];
            bool varVector = false;
            foreach (var c in cols)
            {
                if (!c.ItemType.Equals(first.ItemType) || c.IsKey != first.IsKey)
                {
                    throw DataViewErrors.SchemaMismatch(nameof(inputSchema), "input", c.Name, first.GetTypeString(), c.GetTypeString());
                }

                varVector |= c.Kind == SchemaShape.Column.VectorKind.VariableVector;
            }

            var kind = varVector ? SchemaShape.Column.VectorKind.VariableVector : SchemaShape.Column.VectorKind.Vector;
            return SchemaChecks.AddColumns(inputSchema, new[] { new SchemaShape.Column(_name, kind, first.ItemType, first.IsKey, SchemaChecks.Annotations(AnnotationKinds.SlotNames)) });
        }
    }
}

namespace Microsoft.ML.Data
{
    /// <summary>Concatenates columns that share an item type into one vector column; slot names are annotated when known.</summary>
    public sealed class ColumnConcatenatingTransformer : RowToRowTransformerBase
    {
        internal const string LoaderSignature = "ConcatTransform";
        private readonly string _name;
        private readonly string[] _sources;

        internal ColumnConcatenatingTransformer(string outputColumnName, string[] inputColumnNames)
        {
            _name = outputColumnName;
            _sources = inputColumnNames;
        }

        private static VersionInfo GetVersionInfo() => new("CONCAT F", 0x00010001, 0x00010001, 0x00010001, typeof(ColumnConcatenatingTransformer).Assembly.FullName!, LoaderSignature);

        private protected override void SaveModel(ModelSaveContext ctx)
        {
            ctx.CheckAtModel();
            ctx.SetVersionInfo(GetVersionInfo());
            ctx.SaveNonEmptyString(_name);
            ctx.Writer.Write(_sources.Length);
            foreach (var s in _sources)
            {
                ctx.SaveNonEmptyString(s);
            }
        }

        private static ColumnConcatenatingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
        {
            ctx.CheckAtModel(GetVersionInfo());
            string name = ctx.LoadNonEmptyString();
            int n = ctx.Reader.ReadInt32();
            if (n <= 0 || n > 1_000_000)
            {
                throw new FormatException($"Concatenation of {n} columns in '{ctx.Directory}'.");
            }

            var sources = new string[n];
            for (int i = 0; i < n; i++)
            {
                sources[i] = ctx.LoadNonEmptyString();
            }

            return new ColumnConcatenatingTransformer(name, sources);
        }

        private protected override RowMapping MakeMapping(DataViewSchema inputSchema)
        {
            var cols = _sources.Select(s => SchemaChecks.FindInput(inputSchema, s)).ToArray();
            var item = SchemaChecks.ItemType(cols[0].Type);
            int size = 0;
            bool known = true;
            foreach (var c in cols)
            {
                var ci = SchemaChecks.ItemType(c.Type);
                if (!ci.Equals(item))
                {
                    throw DataViewErrors.SchemaMismatch(nameof(inputSchema), "input", c.Name, item.ToString()!, ci.ToString()!);
                }

                if (c.Type is VectorDataViewType v)
                {
                    known &= v.IsKnownSize;
                    size += v.Size;
                }
                else
                {
                    size += 1;
                }
            }

            var type = new VectorDataViewType(item, known ? size : 0);
            var annotations = known ? SlotNames(cols, size) : null;
            var method = typeof(ColumnConcatenatingTransformer).GetMethod(nameof(MakeGetter), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(item.RawType);
            var computed = new ComputedColumn(_name, type, cols.Select(c => c.Index).ToArray(),
                (row, _) => (Delegate)method.Invoke(null, new object[] { row, cols })!, annotations);
            return RowMapping.Append(inputSchema, new[] { computed });
        }

        private static DataViewSchema.Annotations? SlotNames(DataViewSchema.Column[] cols, int size)
        {
            if (!cols.Any(c => c.Type is not VectorDataViewType || c.HasSlotNames()))
            {
                return null;
            }

            var names = new ReadOnlyMemory<char>[size];
            int k = 0;
            foreach (var c in cols)
            {
                if (c.Type is VectorDataViewType v)
                {
                    VBuffer<ReadOnlyMemory<char>> slots = default;
                    bool has = c.HasSlotNames();
                    if (has)
                    {
                        c.GetSlotNames(ref slots);
                    }

                    for (int i = 0; i < v.Size; i++)
                    {
                        names[k++] = has ? $"{c.Name}.{slots.GetItemOrDefault(i)}".AsMemory() : ReadOnlyMemory<char>.Empty;
                    }
                }
                else
                {
                    names[k++] = c.Name.AsMemory();
                }
            }

            var builder = new DataViewSchema.Annotations.Builder();
            var buffer = new VBuffer<ReadOnlyMemory<char>>(size, names);
            builder.Add(AnnotationKinds.SlotNames, new VectorDataViewType(TextDataViewType.Instance, size), (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> dst) => buffer.CopyTo(ref dst)));
            return builder.ToAnnotations();
        }

        private static ValueGetter<VBuffer<T>> MakeGetter<T>(DataViewRow row, DataViewSchema.Column[] cols)
        {
            var scalar = new ValueGetter<T>?[cols.Length];
            var vector = new ValueGetter<VBuffer<T>>?[cols.Length];
            var buffers = new VBuffer<T>[cols.Length];
            var values = new T[cols.Length];
            for (int i = 0; i < cols.Length; i++)
            {
                if (cols[i].Type is VectorDataViewType)
                {
                    vector[i] = row.GetGetter<VBuffer<T>>(cols[i]);
                }
                else
                {
                    scalar[i] = row.GetGetter<T>(cols[i]);
                }
            }

            return (ref VBuffer<T> dst) =>
            {
                int total = 0;
                for (int i = 0; i < cols.Length; i++)
                {
                    if (vector[i] != null)
                    {
                        vector[i]!(ref buffers[i]);
                        total += buffers[i].Length;
                    }
                    else
                    {
                        scalar[i]!(ref values[i]);
                        total++;
                    }
                }

                var editor = VBufferEditor.Create(ref dst, total);
                int k = 0;
                for (int i = 0; i < cols.Length; i++)
                {
                    if (vector[i] != null)
                    {
                        buffers[i].CopyTo(editor.Values, k, default!);
                        k += buffers[i].Length;
                    }
                    else
                    {
                        editor.Values[k++] = values[i];
                    }
                }

                dst = editor.Commit();
            };
        }
    }
}
