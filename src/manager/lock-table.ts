/**
 * Cluster-wide file locks, held at the manager: flock(2) whole-file locks and POSIX fcntl(2) byte-range locks, as
 * Linux keeps them (the two kinds never conflict with each other). An owner is (client, owner id): for fcntl the
 * kernel's lock_owner (one per process and file table), for flock the open file description. Blocked requests
 * wait here, in arrival order, and are granted as soon as nothing conflicts; a waiter can be cancelled (EINTR), and
 * a POSIX wait that would close a cycle of owners waiting on each other fails with EDEADLK. Locks are volatile like
 * leases: they end with their holder's unlock, close, or session (a client away longer than term + margin), and
 * after a manager restart holders reclaim them within a grace during which nobody else gets a new lock.
 */
import { FsError } from '../errors';
import { applyRange, clash, LockRange, overlaps } from '../lock-ranges';
import { F_RDLCK, F_UNLCK, F_WRLCK, LOCK_EOF } from '../posix';

/** A lock request (or test) by one owner on one file. */
export interface LockRequest {
  client: string;
  /** The owner within the client (kernel lock_owner, or an open file description for flock). */
  owner: string;
  /** True: a flock(2) lock (whole file; start and end are ignored). */
  flock: boolean;
  /** F_RDLCK, F_WRLCK or F_UNLCK. */
  type: number;
  start: number;
  end: number;
  pid: number;
}

/** A lock that blocks a request, as F_GETLK reports it. */
export interface Blocker extends LockRange {
  client: string;
  owner: string;
}

/** A lock named by a client reclaiming after a restart: a request plus its file. */
export interface Reclaim extends LockRequest {
  ino: number;
}

export interface LockTableOptions {
  /** How long a client's session outlives its last link (the lease term + margin): then its locks go. */
  sessionMs: number;
  /** Waiting requests one client may have at once (ENOLCK beyond: each holds a request slot on its link). */
  maxWaitersPerClient?: number;
  now?: () => number;
}

interface Owned {
  client: string;
  owner: string;
  ranges: LockRange[];
}

interface Waiter {
  ino: number;
  req: LockRequest;
  waitId: number | undefined;
  /** The link the request came on: its drop ends the wait (the client asks again on its next link). */
  tag: unknown;
  resolve: () => void;
  reject: (err: Error) => void;
}

interface FileLocks {
  /** POSIX ranges by owner key. */
  posix: Map<string, Owned>;
  /** flock locks by owner key (one range [0, LOCK_EOF] each). */
  flock: Map<string, Owned>;
  waiters: Waiter[];
}

/** Most owners followed when looking for a deadlock (Linux follows 10). */
const DEADLOCK_DEPTH = 10;

function keyOf(client: string, owner: string): string {
  return `${client}\u0000${owner}`;
}

/** The manager's lock state for every file. */
export class LockTable {
  private readonly files = new Map<number, FileLocks>();
  /** Files each client holds locks on or waits for. */
  private readonly byClient = new Map<string, Set<number>>();
  /** Timers that end the session of a client whose link is down. */
  private readonly away = new Map<string, NodeJS.Timeout>();
  private readonly now: () => number;
  private graceUntil = 0;
  private graceOver: Promise<void> = Promise.resolve();

  constructor(private readonly opts: LockTableOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** After a restart or takeover: for the session term, only reclaims are granted (locks held before may still be named). */
  startGrace(extraMs = 0): void {
    const ms = this.opts.sessionMs + extraMs;
    this.graceUntil = this.now() + ms;
    // a timer may fire a little before the clock reaches graceUntil (libuv's cached loop time): wait out the rest
    this.graceOver = new Promise((r) => {
      const check = () => {
        const left = this.graceUntil - this.now();
        if (left <= 0) r();
        else setTimeout(check, Math.ceil(left)).unref();
      };
      setTimeout(check, ms).unref();
    });
  }

  /** True while locks from before a restart may still be reclaimed. */
  inGrace(): boolean {
    return this.now() < this.graceUntil;
  }

  /** F_GETLK: the first lock of another owner that would block req, or null. */
  async test(ino: number, req: LockRequest): Promise<Blocker | null> {
    checkRequest(req);
    if (this.inGrace()) await this.graceOver;
    const f = this.files.get(ino);
    return f ? (this.blockers(f, req)[0] ?? null) : null;
  }

  /**
   * F_SETLK / F_SETLKW / flock: sets (or with F_UNLCK removes) req's lock. A conflict is EAGAIN, or with wait a
   * queued wait that resolves once granted (EINTR when cancelled, EDEADLK when it would wait on itself).
   */
  async set(ino: number, req: LockRequest, opts: { wait?: boolean; waitId?: number; tag?: unknown } = {}): Promise<void> {
    checkRequest(req);
    if (this.inGrace()) await this.graceOver;
    const f = this.file(ino);
    const k = keyOf(req.client, req.owner);
    if (req.flock && f.flock.get(k)?.ranges[0]?.type !== req.type) {
      // flock(2) converts by dropping the old lock first (Linux: not atomic), even when the new one cannot be had
      if (f.flock.delete(k)) this.wake(ino, f);
    }
    if (req.type === F_UNLCK) {
      if (!req.flock) this.applyPosix(ino, f, req);
      this.wake(ino, f);
      this.gc(ino, f);
      return;
    }
    if (this.blockers(f, req).length === 0) {
      this.grant(ino, f, req);
      this.wake(ino, f); // a downgrade may let waiters in
      return;
    }
    if (!opts.wait) {
      this.gc(ino, f);
      throw new FsError('EAGAIN', `inode ${ino} is locked by another owner`);
    }
    if (!req.flock && this.wouldDeadlock(req, f)) {
      this.gc(ino, f);
      throw new FsError('EDEADLK', `waiting for inode ${ino} would deadlock`);
    }
    if (this.waitersOf(req.client) >= (this.opts.maxWaitersPerClient ?? 64)) {
      this.gc(ino, f);
      throw new FsError('ENOLCK', `client ${req.client} already waits for too many locks`);
    }
    this.track(req.client, ino);
    await new Promise<void>((resolve, reject) => f.waiters.push({ ino, req, waitId: opts.waitId, tag: opts.tag, resolve, reject }));
  }

  /** Cancels a client's waiting request (the caller was interrupted): it fails with EINTR. True when one was waiting. */
  cancel(client: string, waitId: number): boolean {
    for (const [ino, f] of this.filesOf(client)) {
      const w = f.waiters.find((x) => x.req.client === client && x.waitId === waitId);
      if (w) {
        this.dropWaiter(ino, f, w, new FsError('EINTR', 'lock wait cancelled'));
        return true;
      }
    }
    return false;
  }

  /** Ends every wait that came on a link that dropped (the client sends it again on its next link). */
  cancelTag(tag: unknown): void {
    for (const [ino, f] of this.files) {
      for (const w of f.waiters.filter((x) => x.tag === tag)) this.dropWaiter(ino, f, w, new FsError('ENOTCONN', 'the link of this lock wait dropped'));
    }
  }

  /** Removes an owner's locks on a file: both kinds, or only flock (true) or only POSIX (false). */
  releaseOwner(ino: number, client: string, owner: string, flock?: boolean): void {
    const f = this.files.get(ino);
    if (!f) return;
    const k = keyOf(client, owner);
    if (flock !== false) f.flock.delete(k);
    if (flock !== true) f.posix.delete(k);
    this.wake(ino, f);
    this.gc(ino, f);
  }

  /** Removes every lock a client holds on a file (its last handle of the file closed). */
  releaseFile(client: string, ino: number): void {
    const f = this.files.get(ino);
    if (!f) return;
    for (const m of [f.posix, f.flock]) for (const [k, o] of m) if (o.client === client) m.delete(k);
    this.wake(ino, f);
    this.gc(ino, f);
  }

  /** Ends a client's session: every lock it holds goes and its waits fail. */
  releaseClient(client: string): void {
    for (const [ino, f] of this.filesOf(client)) {
      for (const w of f.waiters.filter((x) => x.req.client === client)) this.dropWaiter(ino, f, w, new FsError('ENOLCK', 'session ended'));
      this.releaseFile(client, ino);
    }
    this.byClient.delete(client);
  }

  /** A client's link dropped: unless it comes back within the session term, its locks go. */
  linkDown(client: string): void {
    this.linkUp(client);
    if (!this.byClient.has(client)) return;
    const t = setTimeout(() => {
      this.away.delete(client);
      this.releaseClient(client);
    }, this.opts.sessionMs);
    t.unref();
    this.away.set(client, t);
  }

  /** A client is connected again: its session goes on. */
  linkUp(client: string): void {
    const t = this.away.get(client);
    if (t) clearTimeout(t);
    this.away.delete(client);
  }

  /** A client names the locks it held (after a restart or a dropped link); returns the indexes of those it could not get back. */
  reclaim(client: string, locks: readonly Reclaim[]): number[] {
    const lost: number[] = [];
    locks.forEach((l, i) => {
      const req = { ...l, client };
      if (l.type === F_UNLCK || !validRange(req)) return void lost.push(i);
      const f = this.file(l.ino);
      if (this.blockers(f, req).length > 0) {
        lost.push(i);
        this.gc(l.ino, f);
      } else this.grant(l.ino, f, req);
    });
    return lost;
  }

  /** Counters for status and tests: locks held (owner-ranges) and requests waiting. */
  stats(): { held: number; waiting: number } {
    let held = 0;
    let waiting = 0;
    for (const f of this.files.values()) {
      for (const o of f.posix.values()) held += o.ranges.length;
      held += f.flock.size;
      waiting += f.waiters.length;
    }
    return { held, waiting };
  }

  /** Locks held on a file (tests, diagnostics). */
  held(ino: number): Blocker[] {
    const f = this.files.get(ino);
    if (!f) return [];
    const out: Blocker[] = [];
    for (const m of [f.flock, f.posix]) for (const o of m.values()) for (const r of o.ranges) out.push({ ...r, client: o.client, owner: o.owner });
    return out;
  }

  private file(ino: number): FileLocks {
    let f = this.files.get(ino);
    if (!f) this.files.set(ino, (f = { posix: new Map(), flock: new Map(), waiters: [] }));
    return f;
  }

  private *filesOf(client: string): Generator<[number, FileLocks]> {
    for (const ino of [...(this.byClient.get(client) ?? [])]) {
      const f = this.files.get(ino);
      if (f) yield [ino, f];
    }
  }

  /** Locks of other owners that conflict with req, in a stable order (flock first, then by owner). */
  private blockers(f: FileLocks, req: LockRequest): Blocker[] {
    const k = keyOf(req.client, req.owner);
    const want = req.flock ? { type: req.type, start: 0, end: LOCK_EOF } : req;
    const out: Blocker[] = [];
    for (const [ok, o] of req.flock ? f.flock : f.posix) {
      if (ok === k) continue;
      for (const r of o.ranges) if (overlaps(r, want) && clash(r, want)) out.push({ ...r, client: o.client, owner: o.owner });
    }
    return out;
  }

  private grant(ino: number, f: FileLocks, req: LockRequest): void {
    if (req.flock) f.flock.set(keyOf(req.client, req.owner), { client: req.client, owner: req.owner, ranges: [{ type: req.type, start: 0, end: LOCK_EOF, pid: req.pid }] });
    else this.applyPosix(ino, f, req);
    this.track(req.client, ino);
  }

  private applyPosix(ino: number, f: FileLocks, req: LockRequest): void {
    const k = keyOf(req.client, req.owner);
    const ranges = applyRange(f.posix.get(k)?.ranges ?? [], req.type, req.start, req.end, req.pid);
    if (ranges.length > 0) f.posix.set(k, { client: req.client, owner: req.owner, ranges });
    else f.posix.delete(k);
  }

  /** Grants, in arrival order, every waiter nothing blocks any more. */
  private wake(ino: number, f: FileLocks): void {
    for (let i = 0; i < f.waiters.length;) {
      const w = f.waiters[i] as Waiter;
      if (this.blockers(f, w.req).length > 0) {
        i++;
        continue;
      }
      f.waiters.splice(i, 1);
      this.grant(ino, f, w.req);
      w.resolve();
    }
  }

  private dropWaiter(ino: number, f: FileLocks, w: Waiter, err: Error): void {
    const i = f.waiters.indexOf(w);
    if (i < 0) return;
    f.waiters.splice(i, 1);
    w.reject(err);
    this.gc(ino, f);
  }

  /** True when the owners blocking req wait (directly or through others) for req's own owner. */
  private wouldDeadlock(req: LockRequest, f: FileLocks): boolean {
    const me = keyOf(req.client, req.owner);
    const seen = new Set<string>();
    let frontier = this.blockers(f, req).map((b) => keyOf(b.client, b.owner));
    for (let depth = 0; depth < DEADLOCK_DEPTH && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const k of frontier) {
        if (k === me) return true;
        if (seen.has(k)) continue;
        seen.add(k);
        for (const [, g] of this.files) {
          for (const w of g.waiters) {
            if (w.req.flock || keyOf(w.req.client, w.req.owner) !== k) continue;
            for (const b of this.blockers(g, w.req)) next.push(keyOf(b.client, b.owner));
          }
        }
      }
      frontier = next;
    }
    return false;
  }

  private waitersOf(client: string): number {
    let n = 0;
    for (const [, f] of this.filesOf(client)) n += f.waiters.filter((w) => w.req.client === client).length;
    return n;
  }

  private track(client: string, ino: number): void {
    let s = this.byClient.get(client);
    if (!s) this.byClient.set(client, (s = new Set()));
    s.add(ino);
  }

  /** Forgets a file without locks or waiters, and a client's interest in files where it has neither. */
  private gc(ino: number, f: FileLocks): void {
    for (const [client, inos] of this.byClient) {
      if (!inos.has(ino) || this.clientOn(f, client)) continue;
      inos.delete(ino);
      if (inos.size === 0) this.byClient.delete(client);
    }
    if (f.posix.size === 0 && f.flock.size === 0 && f.waiters.length === 0 && this.files.get(ino) === f) this.files.delete(ino);
  }

  private clientOn(f: FileLocks, client: string): boolean {
    for (const m of [f.posix, f.flock]) for (const o of m.values()) if (o.client === client) return true;
    return f.waiters.some((w) => w.req.client === client);
  }
}

function validRange(req: LockRequest): boolean {
  return req.flock || (Number.isSafeInteger(req.start) && Number.isSafeInteger(req.end) && req.start >= 0 && req.start <= req.end && req.end <= LOCK_EOF);
}

function checkRequest(req: LockRequest): void {
  if (req.type !== F_RDLCK && req.type !== F_WRLCK && req.type !== F_UNLCK) throw new FsError('EINVAL', `lock type ${req.type}`);
  if (!validRange(req)) throw new FsError('EINVAL', `lock range ${req.start}..${req.end}`);
}
