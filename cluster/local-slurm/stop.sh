#!/usr/bin/env bash
# Stops the local cluster started by start.sh FOLDER (or the Slurm of cluster/sim/slurm-start.sh,
# whose slurmd pid files are slurmd-NODE.pid): each daemon by the PID in its pid file
# (never by name, so other Slurm or munge processes on the machine are left alone).
set -u
dir=${1:?usage: stop.sh FOLDER}
for pidfile in "$dir/slurmd.pid" "$dir"/slurmd-*.pid "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
done
exit 0
