#!/usr/bin/env bash
# The whole srdist story on a tiny EDSR and generated images, in a few minutes:
# installs what is missing, builds (release), trains ×2 on 2 MPI ranks with the loss
# printed as it falls, inspects the checkpoint it wrote, and scores the model against
# bicubic upsampling on held-out images.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
run=runs/demo_x2
rm -rf "$run" runs/demo-images   # the demo starts fresh each time

echo
echo "== model: $("$SRDIST" summary --config configs/demo_x2.json | tail -n 1)"
echo
echo "== training on 2 ranks (launch/local.sh 2 configs/demo_x2.json)"
THREADS=1 launch/local.sh 2 configs/demo_x2.json

echo
echo "== the checkpoint (srdist inspect $run/checkpoints/latest)"
"$SRDIST" inspect "$run/checkpoints/latest" | head -n 12

echo
echo "== evaluation on 8 held-out generated images against bicubic"
"$SRDIST" demo-data runs/demo-images --count 8 --size 144 >/dev/null
"$SRDIST" eval --checkpoint "$run" --data runs/demo-images --scale 2
