#!/usr/bin/env bash
# Disk full during a checkpoint write: the run folder lives on a small tmpfs that is filled
# up after two checkpoints, leaving room for the logs but not for a checkpoint. The failed
# writes are reported (step, file, the system's reason), the final failure ends the run with
# a one-paragraph error and a non-zero status, and the older checkpoints stay complete, with
# no temporary file left. Without permission to mount, the same run uses the writer's
# injected failure (DIFFUSE_TEST_CHECKPOINT_HOOK=fail) instead.
source "$(dirname "$0")/common.bash"
write_config "$work/cfg.yaml" 20 10 2
disk=$work/disk
mkdir -p "$disk"
injected=()
if mount -t tmpfs -o size=2m tmpfs "$disk" 2>/dev/null; then
    cleanup_hooks+=("umount '$disk'")
    mode=tmpfs
else
    mode=injected
    injected=(env DIFFUSE_TEST_CHECKPOINT_HOOK=fail)
fi
run=$disk/run

timeout 120 "$TRAIN" --config "$work/cfg.yaml" --run-dir "$run" >"$work/first.out" 2>&1 || fail "first run failed: $(tail -5 "$work/first.out")"
size=$(stat -c %s "$run/checkpoints/step-00000020.h5")
if [ "$mode" = tmpfs ]; then
    # Fill the disk, then free half a checkpoint: logs fit, a checkpoint does not.
    head -c $((size / 2)) /dev/zero >"$disk/reserve"
    dd if=/dev/zero of="$disk/fill" bs=4096 >/dev/null 2>&1 || true
    rm "$disk/reserve"
fi
sum_before=$(md5sum "$run"/checkpoints/step-*.h5)

set +e
"${injected[@]}" timeout 120 "$TRAIN" --config "$work/cfg.yaml" --run-dir "$run" --resume auto --set train.steps=40 \
    >"$work/full.out" 2>"$work/full.err"
status=$?
set -e
[ "$status" -ne 0 ] || fail "the run whose final checkpoint failed exited 0"
[ "$status" -lt 124 ] || fail "the run hung or crashed (exit $status)"
grep -q "Stack dump\|Fatal error\|Current stack trace" "$work/full.err" "$work/full.out" && fail "a crash instead of an error: $(cat "$work/full.err")"
final_error=$(grep "error:" "$work/full.err" | tail -1)
echo "$final_error" | grep -q "step 40: the final checkpoint could not be written" || fail "no clear final error: $(tail -3 "$work/full.err")"
grep -q "step 30: .*step-00000030.h5" "$work/full.err" || fail "the failed write at step 30 was not reported: $(head -5 "$work/full.err")"
if [ "$mode" = tmpfs ]; then
    grep -qi "no space left on device\|ENOSPC\|space" "$work/full.err" || fail "the reason (disk full) is not named: $(grep step "$work/full.err" | head -3)"
fi
[ "$(md5sum "$run"/checkpoints/step-*.h5)" = "$sum_before" ] || fail "older checkpoints changed: $(ls -l "$run/checkpoints")"
ls "$run/checkpoints" | grep -q partial && fail "a partial file was left: $(ls "$run/checkpoints")"
rm -f "$disk/fill"
assert_loadable "$run/checkpoints/step-00000020.h5"
note "$mode: exit $status; \"$(echo "$final_error" | cut -c1-160)\"; step 10 and 20 unchanged, no partial file"
echo "disk-full: ok"
