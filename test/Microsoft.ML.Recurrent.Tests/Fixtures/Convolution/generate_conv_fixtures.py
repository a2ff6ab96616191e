#!/usr/bin/python3
"""Reference convolutions for ConvolutionTests, computed independently with PyTorch (float64).

Run with Debian's python3-torch:  /usr/bin/python3 generate_conv_fixtures.py
Writes conv_fixtures.json beside this script.

Every case is in Keras terms: inputs in the case's data_format, kernel in Keras layout (k..., Cin, Cout),
padding "valid" or "same" with TensorFlow's rule (out = ceil(in / stride), the odd zero after), which torch's
padding="same" cannot express for stride > 1, so it is applied with an explicit F.pad. Most cases use values that
are multiples of 1/64, so inputs, outputs and gradients are exact in float64 and the text stays short; the
"_full_precision" cases use unrounded normal values, so float32 replays meet real rounding.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20240521)

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def random_values(shape, grid):
    """Normal values clipped to [-2, 2], on a 1/64 grid when asked."""
    values = torch.randn(shape, dtype=torch.float64).clamp(-2, 2)
    return torch.round(values * 64) / 64 if grid else values


def same_padding(size, k, stride, dilation):
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + (k - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def make_case(name, batch, spatial, cin, kernel, cout, strides, dilation, padding, data_format, grid=True):
    rank = len(spatial)
    # Torch layouts: x (N, C, spatial...), weight (Cout, Cin, k...).
    x = random_values((batch, cin, *spatial), grid).requires_grad_(True)
    w = random_values((cout, cin, *kernel), grid).requires_grad_(True)
    xp = x
    if padding == "same":
        pads = []
        for axis in reversed(range(rank)):  # F.pad lists the last axis first
            pads.extend(same_padding(spatial[axis], kernel[axis], strides[axis], dilation[axis]))
        xp = F.pad(x, pads)
    y = CONV[rank](xp, w, stride=tuple(strides), dilation=tuple(dilation))
    dy = random_values(tuple(y.shape), grid)
    y.backward(dy)

    def channels_last(t):  # (N, C, s...) -> (N, s..., C)
        return t.permute(0, *range(2, t.dim()), 1)

    def keras_kernel(t):  # (Cout, Cin, k...) -> (k..., Cin, Cout)
        return t.permute(*range(2, t.dim()), 1, 0)

    def layout(t):
        return t if data_format == "channels_first" else channels_last(t)

    def flat(t):
        return [float(v) for v in t.detach().contiguous().reshape(-1).tolist()]

    return {
        "name": name,
        "rank": rank,
        "padding": padding,
        "strides": list(strides),
        "dilation_rate": list(dilation),
        "data_format": data_format,
        "x_shape": list(layout(x).shape),
        "x": flat(layout(x)),
        "kernel_shape": list(keras_kernel(w).shape),
        "kernel": flat(keras_kernel(w)),
        "y_shape": list(layout(y).shape),
        "y": flat(layout(y)),
        "dy": flat(layout(dy)),
        "dx": flat(layout(x.grad)),
        "dkernel": flat(keras_kernel(w.grad)),
    }


CASES = [
    # name, batch, spatial, cin, kernel, cout, strides, dilation, padding, data_format
    ("conv1d_valid", 2, (9,), 3, (3,), 4, (1,), (1,), "valid", "channels_last"),
    ("conv1d_same_stride2_odd", 2, (9,), 2, (4,), 3, (2,), (1,), "same", "channels_last"),
    ("conv1d_same_dilation3", 1, (11,), 2, (3,), 2, (1,), (3,), "same", "channels_last"),
    ("conv1d_valid_stride3", 3, (10,), 2, (2,), 3, (3,), (1,), "valid", "channels_last"),
    ("conv1d_same_channels_first", 2, (8,), 3, (5,), 2, (1,), (1,), "same", "channels_first"),
    ("conv1d_valid_dilation2_channels_first", 1, (12,), 2, (3,), 3, (1,), (2,), "valid", "channels_first"),
    ("conv2d_valid", 2, (6, 5), 3, (3, 3), 4, (1, 1), (1, 1), "valid", "channels_last"),
    ("conv2d_same_stride2_even", 2, (6, 8), 2, (3, 3), 3, (2, 2), (1, 1), "same", "channels_last"),
    ("conv2d_same_stride2_odd_kernel2", 1, (7, 5), 3, (2, 2), 2, (2, 2), (1, 1), "same", "channels_last"),
    ("conv2d_same_dilation2", 2, (7, 6), 2, (3, 2), 3, (1, 1), (2, 2), "same", "channels_last"),
    ("conv2d_valid_strides_1x2_rect", 2, (5, 9), 2, (2, 3), 2, (1, 2), (1, 1), "valid", "channels_last"),
    ("conv2d_pointwise", 3, (4, 5), 4, (1, 1), 3, (1, 1), (1, 1), "valid", "channels_last"),
    ("conv2d_pointwise_stride2", 1, (5, 5), 2, (1, 1), 2, (2, 2), (1, 1), "same", "channels_last"),
    ("conv2d_same_stride_2x3_channels_first", 2, (7, 8), 2, (3, 4), 3, (2, 3), (1, 1), "same", "channels_first"),
    ("conv2d_valid_dilation_1x2_channels_first", 1, (6, 9), 3, (2, 3), 2, (1, 1), (1, 2), "valid", "channels_first"),
    ("conv2d_same_stride3_kernel_larger_than_stride", 1, (5, 4), 1, (5, 3), 2, (3, 3), (1, 1), "same", "channels_last"),
    ("conv3d_valid", 2, (4, 5, 4), 2, (2, 3, 2), 3, (1, 1, 1), (1, 1, 1), "valid", "channels_last"),
    ("conv3d_same_stride2", 1, (5, 4, 6), 2, (3, 3, 3), 2, (2, 2, 2), (1, 1, 1), "same", "channels_last"),
    ("conv3d_same_dilation2", 2, (5, 5, 4), 1, (2, 3, 2), 2, (1, 1, 1), (2, 2, 2), "same", "channels_last"),
    ("conv3d_valid_strides_2x1x3_channels_first", 2, (5, 4, 7), 2, (2, 2, 3), 2, (2, 1, 3), (1, 1, 1), "valid", "channels_first"),
    ("conv3d_same_channels_first", 1, (3, 4, 5), 3, (3, 2, 3), 2, (1, 1, 1), (1, 1, 1), "same", "channels_first"),
    ("conv1d_same_stride2_full_precision", 2, (13,), 4, (5,), 3, (2,), (1,), "same", "channels_last", False),
    ("conv2d_same_dilation2_full_precision", 2, (7, 6), 5, (3, 3), 4, (1, 1), (2, 2), "same", "channels_first", False),
    ("conv2d_valid_stride2_full_precision", 1, (9, 8), 6, (3, 3), 4, (2, 2), (1, 1), "valid", "channels_last", False),
    ("conv3d_same_stride2_full_precision", 2, (5, 4, 5), 3, (3, 3, 2), 2, (2, 1, 2), (1, 1, 1), "same", "channels_last", False),
]


def main():
    cases = [make_case(*spec) for spec in CASES]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv_fixtures.json")
    with open(path, "w") as f:
        json.dump({"generator": "torch " + torch.__version__ + " float64", "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases, {os.path.getsize(path)} bytes to {path}")


if __name__ == "__main__":
    main()
