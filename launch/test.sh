#!/usr/bin/env bash
# Installs what is missing, builds in release mode and runs the test suite.
#   launch/test.sh            the whole suite (what CI runs)
#   launch/test.sh --quick    the unit targets only: no end-to-end runs of the binary, no
#                             mpirun, and not the three 300-step loss curves; under 3
#                             minutes on 2 cores after a build, for the edit-test loop
#   launch/test.sh ARGS…      swift test with ARGS (e.g. --filter TrainRunTests)
# Ends with how many tests were skipped and why (a system capability the machine lacks).
set -euo pipefail
SETUP_BUILD=none source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; shift; fi

log="$(mktemp)"
summary() {
    local skipped
    skipped="$(grep -c "^Test Case '.*' skipped" "$log" || true)"
    echo "test.sh: $skipped test(s) skipped"
    sed -nE 's/^.*: ([^ ]+) : Test skipped - (.*)$/test.sh:   \1: \2/p' "$log"
    rm -f "$log"
}
trap summary EXIT
# Release mode: the gradient checks and the training tests run whole networks.
# The suite is XCTest only, so Swift Testing's empty run is skipped.
xctest() { swift test -c release --disable-swift-testing "$@" 2>&1 | tee -a "$log"; return "${PIPESTATUS[0]}"; }

if [ "$quick" = 1 ]; then
    xctest --filter '^(SupportTests|MachineTests|KernelsTests|ModelsTests|DataTests|MetricsTests|ONNXTests|CheckpointTests|TrainTests)\.' \
        --skip 'testLossCurve|TrainingTests.testTinyModelLearnsDeterministically' "$@"
    exit 0
fi
xctest "$@"
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
    SRDIST_SIMD="$level" xctest --filter "KernelsTests|ModelsTests|ConvAlgorithmTrainingTests|MDSRTrainingTests" --skip WinogradTests
done
