/**
 * The client's side of cluster-wide locks: flock(2) and POSIX fcntl(2) byte-range locks are held at the manager
 * (src/manager/lock-table.ts); this module sends the requests, keeps a blocked F_SETLKW waiting (across a dropped
 * link, by asking again), cancels it when the caller is interrupted, and mirrors what it holds so that it can
 * reclaim every lock on a new link (after a manager restart or takeover, within the manager's grace).
 *
 * What a FUSE layer must call (through PoolClient, which delegates here), with owner = the request's lock_owner as
 * decimal text:
 * - INIT: announce FUSE_POSIX_LOCKS and FUSE_FLOCK_LOCKS.
 * - GETLK (fuse_lk_in): `getlk(fh, owner, { type, start, end, pid })`; reply fuse_lk_out with what it returns
 *   (type F_UNLCK when nothing blocks). start/end are inclusive; the kernel's OFFSET_MAX end maps to LOCK_EOF
 *   (any end at or above 2^53 - 1) and back.
 * - SETLK / SETLKW without FUSE_LK_FLOCK in lk_flags: `setlk(fh, owner, lock, { wait: opcode === SETLKW, signal })`.
 *   For SETLKW, keep an AbortController per request unique id and abort it on FUSE_INTERRUPT of that unique: the
 *   call then fails with EINTR, which is the reply. Never block the request loop on it (it may wait for minutes).
 * - SETLK / SETLKW with FUSE_LK_FLOCK: `flock(fh, LOCK_SH | LOCK_EX | LOCK_UN (from lk.type F_RDLCK/F_WRLCK/F_UNLCK),
 *   { owner, wait: opcode === SETLKW, signal })`; the owner identifies the open file description.
 * - FLUSH (every close(2) of a descriptor): `unlockOwner(fh, owner)` before answering: POSIX drops every fcntl lock
 *   the closing process held on the file at any close (the kernel does not send an unlock for it).
 * - RELEASE with FUSE_RELEASE_FLOCK_UNLOCK in release_flags: `flock(fh, LOCK_UN, { owner: release lock_owner })`,
 *   then `release(fh)` (the client's last handle of a file closing also drops all its locks on that file).
 * A process killed with -9 closes its descriptors through the kernel (FLUSH/RELEASE as above); a whole client that
 * dies loses its locks when its session ends at the manager (its link gone for longer than the lease term + margin).
 */
import { Errno, FsError } from '../errors';
import { applyRange, LockRange } from '../lock-ranges';
import { F_RDLCK, F_UNLCK, F_WRLCK, LOCK_EOF, LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN } from '../posix';
import { Api, call, Link, Peer } from '../../transport';

/** A POSIX lock as fcntl's struct flock gives it, with an inclusive end (LOCK_EOF: to the end of the file). */
export interface PosixLock {
  /** F_RDLCK, F_WRLCK or F_UNLCK. */
  type: number;
  start: number;
  end: number;
  pid?: number;
}

/** What F_GETLK reports: the blocking lock (type F_UNLCK when none). */
export interface LockInfo {
  type: number;
  start: number;
  end: number;
  pid: number;
}

/** How long a blocked wait may last (setTimeout's largest delay, ~24 days): the caller ends it by cancelling. */
const FOREVER_MS = 0x7fffffff;

interface Mirrored {
  ino: number;
  owner: string;
  flock: boolean;
  ranges: LockRange[];
}

/** Locks of one client. */
export class ClientLocks {
  private nextWait = 1;
  private closed = false;
  /** What this client holds, by file, kind and owner: named again on every new link. */
  private readonly held = new Map<string, Mirrored>();

  constructor(
    private readonly manager: Link,
    private readonly log: (msg: string) => void,
    /** How long calls wait through a manager outage before failing. */
    private readonly outageMs = 60_000,
  ) {}

  /** F_GETLK: the lock of another owner that would block `lock`, or type F_UNLCK. */
  async getlk(ino: number, owner: string, lock: PosixLock): Promise<LockInfo> {
    const req = { ino, owner, flock: false, ...range(lock) };
    if (req.type === F_UNLCK) throw new FsError('EINVAL', 'F_GETLK of F_UNLCK');
    const r = await this.retrying(() => call(this.manager, Api.LockGet, req, undefined, this.outageMs));
    return { type: r.type, start: r.start, end: r.end, pid: r.pid };
  }

  /** F_SETLK (wait false: EAGAIN on a conflict) or F_SETLKW (wait: until granted; EINTR once signal aborts, EDEADLK). */
  async setlk(ino: number, owner: string, lock: PosixLock, opts: { wait?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    const r = range(lock);
    await this.set(ino, owner, false, r.type, r.start, r.end, r.pid, opts);
    this.mirror(ino, owner, false, (own) => applyRange(own, r.type, r.start, r.end, r.pid));
  }

  /** flock(2): op LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB or wait false for EWOULDBLOCK instead of waiting. */
  async flock(ino: number, owner: string, op: number, opts: { wait?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    const base = op & ~LOCK_NB;
    const type = base === LOCK_SH ? F_RDLCK : base === LOCK_EX ? F_WRLCK : base === LOCK_UN ? F_UNLCK : -1;
    if (type < 0) throw new FsError('EINVAL', `flock operation ${op}`);
    const wait = (opts.wait ?? true) && !(op & LOCK_NB) && type !== F_UNLCK;
    const k = key(ino, true, owner);
    if (this.held.get(k)?.ranges[0]?.type !== type) this.held.delete(k); // a conversion drops the old lock first, even if the new one fails
    await this.set(ino, owner, true, type, 0, LOCK_EOF, 0, { wait, signal: opts.signal });
    this.mirror(ino, owner, true, () => (type === F_UNLCK ? [] : [{ type, start: 0, end: LOCK_EOF, pid: 0 }]));
  }

  /** A descriptor of the file was closed by owner (FUSE FLUSH): its POSIX locks on the file go. */
  async unlockOwner(ino: number, owner: string): Promise<void> {
    const k = key(ino, false, owner);
    if (!this.held.has(k)) return;
    this.held.delete(k);
    await this.retrying(() => call(this.manager, Api.LockRelease, { ino, owner, flock: false }, undefined, this.outageMs));
  }

  /** True when this client holds a lock of that kind and owner on ino (it knows without asking). */
  holds(ino: number, owner: string, flock: boolean): boolean {
    return this.held.has(key(ino, flock, owner));
  }

  /** The client's last handle of ino closed: the manager dropped every lock it held there. */
  forgetFile(ino: number): void {
    for (const [k, m] of this.held) if (m.ino === ino) this.held.delete(k);
  }

  /** Gives back every lock (a clean close of the client). */
  async releaseAll(): Promise<void> {
    this.closed = true;
    if (this.held.size === 0) return;
    this.held.clear();
    await call(this.manager, Api.LockRelease, {}, undefined, 5000).catch((err: Error) => this.log(`releasing locks: ${err.message}`));
  }

  /** On a new link: names every lock held, so the manager grants it back (within its grace after a restart). */
  async reclaim(peer: Peer): Promise<void> {
    const mine = [...this.held.values()].flatMap((m) => m.ranges.map((r) => ({ m, lock: { ino: m.ino, owner: m.owner, flock: m.flock, ...r } })));
    if (mine.length === 0) return;
    let lost: number[];
    try {
      lost = (await call(peer, Api.LockReclaim, { locks: mine.map((x) => x.lock) })).lost;
    } catch (err) {
      this.log(`reclaiming locks: ${(err as Error).message}`); // the link went again: the next one reclaims
      return;
    }
    for (const i of lost) {
      const x = mine[i];
      if (!x) continue;
      this.log(`lock on inode ${x.lock.ino} (owner ${x.lock.owner}, bytes ${x.lock.start}-${x.lock.end}) was taken by another client while the manager was away`);
      this.mirror(x.lock.ino, x.lock.owner, x.lock.flock, (own) => applyRange(own, F_UNLCK, x.lock.start, x.lock.end, 0));
    }
  }

  private async set(ino: number, owner: string, flock: boolean, type: number, start: number, end: number, pid: number, opts: { wait?: boolean; signal?: AbortSignal }): Promise<void> {
    const { signal } = opts;
    const wait = !!opts.wait && type !== F_UNLCK;
    if (signal?.aborted) throw new FsError('EINTR', 'interrupted before locking');
    const waitId = this.nextWait++;
    const req = { ino, owner, flock, type, start, end, pid, wait, ...(wait ? { waitId } : {}) };
    const onAbort = () => void call(this.manager, Api.LockCancel, { waitId }, undefined, 5000).catch(() => undefined);
    if (wait) signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.retrying(() => call(this.manager, Api.LockSet, req, undefined, wait ? FOREVER_MS : this.outageMs), signal);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private mirror(ino: number, owner: string, flock: boolean, next: (own: LockRange[]) => LockRange[]): void {
    const k = key(ino, flock, owner);
    const ranges = next(this.held.get(k)?.ranges ?? []);
    if (ranges.length > 0) this.held.set(k, { ino, owner, flock, ranges });
    else this.held.delete(k);
  }

  /** Runs a lock call, again on the next link when the link dropped under it (a blocked wait ends with its link), until the outage limit. */
  private async retrying<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let deadline = Date.now() + this.outageMs;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof FsError && err.errno === Errno.ENOTCONN) || Date.now() > deadline || this.closed) throw err;
        if (signal?.aborted) throw new FsError('EINTR', 'interrupted while the manager was away');
        await new Promise((r) => setTimeout(r, 100));
        await this.manager.peer(Math.max(1, deadline - Date.now())).catch(() => undefined);
        if (this.manager.connected) deadline = Date.now() + this.outageMs;
      }
    }
  }
}

/** A lock's type and inclusive range, checked (EINVAL) and with an end past the largest offset read as end of file. */
function range(lock: PosixLock): { type: number; start: number; end: number; pid: number } {
  const end = lock.end >= LOCK_EOF ? LOCK_EOF : lock.end;
  if (![F_RDLCK, F_WRLCK, F_UNLCK].includes(lock.type)) throw new FsError('EINVAL', `lock type ${lock.type}`);
  if (!Number.isSafeInteger(lock.start) || lock.start < 0 || !Number.isSafeInteger(end) || end < lock.start) throw new FsError('EINVAL', `lock range ${lock.start}..${lock.end}`);
  return { type: lock.type, start: lock.start, end, pid: lock.pid ?? 0 };
}

function key(ino: number, flock: boolean, owner: string): string {
  return `${ino}\u0000${flock ? 'f' : 'p'}\u0000${owner}`;
}
