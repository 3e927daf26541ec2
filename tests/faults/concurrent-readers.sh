#!/usr/bin/env bash
# Concurrent readers: while training writes a checkpoint every 5 steps (each write held for
# 50 ms before its rename by DIFFUSE_TEST_CHECKPOINT_HOOK, so a .partial file is often
# present), diffuse-sample repeatedly loads the newest checkpoint file and the run folder.
# A reader may find the file it listed already deleted by retention (keep_last 2), but never
# a partial or damaged checkpoint.
source "$(dirname "$0")/common.bash"
write_config "$work/cfg.yaml" 1500 5 2
DIFFUSE_TEST_CHECKPOINT_HOOK=pause:0.05 timeout 240 "$TRAIN" --config "$work/cfg.yaml" --run-dir "$work/run" >"$work/train.out" 2>&1 &
job=$!
ok=0 vanished=0 partial_seen=0 k=0
while kill -0 "$job" 2>/dev/null; do
    ls "$work/run/checkpoints" 2>/dev/null | grep -q partial && partial_seen=$((partial_seen + 1))
    newest=$(newest_checkpoint "$work/run")
    [ -n "$newest" ] || { sleep 0.05; continue; }
    k=$((k + 1))
    target=$newest
    [ $((k % 2)) -eq 0 ] && target=$work/run   # the folder: its newest valid checkpoint
    if timeout 60 "$SAMPLE" --checkpoint "$target" --count 4 --steps 2 --sampler euler --seed $k --h5 "$work/s.h5" \
        >"$work/s.out" 2>"$work/s.err"; then
        ok=$((ok + 1))
    elif grep -q "no such checkpoint file" "$work/s.err"; then
        vanished=$((vanished + 1))   # deleted by retention between listing and opening
    else
        fail "reading $target during training failed: $(cat "$work/s.err")"
    fi
done
wait "$job" || fail "training failed: $(tail -5 "$work/train.out")"
[ "$ok" -ge 5 ] || fail "only $ok successful reads"
[ "$partial_seen" -ge 1 ] || fail "no partial file was ever present while reading: the window was not exercised"
note "$ok reads succeeded, $vanished found their file already retired, a .partial file was present at $partial_seen of the listings; no read saw a partial checkpoint"
echo "concurrent-readers: ok"
