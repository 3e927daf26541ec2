#!/usr/bin/env bash
# Makes the virtualenv bench/compare.sh runs PyTorch from: .venv/ in the repository (ignored
# by git) with PyPI's torch and numpy, as a user's `pip install torch` gets them. The Linux
# wheel brings its CUDA runtime packages (about 5 GB on disk); the benchmark uses the CPU only.
#
#   bash bench/setup-torch.sh [VERSION]      (default 2.15.0, the version bench/RESULTS.md compares with)
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${1:-2.15.0}
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q "torch==$VERSION" numpy h5py
.venv/bin/python -c "import torch; print('torch', torch.__version__, 'threads', torch.get_num_threads(), 'mkldnn', torch.backends.mkldnn.is_available())"
