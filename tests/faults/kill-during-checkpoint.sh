#!/usr/bin/env bash
# kill -9 while a checkpoint is being written (DIFFUSE_TEST_CHECKPOINT_HOOK=pause:S holds the
# writer after its .partial file is complete, before the rename): the previous checkpoint
# stays intact, the .partial file is never taken for a checkpoint, `--resume auto` removes it
# and continues exactly (loss sequence and final state equal an uninterrupted run's).
source "$(dirname "$0")/common.bash"
write_config "$work/cfg.yaml" 100 20

timeout 120 "$TRAIN" --config "$work/cfg.yaml" --run-dir "$work/ref" >"$work/ref.out" 2>&1 \
    || fail "uninterrupted run failed: $(tail -5 "$work/ref.out")"

DIFFUSE_TEST_CHECKPOINT_HOOK=pause:5 timeout 120 "$TRAIN" --config "$work/cfg.yaml" --run-dir "$work/cut" >"$work/cut.out" 2>&1 &
job=$!
deadline=$((SECONDS + 60))
until [ -e "$work/cut/checkpoints/step-00000040.h5.partial" ]; do
    [ $SECONDS -lt $deadline ] || fail "the second checkpoint write never started"
    sleep 0.05
done
# The trainer is the child of `timeout` ($job): kill -9 it (and then timeout, which would
# otherwise report the death).
trainer=$(pgrep -P "$job" || true)
[ -n "$trainer" ] || fail "the trainer process was not found"
kill -9 $trainer
wait "$job" 2>/dev/null || true
sleep 6   # longer than the pause: a surviving writer would rename now
[ -e "$work/cut/checkpoints/step-00000040.h5.partial" ] || fail "the partial file vanished"
[ ! -e "$work/cut/checkpoints/step-00000040.h5" ] || fail "the interrupted checkpoint was renamed into place"
[ "$(basename "$(newest_checkpoint "$work/cut")")" = "step-00000020.h5" ] || fail "newest checkpoint is not step 20: $(ls "$work/cut/checkpoints")"
assert_loadable "$work/cut/checkpoints/step-00000020.h5"
# diffuse-sample on the run folder picks step 20, not the partial file.
timeout 60 "$SAMPLE" --checkpoint "$work/cut" --count 2 --steps 2 --sampler euler --h5 "$work/s.h5" >"$work/s.out" 2>&1 \
    || fail "sampling from the run folder failed: $(cat "$work/s.out")"
grep -q "step-00000020.h5" "$work/s.out" || fail "diffuse-sample did not use step 20: $(cat "$work/s.out")"
note "killed during the write of step 40: step 20 intact, step-00000040.h5.partial left behind"

timeout 120 "$TRAIN" --config "$work/cfg.yaml" --run-dir "$work/cut" --resume auto >"$work/resume.out" 2>&1 \
    || fail "resume failed: $(tail -5 "$work/resume.out")"
grep -q "removed 1 partial checkpoint file" "$work/resume.out" || fail "resume did not report removing the partial file: $(head -5 "$work/resume.out")"
ls "$work/cut/checkpoints" | grep -q partial && fail "a partial file survived the resume"
diff <(loss_sequence "$work/ref/metrics.jsonl") <(loss_sequence "$work/cut/metrics.jsonl") >"$work/loss.diff" \
    || fail "loss sequences differ: $(head -5 "$work/loss.diff")"
assert_same_state "$(newest_checkpoint "$work/ref")" "$(newest_checkpoint "$work/cut")"
note "resume removed the partial file and matched the uninterrupted run bit for bit"
echo "kill-during-checkpoint: ok"
