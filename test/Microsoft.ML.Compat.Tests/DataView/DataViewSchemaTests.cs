using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests.DataView;

public class DataViewSchemaTests
{
    private static DataViewSchema.Annotations SlotNames(params string[] names)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        var values = names.Select(n => n.AsMemory()).ToArray();
        builder.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, names.Length), (ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(values.Length, values));
        builder.AddPrimitiveValue("IsNormalized", BooleanDataViewType.Instance, true);
        return builder.ToAnnotations();
    }

    [Fact]
    public void Builder_SameNameTwice_HidesEarlierColumnAndLookupReturnsLast()
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn("A", NumberDataViewType.Single);
        b.AddColumn("B", TextDataViewType.Instance);
        b.AddColumn("A", NumberDataViewType.Double);
        var schema = b.ToSchema();

        Assert.Equal(3, schema.Count);
        Assert.True(schema[0].IsHidden);
        Assert.False(schema[2].IsHidden);
        Assert.Equal(2, schema["A"].Index);
        Assert.Equal(NumberDataViewType.Double, schema["A"].Type);
        Assert.Null(schema.GetColumnOrNull("C"));
        Assert.Equal(new[] { "A", "B", "A" }, schema.Select(c => c.Name));
    }

    [Fact]
    public void Indexer_MissingName_ThrowsArgumentOutOfRangeWithMlNetMessage()
    {
        var schema = new DataViewSchema.Builder().ToSchema();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => schema["nope"]);
        Assert.Equal("name", ex.ParamName);
        Assert.StartsWith("Column 'nope' not found", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => schema[0]);
    }

    [Fact]
    public void Annotations_AreReadableByKindAndShownInColumnToString()
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 2), SlotNames("x", "y"));
        var col = b.ToSchema()["Features"];

        Assert.Equal("Features: Vector<Single, 2> {SlotNames, IsNormalized}", col.ToString());
        Assert.True(col.HasSlotNames());
        Assert.True(col.IsNormalized());
        VBuffer<ReadOnlyMemory<char>> names = default;
        col.GetSlotNames(ref names);
        Assert.Equal(new[] { "x", "y" }, names.DenseValues().Select(n => n.ToString()));
        Assert.Equal("SlotNames, IsNormalized", col.Annotations.ToString());
        bool flag = false;
        Assert.Throws<InvalidOperationException>(() => col.Annotations.GetValue("KeyValues", ref flag));
        Assert.Throws<InvalidOperationException>(() => col.Annotations.GetGetter<float>(col.Annotations.Schema["IsNormalized"]));
    }

    [Fact]
    public void PlainColumns_HaveEmptyAnnotations()
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn("Label", NumberDataViewType.Single);
        var col = b.ToSchema()[0];
        Assert.Same(DataViewSchema.Annotations.Empty, col.Annotations);
        Assert.Equal("Label: Single", col.ToString());
        Assert.False(col.HasSlotNames());
        Assert.False(col.IsNormalized());
        Assert.False(col.HasKeyValues());
    }

    [Fact]
    public void DetachedColumns_RoundTripThroughBuilder()
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn("K", new KeyDataViewType(typeof(uint), 3));
        var original = b.ToSchema();
        var detached = new DataViewSchema.DetachedColumn(original[0]);
        var copy = new DataViewSchema.Builder();
        copy.AddColumns(new[] { detached, new DataViewSchema.DetachedColumn("T", TextDataViewType.Instance) });
        copy.AddColumns(original);
        var schema = copy.ToSchema();
        Assert.Equal(3, schema.Count);
        Assert.Equal("K", detached.Name);
        Assert.Equal(new KeyDataViewType(typeof(uint), 3), schema["K"].Type);
        Assert.True(schema[0].IsHidden);
    }

    [Fact]
    public void AnnotationsBuilder_CopiesSelectedKindsAndRejectsWrongTypes()
    {
        var source = SlotNames("a");
        var b = new DataViewSchema.Annotations.Builder();
        b.Add(source, kind => kind == "IsNormalized");
        var copy = b.ToAnnotations();
        Assert.Equal(new[] { "IsNormalized" }, copy.Schema.Select(c => c.Name));

        var bad = new DataViewSchema.Annotations.Builder();
        Assert.Throws<ArgumentException>(() => bad.AddPrimitiveValue("X", NumberDataViewType.Single, 1.0));
        Assert.Throws<ArgumentException>(() => bad.Add("Y", NumberDataViewType.Single, (Delegate)(ValueGetter<double>)((ref double d) => d = 1)));
    }

    [Fact]
    public void SchemaShape_FromSchema_MapsKindsAndKeys()
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn("S", NumberDataViewType.Single);
        b.AddColumn("V", new VectorDataViewType(NumberDataViewType.Single, 3));
        b.AddColumn("VV", new VectorDataViewType(NumberDataViewType.Double));
        b.AddColumn("K", new KeyDataViewType(typeof(uint), 4));
        var shape = SchemaShape.Create(b.ToSchema());
        Assert.Equal(4, shape.Count);
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, shape[0].Kind);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, shape[1].Kind);
        Assert.Equal(SchemaShape.Column.VectorKind.VariableVector, shape[2].Kind);
        Assert.True(shape[3].IsKey);
        Assert.Equal(NumberDataViewType.UInt32, shape[3].ItemType);
    }
}
