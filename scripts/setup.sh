#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for mempool (the tools the mount and
# the tests drive), installs the npm dependencies and builds. The mount speaks
# FUSE itself over /dev/fuse and mounts with util-linux's mount(8) (no libfuse);
# `fuse` only brings fusermount, which the tests' cleanup uses.
# Idempotent: fast when everything is already there. Run as root (or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

# etcd-server: the replicated metadata store of `mempool manager --meta etcd://…` (and its tests); etcd-client: etcdctl, to inspect it
DEBS=(fuse build-essential ca-certificates python3 attr rsync sqlite3 git tar openssl iproute2 procps psmisc fio util-linux etcd-server etcd-client)
missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund
fi

echo "setup: building"
npm run build --silent
chmod +x dist/src/cli/main.js
# Put `mempool` on PATH (root only; otherwise run node dist/src/cli/main.js).
if [ "$(id -u)" -eq 0 ] && [ -d /usr/local/bin ]; then
  ln -sf "$PWD/dist/src/cli/main.js" /usr/local/bin/mempool
  # the mount(8) helper: `mount -t fuse.mempool URL DIR -o secret_file=F` and fstab lines of type fuse.mempool
  for d in /sbin /usr/sbin; do
    if [ -d "$d" ]; then
      ln -sf "$PWD/scripts/mount.fuse.mempool" "$d/mount.fuse.mempool"
      break
    fi
  done
  echo "setup: done. Run: mempool --help"
else
  echo "setup: done. Run: node dist/src/cli/main.js --help"
fi
