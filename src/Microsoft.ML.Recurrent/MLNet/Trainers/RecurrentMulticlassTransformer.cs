using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.MLNet.Trainers;
using Microsoft.ML.Runtime;

#if !MLNET_OFFICIAL
[assembly: LoadableClass(typeof(ITransformer), typeof(RecurrentMulticlassTransformer), null, typeof(SignatureLoadModel), "Recurrent multiclass classification", RecurrentMulticlassTransformer.LoaderSignature)]
#endif
[assembly: RecurrentLoader(typeof(RecurrentMulticlassTransformer), RecurrentMulticlassTransformer.LoaderSignature)]

namespace Microsoft.ML.Recurrent.MLNet.Trainers;

/// <summary>
/// A fitted recurrent multiclass classifier. Appends, as ML.NET's multiclass trainers do, <c>Score</c>
/// (<c>Vector&lt;Single, K&gt;</c>, the class probabilities: softmax of the network's logits) and <c>PredictedLabel</c>
/// (the label's key type, with its text key values when it had them, so <c>MapKeyToValue</c> recovers the class names).
/// </summary>
public sealed class RecurrentMulticlassTransformer : RecurrentPredictionTransformer
{
    internal const string LoaderSignature = "RecurrentMulticlassXf";
    private const string KeyValuesKind = "KeyValues";
    private static readonly ModelVersion s_version = new("RNNMULTI", 0x00010001, 0x00010001, 0x00010001, LoaderSignature);

    private readonly string[]? _keyValues;

    internal RecurrentMulticlassTransformer(RecurrentModelParameters model, string featureColumnName, DataViewType featureColumnType, string[]? keyValues)
        : base(model, featureColumnName, featureColumnType)
    {
        if (keyValues is not null && keyValues.Length != model.Outputs)
            throw new ArgumentException($"{keyValues.Length} key values for {model.Outputs} classes.", nameof(keyValues));
        _keyValues = keyValues;
    }

    /// <summary>The class names (the label's text key values), or null when the label had none.</summary>
    public IReadOnlyList<string>? ClassNames => _keyValues;

    private protected override ModelVersion Version => s_version;

    private protected override IReadOnlyList<DataViewSchema.DetachedColumn> OutputColumns
    {
        get
        {
            DataViewSchema.Annotations? annotations = null;
            if (_keyValues is not null)
            {
                var builder = new DataViewSchema.Annotations.Builder();
                var values = _keyValues.Select(v => v.AsMemory()).ToArray();
                builder.Add(KeyValuesKind, new VectorDataViewType(TextDataViewType.Instance, values.Length),
                    (ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(values.Length, (ReadOnlyMemory<char>[])values.Clone()));
                annotations = builder.ToAnnotations();
            }
            return
            [
                new("Score", new VectorDataViewType(NumberDataViewType.Single, Model.Outputs)),
                new("PredictedLabel", new KeyDataViewType(typeof(uint), Model.Outputs), annotations),
            ];
        }
    }

    /// <summary>The text key values of a key column, or null when it has none (or they are not text).</summary>
    internal static string[]? ReadKeyValues(DataViewSchema.Column column)
    {
        var kv = column.Annotations.Schema.GetColumnOrNull(KeyValuesKind);
        if (kv is null || kv.Value.Type is not VectorDataViewType { ItemType: TextDataViewType }) return null;
        var values = default(VBuffer<ReadOnlyMemory<char>>);
        column.Annotations.GetValue(KeyValuesKind, ref values);
        return values.DenseValues().Select(v => v.ToString()).ToArray();
    }

    private protected override void SaveTask(BinaryWriter writer)
    {
        writer.Write(_keyValues is null ? -1 : _keyValues.Length);
        foreach (var v in _keyValues ?? []) writer.Write(v);
    }

    private protected override Delegate[] MakeGetters(Func<float[]> outputs)
    {
        int classes = Model.Outputs;
        ValueGetter<VBuffer<float>> score = (ref VBuffer<float> dst) =>
        {
            var logits = outputs();
            var editor = VBufferEditor.Create(ref dst, classes);
            Softmax(logits, editor.Values);
            dst = editor.Commit();
        };
        ValueGetter<uint> predicted = (ref uint dst) =>
        {
            var logits = outputs();
            int best = 0;
            for (int k = 1; k < classes; k++) if (logits[k] > logits[best]) best = k;
            dst = (uint)best + 1;
        };
        return [score, predicted];
    }

    private static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logits) max = MathF.Max(max, v);
        float sum = 0;
        for (int k = 0; k < logits.Length; k++) sum += probabilities[k] = MathF.Exp(logits[k] - max);
        for (int k = 0; k < logits.Length; k++) probabilities[k] /= sum;
    }

    private static ITransformer Create(IHostEnvironment env, object ctx)
    {
        var (model, name, type, reader) = LoadCommon(ctx, s_version);
        int count = reader.ReadInt32();
        if (count != -1 && count != model.Outputs) throw new FormatException($"The '{LoaderSignature}' model lists {count} class names for {model.Outputs} classes; the model file is damaged.");
        string[]? keyValues = count < 0 ? null : Enumerable.Range(0, count).Select(_ => reader.ReadString()).ToArray();
        return new RecurrentMulticlassTransformer(model, name, type, keyValues);
    }
}
