using System.Collections.Immutable;
using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests.DataView;

public class DataViewTypeTests
{
    [Fact]
    public void ToString_MatchesMlNetNames()
    {
        Assert.Equal("Single", NumberDataViewType.Single.ToString());
        Assert.Equal("Double", NumberDataViewType.Double.ToString());
        Assert.Equal("Int32", NumberDataViewType.Int32.ToString());
        Assert.Equal("Boolean", BooleanDataViewType.Instance.ToString());
        Assert.Equal("String", TextDataViewType.Instance.ToString());
        Assert.Equal("DateTime", DateTimeDataViewType.Instance.ToString());
        Assert.Equal("Key<UInt32, 0-9>", new KeyDataViewType(typeof(uint), 10).ToString());
        Assert.Equal("Vector<Single, 6>", new VectorDataViewType(NumberDataViewType.Single, 6).ToString());
        Assert.Equal("Vector<Single, 4, 3>", new VectorDataViewType(NumberDataViewType.Single, 4, 3).ToString());
        Assert.Equal("Vector<Single>", new VectorDataViewType(NumberDataViewType.Single).ToString());
    }

    [Fact]
    public void RawTypes_AreTheGetterTypes()
    {
        Assert.Equal(typeof(ReadOnlyMemory<char>), TextDataViewType.Instance.RawType);
        Assert.Equal(typeof(VBuffer<float>), new VectorDataViewType(NumberDataViewType.Single, 3).RawType);
        Assert.Equal(typeof(ushort), new KeyDataViewType(typeof(ushort), 5).RawType);
        Assert.Equal(typeof(DataViewRowId), RowIdDataViewType.Instance.RawType);
        Assert.Equal(typeof(DateTimeOffset), DateTimeOffsetDataViewType.Instance.RawType);
        Assert.Equal(typeof(TimeSpan), TimeSpanDataViewType.Instance.RawType);
    }

    [Fact]
    public void VectorType_DimensionsAndSize()
    {
        var grid = new VectorDataViewType(NumberDataViewType.Single, 4, 3);
        Assert.Equal(12, grid.Size);
        Assert.Equal(new[] { 4, 3 }, grid.Dimensions.ToArray());
        Assert.True(grid.IsKnownSize);
        var variable = new VectorDataViewType(NumberDataViewType.Double);
        Assert.Equal(0, variable.Size);
        Assert.False(variable.IsKnownSize);
        Assert.Equal(new[] { 0 }, variable.Dimensions.ToArray());
        Assert.Equal(grid, new VectorDataViewType(NumberDataViewType.Single, ImmutableArray.Create(4, 3)));
        Assert.NotEqual(grid, new VectorDataViewType(NumberDataViewType.Single, 12));
        Assert.NotEqual(grid, (DataViewType)new VectorDataViewType(NumberDataViewType.Double, 4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VectorDataViewType(NumberDataViewType.Single, -1));
    }

    [Fact]
    public void KeyType_ValidatesRawTypeAndCount()
    {
        Assert.True(KeyDataViewType.IsValidDataType(typeof(byte)));
        Assert.True(KeyDataViewType.IsValidDataType(typeof(ulong)));
        Assert.False(KeyDataViewType.IsValidDataType(typeof(int)));
        Assert.False(KeyDataViewType.IsValidDataType(typeof(float)));
        Assert.Throws<ArgumentException>(() => new KeyDataViewType(typeof(int), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyDataViewType(typeof(uint), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyDataViewType(typeof(byte), 300));
        Assert.Equal(new KeyDataViewType(typeof(uint), 3), new KeyDataViewType(typeof(uint), 3UL));
        Assert.NotEqual(new KeyDataViewType(typeof(uint), 3), new KeyDataViewType(typeof(uint), 4));
        Assert.Equal(3UL, new KeyDataViewType(typeof(uint), 3).Count);
    }

    [Fact]
    public void Singletons_CompareByReference()
    {
        Assert.Same(NumberDataViewType.Single, NumberDataViewType.Single);
        Assert.True(NumberDataViewType.Single.Equals((DataViewType)NumberDataViewType.Single));
        Assert.False(NumberDataViewType.Single.Equals(NumberDataViewType.Double));
        Assert.False(TextDataViewType.Instance.Equals(BooleanDataViewType.Instance));
    }
}
