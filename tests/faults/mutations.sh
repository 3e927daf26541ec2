#!/usr/bin/env bash
# Damaged input files against the binaries users run (CI runs this script a second time with
# DIFFUSE_BIN=.build/release: release builds are where a missing check would go unnoticed).
# Deterministic mutations (tools/mutate.py: truncation, bit flips, header overwrites) of
#   - a checkpoint of a small UNet, through `diffuse-sample`: each case must either be refused
#     (exit 1, one error naming the file) or sample exactly as the intact checkpoint does
#     (a flipped bit outside the stored values); a damaged checkpoint that samples something
#     else is a failure;
#   - a dataset file, through `diffuse-data info` (which reads every sample);
#   - an IDX file and a PNG image, through `diffuse-data import`.
# Any other exit (a trap, a signal, a timeout) fails. MUTATION_CASES sets cases per file (default 30).
source "$(dirname "$0")/common.bash"
DATA=$BIN/diffuse-data
[ -x "$DATA" ] || fail "$DATA is not built"
cases=${MUTATION_CASES:-30}
mutate() { python3 tools/mutate.py "$@"; }

# A tiny UNet checkpoint (2 steps on shapes16) and its reference samples.
timeout 300 "$TRAIN" --config configs/shapes.yaml --run-dir "$work/run" \
    --set train.steps=2 --set train.global_batch=4 --set data.count=32 --set sample.count=0 \
    --set train.checkpoint_every=2 --set model.unet.channels_per_depth='[8, 16]' \
    --set model.unet.num_groups=4 >"$work/train.out" 2>&1 || { cat "$work/train.out"; fail "training the seed checkpoint failed"; }
ckpt=$work/run/checkpoints/step-00000002.h5
[ -s "$ckpt" ] || fail "no seed checkpoint"
sample_args=(--count 2 --steps 2 --batch 2 --seed 3)
timeout 120 "$SAMPLE" --checkpoint "$ckpt" "${sample_args[@]}" --h5 "$work/ref.h5" >/dev/null 2>&1 || fail "the intact checkpoint does not sample"

# Runs one case; $1 label, $2 the mutated file, then the command. Sets $status.
verdict() {
    local label=$1 file=$2; shift 2
    set +e
    timeout 120 "$@" >"$work/out" 2>"$work/err"
    status=$?
    set -e
    case $status in
        0) ;;
        1) grep -qF "$file" "$work/err" || { cat "$work/err"; fail "$label: the error does not name $file"; }
           [ "$(wc -l <"$work/err")" -le 3 ] || { cat "$work/err"; fail "$label: the error is not short (a stack dump?)"; } ;;
        *) cat "$work/err" | tail -5; fail "$label: exit status $status (crash, signal or timeout)" ;;
    esac
}

refused=0; same=0
for ((k = 0; k < cases; k++)); do
    what=$(mutate "$ckpt" "$work/case.h5" "$k" 2048)
    verdict "checkpoint case $k ($what)" "$work/case.h5" "$SAMPLE" --checkpoint "$work/case.h5" "${sample_args[@]}" --h5 "$work/out.h5"
    if [ "$status" -eq 0 ]; then
        h5diff -q "$work/ref.h5" "$work/out.h5" /samples /samples \
            || fail "checkpoint case $k ($what): a damaged checkpoint sampled without complaint, and differently"
        same=$((same + 1))
    else
        refused=$((refused + 1))
    fi
    rm -f "$work/out.h5"
done
note "checkpoint: $refused refused, $same harmless (same samples) of $cases"
[ "$refused" -gt $((cases / 2)) ] || fail "too few checkpoint mutations were refused ($refused of $cases)"

timeout 60 "$DATA" builtin shapes16 --count 16 --seed 1 --out "$work/set.h5" >/dev/null
accepted=0; refused=0
for ((k = 0; k < cases; k++)); do
    what=$(mutate "$work/set.h5" "$work/case-set.h5" "$k" 2048)
    verdict "dataset case $k ($what)" "$work/case-set.h5" "$DATA" info "$work/case-set.h5"
    [ "$status" -eq 0 ] && accepted=$((accepted + 1)) || refused=$((refused + 1))
done
note "dataset file: $refused refused, $accepted read of $cases"

# An IDX image file (2 images of 4x4, big-endian header) and a PNG (a preview grid).
python3 - "$work/img.idx" <<'PY'
import struct, sys
open(sys.argv[1], "wb").write(struct.pack(">BBBBIII", 0, 0, 8, 3, 2, 4, 4) + bytes(range(32)))
PY
mkdir -p "$work/png-seed"
timeout 60 "$DATA" preview "$work/set.h5" --count 4 --out "$work/png-seed/a.png" >/dev/null 2>&1 || fail "preview for the PNG seed failed"
accepted=0; refused=0
for ((k = 0; k < cases; k++)); do
    what=$(mutate "$work/img.idx" "$work/case.idx" "$k" 16)
    verdict "idx case $k ($what)" "$work/case.idx" "$DATA" import --format idx "$work/case.idx" --out "$work/idx-out.h5"
    [ "$status" -eq 0 ] && accepted=$((accepted + 1)) || refused=$((refused + 1))
    rm -f "$work/idx-out.h5"
    mkdir -p "$work/png-case"; rm -f "$work/png-case/"*
    what=$(mutate "$work/png-seed/a.png" "$work/png-case/a.png" "$k" 64)
    verdict "png case $k ($what)" "$work/png-case/a.png" "$DATA" import --format png-folder "$work/png-case" --out "$work/png-out.h5"
    [ "$status" -eq 0 ] && accepted=$((accepted + 1)) || refused=$((refused + 1))
    rm -f "$work/png-out.h5"
done
note "idx and png imports: $refused refused, $accepted imported of $((2 * cases))"
echo "mutations: ok ($BIN)"
