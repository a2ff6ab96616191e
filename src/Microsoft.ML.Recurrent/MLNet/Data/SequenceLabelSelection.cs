namespace Microsoft.ML.Data;

/// <summary>How a group's label is taken from the label values of its rows.</summary>
public enum SequenceLabelSelection
{
    /// <summary>
    /// Every row of the group must carry the same label (a label per sequence, repeated on each of its rows); a group
    /// with two different labels is an error naming the key and both rows.
    /// </summary>
    SameForAllRows = 0,

    /// <summary>The label of the last kept step in time order (many-to-one: the target at the end of the sequence).</summary>
    LastStep = 1,
}
