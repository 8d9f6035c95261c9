/**
 * The manager's operation log on etcd (`--meta etcd://…`): the elected leader
 * group-commits queued appends into one transaction per batch, guarded by its
 * campaign key (so a deposed leader can never append) and by the head's mod
 * revision plus the new batch key not existing (so seqs have no gap and no
 * duplicate); standbys load() and then follow() the log. Key layout: etcd-keys.ts.
 */
import { Etcd3, IOptions, ITxnResponse, Range, isRecoverableError } from 'etcd3';
import { EtcdKeys, LogGapError, SnapshotPointer, parseBatch, parsePointer } from './etcd-keys';
import { EtcdLeadership, LeaderGuard, NotLeaderError } from './etcd-leader';
import { EtcdTarget, parseEtcdUrl } from './etcd-url';
import { openEtcdClient } from './etcd-client';
import { FollowHandlers, Follower, followLog } from './etcd-follow';
import { Json, LoadedLog, LogRecord, MetaLog, Snapshot } from './meta-log';

export { NotLeaderError } from './etcd-leader';
export type { FollowHandlers, Follower } from './etcd-follow';

/** etcd refuses requests above 1.5 MiB by default (--max-request-bytes); a batch plus its transaction stays below. */
export const ETCD_MAX_REQUEST = 1.5 * 1024 * 1024;
/** Room left in a request for keys, compares and framing. */
const TXN_OVERHEAD = 4096;

/** One append() call (or a single-op record) is larger than one etcd request may carry. */
export class RecordTooLargeError extends Error {
  readonly code = 'E2BIG';
  constructor(bytes: number) {
    super(`log append of ${bytes} bytes exceeds etcd's request limit (${ETCD_MAX_REQUEST - TXN_OVERHEAD} bytes per batch)`);
    this.name = 'RecordTooLargeError';
  }
}

export interface EtcdLogOptions extends EtcdTarget {
  /** Lease TTL of the leader's campaign in seconds (default 5): a dead leader is replaced after about this long. */
  ttlSeconds?: number;
  /** Target size of one group-committed batch (default 1 MiB). */
  batchBytes?: number;
  /** Size of one snapshot chunk (default 1 MiB). */
  chunkBytes?: number;
  /** Compact etcd's revision history after each snapshot, up to the newest earlier snapshot at least compactAfterMs old (default true; etcd-wide, so disable on a shared etcd that compacts itself). */
  compact?: boolean;
  /** History a standby may lag by and still resume its watch without reloading a snapshot (default 60 s). */
  compactAfterMs?: number;
  /** Extra etcd3 client options (TLS credentials, auth). */
  client?: Partial<IOptions>;
}

interface Pending {
  json: string;
  count: number;
  resolve: (seq: number) => void;
  reject: (err: Error) => void;
}

/** What the leader knows of the log's tail: the last seq and the head key's mod revision ("0": no head yet). */
interface Tail {
  seq: number;
  headMod: string;
  pointer: SnapshotPointer | null;
  pointerMod: string;
}

/** Returns the value of the first kv of a range response inside a transaction, if any. */
function rangeValue(r: ITxnResponse, i: number): { value: string; mod: string } | null {
  const kv = r.responses[i]?.response_range?.kvs[0];
  return kv ? { value: kv.value.toString(), mod: kv.mod_revision } : null;
}

/** True for etcd's "required revision has been compacted". */
function isCompacted(err: unknown): boolean {
  return err instanceof Error && /compacted/i.test(err.message);
}

/**
 * The one transaction of an append: succeeds only if the writer's campaign key still exists with its
 * create revision (it still leads), the head is unchanged since the writer's last append (no other
 * writer, no gap) and the batch key is new (no duplicate). On failure it returns the campaign key,
 * the head and the batch key (responses 0..2) so the caller can tell a repeat of its own commit.
 */
export function guardedAppendTxn(client: Etcd3, keys: EtcdKeys, guard: LeaderGuard, headMod: string, lastSeq: number, value: string): Promise<ITxnResponse> {
  const key = keys.batch(lastSeq);
  return client
    .if(guard.key, 'Create', '==', guard.createRevision)
    .and(keys.head, 'Mod', '==', headMod)
    .and(key, 'Create', '==', 0)
    .then(client.put(key).value(value), client.put(keys.head).value(String(lastSeq)))
    .else(client.get(guard.key), client.get(keys.head), client.get(key))
    .commit();
}

/** A MetaLog on etcd with leader election. */
export class EtcdLog implements MetaLog {
  readonly client: Etcd3;
  readonly keys: EtcdKeys;
  readonly leadership: EtcdLeadership;
  private readonly batchBytes: number;
  private readonly chunkBytes: number;
  private readonly compact: boolean;
  private tail: Tail | null = null;
  private queue: Pending[] = [];
  private writing = false;
  private readonly compactAfterMs: number;
  /** Revisions of the snapshots this leader wrote that history has not been compacted to yet, oldest first. */
  private snapshotRevisions: { revision: string; at: number }[] = [];
  private followers = new Set<Follower>();
  private closed = false;
  private readonly where: string;

  constructor(opts: EtcdLogOptions) {
    this.where = `etcd ${opts.endpoints.join(',')} under ${opts.prefix}/`;
    this.keys = new EtcdKeys(opts.prefix);
    this.client = openEtcdClient(opts.endpoints, opts.client);
    this.leadership = new EtcdLeadership(this.client, this.keys, opts.ttlSeconds ?? 5);
    this.batchBytes = opts.batchBytes ?? 1024 * 1024;
    this.chunkBytes = opts.chunkBytes ?? 1024 * 1024;
    this.compact = opts.compact ?? true;
    this.compactAfterMs = opts.compactAfterMs ?? 60000;
    this.leadership.onLost((err) => this.failQueue(err));
  }

  /** Opens the log named by an etcd://HOST:PORT[,…]/PREFIX URL. */
  static fromUrl(url: string, opts: Omit<EtcdLogOptions, 'endpoints' | 'prefix'> = {}): EtcdLog {
    return new EtcdLog({ ...opts, ...parseEtcdUrl(url) });
  }

  // ---- leadership -------------------------------------------------------

  /**
   * Campaigns with advertise (the URL clients should reach this manager at); resolves once
   * elected with the log's head: apply every record up to head (load/follow) before appending.
   */
  async campaign(advertise: string): Promise<{ head: number }> {
    const guard = await this.leadership.campaign(advertise);
    try {
      this.tail = await this.readTail(guard);
    } catch (err) {
      this.leadership.lose(`reading the log head after election failed: ${(err as Error).message}`);
      throw err;
    }
    return { head: this.tail.seq };
  }

  /** True while this process leads (lease certainly alive). */
  isLeader(): boolean {
    return this.leadership.isLeader();
  }

  /** Registers cb for the loss of leadership; after it, append() rejects with NotLeaderError. */
  onLost(cb: (err: NotLeaderError) => void): () => void {
    return this.leadership.onLost(cb);
  }

  /** Steps down at once (revokes the lease) so a standby takes over without waiting for the TTL. */
  async resign(): Promise<void> {
    await this.leadership.resign();
  }

  /** The advertised URL of the current leader, or undefined. */
  leaderValue(): Promise<string | undefined> {
    return this.leadership.leaderValue();
  }

  /** Calls cb with the leader's URL now and on every change; resolves with a stop function. */
  observeLeader(cb: (url: string | undefined) => void): Promise<() => Promise<void>> {
    return this.leadership.observe(cb);
  }

  /** The seq of the last record in etcd (0 for an empty log). */
  async head(): Promise<number> {
    const r = await this.client.get(this.keys.head).string();
    return r === null ? 0 : Number(r);
  }

  /** Reads head and snapshot pointer in one transaction that also checks we still lead. */
  private async readTail(guard: LeaderGuard): Promise<Tail> {
    const r = await this.client.if(guard.key, 'Create', '==', guard.createRevision).then(this.client.get(this.keys.head), this.client.get(this.keys.snapshot)).commit();
    if (!r.succeeded) throw new NotLeaderError('campaign key gone before the first read');
    const head = rangeValue(r, 0);
    const ptr = rangeValue(r, 1);
    return { seq: head ? Number(head.value) : 0, headMod: head?.mod ?? '0', pointer: ptr ? parsePointer(ptr.value) : null, pointerMod: ptr?.mod ?? '0' };
  }

  // ---- MetaLog ----------------------------------------------------------

  /** Reads the newest snapshot and every record after it, all at one etcd revision (retried if compacted meanwhile). */
  async load(): Promise<LoadedLog> {
    for (let attempt = 0; ; attempt++) {
      try {
        const first = await this.client.get(this.keys.snapshot).exec();
        const revision = first.header.revision;
        const kv = first.kvs[0];
        const snapshot = kv ? await this.readSnapshot(parsePointer(kv.value.toString()), revision) : null;
        const from = snapshot ? snapshot.seq + 1 : 1;
        const records = await this.readRecords(from, revision);
        const headText = await this.client.get(this.keys.head).revision(revision).string();
        const head = headText === null ? 0 : Number(headText);
        const end = records.length > 0 ? records[records.length - 1]!.seq : from - 1;
        if (end !== head) throw new LogGapError(end + 1, head);
        return { snapshot, records };
      } catch (err) {
        if (!isCompacted(err) || attempt >= 5) throw err;
      }
    }
  }

  /** Reads the chunks of the snapshot a pointer names, at revision. */
  async readSnapshot(p: SnapshotPointer, revision: string): Promise<Snapshot> {
    const parts: Buffer[] = [];
    let start = this.keys.snapDir(p.seq);
    const end = Range.prefix(this.keys.snapDir(p.seq)).end;
    for (;;) {
      const page = await this.client.getAll().inRange(new Range(start, end)).revision(revision).limit(16).exec();
      for (const c of page.kvs) parts.push(c.value);
      const last = page.kvs[page.kvs.length - 1];
      if (!page.more || !last) break;
      start = last.key.toString() + '\0';
    }
    const text = Buffer.concat(parts);
    if (parts.length !== p.chunks || text.length !== p.bytes) throw new Error(`etcd snapshot at seq ${p.seq} is incomplete: ${parts.length}/${p.chunks} chunks, ${text.length}/${p.bytes} bytes`);
    return { seq: p.seq, state: JSON.parse(text.toString()) as Json };
  }

  /** Reads every record with seq >= from, at revision, in order; throws if the log does not start at from. */
  async readRecords(from: number, revision: string): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    let next = from;
    let start = this.keys.batch(from);
    const end = Range.prefix(this.keys.log).end;
    for (;;) {
      const page = await this.client.getAll().inRange(new Range(start, end)).revision(revision).limit(256).exec();
      for (const kv of page.kvs) {
        const last = this.keys.batchLastSeq(kv.key.toString());
        const ops = parseBatch(kv.value.toString());
        const firstSeq = last - ops.length + 1;
        if (firstSeq > next) throw new LogGapError(next, firstSeq - 1);
        ops.forEach((op, i) => {
          if (firstSeq + i >= next) out.push({ seq: firstSeq + i, op });
        });
        next = Math.max(next, last + 1);
      }
      const lastKv = page.kvs[page.kvs.length - 1];
      if (!page.more || !lastKv) break;
      start = lastKv.key.toString() + '\0';
    }
    return out;
  }

  /** Queues ops for the next group commit; resolves with the seq of the last once durable in etcd; rejects with NotLeaderError when not (or no longer) leading. */
  append(ops: Json[]): Promise<number> {
    if (this.closed) return Promise.reject(new NotLeaderError('log closed'));
    if (!this.leadership.isLeader() || !this.tail) return Promise.reject(new NotLeaderError(this.leadership.lostReason() ?? 'not elected'));
    const json = JSON.stringify(ops);
    const bytes = Buffer.byteLength(json);
    if (bytes > ETCD_MAX_REQUEST - TXN_OVERHEAD) return Promise.reject(new RecordTooLargeError(bytes));
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ json, count: ops.length, resolve, reject });
      void this.pump();
    });
  }

  /** Writes queued appends, one transaction at a time, each taking everything queued up to batchBytes. */
  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch: Pending[] = [];
        let bytes = 0;
        while (this.queue.length > 0) {
          const p = this.queue[0]!;
          if (batch.length > 0 && bytes + p.json.length > this.batchBytes) break;
          batch.push(p);
          bytes += p.json.length;
          this.queue.shift();
        }
        try {
          const seq = await this.commitBatch(batch);
          for (const p of batch) p.resolve(seq.get(p) ?? 0);
        } catch (err) {
          for (const p of batch) p.reject(err as Error);
          if (err instanceof NotLeaderError) this.failQueue(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** Rejects everything queued (leadership lost). */
  private failQueue(err: Error): void {
    const q = this.queue;
    this.queue = [];
    for (const p of q) p.reject(err);
  }

  /** Commits one batch as one guarded transaction; returns each call's last seq. Retries an unknown outcome while still leading. */
  private async commitBatch(batch: Pending[]): Promise<Map<Pending, number>> {
    const tail = this.tail;
    if (!tail) throw new NotLeaderError('not elected');
    const seqs = new Map<Pending, number>();
    let seq = tail.seq;
    const bodies: string[] = [];
    for (const p of batch) {
      seq += p.count;
      seqs.set(p, seq);
      if (p.count > 0) bodies.push(p.json.slice(1, -1));
    }
    if (seq === tail.seq) return seqs;
    const value = `[${bodies.join(',')}]`;
    for (let attempt = 0; ; attempt++) {
      const guard = this.leadership.guard();
      let r: ITxnResponse;
      try {
        r = await guardedAppendTxn(this.client, this.keys, guard, tail.headMod, seq, value);
      } catch (err) {
        // etcd refused the request itself (e.g. too large for its --max-request-bytes): nothing was applied
        if (!isRecoverableError(err as Error)) throw err;
        // Unknown outcome (etcd unreachable or timed out): try again while we still lead; the guards make a repeat harmless.
        if (!this.leadership.isLeader()) throw new NotLeaderError(`append outcome unknown and leadership lost: ${(err as Error).message}`);
        await new Promise((res) => setTimeout(res, Math.min(1000, 50 * 2 ** attempt)));
        continue;
      }
      // (spread the current tail, not the captured one: a snapshot may have moved its pointer meanwhile)
      if (r.succeeded) {
        this.tail = { ...(this.tail ?? tail), seq, headMod: r.header.revision };
        return seqs;
      }
      const head = rangeValue(r, 1);
      const mine = rangeValue(r, 2);
      if (head && head.value === String(seq) && mine && mine.value === value) {
        this.tail = { ...(this.tail ?? tail), seq, headMod: head.mod }; // an earlier try of this very batch went through: it is durable
        return seqs;
      }
      const why = rangeValue(r, 0) ? `the log moved under this leader (head ${head?.value ?? 'none'}, expected ${tail.seq})` : 'campaign key gone (lease revoked or expired)';
      this.leadership.lose(`append refused: ${why}`);
      throw new NotLeaderError(`append refused: ${why}`);
    }
  }

  /** Stores a snapshot in chunks (each write guarded by leadership), then points at it and drops the records and older snapshots it covers. */
  async saveSnapshot(s: Snapshot): Promise<void> {
    const guard = this.leadership.guard();
    const tail = this.tail;
    if (!tail) throw new NotLeaderError('not elected');
    if (s.seq > tail.seq) throw new Error(`snapshot at seq ${s.seq} is past the log head ${tail.seq}`);
    if (tail.pointer && s.seq <= tail.pointer.seq) return; // nothing newer to keep
    const text = Buffer.from(JSON.stringify(s.state));
    const chunks = Math.max(1, Math.ceil(text.length / this.chunkBytes));
    for (let i = 0; i < chunks; i++) {
      const part = text.subarray(i * this.chunkBytes, (i + 1) * this.chunkBytes);
      const r = await this.client
        .if(guard.key, 'Create', '==', guard.createRevision)
        .then(this.client.put(this.keys.snapChunk(s.seq, i)).value(part))
        .commit();
      if (!r.succeeded) {
        this.leadership.lose('snapshot write refused: campaign key gone');
        throw new NotLeaderError('snapshot write refused');
      }
    }
    const pointer: SnapshotPointer = { seq: s.seq, chunks, bytes: text.length };
    const r = await this.client
      .if(guard.key, 'Create', '==', guard.createRevision)
      .and(this.keys.snapshot, 'Mod', '==', tail.pointerMod)
      .then(
        this.client.put(this.keys.snapshot).value(JSON.stringify(pointer)),
        this.client.delete().range(new Range(this.keys.log, this.keys.batch(s.seq + 1))),
        this.client.delete().range(new Range(this.keys.snap, this.keys.snapDir(s.seq))),
      )
      .commit();
    if (!r.succeeded) {
      this.leadership.lose('snapshot pointer write refused');
      throw new NotLeaderError('snapshot pointer write refused (leadership lost or another writer)');
    }
    // appends may have moved the tail meanwhile: only the pointer fields change here
    if (this.tail) this.tail = { ...this.tail, pointer, pointerMod: r.header.revision };
    if (this.compact) await this.compactHistory(r.header.revision);
  }

  /** Compacts etcd's history up to the newest earlier snapshot older than compactAfterMs (a standby lagging less resumes its watch). */
  private async compactHistory(revision: string): Promise<void> {
    const now = Date.now();
    this.snapshotRevisions.push({ revision, at: now });
    let target: string | null = null;
    while (this.snapshotRevisions.length > 1 && this.snapshotRevisions[0]!.at <= now - this.compactAfterMs) target = this.snapshotRevisions.shift()!.revision;
    if (target) await this.client.kv.compact({ revision: target }).catch(() => undefined);
  }

  /** Delivers every record from fromSeq on, in order and exactly once, first those stored and then new ones as they commit (see etcd-follow.ts). */
  follow(fromSeq: number, handlers: FollowHandlers | ((records: LogRecord[]) => void | Promise<void>)): Follower {
    const h: FollowHandlers = typeof handlers === 'function' ? { onRecords: handlers } : handlers;
    const f = followLog(this, fromSeq, h);
    this.followers.add(f);
    void f.stopped.then(() => this.followers.delete(f));
    return f;
  }

  /** The etcd revision of this leader's last append (the head's mod revision), for `mempool status`. */
  revision(): string | undefined {
    return this.tail?.headMod;
  }

  /** The managers campaigning on this prefix (their advertised URLs), the leader first, the next in line after it. */
  async managers(): Promise<{ leader?: string; standbys: string[] }> {
    const r = await this.client.getAll().prefix(this.keys.election).sort('Create', 'Ascend').limit(64).exec();
    const urls = r.kvs.map((kv) => kv.value.toString());
    return { leader: urls[0], standbys: urls.slice(1) };
  }

  /** Where the log lives and who writes it, for `mempool status`. */
  describe(): string {
    return `${this.where}${this.isLeader() ? ' (leader)' : ''}`;
  }

  /** Stops followers, resigns (a standby takes over at once) and closes the client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.followers].map((f) => f.stop()));
    await this.leadership.close().catch(() => undefined);
    this.failQueue(new NotLeaderError('log closed'));
    this.client.close();
  }
}
