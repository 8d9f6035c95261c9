/**
 * The FUSE kernel ABI as this project speaks it: opcodes, flags and the byte
 * layout of the structs it reads and writes on /dev/fuse. Written from the
 * definitions in linux/fuse.h (protocol 7.39); knows nothing about mempool.
 * All integers are little-endian (x86-64 and arm64 hosts).
 */

/** Protocol version we implement; the kernel here speaks a newer minor and negotiates down to ours. */
export const KERNEL_VERSION = 7;
export const KERNEL_MINOR = 39;
/** The root directory's node id. */
export const ROOT_ID = 1;

/** Request opcodes. */
export const Op = {
  LOOKUP: 1,
  FORGET: 2,
  GETATTR: 3,
  SETATTR: 4,
  READLINK: 5,
  SYMLINK: 6,
  MKNOD: 8,
  MKDIR: 9,
  UNLINK: 10,
  RMDIR: 11,
  RENAME: 12,
  LINK: 13,
  OPEN: 14,
  READ: 15,
  WRITE: 16,
  STATFS: 17,
  RELEASE: 18,
  FSYNC: 20,
  SETXATTR: 21,
  GETXATTR: 22,
  LISTXATTR: 23,
  REMOVEXATTR: 24,
  FLUSH: 25,
  INIT: 26,
  OPENDIR: 27,
  READDIR: 28,
  RELEASEDIR: 29,
  FSYNCDIR: 30,
  GETLK: 31,
  SETLK: 32,
  SETLKW: 33,
  ACCESS: 34,
  CREATE: 35,
  INTERRUPT: 36,
  BMAP: 37,
  DESTROY: 38,
  IOCTL: 39,
  POLL: 40,
  NOTIFY_REPLY: 41,
  BATCH_FORGET: 42,
  FALLOCATE: 43,
  READDIRPLUS: 44,
  RENAME2: 45,
  LSEEK: 46,
  COPY_FILE_RANGE: 47,
  SYNCFS: 50,
  TMPFILE: 51,
  STATX: 52,
} as const;

/** Notification codes (written with unique 0; the code goes in the header's error field). */
export const Notify = { INVAL_INODE: 2, INVAL_ENTRY: 3, DELETE: 6 } as const;

/** INIT flags (flags: bits 0..31, flags2: bits 32..63, given here as bit numbers). */
export const InitBit = {
  ASYNC_READ: 0,
  POSIX_LOCKS: 1,
  ATOMIC_O_TRUNC: 3,
  EXPORT_SUPPORT: 4,
  BIG_WRITES: 5,
  DONT_MASK: 6,
  FLOCK_LOCKS: 10,
  AUTO_INVAL_DATA: 12,
  DO_READDIRPLUS: 13,
  READDIRPLUS_AUTO: 14,
  ASYNC_DIO: 15,
  WRITEBACK_CACHE: 16,
  PARALLEL_DIROPS: 18,
  HANDLE_KILLPRIV: 19,
  MAX_PAGES: 22,
  EXPLICIT_INVAL_DATA: 25,
  HANDLE_KILLPRIV_V2: 28,
  INIT_EXT: 30,
  /** 7.39: direct-I/O opens may still be mapped shared (the page cache serves the mapping). */
  DIRECT_IO_ALLOW_MMAP: 36,
} as const;

/** Per-open reply flags. */
export const FOPEN_DIRECT_IO = 1 << 0;
export const FOPEN_KEEP_CACHE = 1 << 1;
export const FOPEN_CACHE_DIR = 1 << 3;

/** SETATTR valid bits. */
export const FATTR_MODE = 1 << 0;
export const FATTR_UID = 1 << 1;
export const FATTR_GID = 1 << 2;
export const FATTR_SIZE = 1 << 3;
export const FATTR_ATIME = 1 << 4;
export const FATTR_MTIME = 1 << 5;
export const FATTR_FH = 1 << 6;
export const FATTR_ATIME_NOW = 1 << 7;
export const FATTR_MTIME_NOW = 1 << 8;
export const FATTR_KILL_SUIDGID = 1 << 11;

/** GETATTR: the fh field is valid. */
export const GETATTR_FH = 1 << 0;
/** WRITE flags: a page-cache writeback; the kernel asks the daemon to clear SUID/SGID (HANDLE_KILLPRIV_V2). */
export const WRITE_CACHE = 1 << 0;
export const WRITE_KILL_SUIDGID = 1 << 2;
/** OPEN/CREATE open_flags: clear SUID/SGID (O_TRUNC by a caller without CAP_FSETID, HANDLE_KILLPRIV_V2). */
export const OPEN_KILL_SUIDGID = 1 << 0;
/** FSYNC flags: data only. */
export const FSYNC_FDATASYNC = 1 << 0;
/** LK flags: the lock is a flock(2) lock. */
export const LK_FLOCK = 1 << 0;
/** RELEASE release_flags: drop the flock(2) lock of lock_owner too. */
export const RELEASE_FLOCK_UNLOCK = 1 << 1;

/** Struct sizes. */
export const IN_HEADER_SIZE = 40;
export const OUT_HEADER_SIZE = 16;
export const ATTR_SIZE = 88;
export const ENTRY_OUT_SIZE = 40 + ATTR_SIZE;
export const ATTR_OUT_SIZE = 16 + ATTR_SIZE;
export const OPEN_OUT_SIZE = 16;
export const INIT_OUT_SIZE = 64;
export const STATFS_OUT_SIZE = 80;
export const DIRENT_BASE = 24;
export const DIRENTPLUS_BASE = ENTRY_OUT_SIZE + DIRENT_BASE;
export const LK_OUT_SIZE = 24;

const TWO32 = 0x1_0000_0000;

/** Reads an unsigned 64-bit field as a number (exact up to 2^53). */
export function u64(b: Buffer, off: number): number {
  return b.readUInt32LE(off) + b.readUInt32LE(off + 4) * TWO32;
}

/** Reads a signed 64-bit field as a number. */
export function i64(b: Buffer, off: number): number {
  return b.readUInt32LE(off) + b.readInt32LE(off + 4) * TWO32;
}

/** Writes a non-negative or negative integer as a 64-bit field (two's complement). */
export function put64(b: Buffer, off: number, n: number): void {
  const hi = Math.floor(n / TWO32);
  b.writeUInt32LE(n - hi * TWO32, off);
  b.writeUInt32LE(hi >>> 0, off + 4);
}

/** The fixed header of every request. */
export interface InHeader {
  len: number;
  opcode: number;
  unique: number;
  nodeid: number;
  uid: number;
  gid: number;
  pid: number;
  /** Length of extensions after the op's struct, in bytes. */
  extlen: number;
}

export function decodeInHeader(b: Buffer): InHeader {
  return {
    len: b.readUInt32LE(0),
    opcode: b.readUInt32LE(4),
    unique: u64(b, 8),
    nodeid: u64(b, 16),
    uid: b.readUInt32LE(24),
    gid: b.readUInt32LE(28),
    pid: b.readUInt32LE(32),
    extlen: b.readUInt16LE(36) * 8,
  };
}

export function encodeInHeader(h: InHeader): Buffer {
  const b = Buffer.alloc(IN_HEADER_SIZE);
  b.writeUInt32LE(h.len, 0);
  b.writeUInt32LE(h.opcode, 4);
  put64(b, 8, h.unique);
  put64(b, 16, h.nodeid);
  b.writeUInt32LE(h.uid, 24);
  b.writeUInt32LE(h.gid, 28);
  b.writeUInt32LE(h.pid, 32);
  b.writeUInt16LE(h.extlen / 8, 36);
  return b;
}

/** Writes a reply or notification header (error is 0, a negative errno, or a notification code). */
export function putOutHeader(b: Buffer, len: number, error: number, unique: number): void {
  b.writeUInt32LE(len, 0);
  b.writeInt32LE(error, 4);
  put64(b, 8, unique);
}

/** File attributes as sent to the kernel; times in ms since the epoch (may be negative). */
export interface FuseAttr {
  ino: number;
  size: number;
  blocks: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  blksize: number;
}

function putTime(b: Buffer, secOff: number, nsecOff: number, ms: number): void {
  const sec = Math.floor(ms / 1000);
  put64(b, secOff, sec);
  b.writeUInt32LE(Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6)), nsecOff);
}

function getTime(b: Buffer, secOff: number, nsecOff: number): number {
  return i64(b, secOff) * 1000 + Math.floor(b.readUInt32LE(nsecOff) / 1e6);
}

export function putAttr(b: Buffer, off: number, a: FuseAttr): void {
  put64(b, off, a.ino);
  put64(b, off + 8, a.size);
  put64(b, off + 16, a.blocks);
  putTime(b, off + 24, off + 48, a.atimeMs);
  putTime(b, off + 32, off + 52, a.mtimeMs);
  putTime(b, off + 40, off + 56, a.ctimeMs);
  b.writeUInt32LE(a.mode >>> 0, off + 60);
  b.writeUInt32LE(a.nlink >>> 0, off + 64);
  b.writeUInt32LE(a.uid >>> 0, off + 68);
  b.writeUInt32LE(a.gid >>> 0, off + 72);
  b.writeUInt32LE(a.rdev >>> 0, off + 76);
  b.writeUInt32LE(a.blksize >>> 0, off + 80);
  b.writeUInt32LE(0, off + 84);
}

export function getAttr(b: Buffer, off: number): FuseAttr {
  return {
    ino: u64(b, off),
    size: u64(b, off + 8),
    blocks: u64(b, off + 16),
    atimeMs: getTime(b, off + 24, off + 48),
    mtimeMs: getTime(b, off + 32, off + 52),
    ctimeMs: getTime(b, off + 40, off + 56),
    mode: b.readUInt32LE(off + 60),
    nlink: b.readUInt32LE(off + 64),
    uid: b.readUInt32LE(off + 68),
    gid: b.readUInt32LE(off + 72),
    rdev: b.readUInt32LE(off + 76),
    blksize: b.readUInt32LE(off + 80),
  };
}

/** A cache timeout in ms as seconds + nanoseconds fields. */
function putTtl(b: Buffer, secOff: number, nsecOff: number, ms: number): void {
  const sec = Math.floor(ms / 1000);
  put64(b, secOff, sec);
  b.writeUInt32LE(Math.round((ms - sec * 1000) * 1e6), nsecOff);
}

/** What LOOKUP, MKNOD, MKDIR, SYMLINK, LINK and CREATE answer (each counts as one lookup of nodeid). */
export interface EntryOut {
  nodeid: number;
  generation: number;
  /** How long the kernel may trust the name, ms (0: ask again each time). */
  entryTtlMs: number;
  /** How long the kernel may trust the attributes, ms. */
  attrTtlMs: number;
  attr: FuseAttr;
}

export function putEntryOut(b: Buffer, off: number, e: EntryOut): void {
  put64(b, off, e.nodeid);
  put64(b, off + 8, e.generation);
  putTtl(b, off + 16, off + 32, e.entryTtlMs);
  putTtl(b, off + 24, off + 36, e.attrTtlMs);
  putAttr(b, off + 40, e.attr);
}

export function getEntryOut(b: Buffer, off: number): EntryOut {
  return {
    nodeid: u64(b, off),
    generation: u64(b, off + 8),
    entryTtlMs: u64(b, off + 16) * 1000 + b.readUInt32LE(off + 32) / 1e6,
    attrTtlMs: u64(b, off + 24) * 1000 + b.readUInt32LE(off + 36) / 1e6,
    attr: getAttr(b, off + 40),
  };
}

/** What GETATTR and SETATTR answer. */
export interface AttrOut {
  attrTtlMs: number;
  attr: FuseAttr;
}

export function putAttrOut(b: Buffer, off: number, a: AttrOut): void {
  putTtl(b, off, off + 8, a.attrTtlMs);
  b.writeUInt32LE(0, off + 12);
  putAttr(b, off + 16, a.attr);
}

/** What OPEN and OPENDIR answer (and CREATE after its entry). */
export interface OpenOut {
  fh: number;
  /** FOPEN_* flags. */
  flags: number;
}

export function putOpenOut(b: Buffer, off: number, o: OpenOut): void {
  put64(b, off, o.fh);
  b.writeUInt32LE(o.flags >>> 0, off + 8);
  b.writeUInt32LE(0, off + 12);
}

/** statfs answer. */
export interface Statfs {
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  bsize: number;
  namelen: number;
  frsize: number;
}

export function putStatfs(b: Buffer, off: number, s: Statfs): void {
  b.fill(0, off, off + STATFS_OUT_SIZE);
  put64(b, off, s.blocks);
  put64(b, off + 8, s.bfree);
  put64(b, off + 16, s.bavail);
  put64(b, off + 24, s.files);
  put64(b, off + 32, s.ffree);
  b.writeUInt32LE(s.bsize, off + 40);
  b.writeUInt32LE(s.namelen, off + 44);
  b.writeUInt32LE(s.frsize, off + 48);
}

/** The kernel's INIT request. */
export interface InitIn {
  major: number;
  minor: number;
  maxReadahead: number;
  /** flags | flags2 << 32, as a bigint. */
  flags: bigint;
}

export function decodeInitIn(b: Buffer, off: number): InitIn {
  const lo = BigInt(b.readUInt32LE(off + 12));
  const hi = b.length >= off + 20 ? BigInt(b.readUInt32LE(off + 16)) : 0n;
  return { major: b.readUInt32LE(off), minor: b.readUInt32LE(off + 4), maxReadahead: b.readUInt32LE(off + 8), flags: lo | (hi << 32n) };
}

/** Our INIT reply. */
export interface InitOut {
  major: number;
  minor: number;
  maxReadahead: number;
  flags: bigint;
  maxBackground: number;
  congestionThreshold: number;
  maxWrite: number;
  timeGran: number;
  maxPages: number;
}

export function putInitOut(b: Buffer, off: number, o: InitOut): void {
  b.fill(0, off, off + INIT_OUT_SIZE);
  b.writeUInt32LE(o.major, off);
  b.writeUInt32LE(o.minor, off + 4);
  b.writeUInt32LE(o.maxReadahead, off + 8);
  b.writeUInt32LE(Number(o.flags & 0xffffffffn), off + 12);
  b.writeUInt16LE(o.maxBackground, off + 16);
  b.writeUInt16LE(o.congestionThreshold, off + 18);
  b.writeUInt32LE(o.maxWrite, off + 20);
  b.writeUInt32LE(o.timeGran, off + 24);
  b.writeUInt16LE(o.maxPages, off + 28);
  b.writeUInt16LE(0, off + 30);
  b.writeUInt32LE(Number((o.flags >> 32n) & 0xffffffffn), off + 32);
}

export function getInitOut(b: Buffer, off: number): InitOut {
  return {
    major: b.readUInt32LE(off),
    minor: b.readUInt32LE(off + 4),
    maxReadahead: b.readUInt32LE(off + 8),
    flags: BigInt(b.readUInt32LE(off + 12)) | (BigInt(b.readUInt32LE(off + 32)) << 32n),
    maxBackground: b.readUInt16LE(off + 16),
    congestionThreshold: b.readUInt16LE(off + 18),
    maxWrite: b.readUInt32LE(off + 20),
    timeGran: b.readUInt32LE(off + 24),
    maxPages: b.readUInt16LE(off + 28),
  };
}

/** SETATTR request. */
export interface SetattrIn {
  valid: number;
  fh: number;
  size: number;
  lockOwner: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  mode: number;
  uid: number;
  gid: number;
}

export function decodeSetattrIn(b: Buffer, off: number): SetattrIn {
  return {
    valid: b.readUInt32LE(off),
    fh: u64(b, off + 8),
    size: u64(b, off + 16),
    lockOwner: u64(b, off + 24),
    atimeMs: getTime(b, off + 32, off + 56),
    mtimeMs: getTime(b, off + 40, off + 60),
    ctimeMs: getTime(b, off + 48, off + 64),
    mode: b.readUInt32LE(off + 68),
    uid: b.readUInt32LE(off + 76),
    gid: b.readUInt32LE(off + 80),
  };
}

export function encodeSetattrIn(s: SetattrIn): Buffer {
  const b = Buffer.alloc(88);
  b.writeUInt32LE(s.valid, 0);
  put64(b, 8, s.fh);
  put64(b, 16, s.size);
  put64(b, 24, s.lockOwner);
  putTime(b, 32, 56, s.atimeMs);
  putTime(b, 40, 60, s.mtimeMs);
  putTime(b, 48, 64, s.ctimeMs);
  b.writeUInt32LE(s.mode, 68);
  b.writeUInt32LE(s.uid, 76);
  b.writeUInt32LE(s.gid, 80);
  return b;
}

/** A POSIX or flock lock as the kernel describes it (end inclusive; type F_RDLCK 0, F_WRLCK 1, F_UNLCK 2). */
export interface FileLock {
  start: number;
  end: number;
  type: number;
  pid: number;
}

export function getFileLock(b: Buffer, off: number): FileLock {
  return { start: u64(b, off), end: u64(b, off + 8), type: b.readUInt32LE(off + 16), pid: b.readUInt32LE(off + 20) };
}

/** A lock end at or past the largest exact number means "to the end of the file": the kernel's OFFSET_MAX. */
export function putFileLock(b: Buffer, off: number, l: FileLock): void {
  put64(b, off, l.start);
  if (l.end >= Number.MAX_SAFE_INTEGER) b.writeBigUInt64LE(0x7fff_ffff_ffff_ffffn, off + 8);
  else put64(b, off + 8, l.end);
  b.writeUInt32LE(l.type, off + 16);
  b.writeUInt32LE(l.pid, off + 20);
}

/** Size of one READDIR record with a name of n bytes (8-byte aligned). */
export function direntSize(n: number): number {
  return (DIRENT_BASE + n + 7) & ~7;
}

/** Size of one READDIRPLUS record with a name of n bytes (8-byte aligned). */
export function direntplusSize(n: number): number {
  return (DIRENTPLUS_BASE + n + 7) & ~7;
}

/** Writes a dirent (ino, next offset, type = mode >> 12, name); returns its padded size. */
export function putDirent(b: Buffer, off: number, ino: number, next: number, type: number, name: Buffer): number {
  const size = direntSize(name.length);
  put64(b, off, ino);
  put64(b, off + 8, next);
  b.writeUInt32LE(name.length, off + 16);
  b.writeUInt32LE(type, off + 20);
  name.copy(b, off + DIRENT_BASE);
  b.fill(0, off + DIRENT_BASE + name.length, off + size);
  return size;
}

/** The dirent at off: its fields and padded size. */
export function getDirent(b: Buffer, off: number): { ino: number; next: number; type: number; name: Buffer; size: number } {
  const n = b.readUInt32LE(off + 16);
  return { ino: u64(b, off), next: u64(b, off + 8), type: b.readUInt32LE(off + 20), name: b.subarray(off + DIRENT_BASE, off + DIRENT_BASE + n), size: direntSize(n) };
}

/** Reads a NUL-terminated name starting at off; returns the name and the offset after the NUL. */
export function cstring(b: Buffer, off: number): [Buffer, number] {
  const end = b.indexOf(0, off);
  if (end < 0) return [b.subarray(off), b.length];
  return [b.subarray(off, end), end + 1];
}
