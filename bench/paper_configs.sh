#!/usr/bin/env bash
# The paper's recipes at DIV2K's size on this machine: configs/edsr.json and
# configs/mdsr.json pointed at a DIV2K-sized set (only train.steps, save_every and the
# data root overridden), on 2 ranks. Each run builds the cache (untimed here: see
# data_scale.sh), trains until its step-1 checkpoint is written, is stopped with
# SIGUSR1 (checkpoint, exit 85: the full-size validation of EDSR on 10 DIV2K images
# would take hours on 2 cores), and reports the peak of the ranks' summed RSS and PSS
# and each rank's peak RSS, sampled every second.
#
#   ROOT=/tmp/srdist-data-scale/div2k bench/paper_configs.sh          # needs images 0001…0810
#   CONFIGS="configs/mdsr.json" RANKS=2 ROOT=… bench/paper_configs.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="${ROOT:?set ROOT to a DIV2K-style folder with 810 images (bench/data_scale.sh with N=800 makes one)}"
CONFIGS="${CONFIGS:-configs/edsr.json configs/mdsr.json}" RANKS="${RANKS:-2}" CACHE="${CACHE:-$ROOT/../cache-paper}"
if [ -z "${SRDIST:-}" ]; then
    swift build -c release --product srdist >/dev/null
    SRDIST="$(swift build -c release --show-bin-path)/srdist"
fi
exe=$(readlink -f "$SRDIST")
mpi=(mpirun --oversubscribe --bind-to none)
[ "$(id -u)" = 0 ] && mpi+=(--allow-run-as-root)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB"

for config in $CONFIGS; do
    name=$(basename "$config" .json) run="$work/$name"
    sets=(--set "data.root=$ROOT" --set "data.cache_dir=$CACHE" --set train.steps=1000 --set checkpoint.save_every=1)
    "${mpi[@]}" -np "$RANKS" "$SRDIST" prepare-data --config "$config" "${sets[@]}" | tail -1
    start=$(date +%s)
    "${mpi[@]}" -np "$RANKS" "$SRDIST" --config "$config" "${sets[@]}" --set "run_dir=$run" > "$work/$name.log" 2>&1 &
    launcher=$!
    peak_rss=0 peak_pss=0 stopped=""
    while kill -0 "$launcher" 2>/dev/null; do
        pids=$(for pid in $(pgrep -f -- "--config $config"); do [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ] && echo "$pid"; done)
        read -r rss pss < <(for pid in $pids; do awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} END {print r, p}' "/proc/$pid/smaps_rollup" 2>/dev/null; done |
                            awk '{r+=$1; p+=$2} END {print r+0, p+0}')
        (( rss > peak_rss )) && peak_rss=$rss
        (( pss > peak_pss )) && peak_pss=$pss
        hwm=$(for pid in $pids; do awk '/^VmHWM:/ {printf "%d ", $2/1024}' "/proc/$pid/status" 2>/dev/null; done)
        [ -n "$hwm" ] && last_hwm=$hwm
        # Any checkpoint past step 0 (retention may already have removed step 1);
        # -quit, not a pipe into grep -q, which pipefail would turn into a failure.
        if [ -z "$stopped" ] && [ -n "$(find "$run" -name 'step-*.h5' ! -name 'step-000000000.h5' -print -quit 2>/dev/null)" ]; then
            kill -USR1 "$launcher"; stopped=$(date +%s)
        fi
        sleep 1
    done
    wait "$launcher" && status=0 || status=$?
    latest=$(find "$run" -name 'step-*.h5' | sort | tail -1)
    printf '%s on %d ranks: exit %d after %ds (stopped at %ds), last checkpoint %s; peak of summed RSS %d MB, PSS %d MB; per-rank peak RSS (MB): %s\n' \
        "$name" "$RANKS" "$status" $(( $(date +%s) - start )) $(( ${stopped:-$start} - start )) "${latest#$work/}" \
        $((peak_rss / 1024)) $((peak_pss / 1024)) "${last_hwm:-?}"
    grep -E "^srdist:|^data:" "$work/$name.log" | head -3
done
