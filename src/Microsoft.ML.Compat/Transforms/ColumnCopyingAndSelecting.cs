using System.Reflection;
using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

[assembly: Microsoft.ML.LoadableClass(typeof(Microsoft.ML.ITransformer), typeof(Microsoft.ML.Transforms.ColumnCopyingTransformer), null, typeof(Microsoft.ML.SignatureLoadModel), "Copy Transform", Microsoft.ML.Transforms.ColumnCopyingTransformer.LoaderSignature)]
[assembly: Microsoft.ML.LoadableClass(typeof(Microsoft.ML.ITransformer), typeof(Microsoft.ML.Transforms.ColumnSelectingTransformer), null, typeof(Microsoft.ML.SignatureLoadModel), "Select Columns Transform", Microsoft.ML.Transforms.ColumnSelectingTransformer.LoaderSignature)]

namespace Microsoft.ML.Transforms;

/// <summary>Copies columns under new names (see <see cref="TransformExtensionsCatalog.CopyColumns"/>). Needs no training.</summary>
public sealed class ColumnCopyingEstimator : TrivialEstimator<ColumnCopyingTransformer>
{
    internal ColumnCopyingEstimator(params (string outputColumnName, string inputColumnName)[] columns)
        : base(new ColumnCopyingTransformer(columns))
    {
    }

    /// <summary>Returns the input shape plus the copies.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var added = Transformer.Pairs.Select(p =>
        {
            var c = SchemaChecks.FindInput(inputSchema, p.Input);
            return new SchemaShape.Column(p.Output, c.Kind, c.ItemType, c.IsKey, c.Annotations);
        }).ToList();
        return SchemaChecks.AddColumns(inputSchema, added);
    }
}

/// <summary>Copies columns under new names; a copy with an existing name hides the original.</summary>
public sealed class ColumnCopyingTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "CopyTransform";

    internal ColumnCopyingTransformer((string outputColumnName, string inputColumnName)[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0)
        {
            throw new ArgumentException("At least one column pair is needed.", nameof(columns));
        }

        foreach (var (o, i) in columns)
        {
            SchemaChecks.CheckName(o, "outputColumnName");
            SchemaChecks.CheckName(i, "inputColumnName");
        }

        Pairs = columns.Select(c => (c.outputColumnName, c.inputColumnName)).ToArray();
    }

    internal (string Output, string Input)[] Pairs { get; }

    private static VersionInfo GetVersionInfo() => new("COPYCOLT", 0x00010001, 0x00010001, 0x00010001, typeof(ColumnCopyingTransformer).Assembly.FullName!, LoaderSignature);

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.Writer.Write(Pairs.Length);
        foreach (var (o, i) in Pairs)
        {
            ctx.SaveNonEmptyString(o);
            ctx.SaveNonEmptyString(i);
        }
    }

    private static ColumnCopyingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(GetVersionInfo());
        int n = ctx.Reader.ReadInt32();
        if (n <= 0 || n > 1_000_000)
        {
            throw new FormatException($"Copy of {n} columns in '{ctx.Directory}'.");
        }

        var pairs = new (string, string)[n];
        for (int k = 0; k < n; k++)
        {
            pairs[k] = (ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString());
        }

        return new ColumnCopyingTransformer(pairs);
    }

    private protected override RowMapping MakeMapping(DataViewSchema inputSchema)
    {
        var added = new List<ComputedColumn>();
        foreach (var (o, i) in Pairs)
        {
            var src = SchemaChecks.FindInput(inputSchema, i);
            var method = typeof(ColumnCopyingTransformer).GetMethod(nameof(CopyGetter), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(src.Type.RawType);
            added.Add(new ComputedColumn(o, src.Type, new[] { src.Index }, (row, _) => (Delegate)method.Invoke(null, new object[] { row, src })!, src.Annotations));
        }

        return RowMapping.Append(inputSchema, added);
    }

    private static ValueGetter<T> CopyGetter<T>(DataViewRow row, DataViewSchema.Column src)
    {
        var g = row.GetGetter<T>(src);
        if (typeof(T).IsGenericType && typeof(T).GetGenericTypeDefinition() == typeof(VBuffer<>))
        {
            // Copy vectors so the consumer of the copy never shares arrays with the consumer of the source.
            T scratch = default!;
            return (ref T dst) =>
            {
                g(ref scratch);
                VectorCopier.Copy(in scratch, ref dst);
            };
        }

        return g;
    }
}

/// <summary>Keeps or drops columns (see <see cref="TransformExtensionsCatalog.SelectColumns(TransformsCatalog, string[])"/>). Needs no training.</summary>
public sealed class ColumnSelectingEstimator : TrivialEstimator<ColumnSelectingTransformer>
{
    internal ColumnSelectingEstimator(string[]? keepColumns, string[]? dropColumns, bool keepHidden)
        : base(new ColumnSelectingTransformer(keepColumns, dropColumns, keepHidden))
    {
    }

    /// <summary>Returns the shape of the kept columns.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var t = Transformer;
        if (t.KeepColumns != null)
        {
            return new SchemaShape(t.KeepColumns.Select(n => SchemaChecks.FindInput(inputSchema, n)));
        }

        foreach (var n in t.DropColumns!)
        {
            SchemaChecks.FindInput(inputSchema, n);
        }

        return new SchemaShape(inputSchema.Where(c => !t.DropColumns!.Contains(c.Name)));
    }
}

/// <summary>Keeps the listed columns (in the listed order) or drops them.</summary>
public sealed class ColumnSelectingTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "SelectColumnsTransform";

    internal ColumnSelectingTransformer(string[]? keepColumns, string[]? dropColumns, bool keepHidden)
    {
        if ((keepColumns == null) == (dropColumns == null))
        {
            throw new ArgumentException("Exactly one of keepColumns and dropColumns must be given.");
        }

        foreach (var n in keepColumns ?? dropColumns!)
        {
            SchemaChecks.CheckName(n, keepColumns != null ? nameof(keepColumns) : nameof(dropColumns));
        }

        KeepColumns = keepColumns;
        DropColumns = dropColumns;
        KeepHidden = keepHidden;
    }

    internal string[]? KeepColumns { get; }

    internal string[]? DropColumns { get; }

    internal bool KeepHidden { get; }

    private static VersionInfo GetVersionInfo() => new("SELCOLST", 0x00010001, 0x00010001, 0x00010001, typeof(ColumnSelectingTransformer).Assembly.FullName!, LoaderSignature);

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.Writer.Write(KeepColumns != null);
        ctx.Writer.Write(KeepHidden);
        var names = KeepColumns ?? DropColumns!;
        ctx.Writer.Write(names.Length);
        foreach (var n in names)
        {
            ctx.SaveNonEmptyString(n);
        }
    }

    private static ColumnSelectingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(GetVersionInfo());
        bool keep = ctx.Reader.ReadBoolean();
        bool hidden = ctx.Reader.ReadBoolean();
        int n = ctx.Reader.ReadInt32();
        if (n < 0 || n > 1_000_000)
        {
            throw new FormatException($"Selection of {n} columns in '{ctx.Directory}'.");
        }

        var names = new string[n];
        for (int i = 0; i < n; i++)
        {
            names[i] = ctx.LoadNonEmptyString();
        }

        return keep ? new ColumnSelectingTransformer(names, null, hidden) : new ColumnSelectingTransformer(null, names, hidden);
    }

    private protected override RowMapping MakeMapping(DataViewSchema inputSchema)
    {
        var indices = new List<int>();
        if (KeepColumns != null)
        {
            foreach (var n in KeepColumns)
            {
                var visible = SchemaChecks.FindInput(inputSchema, n);
                if (KeepHidden)
                {
                    indices.AddRange(inputSchema.Where(c => c.Name == n).Select(c => c.Index));
                }
                else
                {
                    indices.Add(visible.Index);
                }
            }
        }
        else
        {
            foreach (var n in DropColumns!)
            {
                SchemaChecks.FindInput(inputSchema, n);
            }

            var drop = new HashSet<string>(DropColumns!, StringComparer.Ordinal);
            indices.AddRange(inputSchema.Where(c => !drop.Contains(c.Name) && (KeepHidden || !c.IsHidden)).Select(c => c.Index));
        }

        return RowMapping.Select(inputSchema, indices);
    }
}
