using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Matrix product <c>op(a) · op(b)</c>, where <c>op</c> transposes the last two axes when asked.
    /// Shapes: <c>(m, k)·(k, n) → (m, n)</c>; batched <c>(B, m, k)·(B, k, n) → (B, m, n)</c>, where either operand
    /// may be a single matrix shared by the whole batch (e.g. inputs <c>(B, T, F)</c> times a kernel <c>(F, U)</c>).
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        CheckSameKind("MatMul", a, b);
        if (a.Rank is < 2 or > 3 || b.Rank is < 2 or > 3)
            throw new ArgumentException($"MatMul: operands have shapes {a.Shape} and {b.Shape}; expected rank 2 (matrix) or 3 (batch of matrices).");
        int m = transposeA ? a.Shape[^1] : a.Shape[^2];
        int ka = transposeA ? a.Shape[^2] : a.Shape[^1];
        int kb = transposeB ? b.Shape[^1] : b.Shape[^2];
        int n = transposeB ? b.Shape[^2] : b.Shape[^1];
        if (ka != kb)
            throw new ArgumentException($"MatMul: inner dimensions differ: {a.Shape}{(transposeA ? "ᵀ" : "")} · {b.Shape}{(transposeB ? "ᵀ" : "")} has {ka} vs {kb}; expected equal.");
        if (a.Rank == 3 && b.Rank == 3 && a.Shape[0] != b.Shape[0])
            throw new ArgumentException($"MatMul: batch sizes differ: {a.Shape} vs {b.Shape}; expected equal batch dimensions.");

        if (a.Rank == 3 && b.Rank == 2 && !transposeA)
        {
            // A batch times a shared matrix is one large GEMM over the flattened batch.
            var flat = MatMul(Reshape(a, new Shape(a.Shape[0] * a.Shape[1], a.Shape[2])), b, false, transposeB);
            return Reshape(flat, new Shape(a.Shape[0], a.Shape[1], n));
        }

        int batch = Math.Max(a.Rank == 3 ? a.Shape[0] : 1, b.Rank == 3 ? b.Shape[0] : 1);
        var shape = a.Rank == 3 || b.Rank == 3 ? new Shape(batch, m, n) : new Shape(m, n);
        var y = NewLike(shape, a);
        a.Backend.MatMul(a, transposeA, b, transposeB, y, 1.0, 0.0);
        return Record(y, "MatMul", [a, b], dy =>
        {
            Tensor? da = null, db = null;
            if (a.RequiresGrad)
                da = transposeA ? MatMul(b, dy, transposeB, true) : MatMul(dy, b, false, !transposeB);
            if (b.RequiresGrad)
                db = transposeB ? MatMul(dy, a, true, transposeA) : MatMul(a, dy, !transposeA, false);
            // A matrix shared across the batch collects the gradient of every batch entry.
            if (da is not null && da.Rank > a.Rank) da = Sum(da, 0);
            if (db is not null && db.Rank > b.Rank) db = Sum(db, 0);
            return [da, db];
        });
    }
}
