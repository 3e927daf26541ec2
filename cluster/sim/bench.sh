#!/usr/bin/env bash
# Measures communication on a simulated cluster under several link rates: for each rate,
# the raw allreduce time of the model's gradient size (diffuse-mpi-check --bench-allreduce,
# no compute) and the training step with its exposed communication
# (diffuse-bench allreduce). Prints one markdown table row per rate, and the JSON lines.
#
#   cluster/sim/bench.sh [--name NAME] [--nodes N] [--config mnist|cifar-small|ddpm-cifar10]
#                        [--megabytes MB] [--steps S] [--rates "unlimited 10gbit 1gbit"]
#
# Starts the cluster (N nodes, default 2, one rank each) if it is not up; leaves it up with
# no limits. --megabytes is the gradient size in whole MB (default 16: mnist has 3,939,393 float32, 15.8 MB).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
name=dfsim; nodes=2; config=mnist; mb=16; steps=3; rates="unlimited 10gbit 1gbit"
while [ $# -gt 0 ]; do
    case "$1" in
        --name) name=$2; shift 2 ;;
        --nodes) nodes=$2; shift 2 ;;
        --config) config=$2; shift 2 ;;
        --megabytes) mb=$2; shift 2 ;;
        --steps) steps=$2; shift 2 ;;
        --rates) rates=$2; shift 2 ;;
        -h|--help) sim_usage; exit 0 ;;
        *) sim_die "unknown argument '$1' (see --help)" ;;
    esac
done
sim_check_root
if [ ! -f "$(sim_state "$name")/nodes" ] || [ "$(wc -l <"$(sim_state "$name")/nodes")" -ne "$nodes" ]; then
    "$here/start.sh" --name "$name" --nodes "$nodes" >&2
fi
echo "| rate | allreduce ${mb} MB alone (ms) | step (ms) | exposed communication (ms) | exposed / step |"
echo "|---|---|---|---|---|"
for rate in $rates; do
    if [ "$rate" = unlimited ]; then "$here/shape.sh" --name "$name" --clear >&2
    else "$here/shape.sh" --name "$name" --rate "$rate" >&2; fi
    out=$(timeout 600 "$here/mpirun.sh" --name "$name" diffuse-mpi-check --bench-allreduce --megabytes "$mb" --repetitions 3 2>&1) \
        || sim_die "diffuse-mpi-check --bench-allreduce failed at rate $rate: $(tail -5 <<<"$out")"
    raw=$(sed -nE 's/^single request: .* allreduce ([0-9.]+) ms.*/\1/p' <<<"$out")
    out=$(timeout 1800 "$here/mpirun.sh" --name "$name" diffuse-bench allreduce --config "$config" --steps "$steps" --warmup 1 --json 2>&1) \
        || sim_die "diffuse-bench allreduce failed at rate $rate: $(tail -5 <<<"$out")"
    json=$(grep '^{' <<<"$out" | tail -1)
    [ -n "$json" ] || sim_die "diffuse-bench allreduce gave no result at rate $rate: $(tail -5 <<<"$out")"
    echo "$json" >&2
    python3 - "$rate" "${raw:-?}" "$json" <<'PY'
import json, sys
rate, raw, j = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
step = 1e3 * j["batch"] / j["train_img_per_s"]
e = j.get("exposed_comm_ms", float("nan"))
print(f"| {rate} | {raw} | {step:.0f} | {e:.0f} | {100 * e / step:.1f}% |")
PY
done
"$here/shape.sh" --name "$name" --clear >&2
