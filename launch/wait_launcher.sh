# Sourced by launch/local.sh and launch/slurm/job.sh.
# wait_launcher PID: waits until the launcher PID has ended and leaves its exit status
# in `status`. `wait` returns early whenever a trapped signal arrives (the scripts trap
# the ones they forward), so it is called again until the launcher is gone.
wait_launcher() {
    while true; do
        wait "$1"
        status=$?
        kill -0 "$1" 2>/dev/null || break
    done
}
