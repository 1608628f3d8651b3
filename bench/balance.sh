#!/usr/bin/env bash
# Balanced batch shares on this machine: 2 ranks, 1 thread each, bound to cores 0 and 1,
# rank 1 slowed to about half speed. Equal and measured shares run interleaved (equal,
# measured, equal, …):
#   half     rank 1 slowed for the whole run: median step time, rank 0's wait share
#   even     no slowdown: what measuring costs when the ranks are equally fast
#   stretch  measured only, rank 1 slowed from step START to step STOP: how many steps
#            the shares take to follow each change of speed
# SLOW=busy (default): a busy loop pinned to core 1 takes half of rank 1's core; it needs
# an otherwise idle machine (other load migrates to core 0 and evens the two ranks out).
# SLOW=delay: rank 1 sleeps DELAY_MS per sample inside its compute time (the test switch
# SRDIST_TEST_INJECT_DELAY; about its own compute per sample, so half speed), which other
# load does not even out. Prints one line per run and the medians. About 5 minutes with ROUNDS=3.
#
#   bench/balance.sh
#   ROUNDS=5 ONLY="half even" SLOW=delay bench/balance.sh
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRDIST=${SRDIST:-$root/.build/release/srdist}
[ -x "$SRDIST" ] || { echo "bench/balance.sh: $SRDIST not found; build first (swift build -c release --product srdist)" >&2; exit 2; }
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
[ "$(nproc)" -ge 2 ] || { echo "bench/balance.sh: needs 2 cores" >&2; exit 2; }
ROUNDS=${ROUNDS:-3} STEPS=${STEPS:-60} WINDOW=${WINDOW:-10} START=${START:-30} STOP=${STOP:-60}
ONLY=${ONLY:-half even stretch} SLOW=${SLOW:-busy} DELAY_MS=${DELAY_MS:-14}
work=$(mktemp -d /tmp/srdist-balance.XXXXXX)
busy=
cleanup() { [ -n "$busy" ] && kill "$busy" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# A model whose step takes a few tenths of a second on one Zen 4 core.
cat > "$work/config.json" <<JSON
{ "name": "balance", "model": { "arch": "edsr", "scale": 2, "blocks": 8, "features": 32 },
  "train": { "batch_size": 16, "patch_size": 32, "steps": $STEPS, "lr": 1e-4, "log_every": 1, "threads_per_rank": 1 },
  "checkpoint": { "save_every": 100000 },
  "distributed": { "balance_window": $WINDOW },
  "data": { "kind": "synthetic", "synthetic_images": 8, "synthetic_size": 96 } }
JSON

start_busy() { taskset -c 1 bash -c 'while :; do :; done' & busy=$!; }
# slowdown STEPS: the environment that slows rank 1 at those steps with SLOW=delay.
slowdown() { [ "$SLOW" = delay ] && echo "SRDIST_TEST_INJECT_DELAY=1:$DELAY_MS@$1"; }
stop_busy() { [ -n "$busy" ] && kill "$busy" 2>/dev/null; wait "$busy" 2>/dev/null; busy=; }

# run NAME MODE STEPS [VAR=VALUE]: one training run in $work/NAME (log in $work/NAME.log).
run() {
    local extra=() x=()
    [ -n "${4:-}" ] && extra=("${4%%=*}=${4#*=}") && x=(-x "${4%%=*}")
    env OMP_NUM_THREADS=1 "${extra[@]}" mpirun -np 2 --bind-to core --map-by core -x OMP_NUM_THREADS "${x[@]}" "$SRDIST" train \
        --config "$work/config.json" --set "run_dir=$work/$1" --set "distributed.balance=$2" --set "train.steps=$3" > "$work/$1.log" 2>&1
}

# summary NAME SKIP: median step time (s), rank 0's median wait share and the last shares,
# over the progress records after step SKIP.
summary() {
    python3 - "$work/$1/metrics.jsonl" "$2" <<'PY'
import json, statistics, sys
records = [json.loads(l) for l in open(sys.argv[1])]
progress = [r for r in records if r.get("event") == "progress" and r["step"] > int(sys.argv[2])]
batch = 16
steps = [batch / r["patches_per_second"] for r in progress]
wait = [r["comm_exposed"] for r in progress]
compute = [r.get("compute_seconds_per_step", []) for r in progress]
c0 = statistics.median(c[0] for c in compute if c); c1 = statistics.median(c[1] for c in compute if len(c) > 1)
print(f"{statistics.median(steps):.4f} {statistics.median(wait):.3f} {'/'.join(map(str, progress[-1]['shares']))} {c0:.4f} {c1:.4f}")
PY
}

median() { python3 -c 'import statistics, sys; print(f"{statistics.median(map(float, sys.argv[1:])):.4f}")' "$@"; }

echo "srdist bench/balance.sh: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
echo "2 ranks × 1 thread, EDSR B8 F32, batch 16, patch 32, window $WINDOW, slowdown: $SLOW; medians of steps after step $((2 * WINDOW))"
for experiment in $ONLY; do
    case $experiment in
    half|even)
        declare -A times=()
        for round in $(seq "$ROUNDS"); do
            for mode in equal measured; do
                slow=
                if [ "$experiment" = half ]; then
                    if [ "$SLOW" = busy ]; then start_busy; else slow=$(slowdown 0-999999); fi
                fi
                run "$experiment-$mode-$round" "$mode" "$STEPS" "$slow"
                stop_busy
                read -r step wait shares c0 c1 < <(summary "$experiment-$mode-$round" $((2 * WINDOW)))
                times[$mode]+="$step "
                printf '%-8s round %d %-8s  %.4f s/step  rank 0 waits %4.1f%%  shares %-6s  compute/step rank 0 %.3f s, rank 1 %.3f s\n' \
                    "$experiment" "$round" "$mode" "$step" "$(echo "$wait * 100" | bc -l)" "$shares" "$c0" "$c1"
            done
        done
        eq=$(median ${times[equal]}) me=$(median ${times[measured]})
        printf '%-8s median  equal %.4f s/step  measured %.4f s/step  measured/equal %.3f\n' "$experiment" "$eq" "$me" "$(echo "$me / $eq" | bc -l)"
        unset times
        ;;
    stretch)
        total=$((STOP + START))
        if [ "$SLOW" = busy ]; then
            run stretch measured "$total" & job=$!
            until grep -q "^step $START/" "$work/stretch.log" 2>/dev/null; do sleep 0.05; kill -0 $job 2>/dev/null || break; done
            start_busy
            until grep -q "^step $STOP/" "$work/stretch.log" 2>/dev/null; do sleep 0.05; kill -0 $job 2>/dev/null || break; done
            stop_busy
            wait $job
        else
            # Step numbers of the switch are 0-based: the step after line "step START/" is START.
            run stretch measured "$total" "$(slowdown "$START-$((STOP - 1))")"
        fi
        echo "stretch  rank 1 slowed ($SLOW) from step $START to step $STOP of $total; share changes:"
        grep '^shares from step' "$work/stretch.log" | sed 's/^/stretch    /'
        ;;
    esac
done
