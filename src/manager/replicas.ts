/**
 * Changes a chunk's replica set while clients use it (open files included). The new version is logged first, then
 * set on the replicas that stay, so a client with older locations is refused (EL2NSYNC) and locates again; replicas
 * that leave are marked stale where the manager reaches them (their data freed, never served again); the data is then
 * copied from a replica that stayed to nodes chosen by placement, each recorded once its copy is complete. Locate
 * waits while a chunk is being changed, so no writer can skip a replica being filled. Copies are paced.
 */
import { FsError } from '../errors';
import { chunkKey } from '../types';
import { Api, call, callData, Peer } from '../../transport';
import type { LoggedChunkMap } from './state/logged-views';
import type { Membership } from './membership';
import { placeChunk } from './placement';
import { crashPoint } from './fault';

export interface ReplicaDeps {
  chunks: LoggedChunkMap;
  members: Membership;
  chunkSize: number;
  /** Replicas a chunk should have now. */
  wanted: () => number;
  /** Nodes that take no new replica (being drained). */
  excluded: () => ReadonlySet<string>;
  /** Resolves once every logged change so far is durable. */
  synced: () => Promise<void>;
  /** Bytes per second copies may use in total. */
  copyBytesPerSec: number;
  log: (msg: string) => void;
}

/** How long the manager waits for a node to answer a version change or a copy. */
const NODE_CALL_MS = 5_000;

/** Figures for status. */
export interface CopyCounters {
  /** Chunk copies made (each one a new replica recorded). */
  copies: number;
  /** Bytes copied. */
  bytes: number;
  /** Replicas marked stale. */
  staled: number;
}

/** Replica-set changes, one at a time per chunk. */
export class ReplicaSets {
  readonly counters: CopyCounters = { copies: 0, bytes: 0, staled: 0 };
  /** Chunks being changed now, by "ino:index". */
  private readonly busy = new Map<string, Promise<void>>();
  /** Pacing: when the copy bandwidth is next free (ms, monotonic). */
  private nextFree = 0;

  constructor(private readonly deps: ReplicaDeps) {}

  /** Resolves once no chunk of ino in [first, first+count) is being changed. */
  async settled(ino: number, first: number, count: number): Promise<void> {
    for (;;) {
      const waits: Array<Promise<void>> = [];
      for (const [k, p] of this.busy) {
        const [i, x] = k.split(':').map(Number) as [number, number];
        if (i === ino && x >= first && x < first + count) waits.push(p);
      }
      if (waits.length === 0) return;
      await Promise.all(waits.map((p) => p.catch(() => undefined)));
    }
  }

  /** True while a chunk is being changed. */
  isBusy(ino: number, index: number): boolean {
    return this.busy.has(`${ino}:${index}`);
  }

  /** Chunks being changed now. */
  get inProgress(): number {
    return this.busy.size;
  }

  /**
   * Replaces the replicas in `drop` of one chunk and fills it up to the wanted count. With `unreachable`, the dropped
   * ones cannot serve as the copy's source (a client could not reach them); otherwise (a drain) a dropped replica is
   * the source when no other is left. Resolves with the chunk's record afterwards.
   */
  replace(ino: number, index: number, drop: ReadonlySet<string>, unreachable: boolean): Promise<void> {
    return this.exclusive(ino, index, () => this.run(ino, index, drop, unreachable, false));
  }

  /**
   * Brings a chunk whose logged version is ahead of every live replica (the manager died between logging a change and
   * setting the version on the nodes) back into service: the replicas holding the newest version found become the
   * set under a version above the logged one, the others are marked stale, and copies restore R. True when it acted;
   * false when some live replica is at the logged version already (a lower one is then merely stale).
   */
  resync(ino: number, index: number): Promise<boolean> {
    return this.exclusive(ino, index, async () => {
      const { chunks, members } = this.deps;
      const rec = chunks.record(ino, index);
      if (!rec) return false;
      const key = chunkKey(ino, index, chunks.genOf(ino));
      const live = rec.replicas.filter((id) => members.isAlive(id));
      const vers = await Promise.all(
        live.map((id) =>
          Promise.resolve(id)
            .then((n) => call(this.peerOf(n), Api.ChunkVersions, { keys: [key] }, undefined, NODE_CALL_MS))
            .then(
              (r) => r.vers[0] ?? -1,
              () => -1,
            ),
        ),
      );
      const top = Math.max(-1, ...vers.filter((v) => v > 0 && v <= rec.ver));
      if (top < 1 || top === rec.ver) return false;
      this.deps.log(`chunk ${key}: logged at version ${rec.ver}, its replicas hold ${vers.join(', ')}; version ${top} serves again under a new version`);
      const drop = new Set(live.filter((_id, i) => vers[i] !== top));
      await this.run(ino, index, drop, true, true);
      return true;
    });
  }

  /** Runs fn while no other change of the same chunk runs (locate waits for it too). */
  private async exclusive<T>(ino: number, index: number, fn: () => Promise<T>): Promise<T> {
    const k = `${ino}:${index}`;
    for (let p = this.busy.get(k); p; p = this.busy.get(k)) await p.catch(() => undefined);
    const done = fn().finally(() => this.busy.delete(k));
    this.busy.set(
      k,
      done.then(
        () => undefined,
        () => undefined,
      ),
    );
    return done;
  }

  /** One change of a chunk's set (force: under a new version even when nothing is dropped or added). */
  private async run(ino: number, index: number, drop: ReadonlySet<string>, unreachable: boolean, force: boolean): Promise<void> {
    const { chunks, members } = this.deps;
    const rec = chunks.record(ino, index);
    if (!rec) return; // dropped meanwhile (file removed)
    const key = chunkKey(ino, index, chunks.genOf(ino));
    const alive = rec.replicas.filter((id) => members.isAlive(id));
    let keep = alive.filter((id) => !drop.has(id));
    const wanted = this.deps.wanted();
    const excluded = this.deps.excluded();
    const dropping = rec.replicas.some((id) => drop.has(id) || !members.isAlive(id));
    const room = members.candidates().some((c) => !rec.replicas.includes(c.id) && !excluded.has(c.id));
    if (!force && !dropping && (keep.length >= wanted || !room)) return; // nothing to drop, nothing (or nowhere) to add
    // the draining replica serves as the source while no other holds the data
    const sources = keep.length > 0 || unreachable ? keep : alive;
    if (sources.length === 0) throw new FsError('EIO', `chunk ${key}: no live replica to copy from`);
    const ver = rec.ver + 1;
    chunks.set(ino, index, sources, ver);
    await this.deps.synced(); // the new version is durable before any replica holds it
    crashPoint('ReplicaReplace', this.deps.log);
    const bumped = await Promise.all(
      sources.map((id) =>
        Promise.resolve(id)
          .then((n) => call(this.peerOf(n), Api.ChunkVersion, { key, ver }, undefined, NODE_CALL_MS))
          .then(
            () => true,
            (err: Error) => {
              this.deps.log(`chunk ${key}: version ${ver} not set on ${id}: ${err.message}`);
              return false;
            },
          ),
      ),
    );
    let holders = sources.filter((_id, i) => bumped[i]);
    if (holders.length < sources.length) {
      // a replica that did not take the version is stale; the rest hold the data
      if (holders.length === 0) {
        chunks.set(ino, index, rec.replicas, rec.ver); // no replica took the new version: the set stays as it was
        throw new FsError('EIO', `chunk ${key}: no replica took version ${ver}`);
      }
      chunks.set(ino, index, holders, ver);
    }
    await Promise.all(rec.replicas.filter((id) => !holders.includes(id)).map((id) => this.markStale(id, key)));
    keep = holders.filter((id) => !drop.has(id));
    const source = holders[0]!; // holders is not empty (checked above)
    const candidates = members.candidates().filter((c) => !holders.includes(c.id) && !drop.has(c.id) && !excluded.has(c.id));
    const targets = placeChunk(ino, index, candidates, Math.max(0, wanted - keep.length));
    let data: Buffer | null = null;
    for (const target of targets) {
      try {
        if (data === null) data = Buffer.from((await callData(this.peerOf(source), Api.ChunkRead, { key, off: 0, len: this.deps.chunkSize, ver }, undefined, NODE_CALL_MS)).data);
        await this.pace(data.length);
        const peer = this.peerOf(target);
        await call(peer, Api.ChunkDelete, { keys: [key] }, undefined, NODE_CALL_MS); // an older copy it may still hold
        await call(peer, Api.ChunkWrite, { key, off: 0, ver }, data, NODE_CALL_MS);
      } catch (err) {
        this.deps.log(`copying chunk ${key} from ${source} to ${target}: ${(err as Error).message}`);
        continue;
      }
      holders = [...holders, target];
      chunks.set(ino, index, holders, ver);
      this.counters.copies++;
      this.counters.bytes += data.length;
    }
    const leaving = holders.filter((id) => drop.has(id));
    if (leaving.length > 0 && holders.length > leaving.length) {
      chunks.set(
        ino,
        index,
        holders.filter((id) => !drop.has(id)),
        ver,
      );
      await this.deps.synced();
      await Promise.all(leaving.map((id) => this.markStale(id, key)));
    }
    await this.deps.synced();
  }

  /**
   * Marks a replica stale on a node the manager reaches (frees its data; a node it does not reach is reconciled when it
   * registers). Awaited before the change completes: no write under the new version lands while a reader that still
   * reaches the old replica could be served its data.
   */
  private async markStale(id: string, key: string): Promise<void> {
    const peer = this.deps.members.get(id)?.peer;
    if (!peer || peer.closed) return;
    this.counters.staled++;
    await call(peer, Api.ChunkVersion, { key, ver: 0 }, undefined, NODE_CALL_MS).catch((err: Error) => this.deps.log(`marking ${key} stale on ${id}: ${err.message}`));
  }

  /** The link to a node, ENOTCONN while it is down (it may leave while a change runs). */
  private peerOf(id: string): Peer {
    const peer = this.deps.members.get(id)?.peer;
    if (!peer || peer.closed) throw new FsError('ENOTCONN', `memory node ${id} is down`);
    return peer;
  }

  /** Waits until the copy bandwidth allows `bytes` more. */
  private async pace(bytes: number): Promise<void> {
    const now = performance.now();
    const start = Math.max(now, this.nextFree);
    this.nextFree = start + (bytes / this.deps.copyBytesPerSec) * 1000;
    if (start > now) await new Promise((r) => setTimeout(r, start - now));
  }
}
