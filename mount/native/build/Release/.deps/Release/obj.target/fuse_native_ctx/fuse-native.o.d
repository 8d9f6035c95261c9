cmd_Release/obj.target/fuse_native_ctx/fuse-native.o := cc -o Release/obj.target/fuse_native_ctx/fuse-native.o ../fuse-native.c '-DNODE_GYP_MODULE_NAME=fuse_native_ctx' '-DUSING_UV_SHARED=1' '-DUSING_V8_SHARED=1' '-DV8_DEPRECATION_WARNINGS=1' '-D_GLIBCXX_USE_CXX11_ABI=1' '-D_FILE_OFFSET_BITS=64' '-D_LARGEFILE_SOURCE' '-D__STDC_FORMAT_MACROS' '-DOPENSSL_NO_PINSHARED' '-DOPENSSL_THREADS' '-DBUILDING_NODE_EXTENSION' -I/usr/include/node -I/usr/src -I/usr/deps/openssl/config -I/usr/deps/openssl/openssl/include -I/usr/deps/uv/include -I/usr/deps/zlib -I/usr/deps/v8/include -I/work/main/node_modules/napi-macros  -fPIC -pthread -Wall -Wextra -Wno-unused-parameter -I/usr/include/fuse -D_FILE_OFFSET_BITS=64 -g -O2 -Wall -m64 -O3 -fno-omit-frame-pointer  -MMD -MF ./Release/.deps/Release/obj.target/fuse_native_ctx/fuse-native.o.d.raw   -c
Release/obj.target/fuse_native_ctx/fuse-native.o: ../fuse-native.c \
 /usr/include/node/uv.h /usr/include/node/uv/errno.h \
 /usr/include/node/uv/version.h /usr/include/node/uv/unix.h \
 /usr/include/node/uv/threadpool.h /usr/include/node/uv/linux.h \
 /usr/include/node/node_api.h /usr/include/node/js_native_api.h \
 /usr/include/node/js_native_api_types.h \
 /usr/include/node/node_api_types.h \
 /work/main/node_modules/napi-macros/napi-macros.h \
 /usr/include/fuse/fuse.h /usr/include/fuse/fuse_common.h \
 /usr/include/fuse/fuse_opt.h /usr/include/fuse/fuse_opt.h \
 /usr/include/fuse/fuse_common.h /usr/include/fuse/fuse_lowlevel.h
../fuse-native.c:
/usr/include/node/uv.h:
/usr/include/node/uv/errno.h:
/usr/include/node/uv/version.h:
/usr/include/node/uv/unix.h:
/usr/include/node/uv/threadpool.h:
/usr/include/node/uv/linux.h:
/usr/include/node/node_api.h:
/usr/include/node/js_native_api.h:
/usr/include/node/js_native_api_types.h:
/usr/include/node/node_api_types.h:
/work/main/node_modules/napi-macros/napi-macros.h:
/usr/include/fuse/fuse.h:
/usr/include/fuse/fuse_common.h:
/usr/include/fuse/fuse_opt.h:
/usr/include/fuse/fuse_opt.h:
/usr/include/fuse/fuse_common.h:
/usr/include/fuse/fuse_lowlevel.h:
