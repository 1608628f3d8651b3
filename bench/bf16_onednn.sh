#!/usr/bin/env bash
# Would oneDNN make srdist's bf16 fast on this CPU? Times oneDNN's convolution forward,
# backward-data and backward-weights in fp32 and bf16 (bench/bf16_onednn_conv.c) for the
# EDSR-baseline body conv (64→64, 3×3, batch 16, 48×48) and the paper EDSR's (256→256,
# batch 2), next to `srdist bench-conv` (srdist's fp32: im2col and Winograd F(6×6, 3×3),
# the default) for the same shapes. All figures are CPU milliseconds (all threads): on a
# machine shared with other work they hold steadier than wall time. The last line of each
# block is the verdict: oneDNN bf16 with the reorders srdist would pay (fp32 NCHW in and
# out, weights converted every step) against srdist fp32, forward + both backward passes.
# Then the part of srdist's fp32 Winograd F(6×6) a bf16 Winograd could speed up: its
# position GEMMs, OpenBLAS fp32 against oneDNN bf16 (bench/bf16_winograd_gemm.c); what such
# an engine would lose in accuracy is bench/bf16_winograd_error.py's question.
# oneDNN's OpenMP threads wait passively (OMP_WAIT_POLICY=passive): spinning at its barriers
# would bill CPU time that a shared machine's other work needed, and inflate its figures.
#
#   bench/bf16_onednn.sh                         # 1 and 2 threads, medians of 5 rounds
#   THREADS="1" REPEATS=10 bench/bf16_onednn.sh
# Needs oneDNN (Debian: apt-get install libdnnl-dev) and gcc.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
THREADS="${THREADS:-1 2}" REPEATS="${REPEATS:-5}"
if [ ! -f /usr/include/oneapi/dnnl/dnnl.h ]; then
    echo "bench/bf16_onednn.sh needs oneDNN's headers (/usr/include/oneapi/dnnl/dnnl.h): apt-get install libdnnl-dev" >&2
    exit 1
fi
if [ -z "${SRDIST:-}" ]; then
    swift build -c release --product srdist >/dev/null
    SRDIST="$(swift build -c release --show-bin-path)/srdist"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -Wall -o "$work/onednn_conv" bench/bf16_onednn_conv.c -ldnnl
gcc -O2 -Wall -o "$work/winograd_gemm" bench/bf16_winograd_gemm.c -ldnnl -lopenblas

flags=$(grep -o -w -E 'avx512f|avx512_bf16|amx_bf16|amx_tile' /proc/cpuinfo | sort -u | tr '\n' ' ')
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p') (family $(lscpu | sed -n 's/^CPU family: *//p')" \
     "model $(lscpu | sed -n 's/^Model: *//p')), $(nproc) cores; flags: ${flags:-no AVX-512}"
echo "oneDNN: $(ONEDNN_VERBOSE=1 OMP_NUM_THREADS=1 "$work/onednn_conv" bf16 1 16 16 8 8 3 1 2>&1 |
                sed -n 's/^onednn_verbose,info,\(oneDNN v[^ ]*\).*/\1/p; s/^onednn_verbose,info,cpu,isa:/ISA /p' | tr '\n' ' ')"

# srdist's fp32 milliseconds for `pass` in bench-conv's output: the field before the first "(GFLOPS)".
ms() { awk -v pass="$2" '$0 ~ " " pass " " { for (i = 1; i <= NF; i++) if ($i ~ /^\(/) { print $(i - 1); exit } }' "$1"; }

for threads in $THREADS; do
    for layer in "body 64:16 64 64" "EDSR body 256:2 256 256"; do
        name=${layer%%:*} shape=${layer#*:}
        echo
        for type in f32 bf16; do
            OMP_WAIT_POLICY=passive CPU_TIME=1 OMP_NUM_THREADS=$threads "$work/onednn_conv" "$type" $shape 48 48 3 "$REPEATS" 2>/dev/null |
                tee "$work/$type.txt"
        done
        OMP_NUM_THREADS=$threads "$SRDIST" bench-conv --only "$name" --kernel im2col --kernel winograd-f6x6 \
            --repeats "$REPEATS" --threads "$threads" --cpu-time > "$work/srdist-all.txt"
        cat "$work/srdist-all.txt"
        OMP_NUM_THREADS=$threads "$SRDIST" bench-conv --only "$name" --kernel winograd-f6x6 \
            --repeats "$REPEATS" --threads "$threads" --cpu-time > "$work/srdist.txt"
        bf16=$(sed -n 's/.*with reorders \([0-9.]*\) ms$/\1/p' "$work/bf16.txt")
        fp32=$(awk -v f="$(ms "$work/srdist.txt" forward)" -v b="$(ms "$work/srdist.txt" backward-all)" 'BEGIN { print f + b }')
        awk -v b="$bf16" -v f="$fp32" -v t="$threads" -v n="$name" 'BEGIN {
            printf "verdict, %s, %s thread(s): oneDNN bf16 %.1f ms, srdist fp32 Winograd F(6x6) %.1f ms: oneDNN bf16 / srdist fp32 = %.2f\n", n, t, b, f, b / f }'
    done
done

echo
for shape in "16 64 64" "2 256 256"; do
    OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1 "$work/winograd_gemm" $shape "$REPEATS"
done
