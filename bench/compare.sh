#!/usr/bin/env bash
# Side by side: Diffuse (`diffuse-bench train` and `sample`, release build) and PyTorch
# (bench/torch_reference.py) on the same configs, back to back per config, then a table of
# ratios Diffuse / PyTorch (> 1: Diffuse faster or, for memory, larger).
#
#   bench/compare.sh [--configs mnist,cifar-small,ddpm-cifar10] [--steps 10] [--warmup 2] [--threads 2]
#   PYTHON=/path/to/python bench/compare.sh ...     (default /work/venv-torch/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIGS=mnist,cifar-small,ddpm-cifar10
STEPS=10
WARMUP=2
THREADS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --configs) CONFIGS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    *) echo "compare.sh: unknown argument '$1' (expected --configs, --steps, --warmup, --threads)" >&2; exit 2 ;;
  esac
done
PYTHON=${PYTHON:-/work/venv-torch/bin/python}
[ -x "$PYTHON" ] || { echo "compare.sh: no python at $PYTHON (set \$PYTHON to a python with torch)" >&2; exit 2; }

swift build -c release --product diffuse-bench >&2
BENCH=$(swift build -c release --show-bin-path)/diffuse-bench
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for c in ${CONFIGS//,/ }; do
  echo "== $c" >&2
  DIFFUSE_THREADS=$THREADS "$BENCH" train --config "$c" --steps "$STEPS" --warmup "$WARMUP" --json \
    | sed 's/^{/{"side": "diffuse-train", /' >> "$OUT"
  DIFFUSE_THREADS=$THREADS "$BENCH" sample --config "$c" --steps "$STEPS" --warmup "$WARMUP" --json \
    | sed 's/^{/{"side": "diffuse-sample", /' >> "$OUT"
  "$PYTHON" bench/torch_reference.py --threads "$THREADS" --configs "$c" --steps "$STEPS" --warmup "$WARMUP" \
    | sed 's/^{/{"side": "torch", /' >> "$OUT"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$OUT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by = {(r["side"], r["config"]): r for r in rows}
configs = list(dict.fromkeys(r["config"] for r in rows))
print("| config | Diffuse train img/s | PyTorch train img/s | train ratio | Diffuse fwd img/s | PyTorch fwd img/s | fwd ratio "
      "| Diffuse train GFLOP/s (of sgemm) | peak RSS train MB Diffuse / PyTorch |")
print("|---|---|---|---|---|---|---|---|---|")
for c in configs:
    t, s, p = by.get(("diffuse-train", c)), by.get(("diffuse-sample", c)), by.get(("torch", c))
    if not (t and s and p):
        print(f"| {c} | missing results |"); continue
    print(f"| {c} | {t['train_img_per_s']:.2f} | {p['train_img_per_s']:.2f} | {t['train_img_per_s'] / p['train_img_per_s']:.2f} "
          f"| {s['forward_img_per_s']:.2f} | {p['forward_img_per_s']:.2f} | {s['forward_img_per_s'] / p['forward_img_per_s']:.2f} "
          f"| {t['train_gflop_per_s']:.1f} ({t['train_gflop_per_s'] / t['sgemm_gflop_per_s']:.2f}) "
          f"| {t['peak_rss_mb']:.0f} / {p['peak_rss_mb']:.0f} |")
PY
