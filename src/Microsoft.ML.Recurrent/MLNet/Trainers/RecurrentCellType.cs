namespace Microsoft.ML.Recurrent.MLNet.Trainers;

/// <summary>The recurrent layer of a trainer's built-in network.</summary>
public enum RecurrentCellType
{
    /// <summary>Keras <c>LSTM</c>.</summary>
    Lstm,

    /// <summary>Keras <c>GRU</c> (reset_after = true).</summary>
    Gru,

    /// <summary>Keras <c>SimpleRNN</c>.</summary>
    SimpleRnn,
}
