#!/usr/bin/env bash
# Issue 19: SIGTERM to `cluster/mpirun.sh -n 2` while rank 0 draws a sample grid that takes
# far longer than the grace period (half an hour here; OpenMPI's odls_base_sigkill_timeout
# set to 5 s, so SIGTERM reaches the ranks 5 s after mpirun gets it, and SIGKILL 5 s later).
# The checkpoint of the grid's step is written before the grid; the grid stops within a
# sampler step of the signal, the other rank (waiting for rank 0) agrees, both exit before
# SIGKILL, and `--resume auto` continues exactly as an uninterrupted run on 2 ranks.
source "$(dirname "$0")/common.bash"
write_config "$work/cfg.yaml" 30 5
# A grid at step 5 of 4,096 points x 100,000 Euler steps (about 18 ms a step in debug).
slow_grid=(--set train.sample_every=5 --set sample.count=4096 --set sample.steps=100000 --set sample.sampler=euler)
# cluster/mpirun.sh runs the build that common.bash checked.
export DIFFUSE_BIN=$BIN

OMPI_MCA_odls_base_sigkill_timeout=5 timeout 300 cluster/mpirun.sh -n 2 --oversubscribe diffuse-train \
    --config "$work/cfg.yaml" --run-dir "$work/cut" "${slow_grid[@]}" >"$work/cut.out" 2>&1 &
job=$!
deadline=$((SECONDS + 120))
until grep -q "step 5: drawing the sample grid" "$work/cut/log.txt" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "the grid of step 5 did not start within 120 s: $(tail -5 "$work/cut.out")"
    sleep 0.05
done
sleep 1
launcher=$(pgrep -P "$job" -x mpirun || true)
[ -n "$launcher" ] || fail "mpirun not found under the timeout process $job"
ranks=$(pgrep -P "$launcher" -x diffuse-train || true)
[ "$(wc -w <<<"$ranks")" -eq 2 ] || fail "expected 2 ranks, found: $ranks"
sent=$(date +%s.%N)
kill -TERM "$launcher"
# The ranks get SIGTERM 5 s after mpirun and SIGKILL 5 s after that: they must be gone before.
# A rank that has exited but is not reaped yet (mpirun reaps late) is a zombie: state Z.
any_alive() {
    local pid state
    for pid in "$@"; do
        state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)
        [ -n "$state" ] && [ "$state" != Z ] && return 0
    done
    return 1
}
# shellcheck disable=SC2086
while any_alive $ranks; do sleep 0.05; done
ranks_gone=$(awk -v a="$sent" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
set +e
wait "$job"
status=$?
set -e
[ "$status" -ne 124 ] || fail "mpirun hung after SIGTERM (timeout)"
awk -v t="$ranks_gone" 'BEGIN { exit !(t < 9) }' || fail "the ranks ended $ranks_gone s after mpirun's SIGTERM (SIGKILL comes at 10 s)"
grep -q "Killed\|signal 9" "$work/cut.out" && fail "a rank was killed: $(tail -5 "$work/cut.out")"
line=$(grep -m1 "SIGTERM received" "$work/cut/log.txt" || true)
[[ "$line" == *"step 5: SIGTERM received while drawing the sample grid; grid abandoned after "*"; stopping (step 5 is already checkpointed)" ]] \
    || fail "rank 0 did not log the abandoned grid: '${line}' $(tail -5 "$work/cut.out")"
[ ! -e "$work/cut/samples/step-00000005.png" ] || fail "an abandoned grid was written"
checkpoint=$(newest_checkpoint "$work/cut")
[ "$checkpoint" = "$work/cut/checkpoints/step-00000005.h5" ] || fail "newest checkpoint ${checkpoint:-none}, expected step 5"
assert_loadable "$checkpoint"
note "SIGTERM to mpirun during the grid of step 5: '${line#* }'; checkpoint step 5 loads; the ranks ended $ranks_gone s after mpirun's SIGTERM (mpirun exit $status)"

# Resume on 2 ranks (grids off) and compare with an uninterrupted 2-rank run.
timeout 300 cluster/mpirun.sh -n 2 --oversubscribe diffuse-train --config "$work/cfg.yaml" --run-dir "$work/cut" \
    --resume auto --set sample.count=0 >"$work/resume.out" 2>&1 || fail "resume failed: $(tail -5 "$work/resume.out")"
grep -q "resumed from .*step-00000005.h5 at step 5" "$work/cut/log.txt" || fail "the resume did not start from step 5"
timeout 300 cluster/mpirun.sh -n 2 --oversubscribe diffuse-train --config "$work/cfg.yaml" --run-dir "$work/whole" \
    --set sample.count=0 >"$work/whole.out" 2>&1 || fail "the uninterrupted run failed: $(tail -5 "$work/whole.out")"
[ "$(loss_sequence "$work/whole/metrics.jsonl" | wc -l)" -eq 30 ] || fail "the uninterrupted run did not log 30 steps"
diff <(loss_sequence "$work/cut/metrics.jsonl") <(loss_sequence "$work/whole/metrics.jsonl") >"$work/loss.diff" \
    || fail "the resumed losses differ from the uninterrupted run's: $(head -5 "$work/loss.diff")"
assert_same_state "$(newest_checkpoint "$work/cut")" "$(newest_checkpoint "$work/whole")"
note "resumed at step 5: 30 losses and the final /model, /ema, /optimizer equal the uninterrupted run's"
echo "sigterm-grid-mpirun: ok"
