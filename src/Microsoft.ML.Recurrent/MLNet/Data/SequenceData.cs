using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.MLNet.Data;

/// <summary>
/// Sequences (and labels) read from a data view into batch arrays: inputs <c>(count, steps, features)</c> right-padded
/// with zeros to the longest sequence, a mask <c>(count, steps)</c> (1 for real steps) and labels <c>(count, width)</c>.
/// </summary>
internal sealed class SequenceData
{
    private SequenceData(float[] values, int[] lengths, int steps, int features, float[]? labels, int labelWidth)
    {
        Values = values;
        Lengths = lengths;
        Steps = steps;
        Features = features;
        Labels = labels;
        LabelWidth = labelWidth;
    }

    /// <summary>The inputs, <c>(Count, Steps, Features)</c> row-major, zero after each sequence's end.</summary>
    public float[] Values { get; }

    /// <summary>The steps of each sequence.</summary>
    public int[] Lengths { get; }

    /// <summary>The number of sequences.</summary>
    public int Count => Lengths.Length;

    /// <summary>The longest sequence's steps.</summary>
    public int Steps { get; }

    /// <summary>Features per step.</summary>
    public int Features { get; }

    /// <summary>Whether some sequence is shorter than <see cref="Steps"/> (so the batch is padded).</summary>
    public bool IsPadded => Lengths.Any(l => l != Steps);

    /// <summary>The labels, <c>(Count, LabelWidth)</c>; null when read without labels.</summary>
    public float[]? Labels { get; }

    /// <summary>Label floats per row.</summary>
    public int LabelWidth { get; }

    /// <summary>The inputs as a float32 tensor <c>(Count, Steps, Features)</c>.</summary>
    public Tensor InputTensor() => Tensor.FromArray(Values, new Shape(Count, Steps, Features));

    /// <summary>The mask as a float32 tensor <c>(Count, Steps)</c>: 1 for real steps, 0 for padding.</summary>
    public Tensor MaskTensor()
    {
        var mask = new float[Count * Steps];
        for (int i = 0; i < Count; i++) mask.AsSpan(i * Steps, Lengths[i]).Fill(1);
        return Tensor.FromArray(mask, new Shape(Count, Steps));
    }

    /// <summary>The labels as a float32 tensor <c>(Count, LabelWidth)</c>.</summary>
    /// <exception cref="InvalidOperationException">Read without labels.</exception>
    public Tensor LabelTensor() => Tensor.FromArray(Labels ?? throw new InvalidOperationException("The sequences were read without labels."), new Shape(Count, LabelWidth));

    /// <summary>Reads every row of <paramref name="data"/>: the sequence column and, when given, the label.</summary>
    /// <exception cref="InvalidOperationException">A row with a bad sequence or a missing label (the message names the column and row).</exception>
    /// <exception cref="ArgumentException">The data has no rows.</exception>
    public static SequenceData Read(IDataView data, SequenceColumn sequence, LabelColumn? label)
    {
        ArgumentNullException.ThrowIfNull(data);
        var seqColumn = data.Schema[sequence.Name];
        var needed = new List<DataViewSchema.Column> { seqColumn };
        if (label is not null) needed.Add(data.Schema[label.Name]);
        var rows = new List<float[]>();
        var labels = new List<float>();
        var labelRow = new float[label?.Width ?? 0];
        using (var cursor = data.GetRowCursor(needed))
        {
            var getSequence = cursor.GetGetter<VBuffer<float>>(seqColumn);
            var getLabel = label?.Bind(cursor);
            var value = default(VBuffer<float>);
            long row = 0;
            while (cursor.MoveNext())
            {
                getSequence(ref value);
                int steps = sequence.CheckedSteps(value, row);
                var dense = new float[steps * sequence.Features];
                value.CopyTo(dense);
                rows.Add(dense);
                if (getLabel is not null)
                {
                    getLabel(row, labelRow);
                    labels.AddRange(labelRow);
                }
                row++;
            }
        }
        if (rows.Count == 0) throw new ArgumentException($"The data has no rows; column '{sequence.Name}' needs at least one sequence.", nameof(data));
        int features = sequence.Features;
        int maxSteps = rows.Max(r => r.Length) / features;
        var values = new float[rows.Count * maxSteps * features];
        var lengths = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            rows[i].CopyTo(values, i * maxSteps * features);
            lengths[i] = rows[i].Length / features;
        }
        return new SequenceData(values, lengths, maxSteps, features, label is null ? null : labels.ToArray(), label?.Width ?? 0);
    }
}
