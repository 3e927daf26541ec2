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
"$here/../local-slurm/stop.sh" "$dir"
rm -rf "$dir"
echo "slurm-stop.sh: Slurm of cluster '$name' stopped"
