#!/usr/bin/env bash
# srdist against PyTorch (CPU) on the same workloads and thread counts, in interleaved
# rounds so that a shared machine's drift hits both sides alike.
#
#   bench/compare.sh                 # EDSR-baseline ×2 training step (batch 16, patch 48)
#   bench/compare.sh --all           # bench/RESULTS.md's table: also ×4, MDSR, EDSR ×2 batch 2,
#                                    # inference on 256×256 and ×2 training on 1 thread
#   ROUNDS=5 STEPS=2 bench/compare.sh --all
#   BEFORE=1 bench/compare.sh --all  # plus srdist with SRDIST_BLAS_CHECK=0 (OpenBLAS's own kernel)
#   FORCED=SkylakeX bench/compare.sh --all  # plus srdist with OPENBLAS_CORETYPE=SkylakeX set by hand
#
# Each round runs every workload once on each side (srdist, PyTorch fp32, and PyTorch
# under bfloat16 autocast when the CPU has AVX512_BF16 or AMX), alternating which side
# goes first; a side's figure is the median of its per-round medians of STEPS steps.
# Run it with nothing set in the environment to measure srdist as a user gets it
# (its start-up check picks the BLAS kernel); the header says what was set.
#
# Environment: TORCH_VENV is a Python venv with torch (default: .build/torch-venv, else
# the python3 on PATH if it has torch); make one with
#     python3 -m venv DIR && DIR/bin/pip install 'torch==2.13.0+cpu'
# SRDIST is the srdist binary (default: this package's release build, built if
# missing). THREADS (default 2), ROUNDS (3), STEPS (3) and WARMUP (1) go to every side.
# The ratio is srdist time / PyTorch time: below 1 means srdist is faster.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

THREADS="${THREADS:-2}" ROUNDS="${ROUNDS:-3}" STEPS="${STEPS:-3}" WARMUP="${WARMUP:-1}" BEFORE="${BEFORE:-0}" FORCED="${FORCED:-}"
PY=""
for candidate in "${TORCH_VENV:-.build/torch-venv}/bin/python" python3; do
    if "$candidate" -c 'import torch' 2>/dev/null; then PY="$candidate"; break; fi
done
if [ -z "$PY" ]; then
    echo "compare.sh: no torch in ${TORCH_VENV:-.build/torch-venv} nor for python3; create a venv with:" >&2
    echo "  python3 -m venv .build/torch-venv && .build/torch-venv/bin/pip install 'torch==2.13.0+cpu'" >&2
    exit 1
fi
if [ -z "${SRDIST:-}" ]; then
    swift build -c release --product srdist >/dev/null
    SRDIST="$(swift build -c release --show-bin-path)/srdist"
fi
bf16=0
grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo 2>/dev/null && bf16=1

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# EDSR ×2 at batch 2: the paper's config with the batch cut so a step fits in minutes.
"$PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); c["name"]="edsr_x2_batch2"; c["train"]["batch_size"]=2; json.dump(c,open(sys.argv[2],"w"))' \
    configs/edsr_x2.json "$tmp/edsr_x2_batch2.json"

# label | threads | srdist arguments | PyTorch workload
rows=("EDSR-baseline x2 train b16 p48|$THREADS|--config configs/edsr_baseline_x2.json|edsr_baseline_x2")
if [ "${1:-}" = "--all" ]; then
    rows+=("EDSR-baseline x4 train b16 p48|$THREADS|--config configs/edsr_baseline_x4.json|edsr_baseline_x4"
           "MDSR-baseline x2 train b16 p48|$THREADS|--config configs/mdsr_baseline.json --set model.scales=[2]|mdsr_baseline_x2"
           "EDSR x2 train b2 p48|$THREADS|--config $tmp/edsr_x2_batch2.json|edsr_x2_batch2"
           "EDSR-baseline x2 infer 256x256|$THREADS|--config configs/edsr_baseline_x2.json --inference 256|edsr_baseline_x2_infer256"
           "EDSR-baseline x2 train, 1 thread|1|--config configs/edsr_baseline_x2.json|edsr_baseline_x2")
fi

sides=(srdist torch)
[ "$BEFORE" = 1 ] && sides+=(before)
[ -n "$FORCED" ] && sides+=(forced)
[ "$bf16" = 1 ] && sides+=(bf16)

run_side() {  # side label threads sargs workload → one JSON line
    local side=$1 threads=$3 sargs=$4 workload=$5
    local common=(--threads "$threads" --steps "$STEPS" --warmup "$WARMUP")
    case "$side" in
        # shellcheck disable=SC2086  # sargs is a word list on purpose
        srdist) "$SRDIST" bench $sargs --json "${common[@]}" | tail -n 1 ;;
        before) SRDIST_BLAS_CHECK=0 "$SRDIST" bench $sargs --json "${common[@]}" | tail -n 1 ;;
        forced) OPENBLAS_CORETYPE="$FORCED" "$SRDIST" bench $sargs --json "${common[@]}" 2>/dev/null | tail -n 1 ;;
        torch) "$PY" bench/pytorch_bench.py --workloads "$workload" "${common[@]}" ;;
        bf16) "$PY" bench/pytorch_bench.py --workloads "$workload" --autocast bf16 "${common[@]}" ;;
    esac
}

: > "$tmp/records"
for round in $(seq 1 "$ROUNDS"); do
    for row in "${!rows[@]}"; do
        IFS='|' read -r label threads sargs workload <<< "${rows[$row]}"
        # Alternate the order so neither side always runs on the warmer (or busier) machine.
        order=("${sides[@]}")
        if [ $(((round + row) % 2)) = 0 ]; then
            order=(); for ((i = ${#sides[@]} - 1; i >= 0; i--)); do order+=("${sides[$i]}"); done
        fi
        for side in "${order[@]}"; do
            echo "compare.sh: round $round/$ROUNDS: $label: $side ..." >&2
            printf '%s\t%s\t%s\n' "$row" "$side" "$(run_side "$side" "$label" "$threads" "$sargs" "$workload")" >> "$tmp/records"
        done
    done
done

labels="$(printf '%s\n' "${rows[@]}" | cut -d'|' -f1)"
"$PY" - "$tmp/records" "$ROUNDS" "$STEPS" "$THREADS" "$SRDIST" <<PYEOF
import json, os, statistics, subprocess, sys
labels = """$labels""".split("\n")
records = {}
for line in open(sys.argv[1]):
    row, side, text = line.rstrip("\n").split("\t", 2)
    records.setdefault((int(row), side), []).append(json.loads(text))
sides = [s for s in ("srdist", "before", "forced", "torch", "bf16") if any(k[1] == s for k in records)]
env = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "SRDIST_BLAS", "SRDIST_SIMD", "OMP_"))}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"CPU: {cpu}, {os.cpu_count()} cores; environment: {env or 'nothing set'}")
first = records[(0, "srdist")][0]
print(f"srdist: BLAS {first.get('blas', '?')} ({first.get('blas_origin', '?')}), SIMD {first.get('simd', '?')}")
if "forced" in sides:
    forced = records[(0, "forced")][0]
    print(f"forced: srdist with OPENBLAS_CORETYPE={forced.get('blas_kernel', '?')} set by hand ({forced.get('blas_origin', '?')})")
print(f"median of {sys.argv[2]} interleaved rounds, each the median of {sys.argv[3]} steps; "
      f"ratio = srdist time / PyTorch time; {sys.argv[4]} threads unless the row says otherwise")

def seconds(rec):
    return rec["seconds_per_step"] if "seconds_per_step" in rec else rec["seconds"]

head = f"{'workload':34} {'srdist s':>9}"
if "before" in sides: head += f" {'check off':>9}"
if "forced" in sides: head += f" {'forced s':>9}"
head += f" {'PyTorch s':>9} {'ratio':>6}"
if "bf16" in sides: head += f" {'bf16 s':>8} {'ratio':>6}"
head += f" {'rounds (srdist/PyTorch)':>30} {'RSS MB srdist/torch':>19}"
print(head)
for row, label in enumerate(labels):
    med = {s: statistics.median(seconds(r) for r in records[(row, s)]) for s in sides}
    line = f"{label:34} {med['srdist']:9.3f}"
    if "before" in sides: line += f" {med['before']:9.3f}"
    if "forced" in sides: line += f" {med['forced']:9.3f}"
    line += f" {med['torch']:9.3f} {med['srdist'] / med['torch']:6.2f}"
    if "bf16" in sides: line += f" {med['bf16']:8.3f} {med['srdist'] / med['bf16']:6.2f}"
    per_round = ",".join(f"{seconds(a) / seconds(b):.2f}" for a, b in zip(records[(row, "srdist")], records[(row, "torch")]))
    rss = f"{max(r.get('peak_rss_mb', 0) for r in records[(row, 'srdist')]):.0f}/{max(r['peak_rss_mb'] for r in records[(row, 'torch')]):.0f}"
    print(f"{line} {per_round:>30} {rss:>19}")
PYEOF
