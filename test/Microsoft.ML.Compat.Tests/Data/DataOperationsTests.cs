using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests.Data;

public class DataOperationsTests
{
    private readonly MLContext _ml = new(seed: 1);

    private IDataView Numbers(int n) => _ml.Data.LoadFromEnumerable(Enumerable.Range(0, n).Select(i => new Point { X = i, Y = i % 5, Label = i % 2 }).ToList());

    [Fact]
    public void TrainTestSplit_IsDisjointCompleteAndDeterministic()
    {
        var split = _ml.Data.TrainTestSplit(Numbers(1000), testFraction: 0.2, seed: 3);
        var train = split.TrainSet.GetColumn<float>("X").ToList();
        var test = split.TestSet.GetColumn<float>("X").ToList();
        Assert.Equal(1000, train.Count + test.Count);
        Assert.Empty(train.Intersect(test));
        Assert.InRange(test.Count, 140, 260);
        Assert.NotEqual(Enumerable.Range(800, 200).Select(i => (float)i), test);
        Assert.Equal(test, _ml.Data.TrainTestSplit(Numbers(1000), testFraction: 0.2, seed: 3).TestSet.GetColumn<float>("X"));
        Assert.NotEqual(test, _ml.Data.TrainTestSplit(Numbers(1000), testFraction: 0.2, seed: 4).TestSet.GetColumn<float>("X"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Data.TrainTestSplit(Numbers(10), testFraction: 1.5));
    }

    [Fact]
    public void TrainTestSplit_SamplingKey_KeepsGroupsTogether()
    {
        var split = _ml.Data.TrainTestSplit(Numbers(500), testFraction: 0.4, samplingKeyColumnName: "Y", seed: 1);
        var trainGroups = split.TrainSet.GetColumn<float>("Y").Distinct().ToHashSet();
        var testGroups = split.TestSet.GetColumn<float>("Y").Distinct().ToHashSet();
        Assert.Empty(trainGroups.Intersect(testGroups));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Data.TrainTestSplit(Numbers(10), samplingKeyColumnName: "Nope"));
    }

    [Fact]
    public void CrossValidationSplit_EachRowInExactlyOneTestFold()
    {
        var folds = _ml.Data.CrossValidationSplit(Numbers(300), numberOfFolds: 4, seed: 2);
        Assert.Equal(4, folds.Count);
        var tests = folds.SelectMany(f => f.TestSet.GetColumn<float>("X")).OrderBy(x => x).ToList();
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (float)i), tests);
        Assert.All(folds, f => Assert.Equal(300, f.TrainSet.GetColumn<float>("X").Count() + f.TestSet.GetColumn<float>("X").Count()));
    }

    [Fact]
    public void TakeAndSkipRows()
    {
        Assert.Equal(new[] { 0f, 1f, 2f }, _ml.Data.TakeRows(Numbers(10), 3).GetColumn<float>("X"));
        Assert.Equal(new[] { 8f, 9f }, _ml.Data.SkipRows(Numbers(10), 8).GetColumn<float>("X"));
        Assert.Empty(_ml.Data.SkipRows(Numbers(3), 5).GetColumn<float>("X"));
        Assert.Equal(3, _ml.Data.TakeRows(Numbers(10), 3).GetRowCount());
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Data.TakeRows(Numbers(3), -1));
    }

    [Fact]
    public void FilterRowsByColumn_KeepsHalfOpenRange()
    {
        var kept = _ml.Data.FilterRowsByColumn(Numbers(10), "X", lowerBound: 2, upperBound: 5).GetColumn<float>("X");
        Assert.Equal(new[] { 2f, 3f, 4f }, kept);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Data.FilterRowsByColumn(Numbers(3), "Nope"));
    }

    private sealed class WithMissing
    {
        public float A { get; set; }

        public float[] V { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void FilterRowsByMissingValues_DropsNaNsInScalarsAndVectors()
    {
        var data = _ml.Data.LoadFromEnumerable(new[]
        {
            new WithMissing { A = 1, V = new[] { 1f } },
            new WithMissing { A = float.NaN, V = new[] { 1f } },
            new WithMissing { A = 3, V = new[] { 1f, float.NaN } },
            new WithMissing { A = 4, V = Array.Empty<float>() },
        });
        Assert.Equal(new[] { 1f, 3f, 4f }, _ml.Data.FilterRowsByMissingValues(data, "A").GetColumn<float>("A"));
        Assert.Equal(new[] { 1f, 4f }, _ml.Data.FilterRowsByMissingValues(data, "A", "V").GetColumn<float>("A"));
    }

    [Fact]
    public void ShuffleRows_IsAPermutation_DeterministicBySeed()
    {
        var shuffled = _ml.Data.ShuffleRows(Numbers(100), seed: 5, shufflePoolSize: 20).GetColumn<float>("X").ToList();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (float)i), shuffled.OrderBy(x => x));
        Assert.NotEqual(Enumerable.Range(0, 100).Select(i => (float)i), shuffled);
        Assert.Equal(shuffled, _ml.Data.ShuffleRows(Numbers(100), seed: 5, shufflePoolSize: 20).GetColumn<float>("X"));
        Assert.Empty(_ml.Data.ShuffleRows(Numbers(0), seed: 5).GetColumn<float>("X"));
    }

    [Fact]
    public void Cache_ReadsSourceOnce()
    {
        int reads = 0;
        IEnumerable<Point> Source()
        {
            reads++;
            for (int i = 0; i < 5; i++)
            {
                yield return new Point { X = i, Y = new float[] { 1, 2 }[i % 2] };
            }
        }

        var cached = _ml.Data.Cache(_ml.Data.LoadFromEnumerable(Source()));
        Assert.Equal(0, reads);
        Assert.Equal(new[] { 0f, 1f, 2f, 3f, 4f }, cached.GetColumn<float>("X"));
        Assert.Equal(new[] { 0f, 1f, 2f, 3f, 4f }, cached.GetColumn<float>("X"));
        Assert.Equal(1, reads);
        Assert.Equal(5, cached.GetRowCount());
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Data.Cache(cached, "Nope"));
    }

    [Fact]
    public void GetColumn_ConvertsTextAndVectors_AndChecksType()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new Rich { Text = "hello", Variable = new[] { 1f, 2f } } });
        Assert.Equal("hello", data.GetColumn<string>("Text").Single());
        Assert.Equal("hello", data.GetColumn<ReadOnlyMemory<char>>("Text").Single().ToString());
        Assert.Equal(new[] { 1f, 2f }, data.GetColumn<float[]>("Variable").Single());
        Assert.Equal(new[] { 1f, 2f }, data.GetColumn<VBuffer<float>>(data.Schema["Variable"]).Single().DenseValues());
        Assert.Throws<InvalidOperationException>(() => data.GetColumn<int>("Text").ToList());
        Assert.Throws<ArgumentOutOfRangeException>(() => data.GetColumn<int>("Nope"));
    }

    [Fact]
    public void Preview_ShowsRowsAndColumns()
    {
        var preview = Numbers(150).Preview();
        Assert.Equal(100, preview.RowView.Length);
        Assert.Equal(3, preview.ColumnView.Length);
        Assert.Equal("X", preview.RowView[0].Values[0].Key);
        Assert.Equal(5f, preview.ColumnView[0].Values[5]);
        Assert.Equal(2, Numbers(2).Preview(maxRows: 10).RowView.Length);
    }
}

public class SamplingOperationsTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void BootstrapSample_AndComplement_PartitionTheDistinctRows()
    {
        var data = _ml.Data.LoadFromEnumerable(Enumerable.Range(0, 2000).Select(i => new Point { X = i }).ToList());
        var sample = _ml.Data.BootstrapSample(data, seed: 4).GetColumn<float>("X").ToList();
        var outOfBag = _ml.Data.BootstrapSample(data, seed: 4, complement: true).GetColumn<float>("X").ToList();
        Assert.InRange(sample.Count, 1800, 2200);
        Assert.True(sample.Count > sample.Distinct().Count());
        Assert.Empty(sample.Intersect(outOfBag));
        Assert.Equal(2000, sample.Distinct().Count() + outOfBag.Count);
        Assert.InRange(outOfBag.Count / 2000.0, 0.33, 0.41);
        Assert.Equal(sample, _ml.Data.BootstrapSample(data, seed: 4).GetColumn<float>("X"));
    }

    [Fact]
    public void FilterRowsByKeyColumnFraction_UsesKeyPosition()
    {
        var data = _ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(i => new Rich { Key = (uint)i }).ToList());
        var kept = _ml.Data.FilterRowsByKeyColumnFraction(data, "Key", 0, 0.2).GetColumn<uint>("Key");
        Assert.Equal(new uint[] { 1, 2 }, kept);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Data.FilterRowsByKeyColumnFraction(data, "Count"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Data.FilterRowsByKeyColumnFraction(data, "Key", 0.5, 0.2));
    }
}
