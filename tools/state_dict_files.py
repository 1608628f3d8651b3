"""Reading and writing state_dicts as PyTorch files (.pt/.pth, needs torch) or NumPy
archives (.npz, numpy only): {name: float32 array}, in the file's order."""
import collections

import numpy as np


def _torch(path):
    try:
        import torch
    except ImportError:
        raise SystemExit(f"error: {path}: .pt files need torch (python3 -m pip install torch); "
                         "a .npz state_dict needs only numpy")
    return torch


def _as_float32(name, value, path):
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.floating):
        raise SystemExit(f"error: {path}: {name} is {array.dtype}, not a floating-point tensor")
    return array.astype(np.float32, copy=False)


def read(path):
    """The state_dict in `path` as an ordered {name: float32 array}. Checkpoints that
    wrap it ({"state_dict": …} or {"model": …}) are unwrapped, and nn.DataParallel's
    "module." prefix is dropped."""
    if path.endswith(".npz"):
        try:
            with np.load(path, allow_pickle=False) as z:
                state = collections.OrderedDict((k, z[k]) for k in z.files)
        except (OSError, ValueError) as e:
            raise SystemExit(f"error: {path}: not a readable .npz archive ({e})")
    else:
        torch = _torch(path)
        try:
            obj = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as e:  # torch raises many kinds for a damaged file
            raise SystemExit(f"error: {path}: not a readable PyTorch file ({type(e).__name__}: {e})".splitlines()[0])
        for key in ("state_dict", "model"):
            if isinstance(obj, dict) and isinstance(obj.get(key), dict):
                obj = obj[key]
        if not isinstance(obj, dict):
            raise SystemExit(f"error: {path}: not a state_dict (a dict of tensors)")
        state = collections.OrderedDict((k, v.detach().cpu().numpy() if hasattr(v, "detach") else v) for k, v in obj.items())
    return collections.OrderedDict((k[len("module."):] if k.startswith("module.") else k, _as_float32(k, v, path))
                                   for k, v in state.items())


def write(path, state):
    """Writes the ordered {name: float32 array} `state` to `path` (.npz, else torch.save),
    through a temporary file renamed into place."""
    import os
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        if path.endswith(".npz"):
            with open(tmp, "wb") as f:
                np.savez(f, **state)
        else:
            torch = _torch(path)
            torch.save(collections.OrderedDict((k, torch.from_numpy(np.ascontiguousarray(v))) for k, v in state.items()), tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
