#!/usr/bin/env bash
# Runs srdist on N ranks on this machine:  launch/local.sh N configs/edsr_baseline_x2.json [srdist flags]
#
# Edit: THREADS (cores per rank; ranks × threads should not exceed the cores).
# As root, mpirun needs explicit consent; with more ranks than cores it needs
# --oversubscribe (fine for tests, slow for real training).
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: launch/local.sh RANKS CONFIG [srdist flags...]" >&2
    exit 2
fi
ranks=$1; config=$2; shift 2
# Stay in the caller's folder: the config path and any relative run_dir are theirs.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRDIST=${SRDIST:-$(cd "$root" && swift build -c release --show-bin-path)/srdist}
[ -x "$SRDIST" ] || { echo "launch/local.sh: $SRDIST not found; build first (swift build -c release)" >&2; exit 2; }
cores=$(nproc)
THREADS=${THREADS:-$(( cores / ranks > 0 ? cores / ranks : 1 ))}

flags=(--oversubscribe --bind-to none)
[ "$(id -u)" = 0 ] && flags+=(--allow-run-as-root)
export OMP_NUM_THREADS=$THREADS
exec mpirun "${flags[@]}" -np "$ranks" -x OMP_NUM_THREADS "$SRDIST" --config "$config" "$@"
