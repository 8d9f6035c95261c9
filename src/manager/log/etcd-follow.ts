/**
 * A standby's view of the leader's log: reads what is stored from a seq on (at one
 * revision), then watches the log keys from the next revision, delivering each
 * record exactly once and in order. Any watch trouble (disconnect, compaction,
 * a batch that does not continue the sequence) restarts from a fresh read at the
 * next undelivered seq, so restarts neither lose nor repeat records. When the
 * records it needs were folded into a snapshot (the follower fell behind), it
 * delivers that snapshot first (onSnapshot), then the records after it.
 */
import { Etcd3, Range } from 'etcd3';
import { OneWatch, watchOnce } from './etcd-watch';
import { EtcdKeys, LogGapError, SnapshotPointer, parseBatch, parsePointer } from './etcd-keys';
import { LogRecord, Snapshot } from './meta-log';

/** What a follower is told. Calls are serialized: the next one waits for the previous one's promise. */
export interface FollowHandlers {
  /** Records in seq order, each exactly once. */
  onRecords(records: LogRecord[]): void | Promise<void>;
  /** The follower fell behind a snapshot: replace the state with this one (records after it follow). Without it, that case is an error. */
  onSnapshot?(snapshot: Snapshot): void | Promise<void>;
  /** Following stopped for good (a handler threw, or the log is inconsistent). */
  onError?(err: Error): void;
}

/** A running follow. */
export interface Follower {
  /** The last seq delivered (fromSeq - 1 before any). */
  position(): number;
  /** Resolves once every record up to seq has been delivered (and its handler returned). */
  caughtUp(seq: number, timeoutMs?: number): Promise<void>;
  /** Stops the watch; resolves when no handler runs any more. */
  stop(): Promise<void>;
  /** Resolves when the follower has stopped (by stop() or an error). */
  readonly stopped: Promise<void>;
}

/** What the follower reads through (EtcdLog). */
export interface LogSource {
  readonly client: Etcd3;
  readonly keys: EtcdKeys;
  readSnapshot(p: SnapshotPointer, revision: string): Promise<Snapshot>;
  readRecords(from: number, revision: string): Promise<LogRecord[]>;
}

/** A batch seen mid-watch does not continue the sequence: re-read from the next seq. */
class GapError extends Error {}
/** The log cannot be followed (records missing with no snapshot covering them): stop for good. */
class InconsistentLogError extends Error {}
/** A handler threw: stop for good and report it. */
class HandlerError extends Error {
  constructor(override readonly cause: Error) {
    super(`follow handler failed: ${cause.message}`);
  }
}

/** Runs a handler, wrapping what it throws so it is not mistaken for an etcd error worth retrying. */
async function callHandler(fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    throw new HandlerError(err as Error);
  }
}

/** Starts following src from fromSeq. */
export function followLog(src: LogSource, fromSeq: number, h: FollowHandlers): Follower {
  let next = fromSeq;
  let running = true;
  let watch: OneWatch | null = null;
  const waiters = new Set<{ seq: number; res: () => void }>();

  const notify = () => {
    for (const w of waiters) {
      if (next - 1 >= w.seq) {
        waiters.delete(w);
        w.res();
      }
    }
  };

  /** Delivers records at or after next, in order; ignores those already delivered; throws on a gap. */
  const deliver = async (records: LogRecord[]) => {
    const fresh = records.filter((r) => r.seq >= next);
    if (fresh.length === 0) return;
    if (fresh[0]!.seq !== next) throw new GapError(`expected record ${next}, got ${fresh[0]!.seq}`);
    await callHandler(() => h.onRecords(fresh));
    next = fresh[fresh.length - 1]!.seq + 1;
    notify();
  };

  /** One read-then-watch session; returns when the watch must be restarted. */
  const session = async () => {
    const ptrRes = await src.client.get(src.keys.snapshot).exec();
    const revision = ptrRes.header.revision;
    const ptrKv = ptrRes.kvs[0];
    const pointer = ptrKv ? parsePointer(ptrKv.value.toString()) : null;
    const headText = await src.client.get(src.keys.head).revision(revision).string();
    const head = headText === null ? 0 : Number(headText);
    let records: LogRecord[] = [];
    let behind: boolean;
    try {
      records = await src.readRecords(next, revision);
      behind = head >= next && records[0]?.seq !== next;
    } catch (err) {
      if (!(err instanceof LogGapError)) throw err;
      behind = true;
    }
    if (behind) {
      if (!pointer || pointer.seq < next) throw new InconsistentLogError(`etcd log is inconsistent: records from ${next} missing and no snapshot covers them`);
      if (!h.onSnapshot) throw new InconsistentLogError(`follower at seq ${next} fell behind the snapshot at ${pointer.seq} and has no onSnapshot handler`);
      const snap = await src.readSnapshot(pointer, revision);
      if (!running) return;
      await callHandler(() => h.onSnapshot!(snap));
      next = snap.seq + 1;
      notify();
      records = await src.readRecords(next, revision);
    }
    if (!running) return;
    await deliver(records);
    // watch from the revision after the read: every batch committed later arrives as a put
    let chain = Promise.resolve();
    let failed: Error | null = null;
    const w = watchOnce(src.client, Range.prefix(src.keys.log), String(BigInt(revision) + 1n), 'put', (events) => {
      for (const ev of events) {
        chain = chain.then(async () => {
          if (!running || failed) return;
          const last = src.keys.batchLastSeq(ev.kv.key.toString());
          const ops = parseBatch(ev.kv.value.toString());
          const first = last - ops.length + 1;
          await deliver(ops.map((op, i) => ({ seq: first + i, op })));
        });
        chain.catch((err: Error) => {
          failed ??= err;
          w.close();
        });
      }
    });
    watch = w;
    if (!running) w.close();
    const reason = await w.ended;
    watch = null;
    await chain.catch(() => undefined);
    failed ??= reason;
    if (failed) throw failed; // the loop decides: re-read (watch trouble, gap) or stop (handler failed)
  };

  let stopResolve!: () => void;
  const stopped = new Promise<void>((res) => (stopResolve = res));

  const loop = async () => {
    let backoff = 50;
    while (running) {
      try {
        await session();
        backoff = 50;
      } catch (err) {
        if (!running) break;
        const e = err as Error;
        if (e instanceof InconsistentLogError || e instanceof HandlerError) {
          running = false;
          h.onError?.(e);
          break;
        }
        await new Promise((res) => setTimeout(res, backoff));
        backoff = Math.min(2000, backoff * 2);
      }
    }
    for (const w of waiters) w.res();
    waiters.clear();
    stopResolve();
  };
  void loop();

  return {
    position: () => next - 1,
    caughtUp(seq, timeoutMs = 30000) {
      if (next - 1 >= seq) return Promise.resolve();
      return new Promise<void>((res, rej) => {
        const entry = {
          seq,
          res: () => {
            clearTimeout(t);
            if (next - 1 >= seq) res();
            else rej(new Error(`follower stopped at seq ${next - 1} before reaching ${seq}`));
          },
        };
        const t = setTimeout(() => {
          waiters.delete(entry);
          rej(new Error(`follower did not reach seq ${seq} within ${timeoutMs} ms (at ${next - 1})`));
        }, timeoutMs);
        waiters.add(entry);
      });
    },
    async stop() {
      running = false;
      watch?.close();
      await stopped;
    },
    stopped,
  };
}
