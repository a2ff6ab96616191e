namespace Microsoft.ML.Transforms;

/// <summary>What <see cref="RecurrentModelTransformer"/> writes to its output column.</summary>
public enum RecurrentModelOutput
{
    /// <summary>
    /// The model's output as Keras <c>model.predict</c> returns it for one sequence: one vector per sequence
    /// (<c>Vector&lt;Single, U&gt;</c>), or the full sequence of per-step outputs when the model ends in a layer with
    /// <c>return_sequences=True</c> (<c>Vector&lt;Single, T, U&gt;</c>, or variable-length <c>Vector&lt;Single&gt;</c> of
    /// steps × U for variable-length input).
    /// </summary>
    Output = 0,

    /// <summary>
    /// The output at the last step only (<c>Vector&lt;Single, U&gt;</c>), for models whose output is per step
    /// (<c>return_sequences=True</c>); the last step is the sequence's last value, padding included.
    /// </summary>
    LastStep = 1,

    /// <summary>
    /// The final states of the model's last recurrent layer (<c>h</c> for SimpleRNN/GRU, <c>h</c> then <c>c</c> for LSTM,
    /// forward then backward for Bidirectional), concatenated into <c>Vector&lt;Single, S&gt;</c>; layers after it are
    /// not run. Useful to featurize sequences with an encoder.
    /// </summary>
    States = 2,
}
