#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine for tests and local use:
# munged + slurmctld + slurmd with every file (config, keys, sockets, state, logs) under one
# folder. Prints `export SLURM_CONF=...` for the caller to eval. Stop it with stop.sh FOLDER.
#
#   eval "$(cluster/local-slurm/start.sh /tmp/diffuse-slurm)"
#   sbatch ...; cluster/local-slurm/stop.sh /tmp/diffuse-slurm
#
# Needs Debian's `slurm-wlm munge` (install.sh installs them) and root (slurmd runs jobs as
# their users). Facts measured here: slurmd matches NodeName=localhost; `srun --mpi=pmix` works;
# `-O` lets a job have more tasks than CPUs.
set -euo pipefail
dir=${1:-$(mktemp -d /tmp/diffuse-slurm.XXXXXX)}
mkdir -p "$dir"/{state,spool,log,munge}
dir=$(cd "$dir" && pwd)
chmod 0700 "$dir/munge"

for cmd in munged slurmctld slurmd sinfo; do
    command -v "$cmd" >/dev/null || { echo "start.sh: $cmd not found; run cluster/local-slurm/install.sh" >&2; exit 1; }
done

cpus=$(nproc)
mem_mb=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)

# munge: a private key and socket, so a system munged (if any) is not touched.
if [ ! -f "$dir/munge/munge.key" ]; then
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 0400 "$dir/munge/munge.key"
fi
munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
       --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
       --seed-file="$dir/munge/munge.seed" --force

cat > "$dir/slurm.conf" <<CONF
ClusterName=diffuse-local
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
SlurmctldPort=$((6817 + RANDOM % 500))
SlurmdPort=$((7400 + RANDOM % 500))
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
Include $(cd "$(dirname "$0")" && pwd)/policy.conf
NodeName=localhost CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
export SLURM_CONF="$dir/slurm.conf"

slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

# Wait until the node is idle (or mixed) and accepts jobs.
for _ in $(seq 1 60); do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
    case "$state" in idle*|mixed*|allocated*) echo "export SLURM_CONF=$SLURM_CONF"; exit 0 ;; esac
    sleep 0.5
done
echo "start.sh: the node did not come up (state '${state:-none}'); logs in $dir/log" >&2
tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
exit 1
