#!/usr/bin/env bash
# Starts Slurm on a running simulated cluster (cluster/sim/start.sh): slurmctld on the first
# node, one slurmd per node (`slurmd -N NODE`, in the node's network namespace with its
# hostname), and munged (on this machine, with a private key and socket). Jobs are then
# submitted from the first node, as from a login node:
#
#   cluster/sim/slurm-start.sh [--name NAME]
#   cluster/sim/slurm.sh sbatch -N 2 --ntasks-per-node=1 cluster/slurm/train.sbatch configs/shapes.yaml
#   cluster/sim/slurm.sh sinfo -N
#
# Everything (config, keys, sockets, state, logs) lives in the cluster's state folder
# (/run/diffuse-sim/NAME/slurm); cluster/sim/stop.sh stops the daemons (by PID) with the
# cluster. Jobs get OMPI_MCA_btl=tcp,self and the cluster's subnet for btl_tcp and oob_tcp
# through slurm.sh's environment. Each slurmd has a private mount namespace in which only
# Slurm's TmpFS (the state folder's nodetmp) is the node's own, because PMIx's per-step
# folders would collide on a shared /tmp; everything else is shared, as on an NFS cluster.
# Needs Debian's `slurm-wlm munge`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
name=dfsim
while [ $# -gt 0 ]; do
    case "$1" in
        --name) name=${2:?--name needs a value}; shift 2 ;;
        -h|--help) sim_usage; exit 0 ;;
        *) sim_die "unknown argument '$1' (see --help)" ;;
    esac
done
sim_check_root
sim_check_name "$name"
for cmd in munged slurmctld slurmd sinfo nsenter; do
    command -v "$cmd" >/dev/null || sim_die "$cmd not found: install slurm-wlm munge (scripts/install-deps.sh --slurm)"
done
state=$(sim_state "$name")
nodes=$(sim_nodes "$name")
dir=$state/slurm
[ ! -e "$dir" ] || sim_die "Slurm is already running on cluster '$name' ($dir); stop the cluster to restart it"
ok=0
cleanup_on_failure() {
    [ "$ok" -eq 1 ] && return
    echo "slurm-start.sh: failed; stopping what was started (logs were in $dir/log)" >&2
    tail -n 5 "$dir"/log/*.log >&2 2>/dev/null || true
    "$here/slurm-stop.sh" --name "$name" >/dev/null 2>&1 || true
}
trap cleanup_on_failure EXIT
mkdir -p "$dir"/{state,log,munge,nodetmp}
chmod 0711 "$dir/munge"
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$dir/munge/munge.key"
munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
       --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
       --seed-file="$dir/munge/munge.seed" --force

cpus=$(nproc)
first=$(head -1 <<<"$nodes")
first_addr=$(awk -v n="$first" '$1 == n {print $2}' "$state/nodes")
{
    cat <<CONF
ClusterName=$name
SlurmctldHost=$first($first_addr)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
TmpFS=$dir/nodetmp
Include $here/../local-slurm/policy.conf
CONF
    while read -r node addr; do
        echo "NodeName=$node NodeAddr=$addr CPUs=$cpus State=UNKNOWN"
    done <"$state/nodes"
    echo "PartitionName=sim Nodes=$(paste -sd, <<<"$nodes") Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES"
} >"$dir/slurm.conf"
subnet="$(cat "$state/subnet").0/24"
cat >"$dir/env" <<ENV
export SLURM_CONF=$dir/slurm.conf
export OMPI_MCA_btl=tcp,self OMPI_MCA_btl_tcp_if_include=$subnet OMPI_MCA_oob_tcp_if_include=$subnet
ENV
export SLURM_CONF=$dir/slurm.conf

"$here/exec.sh" "$first" slurmctld -f "$SLURM_CONF"
for node in $nodes; do
    mkdir -p "$dir/spool/$node" "$dir/tmp-$node"
    # nsenter rather than `ip netns exec`: the latter remounts /sys, hiding the cgroup
    # hierarchy that slurmd needs.
    nsenter --net="/run/netns/$node" unshare --uts --mount --propagation private -- /bin/sh -c \
        'hostname "$0" && mount --bind "$1/tmp-$0" "$1/nodetmp" && exec slurmd -f "$SLURM_CONF" -N "$0"' "$node" "$dir"
done
for _ in $(seq 1 60); do
    idle=$("$here/exec.sh" "$first" sinfo -h -N -o '%T' 2>/dev/null | grep -cE '^(idle|mixed|allocated)' || true)
    [ "$idle" -eq "$(wc -l <<<"$nodes")" ] && break
    sleep 0.5
done
[ "$idle" -eq "$(wc -l <<<"$nodes")" ] || sim_die "only $idle of $(wc -l <<<"$nodes") nodes came up in Slurm"
ok=1
echo "slurm-start.sh: Slurm is up on cluster '$name' ($(wc -l <<<"$nodes") nodes); submit with cluster/sim/slurm.sh sbatch ..."
