/**
 * Orphan collection: when a memory node registers (a new node, one coming back, or any after a manager restart)
 * and periodically, its inventory is read and held against the chunk map. A chunk no file references there (a file
 * removed while the node was away, a replica that was replaced, another generation's key) is deleted; a replica the
 * map places there at another version missed a change and is replaced, unless no live replica holds the logged version
 * (the manager died between logging a change and setting it on the nodes): the newest replicas then serve again under a
 * new version (ReplicaSets.resync) and R is restored. Data past a file's size is reported (cut once no writer can
 * publish it). Chunks being changed right now are left alone.
 */
import { Errno, FsError } from '../errors';
import { chunkKey, parseChunkKey } from '../types';
import { Api, call } from '../../transport';
import { MAX_DELETE } from '../limits';
import type { LoggedChunkMap } from './state/logged-views';
import type { Membership } from './membership';
import type { ReplicaSets } from './replicas';

export interface InventoryDeps {
  chunks: Pick<LoggedChunkMap, 'record' | 'genOf'>;
  members: Membership;
  replicas: ReplicaSets;
  chunkSize: number;
  /** A regular file's size (undefined: not a regular file, or gone). */
  sizeOf: (ino: number) => number | undefined;
  /** Told of a file whose chunks hold data past its size (a dead writer's unpublished data, to cut once nobody can publish it). */
  beyondSize: (ino: number) => Promise<void>;
  /** Time between two reconciliations of one node. */
  everyMs: number;
  log: (msg: string) => void;
}

/** Chunks asked for per ChunkList page. */
const PAGE = 65536;
/** Keys per ChunkDelete. */
const DELETE_BATCH = Math.min(MAX_DELETE, 16384);

/** Reconciles memory nodes' inventories with the chunk map. */
export class Inventory {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Bytes of unreferenced chunks each node held at its last inventory and that are not deleted yet. */
  private readonly orphaned = new Map<string, number>();
  /** Replicas at a wrong version each node held at its last inventory, not dealt with yet. */
  private readonly stale = new Map<string, number>();
  private stopped = false;

  constructor(private readonly deps: InventoryDeps) {}

  /** Reconciles a node that just registered, then every everyMs while it stays. */
  watch(id: string): void {
    if (this.stopped) return;
    const old = this.timers.get(id);
    if (old) clearTimeout(old);
    const tick = (delay: number) => {
      const t = setTimeout(() => {
        if (!this.deps.members.isAlive(id)) {
          this.timers.delete(id);
          return;
        }
        this.reconcile(id)
          .catch((err: Error) => this.deps.log(`inventory of memory node ${id}: ${err.message}`))
          .finally(() => {
            if (!this.stopped && this.timers.get(id) === t) tick(this.deps.everyMs);
          });
      }, delay);
      t.unref();
      this.timers.set(id, t);
    };
    tick(200);
  }

  /** Stops every pending reconciliation. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Unreferenced bytes on live nodes not deleted yet. */
  orphanedBytes(): number {
    let n = 0;
    for (const [id, b] of this.orphaned) if (this.deps.members.isAlive(id)) n += b;
    return n;
  }

  /** Wrong-version replicas on live nodes not dealt with yet. */
  staleSeen(): number {
    let n = 0;
    for (const [id, c] of this.stale) if (this.deps.members.isAlive(id)) n += c;
    return n;
  }

  /** True when the chunk map places key on node id now, or the chunk is being changed (a copy to it may be in flight). */
  private placedHere(key: string, id: string): boolean {
    const p = parseChunkKey(key);
    if (!p) return false;
    if (this.deps.replicas.isBusy(p.ino, p.index)) return true;
    const rec = this.deps.chunks.record(p.ino, p.index);
    return !!rec && this.deps.chunks.genOf(p.ino) === p.gen && rec.replicas.includes(id);
  }

  /** Reads one node's inventory and deletes or replaces what the chunk map does not place there. */
  async reconcile(id: string): Promise<void> {
    const { chunks, members, replicas } = this.deps;
    const peer = members.get(id)?.peer;
    if (!peer || peer.closed) return;
    const listed: Array<{ key: string; ver: number; bytes: number }> = [];
    for (let offset: number | undefined = 0; offset !== undefined;) {
      const page: { chunks: Array<{ key: string; ver: number; bytes: number }>; next?: number } = await call(peer, Api.ChunkList, { offset, limit: PAGE }, undefined, 10_000);
      listed.push(...page.chunks);
      offset = page.next;
    }
    const orphans: string[] = [];
    let orphanBytes = 0;
    const wrong: Array<[number, number, number]> = [];
    const beyond = new Set<number>();
    for (const { key, ver, bytes } of listed) {
      const p = parseChunkKey(key);
      if (p && replicas.isBusy(p.ino, p.index)) continue;
      const rec = p && chunks.record(p.ino, p.index);
      if (!p || !rec || chunks.genOf(p.ino) !== p.gen || key !== chunkKey(p.ino, p.index, p.gen) || !rec.replicas.includes(id)) {
        orphans.push(key);
        orphanBytes += bytes;
        continue;
      }
      if (ver !== rec.ver) wrong.push([p.ino, p.index, ver]);
      if (bytes > 0 && p.index * this.deps.chunkSize >= (this.deps.sizeOf(p.ino) ?? Infinity)) beyond.add(p.ino);
    }
    for (const ino of beyond) this.deps.beyondSize(ino).catch((err: Error) => this.deps.log(`inode ${ino}: data past its size not cut: ${err.message}`));
    this.orphaned.set(id, orphanBytes);
    this.stale.set(id, wrong.length);
    if (orphans.length > 0) this.deps.log(`memory node ${id}: deleting ${orphans.length} chunks no file references (${orphanBytes} bytes)`);
    for (let i = 0; i < orphans.length; i += DELETE_BATCH) {
      // checked again right before sending: a chunk being copied here now, or placed here since the list, stays
      const batch = orphans.slice(i, i + DELETE_BATCH).filter((key) => !this.placedHere(key, id));
      if (batch.length === 0) continue;
      const r = await call(peer, Api.ChunkDelete, { keys: batch }, undefined, 10_000);
      this.orphaned.set(id, Math.max(0, (this.orphaned.get(id) ?? 0) - r.freed));
    }
    this.orphaned.set(id, 0);
    for (const [ino, index, ver] of wrong) {
      try {
        // below the logged version on every live replica: the manager died before setting it there (not stale)
        if (ver > 0 && ver < (chunks.record(ino, index)?.ver ?? 0) && (await replicas.resync(ino, index))) continue;
        // the list may be older than a change made since: ask the replica again at the version recorded now
        const rec = chunks.record(ino, index);
        if (!rec || !rec.replicas.includes(id) || replicas.isBusy(ino, index)) continue;
        const stale = await call(peer, Api.ChunkRead, { key: chunkKey(ino, index, chunks.genOf(ino)), off: 0, len: 0, ver: rec.ver }, undefined, 10_000).then(
          () => false,
          (err: Error) => err instanceof FsError && err.errno === Errno.EL2NSYNC,
        );
        if (!stale || chunks.record(ino, index)?.ver !== rec.ver) continue;
        await replicas.replace(ino, index, new Set([id]), true);
      } catch (err) {
        this.deps.log(`chunk ${index} of inode ${ino}: stale replica on ${id} not replaced: ${(err as Error).message}`);
      } finally {
        this.stale.set(id, Math.max(0, (this.stale.get(id) ?? 1) - 1));
      }
    }
  }
}
