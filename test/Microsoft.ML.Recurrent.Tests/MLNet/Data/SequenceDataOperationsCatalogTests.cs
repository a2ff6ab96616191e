using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Data;

/// <summary>Grouping one-row-per-step data into sequence rows with <c>mlContext.Data.GroupIntoSequences</c>.</summary>
public class SequenceDataOperationsCatalogTests
{
    private readonly MLContext _mlContext = new(seed: 1);

    public sealed class Reading
    {
        public string Sensor { get; set; } = "";

        public int Minute { get; set; }

        public float Temperature { get; set; }

        public double Pressure { get; set; }

        public bool Failed { get; set; }
    }

    public sealed class FixedSequence
    {
        public string Sensor { get; set; } = "";

        [VectorType(3, 2)]
        public float[] Features { get; set; } = [];

        public bool Failed { get; set; }
    }

    public sealed class VariableSequence
    {
        public string Sensor { get; set; } = "";

        public float[] Features { get; set; } = [];
    }

    // Sensor "a" has 4 minutes, "b" has 2; rows arrive out of time order and interleaved.
    private static Reading[] Readings() =>
    [
        new() { Sensor = "a", Minute = 2, Temperature = 12, Pressure = 102, Failed = true },
        new() { Sensor = "b", Minute = 7, Temperature = 27, Pressure = 207, Failed = false },
        new() { Sensor = "a", Minute = 1, Temperature = 11, Pressure = 101, Failed = true },
        new() { Sensor = "a", Minute = 4, Temperature = 14, Pressure = 104, Failed = true },
        new() { Sensor = "b", Minute = 5, Temperature = 25, Pressure = 205, Failed = false },
        new() { Sensor = "a", Minute = 3, Temperature = 13, Pressure = 103, Failed = true },
    ];

    private IDataView Group(Reading[] readings, int? sequenceLength = 3, SequencePadding padding = SequencePadding.Pre,
        SequenceTruncation truncation = SequenceTruncation.Pre, SequenceLabelSelection labelSelection = SequenceLabelSelection.SameForAllRows,
        string? timeColumnName = "Minute") =>
        _mlContext.Data.GroupIntoSequences(_mlContext.Data.LoadFromEnumerable(readings), keyColumnName: "Sensor",
            featureColumnNames: ["Temperature", "Pressure"], timeColumnName: timeColumnName, labelColumnName: "Failed",
            labelSelection: labelSelection, sequenceLength: sequenceLength, padding: padding, truncation: truncation);

    private FixedSequence[] Fixed(IDataView data) => _mlContext.Data.CreateEnumerable<FixedSequence>(data, reuseRowObject: false).ToArray();

    [Fact]
    public void Fixed_length_keeps_the_latest_steps_and_pads_in_front_like_Keras_defaults()
    {
        var data = Group(Readings());

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3, 2), data.Schema["Features"].Type);
        Assert.Equal(["Sensor", "Features", "Failed"], data.Schema.Select(c => c.Name));
        var rows = Fixed(data);
        Assert.Equal(["a", "b"], rows.Select(r => r.Sensor)); // order of first appearance
        // "a": minutes 1..4, truncation 'pre' keeps minutes 2, 3, 4
        Assert.Equal([12f, 102, 13, 103, 14, 104], rows[0].Features);
        Assert.True(rows[0].Failed);
        // "b": minutes 5, 7 after one padding step of zeros
        Assert.Equal([0f, 0, 25, 205, 27, 207], rows[1].Features);
        Assert.False(rows[1].Failed);
    }

    [Fact]
    public void Post_padding_and_post_truncation_keep_the_earliest_steps_and_pad_behind()
    {
        var rows = Fixed(Group(Readings(), padding: SequencePadding.Post, truncation: SequenceTruncation.Post));

        Assert.Equal([11f, 101, 12, 102, 13, 103], rows[0].Features);
        Assert.Equal([25f, 205, 27, 207, 0, 0], rows[1].Features);
    }

    [Fact]
    public void Padding_value_fills_every_feature_of_a_padding_step()
    {
        var data = _mlContext.Data.GroupIntoSequences(_mlContext.Data.LoadFromEnumerable(Readings()), "Sensor", ["Temperature", "Pressure"],
            timeColumnName: "Minute", sequenceLength: 3, paddingValue: -1);

        var b = _mlContext.Data.CreateEnumerable<FixedSequence>(data, reuseRowObject: false, ignoreMissingColumns: true).Last();
        Assert.Equal([-1f, -1, 25, 205, 27, 207], b.Features);
    }

    [Fact]
    public void Without_a_length_each_sequence_keeps_its_own_number_of_steps()
    {
        var data = Group(Readings(), sequenceLength: null);

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single), data.Schema["Features"].Type);
        var rows = _mlContext.Data.CreateEnumerable<VariableSequence>(data, reuseRowObject: false, ignoreMissingColumns: true).ToArray();
        Assert.Equal([11f, 101, 12, 102, 13, 103, 14, 104], rows[0].Features);
        Assert.Equal([25f, 205, 27, 207], rows[1].Features);
    }

    [Fact]
    public void Without_a_time_column_rows_keep_input_order()
    {
        var rows = _mlContext.Data.CreateEnumerable<VariableSequence>(Group(Readings(), sequenceLength: null, timeColumnName: null), reuseRowObject: false, ignoreMissingColumns: true).ToArray();

        Assert.Equal([12f, 102, 11, 101, 14, 104, 13, 103], rows[0].Features);
    }

    [Fact]
    public void Last_step_label_is_the_label_of_the_last_kept_step()
    {
        var readings = Readings();
        readings[3].Failed = false; // "a" minute 4: the last step
        Assert.False(Fixed(Group(readings, labelSelection: SequenceLabelSelection.LastStep))[0].Failed);
        // 'post' truncation drops minute 4, so the last kept step is minute 3 (Failed = true)
        Assert.True(Fixed(Group(readings, truncation: SequenceTruncation.Post, labelSelection: SequenceLabelSelection.LastStep))[0].Failed);
    }

    [Fact]
    public void Key_typed_labels_keep_their_key_values_for_the_trainers()
    {
        var withKeys = _mlContext.Transforms.Conversion.MapValueToKey("Failed").Fit(_mlContext.Data.LoadFromEnumerable(Readings()))
            .Transform(_mlContext.Data.LoadFromEnumerable(Readings()));
        var data = _mlContext.Data.GroupIntoSequences(withKeys, "Sensor", ["Temperature"], timeColumnName: "Minute", labelColumnName: "Failed");

        Assert.Equal(withKeys.Schema["Failed"].Type, data.Schema["Failed"].Type);
        Assert.True(data.Schema["Failed"].HasKeyValues());
        Assert.Equal([1u, 2u], data.GetColumn<uint>("Failed"));
    }

    [Fact]
    public void Time_can_be_a_date()
    {
        var start = new DateTime(2026, 1, 1);
        var rows = new[] { (Id: 1, Minute: 2, V: 2f), (Id: 1, Minute: 0, V: 0f), (Id: 1, Minute: 1, V: 1f) }
            .Select(r => new DatedReading { Id = r.Id, At = start.AddMinutes(r.Minute), Value = r.V });
        var data = _mlContext.Data.GroupIntoSequences(_mlContext.Data.LoadFromEnumerable(rows), "Id", ["Value"], timeColumnName: "At");

        Assert.Equal([0f, 1, 2], data.GetColumn<float[]>("Features").Single());
    }

    public sealed class DatedReading
    {
        public int Id { get; set; }

        public DateTime At { get; set; }

        public float Value { get; set; }
    }

    [Fact]
    public void A_missing_key_names_the_column_and_row()
    {
        var readings = Readings();
        readings[4].Sensor = "";
        var e = Assert.Throws<InvalidOperationException>(() => Group(readings));
        Assert.Contains("'Sensor'", e.Message);
        Assert.Contains("row 4", e.Message);
    }

    [Fact]
    public void A_repeated_time_within_a_key_names_the_key_and_both_rows()
    {
        var readings = Readings();
        readings[5].Minute = 1; // "a" now has minute 1 at rows 2 and 5
        var e = Assert.Throws<InvalidOperationException>(() => Group(readings));
        Assert.Contains("'Minute'", e.Message);
        Assert.Contains("key a", e.Message);
        Assert.Contains("rows 2 and 5", e.Message);
    }

    [Fact]
    public void A_NaN_feature_names_the_column_row_and_key()
    {
        var readings = Readings();
        readings[1].Pressure = double.NaN;
        var e = Assert.Throws<InvalidOperationException>(() => Group(readings));
        Assert.Contains("'Pressure'", e.Message);
        Assert.Contains("row 1", e.Message);
        Assert.Contains("key b", e.Message);
    }

    [Fact]
    public void A_long_sequence_without_truncation_names_the_key_and_its_length()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Group(Readings(), truncation: SequenceTruncation.None));
        Assert.Contains("Key a", e.Message);
        Assert.Contains("4 rows", e.Message);
        Assert.Contains("sequenceLength 3", e.Message);
        Assert.Equal(2, Fixed(Group(Readings(), sequenceLength: 4, truncation: SequenceTruncation.None)).Length);
    }

    [Fact]
    public void Different_labels_within_a_key_are_an_error_unless_the_last_step_is_asked_for()
    {
        var readings = Readings();
        readings[5].Failed = false; // "a" minute 3
        var e = Assert.Throws<InvalidOperationException>(() => Group(readings));
        Assert.Contains("'Failed'", e.Message);
        Assert.Contains("key a", e.Message);
        Assert.Contains("row 2", e.Message); // minute 1, the first step of "a"
        Assert.Contains("row 5", e.Message);
        Assert.True(Fixed(Group(readings, labelSelection: SequenceLabelSelection.LastStep))[0].Failed);
    }

    [Fact]
    public void Unknown_columns_and_bad_lengths_are_argument_errors()
    {
        var data = _mlContext.Data.LoadFromEnumerable(Readings());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _mlContext.Data.GroupIntoSequences(data, "Sensor", ["Humidity"]));
        Assert.Contains("'Humidity'", e.Message);
        Assert.Equal("featureColumnNames", e.ParamName);
        Assert.Equal("sequenceLength", Assert.Throws<ArgumentOutOfRangeException>(() => _mlContext.Data.GroupIntoSequences(data, "Sensor", ["Temperature"], sequenceLength: 0)).ParamName);
        Assert.Equal("featureColumnNames", Assert.Throws<ArgumentOutOfRangeException>(() => _mlContext.Data.GroupIntoSequences(data, "Sensor", ["Sensor"])).ParamName);
    }

    [Fact]
    public void The_result_can_be_shuffled_and_read_many_times()
    {
        var data = Group(Readings());
        var shuffled = _mlContext.Data.ShuffleRows(data, seed: 3);

        Assert.Equal(2, data.GetRowCount());
        Assert.Equal(["a", "b"], shuffled.GetColumn<string>("Sensor").Order());
        Assert.Equal(Fixed(data)[0].Features, Fixed(data)[0].Features);
    }
}
