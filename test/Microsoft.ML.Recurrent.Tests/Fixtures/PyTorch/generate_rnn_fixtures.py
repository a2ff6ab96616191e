#!/usr/bin/python3
"""Differential fixtures for LSTM, GRU (reset_after=True) and SimpleRNN (tanh, relu) computed with PyTorch.

Run with Debian's interpreter (python3-torch):  /usr/bin/python3 generate_rnn_fixtures.py
Writes pytorch_rnn_fixtures.json next to this script. See ../README.md for the format and the mappings.

Every case draws Keras-layout weights (kernel (F, nU), recurrent_kernel (U, nU), bias), maps them to the
torch module per keras-rnn-spec.md §5.3 *differentiably* (the Keras-layout tensors are the autograd leaves, the
torch parameters are views/concatenations of them), runs nn.LSTM / nn.GRU / nn.RNN with batch_first=True, builds
the Keras outputs from the torch outputs (go_backwards = run on the time-flipped input, keep processing order; masks
= pack_padded_sequence of right-padded data, then the Keras masked-step rule re-applied by index arithmetic), and
differentiates L = sum_i sum(output_i * w_i) with fixed random w_i w.r.t. the input, every Keras weight and the
initial states.
"""
import json
import os
import platform

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.set_num_threads(1)
DTYPE = torch.float32
HERE = os.path.dirname(os.path.abspath(__file__))


def enc(t):
    """A tensor as {"shape", "data"} with 9 significant digits (round-trips float32)."""
    a = t.detach().cpu().numpy().astype(np.float32)
    return {"shape": list(a.shape), "data": [float(f"{v:.9g}") for v in a.reshape(-1).tolist()]}


def enc_mask(lengths, steps):
    m = np.zeros((len(lengths), steps), dtype=np.float32)
    for b, n in enumerate(lengths):
        m[b, :n] = 1.0
    return {"shape": [len(lengths), steps], "data": m.reshape(-1).tolist()}


def gates(kind):
    return {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}[kind]


def keras_weights(kind, F, U, use_bias, rng):
    n = gates(kind)
    w = {
        "kernel": rng.uniform(-0.6, 0.6, (F, n * U)),
        "recurrent_kernel": rng.uniform(-0.6, 0.6, (U, n * U)),
    }
    if use_bias:
        w["bias"] = rng.uniform(-0.5, 0.5, (2, 3 * U) if kind == "GRU" else (n * U,))
    return {k: torch.tensor(v, dtype=DTYPE, requires_grad=True) for k, v in w.items()}


def gru_reorder(m, U, axis):
    """Keras block order z, r, h -> PyTorch r, z, n along `axis`."""
    z, r, h = torch.split(m, U, dim=axis)
    return torch.cat([r, z, h], dim=axis)


def make_module(kind, F, U, use_bias, activation, kw):
    """The torch module with its parameters replaced by differentiable functions of the Keras weights (spec §5.3)."""
    if kind == "LSTM":
        mod = torch.nn.LSTM(F, U, batch_first=True, bias=use_bias)
    elif kind == "GRU":
        mod = torch.nn.GRU(F, U, batch_first=True, bias=use_bias)
    else:
        mod = torch.nn.RNN(F, U, batch_first=True, bias=use_bias, nonlinearity=activation)
    if kind == "GRU":
        mapped = {
            "weight_ih_l0": gru_reorder(kw["kernel"], U, 1).t(),
            "weight_hh_l0": gru_reorder(kw["recurrent_kernel"], U, 1).t(),
        }
        if use_bias:
            mapped["bias_ih_l0"] = gru_reorder(kw["bias"][0], U, 0)
            mapped["bias_hh_l0"] = gru_reorder(kw["bias"][1], U, 0)
    else:
        mapped = {"weight_ih_l0": kw["kernel"].t(), "weight_hh_l0": kw["recurrent_kernel"].t()}
        if use_bias:
            mapped["bias_ih_l0"] = kw["bias"]
            mapped["bias_hh_l0"] = torch.zeros_like(kw["bias"])  # any split whose sum is b
    for name, value in mapped.items():
        del mod._parameters[name]
        setattr(mod, name, value)  # RNNBase.__setattr__ refreshes _flat_weights
    return mod


def run_case(case, rng):
    kind, F, U, B, T = case["kind"], case["F"], case["U"], case["B"], case["T"]
    use_bias = case.get("use_bias", True)
    activation = case.get("activation", "tanh")
    ret_seq, ret_state = case.get("return_sequences", False), case.get("return_state", False)
    go_back, zero_out = case.get("go_backwards", False), case.get("zero_output_for_mask", False)
    lengths = case.get("lengths")  # right-padded mask
    with_init = case.get("initial_state", False)

    kw = keras_weights(kind, F, U, use_bias, rng)
    x = torch.tensor(rng.normal(0, 1, (B, T, F)), dtype=DTYPE, requires_grad=True)
    n_states = 2 if kind == "LSTM" else 1
    init = [torch.tensor(rng.normal(0, 0.5, (B, U)), dtype=DTYPE, requires_grad=True) for _ in range(n_states)] if with_init else None
    mod = make_module(kind, F, U, use_bias, activation, kw)

    hx = None
    if init is not None:
        hx = (init[0].unsqueeze(0), init[1].unsqueeze(0)) if kind == "LSTM" else init[0].unsqueeze(0)

    if lengths is None:
        seq_in = x.flip(1) if go_back else x
        out, hn = mod(seq_in, hx)
        keras_seq = out  # processing order (go_backwards: outputs not re-flipped)
    else:
        # Keras reverses the whole padded sequence for go_backwards (valid steps come last, in the order x[L-1] .. x[0]).
        # Torch gets each sample's valid steps (reversed within the length for go_backwards), packed.
        idx = torch.zeros(B, T, dtype=torch.long)
        for b, n in enumerate(lengths):
            for j in range(T):
                idx[b, j] = (n - 1 - j if j < n else j) if go_back else j
        seq_in = torch.gather(x, 1, idx.unsqueeze(-1).expand(B, T, F))
        packed = pack_padded_sequence(seq_in, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
        out_p, hn = mod(packed, hx)
        out, _ = pad_packed_sequence(out_p, batch_first=True, total_length=T)  # zeros past each length
        padded = torch.cat([out, torch.zeros(B, 1, U)], dim=1)  # index T = a zero row
        sel = torch.zeros(B, T, dtype=torch.long)
        for b, n in enumerate(lengths):
            for k in range(T):
                if go_back:
                    # processing index k consumes x[T-1-k]; the first T-n steps are masked: output 0 (TF/torch rule:
                    # previous output starts at zeros), then torch step k-(T-n).
                    sel[b, k] = k - (T - n) if k >= T - n else T
                else:
                    # masked (trailing) steps: 0 with zero_output_for_mask, else the previous output (= step n-1).
                    sel[b, k] = k if k < n else (T if zero_out else n - 1)
        keras_seq = torch.gather(padded, 1, sel.unsqueeze(-1).expand(B, T, U))

    states = [hn[0][0], hn[1][0]] if kind == "LSTM" else [hn[0]]
    main = keras_seq if ret_seq else keras_seq[:, -1]
    outputs = [main] + (states if ret_state else [])

    functional = [torch.tensor(rng.normal(0, 1, tuple(o.shape)), dtype=DTYPE) for o in outputs]
    loss = sum((o * w).sum() for o, w in zip(outputs, functional))
    weight_list = [kw[k] for k in ("kernel", "recurrent_kernel", "bias") if k in kw]
    leaves = [x] + weight_list + (init or [])
    grads = torch.autograd.grad(loss, leaves, allow_unused=True)
    grads = [torch.zeros_like(l) if g is None else g for l, g in zip(leaves, grads)]

    config = {"name": case["id"].replace(".", "_"), "units": U, "use_bias": use_bias,
              "return_sequences": ret_seq, "return_state": ret_state, "go_backwards": go_back,
              "zero_output_for_mask": zero_out}
    if kind == "SimpleRNN":
        config["activation"] = activation
    else:
        config["activation"] = "tanh"
        config["recurrent_activation"] = "sigmoid"
    if kind == "GRU":
        config["reset_after"] = True
    return {
        "id": case["id"],
        "source": "pytorch",
        "note": case.get("note", ""),
        "layer": {"class_name": kind, "config": config},
        "keras2": False,
        "input": enc(x),
        "mask": enc_mask(lengths, T) if lengths is not None else None,
        "initial_state": [enc(s) for s in init] if init else None,
        "weights": [dict(name=k, **enc(kw[k])) for k in ("kernel", "recurrent_kernel", "bias") if k in kw],
        "outputs": [enc(o) for o in outputs],
        "functional": [enc(w) for w in functional],
        "loss": float(loss.item()),
        "grads": {
            "input": enc(grads[0]),
            "weights": [enc(g) for g in grads[1:1 + len(weight_list)]],
            "initial_state": [enc(g) for g in grads[1 + len(weight_list):]] if init else None,
        },
    }


def cases():
    out = []
    for kind in ("LSTM", "GRU", "SimpleRNN"):
        k = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn_tanh"}[kind]
        out += [
            dict(id=f"{k}.seq_state", kind=kind, F=3, U=5, B=3, T=7, return_sequences=True, return_state=True),
            dict(id=f"{k}.last_initial_state", kind=kind, F=5, U=3, B=3, T=5, return_state=True, initial_state=True),
            dict(id=f"{k}.go_backwards_seq_initial_state", kind=kind, F=3, U=5, B=3, T=7, return_sequences=True,
                 return_state=True, go_backwards=True, initial_state=True),
            dict(id=f"{k}.go_backwards_last", kind=kind, F=3, U=3, B=1, T=5, go_backwards=True),
            dict(id=f"{k}.mask_seq_zero_output", kind=kind, F=3, U=5, B=3, T=7, return_sequences=True, return_state=True,
                 zero_output_for_mask=True, lengths=[7, 4, 1],
                 note="zero_output_for_mask=True: Keras masked outputs are 0, as pad_packed_sequence pads"),
            dict(id=f"{k}.mask_seq_carry", kind=kind, F=3, U=5, B=3, T=7, return_sequences=True, return_state=True,
                 lengths=[3, 7, 5], initial_state=True,
                 note="default masking: masked steps repeat the output at the last valid step (torch step L-1)"),
            dict(id=f"{k}.mask_last_initial_state", kind=kind, F=3, U=5, B=3, T=5, return_state=True, lengths=[5, 2, 3],
                 initial_state=True, note="last output = output at the last valid step = h_n"),
            dict(id=f"{k}.mask_go_backwards_seq", kind=kind, F=3, U=5, B=3, T=7, return_sequences=True, return_state=True,
                 go_backwards=True, lengths=[6, 7, 2], initial_state=True,
                 note="mask reversed with the input: leading masked steps output 0; torch runs each sample's valid steps reversed"),
        ]
        out.append(dict(id=f"{k}.no_bias", kind=kind, F=3, U=5, B=3, T=5, use_bias=False, return_sequences=True))
    out += [
        dict(id="simple_rnn_relu.seq_state", kind="SimpleRNN", activation="relu", F=3, U=5, B=3, T=7,
             return_sequences=True, return_state=True, initial_state=True),
        dict(id="simple_rnn_relu.mask_go_backwards", kind="SimpleRNN", activation="relu", F=3, U=5, B=3, T=7,
             return_sequences=True, return_state=True, go_backwards=True, lengths=[7, 3, 5]),
        dict(id="simple_rnn_relu.mask_last", kind="SimpleRNN", activation="relu", F=5, U=3, B=3, T=5,
             lengths=[1, 5, 3], initial_state=True),
    ]
    return out


def main():
    torch.manual_seed(20260521)
    rng = np.random.default_rng(20260521)
    fixtures = [run_case(c, rng) for c in cases()]
    doc = {
        "generator": "test/Microsoft.ML.Recurrent.Tests/Fixtures/PyTorch/generate_rnn_fixtures.py",
        "versions": {"torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version()},
        "dtype": "float32",
        "loss": "sum_i sum(outputs[i] * functional[i]); grads of it w.r.t. input, weights (Keras layout), initial states",
        "tolerance": "|actual - expected| <= 1e-5 * (1 + |expected|)",
        "cases": fixtures,
    }
    path = os.path.join(HERE, "pytorch_rnn_fixtures.json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(f"wrote {len(fixtures)} cases to {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
