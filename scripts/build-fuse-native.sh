#!/usr/bin/env bash
# Builds mempool's patched fuse-native binding (mount/native/fuse-native.c)
# into mount/native/build/Release/fuse_native_ctx.node, linked against the
# system libfuse2.
#
# Needs (Debian): apt-get install -y libfuse-dev fuse libfuse2 (headers, run
# time, fusermount) plus a C toolchain, make and python3 for node-gyp
# (build-essential python3). Uses the node-gyp bundled with npm and the Node
# headers installed next to node (no download).
#
# Idempotent: does nothing when the binding was already built from the same
# sources (a hash of them is kept next to it). --force rebuilds anyway.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/mount/native"
OUT="$DIR/build/Release/fuse_native_ctx.node"
STAMP="$DIR/build/Release/fuse_native_ctx.sources.sha256"

die() { echo "build-fuse-native: $1" >&2; exit "${2:-1}"; }

FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

command -v node >/dev/null || die "node not found"
hash_sources() { { cat "$DIR/fuse-native.c" "$DIR/binding.gyp" "$DIR/libfuse/"*; echo "fuse_2.9.9 d0e69d5d608cc22ff4843791ad097f554dd32540ddc9bed7638cc6fea7c1b4b5"; } | sha256sum | cut -d' ' -f1; }
WANT="$(hash_sources)"
if [[ $FORCE == 0 && -f "$OUT" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
  echo "build-fuse-native: up to date ($OUT)"
  exit 0
fi

# libfuse2 headers (exit 2: missing system prerequisite).
if ! pkg-config --exists fuse 2>/dev/null || [[ ! -f "$(pkg-config --variable=includedir fuse)/fuse/fuse.h" ]]; then
  die "libfuse2 headers not found (pkg-config fuse / fuse.h). On Debian: apt-get install -y libfuse-dev fuse libfuse2 pkg-config" 2
fi
for tool in make python3 cc; do
  command -v "$tool" >/dev/null || die "$tool not found. On Debian: apt-get install -y build-essential python3" 2
done
(cd "$DIR" && node -e "require.resolve('napi-macros/napi-macros.h')" 2>/dev/null) \
  || die "napi-macros not installed (it comes with fuse-native): run npm ci first"

# node-gyp: the one bundled with npm, else one on PATH.
NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" 2>/dev/null || NPM_DIR=""
NODE_GYP=""
for c in "$NPM_DIR/node_modules/node-gyp/bin/node-gyp.js" "$(npm root -g 2>/dev/null)/npm/node_modules/node-gyp/bin/node-gyp.js"; do
  if [[ -f "$c" ]]; then NODE_GYP="node $c"; break; fi
done
if [[ -z "$NODE_GYP" ]]; then
  command -v node-gyp >/dev/null || die "node-gyp not found (it is bundled with npm)"
  NODE_GYP="node-gyp"
fi

# Node headers installed with node (e.g. /usr/include/node): no download needed.
NODE_PREFIX="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
NODEDIR_ARG=()
if [[ -f "$NODE_PREFIX/include/node/node_api.h" ]]; then
  NODEDIR_ARG=(--nodedir="$NODE_PREFIX")
else
  echo "build-fuse-native: no Node headers under $NODE_PREFIX/include/node; node-gyp will try to download them" >&2
fi

# libfuse 2.9.9 (Debian's upstream tarball, LGPL-2.1) with mount/native/libfuse/estale.patch: a file
# whose name a rename just took answers ESTALE instead of ENOENT, so the kernel looks the name up again
# and open/stat racing a rename succeed, as on tmpfs. Built as a private shared library next to the binding.
# The tarball comes from Debian's archive (the same registry setup.sh installs from), checked by its sha256,
# and is kept in a cache outside the repository: the project does not vendor other projects' sources.
LIBFUSE="$DIR/libfuse-build"
TARBALL_URL="http://deb.debian.org/debian/pool/main/f/fuse/fuse_2.9.9.orig.tar.gz"
TARBALL_SHA256="d0e69d5d608cc22ff4843791ad097f554dd32540ddc9bed7638cc6fea7c1b4b5"
CACHE="$DIR/cache"
TARBALL="$CACHE/fuse_2.9.9.orig.tar.gz"
mkdir -p "$CACHE"
if [[ ! -f "$TARBALL" ]] || ! echo "$TARBALL_SHA256  $TARBALL" | sha256sum -c --status; then
  command -v curl >/dev/null || die "curl not found. On Debian: apt-get install -y curl" 2
  echo "build-fuse-native: fetching $TARBALL_URL"
  curl -fsSL --retry 3 -o "$TARBALL.part" "$TARBALL_URL" || die "cannot download $TARBALL_URL"
  echo "$TARBALL_SHA256  $TARBALL.part" | sha256sum -c --status || die "$TARBALL_URL does not match its sha256"
  mv "$TARBALL.part" "$TARBALL"
fi
echo "build-fuse-native: building patched libfuse in $LIBFUSE"
rm -rf "$LIBFUSE" && mkdir -p "$LIBFUSE"
tar xzf "$TARBALL" -C "$LIBFUSE" --strip-components=1
command -v patch >/dev/null || die "patch not found. On Debian: apt-get install -y patch" 2
(cd "$LIBFUSE" && patch -s -p1 < "$DIR/libfuse/estale.patch") || die "libfuse patch does not apply"
(cd "$LIBFUSE" && ./configure -q --prefix=/usr --disable-util --disable-example --disable-mtab >configure.log 2>&1 \
  && make -s -C lib -j"$(nproc)" >make.log 2>&1) || die "libfuse build failed (see $LIBFUSE/configure.log, make.log)"

echo "build-fuse-native: building $OUT"
(cd "$DIR" && $NODE_GYP rebuild --release "${NODEDIR_ARG[@]}" --loglevel=warn) \
  || die "node-gyp failed"

node -e "const b = require(process.argv[1]); if (typeof b.fuse_native_get_context !== 'function') process.exit(1)" "$OUT" \
  || die "built binding does not load or lacks fuse_native_get_context"
echo "$WANT" > "$STAMP"
echo "build-fuse-native: ok ($OUT)"
