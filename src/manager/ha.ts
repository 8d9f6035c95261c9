/**
 * A manager on etcd (`--meta etcd://…`) among several: it stands by until elected, then serves.
 * Standing by, it answers every connection with a hello that says it is a standby and names the
 * leader (the dialing side goes there), and follows the log into the Manager's state as records
 * commit. Once elected it only catches up to the log's head, stops following and hands the
 * state to the Manager, which opens the log for appending without a reload and listens on the
 * same address. Losing leadership later is reported through onLost: the caller must stop serving
 * at once (the CLI exits non-zero; a supervisor restarts it as a standby).
 */
import { Hello, listen, Listener, RoleSecrets } from '../../transport';
import type { EtcdLog, Follower } from './log/etcd-log';
import type { Manager } from './manager';
import { toOp } from './state/ops';

export interface LeadershipOptions {
  log: EtcdLog;
  /** The manager to start once elected; its state is filled by following the log meanwhile. */
  manager: Manager;
  host: string;
  port: number;
  /** The secret of each role (a standby answers every role the leader serves). */
  secret: RoleSecrets;
  tlsCert?: string;
  tlsKey?: string;
  /** The URL other managers tell clients to reach this one at (default: the listening URL). */
  advertise?: string;
  /** Leadership lost after election, or following the log failed: stop serving at once. */
  onLost: (err: Error) => void;
  say?: (msg: string) => void;
}

/** How long an elected standby may take to apply the records up to the head before giving up. */
const CATCH_UP_MS = 60_000;

/** Campaign, follow and takeover of one manager on etcd. */
export class Leadership {
  private listener: Listener | null = null;
  private follower: Follower | null = null;
  private stopObserving: (() => Promise<void>) | null = null;
  private readonly say: (msg: string) => void;
  /** The URL this manager advertises (known once the standby listener is up). */
  advertised = '';
  /** The last other manager seen leading, and when its leadership was seen to end (for the takeover's figures). */
  private lastLeader: string | undefined;
  private leaderGoneAt: number | null = null;

  constructor(private readonly opts: LeadershipOptions) {
    this.say = opts.say ?? ((m) => console.error(m));
  }

  /** Starts standing by: listens (answering as a standby), follows the log, watches who leads. Resolves with the standby's URL. */
  async standBy(): Promise<string> {
    const { opts } = this;
    // The listener keeps this object and sends it in every handshake: updating leader changes what later peers are told.
    const hello: Hello = { role: 'manager', standby: true };
    this.listener = await listen({ host: opts.host, port: opts.port, secret: opts.secret, tlsCert: opts.tlsCert, tlsKey: opts.tlsKey, maxPayload: 64 * 1024, hello, log: this.say });
    this.listener.on('peer', (peer: { close(reason?: string): void }) => peer.close('standby manager: go to the leader'));
    this.advertised = opts.advertise ?? this.listener.url;
    const state = opts.manager.meta.state;
    this.follower = opts.log.follow(1, {
      onSnapshot: (s) => state.importImage(s.state),
      onRecords: (records) => {
        for (const r of records) state.apply(toOp(r.op));
      },
      onError: (err) => opts.onLost(new Error(`following the metadata log failed: ${err.message}`)),
    });
    this.stopObserving = await opts.log.observeLeader((url) => {
      if (url && url !== this.advertised) hello.leader = url;
      else delete hello.leader;
      if (url && url !== this.advertised) {
        this.lastLeader = url;
        this.leaderGoneAt = null;
      } else if (this.lastLeader && this.leaderGoneAt === null) this.leaderGoneAt = Date.now();
      if (url !== this.advertised) this.say(`standby: the leader is ${url ?? 'not elected yet'}`);
    });
    return this.listener.url;
  }

  /** Campaigns; once elected, catches up to the head, stops following and starts the manager on the log without a reload. */
  async lead(): Promise<void> {
    const { opts } = this;
    const follower = this.follower;
    const listener = this.listener;
    if (!follower || !listener) throw new Error('standBy() first');
    const { head } = await opts.log.campaign(this.advertised);
    opts.log.onLost((err) => opts.onLost(err));
    const t0 = Date.now();
    const since = this.leaderGoneAt ?? t0;
    const before = follower.position();
    await follower.caughtUp(head, CATCH_UP_MS);
    await follower.stop();
    const at = follower.position();
    this.follower = null;
    await this.stopObserving?.();
    this.stopObserving = null;
    const port = Number(new URL(listener.url).port);
    await listener.close();
    this.listener = null;
    await opts.manager.start({ appliedSeq: at, port, since, records: at - before, previous: this.lastLeader });
    this.say(`elected leader at record ${head}; serving ${Date.now() - t0} ms after the election`);
  }

  /** Stops standing by (a leader is stopped through its Manager). */
  async stop(): Promise<void> {
    await this.follower?.stop().catch(() => undefined);
    await this.stopObserving?.().catch(() => undefined);
    await this.listener?.close();
    this.follower = null;
    this.stopObserving = null;
    this.listener = null;
  }
}
