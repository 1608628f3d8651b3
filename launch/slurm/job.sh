# Sourced by train.sbatch and train-mpirun.sbatch (from the submit folder, the repository
# root): what both do around their launcher.

. "$(dirname "${BASH_SOURCE[0]}")/../wait_launcher.sh"

# slurm_config KEY: the value `scontrol show config` prints for KEY (first word).
slurm_config() {
    scontrol show config 2>/dev/null | sed -n "s/^$1 *= *\([^ ]*\).*/\1/p"
}

# srdist_run LAUNCHER ARGS...: runs the launcher (srun or mpirun) and waits for it; exits
# with its status. SIGUSR1 sent to this shell (`--signal=B:USR1`, `scancel --batch`) is
# forwarded to the launcher, which forwards it to every rank. SIGTERM (scancel, preemption,
# the hard time limit) reaches the ranks from Slurm itself; this shell stays alive meanwhile,
# because Slurm kills whatever is left of the job as soon as the batch shell exits. Exit 85
# after SIGUSR1 means "checkpointed, requeue me": the job is requeued. After SIGTERM Slurm is
# ending the job and decides itself (a cancelled job stays cancelled).
srdist_run() {
    "$@" &
    local pid=$! status terminated=0
    trap "echo 'srdist: SIGUSR1 received, forwarding to $1'; kill -USR1 $pid" USR1
    trap 'terminated=1; echo "srdist: SIGTERM received, waiting for the ranks to checkpoint (Slurm kills them after KillWait)"' TERM
    wait_launcher "$pid"
    if [ "$status" -eq 85 ] && [ "$terminated" = 0 ]; then
        echo "srdist: exit 85 (checkpointed after a stop signal): requeueing job ${SLURM_JOB_ID}"
        scontrol requeue "$SLURM_JOB_ID"
    elif [ "$status" -eq 85 ]; then
        echo "srdist: exit 85 (checkpointed after SIGTERM): Slurm is ending job ${SLURM_JOB_ID}, not requeued here"
    fi
    exit "$status"
}
