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
# it each ACTION (a signal name, or a pause in seconds) and waits for it to end (killing
# it after 60 s); `took` is the seconds that took, $status the job's exit status.
stop_job() {
    wait_for "$d.log" "$1" || true
    shift
    local t action
    t=$(now)
    for action in "$@"; do
        if [[ $action =~ ^[0-9.]+$ ]]; then sleep "$action"; else kill -"$action" "$job"; fi
    done
    finish "$job" 60; took=$(elapsed "$t")
}
# timed COMMAND...: runs it in the foreground; `took` is its run time, $status its exit status.
timed() {
    local t
    t=$(now); "$@"; status=$?; took=$(elapsed "$t")
}
readable() { "$SRDIST" inspect "$1" >/dev/null 2>&1; }
wanted() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }
max() { echo "if ($1 > $2) $1 else $2" | bc; }
train_args() { echo "--set run_dir=$1 --set train.steps=${2:-100000} --set train.log_every=1 --set checkpoint.save_every=${3:-5}"; }
# experiment KEY TRIALS NAME: when KEY is wanted, runs trial_KEY with d=$work/KEY-i for
# i = 1…TRIALS; each trial sets `took` (seconds from the fault to the last process
# exiting) and succeeds when srdist behaved as documented. Prints and records the count.
experiment() {
    wanted "$1" || return 0
    local ok=0 worst=0 i
    for i in $(seq 1 "$2"); do
        d=$work/$1-$i took=0
        trial_"$1" "$i" && ok=$((ok + 1))
        worst=$(max "$worst" "$took")
    done
    results+=("$(printf '%-38s %6s %8s %10.1f' "$3" "$2" "$ok" "$worst")")
    printf 'faults: %s: %s/%s correct, worst exit %.1f s\n' "$3" "$ok" "$2" "$worst"
}

# 1. kill -9 of a random rank at a random moment: the job ends (non-zero) and the
#    latest checkpoint, if any, stays readable.
trial_kill9() {
    "$LOCAL" 2 "$CONFIG" $(train_args "$d") > "$d.log" 2>&1 &
    job=$!
    wait_for "$d.log" "step 1/" || true
    sleep "$(echo "scale=2; $RANDOM % 150 / 100" | bc)"
    local victim t latest=$d/checkpoints/latest
    victim=$(rank_pid "$job" $((RANDOM % 2)))
    [ -n "$victim" ] || { finish "$job" 0; return 1; }
    t=$(now); kill -KILL "$victim"; finish "$job" 60; took=$(elapsed "$t")
    [ "$status" -ne 0 ] && { [ ! -e "$latest" ] || readable "$latest"; }
}

# 2. kill -9 of rank 0 during saves (a 7 MB checkpoint every step): the latest
#    checkpoint loads, and --resume auto continues and leaves no temporaries.
trial_save() {
    local big="--set model.blocks=8 --set model.features=64 --set train.batch_size=1" step
    "$SRDIST" --config "$CONFIG" $(train_args "$d" 100000 1) $big > "$d.log" 2>&1 &
    job=$!
    wait_for "$d.log" "checkpoint " || true
    sleep "$(echo "scale=2; $RANDOM % 100 / 100" | bc)"
    stop_job "" KILL
    step=$("$SRDIST" inspect --json "$d/checkpoints/latest" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["step"])' 2>/dev/null)
    [ -n "$step" ] && "$SRDIST" --config "$CONFIG" $(train_args "$d" $((step + 1)) 1) $big --resume auto --quiet > "$d.resume.log" 2>&1 \
        && [ -z "$(ls -A "$d/checkpoints" | grep '\.tmp-')" ]
}

# 3. SIGUSR1 five times in a row to mpirun: one checkpoint, exit 85.
trial_usr1() {
    mpirun --oversubscribe -np 2 -x OMP_NUM_THREADS "$SRDIST" --config "$CONFIG" $(train_args "$d") > "$d.log" 2>&1 &
    job=$!
    stop_job "step 3/" USR1 0.02 USR1 0.02 USR1 0.02 USR1 0.02 USR1
    [ "$status" -eq 85 ] && readable "$d/checkpoints/latest"
}

# 4. SIGTERM to launch/local.sh (mpirun inside): checkpoint, exit 85.
trial_sigterm() {
    "$LOCAL" 2 "$CONFIG" $(train_args "$d") > "$d.log" 2>&1 &
    job=$!
    stop_job "step 3/" TERM
    [ "$status" -eq 85 ] && grep -q "stop signal: checkpointing" "$d.log" && readable "$d/checkpoints/latest"
}

# 5. Two Ctrl-Cs to launch/local.sh: every rank stops at once, exit 130.
trial_sigint() {
    "$LOCAL" 2 "$CONFIG" $(train_args "$d") --set train.batch_size=256 > "$d.log" 2>&1 &
    job=$!
    stop_job "step 1/" INT 0.3 INT
    [ "$status" -eq 130 ]
}

# 6. A stop during start-up (a larger synthetic set being generated): exit 85, no training.
trial_startup() {
    "$LOCAL" 2 "$CONFIG" $(train_args "$d") --set data.synthetic_images=160 --set data.synthetic_size=384 > "$d.log" 2>&1 &
    job=$!
    stop_job "config overrides:" TERM
    [ "$status" -eq 85 ] && ! grep -q "step 1/" "$d.log" && [ ! -e "$d/checkpoints/latest" ]
}

# 7. Disk full (a 512 KiB tmpfs with 24 KiB left): no crash, exit 86, in both
#    on_save_error modes.
trial_disk() {
    local mode
    mkdir -p "$d"
    mount -t tmpfs -o size=512k tmpfs "$d" || { echo "faults: cannot mount a tmpfs (root needed)" >&2; return 1; }
    mounts+=("$d")
    head -c 24576 /dev/zero > "$d/reserve"; cat /dev/zero > "$d/filler" 2>/dev/null; rm "$d/reserve"
    mode=$([ $(($1 % 2)) = 1 ] && echo continue || echo stop)
    timed "$SRDIST" --config "$CONFIG" $(train_args "$d/run" 60 20) --set checkpoint.on_save_error=$mode > "$d.log" 2>&1
    [ "$status" -eq 86 ] && ! grep -q "Fatal error" "$d.log"
}

# 8. A corrupt latest checkpoint (64 flipped bytes in a tensor): resume falls back to the previous one.
trial_corrupt() {
    "$SRDIST" --config "$CONFIG" $(train_args "$d" 20 10) --quiet
    local f=$d/checkpoints/step-000000020.h5 tensor
    tensor=$(echo /optim/v/body.0.body.0.weight /params/head.0.weight /optim/m/tail.1.weight | cut -d' ' -f"$1")
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
    timed "$SRDIST" --config "$CONFIG" $(train_args "$d" 30 10) --resume auto > "$d.log" 2>&1
    [ "$status" -eq 0 ] && grep -q "passed over a checkpoint" "$d.log" && grep -q "step-000000010.h5 at step 10" "$d.log"
}

# 9. Two runs started on one run folder: the second is refused naming the first.
trial_twice() {
    "$SRDIST" --config "$CONFIG" $(train_args "$d") > "$d.first.log" 2>&1 &
    local first=$! second
    wait_for "$d.first.log" "step 1/" || true
    timed "$SRDIST" --config "$CONFIG" $(train_args "$d") --resume auto > "$d.second.log" 2>&1
    second=$status
    kill -USR1 "$first"; finish "$first" 30
    [ "$second" -eq 1 ] && grep -q "is in use by another srdist run (host .*, pid $first," "$d.second.log"
}

# 10. A stalled rank (SIGSTOP): the watchdog (2 s) ends the job naming that rank.
trial_stall() {
    mpirun --oversubscribe -np 3 -x OMP_NUM_THREADS "$SRDIST" --config "$CONFIG" $(train_args "$d") \
        --set distributed.watchdog_seconds=2 --set train.batch_size=9 > "$d.log" 2>&1 &
    job=$!
    wait_for "$d.log" "step 3/" || true
    local victim t
    victim=$(rank_pid "$job" 2)
    t=$(now); [ -n "$victim" ] && kill -STOP "$victim"
    finish "$job" 60; took=$(elapsed "$t")
    [ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null
    [ -n "$victim" ] && [ "$status" -ne 0 ] && grep -q "watchdog: .* at step [0-9]* has not completed after 2 s: rank 2 did not arrive" "$d.log"
}

experiment kill9 20 "kill -9 of a random rank"
experiment save 20 "kill -9 of rank 0 during a save"
experiment usr1 3 "SIGUSR1 x5 to mpirun"
experiment sigterm 3 "SIGTERM through mpirun (local.sh)"
experiment sigint 3 "double SIGINT through mpirun"
experiment startup 3 "stop during start-up"
experiment disk 3 "disk full"
experiment corrupt 3 "corrupt latest checkpoint"
experiment twice 3 "two runs on one run folder"
experiment stall 3 "stalled rank (watchdog)"

echo
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(getconf _NPROCESSORS_ONLN) cores"
printf '%-38s %6s %8s %10s\n' "experiment" "trials" "correct" "worst s"
printf '%s\n' "${results[@]}"
