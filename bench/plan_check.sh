#!/usr/bin/env bash
# `srdist plan`'s predicted seconds per step against measured runs on this machine: one
# node, 1 rank × 1 thread, 1 rank × 2 threads, 2 ranks × 1 thread; then (as root) 2
# network-namespace hosts × 1 rank × 1 thread over links capped at each of RATES with
# tc (launch/netns/multihost.sh). EDSR B8 F32, batch 16, patch 32. Each measured run
# trains STEPS steps; its median step time is taken over the steps after the first 5.
# Prints one row per layout with the ratio. About 4 minutes.
#
#   bench/plan_check.sh
#   RATES="1gbit 100mbit 10mbit" bench/plan_check.sh
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRDIST=${SRDIST:-$root/.build/release/srdist}
[ -x "$SRDIST" ] || { echo "bench/plan_check.sh: $SRDIST not found; build first (swift build -c release --product srdist)" >&2; exit 2; }
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
STEPS=${STEPS:-30} RATES=${RATES:-1gbit 100mbit}
work=$(mktemp -d /tmp/srdist-plan.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat > "$work/config.json" <<JSON
{ "name": "plan_check", "model": { "arch": "edsr", "scale": 2, "blocks": 8, "features": 32 },
  "train": { "batch_size": 16, "patch_size": 32, "steps": $STEPS, "lr": 1e-4, "log_every": 1 },
  "checkpoint": { "save_every": 100000 },
  "data": { "kind": "synthetic", "synthetic_images": 8, "synthetic_size": 96 } }
JSON

echo "srdist bench/plan_check.sh: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores); load: $(uptime | sed 's/.*load average: //')"
# median_step RUN: the median step time of a run folder's progress records after step 5.
median_step() {
    python3 - "$1/metrics.jsonl" <<'PY'
import json, statistics, sys
p = [json.loads(l) for l in open(sys.argv[1])]
print(statistics.median(16 / r["patches_per_second"] for r in p if r.get("event") == "progress" and r["step"] > 5))
PY
}
# predict NODES RANKS THREADS LINK: plan's seconds per step.
predict() {
    "$SRDIST" plan --config "$work/config.json" --nodes "$1" --ranks-per-node "$2" --threads "$3" --link "$4" --steps 3 --json \
        | python3 -c 'import json, sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["rows"][0]["seconds_per_step"])'
}
row() { printf '%-28s %10.4f %10.4f %8.3f\n' "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)"; }

printf '%-28s %10s %10s %8s\n' layout predicted measured ratio
for layout in "1 1" "1 2" "2 1"; do
    read -r ranks threads <<< "$layout"
    predicted=$(predict 1 "$ranks" "$threads" 10gbit)
    OMP_NUM_THREADS=$threads mpirun -np "$ranks" --bind-to none -x OMP_NUM_THREADS "$SRDIST" train --config "$work/config.json" \
        --set "run_dir=$work/run-$ranks-$threads" --set "train.threads_per_rank=$threads" > "$work/run-$ranks-$threads.log" 2>&1 \
        || { echo "run $layout failed:"; tail -5 "$work/run-$ranks-$threads.log"; continue; }
    row "1 node, $ranks × $threads thread" "$predicted" "$(median_step "$work/run-$ranks-$threads")"
done
[ "$(id -u)" = 0 ] || { echo "(network-namespace hosts need root: skipped)"; exit 0; }
for rate in $RATES; do
    predicted=$(predict 2 1 1 "$rate")
    OMP_NUM_THREADS=1 "$root/launch/netns/multihost.sh" --hosts 2 --rate "$rate" -- "$SRDIST" train --config "$work/config.json" \
        --set "run_dir=$work/hosts-$rate" --set "train.threads_per_rank=1" > "$work/hosts-$rate.log" 2>&1 \
        || { echo "2 hosts at $rate failed:"; tail -5 "$work/hosts-$rate.log"; continue; }
    row "2 hosts × 1 × 1, $rate" "$predicted" "$(median_step "$work/hosts-$rate")"
done
