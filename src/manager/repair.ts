/**
 * Restores the replication factor: each chunk with fewer live replicas than wanted gets new ones (ReplicaSets
 * copies them under a new version, so open files are repaired too), once the nodes it lost have been away for the
 * grace period (they may come back). Chunks on a draining node are moved off it. Passes run when a node leaves
 * (after the grace), when one joins (under-replicated chunks get the new room at once), and periodically.
 */
import type { LoggedChunkMap } from './state/logged-views';
import type { Membership } from './membership';
import type { ReplicaSets } from './replicas';

export interface RepairDeps {
  chunks: Pick<LoggedChunkMap, 'forEach' | 'get'>;
  members: Membership;
  replicas: ReplicaSets;
  /** Replicas a chunk should have now (at most the live nodes). */
  wanted: () => number;
  /** Replicas a chunk should have in a whole pool (below it, a chunk counts as under-replicated). */
  target: () => number;
  /** Nodes being drained: every replica there moves elsewhere. */
  draining: () => ReadonlySet<string>;
  /** Called after each pass (drains that are over end). */
  afterPass?: () => void;
  /** Wait after a node leaves before copying (it may come back). */
  graceMs: number;
  /** When this manager started (nodes it never saw count as away since then). */
  startedAt: number;
  log: (msg: string) => void;
}

/** Chunks copied at once (the copy rate is paced by ReplicaSets). */
const LANES = 8;
/** A pass runs at least this often (a safety net for anything a trigger missed). */
const PERIODIC_MS = 15_000;

/** Re-replication of chunks that lost a replica, and draining. */
export class Repairer {
  private timer: NodeJS.Timeout | null = null;
  private due = Infinity;
  private running = false;
  private stopped = false;
  /** Chunks found under-replicated by the last pass and not repaired yet. */
  pending = 0;

  constructor(private readonly deps: RepairDeps) {}

  /** Chunk copies made so far (for status): exactly one per new replica recorded. */
  get copies(): number {
    return this.deps.replicas.counters.copies;
  }

  /** Schedules a repair pass after delayMs (default: the grace period a node that left gets). */
  schedule(delayMs = this.deps.graceMs): void {
    if (this.stopped) return;
    const at = Date.now() + delayMs;
    if (this.timer && at >= this.due) return;
    if (this.timer) clearTimeout(this.timer);
    this.due = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.due = Infinity;
      void this.pass();
    }, delayMs);
    this.timer.unref();
  }

  /** Stops pending passes. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** True when a replica's node is lost for good (away past the grace, or never seen since this start, past the grace). */
  private lost(id: string, now: number): boolean {
    const m = this.deps.members.get(id);
    if (m?.peer && !m.peer.closed) return false;
    const since = m ? m.downSince : this.deps.startedAt;
    return now - since >= this.deps.graceMs;
  }

  /** Counts chunks with fewer live replicas than the pool's replication factor. */
  underReplicated(): number {
    const wanted = this.deps.target();
    let n = 0;
    this.deps.chunks.forEach((_ino, _index, replicas) => {
      let live = 0;
      for (const id of replicas) if (this.deps.members.isAlive(id)) live++;
      if (live < wanted) n++;
    });
    return n;
  }

  private async pass(): Promise<void> {
    if (this.running) return this.schedule(1000);
    this.running = true;
    let again = false;
    try {
      const { chunks, members } = this.deps;
      const now = Date.now();
      const wanted = this.deps.wanted();
      const draining = this.deps.draining();
      const todo: Array<[number, number, Set<string>]> = [];
      let waiting = false;
      chunks.forEach((ino, index, replicas) => {
        const drop = new Set<string>();
        let live = 0;
        let away = false;
        for (const id of replicas) {
          if (members.isAlive(id)) {
            live++;
            if (draining.has(id)) drop.add(id);
          } else if (this.lost(id, now)) drop.add(id);
          else away = true;
        }
        if (away)
          waiting = true; // its node may come back within the grace: not yet
        else if (drop.size > 0 || live < wanted) todo.push([ino, index, drop]);
      });
      this.pending = todo.length;
      let next = 0;
      const lane = async () => {
        while (!this.stopped && next < todo.length) {
          const [ino, index, drop] = todo[next++]!; // next < todo.length was just checked
          try {
            const unreachable = [...drop].every((id) => !members.isAlive(id));
            await this.deps.replicas.replace(ino, index, drop, unreachable);
          } catch (err) {
            this.deps.log(`re-replicating chunk ${index} of inode ${ino}: ${(err as Error).message}`);
            again = true;
          }
          this.pending--;
        }
      };
      await Promise.all(Array.from({ length: LANES }, lane));
      if (waiting) again = true;
    } finally {
      this.running = false;
    }
    this.deps.afterPass?.();
    this.schedule(again ? 2000 : PERIODIC_MS);
  }
}
