/**
 * Restores the replication factor after a memory node dies: each chunk left
 * with fewer live replicas than wanted is copied from a live replica to a new
 * node (chosen by placement). A chunk is copied only while its file is not
 * open anywhere, and the new replica is recorded only if the file was not
 * opened, truncated or removed during the copy: no client can then hold
 * locations that miss the new replica, so no write can skip it. Its leases
 * are recalled first, so a holder cut off from the manager (whose opens were
 * released when its link dropped) is outwaited and fenced, not copied past.
 */
import { chunkKey } from '../types';
import { Api, call, callData } from '../../transport';
import { ChunkMap } from './chunk-map';
import { Membership } from './membership';
import { placeChunk } from './placement';

export interface RepairDeps {
  chunks: Pick<ChunkMap, 'get' | 'set' | 'forEach'>;
  members: Membership;
  chunkSize: number;
  /** Replicas a chunk should have now. */
  wanted: () => number;
  /** True while some client has the file open. */
  isOpen: (ino: number) => boolean;
  /** The write epoch of a file (the nodes refuse older ones once fenced). */
  epochOf: (ino: number) => number;
  /** Recalls every lease on a file (a silent WRITE holder is outwaited and fenced): nobody writes it during the copy. */
  settle: (ino: number) => Promise<void>;
  /** Wait after a node leaves before copying (it may come back). */
  graceMs: number;
  log: (msg: string) => void;
}

/** Re-replication of chunks that lost a replica. */
export class Repairer {
  /** Chunk copies made so far (for status). */
  copies = 0;
  private readonly changes = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(private readonly deps: RepairDeps) {}

  /** Notes that a file was opened, truncated or removed: a copy of its chunks in progress must not be recorded. */
  touch(ino: number): void {
    this.changes.set(ino, (this.changes.get(ino) ?? 0) + 1);
  }

  /** Schedules a repair pass (after the grace period when a node just left). */
  schedule(delayMs = this.deps.graceMs): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pass();
    }, delayMs);
    this.timer.unref();
  }

  /** Stops pending passes. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async pass(): Promise<void> {
    if (this.running) return this.schedule(1000);
    this.running = true;
    let deferred = false;
    try {
      const { chunks, members } = this.deps;
      const todo: Array<[number, number, string[]]> = [];
      chunks.forEach((ino, index, replicas) => {
        if (replicas.some((id) => !members.isAlive(id))) todo.push([ino, index, replicas]);
      });
      const settled = new Set<number>();
      for (const [ino, index, replicas] of todo) {
        if (!settled.has(ino) && !this.deps.isOpen(ino)) {
          settled.add(ino);
          await this.deps.settle(ino);
        }
        const result = await this.repairChunk(ino, index, replicas);
        if (result === 'deferred') deferred = true;
      }
    } finally {
      this.running = false;
    }
    if (deferred) this.schedule(1000);
  }

  private async repairChunk(ino: number, index: number, replicas: string[]): Promise<'done' | 'deferred' | 'lost'> {
    const { chunks, members } = this.deps;
    if (chunks.get(ino, index) !== replicas) return 'done'; // changed since the pass looked
    const live = replicas.filter((id) => members.isAlive(id));
    const [source] = live;
    if (source === undefined) return 'lost';
    if (live.length >= this.deps.wanted()) {
      chunks.set(ino, index, live);
      return 'done';
    }
    if (this.deps.isOpen(ino)) return 'deferred';
    const [target] = placeChunk(
      ino,
      index,
      members.candidates().filter((c) => !live.includes(c.id)),
      1,
    );
    if (!target) return 'deferred';
    const before = this.changes.get(ino) ?? 0;
    const key = chunkKey(ino, index);
    try {
      const r = await callData(members.get(source)!.peer!, Api.ChunkRead, { key, off: 0, len: this.deps.chunkSize }, undefined, 10_000);
      if (r.data.length > 0) await call(members.get(target)!.peer!, Api.ChunkWrite, { key, off: 0, epoch: this.deps.epochOf(ino) }, Buffer.from(r.data), 10_000);
    } catch (err) {
      this.deps.log(`re-replicating ${key} to ${target}: ${(err as Error).message}`);
      return 'deferred';
    }
    const unchanged = (this.changes.get(ino) ?? 0) === before && chunks.get(ino, index) === replicas && !this.deps.isOpen(ino);
    if (!unchanged) {
      const peer = members.get(target)?.peer;
      if (peer) call(peer, Api.ChunkDelete, { keys: [key] }).catch(() => undefined);
      return 'deferred';
    }
    chunks.set(ino, index, [...live, target]);
    this.copies++;
    return 'done';
  }
}
