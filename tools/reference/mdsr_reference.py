"""Writes Tests/ModelsTests/Fixtures/mdsr_tiny.json: a tiny MDSR built module for module
as EDSR-PyTorch's src/model/mdsr.py (same classes, names and registration order), its
weights, and for each scale the output, L1 loss and parameter gradients of one batch.

Run from the repository root:  python3 tools/reference/mdsr_reference.py

Fixture layout:
    config   {"blocks", "features", "scales", "res_scale", "rgb_range"}
    order    trainable parameter names in state_dict (registration) order
    input    tensor [2, 3, 7, 6], integer pixels 0..255
    params   {name: tensor}
    scales   {"2": {"target", "output", "loss", "grads": {name: tensor}}, "3": ..., "4": ...}
A tensor is {"shape": [...], "data": [numbers]} when its values are integers, else
{"shape": [...], "base64": little-endian float32 bytes}: base64 keeps float32 bits exact
and is about half the size of decimal text, which keeps the file under 500 KB.
Only the parameters a scale's forward uses have gradients; the others are absent.
"""
import base64
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn

OUT = 'Tests/ModelsTests/Fixtures/mdsr_tiny.json'
BLOCKS, FEATURES, SCALES = 2, 8, [2, 3, 4]
RGB_MEAN = (0.4488, 0.4371, 0.4040)


def conv(cin, cout, k):
    return nn.Conv2d(cin, cout, k, padding=k // 2, bias=True)


class MeanShift(nn.Conv2d):
    """Frozen 1x1 conv adding sign * 255 * mean (EDSR-PyTorch common.MeanShift, std 1)."""
    def __init__(self, sign):
        super().__init__(3, 3, kernel_size=1)
        self.weight.data = torch.eye(3).view(3, 3, 1, 1)
        self.bias.data = sign * 255 * torch.Tensor(RGB_MEAN)
        for p in self.parameters():
            p.requires_grad = False


class ResBlock(nn.Module):
    def __init__(self, f, k, res_scale=1):
        super().__init__()
        self.body = nn.Sequential(conv(f, f, k), nn.ReLU(True), conv(f, f, k))
        self.res_scale = res_scale

    def forward(self, x):
        return self.body(x).mul(self.res_scale) + x


class Upsampler(nn.Sequential):
    def __init__(self, scale, f):
        m = []
        if scale & (scale - 1) == 0:
            for _ in range(int(math.log2(scale))):
                m += [conv(f, 4 * f, 3), nn.PixelShuffle(2)]
        else:
            m += [conv(f, 9 * f, 3), nn.PixelShuffle(3)]
        super().__init__(*m)


class MDSR(nn.Module):
    # Attribute assignment order is mdsr.py's: it fixes the state_dict order.
    def __init__(self, blocks, f, scales):
        super().__init__()
        self.scale_idx = 0
        self.sub_mean = MeanShift(-1)
        m_head = [conv(3, f, 3)]
        self.pre_process = nn.ModuleList([nn.Sequential(ResBlock(f, 5), ResBlock(f, 5)) for _ in scales])
        m_body = [ResBlock(f, 3) for _ in range(blocks)] + [conv(f, f, 3)]
        self.upsample = nn.ModuleList([Upsampler(s, f) for s in scales])
        m_tail = [conv(f, 3, 3)]
        self.add_mean = MeanShift(1)
        self.head = nn.Sequential(*m_head)
        self.body = nn.Sequential(*m_body)
        self.tail = nn.Sequential(*m_tail)

    def forward(self, x):
        x = self.sub_mean(x)
        x = self.head(x)
        x = self.pre_process[self.scale_idx](x)
        res = self.body(x)
        res += x
        x = self.upsample[self.scale_idx](res)
        x = self.tail(x)
        return self.add_mean(x)


def tensor(t):
    a = t.detach().cpu().numpy().astype(np.float32)
    if np.all(a == np.round(a)) and np.abs(a).max() < 2 ** 24:
        return {'shape': list(a.shape), 'data': [int(v) for v in a.ravel()]}
    return {'shape': list(a.shape), 'base64': base64.b64encode(a.astype('<f4').tobytes()).decode('ascii')}


def main():
    torch.manual_seed(7)
    model = MDSR(BLOCKS, FEATURES, SCALES)
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    rng = np.random.default_rng(11)
    x = torch.from_numpy(rng.integers(0, 256, (2, 3, 7, 6)).astype(np.float32))
    per_scale = {}
    for i, s in enumerate(SCALES):
        model.scale_idx = i
        model.zero_grad(set_to_none=True)
        target = torch.from_numpy(rng.integers(0, 256, (2, 3, 7 * s, 6 * s)).astype(np.float32))
        out = model(x)
        loss = nn.L1Loss()(out, target)
        loss.backward()
        per_scale[str(s)] = {
            'target': tensor(target), 'output': tensor(out), 'loss': loss.item(),
            'grads': {n: tensor(p.grad) for n, p in trainable if p.grad is not None},
        }
    fixture = {
        'config': {'blocks': BLOCKS, 'features': FEATURES, 'scales': SCALES, 'res_scale': 1, 'rgb_range': 255},
        'order': [n for n, _ in trainable],
        'input': tensor(x),
        'params': {n: tensor(p) for n, p in trainable},
        'scales': per_scale,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
    print(f'{OUT}: {os.path.getsize(OUT)} bytes, {sum(p.numel() for _, p in trainable)} parameters')
    for s, d in per_scale.items():
        print(f'  x{s}: loss {d["loss"]:.6f}, {len(d["grads"])} gradient tensors')


if __name__ == '__main__':
    main()
