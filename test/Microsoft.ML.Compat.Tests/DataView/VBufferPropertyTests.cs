using FsCheck;
using FsCheck.Fluent;
using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests.DataView;

public class VBufferPropertyTests
{
    private static VBuffer<int> Sparse(int[] dense)
    {
        var indices = Enumerable.Range(0, dense.Length).Where(i => dense[i] != 0).ToArray();
        return new VBuffer<int>(dense.Length, indices.Length, indices.Select(i => dense[i]).ToArray(), indices);
    }

    [Fact]
    public void SparseAndDense_AgreeOnEveryReadAndCopy()
    {
        Prop.ForAll<int[]>(values =>
        {
            var dense = new VBuffer<int>(values.Length, values);
            var sparse = Sparse(values);
            VBuffer<int> copied = default;
            sparse.CopyToDense(ref copied);
            var span = new int[values.Length];
            sparse.CopyTo(span);
            return dense.DenseValues().SequenceEqual(values)
                && sparse.DenseValues().SequenceEqual(values)
                && copied.DenseValues().SequenceEqual(values)
                && span.SequenceEqual(values)
                && Enumerable.Range(0, values.Length).All(i => sparse.GetItemOrDefault(i) == values[i])
                && sparse.Items().All(kv => values[kv.Key] == kv.Value);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Editor_ReusesArraysForSmallerOrEqualLengths()
    {
        Prop.ForAll<NonNegativeInt, NonNegativeInt>((a, b) =>
        {
            int first = a.Get % 64, second = b.Get % 64;
            VBuffer<float> buffer = default;
            var e1 = VBufferEditor.Create(ref buffer, first);
            buffer = e1.Commit();
            var e2 = VBufferEditor.Create(ref buffer, second);
            bool reused = !e2.CreatedNewValues;
            buffer = e2.Commit();
            return buffer.Length == second && (second > first || reused);
        }).QuickCheckThrowOnFailure();
    }
}
