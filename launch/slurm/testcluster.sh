#!/usr/bin/env bash
# A throw-away Slurm on this machine, to try and test the launch scripts:
#
#   eval "$(launch/slurm/testcluster.sh up)"    # prints: export SLURM_CONF=/tmp/srdist-slurm.X/slurm.conf
#   CONFIG=configs/tiny_x2.json sbatch --nodes=1 --ntasks-per-node=2 --cpus-per-task=1 launch/slurm/train.sbatch
#   launch/slurm/testcluster.sh down            # stops it, removes the folder SLURM_CONF names
#
# `up` installs slurmctld, slurmd and munge (Debian packages) when missing, then starts
# munged, slurmctld and one slurmd, all with their key, config, state, spool and logs in a
# new folder under /tmp, on free ports, and waits until `sinfo` shows the node idle. It
# writes nothing under /etc or /run: the daemons and commands find the config through
# SLURM_CONF (Debian's default, /etc/slurm/slurm.conf, is never created), and munged gets
# its key and socket by flag. Several clusters can run side by side. `down` cancels the
# cluster's jobs, stops its daemons and deletes the folder. Needs root (slurmd runs jobs as
# their submitter). KILL_WAIT (seconds, default 10) is Slurm's SIGTERM-to-SIGKILL grace;
# WITHOUT_PLUGINS (a glob, e.g. 'mpi_pmix*') leaves plugins out, as on a site without them.
# NODES=N (default 1) makes N nodes h0…h(N-1), each slurmd in its own network namespace
# and hostname (this machine's cores split between them), joined to slurmctld by a bridge
# on a free 10.213.X.0/24: jobs then span hosts that talk TCP only, as on a cluster.
set -euo pipefail

die() { echo "testcluster: $*" >&2; exit 1; }

install_missing() {
    local need=() pkg
    for pkg in slurmctld slurmd slurm-client munge; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
    done
    [ ${#need[@]} -eq 0 ] && return
    echo "testcluster: installing ${need[*]}" >&2
    apt-get update -qq
    # No recommends: they pull in dozens of plugin and -dev packages a test cluster never loads.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

# A TCP port nobody listens on (racy in principle; the daemons fail loudly if it was taken).
free_port() {
    local port
    while true; do
        port=$((20000 + RANDOM % 20000))
        # grep without -q reads all: under pipefail an early exit would SIGPIPE ss.
        ss -Hltn "sport = :$port" | grep . >/dev/null || { echo "$port"; return; }
    done
}

# Waits up to $2 seconds for command $1 (a string for eval) to succeed.
wait_for() {
    local deadline=$((SECONDS + $2))
    until eval "$1" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

# start_daemon LOG COMMAND...: runs COMMAND (which forks into the background) with only
# stdin/stdout/stderr open, those on /dev/null and LOG: a caller waiting for this script's
# output to end (a pipe, or Foundation's Process) would otherwise wait for the daemons.
start_daemon() {
    local log=$1 fd
    shift
    (
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            [ "$fd" -gt 2 ] && eval "exec $fd>&-"
        done 2>/dev/null
        exec "$@" </dev/null >>"$log" 2>&1
    )
}

up() {
    [ "$(id -u)" = 0 ] || die "needs root (slurmd starts jobs as the submitting user)"
    install_missing
    local dir host ctld_port node_port
    dir=$(mktemp -d /tmp/srdist-slurm.XXXXXX)
    # A failed start leaves nothing running (the logs are gone with it: die quotes them).
    trap "[ \$? -eq 0 ] || remove_cluster '$dir'" EXIT
    chmod 755 "$dir"  # munged (user munge) must reach its folder inside
    host=$(hostname -s)
    mkdir -p "$dir/state" "$dir/spool" "$dir/tmp" "$dir/log" "$dir/munge"

    # munged refuses keys and sockets in folders others can write to (or clients cannot enter).
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 755 "$dir/munge"; chmod 400 "$dir/munge/munge.key"
    chown -R munge:munge "$dir/munge"
    start_daemon "$dir/log/daemons.out" runuser -u munge -- munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
        --seed-file="$dir/munge/munged.seed" || die "munged did not start: $(tail -n 5 "$dir/munge/munged.log" "$dir/log/daemons.out" 2>&1)"

    ctld_port=$(free_port); node_port=$(free_port)
    local nodes=${NODES:-1} ctld_addr=127.0.0.1 node_lines node_list node_hw
    if [ "$nodes" = 1 ]; then
        # slurmd -C: this machine's sockets, cores and memory, as slurmd will detect them.
        node_hw=$(slurmd -C | sed -n '1s/^NodeName=[^ ]* //p')  # all read: no SIGPIPE under pipefail
        node_lines="NodeName=$host NodeAddr=127.0.0.1 Port=$node_port $node_hw State=UNKNOWN"
        node_list=$host
    else
        local net i cpus mem
        net=$(free_subnet)
        make_network "$dir" "$net" "$nodes"
        ctld_addr=$net.254
        cpus=$(( $(nproc) / nodes )); [ "$cpus" -ge 1 ] || cpus=1
        mem=$(( $(slurmd -C | sed -n '1s/.*RealMemory=\([0-9]*\).*/\1/p') / nodes ))
        node_lines="" node_list=""
        for ((i = 0; i < nodes; i++)); do
            node_lines+="NodeName=h$i NodeAddr=$net.$((i + 1)) Port=$node_port CPUs=$cpus Boards=1 SocketsPerBoard=1 "
            node_lines+="CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=$mem State=UNKNOWN"$'\n'
            node_list+=${node_list:+,}h$i
        done
    fi
    : >"$dir/plugstack.conf"  # so /etc/slurm/plugstack.conf is not read either
    local plugin_dir
    plugin_dir=$(dpkg -L slurm-wlm-basic-plugins | grep '/slurm-wlm$')
    if [ -n "${WITHOUT_PLUGINS:-}" ]; then
        mkdir "$dir/plugins"
        local f
        for f in "$plugin_dir"/*; do
            # shellcheck disable=SC2254  # the glob is the point
            case ${f##*/} in $WITHOUT_PLUGINS) ;; *) ln -s "$f" "$dir/plugins/" ;; esac
        done
        plugin_dir=$dir/plugins
    fi
    cat >"$dir/slurm.conf" <<EOF
# Written by launch/slurm/testcluster.sh; removed by its 'down'.
ClusterName=srdist$$
SlurmctldHost=$host($ctld_addr)
SlurmctldPort=$ctld_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
PlugStackConfig=$dir/plugstack.conf
PluginDir=$plugin_dir
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
# The PMIx plugin makes <TmpFS>/spmix_appdir_<uid>_<job>.<step>: in /tmp, two clusters'
# job 1 would collide ("File exists", the step fails to launch).
TmpFS=$dir/tmp/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
# No cgroups in containers: processes tracked by parentage, no binding (srun then says
# "cluster configuration lacks support for cpu binding", which the scripts avoid).
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
JobRequeue=1
ReturnToService=2
KillWait=${KILL_WAIT:-10}
MinJobAge=300
# Split nodes are not what slurmd detects: take the configured size.
SlurmdParameters=config_overrides
$node_lines
PartitionName=debug Nodes=$node_list Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF=$dir/slurm.conf
    start_daemon "$dir/log/daemons.out" slurmctld -f "$SLURM_CONF" || die "slurmctld did not start: $(tail -n 5 "$dir/log/slurmctld.log" "$dir/log/daemons.out" 2>&1)"
    local node
    for node in ${node_list//,/ }; do
        mkdir -p "$dir/spool/$node" "$dir/tmp/$node"
        if [ "$nodes" = 1 ]; then
            start_daemon "$dir/log/daemons.out" slurmd -f "$SLURM_CONF" -N "$node"
        else
            # nsenter, not `ip netns exec`: that remounts /sys, hiding the cgroup mounts
            # slurmd insists on. A hostname per node, so Open MPI sees separate hosts.
            start_daemon "$dir/log/daemons.out" nsenter --net="/run/netns/$(cat "$dir/netns")$node" \
                unshare --uts sh -c 'hostname "$1"; exec slurmd -f "$2" -N "$1"' sh "$node" "$SLURM_CONF"
        fi || die "slurmd $node did not start: $(tail -n 5 "$dir/log/slurmd-$node.log" "$dir/log/daemons.out" 2>&1)"
    done
    wait_for '[ "$(sinfo -h -o %t | sort -u)" = idle ]' 30 \
        || die "nodes not idle after 30 s: $(sinfo -h -o '%t %E' 2>&1); $(tail -n 5 "$dir"/log/*.log 2>&1)"
    echo "testcluster: Slurm up in $dir (nodes $node_list idle)" >&2
    echo "export SLURM_CONF=$SLURM_CONF"
}

# Signals the daemon whose pid file is $1 and waits for it to exit.
stop_daemon() {
    [ -s "$1" ] || return 0
    local pid
    pid=$(cat "$1")
    kill "$pid" 2>/dev/null || return 0
    wait_for "! kill -0 $pid" 20 || { kill -9 "$pid" 2>/dev/null; sleep 0.2; }
}

# Stops the daemons whose pid files are in folder $1, removes the network (if any) and it.
remove_cluster() {
    local pidfile tag ns
    for pidfile in "$1"/slurmd-*.pid "$1/slurmctld.pid" "$1/munge/munged.pid"; do
        stop_daemon "$pidfile"
    done
    if [ -s "$1/netns" ]; then
        tag=$(cat "$1/netns")
        for ns in $(ip netns list | awk -v t="$tag" 'index($1, t) == 1 {print $1}'); do ip netns del "$ns"; done
        ip link del "${tag}br" 2>/dev/null || true
    fi
    rm -rf "$1"
}

# A 10.213.X.0/24 no interface here uses.
free_subnet() {
    local x
    for x in $(shuf -i 100-250); do
        ip -4 -o addr | grep " 10\.213\.$x\." >/dev/null || { echo "10.213.$x"; return; }
    done
    die "no free 10.213.X.0/24 subnet"
}

# make_network DIR NET N: a bridge <tag>br here with NET.254 (slurmctld's address) and
# network namespaces <tag>h0… with eth0 = NET.1…, one per node; the tag goes to DIR/netns.
make_network() {
    local dir=$1 net=$2 n=$3 tag="srs$$" i
    ip netns add "${tag}probe" 2>/dev/null || die "network namespaces unavailable (NODES=1 needs none)"
    ip netns del "${tag}probe"
    echo "$tag" >"$dir/netns"
    ip link add "${tag}br" type bridge
    ip addr add "$net.254/24" dev "${tag}br"
    ip link set "${tag}br" up
    for ((i = 0; i < n; i++)); do
        ip netns add "${tag}h$i"
        ip link add "${tag}a$i" type veth peer name "${tag}b$i"
        ip link set "${tag}a$i" netns "${tag}h$i"
        ip -n "${tag}h$i" link set "${tag}a$i" name eth0
        ip -n "${tag}h$i" addr add "$net.$((i + 1))/24" dev eth0
        ip -n "${tag}h$i" link set eth0 up
        ip -n "${tag}h$i" link set lo up
        ip link set "${tag}b$i" master "${tag}br" up
    done
}

down() {
    local conf=${SLURM_CONF:-}
    [ -n "$conf" ] || die "SLURM_CONF is not set (use the folder 'up' printed)"
    local dir
    dir=$(dirname "$conf")
    [[ $dir == /tmp/srdist-slurm.* ]] && [ -f "$conf" ] || die "$conf is not a testcluster config"
    # Jobs first, so no slurmstepd outlives its slurmd.
    if [ -s "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
        scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
        wait_for '[ -z "$(squeue -h -o %i)" ]' 60 || echo "testcluster: jobs still listed after 60 s" >&2
    fi
    remove_cluster "$dir"
    echo "testcluster: Slurm in $dir stopped and removed" >&2
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    *) echo "usage: $0 up|down   (down uses SLURM_CONF from up's output)" >&2; exit 2 ;;
esac
