#!/usr/bin/env bash
# Open MPI's remote-shell agent for multihost.sh's namespace hosts: called as ssh would
# be (`agent.sh [options] HOST COMMAND...`), it runs COMMAND in HOST's network
# namespace under HOST's hostname. The host → namespace map is $SRDIST_NETNS_MAP.
set -euo pipefail
while [[ ${1:-} == -* ]]; do shift; done
host=${1:?agent.sh: no host given}; shift
ns=$(awk -v h="$host" '$1 == h { print $2 }' "${SRDIST_NETNS_MAP:?agent.sh: SRDIST_NETNS_MAP is not set}")
[ -n "$ns" ] || { echo "agent.sh: unknown host $host" >&2; exit 255; }
# Like ssh, the command arrives as words for a shell to read.
exec ip netns exec "$ns" unshare --uts sh -c "hostname $host; $*"
