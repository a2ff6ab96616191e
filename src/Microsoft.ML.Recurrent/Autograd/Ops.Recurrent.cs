using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Autograd;

public static partial class Ops
{
    /// <summary>
    /// A whole LSTM, GRU or SimpleRNN sequence as one differentiable op with a hand-written backward pass (Keras
    /// <c>RNN</c> semantics for masks, <c>go_backwards</c>, <c>zero_output_for_mask</c>, initial states and dropout
    /// masks; see <see cref="ITensorBackend.RecurrentSequenceForward"/>). Gradients flow to <paramref name="x"/>, the
    /// weights and the initial states. Without recording (inside <see cref="Autodiff.NoGrad"/>, or when nothing requires
    /// gradients) nothing is stored for a backward pass.
    /// </summary>
    /// <param name="spec">The cell and loop options.</param>
    /// <param name="x">Inputs <c>(batch, time, features)</c>.</param>
    /// <param name="kernel">Input kernel <c>(features, G·U)</c>, Keras gate order.</param>
    /// <param name="recurrentKernel">Recurrent kernel <c>(U, G·U)</c>.</param>
    /// <param name="bias">Bias <c>(G·U)</c> (GRU reset_after: <c>(2, 3U)</c>), or null when <see cref="RecurrentSequenceSpec.HasBias"/> is false.</param>
    /// <param name="initialStates">Initial states, each <c>(batch, U)</c>: <c>[h, c]</c> for LSTM, <c>[h]</c> otherwise.</param>
    /// <param name="mask">Optional <c>(batch, time)</c> mask of the input dtype; nonzero marks a valid step.</param>
    /// <param name="inputDropoutMasks">Optional scaled input dropout masks <c>(batch, features)</c>: one, or one per gate.</param>
    /// <param name="recurrentDropoutMasks">Optional scaled recurrent dropout masks <c>(batch, U)</c>: one, or one per gate.</param>
    /// <returns>The output (<c>(batch, time, U)</c> in processing order with <see cref="RecurrentSequenceSpec.ReturnSequences"/>, else the last output <c>(batch, U)</c>) and the final states.</returns>
    /// <exception cref="ArgumentException">A shape, dtype, device or count does not match the spec.</exception>
    public static (Tensor Output, Tensor[] FinalStates) RecurrentSequence(RecurrentSequenceSpec spec, Tensor x, Tensor kernel,
        Tensor recurrentKernel, Tensor? bias, IReadOnlyList<Tensor> initialStates, Tensor? mask = null,
        IReadOnlyList<Tensor>? inputDropoutMasks = null, IReadOnlyList<Tensor>? recurrentDropoutMasks = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(initialStates);
        const string op = "RecurrentSequence";
        CheckFloat(op, x, nameof(x));
        if (x.Rank != 3) throw new ArgumentException($"{op}: x has shape {x.Shape}; expected (batch, time, features).", nameof(x));
        if (spec.Units <= 0) throw new ArgumentException($"{op}: spec.Units is {spec.Units}; expected a positive number.", nameof(spec));
        int batch = x.Shape[0], steps = x.Shape[1], features = x.Shape[2], units = spec.Units, width = spec.Gates * units;
        void Expect(Tensor t, Shape shape, string name)
        {
            CheckSameKind(op, x, t, nameof(x), name);
            if (t.Shape != shape) throw new ArgumentException($"{op}: {name} has shape {t.Shape}; a {spec.Kind} with {units} units over x {x.Shape} expects {shape}.", name);
        }
        Expect(kernel, new Shape(features, width), nameof(kernel));
        Expect(recurrentKernel, new Shape(units, width), nameof(recurrentKernel));
        if (spec.HasBias != bias is not null)
            throw new ArgumentException($"{op}: spec.HasBias is {spec.HasBias} but bias is {(bias is null ? "null" : bias.Shape.ToString())}.", nameof(bias));
        if (bias is not null) Expect(bias, spec.HasRecurrentBias ? new Shape(2, width) : new Shape(width), nameof(bias));
        if (initialStates.Count != spec.StateCount)
            throw new ArgumentException($"{op}: initialStates has {initialStates.Count} tensor(s); a {spec.Kind} expects {spec.StateCount}.", nameof(initialStates));
        for (int i = 0; i < initialStates.Count; i++) Expect(initialStates[i], new Shape(batch, units), $"initialStates[{i}]");
        if (mask is not null) Expect(mask, new Shape(batch, steps), nameof(mask));
        void ExpectMasks(IReadOnlyList<Tensor>? masks, Shape shape, string name)
        {
            if (masks is null) return;
            if (masks.Count != 0 && masks.Count != 1 && masks.Count != spec.Gates)
                throw new ArgumentException($"{op}: {name} has {masks.Count} masks; expected 1 (shared) or {spec.Gates} (one per gate).", name);
            for (int i = 0; i < masks.Count; i++) Expect(masks[i], shape, $"{name}[{i}]");
        }
        ExpectMasks(inputDropoutMasks, new Shape(batch, features), nameof(inputDropoutMasks));
        ExpectMasks(recurrentDropoutMasks, new Shape(batch, units), nameof(recurrentDropoutMasks));

        var operands = new RecurrentSequenceOperands(x, kernel, recurrentKernel, bias, initialStates.ToArray(), mask,
            inputDropoutMasks?.ToArray(), recurrentDropoutMasks?.ToArray());
        Tensor[] differentiable = bias is null ? [x, kernel, recurrentKernel, .. initialStates] : [x, kernel, recurrentKernel, bias, .. initialStates];
        bool record = Autodiff.IsRecording && differentiable.Any(t => t.RequiresGrad);

        var backend = x.Backend;
        var output = NewLike(spec.ReturnSequences ? new Shape(batch, steps, units) : new Shape(batch, units), x);
        var finalStates = new Tensor[spec.StateCount];
        for (int i = 0; i < finalStates.Length; i++) finalStates[i] = NewLike(new Shape(batch, units), x);
        Tensor NewWorkspace()
        {
            var storage = backend.AllocateRecurrentWorkspace(spec, batch, steps, features, x.DType);
            return new Tensor(storage, new Shape(checked((int)storage.Length)));
        }
        var workspace = record ? NewWorkspace() : null;
        backend.RecurrentSequenceForward(spec, operands, output, finalStates, workspace);
        if (!record) return (output, finalStates);

        // One backward pass serves all results: each final state's node hands its gradient to the output's node
        // (which the states list as their input, so it runs after them) and the output's node runs BPTT once.
        var stateGradients = new Tensor?[finalStates.Length];
        Record(output, op, differentiable, dy =>
        {
            // The workspace goes back to the backend after the first backward pass, so the next training step reuses
            // its memory; a later backward pass through the same graph (rare) recomputes it from the operands.
            if (workspace!.IsDisposed)
            {
                workspace = NewWorkspace();
                var scratchOutput = NewLike(output.Shape, x);
                var scratchStates = finalStates.Select(s => NewLike(s.Shape, x)).ToArray();
                backend.RecurrentSequenceForward(spec, operands, scratchOutput, scratchStates, workspace);
            }
            var dx = x.RequiresGrad ? Tensor.ZerosLike(x) : null;
            var dKernel = Tensor.ZerosLike(kernel);
            var dRecurrent = Tensor.ZerosLike(recurrentKernel);
            var dBias = bias is null ? null : Tensor.ZerosLike(bias);
            var dInitial = initialStates.Select(Tensor.ZerosLike).ToArray();
            backend.RecurrentSequenceBackward(spec, operands, workspace, dy, stateGradients, dx, dKernel, dRecurrent, dBias, dInitial);
            workspace.Dispose();
            Array.Clear(stateGradients);
            Tensor?[] grads = bias is null ? [dx, dKernel, dRecurrent, .. dInitial] : [dx, dKernel, dRecurrent, dBias, .. dInitial];
            for (int i = 0; i < grads.Length; i++)
                if (!differentiable[i].RequiresGrad) grads[i] = null;
            return grads;
        });
        for (int i = 0; i < finalStates.Length; i++)
        {
            int index = i;
            Record(finalStates[i], op + ".FinalState", [output], dy =>
            {
                stateGradients[index] = stateGradients[index] is { } earlier ? Add(earlier, dy) : dy;
                return [Tensor.ZerosLike(output)];
            });
        }
        return (output, finalStates);
    }

    /// <summary>
    /// One LSTM step's gates as one differentiable op (Keras <c>LSTMCell</c> / <c>ConvLSTMCell</c> after the
    /// products): per row of U = <c>spec.Units</c> units, <c>z = zx + bias + zh</c> with gate blocks i, f, c, o,
    /// <c>c' = σ(z_f)⊙c + σ(z_i)⊙φ(z_c)</c> and <c>h' = σ(z_o)⊙φ(c')</c> (σ, φ: the spec's recurrent activation and
    /// activation). A ConvLSTM in channels_last layout has one row per batch item and position. Nothing is stored for
    /// the backward pass: it recomputes the gates from the inputs.
    /// </summary>
    /// <param name="spec">An LSTM spec: units and activations (the loop options are not used).</param>
    /// <param name="zx">The input product, <c>(..., 4·U)</c>.</param>
    /// <param name="zh">The recurrent product, the shape of <paramref name="zx"/>.</param>
    /// <param name="bias">The bias <c>(4·U)</c>, or null.</param>
    /// <param name="c">The cell state before the step, <c>(..., U)</c>: the shape of <paramref name="zx"/> with U on the last axis.</param>
    /// <returns>h' and c', each the shape of <paramref name="c"/>.</returns>
    /// <exception cref="ArgumentException">The spec is not an LSTM's, or a shape, dtype or device does not match.</exception>
    public static (Tensor H, Tensor C) LstmGates(RecurrentSequenceSpec spec, Tensor zx, Tensor zh, Tensor? bias, Tensor c)
    {
        ArgumentNullException.ThrowIfNull(spec);
        const string op = "LstmGates";
        if (spec.Kind != RecurrentCellKind.Lstm) throw new ArgumentException($"{op}: spec.Kind is {spec.Kind}; expected Lstm.", nameof(spec));
        int units = spec.Units;
        CheckSameKind(op, zx, zh, nameof(zx), nameof(zh));
        CheckSameKind(op, zx, c, nameof(zx), nameof(c));
        if (zh.Shape != zx.Shape) throw new ArgumentException($"{op}: zh has shape {zh.Shape}; expected the shape of zx, {zx.Shape}.", nameof(zh));
        if (zx.Rank == 0 || zx.Shape[-1] != 4 * units)
            throw new ArgumentException($"{op}: zx has shape {zx.Shape}; an LSTM with {units} units expects (..., {4 * units}).", nameof(zx));
        var stateShape = new Shape([.. zx.Shape.ToArray()[..^1], units]);
        if (c.Shape != stateShape) throw new ArgumentException($"{op}: c has shape {c.Shape}; with zx {zx.Shape} expected {stateShape}.", nameof(c));
        if (bias is not null)
        {
            CheckSameKind(op, zx, bias, nameof(zx), nameof(bias));
            if (bias.Shape != new Shape(4 * units)) throw new ArgumentException($"{op}: bias has shape {bias.Shape}; expected ({4 * units}).", nameof(bias));
        }

        var backend = zx.Backend;
        var h = NewLike(stateShape, zx);
        var cNew = NewLike(stateShape, zx);
        backend.LstmGates(spec, zx, zh, bias, c, h, cNew);
        Tensor[] inputs = bias is null ? [zx, zh, c] : [zx, zh, bias, c];
        if (!Autodiff.IsRecording || !inputs.Any(t => t.RequiresGrad)) return (h, cNew);

        // One backward pass serves both results: c''s node hands its gradient to h''s node (which it lists as its
        // input, so that node runs after it), as in RecurrentSequence.
        Tensor? cGradient = null;
        Record(h, op, inputs, dh =>
        {
            var dz = NewLike(zx.Shape, zx);
            var dc = NewLike(stateShape, zx);
            backend.LstmGatesBackward(spec, zx, zh, bias, c, dh, cGradient, dz, dc);
            cGradient = null;
            var dBias = bias is { RequiresGrad: true } ? Sum(Reshape(dz, checked((int)(zx.Shape.Size / (4 * units))), 4 * units), 0) : null;
            // z = zx + b + zh: both products get dz (gradients are never changed in place, so they can share it).
            Tensor? dzx = zx.RequiresGrad ? dz : null, dzh = zh.RequiresGrad ? dz : null;
            Tensor?[] grads = bias is null ? [dzx, dzh, c.RequiresGrad ? dc : null] : [dzx, dzh, dBias, c.RequiresGrad ? dc : null];
            return grads;
        });
        Record(cNew, op + ".C", [h], dc =>
        {
            cGradient = cGradient is { } earlier ? Add(earlier, dc) : dc;
            return [Tensor.ZerosLike(h)];
        });
        return (h, cNew);
    }
}
