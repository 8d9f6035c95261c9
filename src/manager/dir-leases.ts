/**
 * Directory leases: a client holding a READ lease on a directory may answer lookups (negative ones included),
 * stats and listings of its entries, and the directory's own attributes, from what it fetched. A change by another
 * client to an entry (create, unlink, rename in or out, link, symlink, mkdir, rmdir) or to the attributes of the
 * directory or of an entry (chmod, chown, times, xattrs, size) recalls every other holder after the change is
 * applied and before it is answered: the change waits for the recall's answer or the holder's term + margin, as for
 * file leases. Unlike file leases, changes are not queued behind each other: a change joins a recall already in
 * flight to the same holder, so a holder whose recall waits for its own request in the same directory (a FUSE
 * layer's dentry invalidation waits for the kernel's directory lock) never deadlocks with it. Leases are volatile
 * and have no grace after a restart: clients drop what they cached when their link to the manager drops.
 */
import { withDeadline } from './lease-table';

/** One change: a directory, and the entry name that changed in it (undefined: attributes, or anything). */
export interface DirChange {
  dir: number;
  name?: string;
}

export interface DirLeaseOptions {
  termMs: number;
  marginMs: number;
  /** Tells a holder to drop its cache of dir (names: entries known to have changed); resolves on its answer. */
  recall: (client: string, dir: number, names: string[] | undefined) => Promise<void>;
  /** Recalls of one directory within contentionWindowMs that make it uncached for uncachedForMs (default 3 in 1 s, 2 s). */
  contentionRecalls?: number;
  contentionWindowMs?: number;
  uncachedForMs?: number;
  now?: () => number;
}

interface Holder {
  expiresAt: number;
  /** The recall in flight, if any: later changes wait for it too. */
  recalling: Promise<void> | null;
}

interface Dir {
  holders: Map<string, Holder>;
  recallTimes: number[];
  uncachedUntil: number;
}

/** The manager's directory leases. */
export class DirLeases {
  private readonly dirs = new Map<number, Dir>();
  private readonly now: () => number;
  private created = 0;

  constructor(private readonly opts: DirLeaseOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** Grants client a READ lease on dir; cached false (and nothing held) while the directory is contended. */
  acquire(dir: number, client: string): { cached: boolean; termMs: number } {
    const d = this.dir(dir);
    const cached = this.now() >= d.uncachedUntil;
    if (cached) d.holders.set(client, { expiresAt: this.now() + this.opts.termMs, recalling: null });
    else this.gc(dir, d);
    return { cached, termMs: this.opts.termMs };
  }

  /** Heartbeat: extends client's leases, returns those it no longer holds (or that are being recalled). */
  renew(client: string, dirs: number[]): number[] {
    const lost: number[] = [];
    const until = this.now() + this.opts.termMs;
    for (const dir of dirs) {
      const h = this.dirs.get(dir)?.holders.get(client);
      if (!h || h.recalling) lost.push(dir);
      else h.expiresAt = until;
    }
    return lost;
  }

  release(dir: number, client: string): void {
    const d = this.dirs.get(dir);
    if (!d) return;
    d.holders.delete(client);
    this.gc(dir, d);
  }

  /** True when client holds a lease on dir. */
  holds(dir: number, client: string): boolean {
    return !!this.dirs.get(dir)?.holders.has(client);
  }

  /** Changes made by client (null: the manager itself) are applied: every other holder of the directories involved lets go first. */
  async changed(client: string | null, changes: readonly DirChange[]): Promise<void> {
    const byDir = new Map<number, Array<string | undefined>>();
    for (const c of changes) {
      if (!this.dirs.get(c.dir)?.holders.size) continue;
      const l = byDir.get(c.dir) ?? [];
      l.push(c.name);
      byDir.set(c.dir, l);
    }
    const waits: Array<Promise<void>> = [];
    for (const [dir, names] of byDir) {
      const d = this.dirs.get(dir) as Dir;
      const known = names.every((n) => n !== undefined) ? [...new Set(names as string[])] : undefined;
      let recalled = false;
      for (const [c, h] of d.holders) {
        if (c === client) continue;
        h.recalling ??= this.recallOne(dir, d, c, h, known);
        waits.push(h.recalling);
        recalled = true;
      }
      if (recalled) this.noteConflict(d);
    }
    await Promise.all(waits);
  }

  /** A directory that no longer exists. */
  forget(dir: number): void {
    this.dirs.delete(dir);
  }

  /** Leases held (status, tests). */
  held(): number {
    let n = 0;
    for (const d of this.dirs.values()) n += d.holders.size;
    return n;
  }

  /** Asks one holder to let go; a silent one is outwaited until its term + margin ends (it may still trust its cache until then). */
  private async recallOne(dir: number, d: Dir, client: string, h: Holder, names: string[] | undefined): Promise<void> {
    const deadline = h.expiresAt + this.opts.marginMs;
    try {
      const recall = this.opts.recall(client, dir, names);
      recall.catch(() => undefined);
      await withDeadline(recall, deadline - this.now());
    } catch {
      const left = deadline - this.now();
      if (left > 0) await new Promise((r) => setTimeout(r, left));
    }
    if (d.holders.get(client) === h) d.holders.delete(client);
    this.gc(dir, d);
  }

  private dir(ino: number): Dir {
    // now and then, forget directories kept only to count their recent recalls
    if (++this.created % 1024 === 0) for (const [k, x] of this.dirs) this.gc(k, x);
    let d = this.dirs.get(ino);
    if (!d) this.dirs.set(ino, (d = { holders: new Map(), recallTimes: [], uncachedUntil: 0 }));
    return d;
  }

  private gc(ino: number, d: Dir): void {
    const t = this.now();
    const recent = d.recallTimes.some((x) => t - x < (this.opts.contentionWindowMs ?? 1000)); // kept to count contention
    if (d.holders.size === 0 && d.uncachedUntil < t && !recent && this.dirs.get(ino) === d) this.dirs.delete(ino);
  }

  private noteConflict(d: Dir): void {
    const t = this.now();
    const window = this.opts.contentionWindowMs ?? 1000;
    d.recallTimes = d.recallTimes.filter((x) => t - x < window);
    d.recallTimes.push(t);
    if (d.recallTimes.length >= (this.opts.contentionRecalls ?? 3) || d.uncachedUntil > t) d.uncachedUntil = t + (this.opts.uncachedForMs ?? 2000);
  }
}
