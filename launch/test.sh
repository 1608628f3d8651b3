#!/usr/bin/env bash
# Installs what is missing, builds in release mode and runs the whole test suite.
set -euo pipefail
SETUP_BUILD=none source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# Release mode: the gradient checks and the training tests run whole networks.
# The suite is XCTest only, so Swift Testing's empty run is skipped.
swift test -c release --disable-swift-testing "$@"
# The run above used this CPU's widest SIMD level for the Winograd loops (WinogradTests
# also check every level in-process). The model fixtures, finite-difference checks and
# loss curves run again at each narrower level this CPU has.
[ "$#" -gt 0 ] && exit 0
flags="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)"
has() { for f in "$@"; do [[ " $flags " == *" $f "* ]] || return 1; done; }
levels=(generic)
has avx512f avx512dq avx512cd avx512bw avx512vl avx2 fma && levels+=(avx2)
for level in "${levels[@]}"; do
    echo "test.sh: kernels, models and loss curves again with SRDIST_SIMD=$level"
    SRDIST_SIMD="$level" swift test -c release --disable-swift-testing \
        --filter "KernelsTests|ModelsTests|ConvAlgorithmTrainingTests|MDSRTrainingTests" --skip WinogradTests
done
