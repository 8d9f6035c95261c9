/**
 * The client's side of the lease protocol: which leases it holds and until
 * when it may trust them (by its own monotonic clock, counted from when it
 * asked), batched renewal by heartbeat, and single-flight acquisition.
 */
import { ClientStats } from '../types';
import { Api, call, Link, Peer } from '../../transport';

export const READ = 1;
export const WRITE = 2;

/** A lease this client holds on one file. */
export interface Held {
  ino: number;
  mode: number;
  /** False: the file is contended; read and write at the nodes, cache nothing. */
  cached: boolean;
  epoch: number;
  /** performance.now() after which the lease must not be trusted. */
  validUntil: number;
  /** The file's size as this holder knows it (authoritative under a cached WRITE lease). */
  size: number;
  mtimeMs: number;
  /** Size or mtime changed locally and not yet told to the manager. */
  attrDirty: boolean;
  /** Size past which a directory quota refused growth at the grant (a hint; Infinity without quotas). */
  quotaEnd: number;
  /** I/O calls currently using this lease; a recall waits for them. */
  active: number;
  /** Set when the lease is being given up: new calls must acquire again. */
  revoked: boolean;
  /** Set when the manager recalled it: renewals no longer extend it (the manager does not either). */
  recalled?: boolean;
  idle: Array<() => void>;
}

/** How long giving a lease back may wait for the manager (ms). */
const RELEASE_MS = 2000;

/** Safety margin the client keeps below the manager's term (ms). */
const CLIENT_MARGIN_MS = 750;

/** Leases held by one client. */
export class Leases {
  private readonly held = new Map<number, Held>();
  private readonly acquiring = new Map<number, Promise<Held>>();
  private timer: NodeJS.Timeout | null = null;
  private termMs = 6000;

  constructor(
    private readonly manager: Link,
    /** Called when a lease is found lost or expired: drop the file's cache (dirty pages included). */
    private readonly onLost: (h: Held, why: string) => void,
    /** Extra figures the heartbeat reports to the manager (cache stats). */
    private readonly report: () => ClientStats,
    /** Told the capability a grant carried (a WRITE lease's write capability for the whole file), sent: when it was asked for. */
    private readonly onCap: (ino: number, cap: string, capMs: number, sent: number) => void = () => undefined,
  ) {}

  /** A valid lease of at least `mode` on ino, acquiring (and waiting for recalls elsewhere) when needed. */
  async acquire(ino: number, mode: number): Promise<Held> {
    for (;;) {
      const h = this.valid(ino);
      if (h && h.mode >= mode) return h;
      const pending = this.acquiring.get(ino);
      if (pending) {
        await pending.catch(() => undefined);
        continue;
      }
      const p = this.request(ino, mode, h);
      this.acquiring.set(ino, p);
      try {
        return await p;
      } finally {
        this.acquiring.delete(ino);
      }
    }
  }

  /** The lease on ino if held and still trustworthy by this client's clock. */
  valid(ino: number): Held | undefined {
    const h = this.held.get(ino);
    if (!h) return undefined;
    if (h.revoked) return undefined;
    // Past its term the lease is not trusted until the manager confirms it was never broken (acquire: continued).
    if (performance.now() >= h.validUntil) return undefined;
    return h;
  }

  /** Waits for an acquire of ino in flight: a recall can arrive in the same read as its grant and must not overtake it. */
  async settled(ino: number): Promise<void> {
    await this.acquiring.get(ino)?.catch(() => undefined);
  }

  /** The lease on ino whatever its state (for flushing under it). */
  get(ino: number): Held | undefined {
    return this.held.get(ino);
  }

  /** Marks I/O under a lease as started; pair with done(). */
  begin(h: Held): void {
    h.active++;
  }

  /** Marks I/O under a lease as finished. */
  done(h: Held): void {
    h.active--;
    if (h.active === 0) {
      const w = h.idle;
      h.idle = [];
      for (const f of w) f();
    }
  }

  /** Notes that the manager recalls ino's lease (synchronously, before the recall's first await). */
  markRecalled(ino: number): void {
    const h = this.held.get(ino);
    if (h) h.recalled = true;
  }

  /** Stops new I/O under a lease and waits for the I/O in progress (a recall, a release). */
  async revoke(h: Held): Promise<void> {
    h.revoked = true;
    while (h.active > 0) await new Promise<void>((r) => h.idle.push(r));
  }

  /** Forgets a lease locally (after a recall was answered or it was released). */
  forget(ino: number): void {
    this.held.delete(ino);
    if (this.held.size === 0) this.stopHeartbeat();
  }

  /** Gives a lease back to the manager (best effort, bounded: during a manager outage a close or unmount must not hang on it; the lease then runs out by itself). */
  async release(h: Held): Promise<void> {
    this.forget(h.ino);
    await call(this.manager, Api.LeaseRelease, { ino: h.ino }, undefined, RELEASE_MS).catch(() => undefined);
  }

  /** Every held lease. */
  all(): Held[] {
    return [...this.held.values()];
  }

  /**
   * On a new link (a manager restart or takeover, or a dropped link): names every lease held so the manager grants it
   * back before anyone else may take a conflicting one; a lease refused is lost (its cache dropped).
   */
  async reclaim(peer: Peer): Promise<void> {
    const mine = [...this.held.values()].filter((h) => !h.revoked);
    if (mine.length === 0) return;
    const sent = performance.now();
    let granted: Array<[number, number]>;
    try {
      granted = (await call(peer, Api.LeaseReclaim, { leases: mine.map((h): [number, number] => [h.ino, h.mode]), epochs: mine.map((h) => h.epoch) })).granted;
    } catch {
      return; // the link went again: the next one reclaims, or the leases run out by the clock
    }
    const back = new Map(granted);
    for (const h of mine) {
      const epoch = back.get(h.ino);
      if (this.held.get(h.ino) !== h) continue;
      if (epoch === undefined) this.lose(h, 'not granted back after the manager restarted');
      else {
        h.epoch = Math.max(h.epoch, epoch);
        h.validUntil = Math.max(h.validUntil, sent + this.termMs - CLIENT_MARGIN_MS);
      }
    }
  }

  /** Stops renewing (on close). */
  stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private lose(h: Held, why: string): void {
    h.revoked = true;
    this.held.delete(h.ino);
    this.onLost(h, why);
  }

  private async request(ino: number, mode: number, prior: Held | undefined): Promise<Held> {
    const sent = performance.now();
    const g = await call(this.manager, Api.LeaseAcquire, { ino, mode }, undefined, 60_000);
    this.termMs = g.termMs;
    if (g.cap !== undefined) this.onCap(ino, g.cap, g.capMs ?? 0, sent);
    const h: Held =
      prior && !prior.revoked && g.continued
        ? prior
        : {
            ino,
            mode: g.mode,
            cached: g.cached,
            epoch: g.epoch,
            validUntil: 0,
            size: g.attr.size,
            mtimeMs: g.attr.mtimeMs,
            attrDirty: false,
            quotaEnd: Infinity,
            active: 0,
            revoked: false,
            idle: [],
          };
    if (h === prior) {
      // the lease was never broken (an upgrade, or a renewal after a late heartbeat): nobody else wrote meanwhile
      h.mode = g.mode;
      h.cached = h.cached && g.cached;
      if (!h.attrDirty) {
        h.size = g.attr.size;
        h.mtimeMs = g.attr.mtimeMs;
      }
    } else if (prior) {
      this.lose(prior, 'replaced by a new grant');
    }
    h.quotaEnd = typeof g.quotaEnd === 'number' ? g.quotaEnd : Infinity;
    h.validUntil = sent + g.termMs - CLIENT_MARGIN_MS;
    this.held.set(ino, h);
    this.startHeartbeat();
    return h;
  }

  private startHeartbeat(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.renew(), Math.max(200, Math.floor(this.termMs / 3)));
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    const inos = [...this.held.values()].filter((h) => !h.revoked).map((h) => h.ino);
    if (inos.length === 0) return;
    const sent = performance.now();
    let lost: number[];
    try {
      lost = (await call(this.manager, Api.LeaseRenew, { inos, stats: this.report() }, undefined, Math.max(500, this.termMs / 2))).lost;
    } catch {
      return; // unreachable: leases run out by the clock
    }
    const gone = new Set(lost);
    for (const ino of inos) {
      const h = this.held.get(ino);
      if (!h) continue;
      if (gone.has(ino)) this.lose(h, 'manager no longer has this lease');
      // the manager keeps a lease being recalled until its term ends (its holder writes back to answer) but no longer extends it
      else if (!h.recalled) h.validUntil = Math.max(h.validUntil, sent + this.termMs - CLIENT_MARGIN_MS);
    }
  }
}
