#!/usr/bin/env bash
# Runs srdist on N ranks on this machine:  launch/local.sh N configs/edsr_baseline_x2.json [srdist flags]
#
# Edit: THREADS (cores per rank; ranks × threads should not exceed the cores).
# As root, mpirun needs explicit consent; with more ranks than cores it needs
# --oversubscribe (fine for tests, slow for real training).
#
# Stopping: SIGTERM, SIGHUP (a closed terminal), SIGINT (Ctrl-C) or SIGUSR1 to this script → every rank checkpoints
# at the next step and the script exits 85; a second Ctrl-C → the ranks stop at once
# (exit 130). mpirun itself would turn SIGTERM/SIGINT into SIGTERM + SIGKILL one second
# later for the ranks and exit 1, so it runs in its own session (a terminal's Ctrl-C
# reaches only this script) and receives SIGUSR1/SIGUSR2, which it forwards unchanged.
# (A longer --mca odls_base_sigkill_timeout T would let the ranks finish after a direct
# SIGTERM, but Open MPI 4.1's mpirun then still exits 1, and lingers 2T s after every
# non-zero exit, 85 included: measured, see docs/cluster.md "Stopping a run".)
set -uo pipefail
if [ $# -lt 2 ]; then
    echo "usage: launch/local.sh RANKS CONFIG [srdist flags...]" >&2
    exit 2
fi
ranks=$1; config=$2; shift 2
# Stay in the caller's folder: the config path and any relative run_dir are theirs.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/launch/wait_launcher.sh"
SRDIST=${SRDIST:-$(cd "$root" && swift build -c release --show-bin-path)/srdist}
[ -x "$SRDIST" ] || { echo "launch/local.sh: $SRDIST not found; build first (swift build -c release)" >&2; exit 2; }
cores=$(nproc)
THREADS=${THREADS:-$(( cores / ranks > 0 ? cores / ranks : 1 ))}

flags=(--oversubscribe --bind-to none)
[ "$(id -u)" = 0 ] && flags+=(--allow-run-as-root)
export OMP_NUM_THREADS=$THREADS
setsid mpirun "${flags[@]}" -np "$ranks" -x OMP_NUM_THREADS "$SRDIST" --config "$config" "$@" </dev/null &
pid=$!
interrupts=0
trap 'kill -USR1 "$pid" 2>/dev/null' TERM USR1 HUP
trap 'interrupts=$((interrupts + 1)); kill -"$([ "$interrupts" -gt 1 ] && echo USR2 || echo USR1)" "$pid" 2>/dev/null' INT
wait_launcher "$pid"
exit "$status"
