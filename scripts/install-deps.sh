#!/usr/bin/env bash
# Installs the Debian packages Diffuse builds and runs against (and, with --slurm, the
# packages of the local one-node Slurm cluster and the simulated multi-node cluster
# used by the integration tests).
# Swift itself (6.x) must already be on PATH: see https://swift.org/install.
set -euo pipefail
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
packages=(libopenmpi-dev openmpi-bin libopenblas-dev libhdf5-dev libpng-dev zlib1g-dev libdnnl-dev pkg-config hdf5-tools)
# --slurm: also what the integration tests need beyond the build: Slurm for the one-node
# cluster, iproute2 (ip, tc) for the simulated multi-node cluster of cluster/sim, and
# chromium (headless, with a font) to render the run report (tests/integration/report.sh).
[ "${1:-}" = "--slurm" ] && packages+=(slurm-wlm munge iproute2 chromium fonts-dejavu-core)
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
command -v swift >/dev/null || { echo "install-deps.sh: swift is not on PATH; install Swift 6 first" >&2; exit 1; }
echo "install-deps.sh: installed ${packages[*]}"
