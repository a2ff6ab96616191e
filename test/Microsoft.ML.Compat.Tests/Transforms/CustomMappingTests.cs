using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Compat.Tests.Transforms;

public class CustomMappingTests
{
    private readonly MLContext _ml = new(seed: 1);

    public sealed class Src
    {
        public float X { get; set; }

        public float Y { get; set; }
    }

    public sealed class Dst
    {
        public float X { get; set; }

        public float Sum { get; set; }

        [VectorType(2)]
        public float[] Both { get; set; } = new float[2];
    }

    [Fact]
    public void CustomMapping_AddsMembersAndOverridesSameNamedInputs()
    {
        int calls = 0;
        var est = _ml.Transforms.CustomMapping<Src, Dst>((s, d) =>
        {
            calls++;
            d.X = -s.X;
            d.Sum = s.X + s.Y;
            d.Both = new[] { s.X, s.Y };
        }, contractName: null);
        var data = _ml.Data.LoadFromEnumerable(TestData.Points(4));
        var output = est.Fit(data).Transform(data);
        Assert.Equal(0, calls);
        Assert.Equal("Vector<Single, 2>", output.Schema["Both"].Type.ToString());
        Assert.Contains(output.Schema, c => c.Name == "X" && c.IsHidden);
        var points = TestData.Points(4);
        Assert.Equal(points.Select(p => -p.X), output.GetColumn<float>("X"));
        Assert.Equal(points.Select(p => p.X + p.Y), output.GetColumn<float>("Sum"));

        // Reading three output columns of one row runs the action once.
        calls = 0;
        using (var cursor = output.GetRowCursor(output.Schema))
        {
            var a = cursor.GetGetter<float>(output.Schema["Sum"]);
            var b = cursor.GetGetter<VBuffer<float>>(output.Schema["Both"]);
            var c = cursor.GetGetter<float>(output.Schema["X"]);
            float f = 0;
            VBuffer<float> v = default;
            Assert.True(cursor.MoveNext());
            a(ref f);
            b(ref v);
            c(ref f);
        }

        Assert.Equal(1, calls);
        var shape = est.GetOutputSchema(SchemaShape.Create(data.Schema));
        Assert.Contains(shape, col => col.Name == "Sum");
    }

    public sealed class OnlyZ
    {
        public float Z { get; set; }
    }

    [Fact]
    public void CustomMapping_MissingInputColumn_Throws()
    {
        var data = _ml.Data.LoadFromEnumerable(TestData.Points(1));
        var est = _ml.Transforms.CustomMapping<OnlyZ, Dst>((s, d) => d.Sum = s.Z, null);
        Assert.Throws<ArgumentOutOfRangeException>(() => est.Fit(data));
        Assert.Throws<ArgumentOutOfRangeException>(() => est.GetOutputSchema(SchemaShape.Create(data.Schema)));
    }
}
