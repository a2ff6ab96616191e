using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Constraints;

public class ConstraintTests
{
    private const double Epsilon = 1e-7;

    // Columns (3, 4) with norm 5 and (0.6, 0.8) with norm 1; rows (3, 0.6) and (4, 0.8).
    private static Tensor Kernel() => Tensor.FromArray([3.0, 0.6, 4.0, 0.8], new Shape(2, 2));

    private static void AssertValues(double[] expected, Tensor actual)
    {
        var values = actual.ToArray<double>();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 12);
    }

    [Fact]
    public void MaxNorm_caps_each_column_norm()
    {
        double big = 2 / (Epsilon + 5), small = 1 / (Epsilon + 1);
        AssertValues([3 * big, 0.6 * small, 4 * big, 0.8 * small], new MaxNorm().Apply(Kernel()));
    }

    [Fact]
    public void MaxNorm_along_axis_1_caps_each_row_norm()
    {
        double row0 = Math.Sqrt(9 + 0.36), row1 = Math.Sqrt(16 + 0.64);
        double s0 = 2 / (Epsilon + row0), s1 = 2 / (Epsilon + row1);
        AssertValues([3 * s0, 0.6 * s0, 4 * s1, 0.8 * s1], new MaxNorm(2, axis: 1).Apply(Kernel()));
    }

    [Fact]
    public void UnitNorm_normalizes_each_column()
    {
        double c0 = 1 / (Epsilon + 5), c1 = 1 / (Epsilon + 1);
        AssertValues([3 * c0, 0.6 * c1, 4 * c0, 0.8 * c1], new UnitNorm().Apply(Kernel()));
    }

    [Fact]
    public void UnitNorm_over_both_axes_normalizes_the_whole_matrix()
    {
        double norm = Math.Sqrt(9 + 0.36 + 16 + 0.64), s = 1 / (Epsilon + norm);
        AssertValues([3 * s, 0.6 * s, 4 * s, 0.8 * s], new UnitNorm([0, 1]).Apply(Kernel()));
    }

    [Fact]
    public void MinMaxNorm_moves_norms_into_the_range_at_the_given_rate()
    {
        // rate 1: column norms 5 → 3 and 1 → 2.
        double c0 = 3 / (Epsilon + 5), c1 = 2 / (Epsilon + 1);
        AssertValues([3 * c0, 0.6 * c1, 4 * c0, 0.8 * c1], new MinMaxNorm(2, 3).Apply(Kernel()));
        // rate 0.5: desired = 0.5·clip(n) + 0.5·n → 4 and 1.5.
        double h0 = 4 / (Epsilon + 5), h1 = 1.5 / (Epsilon + 1);
        AssertValues([3 * h0, 0.6 * h1, 4 * h0, 0.8 * h1], new MinMaxNorm(2, 3, rate: 0.5).Apply(Kernel()));
    }

    [Fact]
    public void NonNeg_zeroes_negative_entries()
    {
        AssertValues([0, 0, 1.5, 0], new NonNeg().Apply(Tensor.FromArray([-1.0, 0.0, 1.5, -0.1], new Shape(2, 2))));
    }

    [Fact]
    public void Projections_keep_dtype_and_do_not_record_gradients()
    {
        var w = Tensor.FromArray([3f, 0.6f, 4f, 0.8f], new Shape(2, 2));
        w.RequiresGrad = true;
        foreach (var constraint in new Constraint[] { new MaxNorm(), new UnitNorm(), new MinMaxNorm(), new NonNeg() })
        {
            var projected = constraint.Apply(w);
            Assert.Equal(DType.Float32, projected.DType);
            Assert.Equal(w.Shape, projected.Shape);
            Assert.False(projected.RequiresGrad, constraint.ClassName);
        }
    }

    [Fact]
    public void Negative_axes_count_from_the_end_and_bad_axes_are_rejected()
    {
        AssertValues(new MaxNorm(2, axis: 1).Apply(Kernel()).ToArray<double>(), new MaxNorm(2, axis: -1).Apply(Kernel()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaxNorm(2, axis: 2).Apply(Kernel()));
    }

    [Fact]
    public void Configs_are_written_as_keras_writes_them()
    {
        Assert.Equal("""{"module":"keras.constraints","class_name":"MaxNorm","config":{"max_value":2,"axis":0},"registered_name":null}""", new MaxNorm().ToConfig().ToJsonString());
        Assert.Equal("""{"max_value":1.5,"axis":[0,1]}""", new MaxNorm(1.5, [0, 1]).GetConfig().ToJsonString());
        Assert.Equal("""{"min_value":0.0,"max_value":1.0,"rate":1.0,"axis":0}""", new MinMaxNorm().GetConfig().ToJsonString());
        Assert.Equal("""{"axis":0}""", new UnitNorm().GetConfig().ToJsonString());
        Assert.Equal("{}", new NonNeg().GetConfig().ToJsonString());
    }

    public static TheoryData<Constraint> AllClasses => new()
    {
        new MaxNorm(3, axis: 1), new MaxNorm(1.5, [0, 1]), new NonNeg(), new UnitNorm(), new UnitNorm([-1]), new MinMaxNorm(0.5, 2, 0.7, 1),
    };

    [Theory]
    [MemberData(nameof(AllClasses))]
    public void Every_class_round_trips_through_its_config(Constraint constraint)
    {
        var restored = Constraint.Get(JsonNode.Parse(constraint.ToConfig().ToJsonString()))!;
        Assert.Equal(constraint.GetType(), restored.GetType());
        Assert.Equal(constraint.ClassName, restored.ClassName);
        Assert.True(JsonNode.DeepEquals(constraint.GetConfig(), restored.GetConfig()), $"{constraint} vs {restored}");
    }

    [Theory]
    [InlineData("max_norm", typeof(MaxNorm))]
    [InlineData("MaxNorm", typeof(MaxNorm))]
    [InlineData("non_neg", typeof(NonNeg))]
    [InlineData("unit_norm", typeof(UnitNorm))]
    [InlineData("min_max_norm", typeof(MinMaxNorm))]
    [InlineData("MinMaxNorm", typeof(MinMaxNorm))]
    public void Strings_build_the_classes_with_defaults(string name, Type expected)
    {
        Assert.IsType(expected, Constraint.Get(JsonValue.Create(name)));
        Assert.IsType(expected, Constraint.Get(name));
    }

    [Fact]
    public void Keras2_dicts_without_module_are_read()
    {
        var maxNorm = Assert.IsType<MaxNorm>(Constraint.Get(JsonNode.Parse("""{"class_name":"MaxNorm","config":{"max_value":3,"axis":0}}""")));
        Assert.Equal(3.0, maxNorm.MaxValue);
        Assert.Equal([0], maxNorm.Axis);
        var minMax = Assert.IsType<MinMaxNorm>(Constraint.Get(JsonNode.Parse("""{"class_name":"MinMaxNorm","config":{"min_value":0.5,"max_value":2.0,"rate":1.0,"axis":[0, 1]}}""")));
        Assert.Equal([0, 1], minMax.Axis);
        Assert.Null(Constraint.Get(null));
    }

    [Fact]
    public void Errors_name_the_unknown_class_key_or_value()
    {
        var unknown = Assert.Throws<ArgumentException>(() => Constraint.Get("maxnorm"));
        Assert.Contains("'maxnorm'", unknown.Message);
        Assert.Contains("max_norm", unknown.Message);
        var axis = Assert.Throws<FormatException>(() => Constraint.Get(JsonNode.Parse("""{"class_name":"UnitNorm","config":{"axis":"rows"}}""")));
        Assert.Contains("'axis'", axis.Message);
        Assert.Contains("'rows'", axis.Message);
        var key = Assert.Throws<ArgumentException>(() => Constraint.Get(JsonNode.Parse("""{"class_name":"NonNeg","config":{"axis":0}}""")));
        Assert.Contains("NonNeg", key.Message);
        Assert.Contains("'axis': 0", key.Message);
        Assert.Contains("max_value", Assert.Throws<ArgumentException>(() => new MaxNorm(-1)).Message);
        Assert.Throws<ArgumentException>(() => new MinMaxNorm(2, 1));
    }
}
