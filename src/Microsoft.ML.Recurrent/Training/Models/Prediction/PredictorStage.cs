namespace Microsoft.ML.Recurrent.Training.Models.Prediction;

/// <summary>
/// One layer of a model compiled for <see cref="SequencePredictor"/>: reads row-major activations
/// <c>(batch, steps, InputWidth)</c> (or <c>(batch, InputWidth)</c> once a layer has dropped the time axis) and writes
/// its output into a buffer it is given, allocating nothing in the steady state.
/// </summary>
internal abstract unsafe class PredictorStage
{
    /// <summary>Width of the output rows (the last axis).</summary>
    public abstract int OutputWidth { get; }

    /// <summary>Whether the output loses the time axis (a recurrent layer without return_sequences).</summary>
    public virtual bool DropsSteps => false;

    /// <summary>Whether the mask reaching the layer is passed on (Keras <c>compute_mask</c>); Masking makes a new one.</summary>
    public virtual bool PassesMask => true;

    /// <summary>Runs the layer on <paramref name="input"/> into <paramref name="output"/> (distinct buffers).</summary>
    public abstract void Run(ref PredictorPass pass, float* input, float* output);
}

/// <summary>The shape and mask of the activations flowing through the stages of one call.</summary>
internal unsafe struct PredictorPass
{
    /// <summary>Sequences in the call.</summary>
    public int Batch;

    /// <summary>Time steps of every sequence.</summary>
    public int Steps;

    /// <summary>Whether the activations still have the time axis.</summary>
    public bool HasSteps;

    /// <summary>The <c>(batch, steps)</c> mask (nonzero = valid step), or null.</summary>
    public float* Mask;

    /// <summary>The buffer a Masking stage writes its mask into, <c>batch·steps</c> long.</summary>
    public float* MaskBuffer;

    /// <summary>Rows of the activations: batch·steps with the time axis, else batch.</summary>
    public readonly int Rows => HasSteps ? Batch * Steps : Batch;
}
