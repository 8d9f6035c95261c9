#!/usr/bin/env bash
# One command from a fresh Debian machine to a mounted pool: installs and builds
# (scripts/setup.sh), then runs `mempool up [MOUNTPOINT]` (default /mnt/mempool).
# Ctrl-C unmounts and stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/src/cli/main.js up "$@"
