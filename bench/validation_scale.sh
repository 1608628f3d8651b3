#!/usr/bin/env bash
# Validation at DIV2K's scale, shared by the ranks and tiled (docs/distributed.md "Validation at
# scale"). Not run by CI: on 2 cores the paper's models take tens of minutes.
#
#   bench/validation_scale.sh                      # every part
#   PARTS=table MODELS=edsr_baseline bench/validation_scale.sh
#   PARTS=e2e CONFIGS=configs/mdsr.json bench/validation_scale.sh
#
# Parts:
#   table  EDSR-baseline ×2 and MDSR-baseline ×2/×3/×4: 2 training steps on DIV2K-sized
#          data, then the final validation of 801–810, at each of RUNS (ranks×threads):
#          validation wall time and rank 0's peak RSS before and after the validation.
#          (Rows train their 2 steps over different rank counts, so their weights, and
#          scores, differ in the last bits; SharedValidationTests checks that the same
#          weights score the same bits at every rank count.)
#   paper  The paper's EDSR (B32 F256) ×2: one validation window timed (`srdist bench
#          --inference`, the window of a 256 tile with the receptive field around it),
#          the estimate for 801–810 on 16 ranks, and rank 0's measured peak during a
#          validation of 801–802 (1 rank).
#   e2e    Each of CONFIGS (the paper's recipe, staged EDSR ×2 → ×3 ‖ ×4 and MDSR) at 16
#          ranks × 1 thread with STEPS steps per stage, validation on 801–802 every
#          EVERY steps; SIGUSR1 to mpirun once the first checkpoint is written, then
#          `--resume auto` to the end. Prints the per-rank peak RSS and their sum, the
#          node's peak memory in use (MemTotal − MemAvailable, sampled every 2 s), step
#          and validation times, and the checkpoint list.
#
# Environment: PARTS ("table paper e2e"), MODELS ("edsr_baseline_x2 mdsr_baseline"),
# RUNS ("1x1 2x1 4x1 1x2"), CONFIGS ("configs/edsr.json configs/mdsr.json"), STEPS (4),
# EVERY (2), NP (16), UNIQUE (30 generated images, the others copies), DATA
# (/tmp/srdist-validation-scale; the set is kept and reused), SRDIST (the binary),
# SET (extra --set overrides for every run, e.g. "train.validation_tile=128").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PARTS="${PARTS:-table paper e2e}" MODELS="${MODELS:-edsr_baseline_x2 mdsr_baseline}" RUNS="${RUNS:-1x1 2x1 4x1 1x2}"
CONFIGS="${CONFIGS:-configs/edsr.json configs/mdsr.json}" STEPS="${STEPS:-4}" EVERY="${EVERY:-2}" NP="${NP:-16}"
DATA="${DATA:-/tmp/srdist-validation-scale}" UNIQUE="${UNIQUE:-30}"
if [ -z "${SRDIST:-}" ]; then
    swift build -c release --product srdist >/dev/null
    SRDIST="$(swift build -c release --show-bin-path)/srdist"
fi
mpi=(mpirun --oversubscribe --bind-to none)
[ "$(id -u)" = 0 ] && mpi+=(--allow-run-as-root)
extra=()
for s in ${SET:-}; do extra+=(--set "$s"); done

root="$DATA/div2k"
source bench/lib/div2k_set.sh
div2k_set "$SRDIST" "$root" 810 "$UNIQUE"
flags="$(grep -m1 '^flags' /proc/cpuinfo)"
has() { [[ " $flags " == *" $1 "* ]] && echo "$1"; }
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p') (family $(lscpu | sed -n 's/^CPU family: *//p'), model $(lscpu | sed -n 's/^Model: *//p')), $(nproc) cores," \
     "$(free -g | awk '/^Mem:/ {print $2}') GiB; flags: $(has avx2) $(has avx512f) $(has avx512_bf16) $(has amx_tile)"

# A copy of the repository config `$1` training on the DIV2K set, in `$2`, with data range `$3`.
div2k_config() {
    python3 - "$1" "$2" "$root" "$DATA/cache" "$3" <<'PY'
import json, sys
src, dst, root, cache, data_range = sys.argv[1:]
c = json.load(open(src))
c["data"] = {"kind": "div2k", "root": root, "data_range": data_range, "cache_dir": cache}
json.dump(c, open(dst, "w"), indent=1)
PY
}

# The last record of `event` in a run's metrics.jsonl, field `$3` (a Python expression over `r`).
metric() { # run_dir event expression
    python3 - "$1/metrics.jsonl" "$2" "$3" <<'PY'
import json, sys
path, event, expr = sys.argv[1:]
records = [json.loads(l) for l in open(path) if json.loads(l).get("event") == event]
print(eval(expr, {"r": records[-1]}) if records else "-")
PY
}

# Writes the largest MemTotal − MemAvailable (MB) seen so far to `$1`, every 2 s until killed.
node_peak() {
    local peak=0 used
    while true; do
        used=$(awk '/^MemTotal/ {t = $2} /^MemAvailable/ {a = $2} END {print int((t - a) / 1024)}' /proc/meminfo)
        if [ "$used" -gt "$peak" ]; then peak=$used; echo "$peak" > "$1"; fi
        sleep 2
    done
}

if [[ " $PARTS " == *" table "* ]]; then
    for model in $MODELS; do
        config="$DATA/$model.json"
        # Training images only feed the two steps' patches: the first 100 keep the cache small.
        div2k_config "configs/$model.json" "$config" 1-100/801-810
        echo
        echo "$model: 2 training steps, then the final validation of 801–810 (validation_tile 256, overlap = receptive field)"
        echo "| ranks × threads | validation wall | images | rank 0 peak RSS before → after validation | 1-min load after |"
        echo "|---|---|---|---|---|"
        for run in $RUNS; do
            np=${run%x*} threads=${run#*x} dir="$DATA/runs/$model-$run"
            rm -rf "$dir"
            "${mpi[@]}" -np "$np" -x OMP_NUM_THREADS="$threads" "$SRDIST" --config "$config" --quiet --set "run_dir=$dir" \
                --set train.steps=2 --set train.eval_every=0 --set "train.threads_per_rank=$threads" "${extra[@]}" >/dev/null
            echo "| $np × $threads | $(metric "$dir" validation "'%.1f s' % r['seconds']") | $(metric "$dir" validation "len(r['images'])") |" \
                 "$(metric "$dir" validation "'%.0f → %.0f MB' % (r['peak_rss_before_mb'], r['peak_rss_mb'])") | $(cut -d' ' -f1 /proc/loadavg) |"
        done
    done
fi

if [[ " $PARTS " == *" paper "* ]]; then
    echo
    echo "paper's EDSR (B32 F256) ×2, validation_tile 256:"
    radius=68  # head 1 + 32 blocks × 2 + body 1 + upsampler 1 + tail ½ (NetworkPath.receptiveRadius)
    window=$((256 + 2 * radius))
    "$SRDIST" bench --config configs/edsr_x2.json --inference "$window" --steps 1 --warmup 1 --json "${extra[@]}" > "$DATA/paper-window.json"
    python3 - "$DATA/paper-window.json" "$root" "$window" "$NP" <<'PY'
import json, math, struct, sys
bench, root, window, ranks = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
seconds = bench.get("seconds_per_step") or bench.get("seconds") or bench.get("median_seconds")
def size(path):  # PNG IHDR: width, height
    with open(path, "rb") as f: head = f.read(24)
    return struct.unpack(">II", head[16:24])
windows = 0
for i in range(801, 811):
    w, h = size(f"{root}/DIV2K_train_HR/{i:04d}.png")
    windows += math.ceil(h // 2 / 256) * math.ceil(w // 2 / 256)
rounds = math.ceil(windows / ranks)
print(f"  one {window}×{window} window: {seconds:.1f} s on this machine ({bench.get('threads', '?')} threads); "
      f"801–810 at ×2 is {windows} windows: on {ranks} ranks {rounds} rounds ≈ {rounds * seconds / 60:.1f} min "
      f"if each rank had this machine's cores (×{ranks}/cores slower when {ranks} ranks share them)")
PY
    config="$DATA/edsr_x2.json"
    div2k_config configs/edsr_x2.json "$config" 1-100/801-802
    dir="$DATA/runs/edsr_x2-paper"
    rm -rf "$dir"
    "$SRDIST" --config "$config" --quiet --set "run_dir=$dir" --set train.steps=1 --set train.batch_size=1 \
        "${extra[@]}" >/dev/null
    echo "  rank 0 validating 801–802 (1 rank): $(metric "$dir" validation "'%.0f s, peak RSS %.0f MB before → %.0f MB after' % (r['seconds'], r['peak_rss_before_mb'], r['peak_rss_mb'])")"
fi

if [[ " $PARTS " == *" e2e "* ]]; then
    for cfg in $CONFIGS; do
        name=$(basename "$cfg" .json) config="$DATA/e2e-$name.json" dir="$DATA/runs/e2e-$name" log="$DATA/e2e-$name.log"
        div2k_config "$cfg" "$config" 1-800/801-802
        rm -rf "$dir"
        args=(--config "$config" --set "run_dir=$dir" --set "train.steps=$STEPS" --set "train.eval_every=$EVERY"
              --set "checkpoint.save_every=$EVERY" --set train.log_every=1 "${extra[@]}")
        echo
        echo "== $cfg at $NP ranks × 1 thread: $STEPS steps per stage, validation of 801–802 every $EVERY"
        start=$(date +%s)
        node_peak "$DATA/node-peak-$name" &
        sampler=$!
        "${mpi[@]}" -np "$NP" -x OMP_NUM_THREADS=1 "$SRDIST" "${args[@]}" > "$log" 2>&1 &
        pid=$!
        until grep -q '^checkpoint ' "$log" || ! kill -0 "$pid" 2>/dev/null; do sleep 2; done
        kill -USR1 "$pid" 2>/dev/null || true
        set +e; wait "$pid"; code=$?; set -e
        echo "first run: exit $code after $(( $(date +%s) - start )) s (85: stopped by SIGUSR1, requeue me)"
        grep -E 'stop signal|validation step|^checkpoint' "$log" | sed 's/^/  /'
        "${mpi[@]}" -np "$NP" -x OMP_NUM_THREADS=1 "$SRDIST" "${args[@]}" --resume auto >> "$log" 2>&1
        echo "resumed run: exit 0 after $(( $(date +%s) - start )) s in all"
        kill "$sampler"
        grep -E 'resumed|stage |validation step|done:|memory:' "$log" | sed 's/^/  /'
        echo "node: peak memory in use $(cat "$DATA/node-peak-$name") MB of $(awk '/^MemTotal/ {print int($2 / 1024)}' /proc/meminfo) MB (MemTotal − MemAvailable, every 2 s)"
        echo "peak RSS per rank (MB), the last run of each stage:"
        for m in $(find "$dir" -name metrics.jsonl | sort); do
            echo "  $(basename "$(dirname "$m")"): $(metric "$(dirname "$m")" memory "' '.join('%.0f' % p for p in r['peak_rss_mb'])")"
        done
        echo "checkpoints:"
        find "$dir" -name '*.h5' | sort | sed 's/^/  /'
    done
fi
