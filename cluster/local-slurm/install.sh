#!/usr/bin/env bash
# Installs Debian's Slurm and munge packages for the local one-node cluster.
set -euo pipefail
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
