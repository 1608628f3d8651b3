#!/usr/bin/env bash
# srdist against PyTorch (CPU) on the same workload, same thread count, one run.
#
#   bench/compare.sh                 # EDSR-baseline ×2 training step (batch 16, patch 48)
#   bench/compare.sh --all           # also ×4, EDSR ×2 batch 2, and inference on 256×256
#   THREADS=1 STEPS=2 WARMUP=1 bench/compare.sh
#
# Environment: TORCH_VENV (default /work/torchenv) is a Python venv with torch; make
# one with
#     python3 -m venv DIR && DIR/bin/pip install 'torch==2.13.0+cpu'
# SRDIST is the srdist binary (default: this package's release build, built if
# missing). THREADS (default 2), STEPS (3) and WARMUP (1) go to both sides.
# The ratio is srdist time / PyTorch time: below 1 means srdist is faster.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TORCH_VENV="${TORCH_VENV:-/work/torchenv}"
THREADS="${THREADS:-2}" STEPS="${STEPS:-3}" WARMUP="${WARMUP:-1}"
PY="$TORCH_VENV/bin/python"
if ! "$PY" -c 'import torch' 2>/dev/null; then
    echo "compare.sh: no torch in $TORCH_VENV; create it with:" >&2
    echo "  python3 -m venv $TORCH_VENV && $TORCH_VENV/bin/pip install 'torch==2.13.0+cpu'" >&2
    exit 1
fi
if [ -z "${SRDIST:-}" ]; then
    swift build -c release --product srdist >/dev/null
    SRDIST="$(swift build -c release --show-bin-path)/srdist"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# EDSR ×2 at batch 2: the paper's config with the batch cut so a step fits in minutes.
"$PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); c["name"]="edsr_x2_batch2"; c["train"]["batch_size"]=2; json.dump(c,open(sys.argv[2],"w"))' \
    configs/edsr_x2.json "$tmp/edsr_x2_batch2.json"

# label | srdist arguments | PyTorch workload
pairs=("EDSR-baseline x2 train b16 p48|--config configs/edsr_baseline_x2.json|edsr_baseline_x2")
if [ "${1:-}" = "--all" ]; then
    pairs+=("EDSR-baseline x4 train b16 p48|--config configs/edsr_baseline_x4.json|edsr_baseline_x4"
            "EDSR x2 train b2 p48|--config $tmp/edsr_x2_batch2.json|edsr_x2_batch2"
            "MDSR-baseline x2 train b16 p48|--config configs/mdsr_baseline.json --set model.scales=[2]|mdsr_baseline_x2"
            "EDSR-baseline x2 infer 256x256|--config configs/edsr_baseline_x2.json --inference 256|edsr_baseline_x2_infer256")
fi

: > "$tmp/rows"
for pair in "${pairs[@]}"; do
    IFS='|' read -r label sargs workload <<< "$pair"
    echo "compare.sh: $label ..." >&2
    # shellcheck disable=SC2086  # sargs is a word list on purpose
    "$SRDIST" bench $sargs --json --threads "$THREADS" --steps "$STEPS" --warmup "$WARMUP" | tail -n 1 > "$tmp/s.json"
    "$PY" bench/pytorch_bench.py --workloads "$workload" --threads "$THREADS" --steps "$STEPS" --warmup "$WARMUP" > "$tmp/t.json"
    printf '%s\t%s\t%s\n' "$label" "$(cat "$tmp/s.json")" "$(cat "$tmp/t.json")" >> "$tmp/rows"
done

"$PY" - "$tmp/rows" "$THREADS" "$STEPS" <<'PYEOF'
import json, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
print(f"threads {sys.argv[2]}, median of {sys.argv[3]} steps; ratio = srdist time / PyTorch time")
print(f"{'workload':34} {'srdist s':>9} {'PyTorch s':>9} {'ratio':>6} {'srdist GFLOPS':>13} {'RSS MB srdist/torch':>19}")
for label, s, t in rows:
    s, t = json.loads(s), json.loads(t)
    rss = f"{s.get('peak_rss_mb', float('nan')):.0f}/{t['peak_rss_mb']:.0f}"
    print(f"{label:34} {s['seconds_per_step']:9.3f} {t['seconds']:9.3f} {s['seconds_per_step'] / t['seconds']:6.2f} "
          f"{s.get('gflops', float('nan')):13.1f} {rss:>19}")
PYEOF
