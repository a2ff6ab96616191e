using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Initializers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Tests.Initializers;

public class InitializerTests
{
    private static (double Mean, double Variance, double MaxAbs) Statistics(Tensor t)
    {
        var v = t.ToDoubleArray();
        double mean = v.Average();
        double variance = v.Sum(x => (x - mean) * (x - mean)) / v.Length;
        return (mean, variance, v.Max(Math.Abs));
    }

    private static void AssertClose(double expected, double actual, double relativeTolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= relativeTolerance * Math.Abs(expected), $"{what}: {actual}, expected {expected} ± {relativeTolerance:P0}");

    // ------------------------------------------------------------------ fans

    [Fact]
    public void Fans_follow_the_keras_rules_for_each_rank()
    {
        Assert.Equal((1L, 1L), Initializer.ComputeFans(Shape.Scalar));
        Assert.Equal((5L, 5L), Initializer.ComputeFans(new Shape(5)));
        Assert.Equal((3L, 7L), Initializer.ComputeFans(new Shape(3, 7)));
        // Conv kernel (k, in, out): receptive field 3.
        Assert.Equal((3L * 4, 3L * 8), Initializer.ComputeFans(new Shape(3, 4, 8)));
        // ConvLSTM2D kernel (kh, kw, in, 4·filters): receptive field 3·3.
        Assert.Equal((9L * 2, 9L * 20), Initializer.ComputeFans(new Shape(3, 3, 2, 20)));
    }

    // ------------------------------------------------------------------ variance scaling family

    [Fact]
    public void GlorotUniform_on_an_lstm_kernel_uses_the_concatenated_fan_out()
    {
        const int features = 64, units = 128;
        var w = new GlorotUniform(seed: 1).Create(new Shape(features, 4 * units));
        double limit = Math.Sqrt(6.0 / (features + 4 * units));
        var (mean, variance, maxAbs) = Statistics(w);
        Assert.True(maxAbs <= limit, $"max |w| {maxAbs} exceeds the limit {limit}");
        Assert.True(maxAbs > 0.99 * limit, "uniform samples should reach close to the limit");
        Assert.True(Math.Abs(mean) < 0.01 * limit);
        AssertClose(limit * limit / 3, variance, 0.03, "variance");
    }

    [Theory]
    [InlineData("glorot_normal", 2.0, "avg")]
    [InlineData("he_normal", 2.0, "in")]
    [InlineData("he_uniform", 2.0, "in")]
    [InlineData("lecun_normal", 1.0, "in")]
    [InlineData("lecun_uniform", 1.0, "in")]
    public void Named_variance_scaling_initializers_have_their_variance(string name, double numerator, string fan)
    {
        const int fanIn = 150, fanOut = 400;
        var w = Initializer.Get(name).Create(new Shape(fanIn, fanOut), DType.Float64);
        double expected = fan == "avg" ? numerator / (fanIn + fanOut) : numerator / fanIn;
        var (mean, variance, maxAbs) = Statistics(w);
        AssertClose(expected, variance, 0.04, $"{name} variance");
        Assert.True(Math.Abs(mean) < 0.02 * Math.Sqrt(expected));
        if (name.EndsWith("_normal", StringComparison.Ordinal))
        {
            // Truncated at two standard deviations of the untruncated normal.
            double bound = 2 * Math.Sqrt(expected) / 0.87962566103423978;
            Assert.True(maxAbs <= bound, $"{name}: max |w| {maxAbs} beyond 2σ = {bound}");
        }
        else
        {
            Assert.True(maxAbs <= Math.Sqrt(3 * expected));
        }
    }

    [Fact]
    public void VarianceScaling_fan_out_untruncated_normal_has_tails()
    {
        var w = new VarianceScaling(scale: 3.0, mode: "fan_out", distribution: "untruncated_normal", seed: 5).Create(new Shape(4, 5, 200), DType.Float64);
        double expected = 3.0 / (4 * 200);
        var (_, variance, maxAbs) = Statistics(w);
        AssertClose(expected, variance, 0.05, "variance");
        Assert.True(maxAbs > 2.5 * Math.Sqrt(expected), "an untruncated normal of 4000 draws has values beyond 2.5σ");
    }

    [Fact]
    public void VarianceScaling_maps_the_legacy_normal_distribution_to_truncated_normal()
    {
        Assert.Equal("truncated_normal", new VarianceScaling(distribution: "Normal").Distribution);
        var k2 = (VarianceScaling)Initializer.Get(JsonNode.Parse("""{"class_name":"VarianceScaling","config":{"scale":2.0,"mode":"fan_in","distribution":"normal","seed":null}}"""))!;
        Assert.Equal(("truncated_normal", 2.0, "fan_in"), (k2.Distribution, k2.Scale, k2.Mode));
    }

    [Fact]
    public void VarianceScaling_rejects_bad_arguments_naming_them()
    {
        Assert.Contains("scale=0", Assert.Throws<ArgumentException>(() => new VarianceScaling(scale: 0)).Message);
        Assert.Contains("fan_sum", Assert.Throws<ArgumentException>(() => new VarianceScaling(mode: "fan_sum")).Message);
        Assert.Contains("gaussian", Assert.Throws<ArgumentException>(() => new VarianceScaling(distribution: "gaussian")).Message);
        var axes = Assert.Throws<NotSupportedException>(() => Initializer.Get(JsonNode.Parse("""{"class_name":"GlorotUniform","config":{"seed":null,"input_axes":[0],"output_axes":null}}""")));
        Assert.Contains("input_axes", axes.Message);
    }

    // ------------------------------------------------------------------ random and constant initializers

    [Fact]
    public void TruncatedNormal_stays_within_two_stddev_of_the_mean()
    {
        var w = new TruncatedNormal(mean: 1.0, stddev: 0.5, seed: 3).Create(new Shape(200, 200), DType.Float64);
        var (mean, variance, _) = Statistics(w);
        var values = w.ToArray<double>();
        Assert.All(values, v => Assert.InRange(v, 0.0, 2.0));
        AssertClose(1.0, mean, 0.01, "mean");
        AssertClose(0.5 * 0.87962566103423978, Math.Sqrt(variance), 0.02, "stddev");
    }

    [Fact]
    public void RandomNormal_and_RandomUniform_have_their_moments()
    {
        var normal = Statistics(new RandomNormal(mean: -0.5, stddev: 2.0, seed: 8).Create(new Shape(100, 300), DType.Float64));
        AssertClose(-0.5, normal.Mean, 0.05, "normal mean");
        AssertClose(4.0, normal.Variance, 0.04, "normal variance");

        var uniform = new RandomUniform(minval: 1.0, maxval: 3.0, seed: 8).Create(new Shape(100, 300), DType.Float64);
        Assert.All(uniform.ToArray<double>(), v => Assert.InRange(v, 1.0, 3.0));
        var u = Statistics(uniform);
        AssertClose(2.0, u.Mean, 0.01, "uniform mean");
        AssertClose(4.0 / 12, u.Variance, 0.04, "uniform variance");
        Assert.Throws<ArgumentException>(() => new RandomUniform(1, 0));
        Assert.Contains("stddev", Assert.Throws<ArgumentException>(() => new RandomNormal(stddev: -1)).Message);
    }

    [Fact]
    public void Constant_initializers_fill_their_values()
    {
        Assert.All(new Zeros().Create(new Shape(2, 3)).ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(new Ones().Create(new Shape(2, 3)).ToArray<float>(), v => Assert.Equal(1f, v));
        Assert.All(new Constant(0.25).Create(new Shape(4), DType.Float64).ToArray<double>(), v => Assert.Equal(0.25, v));
        Assert.Equal(DType.Float64, new Zeros().Create(new Shape(2), DType.Float64).DType);
        Assert.Throws<ArgumentException>(() => new Zeros().Create(new Shape(2), DType.Int32));
    }

    [Fact]
    public void Constant_array_values_broadcast_and_keep_their_encoding()
    {
        var fromList = (Constant)Initializer.Get(JsonNode.Parse("""{"class_name":"Constant","config":{"value":[1.0, 2.0, 3.0]}}"""))!;
        Assert.Equal([1.0, 2, 3, 1, 2, 3], fromList.Create(new Shape(2, 3), DType.Float64).ToArray<double>());
        Assert.Equal("""{"value":[1.0,2.0,3.0]}""", fromList.GetConfig().ToJsonString());

        const string numpy = """{"value":{"class_name":"__numpy__","config":{"value":[[0.5],[-1.0]],"dtype":"float32"}}}""";
        var fromNumpy = (Constant)Initializer.Get(JsonNode.Parse($$"""{"class_name":"Constant","config":{{numpy}}}"""))!;
        Assert.Equal(new Shape(2, 1), fromNumpy.ValueShape);
        Assert.Equal([0.5f, 0.5f, -1f, -1f], fromNumpy.Create(new Shape(2, 2)).ToArray<float>());
        Assert.Equal(numpy, fromNumpy.GetConfig().ToJsonString());

        Assert.Throws<ArgumentException>(() => fromList.Create(new Shape(3, 2)));
        var ragged = Assert.Throws<FormatException>(() => Initializer.Get(JsonNode.Parse("""{"class_name":"Constant","config":{"value":[[1.0],[2.0, 3.0]]}}""")));
        Assert.Contains("rectangular", ragged.Message);
        Assert.Equal([1.0, 2, 3, 4], new Constant([1.0, 2, 3, 4], new Shape(2, 2)).Create(new Shape(2, 2), DType.Float64).ToArray<double>());
    }

    [Fact]
    public void Identity_puts_gain_on_the_main_diagonal_also_for_non_square_matrices()
    {
        Assert.Equal([2.0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0], new Identity(gain: 2).Create(new Shape(3, 4), DType.Float64).ToArray<double>());
        Assert.Equal([1.0, 0, 0, 1, 0, 0], new Identity().Create(new Shape(3, 2), DType.Float64).ToArray<double>());
        Assert.Throws<ArgumentException>(() => new Identity().Create(new Shape(2, 2, 2)));
    }

    // ------------------------------------------------------------------ orthogonal

    /// <summary>M·Mᵀ (when <paramref name="rows"/>) or Mᵀ·M of a row-major r×c matrix.</summary>
    private static double[,] Gram(double[] m, int r, int c, bool rows)
    {
        int n = rows ? r : c;
        var g = new double[n, n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                double s = 0;
                for (int k = 0; k < (rows ? c : r); k++)
                    s += rows ? m[a * c + k] * m[b * c + k] : m[k * c + a] * m[k * c + b];
                g[a, b] = s;
            }
        return g;
    }

    private static void AssertScaledIdentity(double[,] g, double scale)
    {
        for (int a = 0; a < g.GetLength(0); a++)
            for (int b = 0; b < g.GetLength(1); b++)
                Assert.True(Math.Abs(g[a, b] - (a == b ? scale : 0)) < 1e-10, $"Gram[{a},{b}] = {g[a, b]}");
    }

    [Fact]
    public void Orthogonal_lstm_recurrent_kernel_has_orthonormal_rows_as_a_whole()
    {
        const int units = 16;
        var w = new Orthogonal(seed: 11).Create(new Shape(units, 4 * units), DType.Float64).ToArray<double>();
        AssertScaledIdentity(Gram(w, units, 4 * units, rows: true), 1.0);
    }

    [Fact]
    public void Orthogonal_tall_and_square_matrices_have_orthonormal_columns_times_gain()
    {
        var tall = new Orthogonal(gain: 1.5, seed: 2).Create(new Shape(40, 12), DType.Float64).ToArray<double>();
        AssertScaledIdentity(Gram(tall, 40, 12, rows: false), 2.25);
        var square = new Orthogonal(seed: 4).Create(new Shape(9, 9), DType.Float64).ToArray<double>();
        AssertScaledIdentity(Gram(square, 9, 9, rows: false), 1.0);
        AssertScaledIdentity(Gram(square, 9, 9, rows: true), 1.0);
    }

    [Fact]
    public void Orthogonal_flattens_higher_ranks_to_rows_by_last_axis()
    {
        // ConvLSTM-style recurrent kernel (3, 3, 2, 8): 18 rows, 8 columns.
        var w = new Orthogonal(seed: 6).Create(new Shape(3, 3, 2, 8), DType.Float64);
        Assert.Equal(new Shape(3, 3, 2, 8), w.Shape);
        AssertScaledIdentity(Gram(w.ToArray<double>(), 18, 8, rows: false), 1.0);
        Assert.Throws<ArgumentException>(() => new Orthogonal().Create(new Shape(5)));
    }

    [Fact]
    public void Orthogonal_large_lstm_recurrent_kernel_is_orthonormal()
    {
        const int units = 128;
        var w = new Orthogonal(seed: 1).Create(new Shape(units, 4 * units), DType.Float64).ToArray<double>();
        var rows = Gram(w, units, 4 * units, rows: true);
        for (int a = 0; a < units; a += 7)
            for (int b = 0; b < units; b += 5)
                Assert.True(Math.Abs(rows[a, b] - (a == b ? 1 : 0)) < 1e-10, $"Gram[{a},{b}] = {rows[a, b]}");
    }

    [Fact]
    public void Householder_Q_equals_gram_schmidt_Q_with_positive_R_diagonal()
    {
        // Classical Gram–Schmidt on the columns gives the QR factor whose R has a positive diagonal: the same Q
        // the sign-fixed Householder factor must be.
        double[] a = [2, -1, 0.5, 1, 3, -2, -1, 0.5, 4, 0.3, -2, 1];   // 4×3, row-major
        const int m = 4, n = 3;
        var expected = new double[m * n];
        for (int j = 0; j < n; j++)
        {
            var v = Enumerable.Range(0, m).Select(i => a[i * n + j]).ToArray();
            for (int p = 0; p < j; p++)
            {
                double dot = Enumerable.Range(0, m).Sum(i => expected[i * n + p] * a[i * n + j]);
                for (int i = 0; i < m; i++) v[i] -= dot * expected[i * n + p];
            }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            for (int i = 0; i < m; i++) expected[i * n + j] = v[i] / norm;
        }
        var q = Orthogonal.HouseholderQ(a, m, n);
        for (int k = 0; k < q.Length; k++) Assert.Equal(expected[k], q[k], 12);
    }

    [Fact]
    public void Orthogonal_float32_result_is_the_float64_result_rounded()
    {
        var f64 = new Orthogonal(seed: 9).Create(new Shape(5, 3), DType.Float64).ToArray<double>();
        var f32 = new Orthogonal(seed: 9).Create(new Shape(5, 3)).ToArray<float>();
        for (int k = 0; k < f64.Length; k++) Assert.Equal((float)f64[k], f32[k]);
    }

    // ------------------------------------------------------------------ seeds

    [Fact]
    public void Seeded_initializers_repeat_their_values_and_different_seeds_differ()
    {
        var shape = new Shape(6, 8);
        Initializer[] seeded = [new GlorotUniform(seed: 42), new HeNormal(seed: 42), new RandomNormal(seed: 42), new RandomUniform(seed: 42), new TruncatedNormal(seed: 42), new Orthogonal(seed: 42)];
        foreach (var initializer in seeded)
        {
            var first = initializer.Create(shape).ToArray<float>();
            Assert.Equal(first, initializer.Create(shape).ToArray<float>());
            Assert.Equal(first, Initializer.Get(initializer.ToConfig())!.Create(shape).ToArray<float>());
        }
        Assert.NotEqual(new GlorotUniform(seed: 1).Create(shape).ToArray<float>(), new GlorotUniform(seed: 2).Create(shape).ToArray<float>());
    }

    [Fact]
    public void Unseeded_initializer_fixes_its_seed_at_construction_and_writes_null()
    {
        var initializer = new GlorotUniform();
        var shape = new Shape(5, 7);
        Assert.Equal(initializer.Create(shape).ToArray<float>(), initializer.Create(shape).ToArray<float>());
        Assert.NotEqual(initializer.Create(shape).ToArray<float>(), new GlorotUniform().Create(shape).ToArray<float>());
        Assert.Null(initializer.Seed);
        Assert.Null(initializer.GetConfig()["seed"]);
    }

    [Fact]
    public void Seed_may_be_a_serialized_seed_generator()
    {
        var initializer = (RandomNormal)Initializer.Get(JsonNode.Parse(
            """{"class_name":"RandomNormal","config":{"seed":{"module":"keras.random","class_name":"SeedGenerator","config":{"seed":17},"registered_name":null},"mean":0.0,"stddev":1.0}}"""))!;
        Assert.Equal(17, initializer.Seed);
    }

    // ------------------------------------------------------------------ configs

    [Fact]
    public void Configs_are_written_as_keras_3_15_writes_them()
    {
        Assert.Equal("""{"module":"keras.initializers","class_name":"GlorotUniform","config":{"seed":3,"input_axes":null,"output_axes":null},"registered_name":null}""",
            new GlorotUniform(seed: 3).ToConfig().ToJsonString());
        Assert.Equal("""{"seed":null,"gain":1.0}""", new Orthogonal().GetConfig().ToJsonString());
        Assert.Equal("{}", new Identity(gain: 3).GetConfig().ToJsonString());
        Assert.Equal("""{"value":0.3}""", new Constant(0.3).GetConfig().ToJsonString());
        Assert.Equal("{}", new Zeros().GetConfig().ToJsonString());
        Assert.Equal("""{"seed":null,"mean":0.0,"stddev":0.05}""", new RandomNormal().GetConfig().ToJsonString());
        Assert.Equal("""{"seed":null,"minval":-0.05,"maxval":0.05}""", new RandomUniform().GetConfig().ToJsonString());
        Assert.Equal("""{"seed":7,"scale":2.0,"mode":"fan_avg","distribution":"uniform","input_axes":null,"output_axes":null}""",
            new VarianceScaling(2.0, "fan_avg", "uniform", 7).GetConfig().ToJsonString());
    }

    public static TheoryData<Initializer> AllClasses => new()
    {
        new GlorotUniform(seed: 1), new GlorotNormal(), new HeUniform(seed: 2), new HeNormal(), new LecunUniform(), new LecunNormal(seed: 3),
        new VarianceScaling(0.5, "fan_out", "untruncated_normal", 4), new RandomNormal(0.1, 0.2, 5), new RandomUniform(-1, 2), new TruncatedNormal(0.3, 0.4, 6),
        new Zeros(), new Ones(), new Constant(1.5), new Constant([1.0, -2.0], new Shape(2, 1)), new Identity(), new Orthogonal(2.0, 7),
    };

    [Theory]
    [MemberData(nameof(AllClasses))]
    public void Every_class_round_trips_through_its_config(Initializer initializer)
    {
        var restored = Initializer.Get(JsonNode.Parse(initializer.ToConfig().ToJsonString()))!;
        Assert.Equal(initializer.GetType(), restored.GetType());
        Assert.Equal(initializer.ClassName, restored.ClassName);
        Assert.True(JsonNode.DeepEquals(initializer.GetConfig(), restored.GetConfig()), $"{initializer} vs {restored}");
    }

    [Theory]
    [InlineData("glorot_uniform", typeof(GlorotUniform))]
    [InlineData("GlorotUniform", typeof(GlorotUniform))]
    [InlineData("orthogonal", typeof(Orthogonal))]
    [InlineData("OrthogonalInitializer", typeof(Orthogonal))]
    [InlineData("normal", typeof(RandomNormal))]
    [InlineData("uniform", typeof(RandomUniform))]
    [InlineData("truncated_normal", typeof(TruncatedNormal))]
    [InlineData("variance_scaling", typeof(VarianceScaling))]
    [InlineData("one", typeof(Ones))]
    [InlineData("zero", typeof(Zeros))]
    [InlineData("zeros", typeof(Zeros))]
    [InlineData("constant", typeof(Constant))]
    [InlineData("IdentityInitializer", typeof(Identity))]
    [InlineData("he_normal", typeof(HeNormal))]
    [InlineData("lecun_uniform", typeof(LecunUniform))]
    public void Strings_and_aliases_build_the_class_with_defaults(string name, Type expected)
    {
        Assert.IsType(expected, Initializer.Get(JsonValue.Create(name)));
        Assert.IsType(expected, Initializer.Get(name));
    }

    [Fact]
    public void Keras2_dicts_without_module_are_read_and_legacy_keys_honoured()
    {
        Assert.IsType<GlorotUniform>(Initializer.Get(JsonNode.Parse("""{"class_name":"GlorotUniform","config":{"seed":null,"dtype":"float32"}}""")));
        var identity = (Identity)Initializer.Get(JsonNode.Parse("""{"class_name":"Identity","config":{"gain":2.0}}"""))!;
        Assert.Equal(2.0, identity.Gain);
        var orthogonal = (Orthogonal)Initializer.Get(JsonNode.Parse("""{"class_name":"Orthogonal","config":{"gain":1.0,"seed":12}}"""))!;
        Assert.Equal(12, orthogonal.Seed);
        Assert.Null(Initializer.Get(null));
    }

    [Fact]
    public void Errors_name_the_unknown_class_key_or_value()
    {
        var unknown = Assert.Throws<ArgumentException>(() => Initializer.Get("glorot"));
        Assert.Contains("'glorot'", unknown.Message);
        Assert.Contains("glorot_uniform", unknown.Message);
        var key = Assert.Throws<ArgumentException>(() => Initializer.Get(JsonNode.Parse("""{"class_name":"Orthogonal","config":{"gain":1.0,"seed":null,"scale":2}}""")));
        Assert.Contains("Orthogonal", key.Message);
        Assert.Contains("'scale': 2", key.Message);
        var value = Assert.Throws<FormatException>(() => Initializer.Get(JsonNode.Parse("""{"class_name":"RandomNormal","config":{"stddev":"wide"}}""")));
        Assert.Contains("'stddev'", value.Message);
        Assert.Contains("'wide'", value.Message);
        var seed = Assert.Throws<FormatException>(() => Initializer.Get(JsonNode.Parse("""{"class_name":"HeNormal","config":{"seed":1.5}}""")));
        Assert.Contains("'seed'", seed.Message);
    }
}

[CollectionDefinition(nameof(RandomSeedsCollection), DisableParallelization = true)]
public sealed class RandomSeedsCollection
{
}

[Collection(nameof(RandomSeedsCollection))]
public class RandomSeedsTests
{
    [Fact]
    public void Setting_the_global_seed_makes_unseeded_initializers_reproducible()
    {
        var shape = new Shape(4, 6);
        RandomSeeds.Set(1234);
        var first = new GlorotUniform().Create(shape).ToArray<float>();
        var second = new Orthogonal().Create(shape).ToArray<float>();
        RandomSeeds.Set(1234);
        Assert.Equal(first, new GlorotUniform().Create(shape).ToArray<float>());
        Assert.Equal(second, new Orthogonal().Create(shape).ToArray<float>());
        RandomSeeds.Set(4321);
        Assert.NotEqual(first, new GlorotUniform().Create(shape).ToArray<float>());
    }

    [Fact]
    public void Seeds_drawn_concurrently_are_distinct()
    {
        var seeds = new System.Collections.Concurrent.ConcurrentBag<long>();
        Parallel.For(0, 200, _ => seeds.Add(RandomSeeds.Next()));
        Assert.Equal(200, seeds.Distinct().Count());
        Assert.All(seeds, s => Assert.InRange(s, 0, int.MaxValue));
    }
}
