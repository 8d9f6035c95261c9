#!/usr/bin/env bash
# handoff.sh: one job hands a large intermediate to another as files on the pool.
#
# What it shows: a producer and a consumer that share nothing but the mount
# (on a cluster they run on different machines). The producer builds a tree
# of files, packs it with tar straight onto the pool, writes a sha256
# manifest, and publishes the hand-off with an atomic rename of a READY
# marker. The consumer waits for the marker, checks the archive's sha256,
# unpacks it into its own local directory and compares the tree with the
# producer's. Nothing is copied over ssh or a shared disk: the bytes stay in
# the pool's memory between the two jobs.
#
# Usage: handoff.sh [MOUNTPOINT]   (default $MEMPOOL_MNT or /mnt/mempool)
# Environment: HANDOFF_MB (size of the bulk data, default 64).
set -euo pipefail

mnt=${1:-${MEMPOOL_MNT:-/mnt/mempool}}
mb=${HANDOFF_MB:-64}
[ -d "$mnt" ] || { echo "handoff: $mnt is not a directory (is the pool mounted?)" >&2; exit 2; }

spool=$(mktemp -d "$mnt/handoff.XXXXXX")   # the hand-off area on the pool
work=$(mktemp -d)                          # each job's own local disk
trap 'rm -rf "$spool" "$work"' EXIT

producer() {
  local src=$work/producer/tree
  mkdir -p "$src/logs" "$src/data"
  for i in $(seq 1 300); do printf 'event %d at step %d\n' "$i" $((i * 7)) > "$src/logs/event-$i.log"; done
  head -c $((mb * 1024 * 1024)) /dev/urandom > "$src/data/bulk.bin"
  ln -s data/bulk.bin "$src/latest"
  tar -C "$src" -cf "$spool/result.tar" .
  (cd "$spool" && sha256sum result.tar > MANIFEST)
  touch "$spool/.READY.tmp" && mv "$spool/.READY.tmp" "$spool/READY"   # publish atomically
  echo "producer: wrote $(du -sh --apparent-size "$spool/result.tar" | cut -f1) to the pool and published it"
}

consumer() {
  local dst=$work/consumer/tree
  for _ in $(seq 1 600); do [ -e "$spool/READY" ] && break; sleep 0.1; done
  [ -e "$spool/READY" ] || { echo "consumer: nothing was handed off" >&2; return 1; }
  (cd "$spool" && sha256sum --quiet -c MANIFEST) || { echo "consumer: checksum mismatch" >&2; return 1; }
  mkdir -p "$dst"
  tar -C "$dst" -xf "$spool/result.tar"
  echo "consumer: checksum ok, unpacked $(find "$dst" -type f | wc -l) files"
}

consumer > "$work/consumer.out" 2>&1 &   # started first: it waits for the hand-off
consumer_pid=$!
producer
if wait "$consumer_pid"; then cat "$work/consumer.out"; else cat "$work/consumer.out"; exit 1; fi

if diff -r --no-dereference "$work/producer/tree" "$work/consumer/tree"; then
  echo "verified: the consumer's tree is identical to the producer's (sha256 $(cut -c1-16 "$spool/MANIFEST")...)"
else
  echo "MISMATCH between the producer's and the consumer's trees" >&2
  exit 1
fi
