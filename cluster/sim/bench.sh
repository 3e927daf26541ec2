#!/usr/bin/env bash
# Measures communication on a simulated cluster under several link rates and bucket sizes:
# for each rate, the allreduce time of the model's whole gradient alone (diffuse-mpi-check
# --bench-allreduce, no compute), then for each bucket size the training step and its exposed
# communication (diffuse-bench allreduce, the blocked wait after backward). Overlap
# efficiency = 1 - exposed / allreduce alone: the share of the communication hidden under
# backward. Prints one markdown table row per (rate, bucket size), and the JSON lines on stderr.
#
#   cluster/sim/bench.sh [--name NAME] [--nodes N] [--config mnist|cifar-small|ddpm-cifar10]
#                        [--megabytes MB] [--steps S] [--rates "unlimited 10gbit 1gbit"]
#                        [--buckets "25 4 100"] [--first-bucket-mb MB]
#
# Starts the cluster (N nodes, default 2, one rank each) if it is not up; leaves it up with
# no limits. --megabytes is the size of the allreduce alone in whole MB (default: the config's
# gradient, 4 bytes per parameter as diffuse-bench reports them, rounded up). Use a release build
# (DIFFUSE_BIN=.build/release, or the default lookup finds .build/release first).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
name=dfsim; nodes=2; config=mnist; mb=; steps=3; rates="unlimited 10gbit 1gbit"; buckets=4; first=1
while [ $# -gt 0 ]; do
    case "$1" in
        --name) name=$2; shift 2 ;;
        --nodes) nodes=$2; shift 2 ;;
        --config) config=$2; shift 2 ;;
        --megabytes) mb=$2; shift 2 ;;
        --steps) steps=$2; shift 2 ;;
        --rates) rates=$2; shift 2 ;;
        --buckets) buckets=$2; shift 2 ;;
        --first-bucket-mb) first=$2; shift 2 ;;
        -h|--help) sim_usage; exit 0 ;;
        *) sim_die "unknown argument '$1' (see --help)" ;;
    esac
done
sim_check_root
if [ ! -f "$(sim_state "$name")/nodes" ] || [ "$(wc -l <"$(sim_state "$name")/nodes")" -ne "$nodes" ]; then
    "$here/start.sh" --name "$name" --nodes "$nodes" >&2
fi
echo "| nodes | rate | allreduce alone (MB) | allreduce alone (ms) | bucket MB | step (ms) | exposed (ms) | exposed / step | overlap efficiency |"
echo "|---|---|---|---|---|---|---|---|---|"
for rate in $rates; do
    if [ "$rate" = unlimited ]; then "$here/shape.sh" --name "$name" --clear >&2
    else "$here/shape.sh" --name "$name" --rate "$rate" >&2; fi
    jsons=()
    for bucket in $buckets; do
        out=$(timeout 3600 "$here/mpirun.sh" --name "$name" diffuse-bench allreduce --config "$config" --steps "$steps" --warmup 1 \
                  --first-bucket-mb "$first" --bucket-mb "$bucket" --json 2>&1) \
            || sim_die "diffuse-bench allreduce failed at rate $rate, bucket $bucket MB: $(tail -5 <<<"$out")"
        json=$(grep '^{' <<<"$out" | tail -1)
        [ -n "$json" ] || sim_die "diffuse-bench allreduce gave no result at rate $rate: $(tail -5 <<<"$out")"
        echo "$json" >&2
        jsons+=("$json")
    done
    # The gradient's size, from the parameters the benchmark reports (once).
    [ -n "$mb" ] || mb=$(python3 -c 'import json, math, sys; print(math.ceil(4 * json.loads(sys.argv[1])["params"] / 2**20))' "${jsons[0]}")
    out=$(timeout 600 "$here/mpirun.sh" --name "$name" diffuse-mpi-check --bench-allreduce --megabytes "$mb" --repetitions 3 2>&1) \
        || sim_die "diffuse-mpi-check --bench-allreduce failed at rate $rate: $(tail -5 <<<"$out")"
    raw=$(sed -nE 's/^single request: .* allreduce ([0-9.]+) ms.*/\1/p' <<<"$out")
    set -- $buckets
    for json in "${jsons[@]}"; do
        python3 - "$nodes" "$rate" "$mb" "${raw:-nan}" "$1" "$json" <<'PY'
import json, math, sys
nodes, rate, mb, raw, bucket, j = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5], json.loads(sys.argv[6])
step = 1e3 * j["batch"] / j["train_img_per_s"]
e = j.get("exposed_comm_ms", float("nan"))
eff = 1 - e / raw if raw > 0 and not math.isnan(raw) else float("nan")
print(f"| {nodes} | {rate} | {mb} | {raw:.1f} | {bucket} | {step:.0f} | {e:.0f} | {100 * e / step:.1f}% | {100 * eff:.0f}% |")
PY
        shift
    done
done
"$here/shape.sh" --name "$name" --clear >&2
