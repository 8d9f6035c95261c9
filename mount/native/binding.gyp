# Patched fuse-native binding (see the header of fuse-native.c), modelled on
# node_modules/fuse-native/binding.gyp, compiled with the system libfuse2
# headers (Debian libfuse-dev, via pkg-config) and linked against our patched
# libfuse 2.9.9 (libfuse-build/, made by scripts/build-fuse-native.sh from
# libfuse/), instead of the copy bundled by fuse-shared-library.
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
      "-L<(module_root_dir)/libfuse-build/lib/.libs",
      "-l:libfuse.so.2",
      "-Wl,-rpath,<(module_root_dir)/libfuse-build/lib/.libs",
      "-pthread",
      "-ldl"
    ],
    "sources": [
      "fuse-native.c"
    ]
  }]
}
