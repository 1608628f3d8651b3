"""Reference for srdist's ×8 geometric self-ensemble: EDSR-PyTorch's `forward_x8`
(src/model/__init__.py) on a tiny EDSR, written to
Tests/ModelsTests/Fixtures/edsr_tiny_x8.json (weights, input, ensembled output).

    python3 tools/reference/self_ensemble_reference.py
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from edsr_reference import EDSR  # noqa: E402
from fixture_json import Float32Array, dumps  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "ModelsTests", "Fixtures",
                   "edsr_tiny_x8.json")


def transform(x, op):
    # forward_x8's _transform: 'v' flips the width, 'h' the height, 't' transposes H and W.
    if op == "v":
        return x.flip(3)
    if op == "h":
        return x.flip(2)
    return x.transpose(2, 3)


def forward_x8(model, x):
    inputs = [x]
    for op in ("v", "h", "t"):
        inputs.extend([transform(t, op) for t in inputs])
    outputs = [model(t) for t in inputs]
    for i in range(len(outputs)):
        if i > 3:
            outputs[i] = transform(outputs[i], "t")
        if i % 4 > 1:
            outputs[i] = transform(outputs[i], "h")
        if (i % 4) % 2 == 1:
            outputs[i] = transform(outputs[i], "v")
    return torch.stack(outputs).mean(dim=0)


def main():
    torch.set_num_threads(1)
    torch.manual_seed(11)
    model = EDSR(2, 2, 8, 0.5)
    lr = torch.randint(0, 256, (1, 3, 7, 6)).float()
    with torch.no_grad():
        out = forward_x8(model, lr)
        plain = model(lr)
    data = {
        "config": {"scale": 2, "blocks": 2, "features": 8, "res_scale": 0.5},
        "input": Float32Array(lr.numpy()),
        "output": Float32Array(out.numpy()),
        "plain": Float32Array(plain.numpy()),
        "params": {n: Float32Array(p.detach().numpy()) for n, p in model.named_parameters() if p.requires_grad},
    }
    with open(OUT, "w") as f:
        f.write(dumps(data) + "\n")
    print(f"{OUT}: max |x8 − plain| {float((out - plain).abs().max()):.4f}")


if __name__ == "__main__":
    main()
