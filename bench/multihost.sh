#!/usr/bin/env bash
# How much of a training step the gradient allreduce leaves exposed when the ranks sit
# on different hosts: EDSR-baseline ×2 (1.37 M parameters, a 5.5 MB gradient) on 2
# namespace "hosts" × 1 rank (launch/netns/multihost.sh), over an unlimited veth link
# and over links capped with tc tbf. Root only (network namespaces).
#
#   bench/multihost.sh                          # batch 4, patch 48, 12 steps; unlimited and 1gbit
#   RATES="none 1gbit 100mbit" BATCH=16 STEPS=8 THREADS=1 bench/multihost.sh
#
# Step times come from the progress records in each run's metrics.jsonl (the first
# log window, the warm-up, is dropped): s/step = batch / patches_per_second, and
# "comm exposed" is the share of wall time spent waiting for the gradient allreduce
# after backward finished (the `comm X%` of the progress line).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RATES=${RATES:-none 1gbit} BATCH=${BATCH:-4} STEPS=${STEPS:-12} THREADS=${THREADS:-1}
if [ -z "${SRDIST:-}" ]; then
    swift build -c release --product srdist >/dev/null
    SRDIST="$(swift build -c release --show-bin-path)/srdist"
fi
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMP_NUM_THREADS=$THREADS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log_every=$(( STEPS / 3 > 0 ? STEPS / 3 : 1 ))

printf "EDSR-baseline x2, batch %d, patch 48, 2 hosts x 1 rank x %d threads, %d steps\n" "$BATCH" "$THREADS" "$STEPS"
printf "%-8s %9s %13s %12s %16s\n" link "s/step" "comm exposed" "comm s/step" "wire time/step"
for rate in $RATES; do
    limit=(); [ "$rate" = none ] || limit=(--rate "$rate")
    launch/netns/multihost.sh --hosts 2 "${limit[@]}" -- "$SRDIST" --config configs/edsr_baseline_x2.json --quiet \
        --set "run_dir=$tmp/$rate" --set "train.steps=$STEPS" --set "train.batch_size=$BATCH" \
        --set "train.log_every=$log_every" --set data.synthetic_images=4 --set data.synthetic_size=112 \
        >"$tmp/$rate.out" 2>&1 || { cat "$tmp/$rate.out" >&2; exit 1; }
    python3 - "$tmp/$rate" "$rate" "$BATCH" <<'PY'
import json, re, sys
run, rate, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [r for r in map(json.loads, open(f"{run}/metrics.jsonl")) if r.get("event") == "progress"][1:]
params = int(re.search(r"(\d+) parameters", open(f"{run}/train.log").read())[1])
step = sum(batch / r["patches_per_second"] for r in rows) / len(rows)
comm = sum(r["comm_exposed"] for r in rows) / len(rows)
# Ring allreduce over 2 ranks: each rank sends 2(N-1)/N = 1 gradient per step.
wire = "-"
m = re.fullmatch(r"(\d+)([kmg])bit", rate)
if m:
    bps = int(m[1]) * {"k": 1e3, "m": 1e6, "g": 1e9}[m[2]]
    wire = f"{params * 4 * 8 / bps * 1000:.0f} ms"
print(f"{rate:<8} {step:9.3f} {100 * comm:12.1f}% {comm * step:12.3f} {wire:>16}")
PY
done
