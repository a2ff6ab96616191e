namespace Microsoft.ML;

/// <summary>An estimator that trains a model and returns a prediction transformer.</summary>
/// <typeparam name="TTransformer">The prediction transformer type.</typeparam>
/// <typeparam name="TModel">The model parameters type.</typeparam>
public interface ITrainerEstimator<out TTransformer, out TModel> : IEstimator<TTransformer>
    where TTransformer : IPredictionTransformer<TModel>
    where TModel : class
{
    /// <summary>Information about the trainer; may be null for third-party trainers.</summary>
    TrainerInfo Info { get; }
}
