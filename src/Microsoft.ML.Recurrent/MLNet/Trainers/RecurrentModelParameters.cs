using Microsoft.ML.Recurrent.Training.Models;

namespace Microsoft.ML.Recurrent.MLNet.Trainers;

/// <summary>The trained model of a recurrent trainer: the network and the sequence layout it reads.</summary>
public sealed class RecurrentModelParameters
{
    internal RecurrentModelParameters(Model network, int timesteps, int featuresPerStep, int outputs)
    {
        Network = network;
        Timesteps = timesteps;
        FeaturesPerStep = featuresPerStep;
        Outputs = outputs;
    }

    /// <summary>The trained network: <c>(batch, steps, features)</c> → <c>(batch, outputs)</c>. Regression outputs are the predictions; classification outputs are logits.</summary>
    public Model Network { get; }

    /// <summary>Steps per sequence, or 0 for variable-length sequences.</summary>
    public int Timesteps { get; }

    /// <summary>Features per step.</summary>
    public int FeaturesPerStep { get; }

    /// <summary>Network outputs per sequence.</summary>
    public int Outputs { get; }
}
