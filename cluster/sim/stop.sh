#!/usr/bin/env bash
# Stops a simulated cluster started by cluster/sim/start.sh: the processes running in its
# namespaces (by PID: SIGTERM, then SIGKILL after 5 s), then its namespaces (which removes
# the bridge and veth pairs), its /etc/netns/NODE folders and its state folder.
# Nothing else is touched. Safe to run when the cluster is down or half built.
#
#   cluster/sim/stop.sh [--name NAME] [--quiet]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
name=dfsim; quiet=0
while [ $# -gt 0 ]; do
    case "$1" in
        --name) name=${2:?--name needs a value}; shift 2 ;;
        --quiet) quiet=1; shift ;;
        -h|--help) sim_usage; exit 0 ;;
        *) sim_die "unknown argument '$1' (usage: stop.sh [--name NAME] [--quiet])" ;;
    esac
done
sim_check_root
sim_check_name "$name"
state=$(sim_state "$name")

# Its Slurm first, if any (munged runs outside the namespaces: by its pid file).
if [ "$quiet" -eq 1 ]; then "$here/slurm-stop.sh" --name "$name" >/dev/null; else "$here/slurm-stop.sh" --name "$name"; fi

# This cluster's namespaces only: NAME-hub and NAME-node<digits>.
namespaces=$(ip netns list | awk '{print $1}' | grep -E "^$name-(hub|node[0-9]+)$" || true)
pids=""
for ns in $namespaces; do pids+=" $(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"; done
pids=$(echo $pids)
if [ -n "$pids" ]; then
    [ "$quiet" -eq 1 ] || echo "stop.sh: stopping processes in cluster '$name': $pids"
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 1 50); do
        alive=""; for p in $pids; do kill -0 "$p" 2>/dev/null && alive+=" $p"; done
        [ -z "$alive" ] && break
        sleep 0.1
    done
    [ -n "$alive" ] && kill -KILL $alive 2>/dev/null || true
fi
for ns in $namespaces; do
    ip netns del "$ns" || echo "stop.sh: could not delete namespace $ns" >&2
    rm -rf "/etc/netns/$ns"
done
# Folders of nodes whose namespace was never created (a start that failed halfway).
if [ -f "$state/nodes" ]; then
    for node in $(cut -d' ' -f1 "$state/nodes"); do rm -rf "/etc/netns/$node"; done
fi
[ -e "$state/created-etc-netns" ] && rmdir /etc/netns 2>/dev/null
rm -rf "$state"
rmdir "$SIM_STATE_ROOT" 2>/dev/null || true
[ "$quiet" -eq 1 ] || echo "stop.sh: cluster '$name' is down"
exit 0
