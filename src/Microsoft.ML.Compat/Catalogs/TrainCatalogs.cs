using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>The base of the task catalogs (regression, classification...): cross-validation helpers shared by all tasks.</summary>
public abstract class TrainCatalogBase : IInternalCatalog
{
    private protected TrainCatalogBase(MLContext context)
    {
        Context = context;
    }

    IHostEnvironment IInternalCatalog.Environment => Context;

    internal MLContext Context { get; }

    /// <summary>The base of the trainer sub-catalogs; trainers are extension methods on them.</summary>
    public abstract class CatalogInstantiatorBase : IInternalCatalog
    {
        private protected CatalogInstantiatorBase(TrainCatalogBase owner)
        {
            Owner = owner;
        }

        IHostEnvironment IInternalCatalog.Environment => Owner.Context;

        internal TrainCatalogBase Owner { get; }
    }

    /// <summary>The result of one fold of cross-validation.</summary>
    /// <typeparam name="TMetrics">The metrics type of the task.</typeparam>
    public sealed class CrossValidationResult<TMetrics>
        where TMetrics : class
    {
        /// <summary>The metrics of the model on the held-out fold.</summary>
        public readonly TMetrics Metrics;

        /// <summary>The model trained on the other folds.</summary>
        public readonly ITransformer Model;

        /// <summary>The held-out fold scored by <see cref="Model"/>.</summary>
        public readonly IDataView ScoredHoldOutSet;

        /// <summary>The 0-based index of the fold.</summary>
        public readonly int Fold;

        internal CrossValidationResult(ITransformer model, TMetrics metrics, IDataView scores, int fold)
        {
            Model = model;
            Metrics = metrics;
            ScoredHoldOutSet = scores;
            Fold = fold;
        }
    }

    /// <summary>Trains and evaluates <paramref name="estimator"/> once per fold of a split of <paramref name="data"/>.</summary>
    private protected IReadOnlyList<CrossValidationResult<TMetrics>> CrossValidateCore<TMetrics>(
        IDataView data, IEstimator<ITransformer> estimator, int numFolds, string? samplingKeyColumn, int? seed, Func<IDataView, TMetrics> evaluate)
        where TMetrics : class
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(estimator);
        if (numFolds < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(numFolds), numFolds, "Cross-validation needs at least 2 folds.");
        }

        var splits = Context.Data.CrossValidationSplit(data, numFolds, samplingKeyColumn, seed);
        var results = new List<CrossValidationResult<TMetrics>>();
        for (int fold = 0; fold < splits.Count; fold++)
        {
            var model = estimator.Fit(splits[fold].TrainSet);
            var scored = model.Transform(splits[fold].TestSet);
            results.Add(new CrossValidationResult<TMetrics>(model, evaluate(scored), scored, fold));
        }

        return results;
    }
}

/// <summary>Trainers, evaluation and cross-validation for regression (predicting a real value).</summary>
public sealed partial class RegressionCatalog : TrainCatalogBase
{
    internal RegressionCatalog(MLContext context)
        : base(context)
    {
        Trainers = new RegressionTrainers(this);
    }

    /// <summary>The regression trainers; trainers are extension methods on this catalog.</summary>
    public RegressionTrainers Trainers { get; }

    /// <summary>The catalog of regression trainers.</summary>
    public sealed class RegressionTrainers : CatalogInstantiatorBase
    {
        internal RegressionTrainers(RegressionCatalog catalog)
            : base(catalog)
        {
        }
    }
}

/// <summary>Trainers, evaluation and cross-validation for binary classification.</summary>
public sealed partial class BinaryClassificationCatalog : TrainCatalogBase
{
    internal BinaryClassificationCatalog(MLContext context)
        : base(context)
    {
        Trainers = new BinaryClassificationTrainers(this);
        Calibrators = new CalibratorsCatalog(this);
    }

    /// <summary>The binary classification trainers.</summary>
    public BinaryClassificationTrainers Trainers { get; }

    /// <summary>The calibrators that turn scores into probabilities.</summary>
    public CalibratorsCatalog Calibrators { get; }

    /// <summary>The catalog of binary classification trainers.</summary>
    public sealed class BinaryClassificationTrainers : CatalogInstantiatorBase
    {
        internal BinaryClassificationTrainers(BinaryClassificationCatalog catalog)
            : base(catalog)
        {
        }
    }

    /// <summary>The catalog of calibrators.</summary>
    public sealed class CalibratorsCatalog : CatalogInstantiatorBase
    {
        internal CalibratorsCatalog(BinaryClassificationCatalog catalog)
            : base(catalog)
        {
        }
    }
}

/// <summary>Trainers, evaluation and cross-validation for multiclass classification.</summary>
public sealed partial class MulticlassClassificationCatalog : TrainCatalogBase
{
    internal MulticlassClassificationCatalog(MLContext context)
        : base(context)
    {
        Trainers = new MulticlassClassificationTrainers(this);
    }

    /// <summary>The multiclass classification trainers.</summary>
    public MulticlassClassificationTrainers Trainers { get; }

    /// <summary>The catalog of multiclass classification trainers.</summary>
    public sealed class MulticlassClassificationTrainers : CatalogInstantiatorBase
    {
        internal MulticlassClassificationTrainers(MulticlassClassificationCatalog catalog)
            : base(catalog)
        {
        }
    }
}

/// <summary>Trainers for clustering.</summary>
public sealed class ClusteringCatalog : TrainCatalogBase
{
    internal ClusteringCatalog(MLContext context)
        : base(context)
    {
        Trainers = new ClusteringTrainers(this);
    }

    /// <summary>The clustering trainers.</summary>
    public ClusteringTrainers Trainers { get; }

    /// <summary>The catalog of clustering trainers.</summary>
    public sealed class ClusteringTrainers : CatalogInstantiatorBase
    {
        internal ClusteringTrainers(ClusteringCatalog catalog)
            : base(catalog)
        {
        }
    }
}

/// <summary>Trainers for ranking.</summary>
public sealed class RankingCatalog : TrainCatalogBase
{
    internal RankingCatalog(MLContext context)
        : base(context)
    {
        Trainers = new RankingTrainers(this);
    }

    /// <summary>The ranking trainers.</summary>
    public RankingTrainers Trainers { get; }

    /// <summary>The catalog of ranking trainers.</summary>
    public sealed class RankingTrainers : CatalogInstantiatorBase
    {
        internal RankingTrainers(RankingCatalog catalog)
            : base(catalog)
        {
        }
    }
}

/// <summary>Trainers for anomaly detection.</summary>
public sealed class AnomalyDetectionCatalog : TrainCatalogBase
{
    internal AnomalyDetectionCatalog(MLContext context)
        : base(context)
    {
        Trainers = new AnomalyDetectionTrainers(this);
    }

    /// <summary>The anomaly detection trainers.</summary>
    public AnomalyDetectionTrainers Trainers { get; }

    /// <summary>The catalog of anomaly detection trainers.</summary>
    public sealed class AnomalyDetectionTrainers : CatalogInstantiatorBase
    {
        internal AnomalyDetectionTrainers(AnomalyDetectionCatalog catalog)
            : base(catalog)
        {
        }
    }
}

/// <summary>Forecasting of time series; forecasters are extension methods on this catalog or on <see cref="Trainers"/>.</summary>
public sealed class ForecastingCatalog : TrainCatalogBase
{
    internal ForecastingCatalog(MLContext context)
        : base(context)
    {
        Trainers = new Forecasters(this);
    }

    /// <summary>The forecasting trainers.</summary>
    public Forecasters Trainers { get; }

    /// <summary>The catalog of forecasting trainers.</summary>
    public sealed class Forecasters : CatalogInstantiatorBase
    {
        internal Forecasters(ForecastingCatalog catalog)
            : base(catalog)
        {
        }
    }
}

/// <summary>Data transformations; transforms are extension methods on this catalog and its sub-catalogs.</summary>
public sealed class TransformsCatalog : IInternalCatalog
{
    internal TransformsCatalog(MLContext context)
    {
        Context = context;
        Categorical = new CategoricalTransforms(this);
        Conversion = new ConversionTransforms(this);
        Text = new TextTransforms(this);
        FeatureSelection = new FeatureSelectionTransforms(this);
    }

    IHostEnvironment IInternalCatalog.Environment => Context;

    internal MLContext Context { get; }

    /// <summary>Transforms for categorical data.</summary>
    public CategoricalTransforms Categorical { get; }

    /// <summary>Type and key conversions.</summary>
    public ConversionTransforms Conversion { get; }

    /// <summary>Text transforms.</summary>
    public TextTransforms Text { get; }

    /// <summary>Feature selection transforms.</summary>
    public FeatureSelectionTransforms FeatureSelection { get; }

    /// <summary>The catalog of categorical transforms.</summary>
    public sealed class CategoricalTransforms : IInternalCatalog
    {
        internal CategoricalTransforms(TransformsCatalog owner)
        {
            Owner = owner;
        }

        IHostEnvironment IInternalCatalog.Environment => Owner.Context;

        internal TransformsCatalog Owner { get; }
    }

    /// <summary>The catalog of conversion transforms (type conversion, value-to-key mapping).</summary>
    public sealed class ConversionTransforms : IInternalCatalog
    {
        internal ConversionTransforms(TransformsCatalog owner)
        {
            Owner = owner;
        }

        IHostEnvironment IInternalCatalog.Environment => Owner.Context;

        internal TransformsCatalog Owner { get; }
    }

    /// <summary>The catalog of text transforms.</summary>
    public sealed class TextTransforms : IInternalCatalog
    {
        internal TextTransforms(TransformsCatalog owner)
        {
            Owner = owner;
        }

        IHostEnvironment IInternalCatalog.Environment => Owner.Context;

        internal TransformsCatalog Owner { get; }
    }

    /// <summary>The catalog of feature selection transforms.</summary>
    public sealed class FeatureSelectionTransforms : IInternalCatalog
    {
        internal FeatureSelectionTransforms(TransformsCatalog owner)
        {
            Owner = owner;
        }

        IHostEnvironment IInternalCatalog.Environment => Owner.Context;

        internal TransformsCatalog Owner { get; }
    }
}
