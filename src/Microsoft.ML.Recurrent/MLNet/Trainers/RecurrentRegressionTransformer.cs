using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.MLNet.Trainers;
using Microsoft.ML.Runtime;

#if !MLNET_OFFICIAL
[assembly: LoadableClass(typeof(ITransformer), typeof(RecurrentRegressionTransformer), null, typeof(SignatureLoadModel), "Recurrent regression", RecurrentRegressionTransformer.LoaderSignature)]
#endif
[assembly: RecurrentLoader(typeof(RecurrentRegressionTransformer), RecurrentRegressionTransformer.LoaderSignature)]

namespace Microsoft.ML.Recurrent.MLNet.Trainers;

/// <summary>
/// A fitted recurrent regression model. Appends <c>Score</c>: Single for a Single label, or
/// <c>Vector&lt;Single, n&gt;</c> for a vector label of n outputs.
/// </summary>
public sealed class RecurrentRegressionTransformer : RecurrentPredictionTransformer
{
    internal const string LoaderSignature = "RecurrentRegressionXf";
    private static readonly ModelVersion s_version = new("RNNREGRS", 0x00010001, 0x00010001, 0x00010001, LoaderSignature);

    internal RecurrentRegressionTransformer(RecurrentModelParameters model, string featureColumnName, DataViewType featureColumnType, bool vectorScore, string scoreColumnName = "Score")
        : base(model, featureColumnName, featureColumnType)
    {
        IsVectorScore = vectorScore || model.Outputs > 1;
        ScoreColumnName = scoreColumnName;
    }

    /// <summary>Whether <c>Score</c> is a vector (the label was a vector).</summary>
    public bool IsVectorScore { get; }

    /// <summary>The score column, <c>"Score"</c>.</summary>
    public string ScoreColumnName { get; }

    private protected override ModelVersion Version => s_version;

    private protected override IReadOnlyList<DataViewSchema.DetachedColumn> OutputColumns =>
        [new(ScoreColumnName, IsVectorScore ? new VectorDataViewType(NumberDataViewType.Single, Model.Outputs) : NumberDataViewType.Single)];

    private protected override void SaveTask(BinaryWriter writer)
    {
        writer.Write(IsVectorScore);
        writer.Write(ScoreColumnName);
    }

    private protected override Delegate[] MakeGetters(Func<float[]> outputs)
    {
        if (IsVectorScore)
        {
            ValueGetter<VBuffer<float>> vector = (ref VBuffer<float> dst) =>
            {
                var y = outputs();
                var editor = VBufferEditor.Create(ref dst, y.Length);
                y.CopyTo(editor.Values);
                dst = editor.Commit();
            };
            return [vector];
        }
        ValueGetter<float> scalar = (ref float dst) => dst = outputs()[0];
        return [scalar];
    }

    private static ITransformer Create(IHostEnvironment env, object ctx)
    {
        var (model, name, type, reader) = LoadCommon(ctx, s_version);
        bool vector = reader.ReadBoolean();
        string score = reader.ReadString();
        return new RecurrentRegressionTransformer(model, name, type, vector, score);
    }
}
