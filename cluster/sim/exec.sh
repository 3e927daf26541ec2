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
sim_check_node "$node"
sim_exec "$node" "$@"
