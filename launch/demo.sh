#!/usr/bin/env bash
# The whole srdist story on a tiny EDSR and generated images, in a few minutes:
# installs what is missing, builds (release), trains ×2 with the loss printed as it
# falls, and scores the result against bicubic upsampling on held-out images.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

echo
echo "== model =="
"$SRDIST" summary --config configs/demo_x2.json | tail -n 1
echo
echo "== training (configs/demo_x2.json) =="
"$SRDIST" --config configs/demo_x2.json
