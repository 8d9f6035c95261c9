/**
 * The manager's in-memory metadata store: inodes, directories, attributes, xattrs, hard links and
 * open counts. Pure and synchronous; chunk data is tracked elsewhere, keyed by the never-reused ino.
 */

import { FsError } from '../errors';
import type { Attr, DirEntry } from '../types';
import { NAME_MAX, PATH_MAX, ROOT_INO, XATTR_NAME_MAX, XATTR_SIZE_MAX } from '../limits';
import { RENAME_EXCHANGE, RENAME_NOREPLACE, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK, XATTR_CREATE, XATTR_REPLACE } from '../posix';
import { Charged, QuotaDelta, QuotaLimits, Quotas, QuotaTable, QuotaTree, QuotaUsage } from './quota';

/** The root directory's inode number. */
export { ROOT_INO };
/** Size reported for every directory (as on many disk file systems). */
export const DIR_SIZE = 4096;
export { NAME_MAX, PATH_MAX, XATTR_NAME_MAX, XATTR_SIZE_MAX };

/** Default --max-xattr-bytes: names plus values of one inode's xattrs (Linux: E2BIG per value over 64 KiB, ENOSPC when the inode or the fs is full). */
export const DEFAULT_MAX_XATTR_BYTES = 1024 * 1024;
/** Default bound on the xattr bytes of the whole namespace (manager memory). */
export const DEFAULT_MAX_XATTR_TOTAL = 256 * 1024 * 1024;
const PERM_BITS = 0o7777;
/** Set-group-ID bit: on a directory, new entries take its group (and new subdirectories the bit). */
const S_ISGID = 0o2000;
const UNCHANGED_ID = 0xffffffff;

/** Result of dropping a link or an open: `freed` means the inode is gone and its chunks may be deleted. */
export interface Released {
  ino: number;
  freed: boolean;
}

/** Constructor options: a clock (ms) for tests and the root directory's permission bits. */
export interface NamespaceOptions {
  now?: () => number;
  rootMode?: number;
  /** Most live inodes, the root included (tmpfs's nr_inodes): ENOSPC beyond. */
  maxFiles?: number;
  /** Most bytes (names + values) of one inode's xattrs: ENOSPC beyond. */
  maxXattrBytes?: number;
  /** Most xattr bytes in the whole namespace: ENOSPC beyond. */
  maxXattrTotal?: number;
  /**
   * Keep a non-directory that lost its last link as an orphan until free() is called, whatever its open count:
   * open counts are not logged state, so under a log the freeing of an inode must be an operation of its own.
   */
  deferFree?: boolean;
}

/** One inode as a snapshot holds it: attributes, tree links, symlink target and xattrs (values base64); no open counts. */
export type InodeRecord = [
  ino: number,
  mode: number,
  nlink: number,
  uid: number,
  gid: number,
  size: number,
  rdev: number,
  atimeMs: number,
  mtimeMs: number,
  ctimeMs: number,
  parent: number,
  target: string | null,
  children: Array<[string, number]> | null,
  xattrs: Array<[string, string]> | null,
  more: number[] | null,
];

/** The whole namespace as a snapshot holds it. */
export type NamespaceImage = {
  nextIno: number;
  inodes: InodeRecord[];
  /** Directory quota limits (usage is derived from the tree on load). */
  quotas: QuotaTable;
};

/** An inode: the attributes clients see plus what the namespace needs to keep them. */
interface Inode extends Attr {
  /** Open handles (files only); the inode survives nlink 0 while this is positive. */
  opens: number;
  /** Directory entries, name -> ino; null for non-directories. */
  children: Map<string, number> | null;
  /** Parent directory's ino (root points to itself); for other kinds the directory of one of its links (0: none). */
  parent: number;
  /** Directories of a non-directory's further hard links (one entry per link), null when it has at most one. */
  more: number[] | null;
  /** Bytes (names + values) of the xattrs. */
  xattrBytes: number;
  /** Symlink target; null for other kinds. */
  target: string | null;
  /** Extended attributes, created on first use. */
  xattrs: Map<string, Buffer> | null;
}

interface DirInode extends Inode {
  children: Map<string, number>;
}

/** A parent directory plus the final component name of a path. */
interface Slot {
  dir: DirInode;
  name: string;
}

/** True if the inode is a directory (and narrows the type). */
function isDir(node: Inode): node is DirInode {
  return node.children !== null;
}

/** A fresh copy of an inode's attributes, never the internal object. */
function toAttr(n: Inode): Attr {
  return {
    ino: n.ino,
    mode: n.mode,
    nlink: n.nlink,
    uid: n.uid,
    gid: n.gid,
    size: n.size,
    rdev: n.rdev,
    atimeMs: n.atimeMs,
    mtimeMs: n.mtimeMs,
    ctimeMs: n.ctimeMs,
  };
}

/** Whether a byte string (names are bytes: one char per byte, checked at the wire) is longer than limit bytes. */
function exceedsBytes(s: string, limit: number): boolean {
  return s.length > limit;
}

/** The manager's namespace: inode table plus directory tree, with POSIX semantics for every metadata op. */
export class Namespace implements QuotaTree {
  private readonly inodes = new Map<number, Inode>();
  private readonly now: () => number;
  private nextIno = ROOT_INO + 1;
  private dirCount = 0;
  /** Directory quotas: plain limits (toJSON/load) plus usage kept current by the namespace's hooks. */
  readonly quotas: Quotas = new Quotas(this);
  /** Limits on inodes and xattr bytes, and the xattr bytes in use. */
  readonly maxFiles: number;
  private readonly maxXattrBytes: number;
  private readonly maxXattrTotal: number;
  private xattrTotal = 0;
  private readonly deferFree: boolean;

  /** Creates a namespace holding only the root directory (mode 0o40755 unless rootMode says otherwise, owner 0:0). */
  constructor(opts: NamespaceOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.maxFiles = opts.maxFiles ?? Infinity;
    this.maxXattrBytes = opts.maxXattrBytes ?? DEFAULT_MAX_XATTR_BYTES;
    this.maxXattrTotal = opts.maxXattrTotal ?? DEFAULT_MAX_XATTR_TOTAL;
    this.deferFree = opts.deferFree ?? false;
    const t = this.now();
    const rootMode = opts.rootMode ?? 0o755;
    const root: DirInode = {
      ino: ROOT_INO,
      mode: S_IFDIR | (rootMode & PERM_BITS),
      nlink: 2,
      uid: 0,
      gid: 0,
      size: DIR_SIZE,
      rdev: 0,
      atimeMs: t,
      mtimeMs: t,
      ctimeMs: t,
      opens: 0,
      children: new Map(),
      parent: ROOT_INO,
      more: null,
      xattrBytes: 0,
      target: null,
      xattrs: null,
    };
    this.inodes.set(ROOT_INO, root);
    this.dirCount = 1;
  }

  // ---------------------------------------------------------------- lookups

  /** Attributes of the inode a path names (symlinks are not followed). */
  getattr(path: string): Attr {
    return toAttr(this.walk(path));
  }

  /** Attributes by inode number; still works for unlinked-but-open files, ENOENT once the inode is freed. */
  getattrIno(ino: number): Attr {
    return toAttr(this.byIno(ino));
  }

  /** The inode number a path names. */
  lookupIno(path: string): number {
    return this.walk(path).ino;
  }

  /**
   * Walks a path as the kernel does for permission checks: search(dir) runs on every directory before a name is
   * looked up in it (it throws to refuse). Answers the final name's directory (null for the root), the name, and its
   * inode (null when the name does not exist). The attributes are live views: read them, never keep or change them.
   */
  resolve(path: string, search: (dir: Readonly<Attr>) => void): { parent: Readonly<Attr> | null; name: string; node: Readonly<Attr> | null } {
    const parts = this.split(path);
    let node: Inode = this.byIno(ROOT_INO);
    let parent: Inode | null = null;
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i] as string;
      if (!isDir(node)) throw new FsError('ENOTDIR', path);
      search(node);
      parent = node;
      if (name === '.') continue;
      const ino = name === '..' ? node.parent : node.children.get(name);
      if (ino === undefined) {
        if (i < parts.length - 1) throw new FsError('ENOENT', path);
        return { parent, name, node: null };
      }
      node = this.byIno(ino);
    }
    return { parent, name: parts[parts.length - 1] ?? '', node };
  }

  /** A directory's entries with their attributes, excluding '.' and '..'. */
  readdir(path: string): DirEntry[] {
    const dir = this.walk(path);
    if (!isDir(dir)) throw new FsError('ENOTDIR', path);
    const out: DirEntry[] = [];
    for (const [name, ino] of dir.children) {
      out.push({ name, attr: toAttr(this.byIno(ino)) });
    }
    return out;
  }

  /** Up to limit entries of a directory from the offset-th on (creation order); next is where the following page starts, absent after the last. */
  readdirPage(path: string, offset: number, limit: number): { entries: DirEntry[]; next?: number } {
    const dir = this.walk(path);
    if (!isDir(dir)) throw new FsError('ENOTDIR', path);
    const entries: DirEntry[] = [];
    let i = 0;
    for (const [name, ino] of dir.children) {
      if (i++ < offset) continue;
      if (entries.length >= limit) return { entries, next: offset + entries.length };
      entries.push({ name, attr: toAttr(this.byIno(ino)) });
    }
    return { entries };
  }

  /** Like readdirPage, for the directory with this inode number (ENOTDIR for other kinds). */
  readdirPageIno(ino: number, offset: number, limit: number): { entries: DirEntry[]; next?: number } {
    const dir = this.byIno(ino);
    if (!isDir(dir)) throw new FsError('ENOTDIR', `inode ${ino}`);
    const entries: DirEntry[] = [];
    let i = 0;
    for (const [name, child] of dir.children) {
      if (i++ < offset) continue;
      if (entries.length >= limit) return { entries, next: offset + entries.length };
      entries.push({ name, attr: toAttr(this.byIno(child)) });
    }
    return { entries };
  }

  /** The target of a symlink; EINVAL for other kinds. */
  readlink(path: string): string {
    const node = this.walk(path);
    if (node.target === null) throw new FsError('EINVAL', `not a symlink: ${path}`);
    return node.target;
  }

  // --------------------------------------------------------------- creation

  /** Creates a regular file, FIFO, socket or device node (type bits 0 mean a regular file). */
  mknod(path: string, mode: number, uid: number, gid: number, rdev = 0): Attr {
    let type = mode & S_IFMT;
    if (type === 0) type = S_IFREG;
    if (type === S_IFDIR) throw new FsError('EINVAL', 'mknod of a directory: use mkdir');
    if (type !== S_IFREG && type !== S_IFIFO && type !== S_IFSOCK && type !== S_IFCHR && type !== S_IFBLK) {
      throw new FsError('EINVAL', `mknod: unsupported file type 0o${type.toString(8)}`);
    }
    const slot = this.createSlot(path);
    const q = this.admit(slot.dir);
    const isDev = type === S_IFCHR || type === S_IFBLK;
    const node = this.newInode(type | (mode & PERM_BITS), uid, this.groupIn(slot.dir, gid), isDev ? rdev : 0);
    this.attach(slot, node);
    q.apply();
    return toAttr(node);
  }

  /** Creates a directory (nlink 2) and bumps its parent's link count for the new '..'. */
  mkdir(path: string, mode: number, uid: number, gid: number): Attr {
    const slot = this.createSlot(path);
    const q = this.admit(slot.dir);
    const setgid = slot.dir.mode & S_ISGID;
    const node = this.newInode(S_IFDIR | (mode & PERM_BITS) | setgid, uid, this.groupIn(slot.dir, gid), 0);
    node.children = new Map();
    node.nlink = 2;
    node.size = DIR_SIZE;
    node.parent = slot.dir.ino;
    slot.dir.nlink++;
    this.dirCount++;
    this.attach(slot, node);
    q.apply();
    return toAttr(node);
  }

  /** Creates a symlink at path pointing at target (mode 0o120777, size = target's byte length). */
  symlink(target: string, path: string, uid: number, gid: number): Attr {
    if (target.length === 0) throw new FsError('ENOENT', 'empty symlink target');
    if (target.includes('\0')) throw new FsError('EINVAL', 'NUL in symlink target');
    if (exceedsBytes(target, PATH_MAX)) throw new FsError('ENAMETOOLONG', 'symlink target');
    const slot = this.createSlot(path);
    const q = this.admit(slot.dir);
    const node = this.newInode(S_IFLNK | 0o777, uid, this.groupIn(slot.dir, gid), 0);
    node.target = target;
    node.size = target.length;
    this.attach(slot, node);
    q.apply();
    return toAttr(node);
  }

  /** Adds a hard link dst to the non-directory src; nlink++ and ctime on the inode. */
  link(src: string, dst: string): Attr {
    const node = this.walk(src);
    if (isDir(node)) throw new FsError('EPERM', `hard link to a directory: ${src}`);
    const slot = this.createSlot(dst);
    const q = this.quotas.delta().relink(charged(node), null, slot.dir.ino).check();
    node.nlink++;
    node.ctimeMs = this.now();
    this.attach(slot, node);
    q.apply();
    return toAttr(node);
  }

  // ---------------------------------------------------------------- removal

  /** Removes a non-directory name; the inode is freed when its last link goes and nobody has it open. */
  unlink(path: string): Released {
    const slot = this.entrySlot(path, 'EISDIR');
    const ino = this.childIno(slot, path);
    const node = this.byIno(ino);
    if (isDir(node)) throw new FsError('EISDIR', path);
    const q = this.quotas.delta().relink(charged(node), slot.dir.ino, null);
    slot.dir.children.delete(slot.name);
    dropEntryDir(node, slot.dir.ino);
    q.apply();
    this.touchDir(slot.dir);
    return this.dropLink(node);
  }

  /** Removes an empty directory; its parent loses the link from the removed '..'. */
  rmdir(path: string): void {
    const slot = this.entrySlot(path, 'EBUSY');
    const ino = this.childIno(slot, path);
    const node = this.byIno(ino);
    if (!isDir(node)) throw new FsError('ENOTDIR', path);
    if (node.children.size > 0) throw new FsError('ENOTEMPTY', path);
    this.quotas.delta().relink(charged(node), slot.dir.ino, null).apply();
    slot.dir.children.delete(slot.name);
    slot.dir.nlink--;
    this.touchDir(slot.dir);
    this.deleteInode(node);
  }

  /** Moves src to dst with POSIX rename semantics (plus NOREPLACE/EXCHANGE); returns what a replaced target released. */
  rename(src: string, dst: string, flags = 0): Released | null {
    if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) !== 0 || flags === (RENAME_NOREPLACE | RENAME_EXCHANGE)) {
      throw new FsError('EINVAL', `rename flags ${flags}`);
    }
    const from = this.entrySlot(src, 'EBUSY');
    const to = this.entrySlot(dst, 'EBUSY');
    const srcIno = this.childIno(from, src);
    const node = this.byIno(srcIno);
    const dstIno = to.dir.children.get(to.name);
    const target = dstIno === undefined ? undefined : this.byIno(dstIno);

    if (flags === RENAME_EXCHANGE) {
      if (target === undefined) throw new FsError('ENOENT', dst);
      if (target === node) return null;
      this.exchange(from, node, to, target);
      return null;
    }
    if (target !== undefined && flags === RENAME_NOREPLACE) throw new FsError('EEXIST', dst);

    // A directory must not move into its own subtree; a target that contains the source is never empty.
    if (isDir(node) && this.isWithin(to.dir, node)) throw new FsError('EINVAL', `${src} into its own subtree`);
    if (target !== undefined && isDir(target) && target !== node && this.isWithin(from.dir, target)) {
      throw new FsError('ENOTEMPTY', dst);
    }
    if (target === node) return null; // same inode (same entry or hard links): POSIX says do nothing

    // a replaced target's usage goes first, then the moved entry's is checked (EDQUOT; EXDEV for a directory with entries)
    const q = this.quotas.delta();
    if (target !== undefined) q.relink({ ...charged(target), subtree: false }, to.dir.ino, null); // a target with entries fails ENOTEMPTY below
    q.relink(charged(node), from.dir.ino, to.dir.ino).check();
    let released: Released | null = null;
    if (target !== undefined) {
      if (isDir(node) && !isDir(target)) throw new FsError('ENOTDIR', dst);
      if (!isDir(node) && isDir(target)) throw new FsError('EISDIR', dst);
      if (isDir(target)) {
        if (target.children.size > 0) throw new FsError('ENOTEMPTY', dst);
        to.dir.children.delete(to.name);
        to.dir.nlink--;
        this.deleteInode(target);
        released = { ino: target.ino, freed: true };
      } else {
        to.dir.children.delete(to.name);
        dropEntryDir(target, to.dir.ino);
        released = this.dropLink(target);
      }
    }

    from.dir.children.delete(from.name);
    to.dir.children.set(to.name, node.ino);
    moveEntryDir(node, from.dir.ino, to.dir.ino);
    q.apply();
    if (isDir(node) && from.dir !== to.dir) {
      from.dir.nlink--;
      to.dir.nlink++;
      node.parent = to.dir.ino;
    }
    const t = this.now();
    node.ctimeMs = t;
    this.touchDir(from.dir, t);
    this.touchDir(to.dir, t);
    return released;
  }

  // ------------------------------------------------------------- attributes

  /** Sets the permission bits (07777), keeping the file type; ctime. */
  chmod(path: string, mode: number): Attr {
    const node = this.walk(path);
    node.mode = (node.mode & S_IFMT) | (mode & PERM_BITS);
    node.ctimeMs = this.now();
    return toAttr(node);
  }

  /** Sets owner and group; -1 (or 0xffffffff) leaves that id unchanged; ctime. */
  chown(path: string, uid: number, gid: number): Attr {
    const node = this.walk(path);
    if (uid !== -1 && uid !== UNCHANGED_ID) node.uid = uid;
    if (gid !== -1 && gid !== UNCHANGED_ID) node.gid = gid;
    node.ctimeMs = this.now();
    return toAttr(node);
  }

  /** Sets atime and mtime exactly as given (negative and far-future values included); ctime = now. */
  utimens(path: string, atimeMs: number, mtimeMs: number): Attr {
    if (!Number.isFinite(atimeMs) || !Number.isFinite(mtimeMs)) throw new FsError('EINVAL', 'non-finite time');
    const node = this.walk(path);
    node.atimeMs = atimeMs;
    node.mtimeMs = mtimeMs;
    node.ctimeMs = this.now();
    return toAttr(node);
  }

  /** Truncates or extends a regular file to size (chunks beyond it are the caller's job); mtime/ctime = now. */
  setSize(ino: number, size: number): { oldSize: number; attr: Attr } {
    const node = this.regularFile(ino);
    if (!Number.isSafeInteger(size) || size < 0) throw new FsError('EINVAL', `size ${size}`);
    const oldSize = node.size;
    this.quotas.delta().resize(ino, oldSize, size).check().apply();
    node.size = size;
    const t = this.now();
    node.mtimeMs = t;
    node.ctimeMs = t;
    return { oldSize, attr: toAttr(node) };
  }

  /** Records a write ending at byte `end`: size = max(size, end), mtime/ctime = mtimeMs or now. */
  extend(ino: number, end: number, mtimeMs?: number): Attr {
    const node = this.regularFile(ino);
    if (!Number.isInteger(end) || end < 0) throw new FsError('EINVAL', `end ${end}`);
    if (end > Number.MAX_SAFE_INTEGER) throw new FsError('EFBIG', `end ${end}`);
    if (end > node.size) {
      this.quotas.delta().resize(ino, node.size, end).check().apply();
      node.size = end;
    }
    const t = mtimeMs ?? this.now();
    node.mtimeMs = t;
    node.ctimeMs = t;
    return toAttr(node);
  }

  // ------------------------------------------------------------ open counts

  /** Counts an open handle so the inode survives unlink until release. */
  open(ino: number): void {
    this.byIno(ino).opens++;
  }

  /** True while the inode has open handles. */
  isOpen(ino: number): boolean {
    return (this.inodes.get(ino)?.opens ?? 0) > 0;
  }

  /** Drops an open handle; frees the inode when it has no links and no opens left. */
  release(ino: number): Released {
    const node = this.byIno(ino);
    if (node.opens > 0) node.opens--;
    if (node.nlink === 0 && node.opens === 0 && !this.deferFree) {
      this.deleteInode(node);
      return { ino, freed: true };
    }
    return { ino, freed: false };
  }

  /** True when the inode lost its last link and nobody has it open: it may be freed. */
  isUnused(ino: number): boolean {
    const node = this.inodes.get(ino);
    return node !== undefined && node.nlink <= 0 && node.opens === 0;
  }

  /** Frees an inode that has no link left (deferFree mode); ENOENT if gone, EBUSY while it still has a link. */
  free(ino: number): Released {
    const node = this.byIno(ino);
    if (node.nlink > 0) throw new FsError('EBUSY', `inode ${ino} still has ${node.nlink} links`);
    this.deleteInode(node);
    return { ino, freed: true };
  }

  /** Inodes kept without any link (unlinked while open, or restored from a snapshot): freed once nobody needs them. */
  orphans(): number[] {
    const out: number[] = [];
    for (const node of this.inodes.values()) if (node.nlink <= 0) out.push(node.ino);
    return out;
  }

  // ----------------------------------------------------------------- xattrs

  /** Sets an extended attribute (value copied), honouring XATTR_CREATE / XATTR_REPLACE; ctime. */
  setxattr(path: string, name: string, value: Buffer, flags: number): void {
    if ((flags & ~(XATTR_CREATE | XATTR_REPLACE)) !== 0 || flags === (XATTR_CREATE | XATTR_REPLACE)) {
      throw new FsError('EINVAL', `setxattr flags ${flags}`);
    }
    checkXattrName(name);
    if (value.length > XATTR_SIZE_MAX) throw new FsError('E2BIG', `xattr value of ${value.length} bytes`);
    const node = this.walk(path);
    const old = node.xattrs?.get(name);
    const exists = old !== undefined;
    if (flags === XATTR_CREATE && exists) throw new FsError('EEXIST', name);
    if (flags === XATTR_REPLACE && !exists) throw new FsError('ENODATA', name);
    // one inode's xattrs and the namespace's are bounded: ENOSPC, as tmpfs says when its xattr space is used up
    const grow = xattrSize(name, value) - (old === undefined ? 0 : xattrSize(name, old));
    if (grow > 0 && node.xattrBytes + grow > this.maxXattrBytes) throw new FsError('ENOSPC', `xattrs of ${path} would pass ${this.maxXattrBytes} bytes`);
    if (grow > 0 && this.xattrTotal + grow > this.maxXattrTotal) throw new FsError('ENOSPC', `xattrs of the pool would pass ${this.maxXattrTotal} bytes`);
    node.xattrBytes += grow;
    this.xattrTotal += grow;
    if (node.xattrs === null) node.xattrs = new Map();
    node.xattrs.set(name, Buffer.from(value));
    node.ctimeMs = this.now();
  }

  /** A copy of an extended attribute's value; ENODATA if missing. */
  getxattr(path: string, name: string): Buffer {
    checkXattrName(name);
    const node = this.walk(path);
    const v = node.xattrs?.get(name);
    if (v === undefined) throw new FsError('ENODATA', name);
    return Buffer.from(v);
  }

  /** Names of a file's extended attributes, in creation order. */
  listxattr(path: string): string[] {
    const node = this.walk(path);
    return node.xattrs === null ? [] : [...node.xattrs.keys()];
  }

  /** Removes an extended attribute; ENODATA if missing; ctime. */
  removexattr(path: string, name: string): void {
    checkXattrName(name);
    const node = this.walk(path);
    const old = node.xattrs?.get(name);
    if (node.xattrs === null || old === undefined) throw new FsError('ENODATA', name);
    node.xattrs.delete(name);
    node.xattrBytes -= xattrSize(name, old);
    this.xattrTotal -= xattrSize(name, old);
    node.ctimeMs = this.now();
  }

  // ------------------------------------------------------------- accounting

  /** Live inodes by kind (files = every non-directory, including unlinked-but-open ones), for df and status. */
  counts(): { files: number; directories: number; inodes: number } {
    const inodes = this.inodes.size;
    return { files: inodes - this.dirCount, directories: this.dirCount, inodes };
  }

  /** Calls fn for every live regular file (including unlinked-but-open ones), e.g. to account or scrub chunks. */
  forEachFile(fn: (ino: number, size: number) => void): void {
    for (const node of this.inodes.values()) {
      if ((node.mode & S_IFMT) === S_IFREG) fn(node.ino, node.size);
    }
  }

  // ------------------------------------------------------ quotas

  /** Sets (or changes) the quota of the directory at path; a limit left undefined keeps its value, null removes it. */
  setQuota(path: string, limits: Partial<QuotaLimits>): QuotaUsage & { path: string } {
    const node = this.walk(path);
    if (!isDir(node)) throw new FsError('ENOTDIR', path);
    return { path, ...this.quotas.set(node.ino, limits) };
  }

  /** Removes the quota of the directory at path. */
  clearQuota(path: string): void {
    const node = this.walk(path);
    if (!isDir(node)) throw new FsError('ENOTDIR', path);
    this.quotas.clear(node.ino);
  }

  /** The quota of the directory at path, or null when it has none. */
  getQuota(path: string): (QuotaUsage & { path: string }) | null {
    const node = this.walk(path);
    if (!isDir(node)) throw new FsError('ENOTDIR', path);
    const q = this.quotas.get(node.ino);
    return q ? { path, ...q } : null;
  }

  /** Every quota with its directory's current path (for status). */
  listQuotas(): Array<QuotaUsage & { path: string }> {
    return this.quotas.list().map((q) => ({ path: this.pathOf(q.ino), ...q }));
  }

  /** The inode directory dir names `name`, or undefined (no such entry, or dir is gone). */
  entryIno(dir: number, name: string): number | undefined {
    return this.inodes.get(dir)?.children?.get(name);
  }

  /** Directories that hold an entry for ino (QuotaTree): a directory's parent, every link's directory for other kinds. */
  entryDirs(ino: number): number[] {
    const node = this.inodes.get(ino);
    if (node === undefined || ino === ROOT_INO) return [];
    if (isDir(node)) return [node.parent];
    const out = node.parent !== 0 ? [node.parent] : [];
    return node.more ? out.concat(node.more) : out;
  }

  /** Calls fn once per inode below dir (QuotaTree), with a regular file's size (0 for other kinds). */
  forEachBelow(dir: number, fn: (ino: number, bytes: number) => void): void {
    const seen = new Set<number>();
    const stack = [this.byIno(dir)];
    for (let d = stack.pop(); d !== undefined; d = stack.pop()) {
      if (!isDir(d)) continue;
      for (const ino of d.children.values()) {
        const node = this.byIno(ino);
        if (node.nlink > 1 && !isDir(node)) {
          if (seen.has(ino)) continue;
          seen.add(ino);
        }
        fn(ino, charged(node).bytes);
        if (isDir(node)) stack.push(node);
      }
    }
  }

  /** A directory's path from the root (walking parent pointers; a name is found by a scan of the parent). */
  private pathOf(ino: number): string {
    const parts: string[] = [];
    for (let node = this.byIno(ino); node.ino !== ROOT_INO;) {
      const parent = this.byIno(node.parent);
      if (!isDir(parent)) break;
      for (const [name, child] of parent.children) {
        if (child === node.ino) {
          parts.push(name);
          break;
        }
      }
      node = parent;
    }
    return '/' + parts.reverse().join('/');
  }

  /** A new inode in dir may be created: ENOSPC past maxFiles, EDQUOT past a files quota; returns the charge to apply once it exists. */
  private admit(dir: DirInode): QuotaDelta {
    if (this.inodes.size >= this.maxFiles) throw new FsError('ENOSPC', `the pool holds its maximum of ${this.maxFiles} inodes`);
    return this.quotas.delta().relink({ ino: 0, bytes: 0, subtree: false }, null, dir.ino).check();
  }

  // -------------------------------------------------------------- snapshots

  /** The whole namespace as plain data (open counts left out: they belong to live links, not to the log). */
  exportImage(): NamespaceImage {
    const inodes: InodeRecord[] = [];
    for (const n of this.inodes.values()) {
      inodes.push([
        n.ino,
        n.mode,
        n.nlink,
        n.uid,
        n.gid,
        n.size,
        n.rdev,
        n.atimeMs,
        n.mtimeMs,
        n.ctimeMs,
        n.parent,
        n.target,
        n.children && [...n.children],
        n.xattrs && [...n.xattrs].map(([k, v]): [string, string] => [k, v.toString('base64')]),
        n.more,
      ]);
    }
    return { nextIno: this.nextIno, inodes, quotas: this.quotas.toJSON() };
  }

  /** Replaces the whole namespace with an exported image (every open count 0). */
  importImage(image: NamespaceImage): void {
    this.inodes.clear();
    this.dirCount = 0;
    this.xattrTotal = 0;
    // `more` and `quotas` are absent in snapshots written before quotas existed.
    for (const [ino, mode, nlink, uid, gid, size, rdev, atimeMs, mtimeMs, ctimeMs, parent, target, children, xattrs, more] of image.inodes) {
      const node: Inode = {
        ino,
        mode,
        nlink,
        uid,
        gid,
        size,
        rdev,
        atimeMs,
        mtimeMs,
        ctimeMs,
        opens: 0,
        children: children && new Map(children),
        parent,
        target,
        more: (more as number[] | null | undefined) ?? null,
        xattrBytes: 0,
        xattrs: xattrs && new Map(xattrs.map(([k, v]): [string, Buffer] => [k, Buffer.from(v, 'base64')])),
      };
      for (const [k, v] of node.xattrs ?? []) node.xattrBytes += xattrSize(k, v);
      this.xattrTotal += node.xattrBytes;
      this.inodes.set(ino, node);
      if (node.children) this.dirCount++;
    }
    if (!this.inodes.has(ROOT_INO)) throw new Error('namespace image has no root directory');
    this.nextIno = image.nextIno;
    this.quotas.load((image.quotas as QuotaTable | undefined) ?? []);
  }

  // --------------------------------------------------------------- helpers

  /** The inode with this number, or ENOENT. */
  private byIno(ino: number): Inode {
    const node = this.inodes.get(ino);
    if (node === undefined) throw new FsError('ENOENT', `inode ${ino}`);
    return node;
  }

  /** The regular file with this number: EISDIR for a directory, EINVAL for other kinds. */
  private regularFile(ino: number): Inode {
    const node = this.byIno(ino);
    if (isDir(node)) throw new FsError('EISDIR', `inode ${ino}`);
    if ((node.mode & S_IFMT) !== S_IFREG) throw new FsError('EINVAL', `inode ${ino} is not a regular file`);
    return node;
  }

  /** Splits and validates an absolute path into components (EINVAL, ENAMETOOLONG). */
  private split(path: string): string[] {
    if (typeof path !== 'string' || path.charCodeAt(0) !== 47 /* '/' */) {
      throw new FsError('EINVAL', `not an absolute path: ${String(path)}`);
    }
    // No limit on the whole path: the kernel limits each path argument (PATH_MAX), but a mount's paths run from its root.
    if (path.length === 1) return [];
    if (path.includes('\0')) throw new FsError('EINVAL', 'NUL in path');
    const parts = path.slice(1).split('/');
    for (const p of parts) {
      if (p.length === 0) throw new FsError('EINVAL', `empty component in ${path}`);
      if (exceedsBytes(p, NAME_MAX)) throw new FsError('ENAMETOOLONG', `component of ${p.length} bytes`);
    }
    return parts;
  }

  /** Follows components from the root; '.' and '..' resolve, anything that is not a directory on the way is ENOTDIR. */
  private descend(parts: string[], count: number, path: string): Inode {
    let node: Inode = this.byIno(ROOT_INO);
    for (const name of parts.slice(0, count)) {
      if (!isDir(node)) throw new FsError('ENOTDIR', path);
      if (name === '.') continue;
      if (name === '..') {
        node = this.byIno(node.parent);
        continue;
      }
      const ino = node.children.get(name);
      if (ino === undefined) throw new FsError('ENOENT', path);
      node = this.byIno(ino);
    }
    return node;
  }

  /** The inode a whole path names. */
  private walk(path: string): Inode {
    const parts = this.split(path);
    return this.descend(parts, parts.length, path);
  }

  /** Parent directory and final name of a path whose last component is to be removed or renamed. */
  private entrySlot(path: string, rootErr: 'EBUSY' | 'EISDIR'): Slot {
    const parts = this.split(path);
    const name = parts.at(-1);
    if (name === undefined) throw new FsError(rootErr, path);
    const dir = this.descend(parts, parts.length - 1, path);
    if (!isDir(dir)) throw new FsError('ENOTDIR', path);
    if (name === '.' || name === '..') throw new FsError('EINVAL', `final component '${name}' in ${path}`);
    return { dir, name };
  }

  /** Parent directory and final name of a path where a new entry is to be created (EEXIST if taken). */
  /** Group of a new entry: the directory's when it is setgid (BSD group semantics, as tmpfs), else the caller's. */
  private groupIn(dir: Inode, gid: number): number {
    return dir.mode & S_ISGID ? dir.gid : gid;
  }

  private createSlot(path: string): Slot {
    const parts = this.split(path);
    if (parts.length === 0) throw new FsError('EEXIST', path);
    const slot = this.entrySlot(path, 'EBUSY');
    if (slot.dir.children.has(slot.name)) throw new FsError('EEXIST', path);
    return slot;
  }

  /** The ino a slot's name points at, or ENOENT. */
  private childIno(slot: Slot, path: string): number {
    const ino = slot.dir.children.get(slot.name);
    if (ino === undefined) throw new FsError('ENOENT', path);
    return ino;
  }

  /** A new inode with a fresh, never-reused number, registered in the table (not yet linked anywhere). */
  private newInode(mode: number, uid: number, gid: number, rdev: number): Inode {
    const t = this.now();
    const node: Inode = {
      ino: this.nextIno++,
      mode,
      nlink: 1,
      uid,
      gid,
      size: 0,
      rdev,
      atimeMs: t,
      mtimeMs: t,
      ctimeMs: t,
      opens: 0,
      children: null,
      parent: 0,
      more: null,
      xattrBytes: 0,
      target: null,
      xattrs: null,
    };
    this.inodes.set(node.ino, node);
    return node;
  }

  /** Adds the entry slot -> node and updates the parent directory's times. */
  private attach(slot: Slot, node: Inode): void {
    slot.dir.children.set(slot.name, node.ino);
    if (!isDir(node)) addEntryDir(node, slot.dir.ino);
    this.touchDir(slot.dir);
  }

  /** Sets a directory's mtime and ctime (its entries changed). */
  private touchDir(dir: Inode, t = this.now()): void {
    dir.mtimeMs = t;
    dir.ctimeMs = t;
  }

  /** Removes one link from a non-directory; deletes it when no links and no opens remain. */
  private dropLink(node: Inode): Released {
    node.nlink--;
    node.ctimeMs = this.now();
    if (node.nlink <= 0 && node.opens === 0 && !this.deferFree) {
      this.deleteInode(node);
      return { ino: node.ino, freed: true };
    }
    return { ino: node.ino, freed: false };
  }

  /** Drops an inode from the table (its number is never handed out again). */
  private deleteInode(node: Inode): void {
    node.nlink = 0;
    if (this.inodes.delete(node.ino) && isDir(node)) this.dirCount--;
    this.xattrTotal -= node.xattrBytes;
    this.quotas.forget(node.ino);
  }

  /** True if dir is `ancestor` itself or lies below it (walking parent pointers up to the root). */
  private isWithin(dir: Inode, ancestor: Inode): boolean {
    let cur = dir;
    for (;;) {
      if (cur === ancestor) return true;
      if (cur.ino === ROOT_INO) return false;
      cur = this.byIno(cur.parent);
    }
  }

  /** RENAME_EXCHANGE: swaps two existing entries, fixing parent pointers and link counts of moved directories. */
  private exchange(from: Slot, a: Inode, to: Slot, b: Inode): void {
    if (isDir(a) && this.isWithin(to.dir, a)) throw new FsError('EINVAL', 'exchange into own subtree');
    if (isDir(b) && this.isWithin(from.dir, b)) throw new FsError('EINVAL', 'exchange into own subtree');
    const q = this.quotas.delta().relink(charged(a), from.dir.ino, to.dir.ino).relink(charged(b), to.dir.ino, from.dir.ino).check();
    from.dir.children.set(from.name, b.ino);
    to.dir.children.set(to.name, a.ino);
    moveEntryDir(a, from.dir.ino, to.dir.ino);
    moveEntryDir(b, to.dir.ino, from.dir.ino);
    q.apply();
    if (from.dir !== to.dir) {
      if (isDir(a)) {
        a.parent = to.dir.ino;
        from.dir.nlink--;
        to.dir.nlink++;
      }
      if (isDir(b)) {
        b.parent = from.dir.ino;
        to.dir.nlink--;
        from.dir.nlink++;
      }
    }
    const t = this.now();
    a.ctimeMs = t;
    b.ctimeMs = t;
    this.touchDir(from.dir, t);
    this.touchDir(to.dir, t);
  }
}

/** Validates an xattr name: EINVAL if empty, ERANGE if longer than 255 bytes. */
function checkXattrName(name: string): void {
  if (name.length === 0) throw new FsError('EINVAL', 'empty xattr name');
  if (name.includes('\0')) throw new FsError('EINVAL', 'NUL in xattr name');
  if (exceedsBytes(name, XATTR_NAME_MAX)) throw new FsError('ERANGE', 'xattr name too long');
}

/** How an inode counts in quotas: a regular file's size, and whether it is a directory with entries. */
function charged(node: Inode): Charged {
  return { ino: node.ino, bytes: (node.mode & S_IFMT) === S_IFREG ? node.size : 0, subtree: isDir(node) && node.children.size > 0 };
}

/** Records that directory dir holds a link to the non-directory node. */
function addEntryDir(node: Inode, dir: number): void {
  if (isDir(node)) return;
  if (node.parent === 0) node.parent = dir;
  else (node.more ??= []).push(dir);
}

/** Forgets one link of the non-directory node from directory dir. */
function dropEntryDir(node: Inode, dir: number): void {
  if (isDir(node)) return;
  if (node.parent === dir) node.parent = node.more?.pop() ?? 0;
  else if (node.more) {
    const i = node.more.indexOf(dir);
    if (i >= 0) node.more.splice(i, 1);
  }
  if (node.more?.length === 0) node.more = null;
}

/** One link of a non-directory moved from directory `from` to `to`. */
function moveEntryDir(node: Inode, from: number, to: number): void {
  if (isDir(node) || from === to) return;
  dropEntryDir(node, from);
  addEntryDir(node, to);
}

/** Bytes one xattr takes against the limits: name plus value. */
function xattrSize(name: string, value: Buffer): number {
  return name.length + value.length;
}
