/**
 * The ceiling for any fuse-native file system on this machine: a bare
 * in-memory file system (data and metadata in this process, no network),
 * mounted with exactly the mount options of a mempool mount and on the same
 * patched binding. Run as its own process:
 *   node dist/bench/ceiling-fs.js MOUNTPOINT
 * prints "ceiling fs mounted on MOUNTPOINT"; SIGTERM/SIGINT unmounts and exits.
 * Complete enough for dd, fio, tar and rm -rf: getattr, readdir, create,
 * open, read, write, truncate, unlink, mkdir, rmdir, rename, link, symlink,
 * release, utimens, chmod, chown (no xattrs).
 */
import { resolve } from 'path';
import { callerContext, FhPath, FuseCallback, FuseOps, FuseStat, loadFuse } from '../mount/fuse-binding';
import { mempoolFuseOptions } from '../mount/mount';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
/** File data lives in zero-filled chunks of this size, allocated on first write. */
const CHUNK = 1024 * 1024;
const NAME_MAX = 255;

const E = { ENOENT: 2, EIO: 5, EBADF: 9, EEXIST: 17, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENAMETOOLONG: 36, ENOTEMPTY: 39 } as const;

/** One inode. */
interface Inode {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  size: number;
  rdev: number;
  atime: number;
  mtime: number;
  ctime: number;
  chunks: Array<Buffer | undefined>;
  children: Map<string, Inode> | null;
  target: string;
}

let nextIno = 1;

function inode(mode: number, uid: number, gid: number): Inode {
  const t = Date.now();
  const dir = (mode & S_IFMT) === S_IFDIR;
  return { ino: nextIno++, mode, uid, gid, nlink: dir ? 2 : 1, size: 0, rdev: 0, atime: t, mtime: t, ctime: t, chunks: [], children: dir ? new Map() : null, target: '' };
}

const root = inode(S_IFDIR | 0o1777, 0, 0);
const handles = new Map<number, Inode>();
let nextFh = 1;

function stat(n: Inode): FuseStat {
  return {
    mode: n.mode,
    uid: n.uid,
    gid: n.gid,
    size: n.size,
    nlink: n.nlink,
    ino: n.ino,
    rdev: n.rdev,
    blksize: 4096,
    blocks: Math.ceil(n.size / 512),
    atime: n.atime,
    mtime: n.mtime,
    ctime: n.ctime,
  };
}

/** The inode at path, or a negative errno. */
function lookup(path: string): Inode | number {
  let n = root;
  if (path === '/') return n;
  for (const part of path.split('/')) {
    if (part === '') continue;
    if (!n.children) return -E.ENOTDIR;
    const c = n.children.get(part);
    if (!c) return -E.ENOENT;
    n = c;
  }
  return n;
}

/** The parent directory of path and the last name, or a negative errno. */
function parentOf(path: string): { dir: Inode; name: string } | number {
  const cut = path.lastIndexOf('/');
  const name = path.slice(cut + 1);
  if (Buffer.byteLength(name) > NAME_MAX) return -E.ENAMETOOLONG;
  const dir = lookup(cut <= 0 ? '/' : path.slice(0, cut));
  if (typeof dir === 'number') return dir;
  if (!dir.children) return -E.ENOTDIR;
  return { dir, name };
}

/** The inode behind fh, else the one at path. */
function byHandle(path: FhPath, fh: number): Inode | number {
  const n = handles.get(fh);
  if (n) return n;
  return path === null ? -E.EBADF : lookup(path);
}

/** Adds a new entry name → n in path's parent. */
function addEntry(path: string, n: Inode): number {
  const p = parentOf(path);
  if (typeof p === 'number') return p;
  if (p.dir.children!.has(p.name)) return -E.EEXIST;
  p.dir.children!.set(p.name, n);
  if (n.children) p.dir.nlink++;
  p.dir.mtime = p.dir.ctime = Date.now();
  return 0;
}

/** New inode owned by the caller (call before any callback). */
function created(mode: number): Inode {
  const c = callerContext();
  return inode(mode, c.uid, c.gid);
}

function readData(n: Inode, buf: Buffer, len: number, pos: number): number {
  const end = Math.min(pos + len, n.size);
  let at = pos;
  while (at < end) {
    const ci = Math.floor(at / CHUNK);
    const off = at - ci * CHUNK;
    const k = Math.min(CHUNK - off, end - at);
    const c = n.chunks[ci];
    if (c) c.copy(buf, at - pos, off, off + k);
    else buf.fill(0, at - pos, at - pos + k);
    at += k;
  }
  return Math.max(0, end - pos);
}

function writeData(n: Inode, buf: Buffer, len: number, pos: number): number {
  let at = 0;
  while (at < len) {
    const ci = Math.floor((pos + at) / CHUNK);
    const off = pos + at - ci * CHUNK;
    const k = Math.min(CHUNK - off, len - at);
    let c = n.chunks[ci];
    if (!c) c = n.chunks[ci] = Buffer.alloc(CHUNK);
    buf.copy(c, off, at, at + k);
    at += k;
  }
  n.size = Math.max(n.size, pos + len);
  n.mtime = n.ctime = Date.now();
  return len;
}

function truncateData(n: Inode, size: number): number {
  if (n.children) return -E.EISDIR;
  if (size < n.size) {
    const keep = Math.ceil(size / CHUNK);
    n.chunks.length = Math.min(n.chunks.length, keep);
    const last = n.chunks[keep - 1];
    if (last && size % CHUNK) last.fill(0, size % CHUNK);
  }
  n.size = size;
  n.mtime = n.ctime = Date.now();
  return 0;
}

/** Removes path's entry (a file when dir is false, an empty directory when true). */
function removeEntry(path: string, dir: boolean): number {
  const p = parentOf(path);
  if (typeof p === 'number') return p;
  const n = p.dir.children!.get(p.name);
  if (!n) return -E.ENOENT;
  if (dir && !n.children) return -E.ENOTDIR;
  if (!dir && n.children) return -E.EISDIR;
  if (dir && n.children!.size > 0) return -E.ENOTEMPTY;
  p.dir.children!.delete(p.name);
  if (dir) p.dir.nlink--;
  n.nlink = dir ? 0 : n.nlink - 1;
  n.ctime = p.dir.mtime = p.dir.ctime = Date.now();
  return 0;
}

function rename(src: string, dest: string): number {
  const s = parentOf(src);
  const d = parentOf(dest);
  if (typeof s === 'number') return s;
  if (typeof d === 'number') return d;
  const n = s.dir.children!.get(s.name);
  if (!n) return -E.ENOENT;
  const old = d.dir.children!.get(d.name);
  if (old === n) return 0;
  if (n.children && (dest + '/').startsWith(src + '/')) return -E.EINVAL;
  if (old) {
    if (old.children && !n.children) return -E.EISDIR;
    if (!old.children && n.children) return -E.ENOTDIR;
    const r = removeEntry(dest, !!old.children);
    if (r) return r;
  }
  s.dir.children!.delete(s.name);
  d.dir.children!.set(d.name, n);
  if (n.children) {
    s.dir.nlink--;
    d.dir.nlink++;
  }
  n.ctime = s.dir.mtime = s.dir.ctime = d.dir.mtime = d.dir.ctime = Date.now();
  return 0;
}

/** Runs fn on the inode at path and answers its result. */
function withNode(path: string, cb: FuseCallback, fn: (n: Inode) => number): void {
  const n = lookup(path);
  cb(typeof n === 'number' ? n : fn(n));
}

function openHandle(n: Inode): number {
  const fh = nextFh++;
  handles.set(fh, n);
  return fh;
}

const ops: FuseOps = {
  init: (cb) => cb(0),
  statfs: (_p, cb) =>
    cb(0, { bsize: 4096, frsize: 4096, blocks: 1 << 30, bfree: 1 << 30, bavail: 1 << 30, files: 0x7fffffff, ffree: 0x7fffffff, favail: 0x7fffffff, fsid: 0, flag: 0, namemax: NAME_MAX }),
  getattr(path, cb) {
    const n = lookup(path);
    if (typeof n === 'number') cb(n);
    else cb(0, stat(n));
  },
  fgetattr(path, fh, cb) {
    const n = byHandle(path, fh);
    if (typeof n === 'number') cb(n);
    else cb(0, stat(n));
  },
  access: (path, _mode, cb) => withNode(path, cb, () => 0),
  opendir(path, _flags, cb) {
    const n = lookup(path);
    if (typeof n === 'number') cb(n);
    else cb(n.children ? 0 : -E.ENOTDIR, 0);
  },
  readdir(path, cb) {
    if (path === null) return cb(0, ['.', '..']);
    const n = lookup(path);
    if (typeof n === 'number') return cb(n);
    if (!n.children) return cb(-E.ENOTDIR);
    const names = ['.', '..'];
    const stats = [stat(n), stat(n)];
    for (const [name, c] of n.children) {
      names.push(name);
      stats.push(stat(c));
    }
    cb(0, names, stats);
  },
  releasedir: (_p, _fh, cb) => cb(0),
  fsyncdir: (_p, _d, _fh, cb) => cb(0),
  create(path, mode, cb) {
    const n = created(S_IFREG | (mode & 0o7777));
    const existing = lookup(path);
    if (typeof existing !== 'number') return cb(0, openHandle(existing));
    const r = addEntry(path, n);
    cb(r, r ? undefined : openHandle(n));
  },
  open(path, _flags, cb) {
    const n = lookup(path);
    if (typeof n === 'number') cb(n);
    else cb(0, openHandle(n));
  },
  read(path, fh, buf, len, pos, cb) {
    const n = byHandle(path, fh);
    if (typeof n === 'number') return cb(n);
    cb(n.children ? -E.EISDIR : readData(n, buf, len, pos));
  },
  write(path, fh, buf, len, pos, cb) {
    const n = byHandle(path, fh);
    if (typeof n === 'number') return cb(n);
    cb(writeData(n, buf, len, pos));
  },
  flush: (_p, _fh, cb) => cb(0),
  fsync: (_p, _d, _fh, cb) => cb(0),
  release(_p, fh, cb) {
    handles.delete(fh);
    cb(0);
  },
  truncate: (path, size, cb) => withNode(path, cb, (n) => truncateData(n, size)),
  ftruncate(path, fh, size, cb) {
    const n = byHandle(path, fh);
    cb(typeof n === 'number' ? n : truncateData(n, size));
  },
  mkdir(path, mode, cb) {
    cb(addEntry(path, created(S_IFDIR | (mode & 0o7777))));
  },
  rmdir: (path, cb) => cb(removeEntry(path, true)),
  unlink: (path, cb) => cb(removeEntry(path, false)),
  rename: (src, dest, cb) => cb(rename(src, dest)),
  link(existing, newPath, cb) {
    const n = lookup(existing);
    if (typeof n === 'number') return cb(n);
    const r = addEntry(newPath, n);
    if (!r) {
      n.nlink++;
      n.ctime = Date.now();
    }
    cb(r);
  },
  symlink(target, path, cb) {
    const n = created(S_IFLNK | 0o777);
    n.target = target;
    n.size = Buffer.byteLength(target);
    cb(addEntry(path, n));
  },
  readlink(path, cb) {
    const n = lookup(path);
    if (typeof n === 'number') cb(n);
    else if ((n.mode & S_IFMT) !== S_IFLNK) cb(-E.EINVAL);
    else cb(0, n.target);
  },
  chmod: (path, mode, cb) =>
    withNode(path, cb, (n) => {
      n.mode = (n.mode & S_IFMT) | (mode & 0o7777);
      n.ctime = Date.now();
      return 0;
    }),
  chown: (path, uid, gid, cb) =>
    withNode(path, cb, (n) => {
      if (uid !== -1 && uid !== 0xffffffff) n.uid = uid;
      if (gid !== -1 && gid !== 0xffffffff) n.gid = gid;
      n.ctime = Date.now();
      return 0;
    }),
  utimens: (path, atime, mtime, cb) =>
    withNode(path, cb, (n) => {
      if (atime !== null) n.atime = atime;
      if (mtime !== null) n.mtime = mtime;
      n.ctime = Date.now();
      return 0;
    }),
};

/** Mounts the ceiling file system on argv[2] with a mempool mount's options; unmounts on SIGTERM/SIGINT. */
function main(): void {
  const mnt = process.argv[2];
  if (!mnt) {
    console.error('usage: ceiling-fs MOUNTPOINT');
    process.exit(2);
  }
  const Fuse = loadFuse();
  const base = mempoolFuseOptions();
  // The same options as a mempool mount; only the name shown in /proc/mounts differs.
  const options = { ...base, subtype: 'ceilingfs', fsname: (base.fsname ?? '').replace(/^mempool/, 'ceilingfs') };
  const fuse = new Fuse(resolve(mnt), ops, options);
  fuse.mount((err) => {
    if (err) {
      console.error(`ceiling fs: cannot mount ${mnt}: ${err.message}`);
      process.exit(1);
    }
    console.log(`ceiling fs mounted on ${resolve(mnt)}`);
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    fuse.unmount(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
