/**
 * The one place that loads fuse-native.
 *
 * `loadFuse()` returns fuse-native's `Fuse` class, taken from our copy of its
 * index.js (mount/native/index.js) so that it runs on our patched native
 * binding (mount/native/fuse-native.c, built by scripts/build-fuse-native.sh
 * into mount/native/build/Release/fuse_native_ctx.node). The patch adds the
 * caller's uid/gid/pid (`callerContext()`), fixes utimens (mtime, UTIME_NOW,
 * UTIME_OMIT) and signed (pre-1970) times, and keeps open-but-unlinked files
 * usable under hard_remove (path null, use the fh). If the patched binding is not
 * built, the stock fuse-native binding is used, `callerContext()` answers the
 * mount process's own ids, non-ASCII names do not round-trip (it converts
 * them as UTF-8), and a warning is printed once.
 *
 * Conventions of the ops (fuse-native's): paths are relative to the mount
 * root ("/", "/a/b") and, like names, symlink targets and xattr names, are
 * byte strings (one char per byte, latin1) with the patched binding, so that
 * names which are not UTF-8 round-trip; every callback takes a result code first: 0 or a
 * negative errno (`-Errno.ENOENT`); read/write answer a byte count there.
 * Buffers passed to read/write/setxattr/getxattr are views of libfuse memory,
 * valid only until the callback is called: copy what you keep.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A path, or null for an open-but-unlinked file (see FuseOps). */
export type FhPath = string | null;

/** 0 for success or a negative errno. */
export type FuseResult = number;
export type FuseCallback = (result: FuseResult) => void;

/** What getattr (and readdir's optional stats) answer; times are Dates or milliseconds since the epoch (may be negative). */
export interface FuseStat {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  nlink?: number;
  ino?: number;
  dev?: number;
  rdev?: number;
  blksize?: number;
  blocks?: number;
  atime: Date | number;
  mtime: Date | number;
  ctime: Date | number;
}

/** statfs answer; every field is sent to the kernel as a uint32. */
export interface FuseStatfs {
  bsize: number;
  frsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  favail: number;
  fsid: number;
  flag: number;
  namemax: number;
}

/**
 * The operations fuse-native can forward (libfuse 2.9 high-level API).
 * Omitted ones answer ENOSYS (getattr of "/" excepted).
 *
 * `FhPath` arguments are null when the file (or directory) is still open but
 * was unlinked (mount option hard_remove, patched binding): use the fh.
 */
export interface FuseOps {
  init?(cb: FuseCallback): void;
  statfs?(path: string, cb: (result: FuseResult, statfs?: FuseStatfs) => void): void;
  getattr?(path: string, cb: (result: FuseResult, stat?: FuseStat) => void): void;
  /** Attributes of an open file (after ftruncate, lseek(SEEK_END), ...); fstat(2) itself uses getattr. */
  fgetattr?(path: FhPath, fh: number, cb: (result: FuseResult, stat?: FuseStat) => void): void;
  access?(path: string, mode: number, cb: FuseCallback): void;
  /** Answer stats too (same order as names) to give readdir's d_ino (with use_ino); else d_ino is 0xffffffff. */
  readdir?(path: FhPath, cb: (result: FuseResult, names?: string[], stats?: FuseStat[]) => void): void;
  open?(path: string, flags: number, cb: (result: FuseResult, fh?: number) => void): void;
  /** `flags` is always 0 (fuse-native passes the not yet set fh in its place). */
  opendir?(path: string, flags: number, cb: (result: FuseResult, fh?: number) => void): void;
  /** `flags` are the open(2) flags (patched binding; undefined with the stock one), passed after the callback. */
  create?(path: string, mode: number, cb: (result: FuseResult, fh?: number) => void, flags?: number): void;
  /** cb(bytesRead) or cb(-errno). */
  read?(path: FhPath, fh: number, buf: Buffer, len: number, pos: number, cb: (bytesOrErrno: number) => void): void;
  /** cb(bytesWritten) or cb(-errno). */
  write?(path: FhPath, fh: number, buf: Buffer, len: number, pos: number, cb: (bytesOrErrno: number) => void): void;
  flush?(path: FhPath, fh: number, cb: FuseCallback): void;
  fsync?(path: FhPath, datasync: number, fh: number, cb: FuseCallback): void;
  fsyncdir?(path: FhPath, datasync: number, fh: number, cb: FuseCallback): void;
  release?(path: FhPath, fh: number, cb: FuseCallback): void;
  releasedir?(path: FhPath, fh: number, cb: FuseCallback): void;
  truncate?(path: string, size: number, cb: FuseCallback): void;
  ftruncate?(path: FhPath, fh: number, size: number, cb: FuseCallback): void;
  /**
   * Times in ms since the epoch (negative before 1970); null = leave that time
   * unchanged (UTIME_OMIT, e.g. `touch -m`). UTIME_NOW arrives as the current
   * time. With the stock binding (fallback) mtime is wrongly equal to atime.
   */
  utimens?(path: string, atime: number | null, mtime: number | null, cb: FuseCallback): void;
  chown?(path: string, uid: number, gid: number, cb: FuseCallback): void;
  chmod?(path: string, mode: number, cb: FuseCallback): void;
  mknod?(path: string, mode: number, dev: number, cb: FuseCallback): void;
  unlink?(path: string, cb: FuseCallback): void;
  rename?(src: string, dest: string, cb: FuseCallback): void;
  /** Hard link: `existing` gets the new name `newPath`. */
  link?(existing: string, newPath: string, cb: FuseCallback): void;
  /** `target` is the link's content, `path` the new link. */
  symlink?(target: string, path: string, cb: FuseCallback): void;
  readlink?(path: string, cb: (result: FuseResult, target?: string) => void): void;
  mkdir?(path: string, mode: number, cb: FuseCallback): void;
  rmdir?(path: string, cb: FuseCallback): void;
  setxattr?(path: string, name: string, value: Buffer, position: number, flags: number, cb: FuseCallback): void;
  /** cb(0, value) or cb(0, null) for "no such attribute" (ENODATA), or cb(-errno). The value must fit the kernel's buffer. */
  getxattr?(path: string, name: string, position: number, cb: (result: FuseResult, value?: Buffer | null) => void): void;
  listxattr?(path: string, cb: (result: FuseResult, names?: string[]) => void): void;
  removexattr?(path: string, name: string, cb: FuseCallback): void;
}

/** Per-op timeout in ms; false (or 0) disables it. */
export type FuseTimeout = number | false | ({ default?: number } & { [op in keyof FuseOps]?: number | false });

/** The options fuse-native turns into `-o` mount options (others are not passed). */
export interface FuseOptions {
  /** Default 15000 ms per op; after it the kernel gets ETIMEDOUT and the late answer is dropped. */
  timeout?: FuseTimeout;
  /** Unmount a dead (ENOTCONN) mount at the mount point first. */
  force?: boolean;
  /** Create the mount point if missing. */
  mkdir?: boolean;
  debug?: boolean;
  allowOther?: boolean;
  allowRoot?: boolean;
  autoUnmount?: boolean;
  defaultPermissions?: boolean;
  maxRead?: number;
  /** Also the only way to pass options fuse-native does not know: 'name,opt1,opt2=v'. */
  fsname?: string;
  subtype?: string;
  kernelCache?: boolean;
  autoCache?: boolean;
  umask?: number | string;
  uid?: number;
  gid?: number;
  /** Seconds; 0 is dropped by fuse-native (falsy): use fsname to pass entry_timeout=0. */
  entryTimeout?: number;
  /** Seconds; 0 is dropped by fuse-native (falsy): use fsname to pass attr_timeout=0. */
  attrTimeout?: number;
  acAttrTimeout?: number;
  noforget?: boolean;
}

export interface FuseInstance {
  readonly mnt: string;
  /** Mounts; the callback runs once the kernel sent FUSE_INIT (the mount is usable). */
  mount(cb: (err: Error | null) => void): void;
  /** `fusermount -uz` then releases the native side. */
  unmount(cb: (err: Error | null) => void): void;
}

export interface FuseClass {
  new (mnt: string, ops: FuseOps, opts?: FuseOptions): FuseInstance;
  /** Lazy unmount of any mount point (`fusermount -uz`), e.g. a dead one. */
  unmount(mnt: string, cb: (err: Error | null) => void): void;
}

export interface CallerContext {
  uid: number;
  gid: number;
  /** Thread id of the calling thread (= its process id when single-threaded). */
  pid: number;
}

export interface FuseBindingInfo {
  /** True when the patched binding (caller context, utimens and time fixes) is in use. */
  patched: boolean;
  /** The native module file in use. */
  path: string;
  /** Why the patched binding is not in use, if it is not. */
  error: string | null;
}

/** What mount/native/index.js exports, beyond the Fuse class. */
interface NativeFuseModule extends FuseClass {
  getCallerContext(): readonly [uid: number, gid: number, pid: number] | null | undefined;
  nativeBinding: FuseBindingInfo;
}

let loaded: NativeFuseModule | null = null;
let warned = false;

/** mount/native, from the sources (mount/) or the compiled tree (dist/mount/). */
export function nativeDir(): string {
  const candidates = [path.join(__dirname, 'native'), path.join(__dirname, '..', '..', 'mount', 'native')];
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'index.js'))) return dir;
  }
  throw new Error(`mempool: mount/native/index.js not found (looked in ${candidates.join(', ')})`);
}

function load(): NativeFuseModule {
  if (loaded) return loaded;
  const mod = require(path.join(nativeDir(), 'index.js')) as NativeFuseModule;
  loaded = mod;
  if (!mod.nativeBinding.patched && !warned) {
    warned = true;
    console.warn(
      `mempool: patched FUSE binding not available (${mod.nativeBinding.error ?? 'unknown reason'}); ` +
        'using stock fuse-native: files are created as the mount process user, utimens is unreliable, names that are not ASCII are mangled (the stock binding decodes them as UTF-8). ' +
        'Run scripts/build-fuse-native.sh.',
    );
  }
  return mod;
}

/** fuse-native's Fuse class, running on the patched binding when it is built. */
export function loadFuse(): FuseClass {
  return load();
}

/** Which native binding loadFuse() uses. */
export function fuseBindingInfo(): FuseBindingInfo {
  return { ...load().nativeBinding };
}

/**
 * uid/gid/pid of the process that made the FUSE request being handled.
 * Call it synchronously at the start of an op handler (before any await or
 * callback): the native side only knows the op whose handler is running
 * right now, and throws otherwise. With the stock binding (fallback) it
 * returns the mount process's own uid/gid/pid.
 */
export function callerContext(): CallerContext {
  const mod = load();
  if (!mod.nativeBinding.patched) {
    return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, pid: process.pid };
  }
  const ctx = mod.getCallerContext();
  if (!ctx) {
    throw new Error('mempool: callerContext() called outside a FUSE op handler (call it before any await)');
  }
  return { uid: ctx[0], gid: ctx[1], pid: ctx[2] };
}
