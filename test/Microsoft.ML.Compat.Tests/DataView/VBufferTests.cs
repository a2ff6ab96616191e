using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests.DataView;

public class VBufferTests
{
    [Fact]
    public void Dense_ExposesValuesAndNoIndices()
    {
        var v = new VBuffer<float>(3, new[] { 1f, 2f, 3f });
        Assert.True(v.IsDense);
        Assert.Equal(3, v.Length);
        Assert.Equal(new[] { 1f, 2f, 3f }, v.GetValues().ToArray());
        Assert.True(v.GetIndices().IsEmpty);
        Assert.Equal(new[] { 1f, 2f, 3f }, v.DenseValues());
    }

    [Fact]
    public void Sparse_ImplicitItemsAreDefault()
    {
        var v = new VBuffer<float>(5, 2, new[] { 7f, 9f }, new[] { 1, 3 });
        Assert.False(v.IsDense);
        Assert.Equal(new[] { 0f, 7f, 0f, 9f, 0f }, v.DenseValues());
        Assert.Equal(9f, v.GetItemOrDefault(3));
        Assert.Equal(0f, v.GetItemOrDefault(4));
        Assert.Equal(new[] { new KeyValuePair<int, float>(1, 7f), new KeyValuePair<int, float>(3, 9f) }, v.Items());
        Assert.Equal(5, v.Items(all: true).Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => v.GetItemOrDefault(5));
        float dst = 0;
        v.GetItemOrDefault(1, ref dst);
        Assert.Equal(7f, dst);
    }

    [Fact]
    public void CopyTo_ReusesLargeEnoughDestinationArrays()
    {
        var destination = new VBuffer<float>(4, new[] { 0f, 0f, 0f, 0f });
        var before = destination.GetValues().ToArray();
        var editor = VBufferEditor.Create(ref destination, 2);
        Assert.False(editor.CreatedNewValues);
        editor.Values[0] = 5;
        editor.Values[1] = 6;
        destination = editor.Commit();
        Assert.Equal(2, destination.Length);
        Assert.Equal(new[] { 5f, 6f }, destination.DenseValues());

        var grow = VBufferEditor.Create(ref destination, 10);
        Assert.True(grow.CreatedNewValues);
    }

    [Fact]
    public void CopyVariants_ProduceDenseCopies()
    {
        var sparse = new VBuffer<double>(4, 1, new[] { 2.5 }, new[] { 2 });
        VBuffer<double> dense = default;
        sparse.CopyToDense(ref dense);
        Assert.True(dense.IsDense);
        Assert.Equal(new[] { 0, 0, 2.5, 0 }, dense.DenseValues());

        VBuffer<double> copy = default;
        sparse.CopyTo(ref copy);
        Assert.False(copy.IsDense);
        Assert.Equal(new[] { 2 }, copy.GetIndices().ToArray());

        VBuffer<double> slice = default;
        sparse.CopyTo(ref slice, 1, 2);
        Assert.Equal(new[] { 0, 2.5 }, slice.DenseValues());

        var span = new double[6];
        sparse.CopyTo(span, 1, -1);
        Assert.Equal(new[] { 0, -1, -1, 2.5, -1, 0 }, span);

        VBuffer<double> fromArray = default;
        VBuffer<double>.Copy(new[] { 1.0, 2.0, 3.0 }, 1, ref fromArray, 2);
        Assert.Equal(new[] { 2.0, 3.0 }, fromArray.DenseValues());
        Assert.Throws<ArgumentException>(() => sparse.CopyTo(new double[3]));
    }

    [Fact]
    public void CommitTruncated_DropsTrailingValues()
    {
        VBuffer<int> v = default;
        var editor = VBufferEditor.Create(ref v, 10, 3);
        editor.Values[0] = 1;
        editor.Values[1] = 2;
        editor.Indices[0] = 4;
        editor.Indices[1] = 8;
        v = editor.CommitTruncated(2);
        Assert.Equal(2, v.GetValues().Length);
        Assert.Equal(2, v.GetItemOrDefault(8));
        var fromBuffer = VBufferEditor.CreateFromBuffer(ref v);
        fromBuffer.Values[0] = 42;
        Assert.Equal(42, v.GetItemOrDefault(4));
    }

    [Fact]
    public void Constructor_RejectsInconsistentArguments()
    {
        Assert.Throws<ArgumentException>(() => new VBuffer<float>(3, new[] { 1f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VBuffer<float>(2, 3, new float[3], null));
        Assert.Throws<ArgumentException>(() => new VBuffer<float>(5, 2, new float[2], null));
    }

    [Fact]
    public void RowId_OperationsAreDeterministicAndDistinct()
    {
        var id = new DataViewRowId(5, 0);
        Assert.Equal(id.Next(), new DataViewRowId(5, 0).Next());
        Assert.NotEqual(id.Next(), id.Fork());
        Assert.NotEqual(id, id.Combine(new DataViewRowId(1, 0)));
        Assert.True(new DataViewRowId(1, 1).CompareTo(new DataViewRowId(5, 0)) > 0);
        Assert.True(id == new DataViewRowId(5, 0));
        Assert.Equal("0x00000000000000000000000000000005", id.ToString());
    }
}
