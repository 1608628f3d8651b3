#!/usr/bin/env bash
# A pretend cluster on one Linux machine: N network namespaces ("hosts" h0, h1, ...)
# each with its own eth0, hostname and address, joined through a bridge in a switch
# namespace; runs an MPI program on them with mpirun started on h0, the remote ranks
# started through agent.sh (`ip netns exec` instead of ssh), TCP only, and removes
# everything when done (or interrupted).
#
#   launch/netns/multihost.sh [--hosts N] [--ranks-per-host K] [--rate 1gbit] -- PROGRAM [ARGS...]
#
# --rate caps every host's egress with a token bucket (tc tbf), like a NIC of that
# speed. Needs root (or CAP_NET_ADMIN + CAP_SYS_ADMIN); when the kernel refuses to
# create a namespace the script says why and exits 77 (the tests' "skip").
# Edit: SUBNET if 10.213.7.0/24 means something inside your namespaces (it is never
# visible outside them). Extra mpirun flags: MPIRUN_FLAGS="--display-map ...".
# A run killed with SIGKILL leaves its namespaces: `ip netns list | grep ^srd`, `ip netns del`.
set -euo pipefail
hosts=2 per_host=1 rate=""
while [ $# -gt 0 ]; do
    case $1 in
        --hosts) hosts=$2; shift 2 ;;
        --ranks-per-host) per_host=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "usage: launch/netns/multihost.sh [--hosts N] [--ranks-per-host K] [--rate RATE] -- PROGRAM [ARGS...]" >&2; exit 2 ;;
    esac
done
[ $# -ge 1 ] || { echo "multihost.sh: no program given" >&2; exit 2; }
SUBNET=${SUBNET:-10.213.7}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Unique names, so runs and machines' other namespaces never collide.
tag=srd$$
switch=$tag-sw
state=$(mktemp -d "/tmp/srdist-netns-$tag.XXXX")
created=()
teardown() {
    for ns in "${created[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$state"
}
trap teardown EXIT
trap 'exit 143' INT TERM

if ! reason=$(ip netns add "$switch" 2>&1); then
    echo "multihost.sh: network namespaces unavailable: ${reason:-ip netns add failed}" >&2
    exit 77
fi
created+=("$switch")
ip -n "$switch" link add br0 type bridge
ip -n "$switch" link set br0 up

# RATE (e.g. 1gbit, 100mbit) → a token bucket deep enough for one 64 KiB
# segmentation-offload packet and 1 ms of traffic.
burst_for() {
    local n=${1%%[a-zA-Z]*} unit=${1##*[0-9]} bps
    case $unit in gbit) bps=$((n * 1000000000)) ;; mbit) bps=$((n * 1000000)) ;; kbit) bps=$((n * 1000)) ;;
        *) echo "multihost.sh: --rate wants NUMBER{kbit,mbit,gbit}, got $1" >&2; exit 2 ;; esac
    local bytes=$((bps / 8 / 1000))
    echo $((bytes > 131072 ? bytes : 131072))
}
[ -z "$rate" ] || burst=$(burst_for "$rate")

: >"$state/hostfile"
: >"$state/map"
for ((i = 0; i < hosts; i++)); do
    ns=$tag-h$i
    ip netns add "$ns"
    created+=("$ns")
    ip link add "${tag}a$i" type veth peer name "${tag}b$i"
    ip link set "${tag}a$i" netns "$ns"
    ip link set "${tag}b$i" netns "$switch"
    ip -n "$ns" link set "${tag}a$i" name eth0
    ip -n "$ns" addr add "$SUBNET.$((i + 1))/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    ip -n "$switch" link set "${tag}b$i" master br0 up
    [ -z "$rate" ] || tc -n "$ns" qdisc add dev eth0 root tbf rate "$rate" burst "$burst" latency 50ms
    echo "h$i slots=$per_host" >>"$state/hostfile"
    echo "h$i $ns" >>"$state/map"
done

# Print what went over each host's wire (a check that the run really used it).
report_traffic() {
    for ((i = 0; i < hosts; i++)); do
        echo "multihost.sh: h$i eth0 tx $(ip netns exec "$tag-h$i" cat /sys/class/net/eth0/statistics/tx_bytes) bytes," \
            "rx $(ip netns exec "$tag-h$i" cat /sys/class/net/eth0/statistics/rx_bytes) bytes"
    done
}

# mpirun runs on h0 with h0's hostname, so it treats h0 as its own node and reaches
# the others through the agent. btl tcp,self and pml ob1: no shared memory, no UCX.
export SRDIST_NETNS_MAP=$state/map
# shellcheck disable=SC2086
ip netns exec "$tag-h0" unshare --uts sh -c 'hostname h0; exec "$@"' mpirun \
    mpirun --hostfile "$state/hostfile" -np $((hosts * per_host)) --map-by ppr:"$per_host":node --bind-to none \
    --mca plm_rsh_agent "$here/agent.sh" --mca plm_rsh_no_tree_spawn 1 \
    --mca pml ob1 --mca btl tcp,self --mca btl_tcp_if_include "$SUBNET.0/24" --mca oob_tcp_if_include "$SUBNET.0/24" \
    ${MPIRUN_FLAGS:-} -x OMP_NUM_THREADS "$@" &
# In the background so a TERM (a test's timeout) stops mpirun too, and the namespaces go.
job=$!
trap 'kill -TERM "$job" 2>/dev/null; wait "$job" || true; exit 143' INT TERM
status=0
wait "$job" || status=$?
report_traffic
exit "$status"
