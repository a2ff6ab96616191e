using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

[assembly: Microsoft.ML.LoadableClass(typeof(Microsoft.ML.ITransformer), typeof(Microsoft.ML.Compat.Tests.Model.ScaleTransformer), null, typeof(Microsoft.ML.SignatureLoadModel), "Test scale", Microsoft.ML.Compat.Tests.Model.ScaleTransformer.LoaderSignature)]

namespace Microsoft.ML.Compat.Tests.Model;

/// <summary>
/// A third-party transformer living outside Compat (as the Recurrent extension will): it multiplies a Single column,
/// persists itself through the internal ModelSaveContext members, and loads through a registered loader signature.
/// </summary>
internal sealed class ScaleTransformer : ITransformer, IDisposable
{
    public const string LoaderSignature = "TestScaleXf";

    public ScaleTransformer(string column, float factor, float[] weights)
    {
        Column = column;
        Factor = factor;
        Weights = weights;
    }

    public string Column { get; }

    public float Factor { get; }

    public float[] Weights { get; }

    public bool Disposed { get; private set; }

    public bool IsRowToRowMapper => true;

    private static VersionInfo GetVersionInfo() => new("TP SCALE", 0x00010002, 0x00010001, 0x00010001, typeof(ScaleTransformer).Assembly.FullName!, LoaderSignature);

    private RowMapping MakeMapping(DataViewSchema input)
    {
        var src = input.GetColumnOrNull(Column) ?? throw new ArgumentOutOfRangeException(nameof(input), $"Could not find input column '{Column}'");
        var computed = new ComputedColumn("Scaled", NumberDataViewType.Single, new[] { src.Index }, (row, _) =>
        {
            var g = row.GetGetter<float>(src);
            return (ValueGetter<float>)((ref float dst) =>
            {
                g(ref dst);
                dst = (dst * Factor) + Weights.Sum();
            });
        });
        return RowMapping.Append(input, new[] { computed });
    }

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => MakeMapping(inputSchema).OutputSchema;

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new MappedRowToRowMapper(MakeMapping(inputSchema));

    public IDataView Transform(IDataView input) => new MappedDataView(input, MakeMapping(input.Schema));

    public void Save(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.SaveNonEmptyString(Column);
        ctx.Writer.Write(Factor);
        ctx.SaveBinaryStream("Weights.bin", w =>
        {
            w.Write(Weights.Length);
            foreach (var x in Weights)
            {
                w.Write(x);
            }
        });
        ctx.SaveTextStream("Config.json", w => w.Write($"{{\"factor\": {Factor}}}"));
    }

    private static ScaleTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(GetVersionInfo());
        string column = ctx.LoadNonEmptyString();
        float factor = ctx.Reader.ReadSingle();
        float[] weights = Array.Empty<float>();
        if (!ctx.TryLoadBinaryStream("Weights.bin", r => weights = Enumerable.Range(0, r.ReadInt32()).Select(_ => r.ReadSingle()).ToArray()))
        {
            throw new FormatException("Weights.bin is missing.");
        }

        return new ScaleTransformer(column, factor, weights);
    }

    public void Dispose() => Disposed = true;
}

/// <summary>A transformer that is not a row-to-row mapper.</summary>
internal sealed class NotRowMapperTransformer : ITransformer
{
    public bool IsRowToRowMapper => false;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new InvalidOperationException("Not a row mapper.");

    public IDataView Transform(IDataView input) => input;

    public void Save(ModelSaveContext ctx) => throw new InvalidOperationException("Not savable.");
}
