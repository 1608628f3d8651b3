#!/usr/bin/env python3
"""Converts an EDSR-PyTorch state_dict (.pt, e.g. edsr_baseline_x2-1bc95232.pt) into
an srdist checkpoint (weights only, stage "imported", step 0).

    /work/torchenv/bin/python tools/pt_to_srdist.py edsr_baseline_x2-1bc95232.pt x2.h5

Names carry over unchanged; the MeanShift buffers (sub_mean.*, add_mean.*) are dropped
because srdist applies the DIV2K mean in code. The scale, block count and width are
read from the tensors' shapes; every expected tensor must be present with its shape,
and anything missing, extra or misshapen is listed before the script refuses.
"""
import argparse
import datetime
import json
import os
import sys

import h5py
import numpy as np
import torch

from edsr_layout import FORMAT, MEANSHIFT_PREFIXES, VERSION, compare, edsr_layout, infer_edsr


def load_state_dict(path):
    obj = torch.load(path, map_location="cpu", weights_only=True)
    for key in ("state_dict", "model"):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            obj = obj[key]
    if not isinstance(obj, dict):
        raise SystemExit(f"error: {path}: not a state_dict (a dict of tensors)")
    # nn.DataParallel prefixes every name with "module.".
    return {k[len("module."):] if k.startswith("module.") else k: v for k, v in obj.items()}


def convert(src, dst, scale=None, res_scale=None, name=None):
    state = load_state_dict(src)
    dropped = [k for k in state if k.startswith(MEANSHIFT_PREFIXES)]
    tensors = {k: v for k, v in state.items() if not k.startswith(MEANSHIFT_PREFIXES)}
    shapes = {k: tuple(v.shape) for k, v in tensors.items()}
    blocks, features, inferred = infer_edsr(shapes)
    if scale is not None and scale != inferred:
        raise SystemExit(f"error: {src}: the upsampler is for x{inferred}, --scale says x{scale}")
    layout = edsr_layout(blocks, features, inferred)
    if compare(shapes, layout, src):
        raise SystemExit(f"error: {src}: does not match EDSR B{blocks} F{features} x{inferred} (see above)")
    if res_scale is None:
        # EDSR-PyTorch's defaults: the paper's EDSR (F256) uses 0.1, the baseline 1.
        res_scale = 0.1 if features >= 256 else 1.0
    config = {"name": name or os.path.splitext(os.path.basename(src))[0],
              "model": {"arch": "edsr", "scale": inferred, "blocks": blocks, "features": features,
                        "res_scale": res_scale}}
    tmp = dst + ".tmp"
    with h5py.File(tmp, "w", track_order=True) as f:
        f.attrs["format"] = FORMAT
        f.attrs["version"] = np.int64(VERSION)
        f.attrs["model"] = "edsr"
        f.attrs["scales"] = np.array([inferred], dtype=np.int64)
        f.attrs["step"] = np.int64(0)
        f.attrs["stage"] = "imported"
        f.attrs["world_size"] = np.int64(1)
        f.attrs["config"] = json.dumps(config)
        f.attrs["created"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        params = f.create_group("params", track_order=True)
        for pname, _ in layout:
            params.create_dataset(pname, data=tensors[pname].detach().to(torch.float32).numpy())
        state_group = f.create_group("state", track_order=True)
        state_group.attrs["data_step"] = np.int64(0)
        state_group.attrs["rng_seed"] = np.uint64(0)
        state_group.attrs["skipped_steps"] = np.int64(0)
        state_group.create_dataset("metrics_history", data="[]", dtype=h5py.string_dtype("utf-8"))
    os.replace(tmp, dst)
    total = sum(int(np.prod(s)) for _, s in layout)
    print(f"{dst}: EDSR B{blocks} F{features} x{inferred}, {len(layout)} tensors, {total} parameters"
          + (f"; dropped {', '.join(dropped)}" if dropped else ""))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("state_dict", help="EDSR-PyTorch .pt file")
    p.add_argument("checkpoint", help="srdist .h5 file to write")
    p.add_argument("--scale", type=int, help="expected scale (checked against the upsampler)")
    p.add_argument("--res-scale", type=float, help="residual scaling to record in the config "
                                                   "(default 0.1 for F256, else 1)")
    p.add_argument("--name", help="run name recorded in the config")
    a = p.parse_args()
    convert(a.state_dict, a.checkpoint, a.scale, a.res_scale, a.name)


if __name__ == "__main__":
    sys.exit(main())
