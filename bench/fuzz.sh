#!/usr/bin/env bash
# libFuzzer + AddressSanitizer on the readers of untrusted input: the PNG reader
# (png), the JPEG reader (jpeg), the config parser (config) and the checkpoint reader as eval/upscale load a
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
targets=${TARGETS:-"png jpeg config checkpoint"}
findings=${FINDINGS:-/tmp/srdist-fuzz}
export SRDIST_FUZZ=1 ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}

for t in $targets; do
    # gold cannot link libFuzzer's driver into a SwiftPM executable; lld can.
    swift build -c release --build-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld \
        --product "$t-fuzz" 2>&1 | grep -E "error|warning: unre" || true
done

printf "%-11s %8s %14s   %s\n" target seconds executions findings
for t in $targets; do
    out="$findings/$t"
    corpus="$out/corpus"
    mkdir -p "$corpus"
    cp -n Tests/Fuzz/Corpus/"$t"/* "$corpus"/
    # Fork mode keeps fuzzing after a finding (each is saved), so one defect does not
    # end the run; 2 GB is far above any bounded allocation of the targets' lowered limits.
    # 30 s per input: the checkpoint target reads each input twice (as a model, as
    # `inspect`), each read bounded by its child's 5 s deadline (more under ASan).
    ".build-fuzz/release/$t-fuzz" "$corpus" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -artifact_prefix="$out/" > "$out/log.txt" 2>&1 || true
    last=$(grep -E '^#[0-9]+: ' "$out/log.txt" | tail -1)
    executions=$(sed -E 's/^#([0-9]+):.*/\1/' <<< "$last")
    found=$(sed -E 's#.*oom/timeout/crash: ([0-9]+)/([0-9]+)/([0-9]+).*#\1 oom, \2 timeout, \3 crash#' <<< "$last")
    printf "%-11s %8s %14s   %s\n" "$t" "$seconds" "${executions:-?}" "${found:-?}"
done
# Where each finding happens (rerun once): the first stack frame outside the sanitizer,
# libFuzzer and libc, which tells srdist's defects (Sources/…) from a library's.
# Only this run's targets (their binaries are the ones just built); a rerun that prints
# no stack is reported as such rather than ending the script (pipefail).
for t in $targets; do
    for f in "$findings/$t"/crash-* "$findings/$t"/timeout-*; do
        [ -e "$f" ] || continue
        frame=$(timeout 60 ".build-fuzz/release/$t-fuzz" -timeout=30 "$f" 2>&1 | grep -E '^ +#[0-9]+ ' \
            | grep -vE 'compiler-rt|llvm-project|libc\.so|<unknown module>' | head -1 | sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ //' || true)
        echo "$t/$(basename "$f"): ${frame:-no stack}"
    done
done
