using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests.Data;

public class StreamingTests
{
    private sealed class Wide
    {
        [VectorType(16)]
        public float[] V { get; set; } = new float[16];

        public float S { get; set; }
    }

    [Fact]
    public void TransformAndNormalize_StreamManyRows_WithFlatMemory()
    {
        const int rows = 200_000;
        var ml = new MLContext(seed: 1);
        int enumerations = 0;
        IEnumerable<Wide> Generate()
        {
            enumerations++;
            var row = new Wide();
            for (int i = 0; i < rows; i++)
            {
                // A fresh object per row, as a real generator would produce, but nothing retains it.
                row = new Wide { V = new float[16], S = i % 1000 };
                row.V[i % 16] = i % 97;
                yield return row;
            }
        }

        var data = ml.Data.LoadFromEnumerable(Generate());
        var pipeline = ml.Transforms.Concatenate("F", "V", "S").Append(ml.Transforms.NormalizeMinMax("F"));

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long baseline = GC.GetTotalMemory(true);
        var model = pipeline.Fit(data);
        Assert.Equal(1, enumerations);

        var transformed = model.Transform(data);
        Assert.Equal(1, enumerations);

        long peak = 0;
        double sum = 0;
        long count = 0;
        var column = transformed.Schema["F"];
        using (var cursor = transformed.GetRowCursor(new[] { column }))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                getter(ref buffer);
                sum += buffer.GetValues()[16];
                if (++count % 50_000 == 0)
                {
                    // A forced collection measures what is retained: a materializing implementation would hold every row.
                    peak = Math.Max(peak, GC.GetTotalMemory(true) - baseline);
                }
            }
        }

        Assert.Equal(rows, count);
        Assert.Equal(2, enumerations);
        Assert.InRange(sum / rows, 0.49, 0.51);

        // Retaining 200,000 rows of 17 floats would take more than 20 MB; streaming keeps a few buffers.
        Assert.True(peak < 5_000_000, $"Retained memory grew by {peak / 1_000_000.0:F1} MB while streaming.");
    }
}
