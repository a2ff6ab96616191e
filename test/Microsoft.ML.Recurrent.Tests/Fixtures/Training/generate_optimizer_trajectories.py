#!/usr/bin/python3
"""Writes optimizer_trajectories.json: per-step losses and final weights of 20 full-batch training steps of an
LSTM(4) -> Dense(1) regression model (MSE loss), for several Keras 3 optimizers, computed independently with PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 generate_optimizer_trajectories.py

Gradients come from torch autograd on a hand-written Keras LSTM (gate order i, f, c, o; sigmoid recurrent
activation; one bias). Updates follow the Keras 3 rules:
  * SGD(momentum, nesterov): torch.optim.SGD is the same rule for a constant rate (Keras m = -lr * torch buf).
  * Adam / AdamW: torch.optim.Adam / AdamW with eps set each step to eps_keras / sqrt(1 - beta2^t). Keras adds
    epsilon to sqrt(v) *before* bias-correcting v ("epsilon hat"); torch adds it after; this conversion makes the
    two identical. AdamW weight decay is the same decoupled rule in both (w -= lr * wd * w before the Adam step).
  * RMSprop: Keras puts epsilon under the square root (sqrt(v + eps)); torch adds it outside (sqrt(v) + eps), so
    this script applies the Keras rule itself with torch tensors (centered and momentum variants included).
Everything runs in float64; the C# test replays the same steps in float64.
"""
import json
import math
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
BATCH, STEPS_T, FEATURES, UNITS, STEPS = 8, 6, 3, 4, 20

rng = np.random.default_rng(20261121)
x = rng.normal(size=(BATCH, STEPS_T, FEATURES))
y = rng.normal(size=(BATCH, 1))
init = {
    "kernel": rng.uniform(-0.5, 0.5, size=(FEATURES, 4 * UNITS)),
    "recurrent_kernel": rng.uniform(-0.5, 0.5, size=(UNITS, 4 * UNITS)),
    "bias": rng.uniform(-0.1, 0.1, size=(4 * UNITS,)),
    "dense_kernel": rng.uniform(-0.5, 0.5, size=(UNITS, 1)),
    "dense_bias": rng.uniform(-0.1, 0.1, size=(1,)),
}
ORDER = ["kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias"]


def forward(p, xt):
    h = torch.zeros(BATCH, UNITS)
    c = torch.zeros(BATCH, UNITS)
    for t in range(STEPS_T):
        z = xt[:, t, :] @ p["kernel"] + h @ p["recurrent_kernel"] + p["bias"]
        zi, zf, zc, zo = torch.split(z, UNITS, dim=1)
        i, f, o = torch.sigmoid(zi), torch.sigmoid(zf), torch.sigmoid(zo)
        c = f * c + i * torch.tanh(zc)
        h = o * torch.tanh(c)
    return h @ p["dense_kernel"] + p["dense_bias"]


class KerasRmsprop:
    """The Keras 3 RMSprop update_step, written out with torch tensors."""

    def __init__(self, params, lr, rho, momentum, epsilon, centered):
        self.params, self.lr, self.rho, self.momentum, self.eps, self.centered = params, lr, rho, momentum, epsilon, centered
        self.v = [torch.zeros_like(p) for p in params]
        self.m = [torch.zeros_like(p) for p in params]
        self.a = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(self):
        for k, p in enumerate(self.params):
            g = p.grad
            self.v[k] = self.rho * self.v[k] + (1 - self.rho) * g * g
            if self.centered:
                self.a[k] = self.rho * self.a[k] + (1 - self.rho) * g
                denominator = self.v[k] - self.a[k] ** 2 + self.eps
            else:
                denominator = self.v[k] + self.eps
            increment = self.lr * g / torch.sqrt(denominator)
            if self.momentum > 0:
                self.m[k] = self.momentum * self.m[k] + increment
                increment = self.m[k]
            p -= increment


def run(case):
    params = {k: torch.tensor(init[k], requires_grad=True) for k in ORDER}
    plist = [params[k] for k in ORDER]
    kind, hp = case["optimizer"], case["config"]
    if kind == "SGD":
        opt = torch.optim.SGD(plist, lr=hp["learning_rate"], momentum=hp["momentum"], nesterov=hp["nesterov"])
    elif kind == "Adam":
        opt = torch.optim.Adam(plist, lr=hp["learning_rate"], betas=(hp["beta_1"], hp["beta_2"]), eps=hp["epsilon"], amsgrad=hp["amsgrad"])
    elif kind == "AdamW":
        opt = torch.optim.AdamW(plist, lr=hp["learning_rate"], betas=(hp["beta_1"], hp["beta_2"]), eps=hp["epsilon"], weight_decay=hp["weight_decay"], amsgrad=hp["amsgrad"])
    elif kind == "RMSprop":
        opt = KerasRmsprop(plist, hp["learning_rate"], hp["rho"], hp["momentum"], hp["epsilon"], hp["centered"])
    else:
        raise ValueError(kind)
    xt, yt = torch.tensor(x), torch.tensor(y)
    losses = []
    for step in range(1, STEPS + 1):
        for p in plist:
            p.grad = None
        loss = torch.mean((forward(params, xt) - yt) ** 2)
        losses.append(loss.item())
        loss.backward()
        if kind in ("Adam", "AdamW"):
            for group in opt.param_groups:
                group["eps"] = hp["epsilon"] / math.sqrt(1 - hp["beta_2"] ** step)
        opt.step()
    return {**case, "losses": losses, "final_weights": {k: params[k].detach().numpy().tolist() for k in ORDER}}


CASES = [
    {"name": "sgd_momentum", "optimizer": "SGD", "config": {"learning_rate": 0.1, "momentum": 0.9, "nesterov": False}},
    {"name": "sgd_nesterov", "optimizer": "SGD", "config": {"learning_rate": 0.05, "momentum": 0.8, "nesterov": True}},
    {"name": "adam", "optimizer": "Adam", "config": {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}},
    {"name": "adam_amsgrad", "optimizer": "Adam", "config": {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-7, "amsgrad": True}},
    {"name": "adamw", "optimizer": "AdamW", "config": {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False, "weight_decay": 0.1}},
    {"name": "rmsprop", "optimizer": "RMSprop", "config": {"learning_rate": 0.01, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False}},
    {"name": "rmsprop_centered_momentum", "optimizer": "RMSprop", "config": {"learning_rate": 0.005, "rho": 0.8, "momentum": 0.5, "epsilon": 1e-7, "centered": True}},
]

if __name__ == "__main__":
    out = {
        "description": "LSTM(4, Keras gate order i,f,c,o) -> Dense(1), MSE, full batch, float64; see generate_optimizer_trajectories.py",
        "torch_version": torch.__version__,
        "x": x.tolist(), "y": y.tolist(),
        "initial_weights": {k: init[k].tolist() for k in ORDER},
        "weight_order": ORDER,
        "steps": STEPS,
        "cases": [run(c) for c in CASES],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizer_trajectories.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    for c in out["cases"]:
        print(c["name"], c["losses"][0], c["losses"][-1])
