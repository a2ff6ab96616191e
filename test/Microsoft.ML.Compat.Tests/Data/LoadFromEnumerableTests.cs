using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests.Data;

public class LoadFromEnumerableTests
{
    private readonly MLContext _ml = new(seed: 1);

    private static Rich Sample(int i) => new()
    {
        FieldFirst = i,
        Original = i * 1.5,
        Count = i,
        Big = i * 10L,
        Flag = i % 2 == 0,
        Text = "t" + i,
        When = new DateTime(2020, 1, 1).AddDays(i),
        Key = (uint)(i % 10) + 1,
        Variable = Enumerable.Range(0, i).Select(x => (float)x).ToArray(),
        Grid = Enumerable.Range(0, 12).Select(x => (float)(x + i)).ToArray(),
        Pair = new[] { i, -i + 0.5 },
    };

    [Fact]
    public void Schema_FollowsAttributesAndFieldsComeFirst()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { Sample(1) });
        var s = data.Schema;
        Assert.Equal(new[] { "FieldFirst", "Renamed", "Count", "Big", "Flag", "Text", "When", "Key", "Variable", "Grid", "Pair" }, s.Select(c => c.Name));
        Assert.Equal("Single", s["FieldFirst"].Type.ToString());
        Assert.Equal("Double", s["Renamed"].Type.ToString());
        Assert.Equal("Int32", s["Count"].Type.ToString());
        Assert.Equal("Int64", s["Big"].Type.ToString());
        Assert.Equal("Boolean", s["Flag"].Type.ToString());
        Assert.Equal("String", s["Text"].Type.ToString());
        Assert.Equal("DateTime", s["When"].Type.ToString());
        Assert.Equal("Key<UInt32, 0-9>", s["Key"].Type.ToString());
        Assert.Equal("Vector<Single>", s["Variable"].Type.ToString());
        Assert.Equal("Vector<Single, 4, 3>", s["Grid"].Type.ToString());
        Assert.Equal(new[] { 4, 3 }, ((VectorDataViewType)s["Grid"].Type).Dimensions.ToArray());
        Assert.Equal("Vector<Double, 2>", s["Pair"].Type.ToString());
        Assert.Null(s.GetColumnOrNull("Ignored"));
    }

    [Fact]
    public void CreateEnumerable_RoundTripsEveryMember()
    {
        var rows = Enumerable.Range(0, 5).Select(Sample).ToList();
        var back = _ml.Data.CreateEnumerable<Rich>(_ml.Data.LoadFromEnumerable(rows), reuseRowObject: false).ToList();
        Assert.Equal(5, back.Count);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(rows[i].FieldFirst, back[i].FieldFirst);
            Assert.Equal(rows[i].Original, back[i].Original);
            Assert.Equal(rows[i].Big, back[i].Big);
            Assert.Equal(rows[i].Flag, back[i].Flag);
            Assert.Equal(rows[i].Text, back[i].Text);
            Assert.Equal(rows[i].When, back[i].When);
            Assert.Equal(rows[i].Key, back[i].Key);
            Assert.Equal(rows[i].Variable, back[i].Variable);
            Assert.Equal(rows[i].Grid, back[i].Grid);
            Assert.Equal(rows[i].Pair, back[i].Pair);
            Assert.NotSame(rows[i].Grid, back[i].Grid);
        }
    }

    [Fact]
    public void CreateEnumerable_ReuseRowObject_ReturnsSameInstance()
    {
        var data = _ml.Data.LoadFromEnumerable(TestData.Points(3));
        var reused = _ml.Data.CreateEnumerable<Point>(data, reuseRowObject: true).Select(p => (p, p.X)).ToList();
        Assert.Same(reused[0].p, reused[2].p);
        Assert.NotEqual(reused[0].X, reused[1].X);
        var fresh = _ml.Data.CreateEnumerable<Point>(data, reuseRowObject: false).ToList();
        Assert.NotSame(fresh[0], fresh[1]);
    }

    private sealed class Extra
    {
        public float X { get; set; }

        public float NotThere { get; set; } = 42;
    }

    [Fact]
    public void CreateEnumerable_MissingColumns_ThrowUnlessIgnored()
    {
        var data = _ml.Data.LoadFromEnumerable(TestData.Points(2));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Data.CreateEnumerable<Extra>(data, reuseRowObject: false).ToList());
        Assert.Contains("Could not find  column 'NotThere'", ex.Message);
        var rows = _ml.Data.CreateEnumerable<Extra>(data, reuseRowObject: false, ignoreMissingColumns: true).ToList();
        Assert.All(rows, r => Assert.Equal(42, r.NotThere));
    }

    [Fact]
    public void SchemaDefinition_FixesRuntimeVectorSize()
    {
        var def = SchemaDefinition.Create(typeof(Rich));
        def["Variable"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3);
        def["Text"].ColumnName = "Words";
        def["Count"].AddAnnotation("IsNormalized", true, BooleanDataViewType.Instance);
        var data = _ml.Data.LoadFromEnumerable(new[] { Sample(3) }, def);
        Assert.Equal("Vector<Single, 3>", data.Schema["Variable"].Type.ToString());
        Assert.NotNull(data.Schema.GetColumnOrNull("Words"));
        Assert.True(data.Schema["Count"].IsNormalized());
        Assert.Equal(SchemaDefinition.Direction.Both, SchemaDefinition.Direction.Read | SchemaDefinition.Direction.Write);
        Assert.Throws<ArgumentOutOfRangeException>(() => def["nope"]);
    }

    [Fact]
    public void LoadFromEnumerable_WithSchema_UsesItsTypes()
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn("X", NumberDataViewType.Single);
        b.AddColumn("Y", NumberDataViewType.Single);
        var data = _ml.Data.LoadFromEnumerable(TestData.Points(4), b.ToSchema());
        Assert.Equal(2, data.Schema.Count);
        Assert.Equal(4, data.GetColumn<float>("Y").Count());
    }

    [Fact]
    public void Getter_WrongType_ThrowsWithMlNetMessage()
    {
        var data = _ml.Data.LoadFromEnumerable(TestData.Points(1));
        var col = data.Schema["X"];
        using var cursor = data.GetRowCursor(new[] { col });
        var ex = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<double>(col));
        Assert.Equal("Invalid TValue in GetGetter for column #X: Single: 'System.Double', expected type: 'System.Single'.", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => cursor.GetGetter<float>(data.Schema["Y"]));
        Assert.False(cursor.IsColumnActive(data.Schema["Y"]));
    }

    [Fact]
    public void Cursor_IsLazyAndPositionStartsAtMinusOne()
    {
        int enumerated = 0;
        IEnumerable<Point> Generate()
        {
            for (int i = 0; i < 3; i++)
            {
                enumerated++;
                yield return new Point { X = i };
            }
        }

        var data = _ml.Data.LoadFromEnumerable(Generate());
        Assert.Equal(0, enumerated);
        Assert.Null(data.GetRowCount());
        using var cursor = data.GetRowCursor(data.Schema);
        Assert.Equal(-1, cursor.Position);
        Assert.True(cursor.MoveNext());
        Assert.Equal(0, cursor.Position);
        Assert.Equal(1, enumerated);
        DataViewRowId id = default;
        cursor.GetIdGetter()(ref id);
        Assert.Equal(new DataViewRowId(0, 0), id);
    }

    [Fact]
    public void EmptyData_HasSchemaAndNoRows()
    {
        var data = _ml.Data.LoadFromEnumerable(new List<Point>());
        Assert.Equal(0, data.GetRowCount());
        Assert.Empty(_ml.Data.CreateEnumerable<Point>(data, false));
        var set = data.GetRowCursorSet(data.Schema, 4);
        Assert.Single(set);
        Assert.False(set[0].MoveNext());
    }

    private sealed class Unsupported
    {
        public decimal Money { get; set; }
    }

    private sealed class BadVector
    {
        [VectorType(3)]
        public float NotArray { get; set; }
    }

    [Fact]
    public void UnsupportedMemberTypes_Throw()
    {
        Assert.Throws<InvalidOperationException>(() => _ml.Data.LoadFromEnumerable(new[] { new Unsupported() }));
        Assert.Throws<InvalidOperationException>(() => _ml.Data.LoadFromEnumerable(new[] { new BadVector() }));
    }
}
