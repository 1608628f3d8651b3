#!/usr/bin/env bash
# Fault injection: repeats the faults a cluster throws at a run and checks that srdist
# behaves as documented. Prints, per experiment, trials / correct / worst exit time
# (seconds from the fault to the last process exiting). About 10 minutes on 2 cores.
#
#   bench/faults.sh                  # all experiments
#   ONLY="sigterm disk" bench/faults.sh
#
# Needs root for the disk-full experiment (it mounts small tmpfs file systems).
set -uo pipefail
set -m   # background jobs get their own process group and keep SIGINT (local.sh traps it)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRDIST=${SRDIST:-$root/.build/release/srdist}
[ -x "$SRDIST" ] || { echo "bench/faults.sh: $SRDIST not found; build first (swift build -c release)" >&2; exit 2; }
export SRDIST THREADS=1 OMP_NUM_THREADS=1
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_rmaps_base_oversubscribe=1
CONFIG=$root/configs/tiny_x2.json
LOCAL=$root/launch/local.sh
work=$(mktemp -d /tmp/srdist-faults.XXXXXX)
mounts=()
cleanup() { for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done; rm -rf "$work"; }
[ -n "${KEEP:-}" ] || trap cleanup EXIT

results=()
now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
# wait_for FILE TEXT [SECONDS]: until FILE contains TEXT.
wait_for() {
    local deadline=$(( $(date +%s) + ${3:-60} ))
    until grep -qF -- "$2" "$1" 2>/dev/null; do [ "$(date +%s)" -ge "$deadline" ] && return 1; sleep 0.05; done
}
# finish PID [SECONDS]: waits for a background job (killing it after SECONDS); sets $status.
finish() {
    local deadline=$(( $(date +%s) + ${2:-60} ))
    while kill -0 "$1" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
    kill -0 "$1" 2>/dev/null && kill -KILL -- -"$1" 2>/dev/null
    wait "$1"; status=$?
}
# rank_pid JOB RANK: the pid of that rank (a child of mpirun, which is JOB or JOB's child).
rank_pid() {
    local m=$1 p
    [ "$(ps -o comm= -p "$m")" = mpirun ] || m=$(pgrep -P "$1" -x mpirun)
    for p in $(pgrep -P "$m"); do
        if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2"; then echo "$p"; return; fi
    done
}
# stop_job TEXT ACTION...: once the background job `$job` has written TEXT to $d.log, sends
# it each ACTION (a signal name, or a pause in seconds), waits for it to end (killing it
# after 60 s) and raises `worst` to the seconds that took; $status is its exit status.
stop_job() {
    wait_for "$d.log" "$1" || true
    shift
    local t action
    t=$(now)
    for action in "$@"; do
        if [[ $action =~ ^[0-9.]+$ ]]; then sleep "$action"; else kill -"$action" "$job"; fi
    done
    finish "$job" 60; worst=$(max "$worst" "$(elapsed "$t")")
}
readable() { "$SRDIST" inspect "$1" >/dev/null 2>&1; }
record() {  # record NAME TRIALS CORRECT WORST
    results+=("$(printf '%-38s %6s %8s %10.1f' "$1" "$2" "$3" "$4")")
    printf 'faults: %s: %s/%s correct, worst exit %.1f s\n' "$1" "$3" "$2" "$4"
}
wanted() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }
max() { echo "if ($1 > $2) $1 else $2" | bc; }
train_args() { echo "--set run_dir=$1 --set train.steps=${2:-100000} --set train.log_every=1 --set checkpoint.save_every=${3:-5}"; }

# 1. kill -9 of a random rank at a random moment: the job ends (non-zero) and the
#    latest checkpoint, if any, stays readable.
if wanted kill9; then
    ok=0; worst=0
    for i in $(seq 1 20); do
        d=$work/k9-$i
        "$LOCAL" 2 "$CONFIG" $(train_args "$d") > "$d.log" 2>&1 &
        job=$!
        wait_for "$d.log" "step 1/" || true
        sleep "$(echo "scale=2; $RANDOM % 150 / 100" | bc)"
        victim=$(rank_pid "$job" $((RANDOM % 2)))
        t=$(now); [ -n "$victim" ] && kill -KILL "$victim"
        finish "$job" 60; s=$(elapsed "$t"); worst=$(max "$worst" "$s")
        latest=$d/checkpoints/latest
        if [ -n "$victim" ] && [ "$status" -ne 0 ] && { [ ! -e "$latest" ] || readable "$latest"; }; then ok=$((ok + 1)); fi
    done
    record "kill -9 of a random rank" 20 "$ok" "$worst"
fi

# 2. kill -9 of rank 0 during saves (a 7 MB checkpoint every step): the latest
#    checkpoint loads, and --resume auto continues and leaves no temporaries.
if wanted save; then
    ok=0; worst=0
    big="--set model.blocks=8 --set model.features=64 --set train.batch_size=1"
    for i in $(seq 1 20); do
        d=$work/save-$i
        "$SRDIST" --config "$CONFIG" $(train_args "$d" 100000 1) $big > "$d.log" 2>&1 &
        job=$!
        wait_for "$d.log" "checkpoint " || true
        sleep "$(echo "scale=2; $RANDOM % 100 / 100" | bc)"
        t=$(now); kill -KILL "$job"; finish "$job" 10; s=$(elapsed "$t"); worst=$(max "$worst" "$s")
        step=$("$SRDIST" inspect --json "$d/checkpoints/latest" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["step"])' 2>/dev/null)
        if [ -n "$step" ] && "$SRDIST" --config "$CONFIG" $(train_args "$d" $((step + 1)) 1) $big --resume auto --quiet > "$d.resume.log" 2>&1 \
           && [ -z "$(ls -A "$d/checkpoints" | grep '\.tmp-')" ]; then ok=$((ok + 1)); fi
    done
    record "kill -9 of rank 0 during a save" 20 "$ok" "$worst"
fi

# 3. SIGUSR1 five times in a row to mpirun: one checkpoint, exit 85.
if wanted usr1; then
    ok=0; worst=0
    for i in $(seq 1 3); do
        d=$work/usr1-$i
        mpirun --oversubscribe -np 2 -x OMP_NUM_THREADS "$SRDIST" --config "$CONFIG" $(train_args "$d") > "$d.log" 2>&1 &
        job=$!
        stop_job "step 3/" USR1 0.02 USR1 0.02 USR1 0.02 USR1 0.02 USR1
        [ "$status" -eq 85 ] && readable "$d/checkpoints/latest" && ok=$((ok + 1))
    done
    record "SIGUSR1 x5 to mpirun" 3 "$ok" "$worst"
fi

# 4. SIGTERM to launch/local.sh (mpirun inside): checkpoint, exit 85.
if wanted sigterm; then
    ok=0; worst=0
    for i in $(seq 1 3); do
        d=$work/term-$i
        "$LOCAL" 2 "$CONFIG" $(train_args "$d") > "$d.log" 2>&1 &
        job=$!
        stop_job "step 3/" TERM
        [ "$status" -eq 85 ] && grep -q "stop signal: checkpointing" "$d.log" && readable "$d/checkpoints/latest" && ok=$((ok + 1))
    done
    record "SIGTERM through mpirun (local.sh)" 3 "$ok" "$worst"
fi

# 5. Two Ctrl-Cs to launch/local.sh: every rank stops at once, exit 130.
if wanted sigint; then
    ok=0; worst=0
    for i in $(seq 1 3); do
        d=$work/int-$i
        "$LOCAL" 2 "$CONFIG" $(train_args "$d") --set train.batch_size=256 > "$d.log" 2>&1 &
        job=$!
        stop_job "step 1/" INT 0.3 INT
        [ "$status" -eq 130 ] && ok=$((ok + 1))
    done
    record "double SIGINT through mpirun" 3 "$ok" "$worst"
fi

# 6. A stop during start-up (a larger synthetic set being generated): exit 85, no training.
if wanted startup; then
    ok=0; worst=0
    for i in $(seq 1 3); do
        d=$work/startup-$i
        "$LOCAL" 2 "$CONFIG" $(train_args "$d") --set data.synthetic_images=160 --set data.synthetic_size=384 > "$d.log" 2>&1 &
        job=$!
        stop_job "config overrides:" TERM
        [ "$status" -eq 85 ] && ! grep -q "step 1/" "$d.log" && [ ! -e "$d/checkpoints/latest" ] && ok=$((ok + 1))
    done
    record "stop during start-up" 3 "$ok" "$worst"
fi

# 7. Disk full (a 512 KiB tmpfs with 24 KiB left): no crash, exit 86, in both
#    on_save_error modes.
if wanted disk; then
    ok=0; worst=0
    for i in 1 2 3; do
        m=$work/disk-$i; mkdir -p "$m"
        mount -t tmpfs -o size=512k tmpfs "$m" || { echo "faults: cannot mount a tmpfs (root needed)" >&2; break; }
        mounts+=("$m")
        head -c 24576 /dev/zero > "$m/reserve"; cat /dev/zero > "$m/filler" 2>/dev/null; rm "$m/reserve"
        mode=$([ $((i % 2)) = 1 ] && echo continue || echo stop)
        t=$(now)
        "$SRDIST" --config "$CONFIG" $(train_args "$m/run" 60 20) --set checkpoint.on_save_error=$mode > "$m.log" 2>&1
        status=$?; s=$(elapsed "$t"); worst=$(max "$worst" "$s")
        [ "$status" -eq 86 ] && ! grep -q "Fatal error" "$m.log" && ok=$((ok + 1))
    done
    record "disk full" 3 "$ok" "$worst"
fi

# 8. A corrupt latest checkpoint (64 flipped bytes in a tensor): resume falls back to the previous one.
if wanted corrupt; then
    ok=0; worst=0
    for i in 1 2 3; do
        d=$work/corrupt-$i
        "$SRDIST" --config "$CONFIG" $(train_args "$d" 20 10) --quiet
        f=$d/checkpoints/step-000000020.h5
        tensor=$(echo /optim/v/body.0.body.0.weight /params/head.0.weight /optim/m/tail.1.weight | cut -d' ' -f"$i")
        h5dump -d "$tensor" -b LE -o "$d.tensor" "$f" > /dev/null
        python3 - "$f" "$d.tensor" <<'EOF2'
import sys
path, tensor = sys.argv[1], open(sys.argv[2], "rb").read()
data = bytearray(open(path, "rb").read())
at = data.find(tensor[:256])
assert at >= 0, "tensor bytes not found"
for k in range(at, at + 64): data[k] ^= 0xFF
open(path, "wb").write(data)
EOF2
        t=$(now)
        "$SRDIST" --config "$CONFIG" $(train_args "$d" 30 10) --resume auto > "$d.log" 2>&1
        status=$?; s=$(elapsed "$t"); worst=$(max "$worst" "$s")
        [ "$status" -eq 0 ] && grep -q "passed over a checkpoint" "$d.log" && grep -q "step-000000010.h5 at step 10" "$d.log" && ok=$((ok + 1))
    done
    record "corrupt latest checkpoint" 3 "$ok" "$worst"
fi

# 9. Two runs started on one run folder: the second is refused naming the first.
if wanted twice; then
    ok=0; worst=0
    for i in 1 2 3; do
        d=$work/twice-$i
        "$SRDIST" --config "$CONFIG" $(train_args "$d") > "$d.first.log" 2>&1 &
        first=$!
        wait_for "$d.first.log" "step 1/" || true
        t=$(now)
        "$SRDIST" --config "$CONFIG" $(train_args "$d") --resume auto > "$d.second.log" 2>&1
        status=$?; s=$(elapsed "$t"); worst=$(max "$worst" "$s")
        second=$status
        kill -USR1 "$first"; finish "$first" 30
        [ "$second" -eq 1 ] && grep -q "is in use by another srdist run (host .*, pid $first," "$d.second.log" && ok=$((ok + 1))
    done
    record "two runs on one run folder" 3 "$ok" "$worst"
fi

# 10. A stalled rank (SIGSTOP): the watchdog (2 s) ends the job naming that rank.
if wanted stall; then
    ok=0; worst=0
    for i in 1 2 3; do
        d=$work/stall-$i
        mpirun --oversubscribe -np 3 -x OMP_NUM_THREADS "$SRDIST" --config "$CONFIG" $(train_args "$d") \
            --set distributed.watchdog_seconds=2 --set train.batch_size=9 > "$d.log" 2>&1 &
        job=$!
        wait_for "$d.log" "step 3/" || true
        victim=$(rank_pid "$job" 2)
        t=$(now); [ -n "$victim" ] && kill -STOP "$victim"
        finish "$job" 60; s=$(elapsed "$t"); worst=$(max "$worst" "$s")
        [ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null
        [ "$status" -ne 0 ] && grep -q "watchdog: .* at step [0-9]* has not completed after 2 s: rank 2 did not arrive" "$d.log" && ok=$((ok + 1))
    done
    record "stalled rank (watchdog)" 3 "$ok" "$worst"
fi

echo
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(getconf _NPROCESSORS_ONLN) cores"
printf '%-38s %6s %8s %10s\n' "experiment" "trials" "correct" "worst s"
printf '%s\n' "${results[@]}"
