"""Where a checkpoint argument points, resolved exactly as srdist's verbs resolve it
(Sources/Checkpoint/CheckpointStore.swift, `locate`):

    runs/x2/checkpoints/step-000010000.h5   that file
    runs/x2/checkpoints/latest              the checkpoint `latest` names, or the highest step when the
                                            pointer is missing or names no file of its folder
    runs/x2/checkpoints/best                the checkpoint `best` names (an error when there is none)
    runs/x2                                 a run folder: the latest checkpoint of runs/x2/checkpoints
    runs/x2/checkpoints                     a checkpoint folder: its latest checkpoint

A pointer is only followed to a `step-….h5` file of its own folder.
"""
import os
import re

_STEP = re.compile(r"step-([+-]?[0-9]+)\.h5", re.ASCII)


def _pointer_fields(path):
    """A pointer file's whitespace-separated fields when the first names a checkpoint
    of its own folder, else None."""
    try:
        with open(path, "rb") as f:
            fields = f.read(4096).decode("utf-8", errors="replace").split()
    except OSError:
        return None
    if not fields or not fields[0].startswith("step-") or not fields[0].endswith(".h5") or "/" in fields[0]:
        return None
    return fields


def checkpoints(folder):
    """[(step, path)] of the folder's step-*.h5 files, by increasing step."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = [(int(m.group(1)), os.path.join(folder, n)) for n in names if (m := _STEP.fullmatch(n))]
    return sorted(found)


def latest(folder):
    fields = _pointer_fields(os.path.join(folder, "latest"))
    if fields and os.path.exists(os.path.join(folder, fields[0])):
        return os.path.join(folder, fields[0])
    found = checkpoints(folder)
    return found[-1][1] if found else None


def best(folder):
    fields = _pointer_fields(os.path.join(folder, "best"))
    if not fields or len(fields) != 2:
        return None
    try:
        float(fields[1])
    except ValueError:
        return None
    path = os.path.join(folder, fields[0])
    return path if os.path.exists(path) else None


def locate(argument):
    """The checkpoint file `argument` means; exits with one line when a pointer or folder names none."""
    name = os.path.basename(argument)
    if name in ("latest", "best"):
        folder = os.path.dirname(argument) or "."
        found = latest(folder) if name == "latest" else best(folder)
        if found is None:
            raise SystemExit(f"error: {argument}: the pointer names no existing checkpoint")
        return found
    inner = os.path.join(argument, "checkpoints")
    folder = inner if os.path.isdir(inner) else argument if os.path.isdir(argument) else None
    if folder is None:
        return argument
    found = latest(folder)
    if found is None:
        raise SystemExit(f"error: {folder}: a folder without checkpoints (no step-*.h5 files)")
    return found
