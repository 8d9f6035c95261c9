/**
 * Where the manager's state machine keeps its operation log: every change to the
 * namespace, chunk map, epochs and counters is a record appended here before its
 * reply; a snapshot plus the records after it rebuild the state exactly.
 * Implementations: a local journal (--data-dir) and etcd (--meta etcd://…).
 */

/** A JSON value a record or snapshot may hold. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One logged operation: its position in the log (1, 2, …, never reused) and its body. */
export interface LogRecord {
  seq: number;
  op: Json;
}

/** A snapshot of the whole state, covering every record up to and including seq. */
export interface Snapshot {
  seq: number;
  state: Json;
}

/** What a log holds when it is opened: the newest snapshot (if any) and every record after it, in order. */
export interface LoadedLog {
  snapshot: Snapshot | null;
  records: LogRecord[];
}

/** A durable, ordered log of operation records with snapshots. */
export interface MetaLog {
  /** Reads the newest snapshot and the records after it. */
  load(): Promise<LoadedLog>;
  /** Appends ops in order (one group commit); resolves with the seq of the last once all are durable; rejects if this writer may no longer append (etcd: leadership lost). */
  append(ops: Json[]): Promise<number>;
  /** Stores a snapshot; records at or below its seq may then be dropped. */
  saveSnapshot(snapshot: Snapshot): Promise<void>;
  /** Releases files, leases and connections. */
  close(): Promise<void>;
  /** Where the log lives, for `mempool status` (e.g. "journal in /var/lib/mempool"). */
  describe?(): string;
  /** etcd: the revision of the last append, for `mempool status`. */
  revision?(): string | undefined;
  /** etcd: the managers campaigning on this log, leader first, as they advertise themselves. */
  managers?(): Promise<{ leader?: string; standbys: string[] }>;
}
