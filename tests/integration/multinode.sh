#!/usr/bin/env bash
# diffuse-train on a simulated 2-node cluster (cluster/sim: one network namespace per node,
# a bridge between them, a 1 Gbit/s limit per link), ranks talking over TCP only:
#   1. the 2-node run gives the losses of one process (relative 1e-4 per step, as the
#      np-equivalence unit tests), and its gradients really crossed the simulated network;
#   2. kill -9 of the rank on node 2 mid-run, and in the resumed run of every process of
#      node 2 (a node crash: its orted and its rank), each end the job with a non-zero
#      status and a clear message naming the node, without a hang, and nothing of the job
#      survives on node 1;
#   3. `--resume auto` on the 2 nodes then continues exactly: the loss sequence and the
#      final /model, /ema, /optimizer equal those of an uninterrupted 2-node run, bit for bit;
#   4. with Slurm started on the 2 nodes (cluster/sim/slurm-start.sh: one slurmd per node),
#      `sbatch -N 2 cluster/slurm/train.sbatch` trains on both nodes and completes.
# Needs root (namespaces) and the debug build. The cluster is torn down on exit, also on failure.
source "$(dirname "$0")/../faults/common.bash"
cluster=dfci
[ "$(id -u)" -eq 0 ] || fail "needs root: it creates network namespaces"
cleanup_hooks+=("cluster/sim/stop.sh --name $cluster --quiet")
# Interrupted (Ctrl-C, or a CI timeout's SIGTERM): still run the EXIT cleanup above.
trap 'exit 130' INT
trap 'exit 143' TERM
timeout 60 cluster/sim/start.sh --name "$cluster" --nodes 2 --rate 1gbit >"$work/start.out" 2>&1 \
    || fail "the simulated cluster did not start: $(cat "$work/start.out")"
node2=$cluster-node2
# Deterministic kernel choice (no timing), so that every run computes exactly the same way.
export DIFFUSE_KERNELS=rule
# After a failure mpirun waits 2 x this many seconds per stage before returning (OpenMPI 4.1).
export OMPI_MCA_odls_base_sigkill_timeout=2
steps=60
overrides=(--set train.steps=$steps --set train.global_batch=8 --set data.count=256
           --set model.unet.channels_per_depth='[8, 16]' --set model.unet.num_groups=4
           --set optim.warmup_steps=5 --set train.log_every=1 --set train.checkpoint_every=10
           --set train.keep_last=3 --set train.sample_every=0 --set sample.count=0)
train1() { timeout 300 "$TRAIN" --config configs/shapes.yaml "${overrides[@]}" "$@"; }
train2() { timeout 300 cluster/sim/mpirun.sh --name "$cluster" -n 2 diffuse-train --config configs/shapes.yaml "${overrides[@]}" "$@"; }
rx_bytes() { ip netns exec "$node2" cat /sys/class/net/eth0/statistics/rx_bytes; }

# 1. One process against 2 nodes.
train1 --run-dir "$work/one" >"$work/one.out" 2>&1 || fail "1-process run failed: $(tail -5 "$work/one.out")"
rx0=$(rx_bytes)
train2 --run-dir "$work/two" >"$work/two.out" 2>&1 || fail "2-node run failed: $(tail -20 "$work/two.out")"
rx1=$(rx_bytes)
grep -q "on 2 rank(s)" "$work/two/log.txt" || fail "the 2-node run did not train on 2 ranks: $(head -5 "$work/two/log.txt")"
params=$(sed -nE 's/.*training ([0-9]+) parameters.*/\1/p' "$work/two/log.txt" | head -1)
# At least one float32 gradient per parameter and step reached node 2 over its link.
[ $((rx1 - rx0)) -ge $((params * 4 * steps)) ] \
    || fail "node 2 received only $((rx1 - rx0)) bytes for $steps allreduces of $params parameters: not over the simulated network?"
join <(loss_sequence "$work/one/metrics.jsonl") <(loss_sequence "$work/two/metrics.jsonl") >"$work/joined"
[ "$(wc -l <"$work/joined")" -eq "$steps" ] || fail "expected $steps losses in both runs, matched $(wc -l <"$work/joined")"
awk '{ d = $2 - $3; if (d < 0) d = -d; a = ($2 < 0 ? -$2 : $2); if (d > 1e-4 * a) { print "step " $1 ": " $2 " vs " $3; bad = 1 } if (d > m) m = d }
     END { printf "max abs difference %.3g\n", m > "/dev/stderr"; exit bad }' "$work/joined" 2>"$work/maxdiff" >"$work/bad" \
    || fail "2-node losses differ from 1 process: $(head -5 "$work/bad")"
note "2 nodes over TCP (1gbit links) = 1 process for $steps steps ($(cat "$work/maxdiff")); node 2 received $(((rx1 - rx0) / 1024)) KiB"

# 2. Failures mid-run: first only the rank on node 2 dies (its orted reports it), then, in
# the resumed run, the whole node (its orted and rank: mpirun loses the node's daemon).
crash() {   # what(rank|node) at-step output [train2 args...]
    local what=$1 at=$2 out=$3; shift 3
    train2 "$@" >"$out" 2>&1 &
    local job=$! victims status took killed left
    wait_for_step "$work/cut/metrics.jsonl" "$at" 120
    if [ "$what" = rank ]; then
        victims=$(pgrep -f "diffuse-train --config configs/shapes.yaml" | while read -r p; do
            [ "$(ip netns identify "$p" 2>/dev/null)" = "$node2" ] && echo "$p"; done | paste -sd,)
    else
        victims=$(ip netns pids "$node2" | paste -sd,)
    fi
    [ -n "$victims" ] || fail "nothing to kill on $node2"
    ps -o args= -p "$victims" | grep -q diffuse-train || fail "no diffuse-train rank on $node2: $(ps -o args= -p "$victims")"
    kill -9 ${victims//,/ }
    killed=$SECONDS
    set +e; wait "$job"; status=$?; set -e
    took=$((SECONDS - killed))
    [ "$status" -ne 124 ] || fail "the job hung after the $what on node 2 died (timeout): $(tail -20 "$out")"
    [ "$status" -ne 0 ] || fail "the job exited 0 after the $what on node 2 died"
    [ "$took" -le 60 ] || fail "the job took $took s to end after the $what on node 2 died"
    if [ "$what" = rank ]; then
        grep -q "rank 1 with PID .* on node $node2 exited on signal 9" "$out" \
            || fail "no clear message naming the killed rank and its node: $(tail -20 "$out")"
    else
        grep -q "lost communication with a remote daemon" "$out" && grep -q "Remote daemon: .* on node $node2" "$out" \
            || fail "no clear message that node 2 was lost: $(tail -20 "$out")"
    fi
    # What the surviving rank printed, if anything: no crash report of its own.
    grep -q "Stack dump\|Fatal error\|Segmentation" "$out" && fail "a crash report in the output: $(cat "$out")"
    left=$(ip netns pids "$cluster-node1" | paste -sd,)
    [ -z "$left" ] || fail "processes of the job survive on node 1: $(ps -o pid=,args= -p "$left")"
    [ ! -e "$work/cut/COMPLETED" ] || fail "the run finished although node 2 died"
    newest=$(newest_checkpoint "$work/cut")
    [ -n "$newest" ] || fail "no checkpoint before the $what on node 2 died"
    assert_loadable "$newest"
    note "kill -9 of the $what on node 2 at step $(loss_sequence "$work/cut/metrics.jsonl" | tail -1 | cut -d' ' -f1): the job ended in $took s with status $status; newest checkpoint $(basename "$newest") loads; output:"
    grep -v " step [0-9]*/$steps \| checkpoint /\|^20..-..-..T.*Z config \|training .* parameters" "$out" | grep -v '^ *$' | sed 's/^/    | /' | head -20
}
crash rank 15 "$work/cut.out" --run-dir "$work/cut"
crash node 35 "$work/cut2.out" --run-dir "$work/cut" --resume auto

# 3. Resume on the 2 nodes.
train2 --run-dir "$work/cut" --resume auto >"$work/resume.out" 2>&1 || fail "resume failed: $(tail -20 "$work/resume.out")"
diff <(loss_sequence "$work/two/metrics.jsonl") <(loss_sequence "$work/cut/metrics.jsonl") >"$work/loss.diff" \
    || fail "the resumed losses differ from the uninterrupted 2-node run: $(head -5 "$work/loss.diff")"
assert_same_state "$(newest_checkpoint "$work/two")" "$(newest_checkpoint "$work/cut")"
note "resumed twice: $steps losses and the final state equal the uninterrupted 2-node run's"
# 4. Slurm across the 2 nodes: slurmctld on node 1, slurmd -N on each, and the same
# cluster/slurm/train.sbatch as on a real cluster, submitted with sbatch -N 2.
command -v slurmd >/dev/null || fail "Slurm is not installed (scripts/install-deps.sh --slurm)"
timeout 60 cluster/sim/slurm-start.sh --name "$cluster" >"$work/slurm.out" 2>&1 || fail "Slurm did not start: $(cat "$work/slurm.out")"
mkdir -p "$work/sb"
cat >"$work/sb/tiny.yaml" <<YAML
name: tiny
data: {source: two-moons, count: 1024}
model: {kind: mlp, mlp: {hidden_widths: [32, 32], pos_dim: 16, emb_dim: 16}}
optim: {lr: 1.0e-3}
train: {global_batch: 64, steps: 100, log_every: 20, sample_every: 0, checkpoint_every: 50, keep_last: 2}
sample: {sampler: euler, steps: 4, count: 16}
YAML
sb() { timeout 30 cluster/sim/slurm.sh --name "$cluster" "$@"; }
jobid=$(DIFFUSE_BIN="$(cd "$BIN" && pwd)" DIFFUSE_RUNS="$work/sb/runs" \
    sb sbatch --parsable -N 2 -n 2 --ntasks-per-node=1 --time=5 -o "$work/sb/%j.out" cluster/slurm/train.sbatch "$work/sb/tiny.yaml" tiny 2>"$work/sb/sbatch.err") \
    || fail "sbatch failed: $(cat "$work/sb/sbatch.err")"
state=""
for _ in $(seq 1 240); do
    state=$(sb scontrol show job "$jobid" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' || true)
    case "$state" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;; esac
    sleep 0.5
done
[ "$state" = COMPLETED ] || fail "the Slurm job ended $state: $(tail -20 "$work/sb/$jobid.out" 2>/dev/null)"
nodelist=$(sb scontrol show job "$jobid" | sed -n 's/.* NodeList=\([^ ]*\).*/\1/p' | grep -v null | head -1 || true)
[ "$nodelist" = "$cluster-node[1-2]" ] || fail "the job ran on '$nodelist', not on both nodes"
grep -q "on 2 rank(s)" "$work/sb/runs/tiny/log.txt" || fail "the Slurm job did not train on 2 ranks"
[ -e "$work/sb/runs/tiny/COMPLETED" ] || fail "the Slurm job's run is not COMPLETED"
note "sbatch -N 2 cluster/slurm/train.sbatch: job $jobid COMPLETED on $nodelist, 2 ranks"
echo "multinode: ok"
