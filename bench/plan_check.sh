#!/usr/bin/env bash
# `srdist plan`'s predicted seconds per step against measured runs on this machine: one
# node, 1 rank × 1 thread, 1 rank × 2 threads, 2 ranks × 1 thread (EDSR B8 F32, batch 16,
# patch 32). Each measured run trains STEPS steps; its median step time is taken over
# the steps after the first 5. Prints one row per layout with the ratio. About 3 minutes.
#
#   bench/plan_check.sh
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRDIST=${SRDIST:-$root/.build/release/srdist}
[ -x "$SRDIST" ] || { echo "bench/plan_check.sh: $SRDIST not found; build first (swift build -c release --product srdist)" >&2; exit 2; }
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
STEPS=${STEPS:-30}
work=$(mktemp -d /tmp/srdist-plan.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat > "$work/config.json" <<JSON
{ "name": "plan_check", "model": { "arch": "edsr", "scale": 2, "blocks": 8, "features": 32 },
  "train": { "batch_size": 16, "patch_size": 32, "steps": $STEPS, "lr": 1e-4, "log_every": 1 },
  "checkpoint": { "save_every": 100000 },
  "data": { "kind": "synthetic", "synthetic_images": 8, "synthetic_size": 96 } }
JSON

echo "srdist bench/plan_check.sh: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores); load: $(uptime | sed 's/.*load average: //')"
printf '%-16s %10s %10s %8s\n' layout predicted measured ratio
for layout in "1 1" "1 2" "2 1"; do
    read -r ranks threads <<< "$layout"
    predicted=$("$SRDIST" plan --config "$work/config.json" --nodes 1 --ranks-per-node "$ranks" --threads "$threads" --steps 3 --json \
        | python3 -c 'import json, sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["rows"][0]["seconds_per_step"])')
    OMP_NUM_THREADS=$threads mpirun -np "$ranks" --bind-to none -x OMP_NUM_THREADS "$SRDIST" train --config "$work/config.json" \
        --set "run_dir=$work/run-$ranks-$threads" --set "train.threads_per_rank=$threads" > "$work/run-$ranks-$threads.log" 2>&1 \
        || { echo "run $layout failed:"; tail -5 "$work/run-$ranks-$threads.log"; continue; }
    measured=$(python3 - "$work/run-$ranks-$threads/metrics.jsonl" <<'PY'
import json, statistics, sys
p = [json.loads(l) for l in open(sys.argv[1])]
print(statistics.median(16 / r["patches_per_second"] for r in p if r.get("event") == "progress" and r["step"] > 5))
PY
)
    printf '%-16s %10.4f %10.4f %8.3f\n' "${ranks} × ${threads} thread" "$predicted" "$measured" "$(echo "$predicted / $measured" | bc -l)"
done
