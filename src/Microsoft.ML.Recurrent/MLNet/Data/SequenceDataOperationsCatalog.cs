using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNet.Data;

namespace Microsoft.ML;

/// <summary>Data operations for sequence models, as extension methods on <see cref="MLContext.Data"/>.</summary>
public static class SequenceDataOperationsCatalog
{
    /// <summary>
    /// Turns data with one row per time step into data with one row per sequence: rows that share
    /// <paramref name="keyColumnName"/> form a sequence, ordered by <paramref name="timeColumnName"/>, and their
    /// <paramref name="featureColumnNames"/> become the steps of the sequence column <paramref name="outputColumnName"/>,
    /// ready for the recurrent trainers and <c>ApplyRecurrentModel</c>.
    /// </summary>
    /// <remarks>
    /// <para>Output columns, one row per distinct key in order of first appearance: the key column (same name and type),
    /// <paramref name="outputColumnName"/>, and the label column when <paramref name="labelColumnName"/> is given (same
    /// name, type and annotations, so key-typed labels keep their key values). The time and other columns are dropped.</para>
    /// <para>The sequence column holds the steps one after another, each step holding the feature columns in the given
    /// order (a known-size <c>Vector&lt;Single&gt;</c> feature contributes all its slots): with
    /// <paramref name="sequenceLength"/> T and F features per step it is <c>Vector&lt;Single, T, F&gt;</c>; without it,
    /// a variable-length <c>Vector&lt;Single&gt;</c> of (rows of the key) × F values — declare F as the features per step
    /// where the sequence column is consumed.</para>
    /// <para>Padding and truncation follow Keras <c>pad_sequences</c> (defaults <c>'pre'</c>/<c>'pre'</c>, value 0):
    /// padded steps hold <paramref name="paddingValue"/> in every feature, so a <c>Masking(mask_value: paddingValue)</c>
    /// layer can skip them.</para>
    /// <para>The input is read once, when this method is called, and the sequences are held in memory. Errors name the
    /// column, the 0-based input row and the problem: a missing key (empty text, NaN, key 0), a missing or repeated time
    /// within a key, a NaN feature, a group longer than <paramref name="sequenceLength"/> when
    /// <paramref name="truncation"/> is <see cref="SequenceTruncation.None"/>, different labels within a key when
    /// <paramref name="labelSelection"/> is <see cref="SequenceLabelSelection.SameForAllRows"/>. Rows of a key need not
    /// be sorted; they are ordered by time (or kept in input order when <paramref name="timeColumnName"/> is null).</para>
    /// </remarks>
    /// <param name="catalog">The data operations catalog (<c>mlContext.Data</c>).</param>
    /// <param name="input">The rows, one per time step.</param>
    /// <param name="keyColumnName">The column that identifies the sequence a row belongs to: text, number, key or Boolean scalar.</param>
    /// <param name="featureColumnNames">The per-step feature columns: number scalars (converted to <c>Single</c>) or known-size <c>Vector&lt;Single&gt;</c>.</param>
    /// <param name="timeColumnName">The column that orders the rows of a sequence (number, key, <c>DateTime</c>, <c>DateTimeOffset</c> or <c>TimeSpan</c>); null keeps input order.</param>
    /// <param name="outputColumnName">The name of the sequence column. Default <c>"Features"</c>.</param>
    /// <param name="labelColumnName">A column carried to the sequence rows as their label (any type); null carries none.</param>
    /// <param name="labelSelection">How the label of a sequence is chosen. Default <see cref="SequenceLabelSelection.SameForAllRows"/>.</param>
    /// <param name="sequenceLength">The number of steps T of every sequence (pad or truncate to it); null keeps each sequence's own length (variable-length output).</param>
    /// <param name="padding">Where padding steps go. Default <see cref="SequencePadding.Pre"/> (Keras default).</param>
    /// <param name="truncation">Which steps are dropped from a longer sequence. Default <see cref="SequenceTruncation.Pre"/> (Keras default: keep the latest).</param>
    /// <param name="paddingValue">The value of every feature of a padding step. Default 0.</param>
    /// <returns>A data view with one row per key.</returns>
    /// <example>
    /// <code>
    /// // rows: SensorId, Minute, Temperature, Pressure, Failed  (one row per minute)
    /// var sequences = mlContext.Data.GroupIntoSequences(rows, keyColumnName: "SensorId",
    ///     featureColumnNames: ["Temperature", "Pressure"], timeColumnName: "Minute",
    ///     labelColumnName: "Failed", labelSelection: SequenceLabelSelection.LastStep, sequenceLength: 30);
    /// // columns: SensorId, Features (Vector&lt;Single, 30, 2&gt;), Failed
    /// </code>
    /// </example>
    public static IDataView GroupIntoSequences(
        this DataOperationsCatalog catalog,
        IDataView input,
        string keyColumnName,
        string[] featureColumnNames,
        string? timeColumnName = null,
        string outputColumnName = "Features",
        string? labelColumnName = null,
        SequenceLabelSelection labelSelection = SequenceLabelSelection.SameForAllRows,
        int? sequenceLength = null,
        SequencePadding padding = SequencePadding.Pre,
        SequenceTruncation truncation = SequenceTruncation.Pre,
        float paddingValue = 0)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(keyColumnName);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentNullException.ThrowIfNull(featureColumnNames);
        if (featureColumnNames.Length == 0)
        {
            throw new ArgumentException("Give at least one feature column.", nameof(featureColumnNames));
        }

        if (sequenceLength is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "The sequence length must be at least 1 (or null for variable-length sequences).");
        }

        if (!Enum.IsDefined(padding))
        {
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "Expected Pre or Post.");
        }

        if (!Enum.IsDefined(truncation))
        {
            throw new ArgumentOutOfRangeException(nameof(truncation), truncation, "Expected Pre, Post or None.");
        }

        if (!Enum.IsDefined(labelSelection))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSelection), labelSelection, "Expected SameForAllRows or LastStep.");
        }

        string[] outputs = labelColumnName == null ? [keyColumnName, outputColumnName] : [keyColumnName, outputColumnName, labelColumnName];
        if (outputs.Distinct().Count() != outputs.Length)
        {
            throw new ArgumentException($"The key ('{keyColumnName}'), sequence ('{outputColumnName}') and label ('{labelColumnName}') columns need distinct names.", nameof(outputColumnName));
        }

        return new SequenceGrouping
        {
            KeyColumnName = keyColumnName,
            TimeColumnName = timeColumnName,
            FeatureColumnNames = featureColumnNames,
            OutputColumnName = outputColumnName,
            LabelColumnName = labelColumnName,
            LabelSelection = labelSelection,
            SequenceLength = sequenceLength,
            Padding = padding,
            Truncation = truncation,
            PaddingValue = paddingValue,
        }.Apply(input);
    }
}
