#!/usr/bin/env bash
# Sample quality against minutes of training: trains a config on this machine in segments that
# stop at the given cumulative minutes (train.time_limit_minutes, then --resume auto), and after
# each segment measures the newest checkpoint with `diffuse-eval fid` (EMA weights).
#
#   cluster/time-to-quality.sh --config configs/mnist.yaml --minutes 15,30 \
#       --classifier runs/classifiers/mnist.h5 --reference data/mnist.h5 \
#       [--count 500] [--steps 16] [-n RANKS] [--run-dir DIR] [--set key=value ...]
#
# Minutes count training in the trainer (its grids and checkpoints included; start-up and the
# measurements between segments excluded). Prints one line per mark and writes
# RUN_DIR/quality-vs-minutes.tsv (minutes, step, FID, precision, recall).
set -euo pipefail
config=""; minutes=""; classifier=""; reference=""; count=500; steps=""; ranks=2; run_dir=""; sets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --config) config=$2; shift 2 ;;
        --minutes) minutes=$2; shift 2 ;;
        --classifier) classifier=$2; shift 2 ;;
        --reference) reference=$2; shift 2 ;;
        --count) count=$2; shift 2 ;;
        --steps) steps=$2; shift 2 ;;
        -n) ranks=$2; shift 2 ;;
        --run-dir) run_dir=$2; shift 2 ;;
        --set) sets+=(--set "$2"); shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "time-to-quality.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
for need in config minutes classifier reference; do
    [ -n "${!need}" ] || { echo "time-to-quality.sh: --$need is required (see --help)" >&2; exit 2; }
done
for f in "$config" "$classifier" "$reference"; do
    [ -f "$f" ] || { echo "time-to-quality.sh: no such file: $f" >&2; exit 2; }
done
here=$(cd "$(dirname "$0")" && pwd)
bin=""
for dir in "${DIFFUSE_BIN:-}" .build/release .build/debug; do
    if [ -n "$dir" ] && [ -x "$dir/diffuse-eval" ]; then bin=$dir; break; fi
done
[ -n "$bin" ] || { echo "time-to-quality.sh: build first (swift build -c release)" >&2; exit 2; }
[ -n "$run_dir" ] || run_dir=runs/ttq-$(basename "$config" .yaml)
if [ -e "$run_dir" ]; then echo "time-to-quality.sh: $run_dir exists; choose another --run-dir or remove it" >&2; exit 2; fi
table=$run_dir/quality-vs-minutes.tsv
previous=0
IFS=, read -ra marks <<< "$minutes"
for mark in "${marks[@]}"; do
    segment=$(python3 -c "m, p = float('$mark'), float('$previous'); assert m > p, 'minutes must increase'; print(m - p)")
    resume=(); [ "$previous" = 0 ] || resume=(--resume auto)
    echo "== $(date -u +%H:%M:%S) training to minute $mark ($segment more) in $run_dir"
    "$here/mpirun.sh" -n "$ranks" diffuse-train --config "$config" --run-dir "$run_dir" "${resume[@]}" \
        "${sets[@]}" --set train.time_limit_minutes="$segment" 2>&1 | grep -E "reached|error|step .*loss" | tail -3
    json=$run_dir/fid-minute-$mark.json
    step_args=(); [ -z "$steps" ] || step_args=(--steps "$steps")
    "$bin/diffuse-eval" fid --checkpoint "$run_dir" --classifier "$classifier" --reference "$reference" \
        --count "$count" "${step_args[@]}" --json "$json" > "$run_dir/fid-minute-$mark.log" 2>&1 \
        || { cat "$run_dir/fid-minute-$mark.log" >&2; exit 1; }
    line=$(python3 - "$json" "$mark" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
m = {x["name"]: x["value"] for x in r["metrics"]}
step = re.search(r"step-0*(\d+)\.h5", r["source"])
print(f"{sys.argv[2]}\t{step.group(1) if step else '?'}\t{m['fid']:.2f}\t{m['precision']:.3f}\t{m['recall']:.3f}")
PY
)
    [ -f "$table" ] || printf "minutes\tstep\tfid\tprecision\trecall\n" > "$table"
    echo "$line" >> "$table"
    echo "   $line"
    previous=$mark
done
cat "$table"
