#!/usr/bin/env bash
# bf16 against fp32 over a training run: trains one config three times, fp32 with seed 1, fp32
# with seed 2 (another initialisation, data order and noise) and bf16 with seed 1, then compares
# the mean losses in windows of steps: does bf16 stay within the spread between the fp32 seeds?
#
#   bench/bf16-curve.sh [--config configs/mnist.yaml] [--steps 2000] [--window 250]
#       [--run-root runs/bf16-curve] [--set key=value ...]
#
# On a CPU without avx512_bf16/amx_bf16 the bf16 run uses DIFFUSE_BF16=emulate (operands rounded
# to bf16, fp32 kernels): the same numerics as oneDNN's bf16 primitives, without their speed.
# Writes RUN_ROOT/bf16-curve.tsv (window, mean loss of each run, the two differences) and prints
# a verdict; the EMA grids are each run's samples/step-*.png.
set -euo pipefail
config=configs/mnist.yaml; steps=2000; window=250; run_root=runs/bf16-curve; sets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --config) config=$2; shift 2 ;;
        --steps) steps=$2; shift 2 ;;
        --window) window=$2; shift 2 ;;
        --run-root) run_root=$2; shift 2 ;;
        --set) sets+=(--set "$2"); shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "bf16-curve.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -f "$config" ] || { echo "bf16-curve.sh: no such config: $config" >&2; exit 2; }
bin=""
for dir in "${DIFFUSE_BIN:-}" .build/release; do
    if [ -n "$dir" ] && [ -x "$dir/diffuse-train" ]; then bin=$dir; break; fi
done
[ -n "$bin" ] || { echo "bf16-curve.sh: build first (swift build -c release)" >&2; exit 2; }
if [ -e "$run_root" ]; then echo "bf16-curve.sh: $run_root exists; choose another --run-root or remove it" >&2; exit 2; fi
mkdir -p "$run_root"
emulate=""
grep -qwE "avx512_bf16|amx_bf16" /proc/cpuinfo || emulate=emulate
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'); bf16 ${emulate:-native (oneDNN)}"

train() {  # name seed precision
    local dir=$run_root/$1
    echo "== $(date -u +%H:%M:%S) $1: seed $2, precision $3"
    DIFFUSE_BF16=$( [ "$3" = bf16 ] && echo "$emulate" || true ) \
        "$bin/diffuse-train" --config "$config" --run-dir "$dir" "${sets[@]}" \
        --set train.steps="$steps" --set train.seed="$2" --set train.precision="$3" \
        > "$dir.log" 2>&1 || { tail -20 "$dir.log" >&2; exit 1; }
    grep -E "Z precision " "$dir.log" | head -1 || true   # the run's precision notice
}
train fp32-seed1 1 fp32
train fp32-seed2 2 fp32
train bf16-seed1 1 bf16

python3 - "$run_root" "$window" <<'PY'
import json, sys
root, window = sys.argv[1], int(sys.argv[2])
def windows(name):
    means = {}
    for line in open(f"{root}/{name}/metrics.jsonl"):
        r = json.loads(line)
        means.setdefault((r["step"] - 1) // window, []).append(r["loss"])
    return {w: sum(v) / len(v) for w, v in means.items()}
a, b, h = windows("fp32-seed1"), windows("fp32-seed2"), windows("bf16-seed1")
seed_gaps, bf16_gaps = [], []
with open(f"{root}/bf16-curve.tsv", "w") as out:
    out.write("steps\tfp32_seed1\tfp32_seed2\tbf16_seed1\t|fp32_seed2-fp32_seed1|\t|bf16-fp32_seed1|\n")
    for w in sorted(set(a) & set(b) & set(h)):
        s, d = abs(b[w] - a[w]), abs(h[w] - a[w])
        seed_gaps.append(s); bf16_gaps.append(d)
        span = f"{w * window + 1}-{(w + 1) * window}"
        out.write(f"{span}\t{a[w]:.5f}\t{b[w]:.5f}\t{h[w]:.5f}\t{s:.5f}\t{d:.5f}\n")
        print(f"steps {span:>11}: fp32 seed 1 {a[w]:.4f}, fp32 seed 2 {b[w]:.4f}, bf16 seed 1 {h[w]:.4f}"
              f"  |seed gap| {s:.4f}  |bf16 gap| {d:.4f}")
if not seed_gaps:
    sys.exit("bf16-curve.sh: no loss windows in common (is --window larger than --steps?)")
ms, mb = sum(seed_gaps) / len(seed_gaps), sum(bf16_gaps) / len(bf16_gaps)
print(f"mean |bf16 - fp32| {mb:.4f} against mean |fp32 seed 2 - fp32 seed 1| {ms:.4f}; "
      f"largest {max(bf16_gaps):.4f} against {max(seed_gaps):.4f}: "
      + ("bf16 is within the fp32 seed spread" if mb <= ms and max(bf16_gaps) <= max(seed_gaps)
         else "bf16 departs from fp32 by more than the seed spread"))
print(f"table: {root}/bf16-curve.tsv; EMA grids: {root}/*/samples/")
PY
