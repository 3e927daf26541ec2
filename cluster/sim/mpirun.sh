#!/usr/bin/env bash
# Runs a Diffuse executable over MPI across the nodes of a cluster, over TCP only (no
# shared memory, even between ranks of one node): on a simulated cluster of
# cluster/sim/start.sh, or on real hosts given by a hostfile.
#
#   cluster/sim/mpirun.sh [--name NAME] [-n RANKS] [--per-node K] [-t THREADS] PROGRAM [ARGS...]
#   cluster/sim/mpirun.sh --hostfile FILE --if CIDR|IFACE [-n RANKS] [--per-node K] [-t THREADS] PROGRAM [ARGS...]
#
#   --name NAME     the simulated cluster (default dfsim); mpirun itself runs on its first
#                   node and reaches the others through cluster/sim/rsh-agent
#   --hostfile FILE real hosts instead (mpirun's hostfile format; mpirun runs here and
#                   reaches the hosts by ssh), with --if the network the ranks talk over
#                   (e.g. 10.0.0.0/16 or eth1)
#   --per-node K    ranks per node (default 1); -n defaults to nodes x K
#   -t THREADS      DIFFUSE_THREADS per rank (default 1: simulated nodes share this machine's cores)
#
# PROGRAM is looked up in DIFFUSE_BIN, .build/release, .build/debug, then PATH. Variables
# DIFFUSE_* and OPENBLAS_NUM_THREADS of the caller are passed to every rank (-x).
# SIGTERM to this script reaches mpirun (it execs it); as with cluster/mpirun.sh the ranks
# get it OMPI_MCA_odls_base_sigkill_timeout (default here 20) seconds later.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
usage() { sim_usage; }
name=dfsim; ranks=""; per_node=1; threads=1; hostfile=""; netif=""
while [ $# -gt 0 ]; do
    case "$1" in
        --name) name=${2:?--name needs a value}; shift 2 ;;
        --hostfile) hostfile=${2:?--hostfile needs a file}; shift 2 ;;
        --if) netif=${2:?--if needs a CIDR or interface}; shift 2 ;;
        -n) ranks=${2:?-n needs a number}; shift 2 ;;
        --per-node) per_node=${2:?--per-node needs a number}; shift 2 ;;
        -t) threads=${2:?-t needs a number}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; sim_die "unknown option '$1'" ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || { usage >&2; sim_die "name the program to run (e.g. diffuse-train --config ...)"; }
[[ $per_node =~ ^[1-9][0-9]*$ ]] || sim_die "--per-node must be a positive number, not '$per_node'"
[[ $threads =~ ^[1-9][0-9]*$ ]] || sim_die "-t must be a positive number, not '$threads'"
command -v mpirun >/dev/null || sim_die "mpirun is missing: install openmpi-bin (scripts/install-deps.sh)"
prog=$1; shift
for dir in "${DIFFUSE_BIN:-}" .build/release .build/debug; do
    if [ -n "$dir" ] && [ -x "$dir/$prog" ]; then prog="$(cd "$dir" && pwd)/$prog"; break; fi
done

if [ -n "$hostfile" ]; then
    [ -f "$hostfile" ] || sim_die "hostfile '$hostfile' does not exist"
    [ -n "$netif" ] || sim_die "with --hostfile, give --if: the network (CIDR or interface) the ranks talk over"
    hosts=$(grep -Ev '^[[:space:]]*(#|$)' "$hostfile" | awk '{print $1}')
    launch=()
    mca=()
else
    sim_check_root
    sim_check_name "$name"
    hosts=$(sim_nodes "$name")
    netif="$(cat "$(sim_state "$name")/subnet").0/24"
    launch=("$here/exec.sh" "$(head -1 <<<"$hosts")")
    mca=(--mca plm_rsh_agent "$here/rsh-agent" --mca plm_rsh_no_tree_spawn 1)
fi
nodes=$(wc -l <<<"$hosts")
hostlist=$(sed "s/\$/:$per_node/" <<<"$hosts" | paste -sd,)
[ -n "$ranks" ] || ranks=$((nodes * per_node))
[[ $ranks =~ ^[1-9][0-9]*$ ]] && [ "$ranks" -le $((nodes * per_node)) ] \
    || sim_die "-n $ranks does not fit $nodes node(s) x $per_node rank(s) per node (raise --per-node)"

args=(-np "$ranks" --host "$hostlist" --map-by node --bind-to none
      --mca btl tcp,self --mca btl_tcp_if_include "$netif" --mca oob_tcp_if_include "$netif"
      "${mca[@]}" -x DIFFUSE_THREADS="$threads")
for v in $(compgen -e | grep -E '^(DIFFUSE_[A-Z0-9_]+|OPENBLAS_NUM_THREADS)$' || true); do
    [ "$v" = DIFFUSE_THREADS ] || args+=(-x "$v")
done
[ "$(id -u)" -eq 0 ] && args+=(--allow-run-as-root)
export OMPI_MCA_odls_base_sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-20}
exec "${launch[@]}" mpirun "${args[@]}" "$prog" "$@"
