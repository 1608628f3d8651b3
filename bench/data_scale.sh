#!/usr/bin/env bash
# The data path at DIV2K's scale: first-build time, per-rank private memory, the
# node's total (sum of PSS), loader patches/s and the training step's data wait, at
# 1, 2, 4 and 8 ranks, for EDSR ×2 and MDSR ×2/×3/×4, each next to the same model on
# synthetic data (the memory the model needs without a dataset).
#
#   bench/data_scale.sh                          # 100 DIV2K-sized images (+10 for validation)
#   N=800 RANKS="2" MODELS=edsr bench/data_scale.sh
#   OLD=/path/to/old/srdist bench/data_scale.sh  # also time that binary's first build at 2 ranks × 1 thread
#
# Environment: N (images trained on, default 100; 10 more are validated on), UNIQUE
# (distinct generated images, default 100: images past it are byte copies of the
# first ones under their own names — decoding work and memory are per file, so this
# only saves generation time), RANKS ("1 2 4 8"), MODELS ("edsr mdsr"), STEPS
# (timed training steps, default 10), DATA (where the generated set and the caches
# go, default /tmp/srdist-data-scale; the set is kept and reused), SRDIST (the binary),
# PARTS ("table build": the per-rank table, the first-build comparison), ROUNDS (3),
# KEEP_CACHE=1 (the table reuses the cache instead of building it anew per row).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
N="${N:-100}" UNIQUE="${UNIQUE:-100}" RANKS="${RANKS:-1 2 4 8}" MODELS="${MODELS:-edsr mdsr}" STEPS="${STEPS:-10}"
PARTS="${PARTS:-table build}" ROUNDS="${ROUNDS:-3}"
DATA="${DATA:-/tmp/srdist-data-scale}"
if [ -z "${SRDIST:-}" ]; then
    swift build -c release --product srdist >/dev/null
    SRDIST="$(swift build -c release --show-bin-path)/srdist"
fi
mpi=(mpirun --oversubscribe --bind-to none)
[ "$(id -u)" = 0 ] && mpi+=(--allow-run-as-root)
total=$((N + 10))

# The set: UNIQUE generated images (kept between runs), then copies up to N + 10.
root="$DATA/div2k"
source bench/lib/div2k_set.sh
div2k_set "$SRDIST" "$root" "$total" "$UNIQUE"
echo "set: $N + 10 DIV2K-sized images in $root"
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"

# One config per model and data kind: EDSR-baseline-sized bodies cut to 4 blocks so
# that 8 ranks on 2 cores still step in seconds (a short step is the hard case for
# the data wait).
config() { # model kind → path
    local model=$1 kind=$2 path="$DATA/$1-$2.json" m d
    if [ "$model" = edsr ]; then m='"arch": "edsr", "scale": 2'; else m='"arch": "mdsr", "scales": [2, 3, 4]'; fi
    if [ "$kind" = div2k ]; then
        d="\"kind\": \"div2k\", \"root\": \"$root\", \"data_range\": \"1-$N/$((N + 1))-$total\", \"cache_dir\": \"$DATA/cache\""
    else
        d='"kind": "synthetic", "synthetic_images": 16, "synthetic_size": 192'
    fi
    cat > "$path" <<JSON
{ "name": "data-scale-$model-$kind", "run_dir": "$DATA/runs/$model-$kind",
  "model": { $m, "blocks": 4, "features": 64 },
  "train": { "batch_size": 16, "patch_size": 48, "steps": 1000 },
  "data": { $d } }
JSON
    echo "$path"
}
field() { python3 -c 'import json,sys; d=json.loads(sys.stdin.read().strip().splitlines()[-1]); print(("%.'"$2"'f" % d[sys.argv[1]]) if isinstance(d[sys.argv[1]], float) else d[sys.argv[1]])' "$1"; }

if [[ " $PARTS " == *" table "* ]]; then
printf '\n%-5s %5s | %9s | %12s %12s | %11s %11s | %10s %9s\n' model ranks "build s" "private MB" "(synthetic)" "sum PSS MB" "(synthetic)" "loader p/s" "data wait"
for model in $MODELS; do
    real=$(config "$model" div2k) synth=$(config "$model" synthetic)
    for r in $RANKS; do
        [ "${KEEP_CACHE:-0}" = 1 ] || rm -rf "$DATA/cache"
        start=$(date +%s.%N)
        "${mpi[@]}" -np "$r" "$SRDIST" prepare-data --config "$real" --quiet
        build=$(python3 -c "import time; print('%.1f' % (time.time() - $start))")
        out=$("${mpi[@]}" -np "$r" "$SRDIST" bench-data --config "$real" --json --seconds 2 --train-steps "$STEPS")
        base=$("${mpi[@]}" -np "$r" "$SRDIST" bench-data --config "$synth" --json --seconds 0 --train-steps "$STEPS")
        printf '%-5s %5d | %9s | %12s %12s | %11s %11s | %10s %8s%%\n' "$model" "$r" "$build" \
            "$(field max_private_mb 0 <<<"$out")" "$(field max_private_mb 0 <<<"$base")" \
            "$(field sum_pss_mb 0 <<<"$out")" "$(field sum_pss_mb 0 <<<"$base")" \
            "$(field loader_patches_per_second 0 <<<"$out")" \
            "$(python3 -c 'import sys; print("%.2f" % (100 * float(sys.argv[1])))' "$(field data_wait 6 <<<"$out")")"
    done
done
echo "decoded cache (one copy per node, in the page cache while training): $(du -sm "$DATA/cache" | cut -f1) MB"
fi

# First build of the EDSR ×2 cache: 2 ranks × 1 thread against 1 rank × 2 threads,
# and against another binary (OLD: the code before the shared cache, where every rank
# decodes everything) at 2 ranks × 1 thread; ROUNDS interleaved rounds, medians.
if [[ " $PARTS " == *" build "* ]]; then
    real=$(config edsr div2k)
    timed() { local start; start=$(date +%s.%N); "$@" >/dev/null 2>&1; python3 -c "import time; print('%.1f' % (time.time() - $start))"; }
    two=() one=() old=()
    for ((k = 0; k < ROUNDS; k++)); do
        rm -rf "$DATA/cache"; two+=("$(timed "${mpi[@]}" -np 2 -x OMP_NUM_THREADS=1 "$SRDIST" prepare-data --config "$real" --quiet)")
        rm -rf "$DATA/cache"; one+=("$(timed "${mpi[@]}" -np 1 -x OMP_NUM_THREADS=2 "$SRDIST" prepare-data --config "$real" --quiet)")
        if [ -n "${OLD:-}" ]; then
            rm -rf "$DATA/cache"; old+=("$(timed "${mpi[@]}" -np 2 -x OMP_NUM_THREADS=1 "$OLD" bench-data --config "$real" --seconds 0.01 --train-steps 0)")
        fi
    done
    median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
    m2=$(median "${two[@]}") m1=$(median "${one[@]}")
    echo "first build, EDSR ×2 cache of $total images ($ROUNDS rounds, medians): 2 ranks × 1 thread $m2 s [${two[*]}], 1 rank × 2 threads $m1 s [${one[*]}] (ratio $(python3 -c "print('%.2f' % ($m2 / $m1))"))"
    if [ -n "${OLD:-}" ]; then
        mo=$(median "${old[@]}")
        echo "  $OLD, 2 ranks × 1 thread, every rank decoding everything: $mo s [${old[*]}] (ratio $(python3 -c "print('%.2f' % ($m2 / $mo))"))"
    fi
fi
