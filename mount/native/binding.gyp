# Patched fuse-native binding (see the header of fuse-native.c), modelled on
# node_modules/fuse-native/binding.gyp but linked against the SYSTEM libfuse2
# (Debian: libfuse-dev for headers, libfuse2 at run time) via pkg-config,
# instead of the copy bundled by fuse-shared-library.
# Build with scripts/build-fuse-native.sh -> build/Release/fuse_native_ctx.node
{
  "targets": [{
    "target_name": "fuse_native_ctx",
    "include_dirs": [
      "<!(node -p \"require('path').dirname(require.resolve('napi-macros/napi-macros.h'))\")"
    ],
    "cflags": [
      "<!@(pkg-config --cflags fuse)",
      "-g",
      "-O2",
      "-Wall"
    ],
    "libraries": [
      "<!@(pkg-config --libs fuse)"
    ],
    "sources": [
      "fuse-native.c"
    ]
  }]
}
