#!/usr/bin/env bash
# libFuzzer + AddressSanitizer on the readers of untrusted input: the PNG reader
# (png), the config parser (config) and the checkpoint reader as eval/upscale load a
# model (checkpoint). Builds them into .build-fuzz, runs each for SECONDS (default 60)
# one after another from the committed seed corpus (Tests/Fuzz/Corpus/<target>), and
# prints executions and findings per target.
#
#   bench/fuzz.sh 600                      # 10 minutes per target
#   TARGETS="png" bench/fuzz.sh 60         # one target
#
# Findings (crash-*, timeout-*, oom-*) are kept in $FINDINGS/<target>/ (default
# /tmp/srdist-fuzz) with libFuzzer's log; rerun one with `.build-fuzz/release/<target>-fuzz FILE`.
# Leak detection is off: the Swift runtime's metadata caches live until exit. Oversized
# allocations return null as glibc's malloc does (instead of ASan aborting): HDF5 sizes
# metadata buffers from the file and reports a failed allocation as an error, which
# srdist turns into one line (the first finding, now Tests/Fixtures/checkpoint/fuzz_metadata_size.h5).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-60}
targets=${TARGETS:-"png config checkpoint"}
findings=${FINDINGS:-/tmp/srdist-fuzz}
export SRDIST_FUZZ=1 ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}

for t in $targets; do
    # gold cannot link libFuzzer's driver into a SwiftPM executable; lld can.
    swift build -c release --build-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld \
        --product "$t-fuzz" 2>&1 | grep -E "error|warning: unre" || true
done

printf "%-11s %8s %14s %9s\n" target seconds executions findings
for t in $targets; do
    out="$findings/$t"
    corpus="$out/corpus"
    mkdir -p "$corpus"
    cp -n Tests/Fuzz/Corpus/"$t"/* "$corpus"/
    # 2 GB: far above any bounded allocation of the lowered limits in the targets.
    ".build-fuzz/release/$t-fuzz" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$out/" -print_final_stats=1 > "$out/log.txt" 2>&1 || true
    executions=$(awk '/stat::number_of_executed_units/ {print $2}' "$out/log.txt")
    found=$(find "$out" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'timeout-*' -o -maxdepth 1 -name 'oom-*' | wc -l)
    printf "%-11s %8s %14s %9s\n" "$t" "$seconds" "${executions:-?}" "$found"
done
