/**
 * The manager's state machine with its log: run(op) applies an operation to the state and queues it for
 * the log; operations queued in the same tick go out as one append (group commit: one fdatasync);
 * synced() resolves once everything applied so far is durable, so a reply waits for its own records.
 * Without a log the state is volatile and synced() resolves at once.
 */
import { FsError } from '../../errors';
import type { MetaLog } from '../log/meta-log';
import { MetaState, OpResults } from './meta-state';
import { MetaOp, toOp } from './ops';
import { LoggedChunkMap, LoggedNamespace } from './logged-views';

export interface MetaStoreOptions {
  /** Permission bits of the root directory of a fresh pool. */
  rootMode: number;
  /** Limits of the namespace (inodes, xattr bytes). */
  limits?: ConstructorParameters<typeof MetaState>[1];
  /** Records between snapshots (default 20000). */
  snapshotEvery?: number;
  /** Called once when the log fails (a write, a sync or leadership): the state is then ahead of the log. */
  onFailure?: (err: Error) => void;
}

/** What opening a log found. */
export interface OpenResult {
  snapshotSeq: number;
  replayed: number;
  lastSeq: number;
}

interface Waiter {
  upTo: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** The logged state and its group-committing writer. */
export class MetaStore {
  readonly state: MetaState;
  /** The namespace with the manager's method names; each change becomes a logged operation. */
  readonly ns: LoggedNamespace;
  /** The chunk map with the manager's method names; each change becomes a logged operation. */
  readonly chunks: LoggedChunkMap;
  private log: MetaLog | null = null;
  private pending: MetaOp[] = [];
  private applied = 0;
  private durable = 0;
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  private failed: Error | null = null;
  private sinceSnapshot = 0;
  /** Seq of the last durable record. */
  private seq = 0;

  constructor(private readonly opts: MetaStoreOptions) {
    this.state = new MetaState(opts.rootMode, opts.limits);
    this.ns = new LoggedNamespace(this);
    this.chunks = new LoggedChunkMap(this);
  }

  /** True when changes go to a log (false: volatile metadata). */
  get durableLog(): boolean {
    return this.log !== null;
  }

  /** Seq of the last record known durable (for status). */
  get position(): number {
    return this.seq;
  }

  /** Rebuilds the state from the log's snapshot and records, then logs this start (raising the epoch floor). */
  async open(log: MetaLog | null): Promise<OpenResult> {
    let result: OpenResult = { snapshotSeq: 0, replayed: 0, lastSeq: 0 };
    if (log) {
      const loaded = await log.load();
      if (loaded.snapshot) this.state.importImage(loaded.snapshot.state);
      let last = loaded.snapshot?.seq ?? 0;
      for (const r of loaded.records) {
        try {
          this.state.apply(toOp(r.op));
        } catch (err) {
          throw new Error(`replaying record ${r.seq} (${JSON.stringify(r.op).slice(0, 200)}): ${(err as Error).message}`, { cause: err });
        }
        last = r.seq;
      }
      this.log = log;
      this.seq = last;
      this.sinceSnapshot = loaded.records.length;
      result = { snapshotSeq: loaded.snapshot?.seq ?? 0, replayed: loaded.records.length, lastSeq: last };
    }
    this.run({ op: 'start', now: Date.now() });
    await this.synced();
    return result;
  }

  /**
   * Starts appending to log after the state was brought up to seq by other means (a standby that followed the
   * log and just took over): no reload; logs this start like open() does.
   */
  async openApplied(log: MetaLog, seq: number): Promise<void> {
    this.log = log;
    this.seq = seq;
    this.sinceSnapshot = 0;
    this.run({ op: 'start', now: Date.now() });
    await this.synced();
  }

  /** Applies an operation and queues it for the log; throws (logging nothing) if it is not valid now. */
  run<K extends MetaOp['op']>(op: Extract<MetaOp, { op: K }>): OpResults[K] {
    if (this.failed) throw new FsError('EIO', `metadata log failed: ${this.failed.message}`);
    const result = this.state.apply<K>(op);
    if (this.log) {
      this.pending.push(op);
      this.applied++;
      if (!this.flushing) this.flushing = new Promise<void>((r) => setImmediate(r)).then(() => this.flush());
    }
    return result;
  }

  /** Resolves once every operation applied so far is durable; rejects (EIO) if the log failed. */
  synced(): Promise<void> {
    if (this.failed) return Promise.reject(new FsError('EIO', `metadata log failed: ${this.failed.message}`));
    if (this.durable >= this.applied) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ upTo: this.applied, resolve, reject }));
  }

  /** Writes what is pending and a final snapshot, then closes the log. */
  async close(): Promise<void> {
    const log = this.log;
    if (!log) return;
    await this.synced().catch(() => undefined);
    await this.flushing;
    if (!this.failed) await log.saveSnapshot({ seq: this.seq, state: this.state.exportImage() }).catch(() => undefined);
    this.log = null;
    await log.close();
  }

  /** Appends pending operations batch by batch until none are left; snapshots every snapshotEvery records. */
  private async flush(): Promise<void> {
    const log = this.log;
    while (log && this.pending.length > 0 && !this.failed) {
      const batch = this.pending;
      this.pending = [];
      // The state now is exactly the durable records plus this batch: the snapshot for the seq this append ends at.
      const every = this.opts.snapshotEvery ?? 20000;
      const image = this.sinceSnapshot + batch.length >= every ? this.state.exportImage() : null;
      try {
        this.seq = await log.append(batch);
      } catch (err) {
        this.fail(err as Error);
        break;
      }
      this.durable += batch.length;
      this.sinceSnapshot += batch.length;
      const ready = this.waiters.filter((w) => w.upTo <= this.durable);
      this.waiters = this.waiters.filter((w) => w.upTo > this.durable);
      for (const w of ready) w.resolve();
      if (image) {
        try {
          await log.saveSnapshot({ seq: this.seq, state: image });
          this.sinceSnapshot = 0;
        } catch (err) {
          this.fail(err as Error);
        }
      }
    }
    this.flushing = null;
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    const e = new FsError('EIO', `metadata log failed: ${err.message}`);
    for (const w of this.waiters) w.reject(e);
    this.waiters = [];
    this.opts.onFailure?.(err);
  }
}
