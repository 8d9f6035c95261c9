/**
 * Leader election among the managers of one pool on etcd: each candidate puts a
 * key under PREFIX/election/leader/ bound to its own TTL lease; the key with the
 * lowest create revision leads (the algorithm of etcd's Go concurrency package,
 * same key layout as the etcd3 Election so its observers work too). The leader's
 * key and its create revision guard every write (see etcd-log.ts). Leadership is
 * lost, once and for good for this campaign, when the lease is lost, the key
 * disappears, a guarded write is refused, or no keepalive has been confirmed for
 * a whole TTL (a paused process steps down as soon as it runs again, before etcd says so).
 */
import { EventEmitter } from 'events';
import { performance } from 'perf_hooks';
import { Etcd3, Lease, Range } from 'etcd3';
import { OneWatch, keyRange, watchOnce } from './etcd-watch';
import { EtcdKeys } from './etcd-keys';

/** This process is not (or no longer) the leader: it may not append. */
export class NotLeaderError extends Error {
  readonly code = 'ENOTLEADER';
  constructor(why: string) {
    super(`not the metadata leader: ${why}`);
    this.name = 'NotLeaderError';
  }
}

/** What guards a leader's writes: its campaign key must still exist with this create revision. */
export interface LeaderGuard {
  key: string;
  createRevision: string;
}

type State = 'idle' | 'campaigning' | 'leader' | 'lost' | 'closed';

/** One candidate's campaign (re-usable: campaign() again after losing). */
export class EtcdLeadership extends EventEmitter {
  private state: State = 'idle';
  private lease: Lease | null = null;
  private guardValue: LeaderGuard | null = null;
  /** performance.now() until which the lease is certainly alive (a keepalive sent before it was confirmed). */
  private validUntil = 0;
  private fired: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private keyWatch: OneWatch | null = null;
  private waitWatch: OneWatch | null = null;
  private abortCampaign: ((err: Error) => void) | null = null;
  private lostWhy: string | null = null;

  constructor(
    private readonly client: Etcd3,
    private readonly keys: EtcdKeys,
    private readonly ttlSeconds: number,
  ) {
    super();
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 2) throw new RangeError(`leader TTL must be an integer >= 2 s, got ${ttlSeconds}`);
  }

  /** Registers cb for the loss of leadership (fired once per term, with the reason). */
  onLost(cb: (err: NotLeaderError) => void): () => void {
    this.on('lost', cb);
    return () => this.off('lost', cb);
  }

  /** Why the last term or campaign ended, or null while leading / before any loss. */
  lostReason(): string | null {
    return this.state === 'lost' ? this.lostWhy : null;
  }

  /** True while this process leads and its lease is certainly alive (checked against the clock, not only a flag). */
  isLeader(): boolean {
    if (this.state !== 'leader') return false;
    if (performance.now() >= this.validUntil) {
      this.lose('no keepalive confirmed within the lease TTL');
      return false;
    }
    return true;
  }

  /** The guard of the current term; throws NotLeaderError when not leading. */
  guard(): LeaderGuard {
    if (!this.isLeader() || !this.guardValue) throw new NotLeaderError(this.lostReason() ?? 'not elected');
    return this.guardValue;
  }

  /** Campaigns with value (the URL clients should use); resolves once elected, rejects if the lease is lost or resign()/close() is called first. */
  async campaign(value: string): Promise<LeaderGuard> {
    if (this.state === 'campaigning' || this.state === 'leader') throw new Error('already campaigning');
    if (this.state === 'closed') throw new Error('leadership closed');
    this.state = 'campaigning';
    const aborted = new Promise<never>((_, rej) => {
      this.abortCampaign = rej;
    });
    aborted.catch(() => undefined);
    try {
      const guard = await Promise.race([this.runCampaign(value), aborted]);
      if (this.state !== 'campaigning') throw new NotLeaderError('campaign ended');
      this.guardValue = guard;
      this.state = 'leader';
      this.emit('elected', guard);
      return guard;
    } catch (err) {
      if (this.state === 'campaigning') this.lose(`campaign failed: ${(err as Error).message}`);
      throw err instanceof NotLeaderError ? err : new NotLeaderError((err as Error).message);
    } finally {
      this.abortCampaign = null;
      await this.stopWaitWatch();
    }
  }

  /** Grants the lease, puts the campaign key and waits for every older candidate's key to go. */
  private async runCampaign(value: string): Promise<LeaderGuard> {
    const t0 = performance.now();
    const lease = this.client.lease(this.ttlSeconds);
    this.lease = lease;
    lease.on('lost', (err) => this.lose(`etcd lease lost: ${err.message}`));
    lease.on('keepaliveEstablished', () => {
      this.fired = [];
    });
    lease.on('keepaliveFired', () => {
      this.fired.push(performance.now());
    });
    lease.on('keepaliveSucceeded', () => {
      const sent = this.fired.shift();
      if (sent !== undefined) this.extend(sent);
    });
    const id = await lease.grant();
    this.extend(t0);
    const key = this.keys.election + id;
    const put = await this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(value).lease(id)).else(this.client.get(key)).commit();
    const createRevision = put.succeeded ? put.header.revision : (put.responses[0]?.response_range.kvs[0]?.create_revision ?? '0');
    if (createRevision === '0') throw new NotLeaderError('campaign key vanished at once');
    void this.watchOwnKey(key, put.header.revision);
    for (;;) {
      const older = await this.client
        .getAll()
        .prefix(this.keys.election)
        .maxCreateRevision(String(BigInt(createRevision) - 1n))
        .sort('Create', 'Descend')
        .limit(1)
        .exec();
      const first = older.kvs[0];
      if (!first) break;
      await this.waitDeleted(first.key.toString(), older.header.revision);
    }
    return { key, createRevision };
  }

  /** Loses leadership when our own key is deleted (lease revoked or expired in etcd); re-watches across etcd restarts. */
  private async watchOwnKey(key: string, revision: string): Promise<void> {
    let rev = revision;
    while (this.state === 'campaigning' || this.state === 'leader') {
      const w = watchOnce(this.client, keyRange(key), String(BigInt(rev) + 1n), 'delete', () => this.lose('campaign key deleted (lease revoked or expired)'));
      this.keyWatch = w;
      const why = await w.ended;
      if (why === null || !(this.state === 'campaigning' || this.state === 'leader')) return;
      await new Promise((r) => setTimeout(r, 100));
      try {
        const now = await this.client.get(key).exec();
        if (now.kvs.length === 0) return this.lose('campaign key gone (lease revoked or expired)');
        rev = now.header.revision;
      } catch {
        // etcd unreachable: keep trying; the keepalive watchdog ends the term if this lasts a TTL
      }
    }
  }

  /** Resolves once key is deleted (watching from the revision it was seen at; re-checks after any watch trouble). */
  private async waitDeleted(key: string, revision: string): Promise<void> {
    let rev = revision;
    for (;;) {
      let deleted!: () => void;
      const gone = new Promise<void>((res) => (deleted = res));
      const w = watchOnce(this.client, keyRange(key), String(BigInt(rev) + 1n), 'delete', () => deleted());
      this.waitWatch = w;
      try {
        const outcome = await Promise.race([gone.then(() => 'deleted' as const), w.ended.then((e) => e ?? ('closed' as const))]);
        if (outcome === 'deleted') return;
        if (outcome === 'closed') throw new NotLeaderError('campaign ended');
      } finally {
        w.close();
        this.waitWatch = null;
      }
      if (this.state !== 'campaigning') throw new NotLeaderError('campaign ended');
      const now = await this.client.get(key).exec();
      if (now.kvs.length === 0) return;
      rev = now.header.revision;
    }
  }

  private async stopWaitWatch(): Promise<void> {
    this.waitWatch?.close();
    this.waitWatch = null;
  }

  /** Moves the validity deadline to sent + TTL (a keepalive sent at `sent` was confirmed) and re-arms the watchdog. */
  private extend(sent: number): void {
    this.validUntil = Math.max(this.validUntil, sent + this.ttlSeconds * 1000);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.isLeader(), Math.max(0, this.validUntil - performance.now()) + 1);
    this.timer.unref();
  }

  /** Ends the current term or campaign: emits 'lost' once and revokes the lease so a successor need not wait for its TTL. */
  lose(why: string): void {
    if (this.state !== 'leader' && this.state !== 'campaigning') return;
    const wasLeader = this.state === 'leader';
    this.state = 'lost';
    this.lostWhy = `leadership lost: ${why}`;
    const err = new NotLeaderError(why);
    this.abortCampaign?.(err);
    void this.release(true);
    if (wasLeader) this.emit('lost', err);
  }

  /** Stops timers and watches and (if revoke) revokes the lease; never throws. */
  private async release(revoke: boolean): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.guardValue = null;
    const lease = this.lease;
    this.lease = null;
    this.keyWatch?.close();
    this.keyWatch = null;
    await Promise.all([this.stopWaitWatch(), lease ? (revoke ? lease.revoke().catch(() => lease.release()) : Promise.resolve(lease.release())) : undefined]);
  }

  /** Steps down (or stops campaigning) on purpose: revokes the lease so a standby takes over at once. */
  async resign(): Promise<void> {
    if (this.state === 'leader' || this.state === 'campaigning') {
      const wasLeader = this.state === 'leader';
      this.state = 'idle';
      this.abortCampaign?.(new NotLeaderError('resigned'));
      if (wasLeader) this.emit('lost', new NotLeaderError('resigned'));
    }
    await this.release(true);
  }

  /** Resigns and refuses any further campaign. */
  async close(): Promise<void> {
    await this.resign();
    this.state = 'closed';
  }

  /** The advertised value of the current leader, or undefined when there is none. */
  async leaderValue(): Promise<string | undefined> {
    const r = await this.client.getAll().prefix(this.keys.election).sort('Create', 'Ascend').limit(1).exec();
    return r.kvs[0]?.value.toString();
  }

  /** Calls cb with the leader's value now and whenever it changes (undefined: no leader); returns a stop function. */
  async observe(cb: (value: string | undefined) => void): Promise<() => Promise<void>> {
    let last: string | undefined | null = null;
    let stopped = false;
    let current: OneWatch | null = null;
    /** Reads the leader and returns the revision of the read. */
    const read = async (): Promise<string> => {
      const r = await this.client.getAll().prefix(this.keys.election).sort('Create', 'Ascend').limit(1).exec();
      const v = r.kvs[0]?.value.toString();
      if (!stopped && v !== last) {
        last = v;
        cb(v);
      }
      return r.header.revision;
    };
    let revision = await read();
    const loop = async () => {
      while (!stopped) {
        const w = watchOnce(this.client, Range.prefix(this.keys.election), String(BigInt(revision) + 1n), 'all', () => w.close());
        current = w;
        if (stopped) w.close();
        const why = await w.ended;
        if (stopped) return;
        if (why) await new Promise((r) => setTimeout(r, 200));
        try {
          revision = await read();
        } catch {
          // etcd unreachable: try again after the pause above
        }
      }
    };
    const running = loop();
    return async () => {
      stopped = true;
      current?.close();
      await running;
    };
  }
}
