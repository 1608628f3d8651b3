#!/usr/bin/env python3
"""Converts an srdist checkpoint back into an EDSR-PyTorch state_dict that
EDSR-PyTorch's EDSR.load_state_dict accepts (strict).

    /work/torchenv/bin/python tools/srdist_to_pt.py runs/x2/step-000300000.h5 edsr_x2.pt

The MeanShift tensors srdist does not store (sub_mean.*, add_mean.*) are restored
with EDSR-PyTorch's values for rgb_range 255 (the DIV2K mean, std 1).
"""
import argparse
import collections
import sys

import h5py
import numpy as np
import torch

from edsr_layout import DIV2K_MEAN, FORMAT, VERSION, compare, edsr_layout, infer_edsr


def mean_shift(sign, rgb_range):
    weight = torch.eye(3).view(3, 3, 1, 1)
    bias = sign * rgb_range * torch.tensor(DIV2K_MEAN, dtype=torch.float32)
    return weight, bias


def convert(src, dst, rgb_range=255.0):
    with h5py.File(src, "r") as f:
        if f.attrs.get("format") != FORMAT:
            raise SystemExit(f"error: {src}: not an srdist checkpoint (no format \"{FORMAT}\")")
        if int(f.attrs["version"]) > VERSION:
            raise SystemExit(f"error: {src}: checkpoint version {int(f.attrs['version'])} is newer than this script ({VERSION})")
        if f.attrs["model"] != "edsr":
            raise SystemExit(f"error: {src}: model {f.attrs['model']} is not supported (EDSR only)")
        # Visit in stored order; h5py lists creation order for track_order groups,
        # names are re-ordered below in EDSR-PyTorch's registration order anyway.
        tensors = {name: torch.from_numpy(np.asarray(ds, dtype=np.float32)) for name, ds in f["params"].items()}
    shapes = {k: tuple(v.shape) for k, v in tensors.items()}
    blocks, features, scale = infer_edsr(shapes)
    layout = edsr_layout(blocks, features, scale)
    if compare(shapes, layout, src):
        raise SystemExit(f"error: {src}: does not match EDSR B{blocks} F{features} x{scale} (see above)")
    state = collections.OrderedDict()
    # EDSR-PyTorch registers sub_mean and add_mean before head, body and tail.
    for prefix, sign in (("sub_mean", -1), ("add_mean", 1)):
        state[prefix + ".weight"], state[prefix + ".bias"] = mean_shift(sign, rgb_range)
    for name, _ in layout:
        state[name] = tensors[name]
    torch.save(state, dst)
    print(f"{dst}: EDSR B{blocks} F{features} x{scale}, {len(state)} entries (with sub_mean/add_mean)")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkpoint", help="srdist .h5 checkpoint")
    p.add_argument("state_dict", help=".pt file to write")
    p.add_argument("--rgb-range", type=float, default=255.0, help="EDSR-PyTorch's --rgb_range (default 255)")
    a = p.parse_args()
    convert(a.checkpoint, a.state_dict, a.rgb_range)


if __name__ == "__main__":
    sys.exit(main())
