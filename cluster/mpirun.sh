#!/usr/bin/env bash
# Runs a Diffuse executable over MPI on this machine with a sensible ranks x threads split.
#
#   cluster/mpirun.sh [-n RANKS] [-t THREADS] [--oversubscribe] diffuse-train --config configs/mnist.yaml
#
# Defaults: one rank per core and one thread per rank, so ranks x threads never exceeds
# the cores unless --oversubscribe is given. Running as root is handled (OpenMPI refuses it
# otherwise). The program is looked up in DIFFUSE_BIN, .build/release, .build/debug, then PATH.
set -euo pipefail
cores=$(nproc)
ranks=$cores; threads=1; over=0
while [ $# -gt 0 ]; do
    case "$1" in
        -n) ranks=$2; shift 2 ;;
        -t) threads=$2; shift 2 ;;
        --oversubscribe) over=1; shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || { echo "mpirun.sh: name the program to run (e.g. diffuse-train --config ...)" >&2; exit 2; }
prog=$1; shift
if [ $(( ranks * threads )) -gt "$cores" ] && [ "$over" -eq 0 ]; then
    echo "mpirun.sh: $ranks ranks x $threads threads exceeds $cores cores; lower -n/-t or pass --oversubscribe" >&2
    exit 2
fi
for dir in "${DIFFUSE_BIN:-}" .build/release .build/debug; do
    if [ -n "$dir" ] && [ -x "$dir/$prog" ]; then prog="$dir/$prog"; break; fi
done
# DIFFUSE_THREADS per rank: Diffuse puts OpenBLAS at one thread and splits GEMMs and loops itself.
args=(-np "$ranks" -x DIFFUSE_THREADS="$threads")
[ "$(id -u)" -eq 0 ] && args+=(--allow-run-as-root)
[ "$ranks" -gt "$cores" ] || [ "$over" -eq 1 ] && args+=(--oversubscribe)
# Bind nothing: with threads > 1 per rank, OpenMPI's default core binding would pin a rank's
# BLAS threads to one core.
args+=(--bind-to none)
# SIGTERM to mpirun reaches the ranks T seconds later and SIGKILL after another T
# (OpenMPI 4.1, T = odls_base_sigkill_timeout, default 1): give rank 0 time to checkpoint.
export OMPI_MCA_odls_base_sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-20}
exec mpirun "${args[@]}" "$prog" "$@"
