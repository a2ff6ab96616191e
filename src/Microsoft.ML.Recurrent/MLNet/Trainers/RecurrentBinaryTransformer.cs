using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.MLNet.Trainers;
using Microsoft.ML.Runtime;

#if !MLNET_OFFICIAL
[assembly: LoadableClass(typeof(ITransformer), typeof(RecurrentBinaryTransformer), null, typeof(SignatureLoadModel), "Recurrent binary classification", RecurrentBinaryTransformer.LoaderSignature)]
#endif
[assembly: RecurrentLoader(typeof(RecurrentBinaryTransformer), RecurrentBinaryTransformer.LoaderSignature)]

namespace Microsoft.ML.Recurrent.MLNet.Trainers;

/// <summary>
/// A fitted recurrent binary classifier. Appends, as ML.NET's calibrated binary trainers do, <c>Score</c> (Single, the
/// logit), <c>Probability</c> (Single, the sigmoid of the logit) and <c>PredictedLabel</c> (Boolean, <c>Score &gt; 0</c>).
/// </summary>
public sealed class RecurrentBinaryTransformer : RecurrentPredictionTransformer
{
    internal const string LoaderSignature = "RecurrentBinaryXf";
    private static readonly ModelVersion s_version = new("RNNBINRY", 0x00010001, 0x00010001, 0x00010001, LoaderSignature);

    internal RecurrentBinaryTransformer(RecurrentModelParameters model, string featureColumnName, DataViewType featureColumnType)
        : base(model, featureColumnName, featureColumnType)
    {
    }

    private protected override ModelVersion Version => s_version;

    private protected override IReadOnlyList<DataViewSchema.DetachedColumn> OutputColumns =>
    [
        new("Score", NumberDataViewType.Single),
        new("Probability", NumberDataViewType.Single),
        new("PredictedLabel", BooleanDataViewType.Instance),
    ];

    private protected override void SaveTask(BinaryWriter writer)
    {
    }

    private protected override Delegate[] MakeGetters(Func<float[]> outputs)
    {
        ValueGetter<float> score = (ref float dst) => dst = outputs()[0];
        ValueGetter<float> probability = (ref float dst) => dst = 1f / (1f + MathF.Exp(-outputs()[0]));
        ValueGetter<bool> predicted = (ref bool dst) => dst = outputs()[0] > 0;
        return [score, probability, predicted];
    }

    private static ITransformer Create(IHostEnvironment env, object ctx)
    {
        var (model, name, type, _) = LoadCommon(ctx, s_version);
        return new RecurrentBinaryTransformer(model, name, type);
    }
}
