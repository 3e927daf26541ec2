# Shared by the fault scripts in tests/faults/ (sourced, not run: .ci/run runs *.sh only).
# Binaries: $DIFFUSE_BIN (default the debug build). Each script works in a fresh temporary
# folder ($work) removed on exit, and bounds every command with `timeout`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BIN=${DIFFUSE_BIN:-.build/debug}
TRAIN=$BIN/diffuse-train
SAMPLE=$BIN/diffuse-sample
for b in "$TRAIN" "$SAMPLE"; do
    [ -x "$b" ] || { echo "$(basename "$0"): $b is not built (swift build)" >&2; exit 1; }
done
command -v h5diff >/dev/null || { echo "$(basename "$0"): h5diff (hdf5-tools) is needed" >&2; exit 1; }
work=$(mktemp -d /tmp/diffuse-faults.XXXXXX)
cleanup_hooks=()
cleanup() {
    local h
    for h in "${cleanup_hooks[@]:-}"; do [ -n "$h" ] && eval "$h" || true; done
    rm -rf "$work"
}
trap cleanup EXIT
export OPENBLAS_NUM_THREADS=1 DIFFUSE_THREADS=1
MPIRUN=(mpirun --allow-run-as-root --oversubscribe -x OPENBLAS_NUM_THREADS=1 -x DIFFUSE_THREADS=1)

fail() { echo "$(basename "$0"): FAIL: $*" >&2; exit 1; }
note() { echo "  $(basename "$0" .sh): $*"; }

# A tiny MLP on two-moons (steps, checkpoint_every, extra YAML lines appended to train:).
write_config() {   # path steps checkpoint_every [keep_last]
    cat >"$1" <<YAML
name: faults
data:
  source: two-moons
  count: 512
model:
  kind: mlp
  mlp:
    hidden_widths: [32, 32]
    pos_dim: 8
    emb_dim: 8
optim:
  lr: 1.0e-3
  warmup_steps: 10
  decay: cosine
ema:
  decay: 0.9
train:
  global_batch: 32
  steps: $2
  seed: 7
  log_every: 1
  sample_every: 0
  checkpoint_every: $3
  keep_last: ${4:-3}
sample:
  count: 0
YAML
}

# "step loss" per metrics line; for steps logged twice (a run resumed from an older
# checkpoint repeats them) the last occurrence wins, so this is the loss sequence the run
# finally followed.
loss_sequence() {   # metrics.jsonl
    sed -nE 's/.*"loss":([^,}]*).*"step":([0-9]+)}$/\2 \1/p' "$1" | awk '{ last[$1] = $2 } END { for (s in last) print s, last[s] }' | sort -n
}

newest_checkpoint() {   # run folder
    { ls "$1"/checkpoints/step-*.h5 2>/dev/null || true; } | sort | tail -1
}

# The checkpoint opens and validates as a model (diffuse-sample draws 2 samples from it).
assert_loadable() {   # checkpoint
    timeout 60 "$SAMPLE" --checkpoint "$1" --count 2 --steps 2 --sampler euler --h5 "$work/probe.h5" >/dev/null 2>"$work/probe.err" \
        || fail "$1 does not load: $(cat "$work/probe.err")"
}

# Same /model, /ema and /optimizer, bit for bit.
assert_same_state() {   # a.h5 b.h5
    local g
    for g in /model /ema /optimizer; do
        h5diff "$1" "$2" "$g" "$g" >"$work/h5diff.out" 2>&1 || fail "$g differs between $1 and $2: $(head -5 "$work/h5diff.out")"
    done
}

wait_for_step() {   # metrics.jsonl step seconds
    local deadline=$((SECONDS + ${3:-60}))
    while [ $SECONDS -lt $deadline ]; do
        if [ -s "$1" ]; then
            local last
            last=$(tail -1 "$1" | sed -nE 's/.*"step":([0-9]+).*/\1/p')
            [ -n "$last" ] && [ "$last" -ge "$2" ] && return 0
        fi
        sleep 0.05
    done
    fail "$1 did not reach step $2 within ${3:-60} s"
}
