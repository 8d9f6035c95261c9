#!/usr/bin/env bash
# parallel-wordcount.sh: a split / process / merge job whose workers share
# their input and intermediates through the pool.
#
# What it shows: the mount as cluster scratch space for a batch job. One step
# writes a large input onto the pool and splits it into parts; N workers
# (parallel processes; on a cluster, one per machine, each with the pool
# mounted at the same path) each count the words of one part and publish a
# partial result with an atomic rename; a merge step adds the partials. The
# result is checked against a single-process count of the same input.
#
# Usage: parallel-wordcount.sh [MOUNTPOINT]   (default $MEMPOOL_MNT or /mnt/mempool)
# Environment: WORKERS (default 4), INPUT_LINES (default 200000).
set -euo pipefail

mnt=${1:-${MEMPOOL_MNT:-/mnt/mempool}}
workers=${WORKERS:-4}
lines=${INPUT_LINES:-200000}
[ -d "$mnt" ] || { echo "parallel-wordcount: $mnt is not a directory (is the pool mounted?)" >&2; exit 2; }

job=$(mktemp -d "$mnt/wordcount.XXXXXX")
trap 'rm -rf "$job"' EXIT
mkdir -p "$job/parts" "$job/counts"
export LC_ALL=C

# 1. The input: deterministic pseudo-random text, written straight onto the pool.
awk -v n="$lines" 'BEGIN {
  srand(42)
  nw = split("memory pool cluster node chunk lease page cache write read fuse mount scratch shared tmpfs rename merge split worker result", w, " ")
  for (i = 0; i < n; i++) {
    line = ""
    for (j = 0; j < 12; j++) line = line w[int(rand() * nw) + 1] (j < 11 ? " " : "")
    print line
  }
}' > "$job/input.txt"
echo "input: $(wc -l < "$job/input.txt") lines, $(wc -c < "$job/input.txt") bytes on the pool"

# 2. Split into one part per worker (whole lines).
split -n "l/$workers" -d "$job/input.txt" "$job/parts/part-"
echo "split into $(ls "$job/parts" | wc -l) parts"

# 3. The workers, in parallel: each reads its part from the pool and publishes
#    its counts with write-to-temp + rename, so the merge never sees half a file.
count_part() {
  local job=$1 part=$2
  tr -s ' ' '\n' < "$job/parts/$part" | grep -v '^$' | sort | uniq -c | awk '{ print $2, $1 }' > "$job/counts/.$part.tmp"
  mv "$job/counts/.$part.tmp" "$job/counts/$part"
}
export -f count_part
ls "$job/parts" | xargs -P "$workers" -I{} bash -c 'count_part "$1" "$2"' _ "$job" {}
echo "workers done: $(ls "$job/counts" | wc -l) partial counts"

# 4. Merge the partial counts.
cat "$job"/counts/part-* | awk '{ c[$1] += $2 } END { for (w in c) print w, c[w] }' | sort > "$job/result.txt"

# 5. Verify against one process counting the whole input.
tr -s ' ' '\n' < "$job/input.txt" | grep -v '^$' | sort | uniq -c | awk '{ print $2, $1 }' | sort > "$job/single.txt"
total=$(awk '{ s += $2 } END { print s }' "$job/result.txt")
if cmp -s "$job/result.txt" "$job/single.txt"; then
  echo "verified: $workers workers counted $total words ($(wc -l < "$job/result.txt") distinct), identical to a single-process count"
  head -3 "$job/result.txt" | sed 's/^/  /'
else
  echo "MISMATCH between the parallel and the single-process count" >&2
  diff "$job/result.txt" "$job/single.txt" | head >&2
  exit 1
fi
