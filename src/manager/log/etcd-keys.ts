/**
 * Key layout of one pool's metadata in etcd, under "PREFIX/":
 *   election/leader/<lease id>  campaign keys (value: the candidate's advertised URL; lowest create revision leads)
 *   head                        seq of the last appended record (decimal)
 *   log/<last seq, 16 digits>   one group-committed batch: JSON array of its ops, the last one at <last seq>
 *   snapshot                    pointer to the newest snapshot: JSON {seq, chunks, bytes}
 *   snap/<seq, 16 digits>/<i>   the snapshot's JSON text in chunks of at most ~1 MiB (etcd's request limit is 1.5 MiB)
 * Batches are keyed by their LAST seq so a snapshot at seq S drops every batch wholly covered with one range delete.
 */
import { Json } from './meta-log';

/** Largest seq a key can hold (JS numbers are exact up to 2^53). */
const SEQ_DIGITS = 16;

/** Zero-pads a seq so keys sort in seq order. */
export function padSeq(seq: number): string {
  return String(seq).padStart(SEQ_DIGITS, '0');
}

/** The key names of one pool. */
export class EtcdKeys {
  readonly root: string;
  readonly election: string;
  readonly head: string;
  readonly log: string;
  readonly snapshot: string;
  readonly snap: string;

  constructor(prefix: string) {
    this.root = `${prefix}/`;
    this.election = `${this.root}election/leader/`;
    this.head = `${this.root}head`;
    this.log = `${this.root}log/`;
    this.snapshot = `${this.root}snapshot`;
    this.snap = `${this.root}snap/`;
  }

  /** Key of the batch whose last record is seq. */
  batch(lastSeq: number): string {
    return this.log + padSeq(lastSeq);
  }

  /** Folder of the chunks of the snapshot at seq. */
  snapDir(seq: number): string {
    return `${this.snap}${padSeq(seq)}/`;
  }

  /** Key of chunk i of the snapshot at seq. */
  snapChunk(seq: number, i: number): string {
    return this.snapDir(seq) + String(i).padStart(6, '0');
  }

  /** Last seq of a batch from its key; NaN for a key that is not a batch. */
  batchLastSeq(key: string): number {
    if (!key.startsWith(this.log)) return NaN;
    const s = key.slice(this.log.length);
    return /^\d{16}$/.test(s) ? Number(s) : NaN;
  }
}

/** The log does not hold the records asked for (they were folded into a snapshot, or the store is damaged). */
export class LogGapError extends Error {
  constructor(from: number, to: number) {
    super(`etcd log has no records ${from}..${to}`);
    this.name = 'LogGapError';
  }
}

/** The snapshot pointer stored at PREFIX/snapshot. */
export interface SnapshotPointer {
  seq: number;
  chunks: number;
  bytes: number;
}

/** Parses a snapshot pointer; throws on anything malformed (a corrupt store must not be half-read). */
export function parsePointer(text: string): SnapshotPointer {
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null) throw new Error('etcd snapshot pointer is not an object');
  const o = v as Record<string, unknown>;
  const { seq, chunks, bytes } = o;
  if (typeof seq !== 'number' || typeof chunks !== 'number' || typeof bytes !== 'number') throw new Error(`etcd snapshot pointer is malformed: ${text}`);
  return { seq, chunks, bytes };
}

/** Parses a batch value: its ops in order. */
export function parseBatch(text: string): Json[] {
  const v: unknown = JSON.parse(text);
  if (!Array.isArray(v)) throw new Error('etcd log batch is not a JSON array');
  return v as Json[];
}
