#!/usr/bin/env bash
# Smoke test of diffuse-train on the shipped configs (run by .ci/run after the unit tests):
# each config trains a few steps (tiny overrides, debug build), writes its run folder
# (resolved config, metrics, sample grid, checkpoint, COMPLETED), and a second call with
# --resume auto finds the run complete. Bounded by `timeout`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${DIFFUSE_BIN:-.build/debug}/diffuse-train
[ -x "$bin" ] || { echo "train-configs: $bin not built" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1

check_run() {   # run-dir, expected step
    local run=$1 step=$2
    for f in config.yaml metrics.jsonl log.txt COMPLETED "checkpoints/$(printf 'step-%08d.h5' "$step")" \
             "samples/$(printf 'step-%08d.png' "$step")"; do
        [ -s "$run/$f" ] || { echo "train-configs: missing $run/$f" >&2; exit 1; }
    done
    grep -Eq "\"step\":$step[,}]" "$run/metrics.jsonl" || { echo "train-configs: no metrics line for step $step in $run" >&2; exit 1; }
    h5dump -A -a /format "$run/checkpoints/$(printf 'step-%08d.h5' "$step")" | grep -q '"diffuse.checkpoint"' \
        || { echo "train-configs: checkpoint format attribute missing" >&2; exit 1; }
}

echo "-- shapes.yaml"
timeout 600 "$bin" --config configs/shapes.yaml --run-dir "$work/shapes" \
    --set train.steps=3 --set train.global_batch=4 --set data.count=64 --set sample.count=4 --set sample.steps=2 \
    --set model.unet.channels_per_depth='[8, 16]' --set model.unet.num_groups=4 >"$work/shapes.out"
check_run "$work/shapes" 3
timeout 60 "$bin" --config configs/shapes.yaml --run-dir "$work/shapes" --resume auto \
    --set train.steps=3 --set train.global_batch=4 --set data.count=64 \
    --set model.unet.channels_per_depth='[8, 16]' --set model.unet.num_groups=4 | grep -q "nothing to do"

echo "-- toy2d.yaml"
timeout 300 "$bin" --config configs/toy2d.yaml --run-dir "$work/toy" \
    --set train.steps=3 --set train.global_batch=16 --set sample.count=64 --set sample.steps=2 >"$work/toy.out"
check_run "$work/toy" 3

echo "-- mnist-cond.yaml (class-conditional) on the labelled built-in shapes28"
timeout 600 "$bin" --config configs/mnist-cond.yaml --run-dir "$work/cond" \
    --set data.source=shapes28 --set data.count=64 --set train.steps=3 --set train.global_batch=4 \
    --set sample.count=10 --set sample.steps=2 \
    --set model.unet.channels_per_depth='[8, 16]' --set model.unet.attention_depths='[1]' --set model.unet.num_groups=4 \
    >"$work/cond.out"
check_run "$work/cond" 3
h5dump -A -a /unet_config "$work/cond/checkpoints/step-00000003.h5" | grep -Eq 'num_classes\\?":10' \
    || { echo "train-configs: unet_config of mnist-cond lacks num_classes 10" >&2; exit 1; }

echo "-- mnist.yaml without its data file: a clear error"
if "$bin" --config configs/mnist.yaml --run-dir "$work/mnist" --set data.source=/nonexistent/mnist.h5 2>"$work/mnist.err"; then
    echo "train-configs: mnist without data should fail" >&2; exit 1
fi
grep -q "data.source: the dataset file '/nonexistent/mnist.h5' does not exist" "$work/mnist.err" \
    || { cat "$work/mnist.err" >&2; exit 1; }
echo "train-configs: ok"
