#!/usr/bin/env bash
# From a fresh clone: install the system packages, build in release, and train the default
# main job — a small UNet on the built-in procedural "shapes" images (no download) — on
# every core of this machine. Sample grids appear in runs/shapes/samples/, checkpoints in
# runs/shapes/checkpoints/, metrics in runs/shapes/metrics.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release
exec .build/release/diffuse-train --config configs/shapes.yaml --run-dir runs/shapes "$@"
