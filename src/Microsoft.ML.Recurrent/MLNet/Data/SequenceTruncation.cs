namespace Microsoft.ML.Data;

/// <summary>Which steps are dropped when a group has more rows than the sequence length (Keras <c>pad_sequences(truncating=...)</c>).</summary>
public enum SequenceTruncation
{
    /// <summary>Drop the earliest steps and keep the latest ones (Keras <c>'pre'</c>, its default).</summary>
    Pre = 0,

    /// <summary>Drop the latest steps and keep the earliest ones (Keras <c>'post'</c>).</summary>
    Post = 1,

    /// <summary>Drop nothing: a group longer than the sequence length is an error naming its key.</summary>
    None = 2,
}
