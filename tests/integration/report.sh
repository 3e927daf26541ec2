#!/usr/bin/env bash
# The run report in a browser (run by .ci/run): a tiny training run of configs/shapes.yaml
# leaves report.html in its run folder; headless Chromium opens it from disk (no server, no
# network), the page's inline check says every plot has a box and every sample grid decoded,
# and a screenshot of it shows the plots' colours. Then `diffuse-eval report` rewrites it, and
# fails clearly on a folder that does not exist. REPORT_SCREENSHOT=PATH keeps the screenshot.
set -euo pipefail
cd "$(dirname "$0")/../.."
bindir=${DIFFUSE_BIN:-.build/debug}
for b in diffuse-train diffuse-eval; do
    [ -x "$bindir/$b" ] || { echo "report: $bindir/$b not built" >&2; exit 1; }
done
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "report: chromium is not installed (bash scripts/install-deps.sh --slurm installs it)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
fail() { echo "report: $*" >&2; exit 1; }

# Chromium as root needs --no-sandbox; its own profile folder keeps it off $HOME.
chrome() {
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        --user-data-dir="$work/profile" "$@" 2>>"$work/chromium.err"
}

run="$work/shapes"
timeout 600 "$bindir/diffuse-train" --config configs/shapes.yaml --run-dir "$run" \
    --set train.steps=6 --set train.global_batch=4 --set data.count=64 --set sample.count=4 --set sample.steps=2 \
    --set train.log_every=1 --set train.sample_every=2 --set train.checkpoint_every=3 \
    --set model.unet.channels_per_depth='[8, 16]' --set model.unet.num_groups=4 >"$work/train.out"
page="$run/report.html"
[ -s "$page" ] || fail "training left no $page"
grep -q '<span class="status done">completed</span>' "$page" || fail "the report does not say the run completed"
# Self-contained: nothing is fetched from elsewhere.
if grep -Eq '<link|@import|url\(|(src|href)="(https?:|//)' "$page"; then fail "the report refers to outside resources"; fi

# The page's own check, after load: 6 training plots, grids of steps 2, 4 and 6.
chrome --virtual-time-budget=10000 --dump-dom "file://$page" >"$work/dom.html" || { cat "$work/chromium.err" >&2; fail "chromium --dump-dom failed"; }
rendered=$(grep -o 'data-rendered="[^"]*"' "$work/dom.html" || true)
[ "$rendered" = 'data-rendered="ok 6 plots 3 images"' ] || fail "rendered check: ${rendered:-missing} (expected ok 6 plots 3 images)"

# The check itself sees an image that does not decode.
sed -E 's|data:image/png;base64,[A-Za-z0-9+/=]+"|data:image/png;base64,bm90IGEgUE5H"|' "$page" >"$work/broken.html"
chrome --virtual-time-budget=10000 --dump-dom "file://$work/broken.html" >"$work/broken-dom.html" || fail "chromium --dump-dom failed"
grep -q 'data-rendered="failed image 0,image 1,image 2 6 plots 3 images"' "$work/broken-dom.html" \
    || fail "the render check missed undecodable images: $(grep -o 'data-rendered="[^"]*"' "$work/broken-dom.html")"

chrome --screenshot="$work/report.png" --window-size=1280,2400 "file://$page" >/dev/null \
    || { cat "$work/chromium.err" >&2; fail "chromium --screenshot failed"; }
# Not blank: many distinct colours, and the first two series colours (#0072B2, #D55E00) drawn.
python3 - "$work/report.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
assert depth == 8 and colour in (2, 6), f"unexpected PNG format: depth {depth}, colour type {colour}"
bpp = 3 if colour == 2 else 4
raw, stride = zlib.decompress(idat), width * bpp
rows, previous, offset = [], bytearray(stride), 0
for _ in range(height):
    kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
    offset += 1 + stride
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = previous[i]
        c = previous[i - bpp] if i >= bpp else 0
        if kind == 1: line[i] = (line[i] + a) & 255
        elif kind == 2: line[i] = (line[i] + b) & 255
        elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif kind == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line))
    previous = line
counts = {}
for line in rows:
    for i in range(0, stride, bpp):
        key = line[i:i + 3]
        counts[key] = counts.get(key, 0) + 1
blue, orange = counts.get(bytes([0x00, 0x72, 0xB2]), 0), counts.get(bytes([0xD5, 0x5E, 0x00]), 0)
print(f"report: screenshot {width}x{height}, {len(counts)} colours, {blue} px of series blue, {orange} px of series orange")
assert len(counts) >= 64, "the screenshot is nearly blank"
assert blue >= 200 and orange >= 50, "the plot lines are not on the screenshot"
PY
[ -z "${REPORT_SCREENSHOT:-}" ] || cp "$work/report.png" "$REPORT_SCREENSHOT"

# diffuse-eval report rewrites the page; a missing folder is a one-line error naming it.
rm "$page"
[ "$("$bindir/diffuse-eval" report "$run")" = "$page" ] || fail "diffuse-eval report did not print $page"
grep -q 'data-series="loss"' "$page" || fail "diffuse-eval report wrote no loss plot"
if "$bindir/diffuse-eval" report "$work/missing" 2>"$work/err"; then fail "a missing run folder succeeded"; fi
grep -q "diffuse-eval report: error: $work/missing: no such run folder" "$work/err" || { cat "$work/err" >&2; fail "unclear error"; }
echo "report: ok"
