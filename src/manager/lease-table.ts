/**
 * Leases on file data (Gray & Cheriton): READ shared or WRITE exclusive, with
 * a term renewed by the holder's heartbeat. A conflicting request recalls the
 * holder (it flushes, drops its cache and answers); a holder that does not
 * answer loses the lease when its term ends plus a clock-skew margin, and a
 * WRITE holder lost that way is fenced at the memory nodes before anyone else
 * gets the file. A file recalled again and again goes uncached for a while:
 * uncached holders do every read and write at the memory nodes and never
 * conflict with each other.
 */

export const enum LeaseMode {
  Read = 1,
  Write = 2,
}

/** What the manager answers to an acquire. */
export interface Grant {
  mode: LeaseMode;
  /** False while the file is contended: read and write through to the nodes, cache nothing. */
  cached: boolean;
  /** Writes under this grant carry this epoch; the nodes refuse older ones once fenced. */
  epoch: number;
  /** Lease term in ms, counted by the holder from when it sent the request. */
  termMs: number;
  /** True when the client held a lease on the file without a break until now: what it cached is still good. */
  continued: boolean;
}

export interface LeaseTableOptions {
  termMs: number;
  /** Extra wait beyond a silent holder's term, for clock drift between machines. */
  marginMs: number;
  /** Asks a holder to flush and drop a lease; resolves when it answered, rejects when it can't be reached. */
  recall: (client: string, ino: number) => Promise<void>;
  /** Tells every memory node to refuse writes to ino with an epoch below the given one. */
  fence: (ino: number, epoch: number) => Promise<void>;
  /** Epoch a file's first lease starts at (default 1): above every epoch a holder from before a restart may have. */
  epochFloor?: () => number;
  /** Told each epoch handed out by a fence, so later restarts start above it. */
  onEpoch?: (epoch: number) => void;
  /** Recalls within contentionWindowMs that make a file uncached. */
  contentionRecalls?: number;
  contentionWindowMs?: number;
  /** How long a file stays uncached after its last conflict. */
  uncachedForMs?: number;
  now?: () => number;
}

interface Holder {
  mode: LeaseMode;
  cached: boolean;
  expiresAt: number;
  /** Set once a recall started: renewals no longer extend the lease. */
  recalled: boolean;
  /**
   * Reclaimed in the grace after a restart: the epoch the holder had before. Its write-backs made before it learned the
   * file's new epoch carry that one, and still land while it holds this lease (nobody else can have written meanwhile).
   */
  reclaimedEpoch?: number;
}

interface FileLeases {
  holders: Map<string, Holder>;
  epoch: number;
  recallTimes: number[];
  uncachedUntil: number;
  /** Serializes grants on one file. */
  queue: Promise<unknown>;
}

/** Lease counters for `mempool status`. */
export interface LeaseStats {
  held: number;
  recalls: number;
  expired: number;
  uncachedFiles: number;
}

/** The manager's lease state for every file. */
export class LeaseTable {
  private readonly files = new Map<number, FileLeases>();
  private readonly byClient = new Map<string, Set<number>>();
  private readonly now: () => number;
  private recalls = 0;
  private expired = 0;
  /** Until then (after a restart or takeover) leases granted by the previous manager run may still be held: see startGrace. */
  private graceUntil = 0;

  constructor(private readonly opts: LeaseTableOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  /**
   * After a restart or takeover: leases the previous manager run granted may be held for up to term + margin
   * more, and their holders get extraMs beyond that to reconnect and reclaim them. Until then a conflicting grant
   * (or settle) waits, unless the holders reclaim their leases first.
   */
  startGrace(extraMs = 0): void {
    this.graceUntil = this.now() + this.opts.termMs + this.opts.marginMs + extraMs;
  }

  /** ms until the grace ends (0: not in grace). */
  graceLeftMs(): number {
    return Math.max(0, this.graceUntil - this.now());
  }

  /** True while leases from before a restart or takeover may still be held unreclaimed. */
  inGrace(): boolean {
    return this.now() < this.graceUntil;
  }

  /**
   * A client on a new link names the leases it held (ino, mode): each is granted back unless it conflicts with
   * a lease held now, or it is not held now and the grace is over (it ran out: someone else may have written the
   * file since, and the holder's cached writes must not land over that); returns [ino, epoch] of those granted
   * (the epoch its writes carry from now on).
   */
  reclaim(client: string, held: Array<[number, LeaseMode, number?]>): Array<[number, number]> {
    const granted: Array<[number, number]> = [];
    const grace = this.inGrace();
    for (const [ino, mode, before] of held) {
      if (!grace && !this.files.get(ino)?.holders.has(client)) continue;
      const f = this.file(ino);
      if (f.holders.has(client)) {
        granted.push([ino, f.epoch]); // still held (a dropped link to the same manager): unchanged, a recall in flight included
        continue;
      }
      const clash = [...f.holders].some(([c, h]) => c !== client && conflicts(mode, true, h));
      if (clash) {
        this.gc(ino, f);
        continue;
      }
      const cached = this.now() >= f.uncachedUntil;
      f.holders.set(client, { mode, cached, expiresAt: this.now() + this.opts.termMs, recalled: false, ...(before !== undefined ? { reclaimedEpoch: before } : {}) });
      this.track(client, ino, true);
      granted.push([ino, f.epoch]);
    }
    return granted;
  }

  /** During the grace after a restart, a client that holds nothing on the file waits for it to end (a holder may reclaim meanwhile). */
  private async graceWait(f: FileLeases, client: string | null): Promise<void> {
    const left = this.graceUntil - this.now();
    if (left <= 0 || (client !== null && f.holders.has(client))) return;
    await new Promise((r) => setTimeout(r, left));
  }

  /** Grants client a lease on ino, first recalling (or outwaiting) every conflicting holder. */
  acquire(ino: number, client: string, mode: LeaseMode): Promise<Grant> {
    return this.serialized(ino, async (f) => {
      await this.graceWait(f, client);
      let cached = this.now() >= f.uncachedUntil;
      const before = f.holders.get(client);
      await this.clear(ino, f, client, (h) => conflicts(mode, cached, h));
      cached = cached && this.now() >= f.uncachedUntil; // the recalls just made may have shown contention
      const mine = f.holders.get(client);
      const continued = !!before && before === mine && !mine.recalled && mine.cached === cached;
      const granted = mine && mine.mode === LeaseMode.Write && mode === LeaseMode.Read ? LeaseMode.Write : mode;
      f.holders.set(client, { mode: granted, cached, expiresAt: this.now() + this.opts.termMs, recalled: false });
      this.track(client, ino, true);
      return { mode: granted, cached, epoch: f.epoch, termMs: this.opts.termMs, continued };
    });
  }

  /** Makes every other holder of ino flush and let go (before a truncate, or a stat that must see their writes). */
  settle(ino: number, client: string | null, onlyWriters: boolean): Promise<void> {
    if (!this.files.has(ino) && !this.inGrace()) return Promise.resolve();
    return this.serialized(ino, async (f) => {
      await this.graceWait(f, client);
      await this.clear(ino, f, client, (h) => !onlyWriters || h.mode === LeaseMode.Write);
    });
  }

  /** True when some client other than `client` holds a WRITE lease that caches (its size and data may be ahead of ours). */
  hasForeignWriter(ino: number, client: string | null): boolean {
    const f = this.files.get(ino);
    if (!f) return false;
    for (const [c, h] of f.holders) if (c !== client && h.mode === LeaseMode.Write && h.cached) return true;
    return false;
  }

  /** True while client is listed as a holder of ino (even during a recall, when its last I/O under the lease may still arrive). */
  holds(ino: number, client: string | null): boolean {
    return client !== null && !!this.files.get(ino)?.holders.has(client);
  }

  /** True while client holds a WRITE lease on ino (no other holder then caches anything of the file). */
  holdsWrite(ino: number, client: string | null): boolean {
    return client !== null && this.files.get(ino)?.holders.get(client)?.mode === LeaseMode.Write;
  }

  /** True while some WRITE lease on ino may still be in use: its holder renewed it within its term + margin (a silent one past that can publish nothing once recalled). */
  liveWriter(ino: number): boolean {
    const f = this.files.get(ino);
    if (!f) return false;
    const t = this.now();
    for (const h of f.holders.values()) if (h.mode === LeaseMode.Write && h.expiresAt + this.opts.marginMs > t) return true;
    return false;
  }

  /** Runs fn once no client holds a WRITE lease on ino (silent writers outwaited and fenced), before any later grant on ino. */
  withoutWriters<T>(ino: number, fn: () => Promise<T>): Promise<T> {
    return this.serialized(ino, async (f) => {
      await this.graceWait(f, null);
      await this.clear(ino, f, null, (h) => h.mode === LeaseMode.Write);
      return fn();
    });
  }

  /** Clients holding a WRITE lease on ino, cached or not (their writes may change its size and times at any moment). */
  writers(ino: number): string[] {
    const f = this.files.get(ino);
    return f ? [...f.holders].filter(([, h]) => h.mode === LeaseMode.Write).map(([c]) => c) : [];
  }

  /** Extends every lease a client holds (its heartbeat); returns the inodes it no longer holds. */
  renew(client: string, inos: number[]): number[] {
    const lost: number[] = [];
    const until = this.now() + this.opts.termMs;
    const grace = this.inGrace();
    for (const ino of inos) {
      const h = this.files.get(ino)?.holders.get(client);
      if (!h && grace) continue; // held before a restart and not reclaimed yet: the client's reclaim decides
      if (!h) lost.push(ino);
      else if (!h.recalled) h.expiresAt = until; // a holder being recalled keeps its lease to write back, but only until its term ends
    }
    return lost;
  }

  /** A holder gives a lease back (after flushing). */
  release(ino: number, client: string): void {
    const f = this.files.get(ino);
    if (!f) return;
    f.holders.delete(client);
    this.track(client, ino, false);
    this.gc(ino, f);
  }

  /** Whether a write with this epoch may still land (false once the writer was fenced); client: who writes (its reclaimed epoch counts). */
  epochValid(ino: number, epoch: number, client: string | null = null): boolean {
    const f = this.files.get(ino);
    if (epoch >= (f?.epoch ?? 0)) return true;
    const reclaimed = client === null ? undefined : f?.holders.get(client)?.reclaimedEpoch;
    return reclaimed !== undefined && epoch >= reclaimed;
  }

  /** The epoch new writes to ino carry. */
  epochOf(ino: number): number {
    return this.files.get(ino)?.epoch ?? this.floor();
  }

  private floor(): number {
    return this.opts.epochFloor?.() ?? 1;
  }

  /** Forgets a file that no longer exists. */
  forget(ino: number): void {
    const f = this.files.get(ino);
    if (!f) return;
    for (const c of f.holders.keys()) this.track(c, ino, false);
    f.holders.clear();
  }

  /** Counters for status. */
  stats(): LeaseStats {
    let held = 0;
    let uncachedFiles = 0;
    const t = this.now();
    for (const f of this.files.values()) {
      for (const h of f.holders.values()) if (h.expiresAt > t) held++;
      if (f.uncachedUntil > t) uncachedFiles++;
    }
    return { held, recalls: this.recalls, expired: this.expired, uncachedFiles };
  }

  /** Leases held by one client. */
  heldBy(client: string): number {
    return this.byClient.get(client)?.size ?? 0;
  }

  private file(ino: number): FileLeases {
    let f = this.files.get(ino);
    if (!f) this.files.set(ino, (f = { holders: new Map(), epoch: this.floor(), recallTimes: [], uncachedUntil: 0, queue: Promise.resolve() }));
    return f;
  }

  private serialized<T>(ino: number, fn: (f: FileLeases) => Promise<T>): Promise<T> {
    const f = this.file(ino);
    const run = f.queue.then(() => fn(f));
    f.queue = run.catch(() => undefined);
    return run.finally(() => this.gc(ino, f));
  }

  private gc(ino: number, f: FileLeases): void {
    if (f.holders.size === 0 && f.uncachedUntil < this.now() && f.epoch === this.floor() && this.files.get(ino) === f) {
      // nothing worth remembering (a fenced file keeps its epoch)
      void f.queue.then(() => {
        if (f.holders.size === 0 && this.files.get(ino) === f) this.files.delete(ino);
      });
    }
  }

  private track(client: string, ino: number, held: boolean): void {
    let s = this.byClient.get(client);
    if (held) {
      if (!s) this.byClient.set(client, (s = new Set()));
      s.add(ino);
    } else if (s) {
      s.delete(ino);
      if (s.size === 0) this.byClient.delete(client);
    }
  }

  /** Recalls, in parallel, every holder other than `client` that matches; outwaits those that don't answer. */
  private async clear(ino: number, f: FileLeases, client: string | null, matches: (h: Holder) => boolean): Promise<void> {
    const victims = [...f.holders].filter(([c, h]) => c !== client && matches(h));
    if (victims.length === 0) return;
    this.noteConflict(f);
    let fenced = false;
    await Promise.all(
      victims.map(async ([c, h]) => {
        h.recalled = true;
        this.recalls++;
        let answered = false;
        // A silent holder might still be alive and writing: wait for its term to end, never just for its link to drop.
        const deadline = h.expiresAt + this.opts.marginMs;
        try {
          // The recall is started before the deadline check, so its own rejection (holder gone) must always be handled.
          const recall = this.opts.recall(c, ino);
          recall.catch(() => undefined);
          await withDeadline(recall, deadline - this.now());
          answered = true;
        } catch {
          const left = deadline - this.now();
          if (left > 0) await sleep(left);
        }
        if (!answered) {
          this.expired++;
          if (h.mode === LeaseMode.Write) fenced = true;
        }
        if (f.holders.get(c) === h) {
          f.holders.delete(c);
          this.track(c, ino, false);
        }
      }),
    );
    if (fenced) {
      f.epoch++;
      this.opts.onEpoch?.(f.epoch);
      await this.opts.fence(ino, f.epoch);
    }
  }

  private noteConflict(f: FileLeases): void {
    const t = this.now();
    const window = this.opts.contentionWindowMs ?? 1000;
    f.recallTimes = f.recallTimes.filter((x) => t - x < window);
    f.recallTimes.push(t);
    if (f.recallTimes.length >= (this.opts.contentionRecalls ?? 3) || f.uncachedUntil > t) {
      f.uncachedUntil = t + (this.opts.uncachedForMs ?? 2000);
    }
  }
}

/** Whether an existing holder must be recalled before granting (mode, cached). */
function conflicts(mode: LeaseMode, cached: boolean, h: Holder): boolean {
  if (!cached && !h.cached) return false;
  return mode === LeaseMode.Write || h.mode === LeaseMode.Write;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** p, or a rejection once ms have passed (a recall not answered within the holder's term + margin). */
export function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  if (ms <= 0) return Promise.reject(new Error('lease already expired'));
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('recall not answered in time')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
