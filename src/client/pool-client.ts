/**
 * PoolClient: the application-level API to a pool, and the layer the FUSE
 * mount sits on. Paths in, errno-carrying FsErrors out; metadata goes through
 * the manager, file data straight to and from the memory nodes.
 */
import { hostname } from 'os';
import { randomUUID } from 'crypto';
import { Errno, FsError } from '../errors';
import { Attr, ChunkLocation, Cred, DirEntry, PoolStatus, QuotaStatus, StatFs } from '../types';
import { Api, call, callData, dispatcher, Link, nodeAccessKey, Peer } from '../../transport';
import { MAX_CRED_GROUPS, MAX_FILE_SIZE, MAX_LOCATE, ROOT_INO, TIME_MS_MAX, WIRE_PATH_MAX } from '../limits';
import { FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, LOCK_UN, O, S_IFDIR, S_IFMT, S_IFREG } from '../posix';
import { ChunkIO } from './chunk-io';
import { LastKnown, Stall } from './last-known';
import { ManagerLink } from './manager-link';
import { FileIO } from './file-io';
import { ClientLocks, LockInfo, PosixLock } from './locks';
import { DirCache, DirRecallHook } from './dir-cache';
import { PageCache } from './page-cache';

export interface PoolClientOptions {
  /** Cluster secret (default: MEMPOOL_SECRET or none). */
  secret?: string;
  /** Extra CA certificate (PEM) trusted for wss:// links. */
  ca?: Buffer;
  /** Shown in `mempool status`. */
  name?: string;
  /** Time to wait for the first connection to the manager, ms. */
  connectTimeoutMs?: number;
  /** Role announced to the manager: 'client' (default) or 'operator' (status only, holds no files). */
  role?: 'client' | 'operator';
  /** Page cache size in bytes (default 256 MiB). */
  cacheBytes?: number;
  /** How long metadata calls wait through a manager outage (restart, dropped link) before failing, ms (default 60 s). */
  managerTimeoutMs?: number;
  /** Where lease and cache problems are logged (default stderr). */
  log?: (msg: string) => void;
  /**
   * How paths, names, symlink targets and xattr names cross this API. 'text' (default): ordinary JS strings, stored
   * as their UTF-8 bytes (a stored name that is not UTF-8 reads back with U+FFFD). 'bytes': byte strings (one char
   * per byte, latin1), passed through unchanged, as the FUSE mount does so that any name round-trips exactly.
   */
  names?: NameForm;
  /**
   * Take READ leases on directories and answer lookups, stats and listings of their entries from the cached listing
   * (default false): another client's change there recalls the lease first, so what this client sees stays exact.
   */
  dirLeases?: boolean;
  /**
   * The credentials this client's calls carry (default: this process's uid, gid and supplementary groups): the
   * manager checks every call's permissions with them, as the kernel would, and new files get these ids.
   */
  uid?: number;
  gid?: number;
  groups?: number[];
}

/** See PoolClientOptions.names. */
export type NameForm = 'text' | 'bytes';

/** Who makes a call (and owns what it creates): ids and supplementary groups (default: the client's own, see PoolClientOptions.uid). */
export interface Owner {
  uid: number;
  gid: number;
  /** Supplementary groups (default: the client's own when uid is its uid, else none). */
  groups?: readonly number[];
}

/** Open flags (Linux values) understood by open(). */
export { O } from '../posix';

interface OpenFile {
  ino: number;
  flags: number;
  /** The credentials the open named (none: the link's own), named again when the handle is reopened on a new link. */
  cred?: Cred;
}

const MAX_IO = 64 * 1024 * 1024;
/** How long statfs (and a stat of the root) waits for the manager before answering with the last known figures. */
const OUTAGE_WAIT_MS = 2000;

/** A connection to a pool. */
export class PoolClient {
  private readonly handles = new Map<number, OpenFile>();
  private readonly openCount = new Map<number, number>();
  /** Handles being closed: open at the manager until their Release goes out (after the last write-back), so a new link names them too. */
  private readonly closing = new Set<OpenFile>();
  private nextFh = 1;
  private readonly files: FileIO;
  /** flock and POSIX locks held at the manager. */
  private readonly locks: ClientLocks;
  /** Directory leases and listings (null unless PoolClientOptions.dirLeases). */
  private readonly dirs: DirCache | null;
  private readonly sweeper: NodeJS.Timeout;
  private readonly log: (msg: string) => void;
  /** The last statfs and root attributes the manager answered: df and a stat of the mount's root answer from them during an outage. */
  private readonly lastStatfs: LastKnown<StatFs>;
  private readonly lastRoot: LastKnown<Attr>;
  /** How names cross this client's API (PoolClientOptions.names). */
  readonly names: NameForm;
  /** A name or path as sent to the manager: a byte string. */
  private readonly toWire: (s: string) => string;
  /** A name or path from the manager, in this client's form. */
  private readonly fromWire: (s: string) => string;

  private constructor(
    private readonly manager: Link,
    private readonly io: ChunkIO,
    opts: PoolClientOptions,
    /** The credentials of calls that name none. */
    readonly cred: Cred,
  ) {
    this.log = opts.log ?? ((m) => console.error(m));
    const stall = new Stall();
    this.lastStatfs = new LastKnown(OUTAGE_WAIT_MS, () => manager.connected, stall);
    this.lastRoot = new LastKnown(OUTAGE_WAIT_MS, () => manager.connected, stall);
    this.names = opts.names ?? 'text';
    const bytes = this.names === 'bytes';
    this.toWire = bytes ? (p) => p : textToBytes;
    this.fromWire = bytes ? (p) => p : bytesToText;
    const pageSize = io.chunkSize % 65536 === 0 ? 65536 : 4096;
    this.files = new FileIO(manager, io, new PageCache(opts.cacheBytes ?? 256 * 1024 * 1024, pageSize), this.log);
    this.locks = new ClientLocks(manager, this.log, opts.managerTimeoutMs);
    const dirs = (this.dirs = opts.dirLeases ? new DirCache(manager, this.log) : null);
    const recall = async (ino: number) => {
      this.files.leases.markRecalled(ino);
      // The layer above (the mount's kernel cache) lets go of what it holds under the lease first, then the client does.
      if (this.beforeRecall) await this.beforeRecall(ino).catch((err: Error) => this.log(`before recall of inode ${ino}: ${err.message}`));
      await this.files.surrender(ino, false);
      return {};
    };
    const serve = (peer: Peer) =>
      peer.setHandler(
        dispatcher(
          {
            LeaseRecall: ({ ino }) => recall(ino),
            DirRecall: async ({ ino, names, gone }) => {
              await dirs?.recall(ino, names?.map(this.fromWire), gone?.map(this.fromWire));
              return {};
            },
          },
          'a client',
        ),
      );
    manager.on('down', () => dirs?.dropAll());
    manager.peer(0).then(serve, () => undefined);
    manager.on('up', (peer: Peer) => {
      serve(peer);
      this.reopen(peer);
      void this.files.leases.reclaim(peer);
      void this.locks.reclaim(peer);
    });
    this.sweeper = setInterval(() => void this.files.sweep((ino) => this.openCount.has(ino)).catch(() => undefined), 5000);
    this.sweeper.unref();
  }

  /** Connects to the manager at url (ws:// or wss://) and learns the pool's chunk size. */
  static async connect(url: string, opts: PoolClientOptions = {}): Promise<PoolClient> {
    const secret = opts.secret ?? (process.env.MEMPOOL_SECRET ?? '').trim();
    const hello = { role: opts.role ?? 'client', id: randomUUID(), name: opts.name ?? hostname() } as const;
    const dialOpts = { secret, hello, ca: opts.ca, maxPayload: 80 * 1024 * 1024 };
    const cred = ownCred(opts);
    // failFast: a URL where nothing listens is reported at once; an established link still redials (and calls wait for it).
    const manager = new ManagerLink(url, { ...dialOpts, failFast: true, managerTimeoutMs: opts.managerTimeoutMs, cred });
    let fatal: Error | null = null;
    manager.once('fatal', (err: Error) => (fatal = err));
    let peer;
    try {
      peer = await manager.peer(opts.connectTimeoutMs ?? 10_000);
    } catch (err) {
      manager.close();
      throw fatal ?? err;
    }
    const chunkSize = peer.remote.chunkSize;
    if (peer.remote.role !== 'manager' || !chunkSize) {
      manager.close();
      throw new FsError('EPROTO', `${url} is not a mempool manager`);
    }
    // Memory nodes check clients with the node-access key derived from the client secret (they never hold the secret itself).
    return new PoolClient(manager, new ChunkIO(manager, chunkSize, { ...dialOpts, secret: nodeAccessKey(secret) }), opts, cred);
  }

  /**
   * Called on a lease recall before the client flushes, drops its cache and answers (awaited, outside any FUSE
   * request): the mount invalidates the kernel's copy of the file here.
   */
  beforeRecall: ((ino: number) => Promise<void>) | null = null;

  /** Called (not awaited) whenever this client stops holding a lease on ino for any reason: recall, expiry, truncate, release. */
  set onLeaseDropped(fn: ((ino: number) => void) | null) {
    this.files.onDropped = fn;
  }

  /** True while this client holds a cached (uncontended) lease on ino that it still trusts. */
  holdsCachedLease(ino: number): boolean {
    const h = this.files.leases.valid(ino);
    return h !== undefined && h.cached;
  }

  /** The pool's chunk size in bytes. */
  get chunkSize(): number {
    return this.io.chunkSize;
  }

  /** Flushes cached writes and closes every link; open handles are released by the manager when the link drops. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.dirs?.stop();
    await this.locks.releaseAll();
    await this.files.surrenderAll();
    this.files.leases.stopHeartbeat();
    this.io.close();
    this.manager.close();
  }

  /** Attributes of a path (symlinks are not followed); as: whose call it is (default: this client's credentials). */
  async getattr(path: string, as?: Owner): Promise<Attr> {
    const wire = this.path(path);
    if (wire === '/') return this.lastRoot.get(async () => (await call(this.manager, Api.Getattr, { path: wire, ...this.as(as) })).attr); // the mount point: kept answerable during an outage
    const known = await this.cachedAttr(wire);
    if (known) return this.overlay({ ...known });
    const mark = this.dirs?.mark();
    const attr = (await call(this.manager, Api.Getattr, { path: wire, ...this.as(as) })).attr;
    if (mark !== undefined && this.dirs && cacheable(wire))
      this.dirs.refresh(
        wire.split('/').filter((p) => p !== ''),
        attr,
        mark,
      );
    return this.overlay(attr);
  }

  /**
   * Runs before this client answers a directory recall (dirLeases): the directory's inode and names known to have
   * changed there (a hint). A FUSE layer invalidates every kernel entry of that directory it gave out under the lease
   * here (notify_inval_entry / notify_delete from its notification queue) and resolves once they are sent; the recall
   * is answered after.
   */
  set onDirRecall(hook: DirRecallHook | null) {
    if (this.dirs) this.dirs.hook = hook;
  }

  /** How long (ms) this client may still trust its directory lease on ino without a recall; 0 when it holds none (a FUSE layer's entry timeout). */
  dirLeaseMs(ino: number): number {
    return this.dirs?.remainingMs(ino) ?? 0;
  }

  /**
   * A path's attributes answered from a directory lease without a round trip, with the directory whose recall drops
   * them and how long (ms) they may be trusted without one (a FUSE layer's attribute timeout); undefined otherwise.
   */
  leasedAttr(path: string): { attr: Attr; dir: number; ms: number } | undefined {
    const wire = this.path(path);
    if (!this.dirs || !cacheable(wire)) return undefined;
    const got = this.dirs.leased(wire.split('/').filter((p) => p !== ''));
    if (!got) return undefined;
    const ms = this.dirs.remainingMs(got.dir);
    return ms > 0 ? { attr: this.overlay({ ...got.attr }), dir: got.dir, ms } : undefined;
  }

  /** Directories and entries held under directory leases (dirLeases). */
  dirCacheStats(): { dirs: number; entries: number } {
    return this.dirs?.stats() ?? { dirs: 0, entries: 0 };
  }

  /** A path's attributes from the directory cache (ENOENT for an entry known absent), or undefined: ask the manager. */
  private async cachedAttr(wire: string): Promise<Attr | undefined> {
    if (!this.dirs || !cacheable(wire)) return undefined;
    const parts = wire.split('/').filter((p) => p !== '');
    for (let tries = 0; tries < 2; tries++) {
      const r = this.dirs.lookup(parts);
      if ('attr' in r) return r.attr;
      if ('absent' in r) throw new FsError('ENOENT', wire);
      if (r.need === undefined || !(await this.dirs.missed(r.need))) return undefined;
    }
    return undefined;
  }

  /** The components of a wire path, and those of its parent with the final name (the directory an own change touches). */
  private split(wire: string): { parent: string[]; name: string } {
    const parts = wire.split('/').filter((p) => p !== '');
    return { parent: parts.slice(0, -1), name: parts[parts.length - 1] ?? '' };
  }

  /** Tells the directory cache of an own change of an entry (the manager recalls only other clients). */
  private ownEntry(wire: string, now: Attr | null | 'gone'): void {
    if (!this.dirs) return;
    const { parent, name } = this.split(wire);
    this.dirs.ownEntry(parent, name, now);
  }

  /**
   * Runs an own change of the entry at wire (a create or removal) whose answer carries its directory's new
   * attributes: change() sends it and answers what ownEntry records; the cached directory keeps those attributes.
   */
  private async entryChange<R extends { parent?: Attr }>(wire: string, send: () => Promise<R>, now: (r: R) => Attr | null | 'gone'): Promise<R> {
    if (!this.dirs) return send();
    const { parent } = this.split(wire);
    const op = this.dirs.ownStart(parent);
    let r: R | undefined;
    try {
      r = await send();
      this.ownEntry(wire, now(r));
      return r;
    } finally {
      this.dirs.ownDone(op, parent, r?.parent);
    }
  }

  /** Attributes of an open file, valid even after its last name was unlinked. */
  async fgetattr(fh: number): Promise<Attr> {
    return this.overlay((await call(this.manager, Api.GetattrIno, { ino: this.handle(fh).ino })).attr);
  }

  /** Attributes by inode number (any inode this client can name, open or not); ENOENT once the inode is freed. */
  async getattrIno(ino: number): Promise<Attr> {
    if (ino === ROOT_INO) return this.getattr('/'); // the mount point: kept answerable during an outage
    return this.overlay((await call(this.manager, Api.GetattrIno, { ino })).attr);
  }

  /** Directory entries with their attributes (no '.' or '..'), fetched page by page. */
  async readdir(path: string, as?: Owner): Promise<DirEntry[]> {
    if (this.dirs) {
      const dir = await this.getattr(path, as);
      if ((dir.mode & S_IFMT) === S_IFDIR && (await this.dirs.fetch(dir.ino))) {
        const listed = this.dirs.listing(dir.ino);
        if (listed) return listed.map((e) => ({ name: this.fromWire(e.name), attr: this.overlay({ ...e.attr }) }));
      }
    }
    const out: DirEntry[] = [];
    for (let offset: number | undefined = 0; offset !== undefined;) {
      const page: { entries: DirEntry[]; next?: number } = await call(this.manager, Api.Readdir, { path: this.path(path), offset, ...this.as(as) });
      for (const e of page.entries) out.push({ name: this.fromWire(e.name), attr: this.overlay(e.attr) });
      offset = page.next;
    }
    return out;
  }

  /** Creates a directory. */
  async mkdir(path: string, mode = 0o755, owner?: Owner): Promise<Attr> {
    const wire = this.path(path);
    const send = () => call(this.manager, Api.Mkdir, { path: wire, mode: mode & 0o7777, ...this.owner(owner) });
    return (await this.entryChange(wire, send, (r) => r.attr)).attr;
  }

  /** Creates a regular file, fifo, socket or device node (metadata only for the latter). */
  async mknod(path: string, mode: number, rdev = 0, owner?: Owner): Promise<Attr> {
    const wire = this.path(path);
    const send = () => call(this.manager, Api.Mknod, { path: wire, mode, rdev, ...this.owner(owner) });
    return (await this.entryChange(wire, send, (r) => r.attr)).attr;
  }

  /** Creates a symbolic link at path pointing to target. */
  async symlink(target: string, path: string, owner?: Owner): Promise<Attr> {
    const wire = this.path(path);
    const send = () => call(this.manager, Api.Symlink, { target: this.toWire(target), path: wire, ...this.owner(owner) });
    return (await this.entryChange(wire, send, (r) => r.attr)).attr;
  }

  /** The target of a symbolic link. */
  async readlink(path: string, as?: Owner): Promise<string> {
    return this.fromWire((await call(this.manager, Api.Readlink, { path: this.path(path), ...this.as(as) })).target);
  }

  /** Removes a name; the data goes when the last name is gone and the last handle closed. */
  async unlink(path: string, as?: Owner): Promise<void> {
    const wire = this.path(path);
    const ino = this.dirs ? (await this.getattr(path).catch(() => null))?.ino : undefined;
    await this.entryChange(
      wire,
      () => call(this.manager, Api.Unlink, { path: wire, ...this.as(as) }),
      () => 'gone',
    );
    if (ino !== undefined) this.dirs?.ownAttr(ino); // its other links' nlink
  }

  /** Removes an empty directory. */
  async rmdir(path: string, as?: Owner): Promise<void> {
    const wire = this.path(path);
    await this.entryChange(
      wire,
      () => call(this.manager, Api.Rmdir, { path: wire, ...this.as(as) }),
      () => 'gone',
    );
  }

  /** Renames atomically, replacing dst as POSIX rename(2) does (flags: 1 NOREPLACE, 2 EXCHANGE). */
  async rename(src: string, dst: string, flags = 0, as?: Owner): Promise<void> {
    const [s, d] = [this.path(src), this.path(dst)];
    const replaced = this.dirs ? (await this.getattr(dst).catch(() => null))?.ino : undefined;
    await call(this.manager, Api.Rename, { src: s, dst: d, flags, ...this.as(as) });
    this.ownEntry(s, flags & 2 ? null : 'gone'); // RENAME_EXCHANGE leaves an entry at both names
    this.ownEntry(d, null);
    if (replaced !== undefined) this.dirs?.ownAttr(replaced);
  }

  /** Adds a hard link dst to the file at src. */
  async link(src: string, dst: string, as?: Owner): Promise<Attr> {
    const d = this.path(dst);
    const send = () => call(this.manager, Api.Link, { src: this.path(src), dst: d, ...this.as(as) });
    const { attr } = await this.entryChange(d, send, () => null);
    this.dirs?.ownAttr(attr.ino);
    return attr;
  }

  /** Sets permission bits. */
  async chmod(path: string, mode: number, as?: Owner): Promise<Attr> {
    return this.ownAttr((await call(this.manager, Api.Chmod, { path: this.path(path), mode: mode & 0o7777, ...this.as(as) })).attr);
  }

  /** Clears SUID, and SGID with group exec, of a regular file, as a write or truncate by a writer (not the owner) does. */
  async killPriv(path: string, as?: Owner): Promise<Attr> {
    return this.ownAttr((await call(this.manager, Api.Chmod, { path: this.path(path), mode: 0, killPriv: true, ...this.as(as) })).attr);
  }

  /** Sets owner and group (-1 leaves one unchanged). */
  async chown(path: string, uid: number, gid: number, as?: Owner): Promise<Attr> {
    return this.ownAttr((await call(this.manager, Api.Chown, { path: this.path(path), uid, gid, ...this.as(as) })).attr);
  }

  /** Sets access and modification times, in ms since the epoch (negative before 1970); knownIno: the inode path names, if the caller knows it. */
  async utimens(path: string, atimeMs: number, mtimeMs: number, as?: Owner, now = false, knownIno?: number): Promise<Attr> {
    // Cached writes carry their own mtime: send them first, or their flush at close would undo these times (cp -a sets times before close).
    const a = Math.trunc(atimeMs);
    const m = Math.trunc(mtimeMs);
    // A time a file cannot keep exactly (a JS number past 2^53 ms) is EOVERFLOW, as for a time the file system cannot store.
    if (!(Math.abs(a) <= TIME_MS_MAX && Math.abs(m) <= TIME_MS_MAX)) throw new FsError('EOVERFLOW', `times ${atimeMs}, ${mtimeMs} ms are out of range`);
    // (knownIno: the inode the caller knows path names, saving a lookup; the manager checks permission by path)
    const ino = knownIno ?? (await this.getattr(path, as)).ino;
    await this.files.flush(ino);
    return this.ownAttr((await call(this.manager, Api.Utimens, { path: this.path(path), atimeMs: a, mtimeMs: m, now, ...this.as(as) })).attr);
  }

  /** Sets a file's size; growth reads as zeros. */
  async truncate(path: string, size: number, as?: Owner): Promise<Attr> {
    checkSize(size);
    const { ino } = await this.getattr(path, as);
    await this.files.surrender(ino, true);
    // by path too: the manager checks write permission on it (by inode alone it asks for an open for writing)
    return this.ownAttr((await call(this.manager, Api.Truncate, { ino, path: this.path(path), size, ...this.as(as) })).attr);
  }

  /** Sets an open file's size. */
  async ftruncate(fh: number, size: number): Promise<Attr> {
    const ino = this.handle(fh).ino;
    checkSize(size);
    await this.files.surrender(ino, true);
    return this.ownAttr((await call(this.manager, Api.Truncate, { ino, size })).attr);
  }

  /** Sets an extended attribute (flags: 1 CREATE, 2 REPLACE). */
  async setxattr(path: string, name: string, value: Buffer, flags = 0, as?: Owner): Promise<void> {
    await call(this.manager, Api.Setxattr, { path: this.path(path), name: this.toWire(name), flags, ...this.as(as) }, value);
    if (this.dirs) this.ownAttr(await this.getattr(path)); // its ctime
  }

  /** Reads an extended attribute; ENODATA when absent. */
  async getxattr(path: string, name: string, as?: Owner): Promise<Buffer> {
    return (await callData(this.manager, Api.Getxattr, { path: this.path(path), name: this.toWire(name), ...this.as(as) })).data;
  }

  /** Names of a file's extended attributes, fetched page by page. */
  async listxattr(path: string, as?: Owner): Promise<string[]> {
    const out: string[] = [];
    for (let offset: number | undefined = 0; offset !== undefined;) {
      const page: { names: string[]; next?: number } = await call(this.manager, Api.Listxattr, { path: this.path(path), offset, ...this.as(as) });
      for (const n of page.names) out.push(this.fromWire(n));
      offset = page.next;
    }
    return out;
  }

  /** Removes an extended attribute. */
  async removexattr(path: string, name: string, as?: Owner): Promise<void> {
    await call(this.manager, Api.Removexattr, { path: this.path(path), name: this.toWire(name), ...this.as(as) });
    if (this.dirs) this.ownAttr(await this.getattr(path));
  }

  /**
   * Pool capacity and usage. During a manager outage (restart, takeover) `df` stays responsive: once the pool has
   * answered before, a statfs the manager does not answer within STATFS_WAIT_MS gets the last known figures.
   */
  async statfs(): Promise<StatFs> {
    return this.lastStatfs.get(() => call(this.manager, Api.Statfs, {}));
  }

  /** Full pool status: nodes, usage, files, and the first maxClients clients (the manager sends them page by page). */
  async status(maxClients = 10_000): Promise<PoolStatus> {
    const st: PoolStatus = await call(this.manager, Api.Status, {});
    for (const q of st.quotas ?? []) q.path = this.fromWire(q.path);
    while (st.clientsNext !== undefined && st.clientDetails.length < maxClients) {
      const page = await call(this.manager, Api.Status, { clientsFrom: st.clientsNext });
      st.clientDetails.push(...page.clientDetails);
      st.clientsNext = page.clientsNext;
    }
    return st;
  }

  /** Sets the quota of a directory (operators only); a limit left undefined keeps its value, null removes it. */
  /** Starts draining a memory node (operators): every chunk moves off it; answers the chunks it holds now. */
  async drain(node: string): Promise<number> {
    return (await call(this.manager, Api.Drain, { node })).chunks;
  }

  async quotaSet(path: string, limits: { bytes?: number | null; files?: number | null }): Promise<QuotaStatus> {
    return this.quota((await call(this.manager, Api.QuotaSet, { path: this.path(path), ...limits })).quota);
  }

  /** The quota of a directory with its usage, or null when it has none. */
  async quotaGet(path: string): Promise<QuotaStatus | null> {
    const q = (await call(this.manager, Api.QuotaGet, { path: this.path(path) })).quota;
    return q ? this.quota(q) : null;
  }

  /** Removes the quota of a directory (operators only). */
  async quotaClear(path: string): Promise<void> {
    await call(this.manager, Api.QuotaClear, { path: this.path(path) });
  }

  /** Diagnostic (tests, operators): the memory nodes holding each placed chunk of a file; holes are left out. */
  async locate(path: string): Promise<ChunkLocation[]> {
    const a = await this.getattr(path);
    const total = Math.ceil(a.size / this.chunkSize);
    const out: ChunkLocation[] = [];
    for (let first = 0; first < total; first += MAX_LOCATE) {
      const count = Math.min(MAX_LOCATE, total - first);
      out.push(...(await call(this.manager, Api.Locate, { ino: a.ino, first, count, write: false })).chunks);
    }
    return out;
  }

  /** Opens a file (O_CREAT creates it with mode and owner) and returns a handle number. */
  async open(path: string, flags: number = O.RDONLY, mode = 0o644, owner?: Owner): Promise<number> {
    return (await this.openAttr(path, flags, mode, owner)).fh;
  }

  /**
   * open(), also answering the file's attributes as of the open (a create's, or after O_TRUNC): no fgetattr round
   * trip; created: this call made the file (new, so without extended attributes).
   */
  async openAttr(path: string, flags: number = O.RDONLY, mode = 0o644, owner?: Owner): Promise<{ fh: number; attr: Attr; created: boolean }> {
    // O_TRUNC goes through ftruncate below, so this client's own cached pages of the file go too (a read-only open keeps it: the manager asks write permission for it, and truncates nothing).
    const wire = this.path(path);
    const sent = (flags & O.ACCMODE) === O.RDONLY ? flags : flags & ~O.TRUNC;
    const who = this.owner(owner);
    const send = () => call(this.manager, Api.Open, { path: wire, flags: sent >>> 0, mode, ...who });
    const { attr, parent } = flags & O.CREAT ? await this.entryChange(wire, send, (r) => r.attr) : await send();
    const created = parent !== undefined; // (the manager answers the directory's attributes only when it made the file)
    if ((flags & O.ACCMODE) !== O.RDONLY) this.dirs?.ownWriter(attr.ino, 1);
    const fh = this.nextFh;
    this.nextFh = this.nextFh >= 0xfffffff0 ? 1 : this.nextFh + 1;
    this.handles.set(fh, { ino: attr.ino, flags, cred: who.cred });
    this.openCount.set(attr.ino, (this.openCount.get(attr.ino) ?? 0) + 1);
    if (flags & O.TRUNC && (flags & O.ACCMODE) !== O.RDONLY && (attr.mode & S_IFMT) === S_IFREG) {
      try {
        return { fh, attr: this.overlay(await this.ftruncate(fh, 0)), created };
      } catch (err) {
        await this.release(fh).catch(() => undefined);
        throw err;
      }
    }
    return { fh, attr: this.overlay({ ...attr }), created };
  }

  /** Creates (or truncates) and opens a file for writing. */
  async create(path: string, mode = 0o644, owner?: Owner): Promise<number> {
    return this.open(path, O.RDWR | O.CREAT | O.TRUNC, mode, owner);
  }

  /** The inode number behind a handle. */
  inoOf(fh: number): number {
    return this.handle(fh).ino;
  }

  /**
   * Reads up to length bytes at position; shorter at end of file. `view`: the caller never changes the answer, which
   * may then be a view of cached pages instead of a copy (the mount's replies).
   */
  async read(fh: number, position: number, length: number, view = false): Promise<Buffer> {
    checkRange(position, length);
    return this.files.read(this.handle(fh).ino, position, length, view);
  }

  /**
   * Writes data at position (at end of file with O_APPEND); returns bytes written. `owned`: the caller never changes
   * data again, so a large write may be sent from it in the background, without a copy (the mount's request buffers).
   */
  async write(fh: number, position: number, data: Buffer, owned = false): Promise<number> {
    const h = this.handle(fh);
    if ((h.flags & 3) === 0) throw new FsError('EBADF', 'handle is read-only');
    checkRange(position, data.length);
    if (data.length === 0) return 0;
    this.dirs?.ownAttr(h.ino); // (while its write handle is open: its attributes are asked for again after the last close)
    await this.files.write(h.ino, position, data, (h.flags & O.APPEND) !== 0, owned);
    return data.length;
  }

  /**
   * fallocate(2) as tmpfs takes it: mode 0 grows the file to offset + length (zeros; ENOSPC when the pool clearly
   * lacks the room), KEEP_SIZE alone changes nothing (memory is not reserved ahead), PUNCH_HOLE | KEEP_SIZE zeroes the
   * range inside the file; any other mode is EOPNOTSUPP.
   */
  async fallocate(fh: number, offset: number, length: number, mode = 0): Promise<void> {
    const h = this.handle(fh);
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length <= 0) throw new FsError('EINVAL', `bad range ${offset}+${length}`);
    if ((h.flags & O.ACCMODE) === O.RDONLY) throw new FsError('EBADF', 'handle is read-only');
    if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE) || (mode & FALLOC_FL_PUNCH_HOLE && !(mode & FALLOC_FL_KEEP_SIZE))) throw new FsError('EOPNOTSUPP', `fallocate mode ${mode}`);
    checkSize(offset + length);
    const { size } = await this.fgetattr(fh);
    if (mode & FALLOC_FL_PUNCH_HOLE) {
      const zeros = Buffer.alloc(Math.min(FALLOCATE_ZERO_STEP, length));
      for (let at = offset, end = Math.min(offset + length, size); at < end; at += zeros.length) {
        await this.files.write(h.ino, at, zeros.subarray(0, Math.min(zeros.length, end - at)), false);
      }
    } else if (!(mode & FALLOC_FL_KEEP_SIZE) && offset + length > size) {
      if (offset + length - size > (await this.statfs()).free) throw new FsError('ENOSPC', `no room for ${offset + length - size} more bytes`);
      await this.ftruncate(fh, offset + length);
    }
  }

  /** Sends a file's cached writes to the memory nodes (acknowledged by every replica). */
  async fsync(fh: number): Promise<void> {
    await this.files.flush(this.handle(fh).ino);
  }

  /** Sends every cached write to the memory nodes (before unmount). */
  async flushAll(): Promise<void> {
    await this.files.flushAll();
  }

  /** Page cache and lease figures of this client. */
  cacheStats(): { hits: number; misses: number; cleanBytes: number; dirtyBytes: number; leases: number } {
    return { ...this.files.cache.stats(), leases: this.files.leases.all().length };
  }

  /** Closes a handle. */
  async release(fh: number): Promise<void> {
    const h = this.handle(fh);
    this.handles.delete(fh);
    this.closing.add(h);
    let flushError: unknown = null;
    await this.files.flush(h.ino).catch((err: unknown) => (flushError = err));
    if ((h.flags & O.ACCMODE) !== O.RDONLY) this.dirs?.ownWriter(h.ino, -1); // what it wrote is at the manager now
    const n = (this.openCount.get(h.ino) ?? 1) - 1;
    if (this.locks.holds(h.ino, flockOwner(fh), true)) await this.locks.flock(h.ino, flockOwner(fh), LOCK_UN).catch(() => undefined); // the open file's flock ends with it
    if (n <= 0) {
      this.openCount.delete(h.ino);
      this.locks.forgetFile(h.ino); // the manager drops every lock of ours on the file with our last handle
      this.io.forget(h.ino);
    } else this.openCount.set(h.ino, n);
    // A write-back that failed at the last close (ENOSPC, fenced) has been reported to the caller: its pages go.
    if (flushError && n <= 0) await this.files.discard(h.ino);
    // Not awaited: nothing the caller does depends on the answer, and later calls on this link are ordered after it.
    // Lost with a link that went down, it is not missed: the next link's Reopen counts only the handles still open.
    this.closing.delete(h);
    call(this.manager, Api.Release, { ino: h.ino }).catch((err: Error) => {
      if (!(err instanceof FsError && err.errno === Errno.ENOTCONN)) this.log(`release of inode ${h.ino}: ${err.message}`);
    });
    if (flushError) throw flushError;
  }

  /**
   * flock(2) on an open file: op LOCK_SH, LOCK_EX or LOCK_UN (| LOCK_NB: EWOULDBLOCK instead of waiting). The lock
   * belongs to the handle (owner: another id, such as the kernel's lock_owner of an open file description) and ends
   * with its release; signal interrupts a wait (EINTR).
   */
  async flock(fh: number, op: number, opts: { owner?: string; signal?: AbortSignal } = {}): Promise<void> {
    await this.locks.flock(this.handle(fh).ino, opts.owner ?? flockOwner(fh), op, { signal: opts.signal });
  }

  /** fcntl F_GETLK: the lock of another owner that would block `lock` on the open file (type F_UNLCK: none). */
  async getlk(fh: number, owner: string, lock: PosixLock): Promise<LockInfo> {
    return this.locks.getlk(this.handle(fh).ino, owner, lock);
  }

  /** fcntl F_SETLK (EAGAIN on a conflict) or, with wait, F_SETLKW (EINTR once signal aborts, EDEADLK); owner: the locking process (lock_owner). */
  async setlk(fh: number, owner: string, lock: PosixLock, wait = false, signal?: AbortSignal): Promise<void> {
    await this.locks.setlk(this.handle(fh).ino, owner, lock, { wait, signal });
  }

  /** The owner closed a descriptor of the open file (FUSE FLUSH): its POSIX locks on the file go, as close(2) does. */
  async unlockOwner(fh: number, owner: string): Promise<void> {
    await this.locks.unlockOwner(this.handle(fh).ino, owner);
  }

  /** Reads a whole file. */
  async readFile(path: string): Promise<Buffer> {
    const fh = await this.open(path, O.RDONLY);
    try {
      const size = (await this.fgetattr(fh)).size;
      const parts: Buffer[] = [];
      for (let pos = 0; pos < size;) {
        const part = await this.read(fh, pos, Math.min(16 * this.chunkSize, size - pos));
        if (part.length === 0) break;
        parts.push(part);
        pos += part.length;
      }
      return Buffer.concat(parts);
    } finally {
      await this.release(fh);
    }
  }

  /** Creates or replaces a file's content. */
  async writeFile(path: string, data: Buffer, mode = 0o644): Promise<void> {
    const fh = await this.create(path, mode);
    try {
      const step = 16 * this.chunkSize;
      for (let pos = 0; pos < data.length; pos += step) await this.write(fh, pos, data.subarray(pos, pos + step));
    } finally {
      await this.release(fh);
    }
  }

  /**
   * On a new link (the manager restarted, or the link dropped and the manager released our handles), counts
   * our open handles again before any other call goes out, so unlinked files we hold open are not freed, and
   * those open for writing may still write (the manager checks each access again, as the handle's credentials).
   */
  private reopen(peer: Peer): void {
    if (this.handles.size + this.closing.size === 0) return;
    call(peer, Api.Reopen, { opens: this.openGroups() })
      .then(({ missing, denied }) => {
        if (missing.length > 0) this.log(`after reconnecting, ${missing.length} open files were gone at the manager`);
        if (denied.length > 0) this.log(`after reconnecting, the manager refused the access of open files (permissions changed?): inodes ${denied.join(', ')}`);
      })
      .catch((err: Error) => this.log(`re-registering open files: ${err.message}`));
  }

  /** The open handles as Reopen names them: grouped by file, access mode and credentials, with how many share them. */
  private openGroups(): Array<{ ino: number; count: number; accmode: number; cred?: Cred }> {
    const groups = new Map<string, { ino: number; count: number; accmode: number; cred?: Cred }>();
    for (const h of [...this.handles.values(), ...this.closing]) {
      const accmode = h.flags & O.ACCMODE;
      const k = `${h.ino} ${accmode} ${JSON.stringify(h.cred ?? null)}`;
      const g = groups.get(k);
      if (g) g.count++;
      else groups.set(k, { ino: h.ino, count: 1, accmode, ...(h.cred ? { cred: h.cred } : {}) });
    }
    return [...groups.values()];
  }

  /** A path as sent to the manager: a byte string, ENAMETOOLONG past the wire's limit (a mount's full paths have no other limit). */
  private path(path: string): string {
    const p = this.toWire(path);
    if (p.length > WIRE_PATH_MAX) throw new FsError('ENAMETOOLONG', `path of ${p.length} bytes`);
    return p;
  }

  /** The cred field of a call made as `as` (none: the link adds this client's own). */
  private as(as: Owner | undefined): { cred?: Cred } {
    return as ? { cred: { uid: as.uid, gid: as.gid, groups: as.groups ?? (as.uid === this.cred.uid ? this.cred.groups : []) } } : {};
  }

  /** The owner fields and credentials of a creating call. */
  private owner(owner: Owner | undefined): { uid: number; gid: number; cred?: Cred } {
    return { uid: owner?.uid ?? this.cred.uid, gid: owner?.gid ?? this.cred.gid, ...this.as(owner) };
  }

  /** A quota from the manager with its path in this client's form. */
  private quota(q: QuotaStatus): QuotaStatus {
    return { ...q, path: this.fromWire(q.path) };
  }

  /** Marks an own attribute change in the directory cache; returns the attributes. */
  private ownAttr(a: Attr): Attr {
    this.dirs?.ownAttr(a.ino);
    return a;
  }

  /** Shows this client's own unflushed size and mtime on attributes from the manager. */
  private overlay(a: Attr): Attr {
    const local = this.files.localAttr(a.ino);
    if (local) {
      a.size = local.size;
      a.mtimeMs = Math.max(a.mtimeMs, local.mtimeMs);
      a.ctimeMs = Math.max(a.ctimeMs, local.mtimeMs);
    }
    return a;
  }

  private handle(fh: number): OpenFile {
    const h = this.handles.get(fh);
    if (!h) throw new FsError('EBADF', `no open file handle ${fh}`);
    return h;
  }
}

/** The lock owner of a handle's own flock locks. */
function flockOwner(fh: number): string {
  return `fh:${fh}`;
}

/** The credentials of a client: those its options name, else this process's own. */
function ownCred(opts: PoolClientOptions): Cred {
  const uid = opts.uid ?? process.getuid?.() ?? 0;
  const gid = opts.gid ?? process.getgid?.() ?? 0;
  const own = opts.uid === undefined && opts.gid === undefined ? (process.getgroups?.() ?? []) : [];
  const groups = [...new Set(opts.groups ?? own)];
  if (groups.length > MAX_CRED_GROUPS) throw new FsError('EINVAL', `${groups.length} groups, at most ${MAX_CRED_GROUPS}`);
  return { uid, gid, groups };
}

/** A char at or above 0x80: a string without one is the same in text and as a byte string. */
const NON_ASCII = /[\u0080-\uffff]/;

/** A JS string as the byte string of its UTF-8 bytes. */
export function textToBytes(s: string): string {
  return !NON_ASCII.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

/** A byte string read as UTF-8 text (bytes that are not UTF-8 become U+FFFD). */
export function bytesToText(s: string): string {
  return !NON_ASCII.test(s) ? s : Buffer.from(s, 'latin1').toString('utf8');
}

/** A file size: EINVAL when negative or fractional, EFBIG past the largest file size. */
/** Zeros written per step when punching a hole. */
const FALLOCATE_ZERO_STEP = 1 << 20;

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 0) throw new FsError('EINVAL', `bad size ${size}`);
  if (size > MAX_FILE_SIZE) throw new FsError('EFBIG', `size ${size} is past the largest file size`);
}

function checkRange(position: number, length: number): void {
  if (!Number.isSafeInteger(position) || position < 0) throw new FsError('EINVAL', `bad position ${position}`);
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_IO) throw new FsError('EINVAL', `bad length ${length}`);
  if (position + length > Number.MAX_SAFE_INTEGER) throw new FsError('EFBIG', 'file too large');
}

export { Errno };

/** Only plain absolute paths are answered from the directory cache: '//', a trailing '/' and the like are the manager's to judge. */
function cacheable(wire: string): boolean {
  return wire.startsWith('/') && !wire.includes('//') && !(wire.length > 1 && wire.endsWith('/'));
}
