using System.Collections.Immutable;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Compat.Tests.Transforms;

public class NormalizationTests
{
    private readonly MLContext _ml = new(seed: 1);

    private sealed class Row
    {
        [VectorType(3)]
        public float[] F { get; set; } = new float[3];

        public double D { get; set; }
    }

    private static readonly float[][] Rows =
    {
        new[] { -2f, 1f, 5f },
        new[] { 4f, 3f, 5f },
        new[] { 1f, float.NaN, 5f },
    };

    private IDataView Data() => _ml.Data.LoadFromEnumerable(Rows.Select((r, i) => new Row { F = r, D = i * 2.0 + 1 }).ToList());

    [Fact]
    public void MinMax_FixZero_ScalesByMaxAbsolute()
    {
        var t = _ml.Transforms.NormalizeMinMax("F").Fit(Data());
        var p = (NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>>)t.GetNormalizerModelParameters(0);
        Assert.Equal(new[] { 1 / 4f, 1 / 3f, 0f }, p.Scale.ToArray());
        Assert.Equal(new[] { 0f, 0f, 0f }, p.Offset.ToArray());
        var output = t.Transform(Data()).GetColumn<float[]>("F").ToList();
        Assert.Equal(new[] { -0.5f, 1 / 3f, 0f }, output[0]);
        Assert.True(float.IsNaN(output[2][1]));
    }

    [Fact]
    public void MinMax_NoFixZero_MapsToUnitInterval()
    {
        var t = _ml.Transforms.NormalizeMinMax("G", "F", fixZero: false).Fit(Data());
        var p = (NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>>)t.GetNormalizerModelParameters(0);
        Assert.Equal(new[] { 1 / 6f, 1 / 2f, 0f }, p.Scale.ToArray());
        Assert.Equal(new[] { -2f, 1f, 0f }, p.Offset.ToArray());
        var g = t.Transform(Data()).GetColumn<float[]>("G").ToList();
        Assert.Equal(0f, g[0][0]);
        Assert.Equal(1f, g[1][0]);
        Assert.Equal(0.5f, g[2][0]);
    }

    [Fact]
    public void MeanVariance_UsesPopulationVariance()
    {
        var t = _ml.Transforms.NormalizeMeanVariance("D", fixZero: false).Fit(Data());
        var p = (NormalizingTransformer.AffineNormalizerModelParameters<double>)t.GetNormalizerModelParameters(0);
        double[] d = { 1, 3, 5 };
        double mean = d.Average();
        double variance = d.Select(x => (x - mean) * (x - mean)).Sum() / d.Length;
        Assert.Equal(mean, p.Offset, 12);
        Assert.Equal(1 / Math.Sqrt(variance), p.Scale, 12);

        var fixZero = (NormalizingTransformer.AffineNormalizerModelParameters<double>)_ml.Transforms.NormalizeMeanVariance("D").Fit(Data()).GetNormalizerModelParameters(0);
        Assert.Equal(0, fixZero.Offset);
        Assert.Equal(1 / Math.Sqrt(variance + (mean * mean)), fixZero.Scale, 12);
    }

    [Fact]
    public void Output_KeepsItemType_IsAnnotatedAndHidesInput()
    {
        var output = _ml.Transforms.NormalizeMinMax("F").Append(_ml.Transforms.NormalizeMinMax("D")).Fit(Data()).Transform(Data());
        Assert.Equal("Vector<Single, 3>", output.Schema["F"].Type.ToString());
        Assert.Equal("Double", output.Schema["D"].Type.ToString());
        Assert.True(output.Schema["F"].IsNormalized());
        Assert.Contains(output.Schema, c => c.Name == "F" && c.IsHidden);
        var shape = _ml.Transforms.NormalizeMinMax("F").GetOutputSchema(SchemaShape.Create(Data().Schema));
        Assert.Contains(shape.Single(c => c.Name == "F").Annotations, a => a.Name == "IsNormalized");
    }

    [Fact]
    public void MultipleColumns_AndMaximumExampleCount()
    {
        var est = _ml.Transforms.NormalizeMinMax(new[] { new InputOutputColumnPair("F1", "F"), new InputOutputColumnPair("D") }, maximumExampleCount: 2);
        var t = est.Fit(Data());
        var p = (NormalizingTransformer.AffineNormalizerModelParameters<double>)t.GetNormalizerModelParameters(1);
        Assert.Equal(1 / 3.0, p.Scale, 12);
        Assert.Equal(2, t.Columns.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.GetNormalizerModelParameters(2));
    }

    [Fact]
    public void EmptyData_GivesZeroScale()
    {
        var empty = _ml.Data.LoadFromEnumerable(new List<Row>());
        var p = (NormalizingTransformer.AffineNormalizerModelParameters<double>)_ml.Transforms.NormalizeMeanVariance("D").Fit(empty).GetNormalizerModelParameters(0);
        Assert.Equal(0, p.Scale);
    }

    private sealed class Bad
    {
        public string S { get; set; } = string.Empty;

        public float[] V { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void WrongTypes_Throw()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new Bad() });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.NormalizeMinMax("S").Fit(data));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.NormalizeMinMax("V").Fit(data));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.NormalizeMeanVariance("V", useCdf: true));
    }
}
