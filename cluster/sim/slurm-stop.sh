#!/usr/bin/env bash
# Stops the Slurm of a simulated cluster (cluster/sim/slurm-start.sh): slurmd, slurmctld and
# munged, each by the PID in its pid file (SIGTERM, SIGKILL after 5 s), then removes its folder.
# cluster/sim/stop.sh runs it. The cluster itself stays up.
#
#   cluster/sim/slurm-stop.sh [--name NAME]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
name=dfsim
case "${1:-}" in
    --name) name=${2:?--name needs a value} ;;
    -h|--help) sim_usage; exit 0 ;;
esac
sim_check_name "$name"
dir=$(sim_state "$name")/slurm
[ -d "$dir" ] || exit 0
for pidfile in "$dir"/slurmd-*.pid "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
done
rm -rf "$dir"
echo "slurm-stop.sh: Slurm of cluster '$name' stopped"
