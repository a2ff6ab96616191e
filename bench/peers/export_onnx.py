"""Exports one Keras-equivalent recurrent layer as an ONNX model (one LSTM / GRU / RNN node plus the batch-first
transposes torch.onnx.export adds), with the weights the C# `recurrent-table` wrote.

Usage: /usr/bin/python3 export_onnx.py CELL INPUT UNITS WEIGHTS_DIR OUT.onnx
  CELL: lstm | gru | simplernn. WEIGHTS_DIR holds kernel.bin (input x G*units), recurrent.bin (units x G*units) and
  bias.bin (G*units, or 2 x 3*units for a reset_after GRU), raw little-endian float32 in Keras layout.
Only torch (Debian python3-torch) is needed; the output is the last hidden state (return_sequences=False).
"""
import os
import sys

import numpy as np
import torch

torch.set_num_threads(1)


def load(path, shape):
    return torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(shape).copy())


class Last(torch.nn.Module):
    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        y, _ = self.rnn(x)
        return y[:, -1, :]


def keras_to_torch(cell, input_size, units, wdir):
    gates = {"lstm": 4, "gru": 3, "simplernn": 1}[cell]
    kernel = load(os.path.join(wdir, "kernel.bin"), (input_size, gates * units))
    recurrent = load(os.path.join(wdir, "recurrent.bin"), (units, gates * units))
    if cell == "gru":
        bias = load(os.path.join(wdir, "bias.bin"), (2, gates * units))
        b_ih, b_hh = bias[0], bias[1]
    else:
        b_ih = load(os.path.join(wdir, "bias.bin"), (gates * units,))
        b_hh = torch.zeros_like(b_ih)

    def reorder(w):  # gate blocks along dim 0: Keras GRU (z, r, h) -> torch (r, z, n); LSTM i, f, c, o is already torch's order
        if cell != "gru":
            return w
        z, r, h = w.split(units, dim=0)
        return torch.cat([r, z, h], dim=0)

    if cell == "lstm":
        rnn = torch.nn.LSTM(input_size, units, batch_first=True)
    elif cell == "gru":
        rnn = torch.nn.GRU(input_size, units, batch_first=True)
    else:
        rnn = torch.nn.RNN(input_size, units, batch_first=True, nonlinearity="tanh")
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(reorder(kernel.t().contiguous()))
        rnn.weight_hh_l0.copy_(reorder(recurrent.t().contiguous()))
        rnn.bias_ih_l0.copy_(reorder(b_ih))
        rnn.bias_hh_l0.copy_(reorder(b_hh))
    return rnn


def main():
    cell, input_size, units, wdir, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    model = Last(keras_to_torch(cell, input_size, units, wdir)).eval()
    x = torch.zeros(2, 3, input_size)
    torch.onnx.export(model, x, out, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch", 1: "steps"}, "y": {0: "batch"}}, opset_version=14)
    print(out)


if __name__ == "__main__":
    main()
