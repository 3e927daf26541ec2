#!/usr/bin/env bash
# Runs a command on one node of a simulated cluster: in the node's network namespace, with
# the node's hostname (a UTS namespace of its own), in the current folder (the nodes share
# this machine's file system, as cluster nodes share a network file system).
#
#   cluster/sim/exec.sh NODE COMMAND [ARGS...]      e.g. cluster/sim/exec.sh dfsim-node2 hostname -I
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
[ $# -ge 2 ] || sim_die "usage: exec.sh NODE COMMAND [ARGS...]"
node=$1; shift
[[ $node =~ ^([a-z][a-z0-9]{0,9})-node[0-9]+$ ]] || sim_die "'$node' is not a simulated node name (NAME-nodeI)"
sim_nodes "${BASH_REMATCH[1]}" | grep -qx "$node" || sim_die "node '$node' is not part of cluster '${BASH_REMATCH[1]}'"
sim_exec "$node" "$@"
