// Uses only the public API of Microsoft.ML 4.x, so it compiles unchanged against Microsoft.ML.Compat and the official package.
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MLNetQuickStart;

/// <summary>One training example: three house features and the price.</summary>
public sealed class HouseData
{
    public float Size { get; set; }

    public float Rooms { get; set; }

    public float Age { get; set; }

    public float Label { get; set; }
}

/// <summary>The input of the scoring step: the normalized feature vector.</summary>
public sealed class ScoreInput
{
    [VectorType(3)]
    public float[] Features { get; set; } = new float[3];
}

/// <summary>The output of the scoring step.</summary>
public sealed class ScoreOutput
{
    public float Score { get; set; }
}

/// <summary>What the prediction engine returns.</summary>
public sealed class HousePrediction
{
    public float Score { get; set; }
}

/// <summary>A fixed linear scorer, saved in the model by contract name and found again through this factory when the model is loaded.</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class LinearScoreFactory : CustomMappingFactory<ScoreInput, ScoreOutput>
{
    public const string ContractName = "MLNetQuickStart.LinearScore";

    private static readonly float[] Weights = { 2.0f, 0.5f, -1.0f };
    private const float Bias = 1.0f;

    public static void Map(ScoreInput input, ScoreOutput output)
    {
        float score = Bias;
        for (int i = 0; i < Weights.Length; i++)
        {
            score += Weights[i] * input.Features[i];
        }

        output.Score = score;
    }

    public override Action<ScoreInput, ScoreOutput> GetMapping() => Map;
}

/// <summary>What <see cref="QuickStart.Run"/> measured before and after the save/load round trip.</summary>
public sealed class QuickStartResult
{
    public RegressionMetrics MetricsBefore { get; init; } = null!;

    public RegressionMetrics MetricsAfter { get; init; } = null!;

    public float[] PredictionsBefore { get; init; } = Array.Empty<float>();

    public float[] PredictionsAfter { get; init; } = Array.Empty<float>();

    public string OutputSchema { get; init; } = string.Empty;
}

/// <summary>LoadFromEnumerable → Concatenate → NormalizeMinMax → custom scorer → Evaluate → Save → Load → PredictionEngine.</summary>
public static class QuickStart
{
    public static IReadOnlyList<HouseData> CreateData(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<HouseData>();
        for (int i = 0; i < count; i++)
        {
            float size = 50 + (float)(random.NextDouble() * 150);
            float rooms = 1 + random.Next(6);
            float age = (float)(random.NextDouble() * 80);
            rows.Add(new HouseData { Size = size, Rooms = rooms, Age = age, Label = (2.0f * size / 200) + (0.5f * rooms / 7) - (age / 80) + 1 + ((float)random.NextDouble() * 0.1f) });
        }

        return rows;
    }

    public static QuickStartResult Run(string modelPath, TextWriter log)
    {
        var mlContext = new MLContext(seed: 1);
        var data = CreateData(200, seed: 7);
        IDataView trainingData = mlContext.Data.LoadFromEnumerable(data);

        var pipeline = mlContext.Transforms.Concatenate("Features", nameof(HouseData.Size), nameof(HouseData.Rooms), nameof(HouseData.Age))
            .Append(mlContext.Transforms.NormalizeMinMax("Features"))
            .Append(mlContext.Transforms.CustomMapping<ScoreInput, ScoreOutput>(LinearScoreFactory.Map, LinearScoreFactory.ContractName));

        var model = pipeline.Fit(trainingData);
        var scored = model.Transform(trainingData);
        var metricsBefore = mlContext.Regression.Evaluate(scored, labelColumnName: "Label", scoreColumnName: "Score");
        log.WriteLine($"Before save: RMSE={metricsBefore.RootMeanSquaredError:F4} R2={metricsBefore.RSquared:F4}");

        var samples = data.Take(5).ToList();
        var engine = mlContext.Model.CreatePredictionEngine<HouseData, HousePrediction>(model);
        var before = samples.Select(s => engine.Predict(s).Score).ToArray();

        mlContext.Model.Save(model, trainingData.Schema, modelPath);

        var loadContext = new MLContext(seed: 1);
        loadContext.ComponentCatalog.RegisterAssembly(typeof(LinearScoreFactory).Assembly);
        var loaded = loadContext.Model.Load(modelPath, out var inputSchema);
        var metricsAfter = loadContext.Regression.Evaluate(loaded.Transform(loadContext.Data.LoadFromEnumerable(data)));
        log.WriteLine($"After load:  RMSE={metricsAfter.RootMeanSquaredError:F4} R2={metricsAfter.RSquared:F4} (input schema: {inputSchema.Count} columns)");

        var loadedEngine = loadContext.Model.CreatePredictionEngine<HouseData, HousePrediction>(loaded);
        var after = samples.Select(s => loadedEngine.Predict(s).Score).ToArray();
        for (int i = 0; i < samples.Count; i++)
        {
            log.WriteLine($"Size={samples[i].Size,7:F1} Rooms={samples[i].Rooms} Age={samples[i].Age,5:F1} -> {before[i]:F4} / {after[i]:F4}");
        }

        return new QuickStartResult
        {
            MetricsBefore = metricsBefore,
            MetricsAfter = metricsAfter,
            PredictionsBefore = before,
            PredictionsAfter = after,
            OutputSchema = string.Join(", ", loaded.GetOutputSchema(inputSchema).Select(c => $"{c.Name}:{c.Type}")),
        };
    }
}
