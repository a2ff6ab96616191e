using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests;

public sealed class Point
{
    public float X { get; set; }

    public float Y { get; set; }

    public float Label { get; set; }
}

public sealed class Rich
{
    public float FieldFirst;

    [ColumnName("Renamed")]
    public double Original { get; set; }

    public int Count { get; set; }

    public long Big { get; set; }

    public bool Flag { get; set; }

    public string Text { get; set; } = string.Empty;

    public DateTime When { get; set; }

    [KeyType(10)]
    public uint Key { get; set; }

    public float[] Variable { get; set; } = Array.Empty<float>();

    [VectorType(4, 3)]
    public float[] Grid { get; set; } = new float[12];

    [VectorType(2)]
    public double[] Pair { get; set; } = new double[2];

    [NoColumn]
    public int Ignored { get; set; }
}

internal static class TestData
{
    public static List<Point> Points(int n, int seed = 3)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(i => new Point { X = (float)(r.NextDouble() * 10 - 5), Y = (float)(r.NextDouble() * 4), Label = i % 2 }).ToList();
    }

    public static string TempPath(string name) => Path.Combine(Path.GetTempPath(), "compat-tests-" + Guid.NewGuid().ToString("N") + "-" + name);

    public static List<T> ReadAll<T>(IDataView data, string column) => data.GetColumn<T>(column).ToList();
}
