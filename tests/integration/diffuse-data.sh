#!/usr/bin/env bash
# diffuse-data end to end: builtin -> info -> preview, an IDX import, and clear failures
# (non-zero exit, message naming the file) for a missing and a garbage input.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="$(swift build --show-bin-path)/diffuse-data"
[ -x "$BIN" ] || swift build --product diffuse-data >/dev/null
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

"$BIN" builtin shapes16 --count 32 --seed 3 --out "$TMP/shapes.h5" | grep -q "uint8 \[32, 1, 16, 16\]"
"$BIN" info "$TMP/shapes.h5" | grep -q "labels: 4 classes"
"$BIN" preview "$TMP/shapes.h5" --count 16 --out "$TMP/grid.png" >/dev/null
# 4 x 4 grid of 16 x 16 images drawn at 64 x 64, with 1-pixel padding: 261 x 261.
head -c 24 "$TMP/grid.png" | od -An -tx1 | tr -d ' \n' | grep -q "0000010500000105"
h5dump -H "$TMP/shapes.h5" | grep -q 'DATASET "images"'

"$BIN" builtin checkerboard --count 500 --out "$TMP/toy.h5" | grep -q "float32 \[500, 2\]"
"$BIN" preview "$TMP/toy.h5" --count 500 --out "$TMP/toy.png" >/dev/null

# A 2-image IDX file with labels, written here.
printf '\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00\x02\x00\x40\x80\xff\x01\x02\x03\x04' > "$TMP/images.idx"
printf '\x00\x00\x08\x01\x00\x00\x00\x02\x07\x01' | gzip -c > "$TMP/labels.idx.gz"
"$BIN" import --format idx "$TMP/images.idx" --labels "$TMP/labels.idx.gz" --out "$TMP/idx.h5" | grep -q "labels: 2 classes (1: 1, 7: 1)"
# Output folders that do not exist yet are created (README's `--out data/mnist.h5` in a fresh clone).
(cd "$TMP" && "$BIN" import --format idx images.idx --labels labels.idx.gz --out data/mnist.h5 >/dev/null)
(cd "$TMP" && "$BIN" preview data/mnist.h5 --out previews/mnist.png >/dev/null)
[ -f "$TMP/data/mnist.h5" ] && [ -f "$TMP/previews/mnist.png" ] || { echo "output folders were not created"; exit 1; }

if "$BIN" info "$TMP/missing.h5" 2>"$TMP/err"; then echo "info on a missing file succeeded"; exit 1; fi
grep -q "missing.h5" "$TMP/err"
head -c 100 /dev/urandom > "$TMP/garbage.idx"
if "$BIN" import --format idx "$TMP/garbage.idx" --out "$TMP/g.h5" 2>"$TMP/err"; then echo "garbage import succeeded"; exit 1; fi
grep -q "garbage.idx" "$TMP/err"
echo "diffuse-data integration: ok"
