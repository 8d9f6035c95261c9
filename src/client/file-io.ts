/**
 * File data under leases: reads and writes go through the page cache while
 * the client holds a cached lease (read-ahead for sequential reads,
 * write-back in chunk-sized batches), and straight to the memory nodes while
 * the file is contended. Flushes on fsync, close, recall and memory pressure.
 */
import { Errno, FsError } from '../errors';
import { Api, call, Link } from '../../transport';
import { ChunkIO } from './chunk-io';
import { Held, Leases, READ, WRITE } from './leases';
import { DirtyPage, PageCache } from './page-cache';
import { StreamedWrites } from './streamed-writes';

/** Bytes read ahead of a sequential reader. */
const READ_AHEAD = 4 * 1024 * 1024;
/** Room (beyond this client's dirty bytes) below which writes go through at once, so a full pool fails the write() itself. */
const TIGHT_MARGIN = 16 * 1024 * 1024;
/** Write-back runs shorter than this are gathered per chunk into one scattered request. */
const SCATTER_MAX = 64 * 1024;
/** Bytes per write-back request (pages are coalesced up to this). */
const FLUSH_BATCH = 1024 * 1024;
/** Large writes of one file on their way to the nodes at once, in the background (a sequential writer's pipeline). */
const STREAM_DEPTH = 4;

/** Contiguous dirty bytes to send, with the pages they came from and each page's version when taken. */
interface WriteRun {
  pos: number;
  parts: Buffer[];
  len: number;
  pages: Array<[number, DirtyPage, number]>;
}

/** Data I/O of one client: cache, leases, chunk transfers. */
export class FileIO {
  private readonly locks = new Map<number, Promise<void>>();
  private readonly inflight = new Map<string, Promise<{ start: number; data: Buffer }>>();
  private readonly lastEnd = new Map<number, number>();
  /** Bumped by every local write: a fetch that started before one must not cache what it read. */
  private readonly generation = new Map<number, number>();
  /** Write-behind batch in flight per file (at most one). */
  private readonly behind = new Map<number, Promise<void>>();
  /** Large whole-page writes in flight per file, sent from the caller's buffer. */
  private readonly streams = new StreamedWrites(STREAM_DEPTH);
  /** Files whose cached writes were thrown away (lease lost or fenced): the next fsync or close of each reports EIO, once. */
  private readonly lostWrites = new Set<number>();
  readonly leases: Leases;
  /** Told (not awaited) when a lease goes: recall, expiry, truncate, release (the mount's kernel cache hangs on it). */
  onDropped: ((ino: number) => void) | null = null;

  constructor(
    private readonly manager: Link,
    private readonly io: ChunkIO,
    readonly cache: PageCache,
    private readonly log: (msg: string) => void = (m) => console.error(m),
  ) {
    this.leases = new Leases(
      manager,
      (h, why) => this.lost(h, why),
      () => this.cache.stats(),
      (ino, cap, capMs, sent) => io.grantCap(ino, cap, capMs, sent),
    );
    io.leaseEpoch = (ino) => {
      const h = this.leases.get(ino);
      return h && h.mode === WRITE && !h.revoked ? h.epoch : undefined;
    };
  }

  /** Reads [pos, pos+len) clamped to the file's size; with `view` the answer may be a view of clean cached pages (never to be changed). */
  async read(ino: number, pos: number, len: number, view = false): Promise<Buffer> {
    const h = await this.enter(ino, READ);
    try {
      if (!h.cached) {
        // uncached holders never recall each other: locations are asked again (the read needs the size anyway), so a
        // replica replaced since, by one this client still reaches, is not read after another client wrote the new set
        this.io.invalidate(ino);
        return await this.io.read(ino, pos, len);
      }
      const end = Math.min(pos + len, h.size);
      if (end <= pos) return Buffer.alloc(0);
      const out = await this.readCached(h, pos, end - pos, view);
      const sequential = this.lastEnd.get(ino) === pos;
      this.lastEnd.set(ino, end);
      if (sequential) this.readAhead(h, end);
      return out;
    } finally {
      this.leases.done(h);
    }
  }

  /**
   * Writes data at pos (or at end of file when append); returns the position written. With `owned` the caller gives
   * data up (never changes it again): a large whole-page write is then acknowledged once cached and sent from it in
   * the background.
   */
  async write(ino: number, pos: number, data: Buffer, append: boolean, owned = false): Promise<number> {
    const h = await this.enter(ino, WRITE);
    try {
      if (!h.cached) {
        if (append) pos = (await call(this.manager, Api.AppendReserve, { ino, len: data.length, epoch: h.epoch })).offset;
        await this.io.write(ino, pos, data, h.epoch);
        await call(this.manager, Api.Extend, { ino, end: pos + data.length, epoch: h.epoch });
        return pos;
      }
      await this.locked(ino, async () => {
        if (append) pos = h.size;
        const ps = this.cache.pageSize;
        if (data.length >= FLUSH_BATCH && pos % ps === 0 && data.length % ps === 0) {
          if (owned && this.streamable(h, pos + data.length)) return this.stream(h, pos, data);
          // Whole pages of a batch or more: send them as they are (no copy into the cache), then forget older copies.
          await this.behind.get(ino); // an older batch of these pages must not land after this write
          await this.streams.room(ino, pos, pos + data.length);
          this.generation.set(ino, (this.generation.get(ino) ?? 0) + 1);
          this.cache.dropRange(ino, pos / ps, (pos + data.length) / ps);
          await this.io.write(ino, pos, data, h.epoch);
          h.size = Math.max(h.size, pos + data.length);
          h.mtimeMs = Date.now();
          h.attrDirty = true;
          return;
        }
        const filledPage = await this.writeCached(h, pos, data);
        // Near a full pool (or past a directory quota's room), cached writes could be acknowledged and then find no room:
        // write through, so ENOSPC (EDQUOT) reaches write() as on tmpfs.
        if (this.io.room < this.cache.dirtyBytes + TIGHT_MARGIN || h.size > h.quotaEnd) await this.writeBack(h);
        // Stream out full pages as a sequential writer fills them, and everything once half the dirty budget is used.
        else if (filledPage || this.cache.dirtyBytes > this.cache.dirtyLimit / 2) this.writeBehind(h, !filledPage);
      });
    } finally {
      this.leases.done(h);
    }
    if (this.cache.dirtyBytes > this.cache.dirtyLimit) await this.flushSome(ino);
    return pos;
  }

  /** True when a cached write ending at `end` may be acknowledged before it lands: ample room in the pool and the quota. */
  private streamable(h: Held, end: number): boolean {
    return end <= h.quotaEnd && this.io.room >= this.cache.dirtyBytes + TIGHT_MARGIN + FLUSH_BATCH * STREAM_DEPTH;
  }

  /**
   * A large whole-page write, acknowledged once its pages are cached (views of data, no copy) and sent from data in the
   * background: pages it lands stay cached clean, a failure leaves them dirty for the next write-back to send again and
   * report. Waits first for an overlapping write in flight (order) or for room in the file's pipeline.
   */
  private async stream(h: Held, pos: number, data: Buffer): Promise<void> {
    const ps = this.cache.pageSize;
    await this.behind.get(h.ino); // an older batch of these pages must not land after this write
    await this.streams.room(h.ino, pos, pos + data.length);
    this.generation.set(h.ino, (this.generation.get(h.ino) ?? 0) + 1);
    const pages: Array<[number, DirtyPage]> = [];
    for (let at = 0; at < data.length; at += ps) pages.push([(pos + at) / ps, this.cache.adoptDirty(h.ino, (pos + at) / ps, data.subarray(at, at + ps))]);
    h.size = Math.max(h.size, pos + data.length);
    h.mtimeMs = Date.now();
    h.attrDirty = true;
    this.streams.start(h.ino, pos, pos + data.length, async () => {
      await this.io.write(h.ino, pos, data, h.epoch);
      for (const [p, d] of pages) if (d.version === 0) this.cache.markClean(h.ino, p, d);
    });
  }

  /** Sends a file's dirty pages and size to the pool (fsync, close); EIO when earlier cached writes to it were lost. */
  async flush(ino: number): Promise<void> {
    try {
      await this.writeBackFile(ino);
    } catch (err) {
      this.lostWrites.delete(ino); // this error reports the loss
      throw err;
    }
    if (this.lostWrites.delete(ino)) throw new FsError('EIO', `cached writes to inode ${ino} were lost: its lease ran out while this client was unreachable`);
  }

  /** Sends a file's dirty pages and size to the pool, if it has any. */
  private async writeBackFile(ino: number): Promise<void> {
    const h = this.leases.get(ino);
    if (!h || (!this.cache.dirtyOf(ino) && !h.attrDirty)) return;
    await this.locked(ino, () => this.writeBack(h));
  }

  /** Gives up everything cached for a file (before a truncate, or when a recall asks): flush, drop, forget the lease. */
  async surrender(ino: number, tellManager: boolean): Promise<void> {
    await this.leases.settled(ino);
    const h = this.leases.get(ino);
    if (!h) return;
    await this.leases.revoke(h);
    this.onDropped?.(ino);
    try {
      await this.locked(ino, () => this.writeBack(h));
    } finally {
      this.cache.dropFile(ino);
      this.io.invalidate(ino);
      this.lastEnd.delete(ino);
      this.generation.delete(ino);
      if (tellManager) await this.leases.release(h);
      else this.leases.forget(ino);
    }
  }

  /** Throws away a file's cached pages and lease without flushing (after a flush failed for good at close). */
  async discard(ino: number): Promise<void> {
    const h = this.leases.get(ino);
    if (!h) return;
    await this.leases.revoke(h);
    this.lost(h, 'flush failed at close');
    this.lostWrites.delete(ino); // already reported by that close
    await this.leases.release(h);
  }

  /** Size and mtime this client knows ahead of the manager (it holds a WRITE lease with unsent changes). */
  localAttr(ino: number): { size: number; mtimeMs: number } | undefined {
    const h = this.leases.get(ino);
    return h && !h.revoked && h.attrDirty ? { size: h.size, mtimeMs: h.mtimeMs } : undefined;
  }

  /** Releases leases on files neither open nor cached any more. */
  async sweep(isOpen: (ino: number) => boolean): Promise<void> {
    for (const h of this.leases.all()) {
      if (!h.revoked && !isOpen(h.ino) && !this.cache.holds(h.ino) && !h.attrDirty) await this.surrender(h.ino, true);
    }
  }

  /** Flushes everything and gives every lease back (closing the client). */
  async surrenderAll(): Promise<void> {
    await Promise.all(this.leases.all().map((h) => this.surrender(h.ino, true).catch(() => undefined)));
  }

  /** Flushes every dirty file (unmount, close of the client). */
  async flushAll(): Promise<void> {
    await Promise.all(this.cache.dirtyInodes().map((ino) => this.flush(ino)));
    await Promise.all(
      this.leases
        .all()
        .filter((h) => h.attrDirty)
        .map((h) => this.flush(h.ino)),
    );
  }

  private async enter(ino: number, mode: number): Promise<Held> {
    for (;;) {
      const h = await this.leases.acquire(ino, mode);
      if (h.revoked) continue;
      this.leases.begin(h);
      return h;
    }
  }

  private lost(h: Held, why: string): void {
    this.onDropped?.(h.ino);
    this.io.invalidate(h.ino);
    const dropped = this.cache.dropFile(h.ino);
    this.lastEnd.delete(h.ino);
    if (dropped > 0 || h.attrDirty) {
      this.log(`lease on inode ${h.ino} lost (${why}): ${dropped} bytes of unflushed writes discarded`);
      this.lostWrites.add(h.ino);
    }
  }

  private async locked<T>(ino: number, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(ino) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chain = prev.then(() => mine);
    this.locks.set(ino, chain);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.locks.get(ino) === chain) this.locks.delete(ino);
    }
  }

  private async readCached(h: Held, pos: number, len: number, view: boolean): Promise<Buffer> {
    const ps = this.cache.pageSize;
    const first = Math.floor(pos / ps);
    const last = Math.floor((pos + len - 1) / ps);
    this.prefetch(h, first, last + 1);
    const pages: Buffer[] = [];
    let clean = view;
    for (let p = first; p <= last; p++) {
      pages.push(await this.page(h, p));
      clean &&= !this.cache.getDirty(h.ino, p);
    }
    // Consecutive clean pages of one received buffer are answered as a view of them (lent: a write copies them first).
    const whole = clean ? contiguous(pages) : null;
    if (whole) {
      this.cache.lend(pages);
      return whole.subarray(pos - first * ps, pos - first * ps + len);
    }
    if (pages.length === 1) return Buffer.from(pages[0]!.subarray(pos - first * ps, pos - first * ps + len));
    const out = Buffer.allocUnsafe(len);
    let at = 0;
    for (const [i, page] of pages.entries()) {
      const from = i === 0 ? pos - first * ps : 0;
      const n = Math.min(ps - from, len - at);
      page.copy(out, at, from, from + n);
      at += n;
    }
    return out;
  }

  /** One full page of a file, from the cache or fetched (merging local dirty bytes over what the nodes hold). */
  private async page(h: Held, p: number): Promise<Buffer> {
    const ps = this.cache.pageSize;
    for (let attempt = 0; ; attempt++) {
      const d = this.cache.getDirty(h.ino, p);
      if (d?.loaded) return d.data;
      if (!d) {
        const c = this.cache.getClean(h.ino, p);
        if (c) return c;
      }
      // After a first look, fetch ourselves: a fetch already running may predate a write.
      const running = attempt === 0 ? this.inflight.get(`${h.ino}:${p}`) : undefined;
      const gen = this.generation.get(h.ino) ?? 0;
      const { start, data } = await (running ?? this.fetch(h, p, 1));
      const unchanged = gen === (this.generation.get(h.ino) ?? 0);
      if (!h.revoked && !unchanged) continue; // a write raced the fetch: fetch again
      if (!h.revoked && attempt === 0) continue; // the fetch filled the cache: look again
      // our own fetch with no write since (the page was evicted at once), or the lease is going away: answer from it
      const base = Buffer.from(data.subarray((p - start) * ps, (p - start + 1) * ps));
      const dd = this.cache.getDirty(h.ino, p);
      if (dd) dd.data.copy(base, dd.lo, dd.lo, dd.hi);
      return base;
    }
  }

  /** Loads pages [p, p+count) from the nodes into the cache (unless the lease is going away). */
  private fetch(h: Held, p: number, count: number): Promise<{ start: number; data: Buffer }> {
    const ps = this.cache.pageSize;
    const gen = this.generation.get(h.ino) ?? 0;
    const run = (async () => {
      const data = await this.io.readRange(h.ino, p * ps, count * ps);
      if (!h.revoked && gen === (this.generation.get(h.ino) ?? 0)) {
        for (let i = 0; i < count; i++) {
          const base = data.subarray(i * ps, (i + 1) * ps);
          const d = this.cache.getDirty(h.ino, p + i);
          if (d && !d.loaded) {
            const merged = Buffer.from(base);
            d.data.copy(merged, d.lo, d.lo, d.hi);
            d.data = merged;
            d.loaded = true;
          } else if (!d) this.cache.putClean(h.ino, p + i, base); // a view: the fetched buffer is ours alone
        }
      }
      return { start: p, data };
    })();
    const keys = Array.from({ length: count }, (_, i) => `${h.ino}:${p + i}`);
    for (const k of keys) this.inflight.set(k, run);
    const clear = () => keys.forEach((k) => this.inflight.get(k) === run && this.inflight.delete(k));
    run.then(clear, clear);
    return run;
  }

  /** Keeps READ_AHEAD bytes on their way ahead of a sequential reader, topping up in half-window batches (fewer, larger fetches). */
  private readAhead(h: Held, from: number): void {
    const ps = this.cache.pageSize;
    const end = Math.min(Math.ceil((from + READ_AHEAD) / ps), Math.ceil(h.size / ps));
    let missing = Math.ceil(from / ps);
    while (missing < end && (this.cache.getDirty(h.ino, missing)?.loaded || this.inflight.has(`${h.ino}:${missing}`) || this.peekClean(h.ino, missing))) missing++;
    if (missing >= end || missing * ps - from >= READ_AHEAD / 2) return;
    this.prefetch(h, missing, Math.min(Math.ceil(h.size / ps), missing + Math.ceil(READ_AHEAD / 2 / ps)));
  }

  /** Starts fetches, one per run of consecutive pages inside one chunk (its bytes are cached as received, no copy), for pages in [first, last) not cached or on their way. */
  private prefetch(h: Held, first: number, last: number): void {
    const perChunk = Math.max(1, Math.floor(this.io.chunkSize / this.cache.pageSize));
    let start = -1;
    const flushRun = (end: number) => {
      if (start >= 0) this.fetch(h, start, end - start).catch(() => undefined);
      start = -1;
    };
    for (let p = first; p < last; p++) {
      const cached = this.cache.getDirty(h.ino, p)?.loaded || this.inflight.has(`${h.ino}:${p}`) || this.peekClean(h.ino, p);
      if (cached) flushRun(p);
      else {
        if (start >= 0 && p % perChunk === 0) flushRun(p);
        if (start < 0) start = p;
      }
    }
    flushRun(last);
  }

  private peekClean(ino: number, p: number): boolean {
    const before = this.cache.hits;
    const hit = !!this.cache.getClean(ino, p);
    // a look-ahead is not a reader's hit or miss
    if (hit) this.cache.hits = before;
    else this.cache.misses--;
    return hit;
  }

  /** Copies a write into dirty pages; true when it left some page fully written (worth a write-behind look). */
  private async writeCached(h: Held, pos: number, data: Buffer): Promise<boolean> {
    const ps = this.cache.pageSize;
    let filled = false;
    this.generation.set(h.ino, (this.generation.get(h.ino) ?? 0) + 1);
    for (let at = 0; at < data.length;) {
      const p = Math.floor((pos + at) / ps);
      const a = (pos + at) % ps;
      const n = Math.min(ps - a, data.length - at);
      const b = a + n;
      const d = this.cache.makeDirty(h.ino, p, p * ps >= h.size);
      // Bumped before any wait: a write-behind batch finishing meanwhile must not mark this page clean under us.
      d.version++;
      const empty = d.hi <= d.lo;
      if (!d.loaded && !empty && (b < d.lo || a > d.hi) && !(a === 0 && b === ps)) await this.page(h, p);
      if (d.shared) {
        d.data = Buffer.from(d.data); // the bytes on their way must not change under the send (its MAC covers them)
        d.shared = false;
      }
      data.copy(d.data, a, at, at + n);
      d.lo = empty ? a : Math.min(d.lo, a);
      d.hi = empty ? b : Math.max(d.hi, b);
      if (d.lo === 0 && d.hi === ps) {
        d.loaded = true;
        filled = true;
      }
      at += n;
    }
    h.size = Math.max(h.size, pos + data.length);
    h.mtimeMs = Date.now();
    h.attrDirty = true;
    return filled;
  }

  /**
   * Starts sending a file's full dirty pages in the background once they add up to a batch, so a sequential
   * writer's data streams out while it writes on; the writer waits only at the dirty limit. The pages are
   * copied into the batch, so later writes may change them; a page changed meanwhile stays dirty. The size
   * is not sent here: it goes with the next foreground write-back (fsync, close, recall), after the data.
   */
  private writeBehind(h: Held, partial: boolean): void {
    if (this.behind.has(h.ino) || this.streams.busy(h.ino)) return;
    const ps = this.cache.pageSize;
    const dirty = this.cache.dirtyOf(h.ino);
    if (!dirty || (!partial && dirty.size * ps < FLUSH_BATCH)) return;
    const chosen = [...dirty].filter(([, d]) => d.hi > d.lo && (partial || (d.loaded && d.lo === 0 && d.hi === ps))).sort((x, y) => x[0] - y[0]);
    if (!partial && chosen.length * ps < FLUSH_BATCH) return;
    // copies: later writes may change the pages while these are on their way
    const runs = this.collectRuns(chosen).map((r) => ({ ...r, parts: [Buffer.concat(r.parts, r.len)] }));
    if (runs.length === 0) return;
    const job = this.sendRuns(h, runs)
      .then(async (results) => {
        runs.forEach((run, i) => {
          // a failed run leaves its pages dirty: the next foreground write-back sends them again and reports the error
          if (results[i]?.status === 'fulfilled') for (const [p, d, v] of run.pages) if (d.version === v) this.cache.markClean(h.ino, p, d);
        });
        if (results.every((r) => r.status === 'fulfilled')) await this.publishSize(h, runs);
      })
      .finally(() => this.behind.delete(h.ino));
    this.behind.set(h.ino, job);
  }

  /**
   * After a write-behind batch landed: the file's size grows on the manager to the end of what landed (never past the
   * size here), so data this client flushed is visible to others even if it dies before its next fsync or close.
   */
  private async publishSize(h: Held, runs: WriteRun[]): Promise<void> {
    const end = Math.min(h.size, Math.max(...runs.map((r) => r.pos + r.len)));
    if (h.revoked) return;
    try {
      await call(this.manager, Api.Extend, { ino: h.ino, end, epoch: h.epoch, clamp: true }); // only ever grows the size
    } catch (err) {
      this.log(`inode ${h.ino}: size ${end} not published after write-behind: ${(err as Error).message}`); // the next fsync or close sends it
    }
  }

  /** Coalesces dirty pages (sorted by index) into runs of contiguous bytes of at most FLUSH_BATCH, remembering each page's version. */
  private collectRuns(pages: Array<[number, DirtyPage]>): WriteRun[] {
    const ps = this.cache.pageSize;
    const runs: WriteRun[] = [];
    for (const [p, d] of pages) {
      const start = p * ps + d.lo;
      const prev = runs[runs.length - 1];
      if (prev && prev.pos + prev.len === start && prev.len + (d.hi - d.lo) <= FLUSH_BATCH) {
        prev.parts.push(d.data.subarray(d.lo, d.hi));
        prev.len += d.hi - d.lo;
        prev.pages.push([p, d, d.version]);
      } else runs.push({ pos: start, parts: [d.data.subarray(d.lo, d.hi)], len: d.hi - d.lo, pages: [[p, d, d.version]] });
    }
    return runs;
  }

  /** Writes a file's dirty pages (coalesced into batches) and then its size; the caller holds the file's lock. */
  private async writeBack(h: Held): Promise<void> {
    await this.behind.get(h.ino); // a write-behind batch lands first, so nothing older lands after this
    await this.streams.settled(h.ino);
    const dirty = this.cache.dirtyOf(h.ino);
    const runs = this.collectRuns(dirty ? [...dirty.entries()].sort((x, y) => x[0] - y[0]) : []);
    try {
      // Every run settles before an error is thrown: a write still in flight could otherwise land after a close+unlink deleted the chunks, leaking them.
      const sent = await this.sendRuns(h, runs);
      const failure = sent.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failure) {
        const stale = failure.reason instanceof FsError && failure.reason.errno === Errno.ESTALE;
        if (!stale) await this.keepLanded(h, runs, sent);
        throw failure.reason;
      }
      if (h.attrDirty) {
        // clamp: a directory quota may let the size grow only part of the way; what lies past it is cut below
        const { attr } = await call(this.manager, Api.Extend, { ino: h.ino, end: h.size, mtimeMs: h.mtimeMs, epoch: h.epoch, clamp: true });
        if (attr.size < h.size) {
          for (const r of runs) for (const [p, d] of r.pages) this.cache.markClean(h.ino, p, d);
          await this.cutToQuota(h, attr.size);
        }
        h.attrDirty = false;
      }
    } catch (err) {
      if (err instanceof FsError && err.errno === Errno.ESTALE) {
        // fenced: another client owns the file now; these writes must never land
        h.revoked = true;
        this.leases.forget(h.ino);
        this.lost(h, 'fenced by the memory nodes');
        throw new FsError('EIO', `writes to inode ${h.ino} were lost: the lease expired while this client was unreachable`);
      }
      throw err;
    }
    for (const r of runs) for (const [p, d] of r.pages) this.cache.markClean(h.ino, p, d);
  }

  /**
   * Sends write-back runs: large ones on their own, small ones (random writes) gathered per chunk into one
   * scattered request each. Every request settles before this returns; the result of each run is given.
   */
  private async sendRuns(h: Held, runs: WriteRun[]): Promise<Array<PromiseSettledResult<void>>> {
    const cs = this.io.chunkSize;
    const bytes = (r: { parts: Buffer[]; len: number }) => (r.parts.length === 1 ? r.parts[0]! : Buffer.concat(r.parts, r.len));
    const jobs: Array<{ runs: number[]; send: () => Promise<void> }> = [];
    const small = new Map<number, Array<{ i: number; r: WriteRun }>>();
    runs.forEach((r, i) => {
      const index = Math.floor(r.pos / cs);
      if (r.len < SCATTER_MAX && Math.floor((r.pos + r.len - 1) / cs) === index) {
        const list = small.get(index) ?? [];
        list.push({ i, r });
        small.set(index, list);
      } else jobs.push({ runs: [i], send: () => this.io.write(h.ino, r.pos, bytes(r), h.epoch) });
    });
    for (const [index, list] of small) {
      const parts = list.map(({ r }) => ({ off: r.pos - index * cs, data: bytes(r) }));
      jobs.push({ runs: list.map(({ i }) => i), send: () => this.io.writeScattered(h.ino, index, parts, h.epoch) });
    }
    const settled = await Promise.allSettled(jobs.map((j) => j.send()));
    const out = new Array<PromiseSettledResult<void>>(runs.length);
    settled.forEach((s, k) => jobs[k]!.runs.forEach((i) => (out[i] = s))); // allSettled gives one result per job, in order
    return out;
  }

  /**
   * After a write-back failed part way (a full pool): keeps what landed below the first failure, as a
   * short write on tmpfs would, drops what can't be stored, and cuts anything that landed past the new end.
   */
  private async keepLanded(h: Held, runs: WriteRun[], sent: Array<PromiseSettledResult<void>>): Promise<void> {
    const ps = this.cache.pageSize;
    let firstFail = Infinity;
    runs.forEach((r, i) => {
      if (sent[i]?.status === 'rejected') firstFail = Math.min(firstFail, r.pos);
      else for (const [p, d] of r.pages) this.cache.markClean(h.ino, p, d);
    });
    const keep = Math.min(h.size, firstFail);
    try {
      const size = (await call(this.manager, Api.Extend, { ino: h.ino, end: keep, mtimeMs: h.mtimeMs, epoch: h.epoch })).attr.size;
      // cut=true: the manager cuts chunk data past the size even though the size does not change
      await call(this.manager, Api.Truncate, { ino: h.ino, size, cut: true, epoch: h.epoch });
      h.size = size;
      h.attrDirty = false;
      this.cache.dropFrom(h.ino, Math.floor(Math.min(firstFail, size) / ps));
    } catch (err) {
      this.log(`inode ${h.ino}: could not settle the size after a failed write-back: ${(err as Error).message}`);
    }
  }

  /** The quota let the file grow only to size: cut the data past it on the nodes and here, as a short write, and say EDQUOT. */
  private async cutToQuota(h: Held, size: number): Promise<never> {
    await call(this.manager, Api.Truncate, { ino: h.ino, size, cut: true, epoch: h.epoch });
    h.size = size;
    h.attrDirty = false;
    this.cache.dropFrom(h.ino, Math.floor(size / this.cache.pageSize));
    throw new FsError('EDQUOT', `inode ${h.ino}: a directory quota stops it at ${size} bytes`);
  }

  /** Under memory pressure: flush this file first, then others until below the dirty limit. */
  private async flushSome(ino: number): Promise<void> {
    await this.writeBackFile(ino);
    for (const other of this.cache.dirtyInodes()) {
      if (this.cache.dirtyBytes <= this.cache.dirtyLimit / 2) break;
      if (other === ino) continue;
      // Another file's write-back error (ENOSPC, or ENOENT once it was unlinked) belongs to that file, not to this write.
      await this.writeBackFile(other).catch((err: Error) => this.log(`write-back of inode ${other} failed: ${err.message}`));
    }
  }
}

/** The pages as one view when each follows the previous one in the same memory, else null. */
function contiguous(pages: Buffer[]): Buffer | null {
  const head = pages[0];
  if (!head) return null;
  let end = head.byteOffset + head.length;
  for (let i = 1; i < pages.length; i++) {
    const p = pages[i]!;
    if (p.buffer !== head.buffer || p.byteOffset !== end) return null;
    end += p.length;
  }
  return Buffer.from(head.buffer, head.byteOffset, end - head.byteOffset);
}
