using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

[assembly: Microsoft.ML.LoadableClass(typeof(Microsoft.ML.ITransformer), typeof(Microsoft.ML.Transforms.NormalizingTransformer), null, typeof(Microsoft.ML.SignatureLoadModel), "Normalizer", Microsoft.ML.Transforms.NormalizingTransformer.LoaderSignature)]

namespace Microsoft.ML.Transforms;

/// <summary>
/// Learns per-slot affine normalization y = (x - offset) * scale from the data in one pass, for Single or Double columns
/// (scalars or known-size vectors). See <see cref="NormalizationCatalog"/>.
/// </summary>
public sealed class NormalizingEstimator : IEstimator<NormalizingTransformer>
{
    private readonly MLContext _context;
    private readonly NormalizerSpec[] _columns;

    internal NormalizingEstimator(MLContext context, NormalizerSpec[] columns)
    {
        _context = context;
        _columns = columns;
    }

    /// <summary>The normalization modes.</summary>
    internal enum NormalizationMode
    {
        /// <summary>Scales by the minimum and maximum.</summary>
        MinMax = 0,

        /// <summary>Scales by the mean and variance.</summary>
        MeanVariance = 1,
    }

    /// <summary>Computes the statistics of every input column in a single pass and returns the transformer.</summary>
    /// <param name="input">The training data.</param>
    public NormalizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var sources = _columns.Select(c => CheckInput(input.Schema, c.InputColumnName)).ToArray();
        var stats = sources.Select(s => SlotStatistics.Create(s)).ToArray();
        long maxRows = _columns.Min(c => c.MaximumExampleCount);
        using (var cursor = input.GetRowCursor(sources.DistinctBy(s => s.Index)))
        {
            var update = stats.Select(s => s.Bind(cursor)).ToArray();
            long rows = 0;
            while (rows < maxRows && cursor.MoveNext())
            {
                foreach (var u in update)
                {
                    u();
                }

                rows++;
            }
        }

        var fitted = new NormalizingTransformer.FittedColumn[_columns.Length];
        for (int i = 0; i < _columns.Length; i++)
        {
            var (scale, offset) = stats[i].Compute(_columns[i]);
            fitted[i] = new NormalizingTransformer.FittedColumn(_columns[i].OutputColumnName, _columns[i].InputColumnName, sources[i].Type, scale, offset);
        }

        _context.Report(nameof(NormalizingEstimator), Runtime.ChannelMessageKind.Trace, $"Normalized {_columns.Length} column(s).");
        return new NormalizingTransformer(fitted);
    }

    internal static DataViewSchema.Column CheckInput(DataViewSchema schema, string name)
    {
        var col = SchemaChecks.FindInput(schema, name);
        var item = col.Type is VectorDataViewType v ? v.ItemType : col.Type;
        if ((item.RawType != typeof(float) && item.RawType != typeof(double)) || item is KeyDataViewType || (col.Type is VectorDataViewType vt && !vt.IsKnownSize))
        {
            throw DataViewErrors.SchemaMismatch("inputSchema", "input", name, "known-size vector or scalar of Single or Double", col.Type.ToString()!);
        }

        return col;
    }

    /// <summary>Returns the input shape plus the normalized columns (annotated IsNormalized).</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var added = new List<SchemaShape.Column>();
        foreach (var c in _columns)
        {
            var src = SchemaChecks.FindInput(inputSchema, c.InputColumnName);
            if (src.Kind == SchemaShape.Column.VectorKind.VariableVector || src.IsKey || !(src.ItemType.Equals(NumberDataViewType.Single) || src.ItemType.Equals(NumberDataViewType.Double)))
            {
                throw DataViewErrors.SchemaMismatch(nameof(inputSchema), "input", c.InputColumnName, "known-size vector or scalar of Single or Double", src.GetTypeString());
            }

            var kinds = src.Annotations.Any(a => a.Name == AnnotationKinds.SlotNames) ? new[] { AnnotationKinds.SlotNames, AnnotationKinds.IsNormalized } : new[] { AnnotationKinds.IsNormalized };
            added.Add(new SchemaShape.Column(c.OutputColumnName, src.Kind, src.ItemType, false, SchemaChecks.Annotations(kinds)));
        }

        return SchemaChecks.AddColumns(inputSchema, added);
    }
}

/// <summary>The settings of one column to normalize.</summary>
internal sealed record NormalizerSpec(string OutputColumnName, string InputColumnName, NormalizingEstimator.NormalizationMode Mode, long MaximumExampleCount, bool FixZero)
{
    public static NormalizerSpec Create(string outputColumnName, string? inputColumnName, NormalizingEstimator.NormalizationMode mode, long maximumExampleCount, bool fixZero)
    {
        SchemaChecks.CheckName(outputColumnName, nameof(outputColumnName));
        if (maximumExampleCount <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maximumExampleCount), maximumExampleCount, "Must be greater than 1.");
        }

        return new NormalizerSpec(outputColumnName, inputColumnName ?? outputColumnName, mode, maximumExampleCount, fixZero);
    }
}

/// <summary>Per-slot running statistics (min, max, mean, variance) of a Single or Double column, in double precision.</summary>
internal sealed class SlotStatistics
{
    private readonly DataViewSchema.Column _column;
    private readonly int _size;
    private readonly double[] _min;
    private readonly double[] _max;
    private readonly double[] _mean;
    private readonly double[] _m2;
    private readonly long[] _count;

    private SlotStatistics(DataViewSchema.Column column)
    {
        _column = column;
        _size = column.Type is VectorDataViewType v ? v.Size : 1;
        _min = Enumerable.Repeat(double.PositiveInfinity, _size).ToArray();
        _max = Enumerable.Repeat(double.NegativeInfinity, _size).ToArray();
        _mean = new double[_size];
        _m2 = new double[_size];
        _count = new long[_size];
    }

    public static SlotStatistics Create(DataViewSchema.Column column) => new(column);

    private void Add(int slot, double x)
    {
        if (double.IsNaN(x))
        {
            return;
        }

        if (x < _min[slot])
        {
            _min[slot] = x;
        }

        if (x > _max[slot])
        {
            _max[slot] = x;
        }

        // Welford's update keeps the variance accurate in one pass.
        long n = ++_count[slot];
        double delta = x - _mean[slot];
        _mean[slot] += delta / n;
        _m2[slot] += delta * (x - _mean[slot]);
    }

    public Action Bind(DataViewRow row)
    {
        bool isFloat = (_column.Type is VectorDataViewType v ? v.ItemType : _column.Type).RawType == typeof(float);
        if (_column.Type is VectorDataViewType)
        {
            if (isFloat)
            {
                var g = row.GetGetter<VBuffer<float>>(_column);
                VBuffer<float> buf = default;
                return () =>
                {
                    g(ref buf);
                    CheckLength(buf.Length);
                    AddAll(buf.GetValues(), buf.IsDense ? default : buf.GetIndices(), buf.IsDense);
                };
            }

            var gd = row.GetGetter<VBuffer<double>>(_column);
            VBuffer<double> bufd = default;
            return () =>
            {
                gd(ref bufd);
                CheckLength(bufd.Length);
                AddAll(bufd.GetValues(), bufd.IsDense ? default : bufd.GetIndices(), bufd.IsDense);
            };
        }

        if (isFloat)
        {
            var s = row.GetGetter<float>(_column);
            float f = 0;
            return () =>
            {
                s(ref f);
                Add(0, f);
            };
        }

        var sd = row.GetGetter<double>(_column);
        double d = 0;
        return () =>
        {
            sd(ref d);
            Add(0, d);
        };
    }

    private void AddAll<T>(ReadOnlySpan<T> values, ReadOnlySpan<int> indices, bool dense)
        where T : struct
    {
        if (dense)
        {
            for (int i = 0; i < values.Length; i++)
            {
                Add(i, ToDouble(values[i]));
            }

            return;
        }

        // Implicit entries of a sparse vector are zeros and count in the statistics.
        int next = 0;
        for (int i = 0; i < _size; i++)
        {
            Add(i, next < indices.Length && indices[next] == i ? ToDouble(values[next++]) : 0);
        }
    }

    private static double ToDouble<T>(T value) =>
        typeof(T) == typeof(float) ? System.Runtime.CompilerServices.Unsafe.As<T, float>(ref value) : System.Runtime.CompilerServices.Unsafe.As<T, double>(ref value);

    private void CheckLength(int length)
    {
        if (length != _size)
        {
            throw new InvalidOperationException($"Column '{_column.Name}' declared {_size} slots but a row has {length}.");
        }
    }

    /// <summary>Computes scale and offset per slot following ML.NET: slots without spread get scale 0.</summary>
    public (double[] Scale, double[] Offset) Compute(NormalizerSpec spec)
    {
        var scale = new double[_size];
        var offset = new double[_size];
        bool isFloat = (_column.Type is VectorDataViewType v ? v.ItemType : _column.Type).RawType == typeof(float);
        for (int i = 0; i < _size; i++)
        {
            if (spec.Mode == NormalizingEstimator.NormalizationMode.MinMax)
            {
                double min = _min[i];
                double max = _max[i];
                if (isFloat)
                {
                    float fmin = (float)min;
                    float fmax = (float)max;
                    if (!(fmax > fmin))
                    {
                        continue;
                    }

                    scale[i] = spec.FixZero ? 1 / Math.Max(-fmin, fmax) : 1 / (fmax - fmin);
                    offset[i] = spec.FixZero ? 0 : fmin;
                }
                else
                {
                    if (!(max > min))
                    {
                        continue;
                    }

                    scale[i] = spec.FixZero ? 1 / Math.Max(-min, max) : 1 / (max - min);
                    offset[i] = spec.FixZero ? 0 : min;
                }
            }
            else
            {
                double mean = _count[i] == 0 ? 0 : _mean[i];
                double variance = _count[i] == 0 ? 0 : _m2[i] / _count[i];
                double std = spec.FixZero ? Math.Sqrt(variance + (mean * mean)) : Math.Sqrt(variance);
                if (!(std > 0) || !(variance > 0))
                {
                    continue;
                }

                scale[i] = 1 / std;
                offset[i] = spec.FixZero ? 0 : mean;
            }
        }

        return (scale, offset);
    }
}

/// <summary>Applies the per-slot affine normalization learned by <see cref="NormalizingEstimator"/>.</summary>
public sealed class NormalizingTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "Normalizer";
    private readonly FittedColumn[] _columns;

    internal NormalizingTransformer(FittedColumn[] columns)
    {
        _columns = columns;
    }

    /// <summary>The (output, input) column pairs of the transformer.</summary>
    internal IReadOnlyList<(string outputColumnName, string inputColumnName)> Columns => _columns.Select(c => (c.Output, c.Input)).ToArray();

    /// <summary>Returns the scale and offset learned for column <paramref name="index"/>.</summary>
    /// <param name="index">The index of the column, in the order the columns were given.</param>
    /// <returns>An <see cref="AffineNormalizerModelParameters{TData}"/> whose TData is float (or double) for scalars and an ImmutableArray of them for vectors.</returns>
    public NormalizerModelParametersBase GetNormalizerModelParameters(int index)
    {
        if ((uint)index >= (uint)_columns.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Must be between 0 and {_columns.Length - 1}.");
        }

        var c = _columns[index];
        bool isFloat = c.ItemType.RawType == typeof(float);
        bool vector = c.Type is VectorDataViewType;
        return (isFloat, vector) switch
        {
            (true, false) => new AffineNormalizerModelParameters<float>((float)c.Scale[0], (float)c.Offset[0]),
            (true, true) => new AffineNormalizerModelParameters<ImmutableArray<float>>(c.Scale.Select(x => (float)x).ToImmutableArray(), c.Offset.Select(x => (float)x).ToImmutableArray()),
            (false, false) => new AffineNormalizerModelParameters<double>(c.Scale[0], c.Offset[0]),
            _ => new AffineNormalizerModelParameters<ImmutableArray<double>>(c.Scale.ToImmutableArray(), c.Offset.ToImmutableArray()),
        };
    }

    /// <summary>The base of the parameters a normalizer learned for one column.</summary>
    public abstract class NormalizerModelParametersBase
    {
        private protected NormalizerModelParametersBase()
        {
        }
    }

    /// <summary>The parameters of an affine normalizer: y = (x - <see cref="Offset"/>) * <see cref="Scale"/>.</summary>
    /// <typeparam name="TData">float or double for scalar columns; ImmutableArray of them (one per slot) for vector columns.</typeparam>
    public sealed class AffineNormalizerModelParameters<TData> : NormalizerModelParametersBase
    {
        internal AffineNormalizerModelParameters(TData scale, TData offset)
        {
            Scale = scale;
            Offset = offset;
        }

        /// <summary>The scale per slot.</summary>
        public TData Scale { get; }

        /// <summary>The offset per slot (all zero when fixZero was true).</summary>
        public TData Offset { get; }
    }

    internal sealed class FittedColumn
    {
        public FittedColumn(string output, string input, DataViewType type, double[] scale, double[] offset)
        {
            Output = output;
            Input = input;
            Type = type;
            ItemType = type is VectorDataViewType v ? v.ItemType : (PrimitiveDataViewType)type;
            Scale = scale;
            Offset = offset;
        }

        public string Output { get; }

        public string Input { get; }

        public DataViewType Type { get; }

        public PrimitiveDataViewType ItemType { get; }

        public double[] Scale { get; }

        public double[] Offset { get; }
    }

    private static VersionInfo GetVersionInfo() => new("NORMALZR", 0x00010001, 0x00010001, 0x00010001, typeof(NormalizingTransformer).Assembly.FullName!, LoaderSignature);

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.Writer.Write(_columns.Length);
        for (int i = 0; i < _columns.Length; i++)
        {
            var c = _columns[i];
            ctx.SaveNonEmptyString(c.Output);
            ctx.SaveNonEmptyString(c.Input);
            DataViewTypeCodec.Write(ctx.Writer, c.Type);
            foreach (var x in c.Scale)
            {
                ctx.Writer.Write(x);
            }

            foreach (var x in c.Offset)
            {
                ctx.Writer.Write(x);
            }

            ctx.SaveTextStream($"AffineNormalizer_{i:000}.txt", w =>
            {
                w.WriteLine($"# Affine normalizer of '{c.Input}' into '{c.Output}': y = (x - offset) * scale");
                for (int s = 0; s < c.Scale.Length; s++)
                {
                    w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s}\t{c.Scale[s]:R}\t{c.Offset[s]:R}"));
                }
            });
        }
    }

    private static NormalizingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(GetVersionInfo());
        int n = ctx.Reader.ReadInt32();
        if (n <= 0 || n > 100_000)
        {
            throw new FormatException($"Normalizer of {n} columns in '{ctx.Directory}'.");
        }

        var cols = new FittedColumn[n];
        for (int i = 0; i < n; i++)
        {
            string output = ctx.LoadNonEmptyString();
            string input = ctx.LoadNonEmptyString();
            var type = DataViewTypeCodec.Read(ctx.Reader);
            int size = type is VectorDataViewType v ? v.Size : 1;
            if (size <= 0 || size > 100_000_000)
            {
                throw new FormatException($"Normalizer column '{output}' has {size} slots.");
            }

            var scale = new double[size];
            var offset = new double[size];
            for (int s = 0; s < size; s++)
            {
                scale[s] = ctx.Reader.ReadDouble();
            }

            for (int s = 0; s < size; s++)
            {
                offset[s] = ctx.Reader.ReadDouble();
            }

            cols[i] = new FittedColumn(output, input, type, scale, offset);
        }

        return new NormalizingTransformer(cols);
    }

    private protected override RowMapping MakeMapping(DataViewSchema inputSchema)
    {
        var added = new List<ComputedColumn>();
        foreach (var c in _columns)
        {
            var src = NormalizingEstimator.CheckInput(inputSchema, c.Input);
            if (!src.Type.Equals(c.Type))
            {
                throw DataViewErrors.SchemaMismatch(nameof(inputSchema), "input", c.Input, c.Type.ToString()!, src.Type.ToString()!);
            }

            var builder = new DataViewSchema.Annotations.Builder();
            builder.Add(src.Annotations, k => k == AnnotationKinds.SlotNames);
            builder.AddPrimitiveValue(AnnotationKinds.IsNormalized, BooleanDataViewType.Instance, true);
            string method = (c.ItemType.RawType == typeof(float) ? "Float" : "Double") + (c.Type is VectorDataViewType ? "Vector" : "Scalar");
            var mi = typeof(NormalizingTransformer).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!;
            var fitted = c;
            added.Add(new ComputedColumn(c.Output, c.Type, new[] { src.Index }, (row, _) => (Delegate)mi.Invoke(null, new object[] { row, src, fitted })!, builder.ToAnnotations()));
        }

        return RowMapping.Append(inputSchema, added);
    }

    private static ValueGetter<float> FloatScalar(DataViewRow row, DataViewSchema.Column src, FittedColumn c)
    {
        var g = row.GetGetter<float>(src);
        float scale = (float)c.Scale[0];
        float offset = (float)c.Offset[0];
        return (ref float dst) =>
        {
            g(ref dst);
            dst = (dst - offset) * scale;
        };
    }

    private static ValueGetter<double> DoubleScalar(DataViewRow row, DataViewSchema.Column src, FittedColumn c)
    {
        var g = row.GetGetter<double>(src);
        double scale = c.Scale[0];
        double offset = c.Offset[0];
        return (ref double dst) =>
        {
            g(ref dst);
            dst = (dst - offset) * scale;
        };
    }

    private static ValueGetter<VBuffer<float>> FloatVector(DataViewRow row, DataViewSchema.Column src, FittedColumn c)
    {
        var g = row.GetGetter<VBuffer<float>>(src);
        var scale = c.Scale.Select(x => (float)x).ToArray();
        var offset = c.Offset.Select(x => (float)x).ToArray();
        VBuffer<float> buf = default;
        return (ref VBuffer<float> dst) =>
        {
            g(ref buf);
            var editor = VBufferEditor.Create(ref dst, scale.Length);
            buf.CopyTo(editor.Values);
            for (int i = 0; i < scale.Length; i++)
            {
                editor.Values[i] = (editor.Values[i] - offset[i]) * scale[i];
            }

            dst = editor.Commit();
        };
    }

    private static ValueGetter<VBuffer<double>> DoubleVector(DataViewRow row, DataViewSchema.Column src, FittedColumn c)
    {
        var g = row.GetGetter<VBuffer<double>>(src);
        VBuffer<double> buf = default;
        return (ref VBuffer<double> dst) =>
        {
            g(ref buf);
            var editor = VBufferEditor.Create(ref dst, c.Scale.Length);
            buf.CopyTo(editor.Values);
            for (int i = 0; i < c.Scale.Length; i++)
            {
                editor.Values[i] = (editor.Values[i] - c.Offset[i]) * c.Scale[i];
            }

            dst = editor.Commit();
        };
    }
}
