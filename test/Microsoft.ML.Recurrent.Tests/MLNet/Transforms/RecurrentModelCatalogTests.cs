using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Layers.Recurrent;
using Microsoft.ML.Recurrent.MLNet.Persistence;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Tests.MLNet.Persistence;
using Microsoft.ML.Recurrent.Training.Models;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Transforms;

/// <summary>Applying a recurrent network to a sequence column with <c>mlContext.Transforms.ApplyRecurrentModel</c>.</summary>
public class RecurrentModelCatalogTests
{
    private const int StepCount = 5;
    private const int FeatureCount = 3;

    private readonly MLContext _mlContext = new(seed: 1);

    public sealed class Sequence
    {
        [VectorType(StepCount, FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    public sealed class VariableSequence
    {
        public float[] Features { get; set; } = [];
    }

    public sealed class Encoded
    {
        public float[] Encoding { get; set; } = [];
    }

    private static float[] Values(int row, int steps, int features = FeatureCount) =>
        Enumerable.Range(0, steps * features).Select(j => MathF.Sin(row + (0.3f * j))).ToArray();

    private static Sequence[] Rows() => Enumerable.Range(0, 4).Select(i => new Sequence { Features = Values(i, StepCount) }).ToArray();

    private static Sequential Network(params Layer[] layers)
    {
        RandomSeeds.Set(7);
        return new Sequential(layers, inputShape: [StepCount, FeatureCount]);
    }

    /// <summary>The network run directly by the engine on one sequence: the reference the transform must reproduce.</summary>
    private static float[] RunDirectly(Model network, float[] values, int features = FeatureCount) =>
        network.PredictOnBatch(Tensor.FromArray(values, new Shape(1, values.Length / features, features))).ToFloatArray();

    private float[][] Encodings(IDataView data) => data.GetColumn<float[]>("Encoding").ToArray();

    private static void AssertClose(float[] expected, float[] actual, float tolerance = 1e-6f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"index {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    [Fact]
    public void Transform_and_prediction_engine_give_the_network_output_for_each_row()
    {
        var network = Network(new Lstm(4), new Dense(2));
        var data = _mlContext.Data.LoadFromEnumerable(Rows());

        var transformer = _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", network).Fit(data);
        var transformed = transformer.Transform(data);

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 2), transformed.Schema["Encoding"].Type);
        var encodings = Encodings(transformed);
        var engine = _mlContext.Model.CreatePredictionEngine<Sequence, Encoded>(transformer);
        for (int i = 0; i < Rows().Length; i++)
        {
            var expected = RunDirectly(network, Rows()[i].Features);
            AssertClose(expected, encodings[i]);
            AssertClose(expected, engine.Predict(Rows()[i]).Encoding);
        }
    }

    [Fact]
    public void A_Keras_model_config_and_weights_reproduce_Keras_outputs()
    {
        // keras-golden-public.json "lstm.correctness.implementation_1.default": LSTM(3), kernel 0.01, recurrent 0.02,
        // bias 0.03 (unit_forget_bias puts 1 on the forget gate), input np.arange(72).reshape((3, 6, 4)).
        const string config = """
            {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
              {"class_name": "InputLayer", "config": {"batch_shape": [null, 6, 4], "dtype": "float32", "name": "input_layer"}},
              {"class_name": "LSTM", "config": {"name": "lstm", "units": 3}}]}}
            """;
        float[] bias = [.. Enumerable.Repeat(0.03f, 3), .. Enumerable.Repeat(1f, 3), .. Enumerable.Repeat(0.03f, 6)];
        float[][] weights = [Enumerable.Repeat(0.01f, 4 * 12).ToArray(), Enumerable.Repeat(0.02f, 3 * 12).ToArray(), bias];
        var rows = Enumerable.Range(0, 3).Select(i => new VariableSequence { Features = Enumerable.Range(24 * i, 24).Select(v => (float)v).ToArray() });
        var data = _mlContext.Data.LoadFromEnumerable(rows);

        var output = _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", config, weights, featuresPerStep: 4).Fit(data).Transform(data);
        var states = _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", config, weights, RecurrentModelOutput.States, featuresPerStep: 4).Fit(data).Transform(data);

        float[] keras = [0.6288687f, 0.86899155f, 0.9460773f];
        var outputs = Encodings(output);
        var finalStates = Encodings(states);
        for (int i = 0; i < 3; i++)
        {
            AssertClose(Enumerable.Repeat(keras[i], 3).ToArray(), outputs[i], 1e-5f);
            Assert.Equal(6, finalStates[i].Length); // [h, c]; an LSTM's output is its final h
            AssertClose(outputs[i], finalStates[i][..3]);
        }
    }

    [Fact]
    public void A_Keras_model_config_with_a_time_axis_of_any_length_runs_on_sequences_of_every_length()
    {
        // The model of the test above declared with keras.Input(shape=(None, 4)): the same Keras numbers for the 6-step
        // rows, and a 3-step row gives what the network gives for those 3 steps.
        const string config = """
            {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
              {"class_name": "InputLayer", "config": {"batch_shape": [null, null, 4], "dtype": "float32", "name": "input_layer"}},
              {"class_name": "LSTM", "config": {"name": "lstm", "units": 3}}], "build_input_shape": [null, null, 4]}}
            """;
        float[] bias = [.. Enumerable.Repeat(0.03f, 3), .. Enumerable.Repeat(1f, 3), .. Enumerable.Repeat(0.03f, 6)];
        float[][] weights = [Enumerable.Repeat(0.01f, 4 * 12).ToArray(), Enumerable.Repeat(0.02f, 3 * 12).ToArray(), bias];
        float[] shortRow = Enumerable.Range(0, 12).Select(v => (float)v).ToArray();
        var rows = new[]
        {
            new VariableSequence { Features = Enumerable.Range(0, 24).Select(v => (float)v).ToArray() },
            new VariableSequence { Features = shortRow },
            new VariableSequence { Features = Enumerable.Range(24, 24).Select(v => (float)v).ToArray() },
        };
        var data = _mlContext.Data.LoadFromEnumerable(rows);

        var outputs = Encodings(_mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", config, weights, featuresPerStep: 4).Fit(data).Transform(data));

        AssertClose(Enumerable.Repeat(0.6288687f, 3).ToArray(), outputs[0], 1e-5f);
        AssertClose(Enumerable.Repeat(0.86899155f, 3).ToArray(), outputs[2], 1e-5f);
        var threeSteps = new Sequential([new Lstm(3)], inputShape: [3, 4]);
        threeSteps.SetWeights(weights.Zip(threeSteps.GetWeights(), (w, v) => Tensor.FromArray(w, v.Shape)).ToArray());
        AssertClose(RunDirectly(threeSteps, shortRow, features: 4), outputs[1]);
        Assert.NotEqual(outputs[0], outputs[1]);
    }

    [Theory]
    [InlineData("compat")]
    [InlineData("reflection")] // the binding used against official ML.NET
    public void A_saved_pipeline_reloads_with_identical_outputs(string binding)
    {
        var data = _mlContext.Data.LoadFromEnumerable(Rows());
        var pipeline = _mlContext.Transforms.CopyColumns("Sequence", "Features")
            .Append(_mlContext.Transforms.ApplyRecurrentModel("Encoding", "Sequence", Network(new Gru(3), new Dense(2))));
        var model = pipeline.Fit(data);
        using var scope = MLNetInternals.Use(RecurrentModelStorageTests.Binding(binding));
        using var file = new MemoryStream();
        _mlContext.Model.Save(model, data.Schema, file);

        var fresh = new MLContext(seed: 2);
        fresh.ComponentCatalog.RegisterRecurrent();
        var reloaded = fresh.Model.Load(new MemoryStream(file.ToArray()), out var inputSchema);

        Assert.Equal(data.Schema["Features"].Type, inputSchema["Features"].Type);
        var before = Encodings(model.Transform(data));
        var after = Encodings(reloaded.Transform(data));
        var engine = new MLContext().Model.CreatePredictionEngine<Sequence, Encoded>(reloaded);
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i], after[i]);
            Assert.Equal(before[i], engine.Predict(Rows()[i]).Encoding);
        }
    }

    [Fact]
    public void A_per_step_model_gives_its_full_sequence_or_its_last_step()
    {
        var network = Network(new SimpleRnn(2, returnSequences: true));
        var data = _mlContext.Data.LoadFromEnumerable(Rows());

        var sequence = _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", network).Fit(data).Transform(data);
        var last = _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", network, RecurrentModelOutput.LastStep).Fit(data).Transform(data);

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, StepCount, 2), sequence.Schema["Encoding"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 2), last.Schema["Encoding"].Type);
        var full = Encodings(sequence);
        var lastSteps = Encodings(last);
        for (int i = 0; i < full.Length; i++)
        {
            AssertClose(RunDirectly(network, Rows()[i].Features), full[i]);
            Assert.Equal(full[i][^2..], lastSteps[i]);
        }
    }

    [Fact]
    public void Last_step_of_a_model_that_returns_one_vector_per_sequence_is_refused()
    {
        var data = _mlContext.Data.LoadFromEnumerable(Rows());
        var e = Assert.Throws<ArgumentException>(() => _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", Network(new Lstm(2)), RecurrentModelOutput.LastStep).Fit(data));
        Assert.Contains("return_sequences", e.Message);
    }

    [Fact]
    public void Variable_length_sequences_are_scored_at_their_own_length()
    {
        var rows = new[] { 2, 5, 3 }.Select((steps, i) => new VariableSequence { Features = Values(i, steps, features: 2) }).ToArray();
        var data = _mlContext.Data.LoadFromEnumerable(rows);
        RandomSeeds.Set(3);
        var perSequence = new Sequential([new Gru(3)]);
        var perStep = new Sequential([new Gru(3, returnSequences: true)]);

        var last = _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", perSequence, featuresPerStep: 2).Fit(data).Transform(data);
        var full = _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", perStep, featuresPerStep: 2).Fit(data).Transform(data);

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), last.Schema["Encoding"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single), full.Schema["Encoding"].Type);
        var lastValues = Encodings(last);
        var fullValues = Encodings(full);
        for (int i = 0; i < rows.Length; i++)
        {
            AssertClose(RunDirectly(perSequence, rows[i].Features, features: 2), lastValues[i]);
            Assert.Equal(rows[i].Features.Length / 2 * 3, fullValues[i].Length);
        }
    }

    [Fact]
    public void LSTM_states_are_h_then_c()
    {
        var lstm = new Lstm(3);
        var network = Network(lstm);
        var data = _mlContext.Data.LoadFromEnumerable(Rows());

        var states = Encodings(_mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", network, RecurrentModelOutput.States).Fit(data).Transform(data));

        // The same weights in a layer that returns its states, called directly.
        var withStates = new Lstm(3, returnState: true);
        withStates.Build(new Shape(1, StepCount, FeatureCount));
        withStates.SetWeights(lstm.GetWeights());
        for (int i = 0; i < states.Length; i++)
        {
            var outputs = withStates.Apply(Tensor.FromArray(Rows()[i].Features, new Shape(1, StepCount, FeatureCount)), new CallArguments());
            AssertClose([.. outputs[1].ToFloatArray(), .. outputs[2].ToFloatArray()], states[i]);
        }
    }

    [Fact]
    public void A_model_file_written_by_Model_Save_can_be_applied()
    {
        var network = Network(new Lstm(4), new Dense(1));
        string path = Path.Combine(Path.GetTempPath(), $"apply-recurrent-{Guid.NewGuid():N}.keras.zip");
        network.Save(path);
        try
        {
            var data = _mlContext.Data.LoadFromEnumerable(Rows());
            var fromFile = Encodings(_mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", path).Fit(data).Transform(data));
            var fromModel = Encodings(_mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", network).Fit(data).Transform(data));
            for (int i = 0; i < fromFile.Length; i++)
            {
                Assert.Equal(fromModel[i], fromFile[i]);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Bad_rows_name_the_column_and_row()
    {
        var rows = Rows();
        rows[1].Features[4] = float.NaN;
        rows[2].Features = Values(2, StepCount - 1);
        var data = _mlContext.Data.LoadFromEnumerable(rows);
        var transformer = _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", Network(new Lstm(2))).Fit(data);
        var engine = _mlContext.Model.CreatePredictionEngine<Sequence, Encoded>(transformer);

        var nan = Assert.Throws<InvalidOperationException>(() => transformer.Transform(_mlContext.Data.SkipRows(data, 1)).GetColumn<float[]>("Encoding").ToArray());
        Assert.Contains("'Features'", nan.Message);
        Assert.Contains("row 0", nan.Message); // the first row of the skipped view
        Assert.Contains("NaN", nan.Message);
        var size = Assert.Throws<InvalidOperationException>(() => transformer.Transform(_mlContext.Data.SkipRows(data, 2)).GetColumn<float[]>("Encoding").ToArray());
        Assert.Contains("'Features'", size.Message);
        Assert.Contains("12 values; expected 15", size.Message);
        Assert.Contains("NaN", Assert.Throws<InvalidOperationException>(() => engine.Predict(rows[1])).Message);

        var odd = _mlContext.Data.LoadFromEnumerable(new[] { new VariableSequence { Features = Values(0, 2, 2) }, new VariableSequence { Features = new float[5] } });
        var variable = _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", new Sequential([new Lstm(2)]), featuresPerStep: 2).Fit(odd);
        var e = Assert.Throws<InvalidOperationException>(() => variable.Transform(odd).GetColumn<float[]>("Encoding").ToArray());
        Assert.Contains("row 1", e.Message);
        Assert.Contains("not a multiple of the 2 features per step", e.Message);
    }

    [Fact]
    public void Wrong_columns_models_and_weights_are_argument_errors()
    {
        var data = _mlContext.Data.LoadFromEnumerable(Rows());
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Sequence", Network(new Lstm(2))).Fit(data));
        Assert.Contains("'Sequence'", missing.Message);

        var stateful = Assert.Throws<ArgumentException>(() => _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features",
            new Sequential([new Lstm(2, stateful: true)], inputShape: [StepCount, FeatureCount], batchSize: 1)));
        Assert.Equal("model", stateful.ParamName);

        var twoFeatures = _mlContext.Data.LoadFromEnumerable(new[] { new VariableSequence { Features = Values(0, 2, 2) } });
        var width = Assert.Throws<ArgumentException>(() => _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", Network(new Lstm(2)), featuresPerStep: 2).Fit(twoFeatures));
        Assert.Contains("takes 3 features per step", width.Message);
        Assert.Contains("'Features' has 2", width.Message);

        var config = Network(new Lstm(2)).ToModelConfig().ToJsonString();
        var weights = Assert.Throws<ArgumentException>(() => _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", config, [new float[3]]).Fit(data));
        Assert.Equal("weights", weights.ParamName);
        Assert.Contains("3 weights", weights.Message);
        Assert.Equal("kerasModelConfig", Assert.Throws<ArgumentException>(() => _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", "{not json", [])).ParamName);
    }

    [Fact]
    public void The_transformer_keeps_its_own_copy_of_the_network()
    {
        var lstm = new Lstm(2);
        var network = Network(lstm);
        var data = _mlContext.Data.LoadFromEnumerable(Rows());
        var transformer = _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", network).Fit(data);
        var before = Encodings(transformer.Transform(data));

        lstm.SetWeights(lstm.GetWeights().Select(w => Tensor.Zeros(w.Shape)).ToArray());

        Assert.Equal(before, Encodings(transformer.Transform(data)));
        Assert.Equal(0f, RunDirectly(network, Rows()[0].Features)[0]);
    }

    [Fact]
    public void The_estimator_describes_its_output_column_before_fitting()
    {
        var internals = MLNetInternals.Current;
        var fixedInput = new SchemaShape([internals.CreateSchemaColumn("Features", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, null)]);
        var variableInput = new SchemaShape([internals.CreateSchemaColumn("Features", SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, false, null)]);
        RandomSeeds.Set(5);

        var perSequence = _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", new Sequential([new Lstm(2)]), featuresPerStep: 3);
        var perStep = _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", new Sequential([new Lstm(2, returnSequences: true)]), featuresPerStep: 3);

        Assert.Equal(SchemaShape.Column.VectorKind.Vector, perSequence.GetOutputSchema(fixedInput).Single(c => c.Name == "Encoding").Kind);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, perSequence.GetOutputSchema(variableInput).Single(c => c.Name == "Encoding").Kind);
        Assert.Equal(SchemaShape.Column.VectorKind.VariableVector, perStep.GetOutputSchema(variableInput).Single(c => c.Name == "Encoding").Kind);
        var scalar = new SchemaShape([internals.CreateSchemaColumn("Features", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, null)]);
        Assert.Contains("'Features'", Assert.Throws<ArgumentOutOfRangeException>(() => perSequence.GetOutputSchema(scalar)).Message);
    }

    public sealed class Reading
    {
        public string Sensor { get; set; } = "";

        public int Minute { get; set; }

        public float Temperature { get; set; }

        public float Pressure { get; set; }
    }

    [Fact]
    public void Rows_per_step_grouped_into_sequences_can_be_encoded()
    {
        // One row per sensor and minute → one 4-step sequence per sensor → an LSTM encoding per sensor.
        var readings = Enumerable.Range(0, 10).Select(m => new Reading { Sensor = m % 2 == 0 ? "a" : "b", Minute = m, Temperature = MathF.Sin(m), Pressure = MathF.Cos(m) });
        var sequences = _mlContext.Data.GroupIntoSequences(_mlContext.Data.LoadFromEnumerable(readings), keyColumnName: "Sensor",
            featureColumnNames: ["Temperature", "Pressure"], timeColumnName: "Minute", sequenceLength: 4);
        RandomSeeds.Set(11);
        var encoder = new Sequential([new Lstm(3)]);

        var encoded = _mlContext.Transforms.ApplyRecurrentModel("Encoding", "Features", encoder).Fit(sequences).Transform(sequences);

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), encoded.Schema["Encoding"].Type);
        // sensor "b": minutes 3, 5, 7, 9 (truncation keeps the latest 4 of 5)
        float[] b = [.. new[] { 3, 5, 7, 9 }.SelectMany(m => new[] { MathF.Sin(m), MathF.Cos(m) })];
        AssertClose(RunDirectly(encoder, b, features: 2), Encodings(encoded)[1]);
    }
}
