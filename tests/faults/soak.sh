#!/usr/bin/env bash
# Soak: a tiny MLP trains 2,000 steps with a checkpoint every 50 while being sent SIGUSR1
# (checkpoint and continue), SIGTERM (checkpoint and stop) and now and then kill -9 at
# random times (seeded), each stop followed by `--resume auto`. The final /model, /ema and
# /optimizer and the loss sequence equal those of an uninterrupted run, bit for bit (same
# rank count).
source "$(dirname "$0")/common.bash"
write_config "$work/cfg.yaml" 2000 50 2
limit=$((SECONDS + 200))
timeout 200 "$TRAIN" --config "$work/cfg.yaml" --run-dir "$work/ref" >"$work/ref.out" 2>&1 \
    || fail "uninterrupted run failed: $(tail -5 "$work/ref.out")"

RANDOM=20261125
launches=0 usr1=0 term=0 killed=0
while [ ! -e "$work/soak/COMPLETED" ]; do
    [ $SECONDS -lt $limit ] || fail "the soak did not finish in time ($launches launches)"
    args=(--config "$work/cfg.yaml" --run-dir "$work/soak")
    [ $launches -gt 0 ] && args+=(--resume auto)
    "$TRAIN" "${args[@]}" >>"$work/soak.out" 2>>"$work/soak.err" &
    pid=$!
    launches=$((launches + 1))
    while kill -0 "$pid" 2>/dev/null; do
        sleep "0.$((RANDOM % 6 + 2))"
        r=$((RANDOM % 10))
        kill -0 "$pid" 2>/dev/null || break
        if [ $r -lt 5 ]; then kill -USR1 "$pid" 2>/dev/null && usr1=$((usr1 + 1))
        elif [ $r -lt 8 ]; then kill -TERM "$pid" 2>/dev/null && term=$((term + 1)); break
        else kill -9 "$pid" 2>/dev/null && killed=$((killed + 1)); break
        fi
    done
    # Bounded: a launch that does not stop within 60 s of its signal is killed (and fails below).
    ( sleep 60; kill -9 "$pid" 2>/dev/null; echo "launch $launches hung" >>"$work/soak.err" ) >/dev/null 2>&1 &
    watchdog=$!
    set +e
    wait "$pid"
    status=$?
    set -e
    pkill -P "$watchdog" sleep 2>/dev/null || true   # its sleep, by parent id
    kill "$watchdog" 2>/dev/null || true
    wait "$watchdog" 2>/dev/null || true
    grep -q "hung" "$work/soak.err" && fail "launch $launches did not stop after its signal"
    # 0: finished or stopped by SIGTERM after a checkpoint; 143: SIGTERM before the handler
    # was installed (startup); 137: kill -9.
    case $status in 0|137|143) ;; *) fail "launch $launches exited $status: $(tail -5 "$work/soak.err")" ;; esac
done
grep -q "Stack dump\|Fatal error" "$work/soak.err" && fail "a crash: $(grep -m3 "Fatal error\|Stack dump" "$work/soak.err")"
diff <(loss_sequence "$work/ref/metrics.jsonl") <(loss_sequence "$work/soak/metrics.jsonl") >"$work/loss.diff" \
    || fail "loss sequences differ: $(head -5 "$work/loss.diff")"
[ "$(loss_sequence "$work/soak/metrics.jsonl" | wc -l)" -eq 2000 ] || fail "the soak's metrics do not cover 2000 steps"
assert_same_state "$work/ref/checkpoints/step-00002000.h5" "$work/soak/checkpoints/step-00002000.h5"
note "$launches launches, $usr1 SIGUSR1, $term SIGTERM, $killed kill -9; 2000 losses and the final state equal the uninterrupted run's"
echo "soak: ok"
