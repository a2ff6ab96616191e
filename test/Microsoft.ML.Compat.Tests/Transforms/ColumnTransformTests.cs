using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Compat.Tests.Transforms;

public class ColumnTransformTests
{
    private readonly MLContext _ml = new(seed: 1);

    private sealed class Mixed
    {
        public float A { get; set; }

        [VectorType(2)]
        public float[] B { get; set; } = new float[2];

        public float[] Var { get; set; } = Array.Empty<float>();

        public double D1 { get; set; }

        public double D2 { get; set; }

        public string S { get; set; } = string.Empty;
    }

    private IDataView Data() => _ml.Data.LoadFromEnumerable(new[]
    {
        new Mixed { A = 1, B = new[] { 2f, 3f }, Var = new[] { 9f }, D1 = 1, D2 = 2, S = "x" },
        new Mixed { A = 4, B = new[] { 5f, 6f }, Var = new[] { 8f, 7f }, D1 = 3, D2 = 4, S = "y" },
    });

    [Fact]
    public void Concatenate_ScalarAndVector_KnownSizeWithSlotNames()
    {
        var est = _ml.Transforms.Concatenate("F", "A", "B");
        ColumnConcatenatingTransformer t = est.Fit(Data());
        var output = t.Transform(Data());
        var col = output.Schema["F"];
        Assert.Equal("Vector<Single, 3>", col.Type.ToString());
        VBuffer<ReadOnlyMemory<char>> names = default;
        col.GetSlotNames(ref names);
        Assert.Equal(new[] { "A", string.Empty, string.Empty }, names.DenseValues().Select(n => n.ToString()));
        var values = output.GetColumn<float[]>("F").ToList();
        Assert.Equal(new[] { 1f, 2f, 3f }, values[0]);
        Assert.Equal(new[] { 4f, 5f, 6f }, values[1]);
    }

    [Fact]
    public void Concatenate_VariableVector_GivesVariableOutput()
    {
        var output = _ml.Transforms.Concatenate("F", "Var", "A").Fit(Data()).Transform(Data());
        Assert.Equal("Vector<Single>", output.Schema["F"].Type.ToString());
        var values = output.GetColumn<float[]>("F").ToList();
        Assert.Equal(new[] { 9f, 1f }, values[0]);
        Assert.Equal(new[] { 8f, 7f, 4f }, values[1]);
    }

    [Fact]
    public void Concatenate_DoubleStaysDouble_AndMismatchThrows()
    {
        Assert.Equal("Vector<Double, 2>", _ml.Transforms.Concatenate("F", "D1", "D2").Fit(Data()).GetOutputSchema(Data().Schema)["F"].Type.ToString());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.Concatenate("F", "A", "D1").Fit(Data()));
        Assert.Contains("Schema mismatch for input column 'D1'", ex.Message);
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.Concatenate("F", "A", "Nope").Fit(Data()));
        Assert.Contains("Could not find input column 'Nope'", missing.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.Concatenate("F", "A", "Nope").GetOutputSchema(SchemaShape.Create(Data().Schema)));
    }

    [Fact]
    public void Concatenate_ExistingName_HidesOldColumn()
    {
        var output = _ml.Transforms.Concatenate("A", "A", "B").Fit(Data()).Transform(Data());
        Assert.Equal(2, output.Schema.Count(c => c.Name == "A"));
        Assert.True(output.Schema[0].IsHidden);
        Assert.Equal("Vector<Single, 3>", output.Schema["A"].Type.ToString());
    }

    [Fact]
    public void CopyColumns_CopiesValuesAndType()
    {
        var output = _ml.Transforms.CopyColumns("B2", "B").Fit(Data()).Transform(Data());
        Assert.Equal(output.Schema["B"].Type, output.Schema["B2"].Type);
        Assert.Equal(output.GetColumn<float[]>("B").ToList(), output.GetColumn<float[]>("B2").ToList());
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.CopyColumns("X", "Nope").Fit(Data()));
    }

    [Fact]
    public void SelectColumns_KeepsListedOrder_DropColumnsRemoves()
    {
        var selected = _ml.Transforms.SelectColumns("S", "A").Fit(Data()).Transform(Data());
        Assert.Equal(new[] { "S", "A" }, selected.Schema.Select(c => c.Name));
        Assert.Equal(new[] { "x", "y" }, selected.GetColumn<string>("S"));

        var dropped = _ml.Transforms.DropColumns("S", "Var").Fit(Data()).Transform(Data());
        Assert.Equal(new[] { "A", "B", "D1", "D2" }, dropped.Schema.Select(c => c.Name));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.SelectColumns("Nope").Fit(Data()));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.DropColumns("Nope").Fit(Data()));

        var shape = _ml.Transforms.SelectColumns("A").GetOutputSchema(SchemaShape.Create(Data().Schema));
        Assert.Single(shape);
    }

    [Fact]
    public void SelectColumns_KeepHidden_KeepsHiddenVersions()
    {
        var withHidden = _ml.Transforms.Concatenate("A", "A", "B").Fit(Data()).Transform(Data());
        var kept = _ml.Transforms.SelectColumns(new[] { "A" }, keepHidden: true).Fit(withHidden).Transform(withHidden);
        Assert.Equal(2, kept.Schema.Count);
        Assert.True(kept.Schema[0].IsHidden);
        var visibleOnly = _ml.Transforms.SelectColumns("A").Fit(withHidden).Transform(withHidden);
        Assert.Single(visibleOnly.Schema);
        var dropHidden = _ml.Transforms.DropColumns("S").Fit(withHidden).Transform(withHidden);
        Assert.DoesNotContain(dropHidden.Schema, c => c.IsHidden);
    }
}
