# Shared by the cluster/sim/ scripts (sourced, not run). A simulated cluster NAME is:
#   - network namespaces NAME-node1 .. NAME-nodeN, one per node, each with loopback and an
#     interface eth0 holding SUBNET.(10+i)/24;
#   - a namespace NAME-hub holding the bridge br0 (the "switch") and the other ends of the
#     nodes' veth pairs (p1 .. pN);
#   - a state folder /run/diffuse-sim/NAME (node list, MPI hostfile, subnet) and, for each
#     node, /etc/netns/NAME-nodeI/hosts, which `ip netns exec` mounts over /etc/hosts so the
#     node names resolve inside the cluster.
# Nothing is added to the machine's own network namespace: the addresses exist only inside
# the cluster's namespaces, and traffic never leaves them.
SIM_STATE_ROOT=${DIFFUSE_SIM_STATE:-/run/diffuse-sim}

# The script's header comment (from line 2 to the first line that is not a comment).
sim_usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }

sim_die() { echo "$(basename "$0"): $*" >&2; exit 1; }

sim_check_name() {   # name
    [[ $1 =~ ^[a-z][a-z0-9]{0,9}$ ]] || sim_die "cluster name '$1' must be 1-10 lowercase letters/digits, starting with a letter"
}

sim_check_root() {
    [ "$(id -u)" -eq 0 ] || sim_die "needs root (network namespaces, veth pairs, tc)"
    command -v ip >/dev/null || sim_die "'ip' is missing: install iproute2 (scripts/install-deps.sh)"
    command -v unshare >/dev/null || sim_die "'unshare' is missing: install util-linux"
}

sim_state() { echo "$SIM_STATE_ROOT/$1"; }   # name -> state folder

# Node namespaces of a running cluster, in order (from its state folder).
sim_nodes() {   # name
    local st; st=$(sim_state "$1")
    [ -f "$st/nodes" ] || sim_die "no simulated cluster '$1' is running (start it with cluster/sim/start.sh --name $1)"
    cut -d' ' -f1 "$st/nodes"
}

# Checks that NODE (NAME-nodeI) belongs to a running cluster NAME.
sim_check_node() {   # node
    [[ $1 =~ ^([a-z][a-z0-9]{0,9})-node[0-9]+$ ]] || sim_die "'$1' is not a simulated node name (NAME-nodeI)"
    local cluster=${BASH_REMATCH[1]} members
    members=$(sim_nodes "$cluster")
    grep -qx "$1" <<<"$members" || sim_die "node '$1' is not part of cluster '$cluster' ($(echo $members))"
}

# Runs a command on a node: inside its network namespace, in a UTS namespace of its own
# whose hostname is the node's name. `ip netns exec` and `unshare` exec the command, so
# the caller's PID becomes the command's (signals reach it directly).
sim_exec() {   # node cmd...
    local node=$1; shift
    exec ip netns exec "$node" unshare --uts -- /bin/sh -c 'hostname "$0" && exec "$@"' "$node" "$@"
}
