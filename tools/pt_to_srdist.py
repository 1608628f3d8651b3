#!/usr/bin/env python3
"""Converts an EDSR-PyTorch state_dict (EDSR or MDSR; .pt, e.g.
edsr_baseline_x2-1bc95232.pt, or .npz) into an srdist checkpoint (weights only, stage
"imported", step 0).

    python3 tools/pt_to_srdist.py edsr_baseline_x2-1bc95232.pt x2.h5 --res-scale 1
    python3 tools/pt_to_srdist.py edsr_x2-0edfb8a3.pt edsr_x2.h5 --res-scale 0.1
    python3 tools/pt_to_srdist.py mdsr_baseline-a00cab12.pt mdsr.h5

Names carry over unchanged; the MeanShift buffers (sub_mean.*, add_mean.*) are dropped
because srdist applies the DIV2K mean in code. The architecture (EDSR or MDSR), scale(s),
block count and width are read from the tensors' shapes; every expected tensor must be
present with its shape, and anything missing, extra or misshapen is listed before the
script refuses. The residual scaling is not in a state_dict: for EDSR, --res-scale is
required (EDSR-PyTorch trains the paper's EDSR with 0.1 and the baseline with 1); MDSR's
blocks have none in EDSR-PyTorch (1), which --res-scale may override. A .npz input
needs only numpy and h5py; a .pt input needs torch.
"""
import argparse
import datetime
import json
import os
import sys

import h5py
import numpy as np

import model_layout
import state_dict_files


def convert(src, dst, res_scale=None, scale=None, name=None):
    state = state_dict_files.read(src)
    dropped = [k for k in state if k.startswith(model_layout.MEANSHIFT_PREFIXES)]
    tensors = {k: v for k, v in state.items() if not k.startswith(model_layout.MEANSHIFT_PREFIXES)}
    shapes = {k: v.shape for k, v in tensors.items()}
    shape = model_layout.infer(shapes, src)
    if len(set(shape.scales)) != len(shape.scales):
        raise SystemExit(f"error: {src}: the upsamplers serve {shape.scales}, a scale twice")
    if scale is not None and scale not in shape.scales:
        raise SystemExit(f"error: {src}: the upsampler{'s are' if len(shape.scales) > 1 else ' is'} for "
                         + "/".join(f"x{s}" for s in shape.scales) + f", --scale says x{scale}")
    expected = model_layout.layout(shape)
    if model_layout.compare(shapes, expected, src):
        raise SystemExit(f"error: {src}: does not match {shape} (see above)")
    if res_scale is None:
        if shape.arch == "edsr":
            raise SystemExit(f"error: {src}: --res-scale is required: an EDSR state_dict does not record its residual "
                             "scaling (EDSR-PyTorch: 0.1 for the paper's EDSR, 1 for EDSR-baseline; a wrong value "
                             "gives a silently wrong model)")
        res_scale = 1.0  # mdsr.py builds its ResBlocks without res_scale
    if not (0 < res_scale <= 100):
        raise SystemExit(f"error: --res-scale must be in (0, 100], got {res_scale:g}")
    model = {"arch": shape.arch, "blocks": shape.blocks, "features": shape.features, "res_scale": res_scale}
    model.update({"scale": shape.scales[0]} if shape.arch == "edsr" else {"scales": shape.scales})
    config = {"name": name or os.path.splitext(os.path.basename(src))[0], "model": model}
    tmp = f"{dst}.tmp-{os.getpid()}"
    try:
        with h5py.File(tmp, "w", track_order=True) as f:
            f.attrs["format"] = model_layout.FORMAT
            f.attrs["version"] = np.int64(model_layout.VERSION)
            f.attrs["model"] = shape.arch
            f.attrs["scales"] = np.array(shape.scales, dtype=np.int64)
            f.attrs["step"] = np.int64(0)
            f.attrs["stage"] = "imported"
            f.attrs["world_size"] = np.int64(1)
            f.attrs["config"] = json.dumps(config)
            f.attrs["created"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            params = f.create_group("params", track_order=True)
            for pname, _ in expected:
                params.create_dataset(pname, data=tensors[pname], fletcher32=True, chunks=tensors[pname].shape)
            state_group = f.create_group("state", track_order=True)
            state_group.attrs["data_step"] = np.int64(0)
            state_group.attrs["rng_seed"] = np.uint64(0)
            state_group.attrs["skipped_steps"] = np.int64(0)
            state_group.create_dataset("metrics_history", data="[]", dtype=h5py.string_dtype("utf-8"))
        os.replace(tmp, dst)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    total = sum(int(np.prod(s)) for _, s in expected)
    print(f"{dst}: {shape}, res_scale {res_scale:g}, {len(expected)} tensors, {total} parameters"
          + (f"; dropped {', '.join(dropped)}" if dropped else ""))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("state_dict", help="EDSR-PyTorch state_dict: .pt (needs torch) or .npz")
    p.add_argument("checkpoint", help="srdist .h5 file to write")
    p.add_argument("--res-scale", type=float, help="residual scaling of the body's blocks; required for EDSR "
                                                   "(EDSR-PyTorch's --res_scale: 0.1 for the paper's EDSR, 1 for the baseline)")
    p.add_argument("--scale", type=int, help="expected scale (checked against the upsampler)")
    p.add_argument("--name", help="run name recorded in the config")
    a = p.parse_args()
    convert(a.state_dict, a.checkpoint, a.res_scale, a.scale, a.name)


if __name__ == "__main__":
    sys.exit(main())
