#!/usr/bin/env bash
# Integration test against a real one-node Slurm cluster started on this machine
# (cluster/local-slurm): train.sbatch on a tiny config with 2 tasks (srun --mpi=pmix),
# USR1 sent to the batch script mid-run (as --signal=B:USR1@... does before a time limit),
# then checks that the job checkpointed, requeued itself, resumed and finished at the
# configured step; then sample.sbatch as a 2-task array against the run, and its outputs.
# The cluster is always stopped (by PID) on exit. Bounded by timeouts throughout.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
bin=${DIFFUSE_BIN:-$root/.build/debug}
for p in diffuse-train diffuse-sample; do
    [ -x "$bin/$p" ] || { echo "slurm.sh: $bin/$p is not built" >&2; exit 1; }
done
if ! command -v slurmctld >/dev/null; then
    echo "slurm.sh: Slurm is not installed (scripts/install-deps.sh --slurm)" >&2; exit 1
fi

work=$(mktemp -d /tmp/diffuse-slurm-test.XXXXXX)
cluster="$work/cluster"
cleanup() {
    [ -n "${SLURM_CONF:-}" ] && scancel --full "${job:-0}" 2>/dev/null || true
    "$root/cluster/local-slurm/stop.sh" "$cluster"
    rm -rf "$work"
}
trap cleanup EXIT
eval "$(cluster/local-slurm/start.sh "$cluster")"

steps=400
cat > "$work/tiny.yaml" <<YAML
name: tiny
data: {source: two-moons, count: 1024}
model: {kind: mlp, mlp: {hidden_widths: [32, 32], pos_dim: 16, emb_dim: 16}}
optim: {lr: 1.0e-3}
train: {global_batch: 64, steps: $steps, log_every: 20, sample_every: 0, checkpoint_every: 100, keep_last: 2}
sample: {sampler: euler, steps: 4, count: 64}
YAML

export DIFFUSE_BIN="$bin" DIFFUSE_RUNS="$work/runs"
cd "$work"
job=$(sbatch --parsable -n 2 -O --time=10 --output="$work/train-%j.out" \
      "$root/cluster/slurm/train.sbatch" "$work/tiny.yaml" tiny)
echo "submitted training job $job"

# Wait until training has made progress, then send USR1 to the batch script.
metrics="$work/runs/tiny/metrics.jsonl"
for _ in $(seq 1 600); do
    [ -s "$metrics" ] && [ "$(wc -l < "$metrics")" -ge 2 ] && break
    sleep 0.5
done
[ -s "$metrics" ] || { echo "slurm.sh: training never logged"; cat "$work"/train-*.out; exit 1; }
scancel --signal=USR1 --batch "$job"
echo "sent USR1 to job $job"

# The script forwards USR1, the ranks checkpoint and stop, the job requeues itself.
for _ in $(seq 1 240); do
    restarts=$(scontrol show job "$job" | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p')
    [ "${restarts:-0}" -ge 1 ] && break
    sleep 0.5
done
[ "${restarts:-0}" -ge 1 ] || { echo "slurm.sh: job was not requeued"; cat "$work"/train-*.out; exit 1; }
grep -q "requeueing job $job" "$work/train-$job.out" || { echo "slurm.sh: no requeue line"; cat "$work/train-$job.out"; exit 1; }
ls "$work/runs/tiny/checkpoints/"step-*.h5 >/dev/null || { echo "slurm.sh: no checkpoint after USR1"; exit 1; }
interrupted=$(ls "$work/runs/tiny/checkpoints/" | grep -E '^step-[0-9]+\.h5$' | sort | tail -1)
echo "checkpoint after USR1: $interrupted; job requeued"
# The first run's end is recorded before the job is pending again; a requeued job then
# waits for its begin time (about two minutes): let it start now.
for _ in $(seq 1 120); do
    state=$(scontrol show job "$job" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
    case "$state" in PENDING|RUNNING|CONFIGURING) break ;; esac
    sleep 0.5
done
scontrol update jobid="$job" StartTime=now 2>/dev/null || true

for _ in $(seq 1 600); do
    state=$(scontrol show job "$job" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
    case "$state" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL) break ;; esac
    sleep 0.5
done
[ "$state" = COMPLETED ] || { echo "slurm.sh: job ended $state"; cat "$work/train-$job.out"; exit 1; }
[ -f "$work/runs/tiny/COMPLETED" ] || { echo "slurm.sh: run not marked complete"; exit 1; }
final=$(printf 'step-%08d.h5' "$steps")
[ -f "$work/runs/tiny/checkpoints/$final" ] || { echo "slurm.sh: missing final $final"; ls "$work/runs/tiny/checkpoints"; exit 1; }
grep -q "restart 1" "$work/train-$job.out" || { echo "slurm.sh: no resumed run in the log"; exit 1; }
[ "$(grep -c "\"step\":$steps[,}]" "$metrics")" -eq 1 ] || { echo "slurm.sh: step $steps logged other than once"; exit 1; }
echo "training finished at step $steps after a requeue"

# Sampling sweep: 2 samplers x 1 step count as a job array.
sjob=$(SAMPLERS="euler heun" STEPS="4" COUNT=16 sbatch --parsable --array=0-1 --output="$work/sample-%A_%a.out" \
       "$root/cluster/slurm/sample.sbatch" "$work/runs/tiny" "$work/sweep")
for _ in $(seq 1 600); do
    left=$(squeue -h -j "$sjob" 2>/dev/null | wc -l)
    [ "$left" -eq 0 ] && break
    sleep 0.5
done
for s in euler heun; do
    for ext in png h5; do
        [ -s "$work/sweep/$s-4.$ext" ] || { echo "slurm.sh: missing $s-4.$ext"; cat "$work"/sample-*.out; exit 1; }
    done
done
h5dump -H -d samples "$work/sweep/euler-4.h5" | grep -q "( 16, 2 )" || { echo "slurm.sh: wrong sample shape"; h5dump -H "$work/sweep/euler-4.h5"; exit 1; }
echo "slurm.sh: passed (train, USR1, requeue, resume, complete; sampling array)"
