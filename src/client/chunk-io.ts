/**
 * Chunk I/O for one client: finds where chunks live and at which version (asking the manager, caching the answer
 * per open file), and moves data straight between the client and the memory nodes, writing every replica and
 * reading any one. A replica that does not answer within about a second is skipped (a per-node breaker keeps later
 * calls from waiting again): reads go on with another replica at once; a write that reached some replicas has the
 * manager replace the unreachable one (ReplicaDown) and completes on the new set. A replica at another version
 * (EL2NSYNC) means the locations are old: they are asked again. Each Locate answer carries a capability for the chunks
 * it covers (read, or write for the holder of the file's WRITE lease), which every chunk request carries; one near
 * its end is replaced by locating again first, and a node's EACCES (expired, by the node's clock) makes one more try.
 */
import { Errno, FsError } from '../errors';
import { chunkKey, ChunkLocation, NodeInfo } from '../types';
import { Api, call, callData, DialOptions, Link } from '../../transport';
import { MAX_LOCATE, RECLAIM_ALLOWANCE_MS } from '../limits';
import { Breaker, withDeadline } from './breaker';
import { parseCap } from '../security/capability';

/** Errors that mean "this replica is unreachable", worth trying another replica for. */
const RETRYABLE = new Set<number>([Errno.ENOTCONN, Errno.ETIMEDOUT, Errno.EHOSTDOWN, Errno.ECONNREFUSED, Errno.EAGAIN]);
/** Chunks placed ahead of a file that grows, saving a manager round trip per new chunk. */
const WRITE_AHEAD = 8;
/** Chunk requests kept in flight at once for one large read or write. */
const WINDOW = 8;
/** Chunks located beyond a read's range (read-only lookup: places nothing), so sequential reads skip a manager round trip per chunk. */
const READ_AHEAD = 64;
/**
 * How long one chunk call may take before its replica counts as unreachable (plus SLOW_MS_PER_MIB per MiB carried) on
 * a first attempt; later attempts at the same piece double it up to MAX_DEADLINE_MS, so a pool that is slow everywhere
 * (not one replica cut off) still gets its I/O done.
 */
export const REPLICA_DEADLINE_MS = 1000;
const MAX_DEADLINE_MS = 10_000;
/** The deadline is at least this many times the usual answer time of node calls. */
const SLOW_FACTOR = 10;
const SLOW_MS_PER_MIB = 100;
/** Attempts at one piece (each after new locations or a replaced replica) before EIO. */
const ATTEMPTS = 6;

/** Part of a capability's lifetime after which this client asks for a new one before using it. */
const CAP_REFRESH = 0.75;

/** A capability for a range of a file's chunks, shared by the chunks one Locate answered. */
interface Cap {
  token: string;
  write: boolean;
  /** The lease epoch its writes must carry. */
  epoch: number;
  /** performance.now() past which it is replaced before use (it still has a quarter of its life then). */
  refreshAt: number;
}

/** One chunk as this client knows it: its replicas, their version and the capability to reach them with. */
interface Loc {
  replicas: string[];
  ver?: number;
  cap?: Cap;
  /** Known from before this client's lease on the file ended: asked again before new I/O uses it. */
  old?: boolean;
}

/** True when a capability may be used now: unexpired and, to write, a write capability for the epoch. */
function fits(c: Cap | undefined, write: boolean, epoch?: number): c is Cap {
  return !!c && performance.now() < c.refreshAt && (!write || (c.write && c.epoch === (epoch ?? 0)));
}

/** A capability as this client keeps it, from a token the manager sent at `sent` (performance.now()) valid capMs. */
function keep(token: string, capMs: number, sent: number): Cap & { gen: number } {
  const f = parseCap(token);
  return { token, write: f?.write ?? false, epoch: f?.epoch ?? 0, gen: f?.gen ?? -1, refreshAt: sent + capMs * CAP_REFRESH };
}

/** True for the error a node answers to a missing, expired or insufficient capability. */
function isDenied(err: unknown): boolean {
  return err instanceof FsError && err.errno === Errno.EACCES;
}

/** True for the error a replica answers when it is not at the caller's version. */
function isVersionError(err: unknown): boolean {
  return err instanceof FsError && err.errno === Errno.EL2NSYNC;
}

/** True for errors that mean the replica did not answer. */
function isUnreachable(err: unknown): boolean {
  return err instanceof FsError && RETRYABLE.has(err.errno);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One piece of an I/O request that falls inside a single chunk. */
interface Piece {
  index: number;
  /** Offset inside the chunk. */
  off: number;
  len: number;
  /** Offset inside the caller's buffer. */
  at: number;
}

/** What a Locate call answers. */
interface Located {
  size: number;
  chunks: ChunkLocation[];
  nodes: NodeInfo[];
  /** The pool's free bytes as the manager last heard from the nodes. */
  free?: number;
  /** The key generation of the file's chunks. */
  gen?: number;
  /** The capability for the chunks asked for, and its lifetime in ms. */
  cap?: string;
  capMs?: number;
}

/**
 * Runs async jobs with at most `width` in flight. After a failure no new job starts, and the first error is thrown
 * only once every job in flight has settled: a caller that reacts to a failed write (close, unlink) must not race
 * chunk writes still on the wire, which would land after the manager deleted the chunks and leak them on the node.
 */
async function windowed<T>(items: T[], width: number, job: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!; // next < items.length was checked just above
      try {
        await job(item);
      } catch (err) {
        if (!failed) firstError = err;
        failed = true;
      }
    }
  });
  await Promise.all(lanes);
  if (failed) throw firstError;
}

/** Client-side data path between files and memory nodes. */
export class ChunkIO {
  private readonly locations = new Map<number, Map<number, Loc>>();
  /** The key generation of each file's chunks. */
  private readonly gens = new Map<number, number>();
  /** Whole-file write capabilities that came with WRITE leases (a holder cut off from the manager still writes back). */
  private readonly fileCaps = new Map<number, Cap & { gen: number }>();
  /** Nodes that did not answer lately. */
  readonly breaker = new Breaker();
  /** How long node calls take to answer, as a moving average (ms). */
  private answerMs = 0;
  private readonly nodeUrls = new Map<string, string>();
  private readonly links = new Map<string, Link>();
  /** Free bytes in the pool at the last Locate (a hint, up to a heartbeat old). */
  poolFree = Infinity;
  /** Free bytes of each memory node as its last write acknowledgement said. */
  private readonly nodeFree = new Map<string, number>();

  /** The least room this client knows of: on the fullest node it wrote to, or half the pool's (replicas). */
  get room(): number {
    let least = this.poolFree / 2;
    for (const f of this.nodeFree.values()) least = Math.min(least, f);
    return least;
  }

  constructor(
    private readonly manager: Link,
    readonly chunkSize: number,
    private readonly dialOpts: DialOptions,
  ) {}

  /** The current epoch of this client's WRITE lease on a file, if it holds one (set by the lease layer above). */
  leaseEpoch: (ino: number) => number | undefined = () => undefined;

  /** Keeps the whole-file capability a lease grant carried. */
  grantCap(ino: number, token: string, capMs: number, sent: number): void {
    this.fileCaps.set(ino, keep(token, capMs, sent));
  }

  /**
   * A capability to reach a chunk with now: the one its Locate gave, else the file's from its WRITE lease (for its key
   * generation); none for a location known from before the client's lease on the file ended (it is asked again).
   */
  private capOf(ino: number, loc: Loc | undefined, write: boolean, epoch?: number): Cap | undefined {
    if (loc?.old) return undefined;
    if (fits(loc?.cap, write, epoch)) return loc?.cap;
    const f = this.fileCaps.get(ino);
    return loc && fits(f, write, epoch) && f.gen === (this.gens.get(ino) ?? 0) ? f : undefined;
  }

  /** Splits [pos, pos+len) into per-chunk pieces. */
  pieces(pos: number, len: number): Piece[] {
    const out: Piece[] = [];
    const cs = this.chunkSize;
    for (let at = 0; at < len;) {
      const index = Math.floor((pos + at) / cs);
      const off = (pos + at) % cs;
      const n = Math.min(cs - off, len - at);
      out.push({ index, off, len: n, at });
      at += n;
    }
    return out;
  }

  /** Reads [pos, pos+len) of a file clamped to its current size; holes read as zeros. */
  async read(ino: number, pos: number, len: number): Promise<Buffer> {
    const pieces = this.pieces(pos, len);
    const cached = this.locations.get(ino);
    const known = cached && pieces.every((p) => this.capOf(ino, cached.get(p.index), false));
    // The size always comes fresh from the manager: in parallel with the data when locations are cached.
    const sizeP = known ? call(this.manager, Api.GetattrIno, { ino }).then((r) => r.attr.size) : this.locate(ino, pieces, false).then((l) => l.size);
    const size = known ? null : await sizeP;
    const end = size === null ? pos + len : Math.min(pos + len, size);
    const wanted = pieces.filter((p) => pos + p.at < end);
    const got = new Map<Piece, Buffer>();
    await windowed(wanted, WINDOW, async (p) => {
      if (this.locations.get(ino)?.get(p.index)) got.set(p, await this.readPiece(ino, p));
    });
    const finalSize = size ?? (await sizeP);
    const n = Math.max(0, Math.min(len, finalSize - pos));
    if (wanted.length === 1 && n === len) {
      const only = got.get(wanted[0]!);
      if (only && only.length === n) return only;
    }
    const out = Buffer.alloc(n);
    for (const [p, data] of got) if (p.at < n) data.copy(out, p.at, 0, Math.min(data.length, n - p.at));
    return out;
  }

  /** Reads exactly [pos, pos+len) with holes as zeros, without asking for the size (the caller holds a lease that knows it). */
  async readRange(ino: number, pos: number, len: number): Promise<Buffer> {
    const pieces = this.pieces(pos, len);
    const cached = this.locations.get(ino);
    if (!cached || !pieces.every((p) => this.capOf(ino, cached.get(p.index), false))) await this.locate(ino, pieces, false);
    const single = pieces.length === 1 ? pieces[0] : undefined;
    const only = single && this.locations.get(ino)?.get(single.index);
    if (single && only) {
      // one chunk, fully stored: the received message's own bytes, no copy
      const data = await this.readPiece(ino, single);
      if (data.length === len) return data;
      const out = Buffer.alloc(len);
      data.copy(out);
      return out;
    }
    const out = Buffer.alloc(len);
    await windowed(pieces, WINDOW, async (p) => {
      if (this.locations.get(ino)?.get(p.index)) (await this.readPiece(ino, p)).copy(out, p.at);
    });
    return out;
  }

  /** Writes data at pos to every replica of each chunk touched (the manager's size is extended by the caller). */
  async write(ino: number, pos: number, data: Buffer, epoch: number): Promise<void> {
    const pieces = this.pieces(pos, data.length);
    const cached = this.locations.get(ino);
    if (!cached || !pieces.every((p) => this.capOf(ino, cached.get(p.index), true, epoch))) await this.locate(ino, pieces, true, epoch);
    await this.placeMissing(ino, pieces, () => pos + data.length, epoch);
    await windowed(pieces, WINDOW, (p) => this.writePiece(ino, p, data.subarray(p.at, p.at + p.len), epoch));
  }

  /** Writes several pieces of one chunk in one request to each replica (write-back of scattered small writes). */
  async writeScattered(ino: number, index: number, parts: Array<{ off: number; data: Buffer }>, epoch: number): Promise<void> {
    const firstPart = parts[0];
    if (!firstPart) throw new Error('writeScattered needs at least one part');
    const piece: Piece = { index, off: firstPart.off, len: 0, at: 0 };
    if (!this.capOf(ino, this.locations.get(ino)?.get(index), true, epoch)) await this.locate(ino, [piece], true, epoch);
    await this.placeMissing(ino, [piece], () => index * this.chunkSize + parts.reduce((m, x) => Math.max(m, x.off + x.data.length), 0), epoch);
    const data = Buffer.concat(parts.map((x) => x.data));
    await this.writePiece(
      ino,
      piece,
      data,
      epoch,
      parts.map((x) => [x.off, x.data.length]),
    );
  }

  /**
   * The manager places chunks only a window past a file's size and inside its quota room: for pieces it left out,
   * the file is extended to the write's end first (EDQUOT comes from there), then they are placed.
   */
  private async placeMissing(ino: number, pieces: Piece[], end: () => number, epoch: number): Promise<void> {
    const map = this.locations.get(ino);
    const missing = pieces.filter((p) => !map?.has(p.index));
    const head = missing[0];
    const tail = missing[missing.length - 1];
    if (head === undefined || tail === undefined) return;
    await call(this.manager, Api.Extend, { ino, end: end(), epoch });
    await this.locateRange(ino, head.index, tail.index - head.index + 1, true, epoch);
    if (missing.some((p) => !this.locations.get(ino)?.has(p.index))) throw new FsError('ENOSPC', `inode ${ino}: the manager placed no chunk for this write`);
  }

  /** True when no chunk of ino at or after index is known here (a write there extends the file). */
  private growing(ino: number, index: number): boolean {
    for (const i of this.locations.get(ino)?.keys() ?? []) if (i >= index) return false;
    return true;
  }

  /**
   * The file's lease ended (recall, expiry): its cached locations are asked again before new I/O uses them, so a
   * replica replaced meanwhile by one this client still reaches is never read after another client wrote the new set.
   * Entries stay until replaced: a read in flight must not take a missing entry for a hole.
   */
  invalidate(ino: number): void {
    for (const loc of this.locations.get(ino)?.values() ?? []) loc.old = true;
  }

  /** Forgets cached locations of a file (after its last close). */
  forget(ino: number): void {
    this.locations.delete(ino);
    this.gens.delete(ino);
    this.fileCaps.delete(ino);
  }

  /** Closes every node link. */
  close(): void {
    for (const l of this.links.values()) l.close();
    this.links.clear();
  }

  /** Asks the manager where the pieces' chunks live (placing missing ones when writing) and caches the answer; reads also look READ_AHEAD chunks ahead. */
  private async locate(ino: number, pieces: Piece[], write: boolean, epoch?: number): Promise<Located> {
    const first = pieces[0]?.index ?? 0;
    const count = pieces.length ? pieces[pieces.length - 1]!.index - first + 1 : 0;
    if (count === 0) return this.locateRange(ino, first, count, write, epoch);
    // A write past the last chunk this client knows is most likely a file growing: place the next few chunks too.
    if (write) return this.locateRange(ino, first, count + (this.growing(ino, first) ? WRITE_AHEAD : 0), true, epoch);
    try {
      return await this.locateRange(ino, first, count + READ_AHEAD, false, epoch);
    } catch (err) {
      // A chunk in the look-ahead may be unreadable (every replica down): that must not fail this read.
      if (!(err instanceof FsError)) throw err;
      return this.locateRange(ino, first, count, false, epoch);
    }
  }

  /** Locates chunks [first, first+count) in Locate calls of at most MAX_LOCATE chunks, caching replicas and node addresses. */
  private async locateRange(ino: number, first: number, count: number, write: boolean, epoch?: number): Promise<Located> {
    const out: Located = { size: 0, chunks: [], nodes: [] };
    for (let at = first, left = count; ;) {
      const n = Math.min(left, MAX_LOCATE);
      const sent = performance.now();
      const located: Located = await call(this.manager, Api.Locate, { ino, first: at, count: n, write, epoch });
      const cap: Cap | undefined = located.cap === undefined ? undefined : keep(located.cap, located.capMs ?? 0, sent);
      for (const nd of located.nodes) this.nodeUrls.set(nd.id, nd.url);
      if (typeof located.free === 'number') this.poolFree = located.free;
      if (located.gen !== undefined) this.gens.set(ino, located.gen);
      let map = this.locations.get(ino);
      if (!map) this.locations.set(ino, (map = new Map()));
      for (const c of located.chunks) map.set(c.index, { replicas: c.replicas, ver: c.ver, cap });
      out.size = located.size;
      out.chunks.push(...located.chunks);
      out.nodes.push(...located.nodes);
      at += n;
      left -= n;
      if (left <= 0) return out;
    }
  }

  private link(nodeId: string): Link {
    let l = this.links.get(nodeId);
    if (!l) {
      const url = this.nodeUrls.get(nodeId);
      if (!url) throw new FsError('EIO', `no address known for memory node ${nodeId}`);
      l = new Link(url, { ...this.dialOpts, retryMaxMs: 1000 });
      l.on('fatal', () => undefined);
      this.links.set(nodeId, l);
    }
    return l;
  }

  /** The node key of a chunk of a file. */
  private key(ino: number, index: number): string {
    return chunkKey(ino, index, this.gens.get(ino) ?? 0);
  }

  /**
   * One call to a node under the replica deadline (longer on later attempts): on a first attempt, a node whose breaker
   * is open fails at once (EHOSTDOWN); a node that does not answer trips its breaker; one that answers closes it.
   */
  private async nodeCall<T>(id: string, bytes: number, attempt: number, fn: (link: Link, timeoutMs: number) => Promise<T>): Promise<T> {
    if (attempt === 0 && this.breaker.isOpen(id)) throw new FsError('EHOSTDOWN', `memory node ${id} did not answer lately`);
    // a loaded machine answers every call slowly: the deadline is at least SLOW_FACTOR times the usual answer time
    const base = Math.max(REPLICA_DEADLINE_MS, SLOW_FACTOR * this.answerMs);
    const ms = Math.min(base * 2 ** attempt, MAX_DEADLINE_MS) + Math.ceil((bytes / 1048576) * SLOW_MS_PER_MIB);
    const t0 = performance.now();
    try {
      const r = await withDeadline(fn(this.link(id), ms), ms, () => new FsError('ETIMEDOUT', `memory node ${id} did not answer within ${ms} ms`));
      this.answerMs += (performance.now() - t0 - this.answerMs) / 16;
      this.breaker.ok(id);
      return r;
    } catch (err) {
      if (isUnreachable(err)) this.breaker.trip(id);
      throw err;
    }
  }

  /**
   * Asks the manager where one piece's chunk lives now (after its replicas failed or were at another version). The
   * cached entry is replaced, never dropped first: a concurrent read of the same chunk would take a missing entry
   * for a hole and return zeros.
   */
  private async relocate(ino: number, p: Piece, write: boolean, epoch?: number): Promise<Loc | undefined> {
    if (write) await this.locateRange(ino, p.index, 1, true, epoch);
    else await this.locate(ino, [p], false);
    return this.locations.get(ino)?.get(p.index);
  }

  /** Reads one piece from a replica that answers (the ones that did not answer lately last); new locations when none does. */
  private async readPiece(ino: number, p: Piece): Promise<Buffer> {
    let last: unknown = null;
    let denied = false;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      let loc = this.locations.get(ino)?.get(p.index);
      if (loc && loc.replicas.length > 0 && !this.capOf(ino, loc, false)) loc = await this.relocate(ino, p, false);
      if (!loc || loc.replicas.length === 0) return Buffer.alloc(0); // a hole
      const meta = { key: this.key(ino, p.index), off: p.off, len: p.len, ver: loc.ver, cap: this.capOf(ino, loc, false)?.token };
      let moved = false;
      for (const id of this.breaker.order(loc.replicas)) {
        try {
          return (await this.nodeCall(id, p.len, attempt, (link, ms) => callData(link, Api.ChunkRead, meta, undefined, ms))).data;
        } catch (err) {
          last = err;
          if (isVersionError(err)) {
            moved = true; // this replica is not at our version: another may be (new locations if none is)
            continue;
          }
          if (isDenied(err) && !denied) {
            // a capability the node found expired (by its clock): a new one, once
            denied = true;
            moved = true;
            break;
          }
          if (!isUnreachable(err)) throw err;
        }
      }
      if (!moved && attempt > 0) await sleep(100 * attempt);
      if (!(await this.relocate(ino, p, false))) return Buffer.alloc(0);
    }
    throw new FsError('EIO', `chunk ${p.index} of inode ${ino} is unreachable: ${(last as Error)?.message}`);
  }

  /**
   * Writes one piece to every replica. A replica that does not answer while others took the write is reported to the
   * manager, which replaces it (copying the chunk from one that did); the write then goes to the new set. Replicas at
   * another version mean new locations; when no replica answers, the write is tried again a few times, then EIO.
   */
  private async writePiece(ino: number, p: Piece, data: Buffer, epoch: number, ranges?: Array<[number, number]>): Promise<void> {
    let last: unknown = null;
    let denied = false;
    const reclaimWaitEnd = performance.now() + RECLAIM_ALLOWANCE_MS;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      let loc = this.locations.get(ino)?.get(p.index);
      if (!loc || loc.replicas.length === 0 || !this.capOf(ino, loc, true, epoch)) loc = await this.relocate(ino, p, true, epoch);
      if (!loc || loc.replicas.length === 0) throw new FsError('ENOSPC', `inode ${ino}: the manager placed no chunk ${p.index}`);
      const cap = this.capOf(ino, loc, true, epoch);
      if (!cap) {
        // no write capability for this epoch: a reclaim after a restart gave this client's WRITE lease a new epoch
        // (the write goes on under it: the same lease, held throughout), or it has not reached the manager yet
        const now = this.leaseEpoch(ino);
        if (now !== undefined && now > epoch) {
          epoch = now;
          attempt--;
          continue;
        }
        last = new FsError('EACCES', `inode ${ino}: the manager gave no write capability for chunk ${p.index}`);
        if (performance.now() < reclaimWaitEnd) attempt--; // waiting for a reclaim uses up no attempt
        await sleep(Math.min(200 * (attempt + 2), 1000));
        continue;
      }
      const meta = { key: this.key(ino, p.index), off: p.off, epoch, ranges, ver: loc.ver, cap: cap.token };
      const replicas = loc.replicas;
      const results = await Promise.allSettled(
        replicas.map((id) =>
          this.nodeCall(id, data.length, attempt, async (link, ms) => {
            const r = await call(link, Api.ChunkWrite, meta, data, ms);
            if (r.free !== undefined) this.nodeFree.set(id, r.free);
          }),
        ),
      );
      const failed = new Map<string, unknown>();
      results.forEach((r, i) => {
        if (r.status === 'rejected') failed.set(replicas[i]!, r.reason); // one result per replica
      });
      if (failed.size === 0) return;
      last = [...failed.values()][0];
      const fatal = [...failed.values()].find((e) => !isUnreachable(e) && !isVersionError(e) && !(isDenied(e) && !denied));
      if (fatal) throw fatal;
      if ([...failed.values()].some((e) => isVersionError(e) || isDenied(e))) {
        // new locations; or a capability a node found expired (by its clock): a new one, once (the write is sent again to every replica)
        denied ||= [...failed.values()].some(isDenied);
        await this.relocate(ino, p, true, epoch);
        continue;
      }
      if (failed.size === replicas.length) {
        // nothing answered: this client may be the one cut off; try again later rather than have replicas replaced
        await sleep(200 * (attempt + 1));
        continue;
      }
      try {
        for (const id of failed.keys()) {
          const now: { replicas: string[]; ver: number; nodes: NodeInfo[] } = await call(this.manager, Api.ReplicaDown, { ino, index: p.index, node: id, ver: loc.ver ?? 0, epoch });
          for (const nd of now.nodes) this.nodeUrls.set(nd.id, nd.url);
          loc = { replicas: now.replicas, ver: now.ver, cap: loc.cap }; // the capability names chunks, not replicas
          this.locations.get(ino)?.set(p.index, loc);
        }
      } catch (err) {
        // the manager could not replace it now (no live replica to copy from, as it sees them): locate again and retry
        if (!(err instanceof FsError && err.errno === Errno.EIO)) throw err;
        last = err;
        await sleep(200 * (attempt + 1));
        await this.relocate(ino, p, true, epoch).catch(() => undefined);
      }
    }
    if (isDenied(last)) throw last;
    throw new FsError('EIO', `chunk ${p.index} of inode ${ino}: replicas unreachable: ${(last as Error)?.message}`);
  }
}
