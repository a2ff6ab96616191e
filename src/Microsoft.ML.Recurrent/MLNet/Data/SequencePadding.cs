namespace Microsoft.ML.Data;

/// <summary>Where padding steps go when a group has fewer rows than the sequence length (Keras <c>pad_sequences(padding=...)</c>).</summary>
public enum SequencePadding
{
    /// <summary>Padding steps come before the data, so the data ends at the last step (Keras <c>'pre'</c>, its default).</summary>
    Pre = 0,

    /// <summary>Padding steps come after the data, so the data starts at the first step (Keras <c>'post'</c>).</summary>
    Post = 1,
}
