#!/usr/bin/env python3
"""Builds the checkpoint fixtures CheckpointTests reads (no torch needed there):

    Tests/Fixtures/checkpoint/edsr_b2f8_x2.h5     a tiny EDSR-PyTorch state_dict (B2 F8 x2,
                                                  with sub_mean/add_mean) converted by
                                                  tools/pt_to_srdist.py
    Tests/Fixtures/checkpoint/edsr_b2f8_x2.json   every tensor's shape and values
    Tests/Fixtures/checkpoint/newer_version.h5    the same, claiming format version 2
    Tests/Fixtures/checkpoint/not_srdist.h5       an HDF5 file without the srdist header
    Tests/Fixtures/checkpoint/open_for_write.h5   a copy taken while a writer had the file
                                                  open (superblock v3, status flag set)

It also checks both converters end to end: .pt -> .h5 -> .pt gives back the same
tensors, the result loads with load_state_dict(strict=True) into a module laid out
like EDSR-PyTorch's EDSR, and a state_dict with a missing or misshapen tensor is refused.

    cd tools/reference && python3 make_checkpoint_fixture.py     # a python3 with torch and h5py
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(HERE)
OUT = os.path.join(os.path.dirname(TOOLS), "Tests", "Fixtures", "checkpoint")
PYTHON = sys.executable


# MARK: a module with EDSR-PyTorch's structure (src/model/edsr.py, common.py)

class MeanShift(nn.Conv2d):
    def __init__(self, rgb_range, sign):
        super().__init__(3, 3, kernel_size=1)
        self.weight.data = torch.eye(3).view(3, 3, 1, 1)
        self.bias.data = sign * rgb_range * torch.tensor((0.4488, 0.4371, 0.4040))
        for p in self.parameters():
            p.requires_grad = False


class ResBlock(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(f, f, 3, padding=1), nn.ReLU(True), nn.Conv2d(f, f, 3, padding=1))


class Upsampler(nn.Sequential):
    def __init__(self, scale, f):
        m = []
        if scale in (2, 4):
            for _ in range({2: 1, 4: 2}[scale]):
                m += [nn.Conv2d(f, 4 * f, 3, padding=1), nn.PixelShuffle(2)]
        else:
            m += [nn.Conv2d(f, 9 * f, 3, padding=1), nn.PixelShuffle(3)]
        super().__init__(*m)


class EDSR(nn.Module):
    def __init__(self, blocks, f, scale):
        super().__init__()
        self.sub_mean = MeanShift(255, -1)
        self.add_mean = MeanShift(255, 1)
        self.head = nn.Sequential(nn.Conv2d(3, f, 3, padding=1))
        self.body = nn.Sequential(*[ResBlock(f) for _ in range(blocks)], nn.Conv2d(f, f, 3, padding=1))
        self.tail = nn.Sequential(Upsampler(scale, f), nn.Conv2d(f, 3, 3, padding=1))


def run(script, *args, expect_ok=True):
    r = subprocess.run([PYTHON, os.path.join(TOOLS, script), *args], capture_output=True, text=True)
    if (r.returncode == 0) != expect_ok:
        raise SystemExit(f"{script} {args}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return r.stdout + r.stderr


def main():
    torch.manual_seed(20240531)
    model = EDSR(2, 8, 2)
    original = model.state_dict()
    os.makedirs(OUT, exist_ok=True)
    tmp = tempfile.mkdtemp()
    try:
        pt = os.path.join(tmp, "edsr_b2f8_x2.pt")
        torch.save(original, pt)
        h5 = os.path.join(OUT, "edsr_b2f8_x2.h5")
        print(run("pt_to_srdist.py", pt, h5, "--name", "edsr_b2f8_x2_fixture", "--res-scale", "1").strip())

        back = os.path.join(tmp, "back.pt")
        print(run("srdist_to_pt.py", h5, back).strip())
        restored = torch.load(back, weights_only=True)
        assert list(restored.keys()) == list(original.keys()), "state_dict order differs"
        for k, v in original.items():
            assert torch.equal(restored[k], v), f"{k} changed in the round trip"
        EDSR(2, 8, 2).load_state_dict(restored, strict=True)

        # Refusals: a missing tensor, a wrong shape.
        broken = dict(original)
        del broken["body.1.body.2.bias"]
        torch.save(broken, os.path.join(tmp, "missing.pt"))
        out = run("pt_to_srdist.py", os.path.join(tmp, "missing.pt"), os.path.join(tmp, "x.h5"), "--res-scale", "1", expect_ok=False)
        assert "missing in" in out and "body.1.body.2.bias" in out, out
        broken = dict(original)
        broken["head.0.bias"] = torch.zeros(7)
        torch.save(broken, os.path.join(tmp, "shape.pt"))
        out = run("pt_to_srdist.py", os.path.join(tmp, "shape.pt"), os.path.join(tmp, "x.h5"), "--res-scale", "1", expect_ok=False)
        assert "wrong shape" in out and "head.0.bias" in out, out

        expected = {"model": "edsr", "scales": [2], "blocks": 2, "features": 8, "tensors": [
            {"name": k, "shape": list(v.shape), "values": [float(x) for x in v.flatten().tolist()]}
            for k, v in original.items() if not k.startswith(("sub_mean.", "add_mean."))]}
        with open(os.path.join(OUT, "edsr_b2f8_x2.json"), "w") as f:
            json.dump(expected, f, separators=(",", ":"))

        newer = os.path.join(OUT, "newer_version.h5")
        shutil.copy(h5, newer)
        with h5py.File(newer, "r+") as f:
            f.attrs["version"] = np.int64(2)
        with h5py.File(os.path.join(OUT, "not_srdist.h5"), "w") as f:
            f.create_dataset("weights", data=np.arange(6, dtype=np.float32).reshape(2, 3))
        # What a writer that died mid-save leaves: HDF5 >= 1.10 files mark themselves
        # open for writing in the superblock until they are closed.
        with h5py.File(os.path.join(tmp, "open.h5"), "w", libver=("v110", "v110")) as f:
            f.attrs["format"] = "srdist-checkpoint"
            f.flush()
            shutil.copy(os.path.join(tmp, "open.h5"), os.path.join(OUT, "open_for_write.h5"))
    finally:
        shutil.rmtree(tmp)
    print(f"fixtures written to {OUT}")


if __name__ == "__main__":
    main()
