using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Compat.Tests;

public class ApiSurfaceTests
{
    private static readonly Assembly Compat = typeof(MLContext).Assembly;

    [Fact]
    public void PublicTypes_LiveOnlyInMlNetNamespaces()
    {
        var allowed = new[] { "Microsoft.ML", "Microsoft.ML.Data", "Microsoft.ML.Runtime", "Microsoft.ML.Transforms", "Microsoft.ML.Trainers" };
        var outside = Compat.GetExportedTypes().Where(t => !allowed.Contains(t.Namespace)).Select(t => t.FullName).ToList();
        Assert.Empty(outside);
        Assert.DoesNotContain(Compat.GetTypes(), t => t.Namespace == "Microsoft.ML.Compat.Internal" && (t.IsPublic || t.IsNestedPublic));
    }

    [Fact]
    public void PersistenceInfrastructure_IsInternal_AsInOfficialMlNet()
    {
        Assert.False(Compat.GetType("Microsoft.ML.ModelLoadContext")!.IsPublic);
        Assert.False(Compat.GetType("Microsoft.ML.VersionInfo")!.IsPublic);
        Assert.False(Compat.GetType("Microsoft.ML.LoadableClassAttribute")!.IsPublic);
        Assert.False(Compat.GetType("Microsoft.ML.SignatureLoadModel")!.IsPublic);
        var saveContextPublic = typeof(ModelSaveContext).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly).Select(m => m.Name).ToList();
        Assert.Equal(new[] { "Dispose" }, saveContextPublic);
        Assert.Empty(typeof(ModelSaveContext).GetConstructors());
        Assert.Empty(typeof(ComponentCatalog).GetConstructors());
        Assert.Equal(new[] { "RegisterAssembly" }, typeof(ComponentCatalog).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(m => m.Name));
    }

    [Theory]
    [InlineData(typeof(SchemaShape.Column))]
    [InlineData(typeof(DataViewSchema.Column))]
    [InlineData(typeof(RegressionMetrics))]
    [InlineData(typeof(BinaryClassificationMetrics))]
    [InlineData(typeof(CalibratedBinaryClassificationMetrics))]
    [InlineData(typeof(MulticlassClassificationMetrics))]
    [InlineData(typeof(ConfusionMatrix))]
    [InlineData(typeof(PredictionEngine<object, object>))]
    [InlineData(typeof(TrainerInfo))]
    [InlineData(typeof(TransformsCatalog))]
    [InlineData(typeof(DataOperationsCatalog))]
    [InlineData(typeof(ModelOperationsCatalog))]
    [InlineData(typeof(RowToRowTransformerBase))]
    [InlineData(typeof(TrivialEstimator<ITransformer>))]
    [InlineData(typeof(DataViewType))]
    public void NoCtorTypes_HaveNoPublicOrProtectedConstructors(Type type)
    {
        Assert.DoesNotContain(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance), c => c.IsPublic || c.IsFamily);
    }

    [Fact]
    public void ThirdPartySubclassing_IsAllowedWhereMlNetAllowsIt()
    {
        Assert.Contains(typeof(DataViewRow).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance), c => c.IsFamily);
        Assert.Contains(typeof(PrimitiveDataViewType).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance), c => c.IsFamily);
        Assert.Contains(typeof(StructuredDataViewType).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance), c => c.IsFamily);
        Assert.Contains(typeof(Microsoft.ML.Transforms.CustomMappingFactory<object, object>).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance), c => c.IsFamily);
    }

    [Fact]
    public void CatalogMethods_KeepMlNetParameterNamesAndDefaults()
    {
        var normalize = typeof(NormalizationCatalog).GetMethods().First(m => m.Name == "NormalizeMinMax" && m.GetParameters()[1].ParameterType == typeof(string));
        Assert.Equal(new[] { "catalog", "outputColumnName", "inputColumnName", "maximumExampleCount", "fixZero" }, normalize.GetParameters().Select(p => p.Name));
        Assert.Equal(1000000000L, normalize.GetParameters()[3].DefaultValue);
        Assert.Equal(true, normalize.GetParameters()[4].DefaultValue);

        var split = typeof(DataOperationsCatalog).GetMethod("TrainTestSplit")!;
        Assert.Equal(new[] { "data", "testFraction", "samplingKeyColumnName", "seed" }, split.GetParameters().Select(p => p.Name));
        Assert.Equal(0.1, split.GetParameters()[1].DefaultValue);

        var engine = typeof(ModelOperationsCatalog).GetMethods().First(m => m.Name == "CreatePredictionEngine" && m.GetParameters().Length == 4);
        Assert.Equal(true, engine.GetParameters()[1].DefaultValue);

        var binary = typeof(BinaryClassificationCatalog).GetMethod("Evaluate")!;
        Assert.Equal(new object[] { "Label", "Score", "Probability", "PredictedLabel" }, binary.GetParameters().Skip(1).Select(p => p.DefaultValue));

        var text = typeof(TextLoaderSaverCatalog).GetMethods().First(m => m.Name == "LoadFromTextFile" && m.IsGenericMethod && m.GetParameters().Length == 7);
        Assert.Equal(new[] { "catalog", "path", "separatorChar", "hasHeader", "allowQuoting", "trimWhitespace", "allowSparse" }, text.GetParameters().Select(p => p.Name));
        Assert.Equal('\t', text.GetParameters()[2].DefaultValue);
    }
}
