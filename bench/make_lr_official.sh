#!/usr/bin/env bash
# `srdist make-lr` against official MATLAB-made LR files: for each set in BENCHMARK
# (folders with HR/ and LR_bicubic/X{2,3,4}/, as EDSR-PyTorch's benchmark archive), makes
# the LR images from the set's HR images and counts the samples that differ from the
# official files (decoded with Pillow, installed with pip when missing; grey files
# compared as R = G = B, as srdist reads them).
#
#   BENCHMARK=/data/benchmark bench/make_lr_official.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BENCHMARK="${BENCHMARK:?set BENCHMARK to the folder holding the benchmark sets (Set5/, Set14/ …)}"
if [ -z "${SRDIST:-}" ]; then
    swift build -c release --product srdist >/dev/null
    SRDIST="$(swift build -c release --show-bin-path)/srdist"
fi
python3 -c 'import PIL, numpy' 2>/dev/null || python3 -m pip install --quiet pillow numpy
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for set in "$BENCHMARK"/*/; do
    [ -d "$set/HR" ] || continue
    name=$(basename "$set")
    scales=$(ls "$set/LR_bicubic" | sed -n 's/^X\([0-9]\)$/\1/p' | paste -sd,)
    "$SRDIST" make-lr "$set/HR" "$work/$name" --scales "$scales" --quiet
done
python3 - "$BENCHMARK" "$work" <<'PY'
import os, sys
import numpy as np
from PIL import Image
official, made = sys.argv[1:]
def rgb(path):
    return np.asarray(Image.open(path).convert("RGB"))
files = samples = differ = 0
for name in sorted(os.listdir(made)):
    for xs in sorted(os.listdir(f"{made}/{name}/LR_bicubic")):
        for f in sorted(os.listdir(f"{made}/{name}/LR_bicubic/{xs}")):
            a, b = rgb(f"{official}/{name}/LR_bicubic/{xs}/{f}"), rgb(f"{made}/{name}/LR_bicubic/{xs}/{f}")
            files += 1
            if a.shape != b.shape:
                print(f"{name}/{xs}/{f}: official {a.shape[1]}x{a.shape[0]}, made {b.shape[1]}x{b.shape[0]}")
                differ += a.size
                continue
            n = int((a != b).sum())
            samples, differ = samples + a.size, differ + n
            if n:
                print(f"{name}/{xs}/{f}: {n} samples differ, by up to {int(np.abs(a.astype(int) - b).max())}")
print(f"{files} LR files, {samples} samples, {differ} differ")
PY
