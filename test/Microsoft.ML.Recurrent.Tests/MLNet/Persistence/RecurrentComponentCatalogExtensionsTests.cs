using System.Reflection;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.MLNet.Trainers;
using Microsoft.ML.Runtime;
using static Microsoft.ML.Recurrent.Tests.MLNet.Trainers.SequenceTasks;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Persistence;

/// <summary>The registration official ML.NET needs (<c>RegisterRecurrent</c>), run through the reflection binding against Compat.</summary>
public sealed class RecurrentComponentCatalogExtensionsTests
{
    private static bool IsRegistered(ComponentCatalog catalog, string loaderSignature)
    {
        var signature = typeof(ComponentCatalog).Assembly.GetType("Microsoft.ML.SignatureLoadModel", throwOnError: true)!;
        var find = typeof(ComponentCatalog).GetMethod("TryFindLoadableClass", BindingFlags.Instance | BindingFlags.NonPublic)!;
        object?[] args = [signature, loaderSignature, null];
        return (bool)find.Invoke(catalog, args)!;
    }

    [Fact]
    public void Reflection_registration_lists_every_trainer_loader_and_a_trained_model_round_trips_through_that_binding()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Binary(32, seed: 31));
        var model = ml.BinaryClassification.Trainers.Lstm(units: 4, maxEpochs: 1).Fit(data);
        var binding = new ReflectionInternals();
        byte[] bytes;
        using (MLNetInternals.Use(binding))
        using (var stream = new MemoryStream())
        {
            ml.Model.Save(model, data.Schema, stream);
            bytes = stream.ToArray();
        }

        var fresh = new MLContext(seed: 2);
        string[] loaders = [RecurrentRegressionTransformer.LoaderSignature, RecurrentBinaryTransformer.LoaderSignature, RecurrentMulticlassTransformer.LoaderSignature];
        Assert.All(loaders, l => Assert.False(IsRegistered(fresh.ComponentCatalog, l)));
        RecurrentComponentCatalogExtensions.RegisterLoaders(fresh.ComponentCatalog, binding);
        Assert.All(loaders, l => Assert.True(IsRegistered(fresh.ComponentCatalog, l)));
        RecurrentComponentCatalogExtensions.RegisterLoaders(fresh.ComponentCatalog, binding); // twice is harmless
        fresh.ComponentCatalog.RegisterRecurrent(); // the public call: a no-op with Compat

        ITransformer reloaded;
        using (MLNetInternals.Use(binding)) reloaded = fresh.Model.Load(new MemoryStream(bytes), out _);
        Assert.Equal(
            Trainers.TrainerAssertions.Column(model.Transform(data), "Score"),
            Trainers.TrainerAssertions.Column(reloaded.Transform(data), "Score"));
    }
}
