#!/usr/bin/env python3
"""Writes the EDSR-PyTorch state_dict fixtures the converter tests read (numpy only):

    Tests/Fixtures/state_dict/edsr_b2f8_x2.npz   EDSR B2 F8 x2
    Tests/Fixtures/state_dict/mdsr_b2f8.npz      MDSR B2 F8 x2/x3/x4

Their weights are ones torch made: those of tools/reference/make_checkpoint_fixture.py's
EDSR (Tests/Fixtures/checkpoint/edsr_b2f8_x2.json) and of tools/reference/mdsr_reference.py's
module built as src/model/mdsr.py (Tests/ModelsTests/Fixtures/mdsr_tiny.json), in the
state_dict order EDSR-PyTorch's modules register them, with the MeanShift tensors
(sub_mean.*, add_mean.*) as common.MeanShift sets them for rgb_range 255, computed in
float32 as torch does. Keys and order are what `model.state_dict()` gives.

    python3 tools/reference/state_dict_fixtures.py
"""
import base64
import collections
import json
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "state_dict")
MEAN = np.array((0.4488, 0.4371, 0.4040), dtype=np.float32)


def mean_shift(prefix, sign):
    return [(prefix + ".weight", np.eye(3, dtype=np.float32).reshape(3, 3, 1, 1)),
            (prefix + ".bias", np.float32(sign * 255.0) * MEAN)]


def tensor(entry):
    if "base64" in entry:
        flat = np.frombuffer(base64.b64decode(entry["base64"]), dtype="<f4")
    else:
        flat = np.array(entry["data"], dtype=np.float32)
    return flat.reshape(entry["shape"]).astype(np.float32)


def edsr():
    with open(os.path.join(ROOT, "Tests", "Fixtures", "checkpoint", "edsr_b2f8_x2.json")) as f:
        fixture = json.load(f)
    # edsr.py: sub_mean and add_mean are assigned before head, body and tail.
    items = mean_shift("sub_mean", -1) + mean_shift("add_mean", 1)
    items += [(t["name"], np.array(t["values"], dtype=np.float32).reshape(t["shape"])) for t in fixture["tensors"]]
    return collections.OrderedDict(items)


def mdsr():
    with open(os.path.join(ROOT, "Tests", "ModelsTests", "Fixtures", "mdsr_tiny.json")) as f:
        fixture = json.load(f)
    # mdsr.py: sub_mean, pre_process, upsample, add_mean, then head, body, tail.
    items = mean_shift("sub_mean", -1)
    for name in fixture["order"]:
        if name == "head.0.weight":
            items += mean_shift("add_mean", 1)
        items.append((name, tensor(fixture["params"][name])))
    return collections.OrderedDict(items)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, state in (("edsr_b2f8_x2.npz", edsr()), ("mdsr_b2f8.npz", mdsr())):
        with open(os.path.join(OUT, name), "wb") as f:
            np.savez(f, **state)
        print(f"{name}: {len(state)} entries, {sum(v.size for v in state.values())} values")


if __name__ == "__main__":
    main()
