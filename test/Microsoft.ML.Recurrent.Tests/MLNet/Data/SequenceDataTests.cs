using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Data;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Data;

public sealed class SequenceDataTests
{
    private readonly MLContext _ml = new(seed: 1);

    private sealed class Fixed
    {
        [VectorType(3, 2)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class Univariate
    {
        [VectorType(4)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    private sealed class Variable
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    [Fact]
    public void A_two_dimensional_vector_is_steps_by_features()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new Fixed { Features = [1, 2, 3, 4, 5, 6], Label = 7 } });
        var column = SequenceColumn.Bind(data.Schema, "Features", null);
        Assert.Equal((3, 2, false), (column.Timesteps, column.Features, column.IsVariableLength));
        var read = SequenceData.Read(data, column, LabelColumn.Regression(data.Schema, "Label"));
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, read.Values);
        Assert.Equal(new float[] { 7 }, read.Labels);
        Assert.Equal("(1, 3, 2)", read.InputTensor().Shape.ToString());
    }

    [Fact]
    public void A_one_dimensional_vector_is_univariate_unless_features_per_step_are_declared()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new Univariate { Features = [1, 2, 3, 4], Label = true } });
        Assert.Equal((4, 1), (SequenceColumn.Bind(data.Schema, "Features", null).Timesteps, SequenceColumn.Bind(data.Schema, "Features", null).Features));
        Assert.Equal((2, 2), (SequenceColumn.Bind(data.Schema, "Features", 2).Timesteps, SequenceColumn.Bind(data.Schema, "Features", 2).Features));
        var e = Assert.Throws<ArgumentException>(() => SequenceColumn.Bind(data.Schema, "Features", 3));
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("not a multiple of the 3 features per step", e.Message);
        var labels = SequenceData.Read(data, SequenceColumn.Bind(data.Schema, "Features", null), LabelColumn.Binary(data.Schema, "Label")).Labels;
        Assert.Equal(new float[] { 1 }, labels);
    }

    [Fact]
    public void Variable_length_sequences_are_right_padded_with_a_mask()
    {
        var data = _ml.Data.LoadFromEnumerable(new[]
        {
            new Variable { Features = [1, 2, 3, 4], Label = 1 },
            new Variable { Features = [5, 6], Label = 2 },
        });
        var column = SequenceColumn.Bind(data.Schema, "Features", 2);
        Assert.True(column.IsVariableLength);
        var read = SequenceData.Read(data, column, null);
        Assert.Equal(new[] { 2, 1 }, read.Lengths);
        Assert.True(read.IsPadded);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 0, 0 }, read.Values);
        Assert.Equal(new float[] { 1, 1, 1, 0 }, read.MaskTensor().ToFloatArray());
    }

    [Fact]
    public void A_variable_length_that_is_not_a_multiple_names_column_and_row()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new Variable { Features = [1, 2] }, new Variable { Features = [1, 2, 3] } });
        var e = Assert.Throws<InvalidOperationException>(() => SequenceData.Read(data, SequenceColumn.Bind(data.Schema, "Features", 2), null));
        Assert.Equal("Column 'Features', row 1: the sequence has 3 values, which is not a multiple of the 2 features per step.", e.Message);
    }

    [Fact]
    public void A_NaN_in_a_sequence_names_column_row_and_step()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new Fixed { Features = [1, 2, 3, 4, 5, 6] }, new Fixed { Features = [1, 2, 3, float.NaN, 5, 6] } });
        var e = Assert.Throws<InvalidOperationException>(() => SequenceData.Read(data, SequenceColumn.Bind(data.Schema, "Features", null), null));
        Assert.Equal("Column 'Features', row 1: the sequence has NaN at step 1, feature 1; sequences must not contain missing values.", e.Message);
    }

    [Fact]
    public void A_missing_label_names_column_and_row()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new Fixed { Features = [1, 2, 3, 4, 5, 6], Label = 1 }, new Fixed { Features = [1, 2, 3, 4, 5, 6], Label = float.NaN } });
        var e = Assert.Throws<InvalidOperationException>(() => SequenceData.Read(data, SequenceColumn.Bind(data.Schema, "Features", null), LabelColumn.Regression(data.Schema, "Label")));
        Assert.Contains("Label column 'Label', row 1: the label is missing (NaN)", e.Message);
    }

    [Fact]
    public void A_wrong_vector_size_names_column_and_row()
    {
        var column = SequenceColumn.FromType("Features", new VectorDataViewType(NumberDataViewType.Single, 3, 2), null);
        var e = Assert.Throws<InvalidOperationException>(() => column.CheckedSteps(new VBuffer<float>(4, new float[4]), 12));
        Assert.Equal("Column 'Features', row 12: the sequence has 4 values; expected 6 (3 steps x 2 features).", e.Message);
    }

    [Fact]
    public void Non_sequence_columns_are_refused_by_name_and_type()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new Fixed { Features = [1, 2, 3, 4, 5, 6] } });
        var e = Assert.Throws<ArgumentException>(() => SequenceColumn.Bind(data.Schema, "Label", null));
        Assert.Contains("Column 'Label' has type Single", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceColumn.Bind(data.Schema, "Nope", null));
        var declared = Assert.Throws<ArgumentException>(() => SequenceColumn.Bind(data.Schema, "Features", 3));
        Assert.Contains("2 features per step), but 3 features per step were declared", declared.Message);
    }

    private sealed class Named
    {
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    [Fact]
    public void A_key_label_becomes_the_zero_based_class_index()
    {
        var source = _ml.Data.LoadFromEnumerable(new[]
        {
            new Named { Features = [1], Label = "b" }, new Named { Features = [2], Label = "a" }, new Named { Features = [3], Label = "b" },
        });
        var data = _ml.Transforms.Conversion.MapValueToKey("Key", "Label").Fit(source).Transform(source);
        var label = LabelColumn.Key(data.Schema, "Key");
        Assert.Equal(2, label.ClassCount);
        var read = SequenceData.Read(data, SequenceColumn.Bind(data.Schema, "Features", null), label);
        Assert.Equal(new float[] { 0, 1, 0 }, read.Labels);
        var e = Assert.Throws<ArgumentException>(() => LabelColumn.Key(data.Schema, "Label"));
        Assert.Contains("MapValueToKey", e.Message);
    }
}
