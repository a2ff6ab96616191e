"""Times one PyTorch training step of a Keras-equivalent recurrent model: forward of a batch-first LSTM / GRU / RNN
keeping the last output (return_sequences=False), mean squared error against a (batch, units) target, backward,
Adam step (torch.optim.Adam, lr 1e-3, eps 1e-7 as Keras).

Usage: /usr/bin/python3 torch_train.py CELL BATCH STEPS INPUT UNITS [--threads 2] [--seconds 1.0] [--min-reps 5]
Prints one JSON line: {"median_ms": ..., "reps": ..., "threads": ..., "torch": "<version>"}.
"""
import json
import sys
import time

import torch


def opt(name, default):
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main():
    cell, batch, steps, input_size, units = sys.argv[1], *map(int, sys.argv[2:6])
    threads, seconds, min_reps = opt("--threads", 2), opt("--seconds", 1.0), opt("--min-reps", 5)
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if cell == "lstm":
        rnn = torch.nn.LSTM(input_size, units, batch_first=True)
    elif cell == "gru":
        rnn = torch.nn.GRU(input_size, units, batch_first=True)
    else:
        rnn = torch.nn.RNN(input_size, units, batch_first=True, nonlinearity="tanh")
    x = torch.rand(batch, steps, input_size) * 2 - 1
    y = torch.rand(batch, units) * 2 - 1
    optimizer = torch.optim.Adam(rnn.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.MSELoss()

    def step():
        optimizer.zero_grad(set_to_none=True)
        out, _ = rnn(x)
        loss = loss_fn(out[:, -1, :], y)
        loss.backward()
        optimizer.step()
        return loss.item()

    t0 = time.perf_counter()
    i = 0
    while i < 3 or time.perf_counter() - t0 < 0.2:
        step()
        i += 1
    times = []
    t0 = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - t0 < seconds:
        a = time.perf_counter()
        step()
        times.append((time.perf_counter() - a) * 1000)
    times.sort()
    print(json.dumps({"median_ms": times[len(times) // 2], "min_ms": times[0], "reps": len(times),
                      "threads": threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
