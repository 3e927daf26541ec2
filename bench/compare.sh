#!/usr/bin/env bash
# Side by side: Diffuse (`diffuse-bench train` and `sample`, release build) and PyTorch
# (bench/torch_reference.py) on the same configs, back to back per config, then a table of
# ratios Diffuse / PyTorch (> 1: Diffuse faster or, for memory, larger).
# With --rounds R the three runs of each config are repeated R times in turn (Diffuse and
# PyTorch alternate, so slow spells of a shared machine hit both sides); the table then gives
# each side's median img/s and the median (min-max) of the per-round ratios.
#
# On a CPU with bf16 instructions (avx512_bf16 or amx_bf16) both sides also run in bf16 mixed
# precision (Diffuse: `diffuse-bench train/sample --precision bf16`; PyTorch: torch.autocast
# bf16), and a second table compares them (the "Diffuse precision" column shows fp32 if
# Diffuse fell back, e.g. when oneDNN builds no bf16 primitive). Elsewhere bf16 is skipped.
#
#   bash bench/setup-torch.sh                 (once: .venv/ with PyTorch from PyPI)
#   bench/compare.sh [--configs mnist,cifar-small,ddpm-cifar10] [--steps 10] [--warmup 2] [--threads 2] [--rounds 1]
#   PYTHON=/path/to/python bench/compare.sh ...     (default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIGS=mnist,cifar-small,ddpm-cifar10
STEPS=10
WARMUP=2
THREADS=2
ROUNDS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --configs) CONFIGS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    *) echo "compare.sh: unknown argument '$1' (expected --configs, --steps, --warmup, --threads, --rounds)" >&2; exit 2 ;;
  esac
done
PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || { echo "compare.sh: no python at $PYTHON: run 'bash bench/setup-torch.sh' (or set \$PYTHON to a python with torch)" >&2; exit 2; }
MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
FLAGS=$(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -1)
HAVE=""; for f in avx2 fma avx512f avx512bw avx512_vnni avx512_bf16 amx_bf16 amx_tile; do
  case " $FLAGS " in *" $f "*) HAVE="$HAVE $f" ;; esac
done
BF16=0; case " $FLAGS " in *" avx512_bf16 "*|*" amx_bf16 "*) BF16=1 ;; esac
echo "CPU: $MODEL ($(nproc) cores;$HAVE)"
echo "PyTorch: $("$PYTHON" -c 'import torch; print(torch.__version__)')"
[ "$BF16" = 1 ] || echo "bf16 skipped: this CPU lacks avx512_bf16/amx_bf16 (fp32 comparison only)"

swift build -c release --product diffuse-bench >&2
BENCH=$(swift build -c release --show-bin-path)/diffuse-bench
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for c in ${CONFIGS//,/ }; do
  for r in $(seq 1 "$ROUNDS"); do
    echo "== $c (round $r of $ROUNDS)" >&2
    DIFFUSE_THREADS=$THREADS "$BENCH" train --config "$c" --steps "$STEPS" --warmup "$WARMUP" --json \
      | sed "s/^{/{\"side\": \"diffuse-train\", \"round\": $r, /" >> "$OUT"
    DIFFUSE_THREADS=$THREADS "$BENCH" sample --config "$c" --steps "$STEPS" --warmup "$WARMUP" --json \
      | sed "s/^{/{\"side\": \"diffuse-sample\", \"round\": $r, /" >> "$OUT"
    "$PYTHON" bench/torch_reference.py --threads "$THREADS" --configs "$c" --steps "$STEPS" --warmup "$WARMUP" \
      | sed "s/^{/{\"side\": \"torch\", \"round\": $r, /" >> "$OUT"
    if [ "$BF16" = 1 ]; then
      DIFFUSE_THREADS=$THREADS "$BENCH" train --config "$c" --steps "$STEPS" --warmup "$WARMUP" --json --precision bf16 \
        | sed "s/^{/{\"side\": \"diffuse-train-bf16\", \"round\": $r, /" >> "$OUT"
      DIFFUSE_THREADS=$THREADS "$BENCH" sample --config "$c" --steps "$STEPS" --warmup "$WARMUP" --json --precision bf16 \
        | sed "s/^{/{\"side\": \"diffuse-sample-bf16\", \"round\": $r, /" >> "$OUT"
      "$PYTHON" bench/torch_reference.py --threads "$THREADS" --configs "$c" --steps "$STEPS" --warmup "$WARMUP" --precision bf16 \
        | sed "s/^{/{\"side\": \"torch-bf16\", \"round\": $r, /" >> "$OUT"
    fi
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by = {(r["side"], r["config"], r["round"]): r for r in rows}
configs = list(dict.fromkeys(r["config"] for r in rows))
rounds = sorted({r["round"] for r in rows})
med = statistics.median
def spread(ratios):
    return f"{med(ratios):.2f}" + (f" ({min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1 else "")
print(f"{len(rounds)} round(s); img/s are medians over rounds, ratios the median (min-max) of the per-round ratios")
print("| config | Diffuse train img/s | PyTorch train img/s | train ratio | Diffuse fwd img/s | PyTorch fwd img/s | fwd ratio "
      "| Diffuse train GFLOP/s (of sgemm) | peak RSS train MB Diffuse / PyTorch |")
print("|---|---|---|---|---|---|---|---|---|")
for c in configs:
    done = [(by[("diffuse-train", c, r)], by[("diffuse-sample", c, r)], by[("torch", c, r)]) for r in rounds
            if all((side, c, r) in by for side in ("diffuse-train", "diffuse-sample", "torch"))]
    if not done:
        print(f"| {c} | missing results |"); continue
    t = [d[0]["train_img_per_s"] for d in done]; p = [d[2]["train_img_per_s"] for d in done]
    s = [d[1]["forward_img_per_s"] for d in done]; pf = [d[2]["forward_img_per_s"] for d in done]
    g = [d[0]["train_gflop_per_s"] for d in done]; frac = [d[0]["train_gflop_per_s"] / d[0]["sgemm_gflop_per_s"] for d in done]
    print(f"| {c} | {med(t):.2f} | {med(p):.2f} | {spread([a / b for a, b in zip(t, p)])} "
          f"| {med(s):.2f} | {med(pf):.2f} | {spread([a / b for a, b in zip(s, pf)])} "
          f"| {med(g):.1f} ({med(frac):.2f}) "
          f"| {max(d[0]['peak_rss_mb'] for d in done):.0f} / {max(d[2]['peak_rss_mb'] for d in done):.0f} |")
bf = [(by[("diffuse-train-bf16", c, r)], by[("diffuse-sample-bf16", c, r)], by[("torch-bf16", c, r)]) for c in configs for r in rounds
      if all((side, c, r) in by for side in ("diffuse-train-bf16", "diffuse-sample-bf16", "torch-bf16"))]
if bf:
    print()
    print("bf16 mixed precision: Diffuse --precision bf16 against PyTorch under torch.autocast bf16:")
    print("| config | Diffuse precision | Diffuse bf16 train img/s | PyTorch bf16 train img/s | train ratio "
          "| Diffuse bf16 fwd img/s | PyTorch bf16 fwd img/s | fwd ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for c in configs:
        d = [x for x in bf if x[0]["config"] == c]
        if not d: continue
        t = [x[0]["train_img_per_s"] for x in d]; p = [x[2]["train_img_per_s"] for x in d]
        s = [x[1]["forward_img_per_s"] for x in d]; pf = [x[2]["forward_img_per_s"] for x in d]
        used = "/".join(sorted({x[0].get("precision", "?") for x in d}))
        print(f"| {c} | {used} | {med(t):.2f} | {med(p):.2f} | {spread([a / b for a, b in zip(t, p)])} "
              f"| {med(s):.2f} | {med(pf):.2f} | {spread([a / b for a, b in zip(s, pf)])} |")
PY
