using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Compat.Tests.Transforms;

public class ConversionTests
{
    private readonly MLContext _ml = new(seed: 1);

    private sealed class Row
    {
        public string Color { get; set; } = string.Empty;

        public float Value { get; set; }

        public string[] Tags { get; set; } = Array.Empty<string>();
    }

    private IDataView Data() => _ml.Data.LoadFromEnumerable(new[]
    {
        new Row { Color = "red", Value = 1.5f, Tags = new[] { "a", "b" } },
        new Row { Color = "blue", Value = float.NaN, Tags = new[] { "b", "c" } },
        new Row { Color = "red", Value = 3f, Tags = new[] { "c", "a" } },
        new Row { Color = string.Empty, Value = 1.5f, Tags = new[] { "a", "a" } },
    });

    [Fact]
    public void MapValueToKey_ByOccurrence_WithKeyValuesAnnotation()
    {
        var output = _ml.Transforms.Conversion.MapValueToKey("ColorKey", "Color").Fit(Data()).Transform(Data());
        var col = output.Schema["ColorKey"];
        Assert.Equal("Key<UInt32, 0-1>", col.Type.ToString());
        Assert.Equal(new uint[] { 1, 2, 1, 0 }, output.GetColumn<uint>("ColorKey"));
        Assert.True(col.HasKeyValues(TextDataViewType.Instance));
        VBuffer<ReadOnlyMemory<char>> values = default;
        col.GetKeyValues(ref values);
        Assert.Equal(new[] { "red", "blue" }, values.DenseValues().Select(v => v.ToString()));
    }

    [Fact]
    public void MapValueToKey_ByValue_NumbersSkipNaN_AndVectors()
    {
        var numbers = _ml.Transforms.Conversion.MapValueToKey("K", "Value", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(Data()).Transform(Data());
        Assert.Equal(new uint[] { 1, 0, 2, 1 }, numbers.GetColumn<uint>("K"));

        var tags = _ml.Transforms.Conversion.MapValueToKey("T", "Tags", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(Data()).Transform(Data());
        Assert.Equal("Vector<Key<UInt32, 0-2>>", tags.Schema["T"].Type.ToString());
        Assert.Equal(new uint[] { 3, 1 }, tags.GetColumn<uint[]>("T").ElementAt(2));

        var asText = _ml.Transforms.Conversion.MapValueToKey("K", "Value", addKeyValueAnnotationsAsText: true).Fit(Data()).Transform(Data());
        Assert.True(asText.Schema["K"].HasKeyValues(TextDataViewType.Instance));
    }

    [Fact]
    public void MapValueToKey_MaximumNumberOfKeys_AndKeyData()
    {
        var limited = _ml.Transforms.Conversion.MapValueToKey("K", "Color", maximumNumberOfKeys: 1).Fit(Data()).Transform(Data());
        Assert.Equal(new uint[] { 1, 0, 1, 0 }, limited.GetColumn<uint>("K"));

        var keyData = _ml.Data.LoadFromEnumerable(new[] { new Row { Color = "blue" }, new Row { Color = "green" } });
        var fromKeys = _ml.Transforms.Conversion.MapValueToKey("K", "Color", keyData: _ml.Transforms.SelectColumns("Color").Fit(keyData).Transform(keyData)).Fit(Data()).Transform(Data());
        Assert.Equal(new uint[] { 0, 1, 0, 0 }, fromKeys.GetColumn<uint>("K"));
    }

    [Fact]
    public void MapKeyToValue_RestoresValues_MissingKeyGivesEmpty()
    {
        var pipeline = _ml.Transforms.Conversion.MapValueToKey("K", "Color").Append(_ml.Transforms.Conversion.MapKeyToValue("Back", "K"));
        var output = pipeline.Fit(Data()).Transform(Data());
        Assert.Equal("String", output.Schema["Back"].Type.ToString());
        Assert.Equal(new[] { "red", "blue", "red", string.Empty }, output.GetColumn<string>("Back"));

        var plain = Data();
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.Conversion.MapKeyToValue("X", "Color").Fit(plain));
    }

    [Fact]
    public void ConvertType_NumbersTextAndVectors()
    {
        var data = Data();
        var toDouble = _ml.Transforms.Conversion.ConvertType("V", "Value", DataKind.Double).Fit(data).Transform(data);
        Assert.Equal("Double", toDouble.Schema["V"].Type.ToString());
        Assert.Equal(1.5, toDouble.GetColumn<double>("V").First());

        var toText = _ml.Transforms.Conversion.ConvertType("T", "Value", DataKind.String).Fit(data).Transform(data);
        Assert.Equal("1.5", toText.GetColumn<string>("T").First());

        var back = _ml.Transforms.Conversion.ConvertType("N", "T").Fit(toText).Transform(toText);
        Assert.Equal("Single", back.Schema["N"].Type.ToString());
        Assert.True(float.IsNaN(back.GetColumn<float>("N").ElementAt(1)));

        var keys = _ml.Transforms.Conversion.MapValueToKey("K", "Tags").Fit(data).Transform(data);
        var keyNumbers = _ml.Transforms.Conversion.ConvertType("KN", "K", DataKind.Int32).Fit(keys).Transform(keys);
        Assert.Equal("Vector<Int32>", keyNumbers.Schema["KN"].Type.ToString());
        Assert.Equal(new[] { 1, 2 }, keyNumbers.GetColumn<int[]>("KN").First());

        var textToInt = _ml.Transforms.Conversion.ConvertType("I", "Color", DataKind.Int32).Fit(data).Transform(data);
        Assert.Throws<FormatException>(() => textToInt.GetColumn<int>("I").ToList());
    }
}
