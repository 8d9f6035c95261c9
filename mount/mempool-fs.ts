/**
 * The FUSE operations of a mempool mount: each kernel request (node ids,
 * byte names) becomes one or a few PoolClient calls (paths as byte strings),
 * and each error an errno. Node ids are the pool's inode numbers (inodes.ts);
 * file handles are PoolClient's. No file-system logic lives here beyond what
 * the kernel expects of a FUSE file system: '.' and '..', ESTALE when a node's
 * name moved under it (the kernel then looks the name up again, as on a local
 * file system), SUID/SGID clearing on a write by a non-owner, the kernel-cache
 * policy of each reply.
 */
import { Errno, FsError } from '../src/errors';
import { Owner, PoolClient } from '../src/client/pool-client';
import { F_RDLCK, F_UNLCK, F_WRLCK, LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN, O, S_IFDIR, S_IFMT, S_IFREG } from '../src/posix';
import { Attr, StatFs } from '../src/types';
import { NAME_MAX } from '../src/limits';
import * as abi from './fuse/abi';
import { DirSink, FuseFileSystem, LockRequest, RequestContext } from './fuse/ops';
import { NotifyQueue } from './fuse/notify';
import { InodeTable, ROOT_INO } from './inodes';
import { CallerGroups } from './caller-groups';

/** statfs block size: 4 KiB blocks. */
export const STATFS_BSIZE = 4096;
/** xattr namespaces tmpfs supports (others: EOPNOTSUPP, as on tmpfs). */
const XATTR_PREFIXES = ['user.', 'trusted.', 'security.'];
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_IXGRP = 0o010;

/** Where the ops report errors that are not file-system errors (bugs, lost links). */
export type OpLogger = (message: string) => void;

export interface MempoolFsOptions {
  log?: OpLogger;
  /**
   * Let the kernel cache a file's pages while this client holds a cached lease on it (FOPEN_KEEP_CACHE instead of
   * direct I/O), and attributes the client answers under a directory lease (an attribute timeout), invalidated through
   * the notification queue before a recall is answered (default on; off: direct I/O and zero timeouts always).
   */
  kernelCache?: boolean;
  /**
   * Let the kernel cache a directory's entries and negative entries while this client holds its directory lease (the
   * client must be connected with dirLeases); a recall invalidates them through the notification queue first
   * (default on).
   */
  dirLeases?: boolean;
}

/** The attributes sent with a negative entry (nodeid 0): ignored by the kernel. */
const NO_ATTR: abi.FuseAttr = { ino: 0, size: 0, blocks: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, mode: 0, nlink: 0, uid: 0, gid: 0, rdev: 0, blksize: 0 };

/**
 * The entry and attribute timeout given to the kernel under a directory lease (ms): long, so that what the kernel
 * holds outlives the lease's renewals; the lease's end (recall, loss, or its term run out without renewal, which
 * the client notices within a fraction of its margin below the manager's term) invalidates it through the queue.
 */
const LEASED_TTL_MS = 3_600_000;

/** How often kernel-cached files are checked for a lease that ran out without a recall (ms). */
const KERNEL_CACHE_CHECK_MS = 250;

/** Kernel attributes from a pool attribute. */
export function toFuseAttr(a: Attr): abi.FuseAttr {
  return {
    ino: a.ino,
    size: a.size,
    blocks: Math.ceil(a.size / 512),
    atimeMs: a.atimeMs,
    mtimeMs: a.mtimeMs,
    ctimeMs: a.ctimeMs,
    mode: a.mode,
    nlink: a.nlink,
    uid: a.uid,
    gid: a.gid,
    rdev: a.rdev,
    blksize: STATFS_BSIZE,
  };
}

/** statfs answer from the pool's capacity, in 4 KiB blocks. */
export function toStatfs(s: StatFs): abi.Statfs {
  const blocks = Math.max(0, Math.floor(s.capacity / STATFS_BSIZE));
  const free = Math.min(blocks, Math.max(0, Math.floor(s.free / STATFS_BSIZE)));
  // the manager's --max-files when set (as tmpfs's nr_inodes), else plenty, shrinking as files are created
  const files = Math.min(0x7fffffff, s.maxFiles ?? 0x7fffffff);
  return { blocks, bfree: free, bavail: free, files, ffree: Math.max(0, files - s.files), bsize: STATFS_BSIZE, namelen: NAME_MAX, frsize: STATFS_BSIZE };
}

/** An open directory: the listing taken at offset 0, served page by page. */
interface DirHandle {
  ino: number;
  /** The directory's recall generation when the listing was taken. */
  gen?: number;
  entries: Array<{ name: string; attr: Attr | null; ino: number; mode: number }> | null;
}

/** The mount's operation table over client. */
export class MempoolFs implements FuseFileSystem {
  readonly inodes = new InodeTable();
  private readonly dirs = new Map<number, DirHandle>();
  private nextDir = 1;
  private readonly log: OpLogger;
  private readonly kernelCache: boolean;
  private notify: NotifyQueue | null = null;
  /**
   * Files whose pages the kernel may hold until invalidated: opened with KEEP_CACHE, or read under a lease (a shared
   * mapping of a direct-I/O file is served from the page cache too).
   */
  private readonly inKernel = new Set<number>();
  /** Handles opened in page-cache mode. */
  private readonly cachedFh = new Set<number>();
  /** Per file with page-cache READs/WRITEs in flight: how many, and how many times its lease was dropped meanwhile. */
  private readonly inFlight = new Map<number, { count: number; drops: number }>();
  private checker: NodeJS.Timeout | null = null;
  private readonly dirLeases: boolean;
  /** Recalls seen per directory: an answer prepared across one must not give the kernel a timeout. */
  private readonly dirGens = new Map<number, number>();
  /** Names per directory the kernel got with a positive entry timeout, with the node each named (0: a negative entry), to invalidate on recall. */
  private readonly given = new Map<number, Map<string, number>>();
  /** Inodes whose attributes the kernel got with a positive timeout, per directory whose lease covers them, to invalidate on recall. */
  private readonly attrsGiven = new Map<number, Set<number>>();
  /**
   * Nodes this mount made, per directory, while holding its lease, and gave no extended attribute since: their
   * getxattr is ENODATA without a round trip (the kernel asks for security.capability at each chown and write) until
   * the lease ends (another client's setxattr recalls it).
   */
  private readonly bare = new Map<number, Set<number>>();
  /** Supplementary groups of calling processes: each call carries its caller's credentials to the manager. */
  private readonly callerGroups = new CallerGroups();

  constructor(
    private readonly client: PoolClient,
    opts: MempoolFsOptions = {},
  ) {
    // The kernel's names are bytes: the client must pass byte strings through.
    if (client.names !== 'bytes') throw new Error("a mount's PoolClient must be connected with names: 'bytes'");
    this.log = opts.log ?? ((m: string) => console.error(m));
    this.kernelCache = opts.kernelCache ?? true;
    this.dirLeases = opts.dirLeases ?? true;
  }

  /** Hands the session's notification queue over and hooks the client's lease events. */
  attach(notify: NotifyQueue): void {
    this.notify = notify;
    // A recall first drops the kernel's pages (and waits for that), then the client flushes and answers.
    this.client.beforeRecall = (ino) => this.leaseDropped(ino);
    this.client.onLeaseDropped = (ino) => void this.leaseDropped(ino);
    if (this.dirLeases) this.client.onDirRecall = (ino, _names, gone) => this.dirRecalled(ino, gone);
    this.checker = setInterval(() => {
      for (const ino of this.inKernel) if (!this.client.holdsCachedLease(ino)) void this.dropKernelCopy(ino);
    }, KERNEL_CACHE_CHECK_MS);
    this.checker.unref();
  }

  /** Stops the lease checks (unmount). */
  detach(): void {
    if (this.checker) clearInterval(this.checker);
    this.client.beforeRecall = null;
    this.client.onLeaseDropped = null;
    this.client.onDirRecall = null;
  }

  /**
   * A directory lease is recalled (run by the client before it answers): every entry of the directory the kernel got
   * with a timeout is invalidated through the notification queue (never from a request handler), as gone (DELETE:
   * the kernel drops it even if in use, and the node's link count) when the change removed a non-directory's name;
   * so are the attributes the lease covered. Resolves once sent.
   */
  private async dirRecalled(ino: number, gone: string[] | undefined): Promise<void> {
    this.dirGens.set(ino, this.dirGen(ino) + 1);
    const names = this.given.get(ino);
    const attrs = this.attrsGiven.get(ino);
    this.given.delete(ino);
    this.attrsGiven.delete(ino);
    this.bare.delete(ino);
    if (!this.notify) return;
    const notify = this.notify;
    const removed = new Set(gone);
    const sent: Array<Promise<void>> = [];
    for (const [n, child] of names ?? []) {
      const b = Buffer.from(n, 'latin1');
      // (a directory's node may live on under another name: DELETE would mark it dead in the kernel)
      if (child !== 0 && removed.has(n) && (this.inodes.mode(child) & S_IFMT) !== S_IFDIR) {
        sent.push(notify.delete(ino, child, b), notify.invalidateInode(child, -1, 0));
      } else sent.push(notify.invalidateEntry(ino, b));
    }
    for (const child of attrs ?? []) sent.push(notify.invalidateInode(child, -1, 0));
    await Promise.all(sent);
    // (a lease found lost just before its recall queued its invalidations without waiting: the recall waits for them)
    await notify.drained();
  }

  private dirGen(ino: number): number {
    return this.dirGens.get(ino) ?? 0;
  }

  /**
   * The entry timeout (ms) for name in parent: LEASED_TTL_MS while the parent's directory lease is held, if no recall came since
   * gen (then the name is remembered for the next recall); 0 without a lease. The reply is written before any
   * invalidation queued later, and the kernel applies an invalidation only after the request holding the directory ends.
   */
  private entryTtl(parent: number, gen: number, name: string, child: number): number {
    if (!this.dirLeases || !this.notify || this.dirGen(parent) !== gen) return 0;
    // (a lease that ended ran the recall hook, which invalidated and forgot what was given under it)
    if (this.client.dirLeaseMs(parent) <= 0) return 0;
    let names = this.given.get(parent);
    if (!names) this.given.set(parent, (names = new Map()));
    names.set(name, child);
    return LEASED_TTL_MS;
  }

  /**
   * Attributes of path the client answers under a directory lease, and the attribute timeout the kernel may keep them
   * for (LEASED_TTL_MS; the directory is remembered for its recall), or undefined. Synchronous: a recall
   * either came before (no lease) or finds the inode recorded. (The kernel itself ignores attributes in a reply to a
   * request sent before an INVAL_INODE of the node.)
   */
  private leased(path: string, ino?: number): { attr: Attr; ttl: number } | undefined {
    // (only with the recall hook installed: the kernel keeps them past the lease's term until invalidated)
    if (!this.kernelCache || !this.dirLeases || !this.notify) return undefined;
    const held = this.client.leasedAttr(path);
    if (!held || (ino !== undefined && held.attr.ino !== ino)) return undefined;
    let inos = this.attrsGiven.get(held.dir);
    if (!inos) this.attrsGiven.set(held.dir, (inos = new Set()));
    inos.add(held.attr.ino);
    return { attr: held.attr, ttl: LEASED_TTL_MS };
  }

  /** leased() for a node by its known name (undefined when it has none here). */
  private leasedIno(ino: number): { attr: Attr; ttl: number } | undefined {
    if (!this.kernelCache || !this.notify || (ino !== ROOT_INO && !this.inodes.named(ino))) return undefined;
    return this.leased(this.inodes.path(ino), ino);
  }

  /** The lease on ino goes: requests in flight must not leave their pages cached, and the kernel's copy is dropped. */
  private leaseDropped(ino: number): Promise<void> {
    const r = this.inFlight.get(ino);
    if (r) r.drops++;
    return this.dropKernelCopy(ino);
  }

  /** Invalidates the kernel's pages and attributes of ino if it may hold any; resolves once the kernel did. */
  private async dropKernelCopy(ino: number): Promise<void> {
    if (!this.inKernel.delete(ino) || !this.notify) return;
    await this.notify.invalidateInode(ino, 0, 0);
  }

  // ---- replies ----

  /** The entry reply for attr found under parent/name (counts one lookup); timeouts 0 unless a lease covers them. */
  private entry(parent: number, name: string, a: Attr, entryTtlMs = 0, attrTtlMs = 0): abi.EntryOut {
    this.inodes.remember(parent, name, a.ino, a.mode);
    return { nodeid: a.ino, generation: 0, entryTtlMs, attrTtlMs, attr: toFuseAttr(a) };
  }

  /**
   * The entry reply for a name this client just made in parent (asked at recall generation gen): under the directory's
   * lease the kernel may keep the name and, for a new file (not a directory), the attributes the manager answered (another
   * client's change to either recalls that lease; this client's own go through the kernel, which drops what they change).
   */
  private made(parent: number, gen: number, name: string, a: Attr, created = true): abi.EntryOut {
    const ttl = this.entryTtl(parent, gen, name, a.ino);
    if (ttl > 0 && created) {
      let made = this.bare.get(parent);
      if (!made) this.bare.set(parent, (made = new Set()));
      made.add(a.ino);
    }
    // (a directory's own attributes change with what changes inside it, which recalls its own lease, not parent's;
    // an existing file opened with O_CREAT may have a writer elsewhere whose size the manager does not know yet)
    if (ttl <= 0 || !this.kernelCache || !created || (a.mode & S_IFMT) === S_IFDIR) return this.entry(parent, name, a, ttl);
    let inos = this.attrsGiven.get(parent);
    if (!inos) this.attrsGiven.set(parent, (inos = new Set()));
    inos.add(a.ino);
    return this.entry(parent, name, a, ttl, ttl);
  }

  private attrOut(a: Attr, attrTtlMs = 0): abi.AttrOut {
    this.inodes.setMode(a.ino, a.mode);
    return { attrTtlMs, attr: toFuseAttr(a) };
  }

  private name(b: Buffer): string {
    if (b.length > NAME_MAX) throw new FsError('ENAMETOOLONG', `name of ${b.length} bytes`);
    return b.toString('latin1');
  }

  /** The credentials of the process behind a request (root needs no groups: it passes every group check). */
  private async cred(ctx: RequestContext): Promise<Owner> {
    return { uid: ctx.uid, gid: ctx.gid, groups: ctx.uid === 0 ? [] : await this.callerGroups.groups(ctx.pid) };
  }

  /** Attributes of ino by number; a node whose inode is gone is stale (the kernel looks its name up again). */
  private async attrOf(ino: number): Promise<Attr> {
    try {
      return await this.client.getattrIno(ino);
    } catch (err) {
      // (A path walk checks permissions on a node it just looked up; ESTALE makes it look the name up again.)
      if (err instanceof FsError && err.errno === Errno.ENOENT) throw new FsError('ESTALE', `inode ${ino} is gone`);
      throw err;
    }
  }

  // ---- operations ----

  forget(ino: number, nlookup: number): void {
    this.inodes.forget(ino, nlookup);
  }

  async lookup(ctx: RequestContext, parent: number, nameBuf: Buffer): Promise<abi.EntryOut> {
    const name = this.name(nameBuf);
    const gen = this.dirGen(parent);
    const path = this.inodes.child(parent, name);
    // Held under the directory's lease: answered (with timeouts) without a round trip.
    const held = this.leased(path);
    if (held) return this.entry(parent, name, held.attr, this.entryTtl(parent, gen, name, held.attr.ino), held.ttl);
    let a: Attr;
    try {
      a = await this.client.getattr(path, await this.cred(ctx));
    } catch (err) {
      // Under the directory's lease the kernel may remember that the name does not exist (a negative entry: node 0).
      const ttl = err instanceof FsError && err.errno === Errno.ENOENT ? this.entryTtl(parent, gen, name, 0) : 0;
      if (ttl > 0) return { nodeid: 0, generation: 0, entryTtlMs: ttl, attrTtlMs: 0, attr: NO_ATTR };
      throw err;
    }
    // (the answer may have brought the directory's lease: then what it holds now is current)
    const now = this.leased(path, a.ino);
    return this.entry(parent, name, now?.attr ?? a, this.entryTtl(parent, gen, name, a.ino), now?.ttl ?? 0);
  }

  async getattr(_ctx: RequestContext, ino: number, fh: number | null): Promise<abi.AttrOut> {
    const held = this.leasedIno(ino);
    if (held) return this.attrOut(held.attr, held.ttl);
    if (fh !== null && fh !== 0) return this.attrOut(await this.client.fgetattr(fh));
    // By its name when it has one: the answer refreshes the directory cache, and may come with the directory's lease.
    const byName = this.inodes.named(ino) ? await this.client.getattr(this.inodes.path(ino)).catch(() => null) : null;
    if (byName?.ino !== ino) return this.attrOut(await this.attrOf(ino));
    const now = this.leasedIno(ino);
    return this.attrOut(now?.attr ?? byName, now?.ttl ?? 0);
  }

  async setattr(ctx: RequestContext, ino: number, s: abi.SetattrIn): Promise<abi.AttrOut> {
    const fh = s.valid & abi.FATTR_FH ? s.fh : 0;
    const as = await this.cred(ctx);
    let last: Attr | null = null;
    if (s.valid & abi.FATTR_SIZE) last = fh ? await this.client.ftruncate(fh, s.size) : await this.client.truncate(this.inodes.path(ino), s.size, as);
    if (s.valid & abi.FATTR_MODE) last = await this.client.chmod(this.inodes.path(ino), s.mode & 0o7777, as);
    if (s.valid & (abi.FATTR_UID | abi.FATTR_GID)) {
      const uid = s.valid & abi.FATTR_UID ? s.uid : -1;
      const gid = s.valid & abi.FATTR_GID ? s.gid : -1;
      last = await this.client.chown(this.inodes.path(ino), uid, gid, as);
    }
    if (s.valid & (abi.FATTR_ATIME | abi.FATTR_MTIME | abi.FATTR_ATIME_NOW | abi.FATTR_MTIME_NOW)) {
      const now = Date.now();
      let a: number | null = s.valid & abi.FATTR_ATIME_NOW ? now : s.valid & abi.FATTR_ATIME ? s.atimeMs : null;
      let m: number | null = s.valid & abi.FATTR_MTIME_NOW ? now : s.valid & abi.FATTR_MTIME ? s.mtimeMs : null;
      const path = this.inodes.path(ino);
      if (a === null || m === null) {
        const cur = await this.client.getattr(path, as);
        a ??= cur.atimeMs;
        m ??= cur.mtimeMs;
      }
      // both set to now (touch, utimes(NULL)): write permission is enough; any explicit time needs ownership
      const touch = (s.valid & (abi.FATTR_ATIME_NOW | abi.FATTR_MTIME_NOW)) === (abi.FATTR_ATIME_NOW | abi.FATTR_MTIME_NOW);
      last = await this.client.utimens(path, a, m, as, touch, ino);
    }
    // HANDLE_KILLPRIV_V2: a chown, or a truncate by a caller without CAP_FSETID, clears SUID (and SGID with group exec).
    if (s.valid & abi.FATTR_KILL_SUIDGID) last = (await this.killSuid(ino, last ?? (fh ? await this.client.fgetattr(fh) : await this.attrOf(ino)), as)) ?? last;
    return this.attrOut(fh ? await this.client.fgetattr(fh) : last && !(s.valid & abi.FATTR_SIZE) ? last : await this.attrOf(ino));
  }

  /** Clears SUID, and SGID when group-executable, of a regular file for a writer; answers the new attributes, or null when nothing changed. */
  private async killSuid(ino: number, a: Attr, as: Owner): Promise<Attr | null> {
    if ((a.mode & S_IFMT) !== S_IFREG) return null;
    const kill = (a.mode & S_ISUID) | (a.mode & S_ISGID && a.mode & S_IXGRP ? S_ISGID : 0);
    if (!kill || !this.inodes.named(ino)) return null;
    return this.client.killPriv(this.inodes.path(ino), as);
  }

  async readlink(ctx: RequestContext, ino: number): Promise<Buffer> {
    return Buffer.from(await this.client.readlink(this.inodes.path(ino), await this.cred(ctx)), 'latin1');
  }

  async symlink(ctx: RequestContext, parent: number, nameBuf: Buffer, target: Buffer): Promise<abi.EntryOut> {
    const name = this.name(nameBuf);
    const gen = this.dirGen(parent);
    return this.made(parent, gen, name, await this.client.symlink(target.toString('latin1'), this.inodes.child(parent, name), await this.cred(ctx)));
  }

  async mknod(ctx: RequestContext, parent: number, nameBuf: Buffer, mode: number, rdev: number): Promise<abi.EntryOut> {
    const name = this.name(nameBuf);
    const gen = this.dirGen(parent);
    return this.made(parent, gen, name, await this.client.mknod(this.inodes.child(parent, name), mode, rdev, await this.cred(ctx)));
  }

  async mkdir(ctx: RequestContext, parent: number, nameBuf: Buffer, mode: number): Promise<abi.EntryOut> {
    const name = this.name(nameBuf);
    const gen = this.dirGen(parent);
    return this.made(parent, gen, name, await this.client.mkdir(this.inodes.child(parent, name), mode & 0o7777, await this.cred(ctx)));
  }

  async unlink(ctx: RequestContext, parent: number, nameBuf: Buffer): Promise<void> {
    const name = nameBuf.toString('latin1');
    await this.client.unlink(this.inodes.child(parent, name), await this.cred(ctx));
    this.inodes.removed(parent, name);
  }

  async rmdir(ctx: RequestContext, parent: number, nameBuf: Buffer): Promise<void> {
    const name = nameBuf.toString('latin1');
    await this.client.rmdir(this.inodes.child(parent, name), await this.cred(ctx));
    this.inodes.removed(parent, name);
  }

  async rename(ctx: RequestContext, parent: number, nameBuf: Buffer, newParent: number, newNameBuf: Buffer, flags: number): Promise<void> {
    const name = nameBuf.toString('latin1');
    const newName = this.name(newNameBuf);
    await this.client.rename(this.inodes.child(parent, name), this.inodes.child(newParent, newName), flags, await this.cred(ctx));
    this.inodes.renamed(parent, name, newParent, newName, (flags & 2) !== 0);
  }

  async link(ctx: RequestContext, ino: number, newParent: number, newNameBuf: Buffer): Promise<abi.EntryOut> {
    const newName = this.name(newNameBuf);
    return this.entry(newParent, newName, await this.client.link(this.inodes.path(ino), this.inodes.child(newParent, newName), await this.cred(ctx)));
  }

  async open(ctx: RequestContext, ino: number, flags: number, openFlags: number): Promise<abi.OpenOut> {
    let fh: number;
    const as = await this.cred(ctx);
    try {
      fh = await this.client.open(this.inodes.path(ino), flags, undefined, as);
    } catch (err) {
      // The name went away since the kernel looked it up: stale, so that the open looks it up again.
      if (err instanceof FsError && err.errno === Errno.ENOENT) throw new FsError('ESTALE', `inode ${ino} lost its name`);
      throw err;
    }
    if (this.client.inoOf(fh) !== ino) {
      await this.client.release(fh).catch(() => undefined);
      throw new FsError('ESTALE', `the name of inode ${ino} now names another file`);
    }
    if (openFlags & abi.OPEN_KILL_SUIDGID) await this.killSuid(ino, await this.client.fgetattr(fh), as);
    return { fh, flags: this.openMode(ino, fh) };
  }

  async create(ctx: RequestContext, parent: number, nameBuf: Buffer, mode: number, _umask: number, flags: number): Promise<{ entry: abi.EntryOut; open: abi.OpenOut }> {
    const name = this.name(nameBuf);
    // The kernel already applied the umask; the manager gives the entry a setgid parent's group, as tmpfs does.
    const gen = this.dirGen(parent);
    const { fh, attr: a, created } = await this.client.openAttr(this.inodes.child(parent, name), (flags | O.CREAT) >>> 0, mode & 0o7777, await this.cred(ctx));
    // The name is this client's own under the directory's lease: the kernel may keep it (its attributes are asked for: it is open for writing).
    return { entry: this.made(parent, gen, name, a, created), open: { fh, flags: this.openMode(a.ino, fh) } };
  }

  /** Page-cache mode (keep the kernel's pages) while a cached lease is held and kernel caching is on; else direct I/O. */
  private openMode(ino: number, fh: number): number {
    if (!this.kernelCache || !this.notify || !this.client.holdsCachedLease(ino)) return abi.FOPEN_DIRECT_IO;
    this.inKernel.add(ino);
    this.cachedFh.add(fh);
    return abi.FOPEN_KEEP_CACHE;
  }

  async read(_ctx: RequestContext, ino: number, fh: number, offset: number, size: number): Promise<Buffer> {
    return this.pageIo(ino, offset, size, true, () => this.client.read(fh, offset, size, true)); // (a reply: never changed)
  }

  async write(ctx: RequestContext, ino: number, fh: number, offset: number, data: Buffer, writeFlags: number): Promise<number> {
    // A write by a caller without CAP_FSETID clears SUID/SGID first (HANDLE_KILLPRIV_V2), as tmpfs does.
    if (writeFlags & abi.WRITE_KILL_SUIDGID && this.inodes.mode(ino) & (S_ISUID | S_ISGID)) await this.killSuid(ino, await this.client.fgetattr(fh), await this.cred(ctx));
    // The kernel drops its pages of a range written through a direct-I/O open itself; a mapping's writeback
    // (WRITE_CACHE) or a write through a page-cache open leaves them cached.
    const cached = (writeFlags & abi.WRITE_CACHE) !== 0 || this.cachedFh.has(fh);
    // (data is this request's own buffer: the client may send it in the background)
    return this.pageIo(ino, offset, data.length, cached, () => this.client.write(fh, offset, data, true));
  }

  /**
   * Runs a READ or WRITE whose pages may stay in the kernel's page cache (KEEP_CACHE, a shared mapping,
   * write-through): under a cached lease they may stay until the lease goes (a recall invalidates them first);
   * without one (a contended file), or when the lease went while the request was in flight (the recall's
   * invalidation may have missed its pages, and a new lease does not make them current), they are invalidated right
   * after the reply (the kernel applies it once the request's pages are unlocked).
   */
  private async pageIo<T>(ino: number, offset: number, size: number, cacheable: boolean, io: () => Promise<T>): Promise<T> {
    if (!cacheable) return io();
    const r = this.inFlight.get(ino) ?? { count: 0, drops: 0 };
    this.inFlight.set(ino, r);
    r.count++;
    const drops = r.drops;
    try {
      const out = await io();
      if (r.drops === drops && this.client.holdsCachedLease(ino)) this.inKernel.add(ino);
      else void this.notify?.invalidateInode(ino, offset, size);
      return out;
    } finally {
      if (--r.count === 0) this.inFlight.delete(ino);
    }
  }

  /** The kernel drops its cached pages of a punched range, and learns a grown size, itself. */
  async fallocate(_ctx: RequestContext, _ino: number, fh: number, offset: number, length: number, mode: number): Promise<void> {
    await this.client.fallocate(fh, offset, length, mode);
  }

  async statfs(): Promise<abi.Statfs> {
    return toStatfs(await this.client.statfs());
  }

  /** Every close(2) of a descriptor: its data goes out, then the closing process's POSIX locks on the file (as close(2) drops them). */
  async flush(_ctx: RequestContext, _ino: number, fh: number, lockOwner: number): Promise<void> {
    try {
      await this.client.fsync(fh);
    } finally {
      // (not failing close(2): the manager also drops the locks with this client's last handle of the file)
      await this.client.unlockOwner(fh, String(lockOwner)).catch((err: Error) => this.log(`mempool: unlocking at close: ${err.message}`));
    }
  }

  /** The open file description's last close: its flock(2) lock goes (RELEASE_FLOCK_UNLOCK), then the handle. */
  async release(_ctx: RequestContext, _ino: number, fh: number, _flags: number, releaseFlags: number, lockOwner: number): Promise<void> {
    this.cachedFh.delete(fh);
    if (releaseFlags & abi.RELEASE_FLOCK_UNLOCK) await this.client.flock(fh, LOCK_UN, { owner: String(lockOwner) }).catch((err: Error) => this.log(`mempool: flock unlock at release: ${err.message}`));
    return this.client.release(fh);
  }

  /** F_GETLK: the lock (of another owner, possibly on another client) that would block req, or F_UNLCK. */
  async getlk(_ctx: RequestContext, _ino: number, req: LockRequest): Promise<abi.FileLock> {
    const l = await this.client.getlk(req.fh, String(req.owner), req.lock);
    return l.type === F_UNLCK ? { type: F_UNLCK, start: 0, end: 0, pid: 0 } : l;
  }

  /** F_SETLK(W) and flock(2), held at the manager; a blocked wait ends with EINTR when the kernel interrupts it. */
  async setlk(ctx: RequestContext, ino: number, req: LockRequest, wait: boolean): Promise<void> {
    const ac = wait ? new AbortController() : null;
    if (ac) ctx.onInterrupt(() => ac.abort());
    const owner = String(req.owner);
    if (!req.flock) await this.client.setlk(req.fh, owner, req.lock, wait, ac?.signal);
    else {
      const op = req.lock.type === F_UNLCK ? LOCK_UN : req.lock.type === F_RDLCK ? LOCK_SH : req.lock.type === F_WRLCK ? LOCK_EX : -1;
      if (op < 0) throw new FsError('EINVAL', `flock of lock type ${req.lock.type}`);
      await this.client.flock(req.fh, op | (wait ? 0 : LOCK_NB), { owner, signal: ac?.signal });
    }
    // A lock taken without a cached lease (another client writes the file too): what the kernel kept of the file may
    // predate the last holder's writes, so it goes before the lock is granted (as NFS does at lock time). The caller
    // holds no page lock; READs that hold one are served meanwhile.
    if (req.lock.type !== F_UNLCK && !this.client.holdsCachedLease(ino)) await this.notify?.invalidateInode(ino, 0, 0);
  }

  fsync(_ctx: RequestContext, _ino: number, fh: number): Promise<void> {
    return this.client.fsync(fh);
  }

  async setxattr(ctx: RequestContext, ino: number, nameBuf: Buffer, value: Buffer, flags: number): Promise<void> {
    const name = xattrName(nameBuf);
    this.clothed(ino);
    await this.client.setxattr(this.inodes.path(ino), name, value, flags, await this.cred(ctx));
  }

  async getxattr(ctx: RequestContext, ino: number, nameBuf: Buffer): Promise<Buffer> {
    const name = xattrName(nameBuf);
    if (this.bare.get(this.inodes.parentOf(ino))?.has(ino)) throw new FsError('ENODATA');
    return this.client.getxattr(this.inodes.path(ino), name, await this.cred(ctx));
  }

  async listxattr(ctx: RequestContext, ino: number): Promise<Buffer[]> {
    return (await this.client.listxattr(this.inodes.path(ino), await this.cred(ctx))).map((n) => Buffer.from(n, 'latin1'));
  }

  /** ino may have extended attributes from now on (before this mount's setxattr is sent): getxattr asks the manager. */
  private clothed(ino: number): void {
    for (const made of this.bare.values()) made.delete(ino);
  }

  async removexattr(ctx: RequestContext, ino: number, nameBuf: Buffer): Promise<void> {
    await this.client.removexattr(this.inodes.path(ino), xattrName(nameBuf), await this.cred(ctx));
  }

  // With default_permissions the kernel checks permissions itself; access only needs the file to exist.
  async access(_ctx: RequestContext, ino: number): Promise<void> {
    await this.attrOf(ino);
  }

  async opendir(_ctx: RequestContext, ino: number): Promise<abi.OpenOut> {
    const a = await this.attrOf(ino);
    if ((a.mode & S_IFMT) !== S_IFDIR) throw new FsError('ENOTDIR');
    const fh = this.nextDir;
    this.nextDir = this.nextDir >= 0xfffffff0 ? 1 : this.nextDir + 1;
    this.dirs.set(fh, { ino, entries: null });
    return { fh, flags: 0 };
  }

  async readdir(ctx: RequestContext, ino: number, fh: number, offset: number, out: DirSink): Promise<void> {
    const d: DirHandle = this.dirs.get(fh) ?? { ino, entries: null };
    if (offset === 0 || !d.entries) {
      d.gen = this.dirGen(ino);
      d.entries = await this.listing(ino, out.plus, await this.cred(ctx));
    }
    for (let i = offset; i < d.entries.length; i++) {
      const e = d.entries[i]!;
      const dots = i < 2;
      const entry = out.plus && e.attr && !dots ? this.plusEntry(ino, d.gen ?? -1, e.name, e.attr) : undefined;
      if (!out.add({ name: Buffer.from(e.name, 'latin1'), ino: e.ino, mode: e.mode, next: i + 1, entry })) break;
      // A READDIRPLUS entry counts as a lookup of its node, like LOOKUP.
      if (entry) this.inodes.remember(ino, e.name, e.ino, e.mode);
    }
  }

  /** A READDIRPLUS entry: with the timeouts of the directory's lease when it is still held and the attributes current. */
  private plusEntry(dir: number, gen: number, name: string, a: Attr): abi.EntryOut {
    const entryTtlMs = this.entryTtl(dir, gen, name, a.ino);
    const held = entryTtlMs > 0 ? this.leased(this.inodes.child(dir, name), a.ino) : undefined;
    return { nodeid: a.ino, generation: 0, entryTtlMs, attrTtlMs: held?.ttl ?? 0, attr: toFuseAttr(held?.attr ?? a) };
  }

  /** '.', '..' and the directory's entries (an open directory that was removed lists only the first two). */
  private async listing(ino: number, plus: boolean, as: Owner): Promise<NonNullable<DirHandle['entries']>> {
    const up = this.inodes.parentOf(ino);
    const out: NonNullable<DirHandle['entries']> = [
      { name: '.', attr: null, ino, mode: S_IFDIR },
      { name: '..', attr: null, ino: up, mode: S_IFDIR },
    ];
    if (!this.inodes.named(ino) && ino !== ROOT_INO) return out;
    let entries;
    try {
      entries = await this.client.readdir(this.inodes.path(ino), as);
    } catch (err) {
      if (err instanceof FsError && err.errno === Errno.ENOENT) return out;
      throw err;
    }
    for (const e of entries) out.push({ name: e.name, attr: plus ? e.attr : e.attr, ino: e.attr.ino, mode: e.attr.mode });
    return out;
  }

  async releasedir(_ctx: RequestContext, _ino: number, fh: number): Promise<void> {
    this.dirs.delete(fh);
  }

  async fsyncdir(): Promise<void> {}
}

/** An xattr name as a byte string; EOPNOTSUPP outside the namespaces tmpfs supports. */
function xattrName(b: Buffer): string {
  const name = b.toString('latin1');
  if (!XATTR_PREFIXES.some((p) => name.startsWith(p))) throw new FsError('EOPNOTSUPP');
  return name;
}
