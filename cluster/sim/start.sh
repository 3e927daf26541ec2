#!/usr/bin/env bash
# Starts a simulated N-node cluster on this machine (root): one network namespace per node,
# each with its own hostname and address, joined by veth pairs to a bridge that lives in a
# namespace of its own. The addresses (a private /24) exist only inside these namespaces.
#
#   cluster/sim/start.sh [--nodes N] [--name NAME] [--subnet A.B.C] [--slots S]
#                        [--rate RATE] [--delay DELAY]
#
#   --nodes N       nodes (default 2, at most 200)
#   --name NAME     cluster name, prefix of its namespaces and hostnames (default dfsim):
#                   nodes NAME-node1 .. NAME-nodeN
#   --subnet A.B.C  the private /24 of the cluster (default 10.213.7); node i is A.B.C.(10+i)
#   --slots S       MPI slots per node in the hostfile (default 1)
#   --rate, --delay network limits of every node's link, as cluster/sim/shape.sh sets them
#                   (e.g. --rate 10gbit --delay 50us); default: none
#
# Starting a cluster that is already up tears it down first (its processes are stopped).
# Then run programs with cluster/sim/mpirun.sh or cluster/sim/exec.sh, and stop it with
# cluster/sim/stop.sh --name NAME. On failure, whatever was created is removed again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
usage() { sim_usage; }

nodes=2; name=dfsim; subnet=10.213.7; slots=1; rate=""; delay=""
while [ $# -gt 0 ]; do
    case "$1" in
        --nodes) nodes=${2:?--nodes needs a number}; shift 2 ;;
        --name) name=${2:?--name needs a value}; shift 2 ;;
        --subnet) subnet=${2:?--subnet needs A.B.C}; shift 2 ;;
        --slots) slots=${2:?--slots needs a number}; shift 2 ;;
        --rate) rate=${2:?--rate needs a value such as 10gbit}; shift 2 ;;
        --delay) delay=${2:?--delay needs a value such as 50us}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; sim_die "unknown argument '$1'" ;;
    esac
done
sim_check_root
sim_check_name "$name"
[[ $nodes =~ ^[0-9]+$ ]] && [ "$nodes" -ge 1 ] && [ "$nodes" -le 200 ] || sim_die "--nodes must be 1..200, not '$nodes'"
[[ $slots =~ ^[0-9]+$ ]] && [ "$slots" -ge 1 ] || sim_die "--slots must be a positive number, not '$slots'"
# Only private ranges (RFC 1918): the cluster must never claim someone else's addresses.
if ! [[ $subnet =~ ^(10\.[0-9]{1,3}\.[0-9]{1,3}|192\.168\.[0-9]{1,3}|172\.(1[6-9]|2[0-9]|3[01])\.[0-9]{1,3})$ ]]; then
    sim_die "--subnet '$subnet' is not the first three octets of a private /24 (10.x.y, 172.16-31.x, 192.168.x)"
fi

state=$(sim_state "$name")
if [ -e "$state" ] || ip netns list | grep -Eq "^$name-(hub|node[0-9]+)( |$)"; then
    echo "start.sh: cluster '$name' exists; tearing it down first" >&2
    "$here/stop.sh" --name "$name"
fi

hub=$name-hub
ok=0
cleanup_on_failure() { [ "$ok" -eq 1 ] || { echo "start.sh: failed; removing what was created" >&2; "$here/stop.sh" --name "$name" --quiet || true; }; }
trap cleanup_on_failure EXIT

mkdir -p "$state"
echo "$subnet" >"$state/subnet"
: >"$state/nodes"
: >"$state/hostfile"
ip netns add "$hub"
ip -n "$hub" link set lo up
ip -n "$hub" link add br0 type bridge
ip -n "$hub" link set br0 up
hosts="127.0.0.1 localhost"$'\n'
for i in $(seq 1 "$nodes"); do
    node=$name-node$i
    addr=$subnet.$((10 + i))
    # Record the node before creating it, so a failure halfway still tears it down.
    echo "$node $addr" >>"$state/nodes"
    ip netns add "$node"
    # The pair is created inside the hub namespace, then one end moves to the node.
    ip -n "$hub" link add "p$i" type veth peer name eth0 netns "$node"
    ip -n "$hub" link set "p$i" master br0
    ip -n "$hub" link set "p$i" up
    ip -n "$node" link set lo up
    ip -n "$node" addr add "$addr/24" dev eth0
    ip -n "$node" link set eth0 up
    echo "$node slots=$slots" >>"$state/hostfile"
    hosts+="$addr $node"$'\n'
done
[ -d /etc/netns ] || { mkdir /etc/netns; touch "$state/created-etc-netns"; }
for node in $(sim_nodes "$name"); do
    mkdir -p "/etc/netns/$node"
    printf '%s' "$hosts" >"/etc/netns/$node/hosts"
done
if [ -n "$rate$delay" ]; then
    "$here/shape.sh" --name "$name" ${rate:+--rate "$rate"} ${delay:+--delay "$delay"}
fi

# Every node's link is up (carrier on both ends of its veth pair) before we call the cluster up.
# (Reachability itself is what the first mpirun proves; ping is not installed everywhere.)
i=0
while read -r node addr; do
    i=$((i + 1))
    for _ in $(seq 1 50); do
        ip -n "$node" link show eth0 | grep -q LOWER_UP && ip -n "$hub" link show "p$i" | grep -q LOWER_UP && break
        sleep 0.1
    done
    ip -n "$node" link show eth0 | grep -q LOWER_UP || sim_die "the link of $node ($addr) did not come up"
done <"$state/nodes"
ok=1
echo "start.sh: cluster '$name' is up: $nodes node(s) on $subnet.0/24${rate:+, rate $rate}${delay:+, delay $delay}"
sed 's/^/  /' "$state/nodes"
