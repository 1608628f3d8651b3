#!/usr/bin/env python3
"""Converts an srdist checkpoint (EDSR or MDSR) into an EDSR-PyTorch state_dict that
EDSR-PyTorch's EDSR or MDSR load_state_dict accepts (strict).

    python3 tools/srdist_to_pt.py runs/x2/checkpoints/latest edsr_x2.pt
    python3 tools/srdist_to_pt.py runs/mdsr mdsr.pt            # a run folder: its latest checkpoint
    python3 tools/srdist_to_pt.py runs/x2/checkpoints/best x2.npz --no-ema

The checkpoint argument is resolved as srdist's verbs resolve it: a file, a `latest` or
`best` pointer, a run folder or a checkpoint folder. When the checkpoint holds a moving
average of the weights (/ema, train.ema_decay), those weights are exported unless
--no-ema is given. The MeanShift tensors srdist does not store (sub_mean.*, add_mean.*)
are restored with EDSR-PyTorch's values for rgb_range 255 (the DIV2K mean, std 1), at
the places EDSR-PyTorch's modules register them. The residual scaling recorded in the
checkpoint's config is printed: pass it to EDSR-PyTorch as --res_scale (a state_dict
cannot hold it). A .npz output needs only numpy and h5py; a .pt output needs torch.
"""
import argparse
import collections
import json
import sys

import h5py
import numpy as np

import checkpoint_paths
import model_layout
import state_dict_files


def mean_shift(sign, rgb_range):
    weight = np.eye(3, dtype=np.float32).reshape(3, 3, 1, 1)
    # In float32, as torch computes sign * rgb_range * torch.Tensor(mean): the same bits.
    bias = np.float32(sign * rgb_range) * np.array(model_layout.DIV2K_MEAN, dtype=np.float32)
    return weight, bias


def read_checkpoint(path, use_ema):
    """(ModelShape, {name: array}, res_scale, which weights) of an srdist checkpoint."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise SystemExit(f"error: {path}: not a readable HDF5 file ({e})")
    with f:
        if f.attrs.get("format") != model_layout.FORMAT:
            raise SystemExit(f"error: {path}: not an srdist checkpoint (no format \"{model_layout.FORMAT}\")")
        if int(f.attrs["version"]) > model_layout.VERSION:
            raise SystemExit(f"error: {path}: checkpoint version {int(f.attrs['version'])} is newer than this script ({model_layout.VERSION})")
        model = f.attrs["model"]
        if model not in ("edsr", "mdsr"):
            raise SystemExit(f"error: {path}: model {model} is neither edsr nor mdsr")
        config = json.loads(f.attrs["config"])
        group, which = ("ema", "the moving average (/ema)") if use_ema and "ema" in f else ("params", "the raw weights (/params)")
        tensors = {name: np.asarray(ds, dtype=np.float32) for name, ds in f[group].items()}
    shape = model_layout.infer({k: v.shape for k, v in tensors.items()}, path)
    if shape.arch != model:
        raise SystemExit(f"error: {path}: the header says {model}, the tensors describe {shape}")
    # srdist's config default for model.res_scale is 1 (ModelSpec), so an absent key is 1, not a guess.
    res_scale = float(config.get("model", {}).get("res_scale", 1.0))
    return shape, tensors, res_scale, which


def convert(src, dst, rgb_range=255.0, use_ema=True):
    path = checkpoint_paths.locate(src)
    shape, tensors, res_scale, which = read_checkpoint(path, use_ema)
    expected = model_layout.layout(shape)
    if model_layout.compare({k: v.shape for k, v in tensors.items()}, expected, path):
        raise SystemExit(f"error: {path}: does not match {shape} (see above)")
    positions = model_layout.meanshift_positions(shape)
    state = collections.OrderedDict()
    for name, _ in expected:
        # Both MeanShifts may precede the same tensor (EDSR): sub_mean first, as registered.
        for prefix, sign in (("sub_mean", -1), ("add_mean", 1)):
            if positions[prefix] == name:
                state[prefix + ".weight"], state[prefix + ".bias"] = mean_shift(sign, rgb_range)
        state[name] = tensors[name]
    state_dict_files.write(dst, state)
    print(f"{dst}: {shape}, {len(state)} entries (with sub_mean/add_mean) from {path}, {which}; "
          f"res_scale {res_scale:g} (EDSR-PyTorch: --res_scale {res_scale:g})")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkpoint", help="srdist checkpoint: a .h5 file, a latest/best pointer, a run folder or a checkpoint folder")
    p.add_argument("state_dict", help="file to write: .pt (needs torch) or .npz")
    p.add_argument("--rgb-range", type=float, default=255.0, help="EDSR-PyTorch's --rgb_range (default 255)")
    p.add_argument("--no-ema", action="store_true", help="export the raw weights even when the checkpoint holds a moving average")
    a = p.parse_args()
    convert(a.checkpoint, a.state_dict, a.rgb_range, use_ema=not a.no_ema)


if __name__ == "__main__":
    sys.exit(main())
