#!/usr/bin/env bash
# SIGTERM sent to `mpirun` itself (`kill <mpirun pid>`, or a scheduler that signals only the
# launcher). OpenMPI 4.1 then sends the ranks SIGCONT, after T = odls_base_sigkill_timeout
# seconds SIGTERM, and after another T SIGKILL: with the default T = 1 a rank has one second
# to write its checkpoint. With OMPI_MCA_odls_base_sigkill_timeout in mpirun's environment
# (cluster/mpirun.sh sets 20; here 5 to keep the test short), every rank agrees on the step,
# rank 0 writes the checkpoint of that step, and `--resume auto` continues from it.
# (Exact continuation after SIGTERM is soak.sh's.)
source "$(dirname "$0")/common.bash"
# A long run, so that it is still training when the signal arrives, and almost no output:
# once signalled, mpirun stops reading the ranks' terminal, and a rank that fills it (this
# MLP would print thousands of lines a second at log_every 1) blocks before its checkpoint.
write_config "$work/cfg.yaml" 1000000 500
sed -i 's/log_every: 1$/log_every: 1000000/' "$work/cfg.yaml"

OMPI_MCA_odls_base_sigkill_timeout=5 timeout 300 "${MPIRUN[@]}" -np 2 "$TRAIN" --config "$work/cfg.yaml" \
    --run-dir "$work/cut" >"$work/cut.out" 2>&1 &
job=$!
deadline=$((SECONDS + 120))
until [ -e "$work/cut/checkpoints/step-00000500.h5" ]; do
    [ $SECONDS -lt $deadline ] || fail "no checkpoint at step 500 within 120 s: $(tail -5 "$work/cut.out")"
    sleep 0.05
done
launcher=$(pgrep -P "$job" -x mpirun || true)
[ -n "$launcher" ] || fail "mpirun not found under the timeout process $job"
sent=$SECONDS
kill -TERM "$launcher"
set +e
wait "$job"
status=$?
set -e
waited=$((SECONDS - sent))
[ "$status" -ne 124 ] || fail "mpirun hung after SIGTERM (timeout)"
[ "$waited" -lt 30 ] || fail "mpirun took $waited s to end after SIGTERM"
signal_line=$(grep -m1 "SIGTERM received" "$work/cut/log.txt" || true)
[ -n "$signal_line" ] || fail "rank 0 did not log the SIGTERM: $(tail -5 "$work/cut.out")"
step=$(sed -nE 's/.*step ([0-9]+): SIGTERM.*/\1/p' <<<"$signal_line")
checkpoint=$(newest_checkpoint "$work/cut")
[ "$checkpoint" = "$work/cut/checkpoints/$(printf 'step-%08d.h5' "$step")" ] \
    || fail "no checkpoint of the signal step $step (newest: ${checkpoint:-none}); mpirun exit $status: $(tail -5 "$work/cut.out")"
assert_loadable "$checkpoint"
note "SIGTERM to mpirun at step $step: checkpoint $(basename "$checkpoint") written and loads; mpirun exit $status after $waited s"

# The run continues from that checkpoint (ending 20 steps later).
timeout 300 "${MPIRUN[@]}" -np 2 "$TRAIN" --config "$work/cfg.yaml" --run-dir "$work/cut" --resume auto \
    --set train.steps=$((step + 20)) >"$work/resume.out" 2>&1 || fail "resume failed: $(tail -5 "$work/resume.out")"
grep -q "resumed from .*step-$(printf '%08d' "$step").h5 at step $step" "$work/cut/log.txt" \
    || fail "the resume did not start from step $step: $(grep resumed "$work/cut/log.txt")"
[ -e "$work/cut/COMPLETED" ] || fail "the resumed run did not complete"
note "resumed at step $step and completed at step $((step + 20))"
echo "sigterm-mpirun: ok"
