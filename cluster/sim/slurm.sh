#!/usr/bin/env bash
# Runs a Slurm client command (sbatch, srun, sinfo, squeue, scontrol, scancel, ...) on the first
# node of a simulated cluster started with cluster/sim/slurm-start.sh, as from a login node,
# with SLURM_CONF and the MPI-over-TCP settings of the cluster in the environment (jobs
# inherit them), in the current folder.
#
#   cluster/sim/slurm.sh [--name NAME] COMMAND [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
name=dfsim
case "${1:-}" in
    --name) name=${2:?--name needs a value}; shift 2 ;;
    -h|--help|"") sim_usage; [ -n "${1:-}" ] && exit 0; exit 2 ;;
esac
sim_check_name "$name"
env=$(sim_state "$name")/slurm/env
[ -f "$env" ] || sim_die "Slurm is not running on cluster '$name' (cluster/sim/slurm-start.sh --name $name)"
source "$env"
"$here/exec.sh" "$(sim_nodes "$name" | head -1)" "$@"
