#!/usr/bin/env bash
# Sets (or clears) the network limits of a simulated cluster's links, like NICs of a given
# speed behind one switch. Each node's eth0 sends at most RATE and delays every packet by
# DELAY (one-way latency node to node); each switch port towards a node (pI in the hub)
# also sends at most RATE, so a node cannot receive faster than RATE either.
#
#   cluster/sim/shape.sh [--name NAME] [--rate RATE] [--delay DELAY] | --clear
#
#   RATE   tc rate: 1gbit, 10gbit, 25gbit, 500mbit, ...   DELAY   tc time: 50us, 1ms, ...
#
# Rate by a token bucket (tbf, bucket of 4 ms at RATE, at least 256 KiB, so the 64 KiB
# segments of veth's TSO fit), delay by netem under it (kernels without netem refuse
# --delay with a message saying so). Changing the limits does not disturb running processes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
name=dfsim; rate=""; delay=""; clear=0
while [ $# -gt 0 ]; do
    case "$1" in
        --name) name=${2:?--name needs a value}; shift 2 ;;
        --rate) rate=${2:?--rate needs a value such as 10gbit}; shift 2 ;;
        --delay) delay=${2:?--delay needs a value such as 50us}; shift 2 ;;
        --clear) clear=1; shift ;;
        -h|--help) sim_usage; exit 0 ;;
        *) sim_die "unknown argument '$1' (see --help)" ;;
    esac
done
sim_check_root
sim_check_name "$name"
command -v tc >/dev/null || sim_die "'tc' is missing: install iproute2"
[ "$clear" -eq 1 ] || [ -n "$rate$delay" ] || sim_die "give --rate and/or --delay, or --clear"

rate_bytes=""
if [ -n "$rate" ]; then
    [[ $rate =~ ^([0-9]+(\.[0-9]+)?)(kbit|mbit|gbit)$ ]] || sim_die "--rate '$rate' must look like 1gbit, 10gbit or 500mbit"
    rate_bytes=$(awk -v n="${BASH_REMATCH[1]}" -v u="${BASH_REMATCH[3]}" \
        'BEGIN { m = (u == "kbit") ? 1e3 : (u == "mbit") ? 1e6 : 1e9; printf "%d", n * m / 8 }')
fi
if [ -n "$delay" ]; then
    [[ $delay =~ ^[0-9]+(\.[0-9]+)?(us|ms)$ ]] || sim_die "--delay '$delay' must look like 50us or 1ms"
fi
first=$(sim_nodes "$name" | head -1)
if [ -n "$delay" ] && [ "$clear" -eq 0 ]; then
    # Some kernels are built without netem (CONFIG_NET_SCH_NETEM), e.g. small VM kernels.
    tc -n "$first" qdisc del dev eth0 root 2>/dev/null || true
    tc -n "$first" qdisc add dev eth0 root netem delay "$delay" 2>/dev/null \
        || sim_die "this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM), so --delay cannot be simulated here; --rate (tbf) works without it"
    tc -n "$first" qdisc del dev eth0 root
fi
burst=$(( rate_bytes / 250 ))
[ "$burst" -ge 262144 ] || burst=262144

set_limits() {   # namespace device with-delay(0/1)
    local ns=$1 dev=$2 d=$3
    tc -n "$ns" qdisc del dev "$dev" root 2>/dev/null || true
    [ "$clear" -eq 1 ] && return 0
    if [ -n "$rate" ]; then
        tc -n "$ns" qdisc add dev "$dev" root handle 1: tbf rate "$rate" burst "$burst" latency 20ms
        if [ "$d" -eq 1 ] && [ -n "$delay" ]; then
            tc -n "$ns" qdisc add dev "$dev" parent 1:1 handle 10: netem delay "$delay" limit 100000
        fi
    elif [ "$d" -eq 1 ]; then
        tc -n "$ns" qdisc add dev "$dev" root handle 1: netem delay "$delay" limit 100000
    fi
}
i=0
for node in $(sim_nodes "$name"); do
    i=$((i + 1))
    set_limits "$node" eth0 1
    set_limits "$name-hub" "p$i" 0
done
state=$(sim_state "$name")
if [ "$clear" -eq 1 ]; then
    rm -f "$state/limits"; echo "shape.sh: cluster '$name': no limits"
else
    echo "rate=${rate:-none} delay=${delay:-none}" >"$state/limits"
    echo "shape.sh: cluster '$name': rate ${rate:-unlimited}, delay ${delay:-none} per link"
fi
