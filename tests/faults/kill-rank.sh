#!/usr/bin/env bash
# kill -9 of one rank mid-step under `mpirun -np 2`: the job ends with an error from mpirun
# (non-zero status, naming the killed process), the newest checkpoint loads, and
# `--resume auto` on 2 ranks continues exactly: the loss sequence of metrics.jsonl and the
# final /model, /ema, /optimizer equal those of an uninterrupted run, bit for bit.
source "$(dirname "$0")/common.bash"
write_config "$work/cfg.yaml" 300 20

timeout 300 "${MPIRUN[@]}" -np 2 "$TRAIN" --config "$work/cfg.yaml" --run-dir "$work/ref" >"$work/ref.out" 2>&1 \
    || fail "uninterrupted run failed: $(tail -5 "$work/ref.out")"

timeout 300 "${MPIRUN[@]}" -np 2 "$TRAIN" --config "$work/cfg.yaml" --run-dir "$work/cut" >"$work/cut.out" 2>&1 &
job=$!
wait_for_step "$work/cut/metrics.jsonl" 50 120
# The rank whose environment says OMPI_COMM_WORLD_RANK=1, among the launched processes.
victim=""
for p in $(pgrep -f "$TRAIN --config $work/cfg.yaml --run-dir $work/cut" || true); do
    if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1"; then victim=$p; fi
done
[ -n "$victim" ] || fail "rank 1 of the second run not found"
kill -9 "$victim"
set +e
wait "$job"
status=$?
set -e
[ "$status" -ne 0 ] || fail "mpirun exited 0 after a rank was killed"
[ "$status" -ne 124 ] || fail "mpirun hung after a rank was killed (timeout)"
grep -Eqi "signal 9|killed" "$work/cut.out" || fail "no clear error from mpirun: $(tail -5 "$work/cut.out")"
grep -q "Stack dump\|Fatal error" "$work/cut.out" && fail "a stack trace in the output: $(cat "$work/cut.out")"
[ ! -e "$work/cut/COMPLETED" ] || fail "the killed run finished anyway"
killed_at=$(loss_sequence "$work/cut/metrics.jsonl" | tail -1 | cut -d' ' -f1)
newest=$(newest_checkpoint "$work/cut")
[ -n "$newest" ] || fail "no checkpoint before the kill"
assert_loadable "$newest"
note "mpirun exit $status after kill -9 of rank 1 at step $killed_at (\"$(grep -Ei "signal 9|killed" "$work/cut.out" | head -1 | sed "s/^ *//")\"); newest checkpoint $(basename "$newest") loads"

timeout 300 "${MPIRUN[@]}" -np 2 "$TRAIN" --config "$work/cfg.yaml" --run-dir "$work/cut" --resume auto >"$work/resume.out" 2>&1 \
    || fail "resume failed: $(tail -5 "$work/resume.out")"
diff <(loss_sequence "$work/ref/metrics.jsonl") <(loss_sequence "$work/cut/metrics.jsonl") >"$work/loss.diff" \
    || fail "loss sequences differ: $(head -5 "$work/loss.diff")"
assert_same_state "$(newest_checkpoint "$work/ref")" "$(newest_checkpoint "$work/cut")"
note "resumed: 300 losses and the final state equal the uninterrupted run's"
echo "kill-rank: ok"
