#!/usr/bin/env bash
# NaN policy (train.nan_policy): a config that diverges (lr 1e38: Adam's first step moves
# every weight by ~1e38, so the next forward pass overflows) makes the loss and gradient
# non-finite from step 2 on.
# - stop: the run ends with a one-paragraph error naming the step; the last good checkpoint
#   (step 1, checkpoint_every 1) is kept and loads; nothing is written for the bad step.
# - skip: every bad step is skipped and counted (metrics skipped_steps); the run finishes and
#   its final state equals the state after step 1, bit for bit (skipped steps change nothing).
source "$(dirname "$0")/common.bash"
write_config "$work/cfg.yaml" 6 1 100
diverge=(--set optim.lr=1.0e38 --set optim.warmup_steps=0 --set optim.decay=constant --set optim.grad_clip=0)

set +e
timeout 120 "$TRAIN" --config "$work/cfg.yaml" --run-dir "$work/stop" "${diverge[@]}" >"$work/stop.out" 2>"$work/stop.err"
status=$?
set -e
[ "$status" -eq 1 ] || fail "nan_policy stop: exit $status, expected 1: $(tail -3 "$work/stop.err")"
grep -q "Stack dump\|Fatal error" "$work/stop.err" && fail "a crash: $(cat "$work/stop.err")"
err=$(grep "error:" "$work/stop.err")
[ "$(echo "$err" | wc -l)" -eq 1 ] || fail "expected one error line: $err"
bad=$(echo "$err" | sed -nE 's/.*step ([0-9]+): non-finite.*/\1/p')
[ -n "$bad" ] || fail "the error does not name the step: $err"
echo "$err" | grep -q "train.nan_policy: stop" || fail "the error does not name the policy: $err"
good=$(printf 'step-%08d.h5' $((bad - 1)))
[ "$(basename "$(newest_checkpoint "$work/stop")")" = "$good" ] || fail "newest checkpoint is not $good: $(ls "$work/stop/checkpoints")"
echo "$err" | grep -q "$good" || fail "the error does not name the kept checkpoint $good: $err"
assert_loadable "$work/stop/checkpoints/$good"
note "stop: \"$(echo "$err" | cut -c1-150)...\"; $good kept and loads"

timeout 120 "$TRAIN" --config "$work/cfg.yaml" --run-dir "$work/skip" "${diverge[@]}" --set train.nan_policy=skip \
    >"$work/skip.out" 2>"$work/skip.err" || fail "nan_policy skip: the run failed: $(tail -3 "$work/skip.err")"
skipped=$(tail -1 "$work/skip/metrics.jsonl" | sed -nE 's/.*"skipped_steps":([0-9]+).*/\1/p')
[ "$skipped" = $((6 - bad + 1)) ] || fail "skip: skipped_steps $skipped, expected $((6 - bad + 1))"
[ "$(grep -c "step skipped" "$work/skip.err")" -eq "$skipped" ] || fail "skip: one warning per skipped step expected: $(cat "$work/skip.err")"
assert_same_state "$work/skip/checkpoints/$good" "$work/skip/checkpoints/step-00000006.h5"
note "skip: steps $bad-6 skipped (skipped_steps $skipped), final state = state after step $((bad - 1))"
echo "nan-policy: ok"
