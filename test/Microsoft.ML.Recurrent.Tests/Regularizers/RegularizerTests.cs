using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Regularizers;

public class RegularizerTests
{
    // Σ|w| = 10, Σw² = 30.
    private static Tensor Weight() => Tensor.FromArray([1.0, -2.0, 3.0, -4.0], new Shape(2, 2));

    [Fact]
    public void Norm_penalties_match_hand_computed_values()
    {
        Assert.Equal(0.01 * 10, new L1().Compute(Weight()).Item(), 12);
        Assert.Equal(0.01 * 30, new L2().Compute(Weight()).Item(), 12);
        Assert.Equal(0.1 * 10 + 0.2 * 30, new L1L2(0.1, 0.2).Compute(Weight()).Item(), 12);
        Assert.Equal(0.0, new L1L2().Compute(Weight()).Item());
        Assert.Equal(Shape.Scalar, new L2().Compute(Weight()).Shape);
    }

    [Fact]
    public void Orthogonal_regularizer_matches_a_hand_computed_3x2_example()
    {
        // W = [[1, 0], [1, 1], [0, 2]].
        var w = Tensor.FromArray([1.0, 0.0, 1.0, 1.0, 0.0, 2.0], new Shape(3, 2));
        // Rows normalized: (1,0), (1,1)/√2, (0,1). Off-diagonal |cosines|: 1/√2, 0, 1/√2, each twice → Σ = 2√2;
        // 3 pairs → 0.01 · 0.5 · 2√2 / 3.
        Assert.Equal(0.01 * 0.5 * 2 * Math.Sqrt(2) / 3, new OrthogonalRegularizer().Compute(w).Item(), 12);
        // Columns normalized: (1,1,0)/√2 and (0,1,2)/√5 with cosine 1/√10, twice; 1 pair.
        Assert.Equal(0.2 * 0.5 * 2 / Math.Sqrt(10), new OrthogonalRegularizer(0.2, "columns").Compute(w).Item(), 12);
        // Orthogonal rows cost nothing.
        var orthogonal = Tensor.FromArray([3.0, 0.0, 0.0, -2.0], new Shape(2, 2));
        Assert.Equal(0.0, new OrthogonalRegularizer(1.0).Compute(orthogonal).Item(), 15);
        Assert.Throws<ArgumentException>(() => new OrthogonalRegularizer().Compute(Tensor.FromArray([1.0, 2.0])));
    }

    public static TheoryData<Regularizer> Differentiable => new()
    {
        new L1(0.3), new L2(0.7), new L1L2(0.2, 0.5), new OrthogonalRegularizer(0.5), new OrthogonalRegularizer(0.5, "columns"),
    };

    [Theory]
    [MemberData(nameof(Differentiable))]
    public void Penalty_gradients_match_finite_differences(Regularizer regularizer)
    {
        // No zero entries (|w| has a kink there) and no orthogonal pairs (|cos| has a kink at 0).
        var w = Tensor.FromArray([0.8, -1.3, 0.4, 1.1, -0.6, 0.9, 0.5, 0.7, -1.7, 0.3, 1.2, -0.4], new Shape(4, 3));
        var result = GradientCheck.Run(inputs => regularizer.Compute(inputs[0]), [w]);
        Assert.True(result.MaxRelativeError < 1e-6, result.ToString());
    }

    [Fact]
    public void Penalty_is_computed_in_the_weight_dtype()
    {
        var w = Tensor.FromArray([1f, -2f, 3f, -4f], new Shape(2, 2));
        var penalty = new L2().Compute(w);
        Assert.Equal(DType.Float32, penalty.DType);
        Assert.Equal(0.3f, penalty.ToArray<float>()[0], 6);
    }

    [Fact]
    public void Strings_build_the_classes_with_keras_3_defaults()
    {
        Assert.Equal(0.01, Assert.IsType<L1>(Regularizer.Get("l1")).Factor);
        Assert.Equal(0.01, Assert.IsType<L2>(Regularizer.Get(JsonValue.Create("l2"))).Factor);
        var l1l2 = Assert.IsType<L1L2>(Regularizer.Get("l1l2"));
        Assert.Equal((0.0, 0.0), (l1l2.L1Factor, l1l2.L2Factor));
        Assert.IsType<L1L2>(Regularizer.Get("L1L2"));
        var orthogonal = Assert.IsType<OrthogonalRegularizer>(Regularizer.Get("orthogonal_regularizer"));
        Assert.Equal((0.01, "rows"), (orthogonal.Factor, orthogonal.Mode));
        Assert.Null(Regularizer.Get(null));
    }

    [Fact]
    public void L1_l2_is_not_a_serialized_name()
    {
        var error = Assert.Throws<ArgumentException>(() => Regularizer.Get("l1_l2"));
        Assert.Contains("'l1_l2'", error.Message);
        Assert.Contains("l1l2", error.Message);
    }

    [Fact]
    public void Keras2_dicts_and_null_factors_are_read()
    {
        var k2 = Assert.IsType<L1L2>(Regularizer.Get(JsonNode.Parse("""{"class_name":"L1L2","config":{"l1":0.0,"l2":0.009999999776482582}}""")));
        Assert.Equal(0.009999999776482582, k2.L2Factor);
        Assert.Equal(0.01, Assert.IsType<L2>(Regularizer.Get(JsonNode.Parse("""{"class_name":"L2","config":{"l2":null}}"""))).Factor);
        Assert.Equal(0.0, Assert.IsType<L1L2>(Regularizer.Get(JsonNode.Parse("""{"class_name":"L1L2","config":{"l1":null,"l2":0.1}}"""))).L1Factor);
    }

    [Fact]
    public void Factors_must_be_finite_and_non_negative()
    {
        Assert.Contains("l1=-0.1", Assert.Throws<ArgumentException>(() => new L1(-0.1)).Message);
        Assert.Contains("l2", Assert.Throws<ArgumentException>(() => new L1L2(0, double.NaN)).Message);
        Assert.Contains("factor", Assert.Throws<ArgumentException>(() => new OrthogonalRegularizer(double.PositiveInfinity)).Message);
        Assert.Contains("diagonal", Assert.Throws<ArgumentException>(() => new OrthogonalRegularizer(0.1, "diagonal")).Message);
        Assert.Contains("'l2'", Assert.Throws<FormatException>(() => Regularizer.Get(JsonNode.Parse("""{"class_name":"L2","config":{"l2":"big"}}"""))).Message);
        Assert.Contains("'l3'", Assert.Throws<ArgumentException>(() => Regularizer.Get(JsonNode.Parse("""{"class_name":"L2","config":{"l2":0.1,"l3":0.1}}"""))).Message);
    }

    [Fact]
    public void Configs_are_written_as_keras_writes_them()
    {
        Assert.Equal("""{"module":"keras.regularizers","class_name":"L2","config":{"l2":0.01},"registered_name":null}""", new L2().ToConfig().ToJsonString());
        Assert.Equal("""{"l1":0.0,"l2":0.5}""", new L1L2(l2: 0.5).GetConfig().ToJsonString());
        Assert.Equal("""{"factor":0.01,"mode":"rows"}""", new OrthogonalRegularizer().GetConfig().ToJsonString());
    }

    public static TheoryData<Regularizer> AllClasses => new()
    {
        new L1(0.25), new L2(), new L1L2(0.1, 0.2), new OrthogonalRegularizer(0.3, "columns"),
    };

    [Theory]
    [MemberData(nameof(AllClasses))]
    public void Every_class_round_trips_through_its_config(Regularizer regularizer)
    {
        var restored = Regularizer.Get(JsonNode.Parse(regularizer.ToConfig().ToJsonString()))!;
        Assert.Equal(regularizer.GetType(), restored.GetType());
        Assert.Equal(regularizer.ClassName, restored.ClassName);
        Assert.True(JsonNode.DeepEquals(regularizer.GetConfig(), restored.GetConfig()), $"{regularizer} vs {restored}");
    }
}
