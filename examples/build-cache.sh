#!/usr/bin/env bash
# build-cache.sh: a shared build-output cache on the pool, keyed by source hash.
#
# What it shows: the pool as a cluster-wide cache (like ccache or a CI
# cache). Each C source is compiled to an object file whose cache key is the
# sha256 of the source, the flags and the compiler version. A build first
# looks in $MNT/build-cache; on a miss it compiles and stores the object
# (write to a temp name, then rename: concurrent builders never see half an
# object). The script builds the same project three times in separate local
# build directories, as three machines would: a cold build (all misses), a
# warm build (all hits), and one after a source edit (one miss). Each build
# links and runs the program; the three outputs must agree with the edit.
#
# Usage: build-cache.sh [MOUNTPOINT]   (default $MEMPOOL_MNT or /mnt/mempool)
# Environment: SOURCES (number of generated C files, default 24), CC (default gcc).
set -euo pipefail

mnt=${1:-${MEMPOOL_MNT:-/mnt/mempool}}
n=${SOURCES:-24}
cc=${CC:-gcc}
cflags="-O2"
[ -d "$mnt" ] || { echo "build-cache: $mnt is not a directory (is the pool mounted?)" >&2; exit 2; }

cache=$(mktemp -d "$mnt/build-cache.XXXXXX")   # a real setup would keep one fixed cache dir
work=$(mktemp -d)
trap 'rm -rf "$cache" "$work"' EXIT

# A small project: n functions, each in its own file, and a main that calls them all.
src=$work/src
mkdir -p "$src"
{
  echo '#include <stdio.h>'
  for i in $(seq 1 "$n"); do echo "long f$i(long);"; done
  echo 'int main(void) { long s = 0;'
  for i in $(seq 1 "$n"); do echo "  s += f$i($i);"; done
  echo '  printf("checksum %ld\n", s); return 0; }'
} > "$src/main.c"
for i in $(seq 1 "$n"); do
  printf 'long f%d(long x) { long r = 0; for (long k = 0; k < %d; k++) r += (x * k) %% 97; return r; }\n' "$i" $((i * 1000)) > "$src/f$i.c"
done

compiler_id=$($cc --version | head -1)

# Builds the project in a fresh local dir using the shared cache; prints "hits misses output".
build() {
  local out=$work/build-$1 hits=0 misses=0
  mkdir -p "$out"
  for c in "$src"/*.c; do
    local key obj
    key=$( { cat "$c"; echo "$cflags"; echo "$compiler_id"; } | sha256sum | cut -c1-40)
    obj=$out/$(basename "$c" .c).o
    if [ -f "$cache/$key.o" ]; then
      cp "$cache/$key.o" "$obj"
      hits=$((hits + 1))
    else
      $cc $cflags -c "$c" -o "$obj"
      cp "$obj" "$cache/.$key.o.$$" && mv "$cache/.$key.o.$$" "$cache/$key.o"
      misses=$((misses + 1))
    fi
  done
  $cc -o "$out/prog" "$out"/*.o
  echo "$hits $misses $("$out/prog")"
}

read -r h1 m1 out1 < <(build cold)
echo "cold build: hits=$h1 misses=$m1 ($out1)"
read -r h2 m2 out2 < <(build warm)
echo "warm build: hits=$h2 misses=$m2 ($out2)"
sed -i 's/% 97/% 89/' "$src/f3.c"   # edit one source
read -r h3 m3 out3 < <(build edited)
echo "after editing f3.c: hits=$h3 misses=$m3 ($out3)"
echo "cache: $(ls "$cache" | wc -l) objects, $(du -sh --apparent-size "$cache" | cut -f1) on the pool"

total=$((n + 1))
if [ "$h1 $m1" = "0 $total" ] && [ "$h2 $m2" = "$total 0" ] && [ "$h3 $m3" = "$n 1" ] && [ "$out1" = "$out2" ] && [ "$out2" != "$out3" ]; then
  echo "verified: the warm build compiled nothing, the edit recompiled exactly one file, and the programs agree"
else
  echo "MISMATCH in cache behaviour" >&2
  exit 1
fi
