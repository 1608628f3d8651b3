"""Reference forward pass and L1 gradients of tiny EDSR networks, from PyTorch.

Builds EDSR the way EDSR-PyTorch does (src/model/edsr.py and src/model/common.py),
initialises it with torch's own seeded default init, runs one batch, takes the
mean L1 loss against a target and backpropagates. Writes, per scale, the weights
(state_dict names), input, target, output, loss and every weight gradient to
Tests/ModelsTests/Fixtures/edsr_tiny_x{scale}.json, which EDSRReferenceTests
compares against srdist's EDSR. The Swift tests never need torch.

    python3 tools/reference/edsr_reference.py
"""

import argparse
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_json import Float32Array, dumps  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(REPO, "Tests", "ModelsTests", "Fixtures")


# --- EDSR-PyTorch's building blocks (common.py) --------------------------------

def default_conv(cin, cout, k, bias=True):
    return nn.Conv2d(cin, cout, k, padding=k // 2, bias=bias)


class MeanShift(nn.Conv2d):
    """A frozen 1×1 conv adding sign · rgb_range · mean / std per channel."""

    def __init__(self, rgb_range, rgb_mean=(0.4488, 0.4371, 0.4040), rgb_std=(1.0, 1.0, 1.0), sign=-1):
        super().__init__(3, 3, kernel_size=1)
        std = torch.Tensor(rgb_std)
        self.weight.data = torch.eye(3).view(3, 3, 1, 1) / std.view(3, 1, 1, 1)
        self.bias.data = sign * rgb_range * torch.Tensor(rgb_mean) / std
        for p in self.parameters():
            p.requires_grad = False


class ResBlock(nn.Module):
    def __init__(self, conv, n_feats, k, res_scale):
        super().__init__()
        self.body = nn.Sequential(conv(n_feats, n_feats, k), nn.ReLU(True), conv(n_feats, n_feats, k))
        self.res_scale = res_scale

    def forward(self, x):
        res = self.body(x).mul(self.res_scale)
        res += x
        return res


class Upsampler(nn.Sequential):
    def __init__(self, conv, scale, n_feats):
        m = []
        if (scale & (scale - 1)) == 0:
            for _ in range(int(math.log(scale, 2))):
                m.append(conv(n_feats, 4 * n_feats, 3))
                m.append(nn.PixelShuffle(2))
        elif scale == 3:
            m.append(conv(n_feats, 9 * n_feats, 3))
            m.append(nn.PixelShuffle(3))
        else:
            raise NotImplementedError(scale)
        super().__init__(*m)


# --- EDSR (edsr.py) -------------------------------------------------------------

class EDSR(nn.Module):
    def __init__(self, scale, n_resblocks, n_feats, res_scale, rgb_range=255, conv=default_conv):
        super().__init__()
        self.sub_mean = MeanShift(rgb_range)
        self.add_mean = MeanShift(rgb_range, sign=1)
        self.head = nn.Sequential(conv(3, n_feats, 3))
        body = [ResBlock(conv, n_feats, 3, res_scale) for _ in range(n_resblocks)]
        body.append(conv(n_feats, n_feats, 3))
        self.body = nn.Sequential(*body)
        self.tail = nn.Sequential(Upsampler(conv, scale, n_feats), conv(n_feats, 3, 3))

    def forward(self, x):
        x = self.sub_mean(x)
        x = self.head(x)
        res = self.body(x)
        res += x
        x = self.tail(res)
        return self.add_mean(x)


def fixture(scale, blocks, features, res_scale, seed):
    torch.manual_seed(seed)
    model = EDSR(scale, blocks, features, res_scale)
    # Integer pixels like a decoded PNG; odd, non-square so row/column mix-ups show.
    lr = torch.randint(0, 256, (2, 3, 7, 6)).float()
    hr = torch.randint(0, 256, (2, 3, 7 * scale, 6 * scale)).float()
    out = model(lr)
    loss = nn.functional.l1_loss(out, hr)
    model.zero_grad()
    loss.backward()

    # sign(out − hr) is the loss gradient: an element within float noise of its
    # target could flip sign between implementations and change the gradients.
    margin = (out - hr).abs().min().item()
    if margin < 1e-2:
        raise SystemExit(f"x{scale}: an output is {margin} from its target; pick another seed")

    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    return {
        "config": {"scale": scale, "blocks": blocks, "features": features, "res_scale": res_scale},
        "input": Float32Array(lr.numpy()),
        "target": Float32Array(hr.numpy()),
        "output": Float32Array(out.detach().numpy()),
        "loss": float(loss.item()),
        "params": {n: Float32Array(p.detach().numpy()) for n, p in trainable},
        "grads": {n: Float32Array(p.grad.numpy()) for n, p in trainable},
    }, margin


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=OUT_DIR, help="fixture folder (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)  # one summation order, so reruns give the same bits
    os.makedirs(args.out, exist_ok=True)
    for scale in (2, 3, 4):
        data, margin = fixture(scale, blocks=2, features=8, res_scale=0.5, seed=args.seed + scale)
        path = os.path.join(args.out, f"edsr_tiny_x{scale}.json")
        text = dumps(data)
        with open(path, "w") as f:
            f.write(text + "\n")
        print(f"{path}: {len(text) // 1024} KB, loss {data['loss']:.6f}, min |out − target| {margin:.4f}")


if __name__ == "__main__":
    main()
