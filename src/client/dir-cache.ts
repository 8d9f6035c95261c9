/**
 * The client's directory leases: while it holds a directory's READ lease it keeps the directory's whole listing
 * (names with their attributes, so lookups, negative ones included, stats and listings need no round trip) and
 * answers from it. A change by another client recalls the lease first: the cache goes, the onDirRecall hook runs
 * (a FUSE layer invalidates the kernel's dentries there) and only then is the recall answered. Lookups walk from
 * the root through cached directories only, so a rename of an ancestor (which recalls that ancestor's parent) can
 * never leave a stale path behind. The client's own changes drop what they touch here (the manager recalls only
 * other clients), and a file it writes is asked for until a listing fetched after its last write handle closed.
 */
import { Attr } from '../types';
import { Api, call, Link } from '../../transport';
import { S_IFDIR, S_IFMT } from '../posix';

/**
 * Runs before a directory recall is answered: the directory's inode, and names known to have changed there (a hint:
 * one recall may stand for several changes), and those of them the change removed. Once it returns the client holds no lease on the directory, so a FUSE
 * layer must drop every kernel entry of it handed out under the lease, not only the named ones (notify_inval_entry,
 * or notify_delete for a name it knows is gone), sent from its notification queue; the recall is answered after.
 */
export type DirRecallHook = (ino: number, names: string[] | undefined, gone: string[] | undefined) => Promise<void> | void;

/** The root directory's inode number. */
const ROOT = 1;
/** Safety margin the client keeps below the manager's term (ms), as for file leases. */
const CLIENT_MARGIN_MS = 750;
/** How often held leases are checked against the clock (ms): one that ran out tells the hook within this (well inside CLIENT_MARGIN_MS). */
const EXPIRY_CHECK_MS = 200;
/** Lookups that miss in one directory before its lease and listing are fetched (a single stat is cheaper asked). */
const MISSES_BEFORE_FETCH = 2;

interface CachedDir {
  attr: Attr;
  /** Name (wire form) -> attributes; null: the entry exists, its attributes must be asked for (another client writes it). */
  entries: Map<string, Attr | null>;
  validUntil: number;
  /** this.seq when its fetch started: own changes after that make an entry's attributes untrusted. */
  fetchedAt: number;
  /** this.seq when the directory's own attributes were last fetched (its fetch, or a refresh). */
  attrAt: number;
  /** this.seq when an entry's attributes were refreshed after the fetch (an answer of the manager under the lease). */
  freshAt: Map<string, number>;
}

/** An own entry change in flight (ownStart): its directory, the mark before it was sent, and its place among that directory's changes. */
export interface OwnChange {
  ino: number;
  mark: number;
  started: number;
  /** No other own change of the directory was in flight when it started. */
  first: boolean;
}

/** What the cache knows of a path: its attributes, that it does not exist, or nothing (need: a directory worth fetching). */
export type Lookup = { attr: Attr } | { absent: true } | { unknown: true; need?: number };

/** Directory leases and listings of one client. */
export class DirCache {
  private readonly dirs = new Map<number, CachedDir>();
  /** Recalls seen per directory: a fetch that overlapped one is not trusted. */
  private readonly gens = new Map<number, number>();
  private readonly misses = new Map<number, number>();
  private readonly fetching = new Map<number, Promise<boolean>>();
  /** Own changes to an inode's attributes: the seq after the last one, Infinity while a write handle is open. */
  private readonly changing = new Map<number, number>();
  private readonly writers = new Map<number, number>();
  /** Per inode with write handles open: its changing mark before the first opened; and those changed meanwhile. */
  private readonly before = new Map<number, number | undefined>();
  private readonly dirtied = new Set<number>();
  /** Own entry changes in flight per directory: how many, and how many started (ownStart/ownDone). */
  private readonly inDir = new Map<number, { active: number; started: number }>();
  private seq = 0;
  private termMs = 6000;
  private timer: NodeJS.Timeout | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  /** Runs before a recall is answered (see DirRecallHook). */
  hook: DirRecallHook | null = null;

  constructor(
    private readonly manager: Link,
    private readonly log: (msg: string) => void,
  ) {}

  /** What the cache says of a path given as wire-form components (empty: the root). */
  lookup(parts: readonly string[]): Lookup {
    let dir = this.valid(ROOT);
    if (!dir) return { unknown: true, need: ROOT };
    if (parts.length === 0) return this.trusted(ROOT, dir) ? { attr: dir.attr } : { unknown: true };
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i] as string;
      if (name === '' || name === '.' || name === '..') return { unknown: true };
      if (!dir.entries.has(name)) return { absent: true };
      const a = dir.entries.get(name) ?? null;
      if (i === parts.length - 1) {
        // A directory's attributes only from its own lease (kept current by this client's changes inside it): another
        // client's change inside it changes its times and links, and recalls that lease, not its parent's.
        if (a && (a.mode & S_IFMT) === S_IFDIR) {
          const own = this.valid(a.ino);
          return own && this.trusted(a.ino, own) ? { attr: own.attr } : { unknown: true };
        }
        return a && this.trusted(a.ino, dir, name) ? { attr: a } : { unknown: true };
      }
      if (a === null || (a.mode & S_IFMT) !== S_IFDIR) return { unknown: true };
      const next = this.valid(a.ino);
      if (!next) return { unknown: true, need: a.ino };
      dir = next;
    }
    return { unknown: true };
  }

  /**
   * Attributes of the path at parts that a recall will invalidate, with the directory whose lease covers them: a
   * directory's own (its lease is recalled by changes inside it and to it), else the entry's in its parent's listing
   * (recalled by any change to the entry or its attributes, and by another client's WRITE lease on it); undefined when
   * the cache does not answer.
   */
  leased(parts: readonly string[]): { attr: Attr; dir: number } | undefined {
    const r = this.lookup(parts);
    if (!('attr' in r)) return undefined;
    if ((r.attr.mode & S_IFMT) === S_IFDIR) {
      const own = this.valid(r.attr.ino);
      return own && this.trusted(r.attr.ino, own) ? { attr: own.attr, dir: r.attr.ino } : undefined;
    }
    const parent = parts.length === 0 ? undefined : this.dirIno(parts.slice(0, -1));
    return parent === undefined ? undefined : { attr: r.attr, dir: parent };
  }

  /** A point in this client's own changes, taken before asking the manager for attributes to refresh() with. */
  mark(): number {
    return ++this.seq;
  }

  /**
   * The manager answered attr for the path at parts, asked at mark: when the entry's directory was leased before mark
   * (no recall since: a recall drops it) and this client changed nothing of the inode since, the cached entry (and a
   * directory's own attributes) become these and are trusted again, so that files this client made or changed are
   * answered from the cache again instead of asked for on every stat.
   */
  refresh(parts: readonly string[], attr: Attr, mark: number): void {
    const c = this.changing.get(attr.ino);
    if (c !== undefined && c >= mark) return;
    const own = (attr.mode & S_IFMT) === S_IFDIR ? this.valid(attr.ino) : undefined;
    if (own && own.fetchedAt < mark) {
      own.attr = attr;
      own.attrAt = mark;
    }
    if (parts.length === 0) return;
    const parent = this.dirIno(parts.slice(0, -1));
    const d = parent === undefined ? undefined : this.valid(parent);
    const name = parts[parts.length - 1] as string;
    if (!d || d.fetchedAt >= mark || d.entries.get(name)?.ino !== attr.ino) return;
    d.entries.set(name, attr);
    d.freshAt.set(name, mark);
  }

  /** Every entry of a cached directory with trusted attributes, or undefined. */
  listing(ino: number): Array<{ name: string; attr: Attr }> | undefined {
    const dir = this.valid(ino);
    if (!dir) return undefined;
    const out: Array<{ name: string; attr: Attr }> = [];
    for (const [name, a] of dir.entries) {
      if (!a || !this.trusted(a.ino, dir, name)) return undefined;
      out.push({ name, attr: a });
    }
    return out;
  }

  /** How long (ms) the lease on directory ino is still trusted without a recall; 0 when not held. */
  remainingMs(ino: number): number {
    const d = this.valid(ino);
    return d ? Math.max(0, Math.floor(d.validUntil - performance.now())) : 0;
  }

  /** A lookup missed in directory ino: after a few misses, fetches its lease and listing. True when it is cached now. */
  async missed(ino: number): Promise<boolean> {
    const n = (this.misses.get(ino) ?? 0) + 1;
    this.misses.set(ino, n);
    if (n < MISSES_BEFORE_FETCH) return false;
    return this.fetch(ino);
  }

  /** Takes the lease on directory ino and its whole listing (single flight); false when the directory is contended or changed meanwhile. */
  fetch(ino: number): Promise<boolean> {
    if (this.valid(ino)) return Promise.resolve(true);
    let p = this.fetching.get(ino);
    if (!p) {
      p = this.load(ino).finally(() => this.fetching.delete(ino));
      this.fetching.set(ino, p);
    }
    return p;
  }

  /** The manager recalls directory ino: drop it, run the hook, then answer (the caller replies once this resolves). */
  async recall(ino: number, names: string[] | undefined, gone?: string[]): Promise<void> {
    this.gens.set(ino, (this.gens.get(ino) ?? 0) + 1);
    this.dirs.delete(ino);
    this.misses.delete(ino);
    try {
      await this.hook?.(ino, names, gone);
    } catch (err) {
      this.log(`directory recall hook for inode ${ino}: ${(err as Error).message}`);
    }
  }

  /**
   * An own change of the entry `name` in the directory at parentParts (the manager recalls only other clients): the
   * cached listing is updated in place, with the entry's new attributes, null (exists: ask for its attributes) or
   * 'gone'; the directory's own times changed too.
   */
  ownEntry(parentParts: readonly string[], name: string, now: Attr | null | 'gone'): void {
    const ino = this.dirIno(parentParts);
    if (ino === undefined) {
      // not reachable through the cache, yet a deeper listing might be cached: trust none of it
      if (this.dirs.size > 0) this.dropAll();
      return;
    }
    const dir = this.dirs.get(ino);
    if (dir) {
      if (now === 'gone') dir.entries.delete(name);
      else dir.entries.set(name, now);
      dir.freshAt.delete(name);
    }
    this.changing.set(ino, ++this.seq);
  }

  /** An own change of ino's attributes (chmod, times, size, links, a write): cached copies of them are not trusted until fetched again. */
  ownAttr(ino: number): void {
    if (!this.writers.has(ino)) this.changing.set(ino, ++this.seq);
    else this.dirtied.add(ino);
  }

  /**
   * A write handle of ino opened (+1) or closed (-1): while one is open, its attributes are always asked for; after
   * the last closes, they are trusted again as they were before the first opened if nothing changed them meanwhile
   * (a file created and closed unwritten, as touch or a create loop does), else once fetched again.
   */
  ownWriter(ino: number, delta: number): void {
    const before = this.writers.get(ino);
    const n = (before ?? 0) + delta;
    if (n > 0) {
      if (before === undefined) this.before.set(ino, this.changing.get(ino));
      this.writers.set(ino, n);
      this.changing.set(ino, Infinity);
      return;
    }
    this.writers.delete(ino);
    const prior = this.before.get(ino);
    const clean = this.before.has(ino) && !this.dirtied.has(ino);
    this.before.delete(ino);
    this.dirtied.delete(ino);
    if (!clean) this.changing.set(ino, ++this.seq);
    else if (prior === undefined) this.changing.delete(ino);
    else this.changing.set(ino, prior);
  }

  /**
   * An own change of an entry of the directory at parentParts starts (pair with ownDone): the directory's attributes
   * the manager answers with it may replace the cached ones only if no other own change there overlaps it.
   */
  ownStart(parentParts: readonly string[]): OwnChange | undefined {
    const ino = this.dirIno(parentParts);
    if (ino === undefined) return undefined;
    const st = this.inDir.get(ino) ?? { active: 0, started: 0 };
    this.inDir.set(ino, st);
    const first = st.active++ === 0;
    return { ino, mark: this.mark(), started: ++st.started, first };
  }

  /**
   * The change started with ownStart was answered (parent: the directory's attributes after it) or failed (undefined):
   * after ownEntry, the cached directory's own attributes become parent, and trusted, when the directory was leased
   * before the change, is reached by the same path, and no other own change of it overlapped.
   */
  ownDone(op: OwnChange | undefined, parentParts: readonly string[], parent: Attr | undefined): void {
    if (!op) return;
    const st = this.inDir.get(op.ino);
    if (!st) return;
    const alone = op.first && st.active === 1 && st.started === op.started;
    if (--st.active === 0) this.inDir.delete(op.ino);
    if (!alone || !parent || parent.ino !== op.ino || this.dirIno(parentParts) !== op.ino) return;
    const d = this.valid(op.ino);
    if (!d || d.fetchedAt >= op.mark) return;
    const c = this.changing.get(op.ino);
    if (c === Infinity) return;
    d.attr = parent;
    d.attrAt = ++this.seq;
  }

  /** The link to the manager dropped: nothing cached can be trusted (a new manager owes us no recall). */
  dropAll(): void {
    const held = [...this.dirs.keys()];
    for (const ino of held) this.gens.set(ino, (this.gens.get(ino) ?? 0) + 1);
    this.dirs.clear();
    this.misses.clear();
    for (const ino of held) this.lost(ino);
  }

  /** A lease let go without a recall (link down, found lost at renewal): the hook still runs, not awaited, so a FUSE layer drops the kernel's entries (no change waits for it). */
  private lost(ino: number): void {
    try {
      void Promise.resolve(this.hook?.(ino, undefined, undefined)).catch((err: Error) => this.log(`directory lease hook for inode ${ino}: ${err.message}`));
    } catch (err) {
      this.log(`directory lease hook for inode ${ino}: ${(err as Error).message}`);
    }
  }

  /** Stops the heartbeat and gives every lease back (on close). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.sweeper) clearInterval(this.sweeper);
    this.timer = null;
    this.sweeper = null;
    const held = [...this.dirs.keys()];
    this.dropAll();
    await Promise.all(held.map((ino) => call(this.manager, Api.DirLeaseRelease, { ino }, undefined, 2000).catch(() => undefined)));
  }

  /** Counters (tests, status): directories cached and entries held. */
  stats(): { dirs: number; entries: number } {
    let entries = 0;
    for (const d of this.dirs.values()) entries += d.entries.size;
    return { dirs: this.dirs.size, entries };
  }

  private async load(ino: number): Promise<boolean> {
    const gen = this.gens.get(ino) ?? 0;
    const fetchedAt = ++this.seq;
    const sent = performance.now();
    const entries = new Map<string, Attr | null>();
    let attr: Attr | undefined;
    let termMs = this.termMs;
    let cached = true;
    try {
      for (let offset: number | undefined = 0; offset !== undefined;) {
        const r: { cached: boolean; termMs: number; attr: Attr; entries: Array<{ name: string; attr: Attr }>; next?: number; uncached: string[] } = await call(this.manager, Api.DirLeaseAcquire, {
          ino,
          offset,
        });
        cached = cached && r.cached;
        termMs = r.termMs;
        attr ??= r.attr;
        const skip = new Set(r.uncached);
        for (const e of r.entries) entries.set(e.name, skip.has(e.name) ? null : e.attr);
        offset = r.next;
      }
    } catch {
      return false; // the caller asks the manager instead
    }
    if (!cached || !attr || (this.gens.get(ino) ?? 0) !== gen) return false;
    this.termMs = termMs;
    this.dirs.set(ino, { attr, entries, validUntil: sent + termMs - CLIENT_MARGIN_MS, fetchedAt, attrAt: fetchedAt, freshAt: new Map() });
    this.misses.delete(ino);
    this.startHeartbeat();
    return true;
  }

  /** The inode of the directory at parts, walking cached listings by name (attributes' trust aside); undefined when a step is not cached. */
  private dirIno(parts: readonly string[]): number | undefined {
    let ino = ROOT;
    for (const name of parts) {
      const e = this.valid(ino)?.entries.get(name);
      if (!e || (e.mode & S_IFMT) !== S_IFDIR) return undefined;
      ino = e.ino;
    }
    return ino;
  }

  private valid(ino: number): CachedDir | undefined {
    const d = this.dirs.get(ino);
    if (d && performance.now() >= d.validUntil) {
      this.expire(ino);
      return undefined;
    }
    return d;
  }

  /** A lease ran out by the clock (renewals unanswered): dropped, and the hook told, as for a lease found lost. */
  private expire(ino: number): void {
    this.gens.set(ino, (this.gens.get(ino) ?? 0) + 1);
    this.dirs.delete(ino);
    this.misses.delete(ino);
    this.lost(ino);
  }

  /** Drops every lease past its term now, so that a FUSE layer's kernel entries (which may outlive the term) go within EXPIRY_CHECK_MS of it. */
  private sweep(): void {
    const now = performance.now();
    for (const [ino, d] of this.dirs) if (now >= d.validUntil) this.expire(ino);
  }

  /** Whether the attributes of ino held in dir (its entry `name`, or without a name the directory's own) are newer than this client's last change of them. */
  private trusted(ino: number, dir: CachedDir, name?: string): boolean {
    const c = this.changing.get(ino);
    const since = name === undefined ? dir.attrAt : Math.max(dir.fetchedAt, dir.freshAt.get(name) ?? 0);
    return c === undefined || c < since;
  }

  private startHeartbeat(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.renew(), Math.max(200, Math.floor(this.termMs / 3)));
    this.timer.unref();
    this.sweeper ??= setInterval(() => this.sweep(), EXPIRY_CHECK_MS);
    this.sweeper.unref();
  }

  private async renew(): Promise<void> {
    const inos = [...this.dirs.keys()];
    if (inos.length === 0) {
      if (this.timer) clearInterval(this.timer);
      if (this.sweeper) clearInterval(this.sweeper);
      this.timer = null;
      this.sweeper = null;
      return;
    }
    const sent = performance.now();
    let lost: number[];
    try {
      lost = (await call(this.manager, Api.DirLeaseRenew, { inos }, undefined, Math.max(500, this.termMs / 2))).lost;
    } catch {
      return; // unreachable: the leases run out by the clock
    }
    const gone = new Set(lost);
    for (const ino of inos) {
      const d = this.dirs.get(ino);
      if (!d) continue;
      if (gone.has(ino)) {
        this.gens.set(ino, (this.gens.get(ino) ?? 0) + 1);
        this.dirs.delete(ino);
        this.lost(ino);
      } else d.validUntil = Math.max(d.validUntil, sent + this.termMs - CLIENT_MARGIN_MS);
    }
  }
}
