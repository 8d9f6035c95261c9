/**
 * The manager service: serves namespace calls and chunk placement to clients,
 * keeps the membership of memory nodes, and tells nodes to truncate or drop
 * chunk data when files shrink or die. The namespace, chunk map and epochs are
 * one state machine (MetaStore) changed only by logged operations; a reply to a
 * request that changed it is sent once its records are durable.
 */
import { FsError } from '../errors';
import { Attr, chunkKey, ChunkLocation, ClientStats, Cred, MetadataStatus, NodeInfo, PoolStatus, StartInfo, StatFs } from '../types';
import { Api, call, CallContext, contextOf, dispatcher, ONCE, Hello, listen, Listener, Meta, Msg, Peer, Reply, RoleSecrets, sealNodeAccess } from '../../transport';
import { uint as uintCheck } from '../../transport/check';
import { CAP_TTL_MS, MAX_CHUNK_SIZE, MAX_CLIENT_SECRETS, MAX_FILE_SIZE, RECLAIM_ALLOWANCE_MS, STATUS_CLIENTS_PAGE } from '../limits';
import { capKey, issueCap } from '../security/capability';
import { clientHandlers, nodeHandlers } from './handlers';
import { LeaseTable } from './lease-table';
import { LockTable } from './lock-table';
import { DirLeases } from './dir-leases';
import { Membership } from './membership';
import { Released } from './namespace';
import { O, S_IFDIR, S_IFMT, S_IFREG } from '../posix';
import { placementBound } from './placement-window';
import type { MetaLog } from './log/meta-log';
import { MetaStore } from './state/meta-store';
import { placeChunk, PlacementCandidate } from './placement';
import { Repairer } from './repair';
import { ReplicaSets } from './replicas';
import { Identities } from './identities';
import { Inventory } from './inventory';
import { MAY_READ, MAY_WRITE, need, openMask, ownerOrRoot, permits, ROOT, squash } from './access';

/** A secret clients may prove, and whether its holders' uid and gid 0 become nobody (root squashing per client secret). */
export interface ClientSecret {
  secret: string;
  squashRoot: boolean;
}

/** A group of a client's open handles named again after a reconnection: the file, how many, their access mode and credentials. */
export interface Reopened {
  ino: number;
  count: number;
  accmode: number;
  cred: Cred;
}

/** The secrets of each role the manager serves: clients (file system calls; one or more), memory nodes, operators (read-only status). */
export interface ManagerSecrets {
  clients: ClientSecret[];
  node: string;
  operator: string;
}

/** What the manager's listener checks: any one client secret, the node secret, the operator secret. */
export function roleSecretsOf(s: ManagerSecrets): RoleSecrets {
  return { client: s.clients.map((c) => c.secret), node: s.node, operator: s.operator };
}

/** Throws unless there is at least one client secret, at most MAX_CLIENT_SECRETS, and none is given twice (squashed and not would be ambiguous). */
export function checkClientSecrets(clients: readonly ClientSecret[]): void {
  if (clients.length === 0) throw new Error('the manager needs at least one client secret');
  if (clients.length > MAX_CLIENT_SECRETS) throw new Error(`at most ${MAX_CLIENT_SECRETS} client secrets`);
  if (new Set(clients.map((c) => c.secret)).size !== clients.length) throw new Error('the same client secret is given twice');
}

export interface ManagerOptions {
  host: string;
  port: number;
  /** One secret for every role, unless `secrets` names one per role. */
  secret: string;
  secrets?: ManagerSecrets;
  /** Largest capacity a memory node may declare: a larger one is cut to it (a node cannot take every placement). */
  maxNodeMemory?: number;
  tlsCert?: string;
  tlsKey?: string;
  /** Bytes per chunk (default 1 MiB). */
  chunkSize?: number;
  /** Replication factor; undefined means 2 when at least 2 nodes are up, else 1. */
  replicas?: number;
  /** Lease term in ms (default 5000); a silent holder loses its lease after term + margin. */
  leaseTermMs?: number;
  /** Clock-skew margin added to a silent holder's term (default 1000 ms). */
  leaseMarginMs?: number;
  /** How long a memory node may stay away before its chunks are copied elsewhere (default 30 s). */
  repairAfterMs?: number;
  /** Bytes per second re-replication and draining may copy (default 256 MiB/s). */
  repairBytesPerSec?: number;
  /** How often each memory node's inventory is reconciled with the chunk map (default 30 s). */
  reconcileMs?: number;
  /** Most live inodes (ENOSPC beyond, as tmpfs's nr_inodes). */
  maxFiles?: number;
  /** Most xattr bytes (names + values) of one inode, and of the whole pool: ENOSPC beyond. */
  maxXattrBytes?: number;
  maxXattrTotal?: number;
  /** Map uid and gid 0 of every client to nobody (65534), as NFS's root_squash, whatever its secret (see ClientSecret for one secret's holders). */
  squashRoot?: boolean;
  /** Where the metadata is logged (local journal or etcd); none: volatile metadata, lost when the manager stops. */
  metaLog?: MetaLog;
  /** Records between snapshots of the metadata (default 20000). */
  snapshotEvery?: number;
  /** Lifetime of the chunk capabilities handed out with Locate (default CAP_TTL_MS). */
  capTtlMs?: number;
  /** Called when the metadata log fails: the manager must stop answering (the CLI exits; a restart replays the log). */
  onLogFailure?: (err: Error) => void;
  log?: (msg: string) => void;
}

/** Message type numbers named in a MEMPOOL_FAULT_DROP_AFTER_APPLY list (comma-separated names of the message table, e.g. Mknod,Rename). */
function faultNames(list: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const name of (list ?? '').split(',').map((n) => n.trim())) {
    if (name && name in Msg) out.add(Msg[name as keyof typeof Msg]);
  }
  return out;
}

/** How long chunk lookups wait after a restart for the memory nodes that held chunks to register again. */
const NODE_RETURN_MS = 8_000;

/** A running manager. */
export class Manager {
  /** Namespace, chunk map and epochs: changed only through logged operations. */
  readonly meta: MetaStore;
  readonly ns: MetaStore['ns'];
  readonly chunks: MetaStore['chunks'];
  readonly members = new Membership();
  readonly chunkSize: number;
  private listener: Listener | null = null;
  /** Open counts per client link, released when the link drops. */
  private readonly opens = new Map<Peer, Map<number, number>>();
  /** Files each client link opened for writing (while any handle of the file stays open on it): their data may be written. */
  private readonly writable = new Map<Peer, Set<number>>();
  /** The current link of each client id (leases outlive links; recalls go to the newest). */
  private readonly clients = new Map<string, Peer>();
  /** Admission of peers: node URLs of the manager's scheme, ids bound to the process that proved them. */
  private readonly identities: Identities;
  /** Cache figures each client last reported with its lease heartbeat. */
  private readonly clientStats = new Map<string, ClientStats>();
  readonly leases: LeaseTable;
  /** flock and POSIX locks; a client's end when its session does (away longer than the lease term + margin). */
  readonly locks: LockTable;
  /** READ leases on directories: their holders answer lookups and stats of the entries themselves. */
  readonly dirs: DirLeases;
  readonly repairer: Repairer;
  /** Replica-set changes (replacement, re-replication, draining) under chunk versions. */
  readonly replicas: ReplicaSets;
  /** Orphan collection: each node's inventory against the chunk map. */
  readonly inventory: Inventory;
  private readonly log: (msg: string) => void;
  private orphanTimer: NodeJS.Timeout | null = null;
  /** Files whose data past their size is being cut now. */
  private readonly cutting = new Set<number>();
  /** The last placement candidates without draining nodes. */
  private placeCache: { from: PlacementCandidate[]; draining: number; list: PlacementCandidate[] } | null = null;
  /** Memory nodes the restored chunk map names that have not registered again since this start. */
  private readonly awaitedNodes = new Set<string>();
  /** Resolves once every awaited node is back, or the wait is over. */
  private nodesBack: Promise<void> = Promise.resolve();
  private onNodesReturned: () => void = () => undefined;
  /** Once the lease grace after a restart or takeover is over: the epoch below which every node refuses writes (0: none yet). */
  private fenceBelow = 0;
  /** How this manager came to serve (shown in status). */
  private started: StartInfo | null = null;
  /** First attempts of request ids still running: a retry that arrives meanwhile waits for the same outcome instead of running again. */
  private readonly running = new Map<string, Promise<Reply | void>>();
  /** Test hook (MEMPOOL_FAULT_DROP_AFTER_APPLY=Msg names): drops the link once per name after the call was applied and made durable, before its reply. */
  private readonly dropAfterApply = faultNames(process.env.MEMPOOL_FAULT_DROP_AFTER_APPLY);
  /** Signs chunk capabilities: derived from the node secret, which memory nodes hold and clients do not. */
  private readonly capKey: Buffer;

  constructor(private readonly opts: ManagerOptions) {
    this.chunkSize = opts.chunkSize ?? 1024 * 1024;
    if (!Number.isSafeInteger(this.chunkSize) || this.chunkSize < 4096 || this.chunkSize > MAX_CHUNK_SIZE || this.chunkSize % 4096) {
      throw new Error(`chunk size must be a multiple of 4 KiB between 4 KiB and ${MAX_CHUNK_SIZE / 1048576} MiB`);
    }
    if (opts.replicas !== undefined && (!Number.isInteger(opts.replicas) || opts.replicas < 1)) throw new Error('replicas must be an integer >= 1');
    this.log = opts.log ?? ((m) => console.error(m));
    this.identities = new Identities(opts.tlsCert ? 'wss' : 'ws');
    checkClientSecrets(this.secrets.clients);
    this.capKey = capKey(this.secrets.node);
    // The root is world-writable and sticky, like a fresh tmpfs (mode=1777): scratch space for every user.
    this.meta = new MetaStore({
      rootMode: 0o1777,
      limits: { maxFiles: opts.maxFiles, maxXattrBytes: opts.maxXattrBytes, maxXattrTotal: opts.maxXattrTotal },
      snapshotEvery: opts.snapshotEvery,
      onFailure: opts.onLogFailure ?? ((err) => this.log(`metadata log failed: ${err.message}`)),
    });
    this.ns = this.meta.ns;
    this.chunks = this.meta.chunks;
    this.leases = new LeaseTable({
      termMs: opts.leaseTermMs ?? 5000,
      marginMs: opts.leaseMarginMs ?? 1000,
      recall: (client, ino) => this.recall(client, ino),
      fence: (ino, epoch) => this.fence(ino, epoch),
      epochFloor: () => this.meta.state.epochFloor,
      onEpoch: (epoch) => this.meta.run({ op: 'epoch', epoch }),
    });
    this.dirs = new DirLeases({
      termMs: opts.leaseTermMs ?? 5000,
      marginMs: opts.leaseMarginMs ?? 1000,
      recall: (client, ino, names) => this.recallDir(client, ino, names),
    });
    this.locks = new LockTable({ sessionMs: (opts.leaseTermMs ?? 5000) + (opts.leaseMarginMs ?? 1000) });
    this.replicas = new ReplicaSets({
      chunks: this.chunks,
      members: this.members,
      chunkSize: this.chunkSize,
      wanted: () => this.effectiveReplicas(),
      excluded: () => this.meta.state.draining,
      synced: () => this.meta.synced(),
      copyBytesPerSec: opts.repairBytesPerSec ?? 256 * 1024 * 1024,
      log: this.log,
    });
    this.repairer = new Repairer({
      chunks: this.chunks,
      members: this.members,
      replicas: this.replicas,
      wanted: () => this.effectiveReplicas(),
      target: () => this.targetReplicas(),
      draining: () => this.meta.state.draining,
      afterPass: () => {
        for (const node of [...this.meta.state.draining]) this.drainDone(node); // a node that left mid-drain, emptied by repair
      },
      graceMs: opts.repairAfterMs ?? 30_000,
      startedAt: Date.now(),
      log: this.log,
    });
    this.inventory = new Inventory({
      chunks: this.chunks,
      members: this.members,
      replicas: this.replicas,
      chunkSize: this.chunkSize,
      sizeOf: (ino) => this.sizeOf(ino),
      beyondSize: (ino) => this.collectBeyond(ino),
      everyMs: opts.reconcileMs ?? 30_000,
      log: this.log,
    });
  }

  /** The URL clients and nodes connect to. */
  get url(): string {
    if (!this.listener) throw new Error('manager not started');
    return this.listener.url;
  }

  /**
   * Rebuilds the metadata from its log, then starts listening. With takeover (a standby elected), this.meta.state
   * already holds every record up to appliedSeq: the log is opened for appending without a reload, and the manager
   * listens on the standby's port.
   */
  async start(takeover?: { appliedSeq: number; port: number; since: number; records: number; previous?: string }): Promise<void> {
    const { metaLog } = this.opts;
    const appliedSeq = takeover?.appliedSeq;
    let records = takeover?.records ?? 0;
    if (metaLog && appliedSeq !== undefined) {
      await this.meta.openApplied(metaLog, appliedSeq);
      this.log(`metadata: took over at record ${appliedSeq} without a reload; ${this.ns.counts().inodes} inodes, epoch floor ${this.meta.state.epochFloor}`);
    } else {
      const loaded = await this.meta.open(metaLog ?? null);
      records = loaded.replayed;
      if (metaLog) this.log(`metadata: ${loaded.replayed} records replayed after snapshot ${loaded.snapshotSeq}; ${this.ns.counts().inodes} inodes, epoch floor ${this.meta.state.epochFloor}`);
    }
    const restarted = !!metaLog && this.meta.state.epochFloor > 1;
    // Leases granted before this start may still be held: no conflicting grant until they ran out or were reclaimed.
    if (metaLog && (appliedSeq !== undefined || this.ns.counts().inodes > 1)) {
      this.leases.startGrace(RECLAIM_ALLOWANCE_MS);
      this.fenceAfterGrace();
      this.locks.startGrace(RECLAIM_ALLOWANCE_MS); // and locks: until their holders reclaimed them or the grace ran out, nobody gets a new one
    }
    this.freeOrphansLater();
    this.awaitNodes();
    this.listener = await listen({
      host: this.opts.host,
      port: takeover?.port ?? this.opts.port,
      secret: roleSecretsOf(this.secrets),
      tlsCert: this.opts.tlsCert,
      tlsKey: this.opts.tlsKey,
      maxPayload: 40 * 1024 * 1024,
      hello: { role: 'manager', chunkSize: this.chunkSize },
      accept: (h) => this.identities.refusal(h),
      log: this.log,
    });
    this.listener.on('peer', (peer: Peer) => this.onPeer(peer));
    const at = Date.now();
    this.started = takeover
      ? { kind: 'takeover', at, durationMs: Math.max(0, at - takeover.since), records, ...(takeover.previous ? { previous: takeover.previous } : {}) }
      : { kind: restarted ? 'restart' : 'start', at, durationMs: Math.round(process.uptime() * 1000), records };
    if (!metaLog) this.log('metadata is volatile (no --data-dir): files and directories are lost when the manager stops');
    this.repairer.schedule(this.opts.repairAfterMs ?? 30_000);
  }

  /**
   * When the grace is over, leases from before this start that were not reclaimed have run out: every node then
   * refuses writes under an epoch below this run's floor, so a late holder's cached pages never land over newer data.
   */
  private fenceAfterGrace(): void {
    const timer = setTimeout(() => {
      this.fenceBelow = this.meta.state.epochFloor;
      for (const n of this.members.alive()) this.fenceNodeBelow(n.id);
    }, this.leases.graceLeftMs());
    timer.unref();
  }

  /** Tells one node the epoch below which it refuses writes (once the grace is over). */
  private fenceNodeBelow(id: string): void {
    const peer = this.members.get(id)?.peer;
    if (!this.fenceBelow || !peer || peer.closed) return;
    call(peer, Api.ChunkFenceBelow, { epoch: this.fenceBelow }, undefined, 5000).catch((err: Error) => this.log(`fence below epoch ${this.fenceBelow} on ${id}: ${err.message}`));
  }

  /** Logs a line (handlers report what an operator should see). */
  logLine(msg: string): void {
    this.log(msg);
  }

  /** Stops serving. */
  async stop(): Promise<void> {
    this.repairer.stop();
    this.inventory.stop();
    if (this.orphanTimer) clearTimeout(this.orphanTimer);
    await this.listener?.close();
    await this.meta.close();
  }

  /**
   * After a restart, chunk lookups wait (up to NODE_RETURN_MS, below a request timeout) for the memory nodes the chunk map names to
   * register again: without it a read would find every replica down, and a write would place a chunk anew
   * over data that is about to come back.
   */
  private awaitNodes(): void {
    this.chunks.forEach((_ino, _index, replicas) => {
      for (const id of replicas) this.awaitedNodes.add(id);
    });
    if (this.awaitedNodes.size === 0) return;
    this.nodesBack = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        if (this.awaitedNodes.size > 0) this.log(`memory nodes not back ${NODE_RETURN_MS / 1000} s after the start: ${[...this.awaitedNodes].join(', ')}`);
        this.awaitedNodes.clear();
        resolve();
      }, NODE_RETURN_MS);
      timer.unref();
      this.onNodesReturned = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * Inodes restored without any link were open somewhere when the manager stopped: their holders get a
   * grace period (lease term + margin + reconnection time) to open them again, then the rest are freed.
   */
  private freeOrphansLater(): void {
    if (this.ns.orphans().length === 0) return;
    const graceMs = (this.opts.leaseTermMs ?? 5000) + (this.opts.leaseMarginMs ?? 1000) + RECLAIM_ALLOWANCE_MS;
    this.orphanTimer = setTimeout(() => {
      this.orphanTimer = null;
      const orphans = this.ns.orphans();
      let freed = 0;
      for (const ino of orphans) {
        const r = this.ns.freeIfUnused(ino);
        if (r.freed) freed++;
        this.afterRelease(r);
      }
      this.log(`unlinked files open before the restart: ${freed} freed, ${orphans.length - freed} still open`);
    }, graceMs);
    this.orphanTimer.unref();
  }

  /** A regular file's size, undefined for another kind or a removed inode. */
  private sizeOf(ino: number): number | undefined {
    try {
      const a = this.ns.getattrIno(ino);
      return (a.mode & S_IFMT) === S_IFREG ? a.size : undefined;
    } catch {
      return undefined;
    }
  }

  /** Replicas a new chunk gets now. */
  effectiveReplicas(): number {
    const draining = this.meta.state.draining;
    const alive = this.members.alive().filter((m) => !draining.has(m.id)).length;
    const wanted = this.opts.replicas ?? (alive >= 2 ? 2 : 1);
    return Math.max(1, Math.min(wanted, alive));
  }

  /** Replicas every chunk should have: the configured factor, else 2 once the pool has had 2 memory nodes (a lone survivor's chunks count as under-replicated). */
  targetReplicas(): number {
    return this.opts.replicas ?? (this.members.all().length >= 2 ? 2 : 1);
  }

  /** Capacity and usage of the pool, as `df` shows it (raw bytes: replicas count). */
  statfs(): StatFs {
    const alive = this.members.alive();
    const capacity = alive.reduce((s, m) => s + m.capacity, 0);
    const used = alive.reduce((s, m) => s + m.allocated, 0);
    return {
      capacity,
      used,
      free: Math.max(0, capacity - used),
      files: this.ns.counts().inodes,
      maxFiles: Number.isFinite(this.ns.maxFiles) ? this.ns.maxFiles : undefined,
      chunkSize: this.chunkSize,
    };
  }

  /** Asks every live node for its usage now (a heartbeat is up to a second old: df right after a write must show it). */
  async refreshUsage(): Promise<void> {
    await Promise.all(
      this.members.alive().map(async (m) => {
        try {
          const r = await call(m.peer!, Api.NodeStats, {}, undefined, 2000);
          this.members.report(m.id, { used: r.used, allocated: r.allocated, chunks: r.chunks });
        } catch {
          // keep the last heartbeat's figures
        }
      }),
    );
  }

  /** Full pool status, with fresh figures asked of every live node; clientDetails is one page of at most clientsLimit clients from clientsFrom on. */
  async status(clientsFrom = 0, clientsLimit = STATUS_CLIENTS_PAGE): Promise<PoolStatus> {
    const limit = Math.max(1, Math.min(clientsLimit, STATUS_CLIENTS_PAGE));
    const shown = [...this.clients].slice(clientsFrom, clientsFrom + limit);
    const clientsNext = clientsFrom + limit < this.clients.size ? clientsFrom + limit : undefined;
    await this.refreshUsage();
    const nodes = this.members.all().map((m) => this.members.statusOf(m));
    const live = nodes.filter((n) => n.alive);
    const counts = this.ns.counts();
    return {
      chunkSize: this.chunkSize,
      replicas: this.effectiveReplicas(),
      capacity: live.reduce((s, n) => s + n.capacity, 0),
      used: live.reduce((s, n) => s + n.used, 0),
      allocated: live.reduce((s, n) => s + n.allocated, 0),
      files: counts.files,
      directories: counts.directories,
      chunks: live.reduce((s, n) => s + n.chunks, 0),
      clients: this.opens.size,
      leases: this.leases.stats(),
      repairs: this.repairer.copies,
      ...this.healStatus(),
      quotas: this.ns.listQuotas(),
      metadata: await this.metadataStatus(),
      clientDetails: shown.map(([id, peer]) => ({
        id,
        name: peer.remote.name ?? '',
        connected: !peer.closed,
        leases: this.leases.heldBy(id),
        ...this.clientStats.get(id),
      })),
      ...(clientsNext === undefined ? {} : { clientsNext }),
      nodes,
    };
  }

  /** The metadata log's place, position and managers, and how this manager came to serve. */
  private async metadataStatus(): Promise<MetadataStatus> {
    const log = this.opts.metaLog;
    const out: MetadataStatus = { log: log ? (log.describe?.() ?? 'durable log') : 'volatile', seq: this.meta.position, epochFloor: this.meta.state.epochFloor };
    const revision = log?.revision?.();
    if (revision) out.revision = revision;
    if (log?.managers) {
      try {
        const { leader, standbys } = await log.managers();
        if (leader) out.leader = leader;
        out.standbys = standbys;
      } catch (err) {
        this.log(`status: cannot list the managers: ${(err as Error).message}`);
      }
    }
    if (this.started) out.lastStart = this.started;
    return out;
  }

  /** The secrets each role proves to this manager. */
  get secrets(): ManagerSecrets {
    const s = this.opts.secret;
    return this.opts.secrets ?? { clients: [{ secret: s, squashRoot: false }], node: s, operator: s };
  }

  private onPeer(peer: Peer): void {
    const h = peer.remote;
    if (h.role === 'node') {
      let capacity = h.capacity as number;
      const max = this.opts.maxNodeMemory;
      if (max !== undefined && capacity > max) {
        this.log(`memory node ${h.id} declared ${capacity} bytes; counted as ${max} (--max-node-memory)`);
        capacity = max;
      }
      this.members.join(h.id as string, h.url as string, capacity, peer);
      this.sendNodeAccess(peer);
      this.drainDone(h.id as string, true); // a drained node that registers again is a fresh node
      if (this.awaitedNodes.delete(h.id as string) && this.awaitedNodes.size === 0) this.onNodesReturned();
      this.log(`memory node ${h.id} joined at ${h.url} with ${h.capacity} bytes`);
      this.fenceNodeBelow(h.id as string);
      peer.setHandler(dispatcher(nodeHandlers(this, h.id as string), 'the manager'));
      this.inventory.watch(h.id as string);
      this.repairer.schedule(1000); // under-replicated chunks get the room it brings
      peer.once('close', (reason: string) => {
        this.members.leave(h.id as string, peer);
        this.log(`memory node ${h.id} left: ${reason}`);
        this.drainDone(h.id as string);
        this.repairer.schedule();
      });
      return;
    }
    if (h.role === 'client') {
      this.opens.set(peer, new Map());
      this.writable.set(peer, new Set());
      if (h.id) {
        this.clients.set(h.id, peer);
        this.locks.linkUp(h.id);
      }
      peer.once('close', () => this.dropClient(peer));
    }
    const serve = dispatcher(clientHandlers(this), 'the manager');
    // A reply to a request that changed the state waits until its records are durable (group commit).
    peer.setHandler(async (type, meta, data) => {
      let reply: Reply | void;
      try {
        reply = await this.serveOnce(peer, type, meta, data, serve);
      } finally {
        await this.meta.synced();
      }
      if (this.dropAfterApply.delete(type)) {
        this.log(`fault injection: dropping the link to ${peer.describe()} after applying message ${type}, before its reply`);
        peer.terminate('fault injection: dropped after apply');
      }
      return reply;
    });
  }

  /**
   * A request carrying a request id (rid) takes effect once: its reply is logged with the state it changed,
   * and a retry of the same id from the same client (after a dropped link or a manager restart) gets that
   * reply again instead of running again. Open also counts the handle again on the retrying link.
   */
  private async serveOnce(peer: Peer, type: number, m: Meta, data: Buffer, serve: ReturnType<typeof dispatcher>): Promise<Reply | void> {
    const client = peer.remote.role === 'client' ? peer.remote.id : undefined;
    if (m.rid === undefined || !client || !ONCE.has(type)) return serve(type, m, data, peer);
    const key = `${client}:${uintCheck()(m.rid, 'rid')}`;
    const first = this.meta.state.replies.get(key);
    // Open counts the handle on the link it ran on; a retry comes on a new link (the client drops a link before it retries), so it counts there
    // again, with its access mode checked again (a retry must not gain an access the first attempt was not asked for).
    const again = (meta: Meta | undefined): void => {
      if (type !== Msg.Open) return;
      const req = Api.Open.req(m, '');
      const cred = this.credOf(contextOf(peer, m, data), { uid: req.uid, gid: req.gid });
      const ino = uintCheck()((meta?.attr as Meta | undefined)?.ino, 'attr.ino');
      const { missing, denied } = this.reopen(peer, [{ ino, count: 1, accmode: req.flags & O.ACCMODE, cred }]);
      if (missing.length || denied.length) throw new FsError(missing.length ? 'ENOENT' : 'EACCES', `open of inode ${ino} retried`);
    };
    if (first !== undefined) {
      const meta = JSON.parse(first) as Meta;
      again(meta);
      return { meta };
    }
    const running = this.running.get(key);
    if (running) {
      const reply = await running;
      again(reply?.meta);
      return reply;
    }
    const attempt = (async () => {
      const reply = await serve(type, m, data, peer);
      this.meta.run({ op: 'reply', key, reply: JSON.stringify(reply?.meta ?? {}) });
      return reply;
    })();
    this.running.set(key, attempt);
    try {
      return await attempt;
    } finally {
      this.running.delete(key);
    }
  }

  /** Hands a node, over its own link, the keys clients prove to it (one derived from each client secret), sealed for that link. */
  private sendNodeAccess(peer: Peer): void {
    if (!peer.session) return;
    const sealed = sealNodeAccess(
      peer.session,
      this.secrets.clients.map((c) => c.secret),
    );
    call(peer, Api.NodeAccess, { sealed }, undefined, 5000).catch((err: Error) => this.log(`node-access key to ${peer.describe()}: ${err.message}`));
  }

  private dropClient(peer: Peer): void {
    const opens = this.opens.get(peer);
    this.opens.delete(peer);
    this.writable.delete(peer);
    const id = peer.remote.id;
    this.locks.cancelTag(peer); // its lock waits end; the client asks again on its next link
    if (id && this.clients.get(id) === peer) this.locks.linkDown(id);
    if (id && this.clients.get(id) === peer && this.leases.heldBy(id) === 0) {
      this.clients.delete(id);
      this.identities.releaseClient(id); // nothing is held under it: the id is free again
      this.clientStats.delete(id);
    }
    for (const [ino, n] of opens ?? []) {
      for (let i = 0; i < n; i++) this.afterRelease(this.ns.release(ino));
    }
  }

  /**
   * The credentials a request acts with: those it carries, else the ids a creation call names, else root (a client
   * states its ids, as NFS's AUTH_SYS); squashed at the edge, per link (by the client secret it proved).
   */
  credOf(ctx: CallContext, ids?: { uid: number; gid: number }): Cred {
    return this.squash(ctx.cred ?? (ids ? { uid: ids.uid, gid: ids.gid, groups: [] } : ROOT), ctx.peer);
  }

  /** Root squashing of a link: a client's uid and gid 0 become nobody under --squash-root, or when its secret is a squashed one. */
  squash(cred: Cred, peer: Peer): Cred {
    if (peer.remote.role !== 'client') return cred;
    const proven = this.secrets.clients[peer.session?.secretIndex ?? 0];
    return squash(cred, this.opts.squashRoot === true || proven?.squashRoot !== false);
  }

  /**
   * Data access to ino (leases, chunk locations, size changes): allowed to a link that has the file open (for writing,
   * when write), else to credentials that may read (write) it; EACCES otherwise. Open checked the permission already.
   */
  mayUseData(ctx: CallContext, ino: number, write: boolean): void {
    if (this.hasOpen(ctx.peer, ino, write)) return;
    need(this.credOf(ctx), this.ns.getattrIno(ino), write ? MAY_WRITE : MAY_READ, `inode ${ino}`);
  }

  /** True when this link has ino open (for writing, when write). */
  hasOpen(peer: Peer, ino: number, write: boolean): boolean {
    return (write ? this.writable : this.opens).get(peer)?.has(ino) === true;
  }

  /**
   * Locks are on open files, as the kernel keeps them: EBADF unless this link has ino open, and for a POSIX write lock
   * open for writing (fcntl(2)'s rule). Open checked the permission, so no lock is taken on a file its caller could not open.
   */
  mayLock(peer: Peer, ino: number, write: boolean): void {
    if (!this.hasOpen(peer, ino, write)) throw new FsError('EBADF', `inode ${ino} is not open${write ? ' for writing' : ''} on this link: locks are taken on open files`);
  }

  /** The lease holder a request comes from: a client's id (operators hold nothing). */
  clientOf(remote: Hello): string | null {
    return remote.role === 'client' ? (remote.id ?? null) : null;
  }

  /** Before answering attributes: a client caching writes to the file must flush them first. */
  async fresh(ino: number, client: string | null): Promise<number> {
    if (this.mayHaveForeignWriter(ino, client)) await this.leases.settle(ino, client, true);
    return ino;
  }

  /** True when another client may cache writes to ino: it holds a WRITE lease, or (in the grace after a restart) may still reclaim one. */
  mayHaveForeignWriter(ino: number, client: string | null): boolean {
    if (this.leases.hasForeignWriter(ino, client)) return true;
    if (!this.leases.inGrace() || this.leases.holds(ino, client)) return false;
    return (this.ns.getattrIno(ino).mode & S_IFMT) === S_IFREG;
  }

  /** ESTALE for I/O under a lease epoch that was taken away. */
  checkEpoch(ino: number, epoch: number | undefined, client: string | null): void {
    if (epoch !== undefined && !this.leases.epochValid(ino, epoch, client)) throw new FsError('ESTALE', `write to inode ${ino} under a lease that was taken away`);
  }

  /** Drops one open of ino on a client link (EBADF when it has none). */
  releaseOpen(peer: Peer, ino: number): void {
    const opens = this.opens.get(peer);
    const n = opens?.get(ino) ?? 0;
    if (!opens || n === 0) throw new FsError('EBADF', `inode ${ino} is not open on this link`);
    if (n === 1) {
      opens.delete(ino);
      this.writable.get(peer)?.delete(ino);
      // the client's last handle of the file closed: every lock it held on it goes (POSIX: any close by the owner)
      if (peer.remote.id) this.locks.releaseFile(peer.remote.id, ino);
    } else opens.set(ino, n - 1);
    this.afterRelease(this.ns.release(ino));
  }

  /** Keeps the whitelisted figures a client reported with its lease heartbeat (shown in status). */
  reportClientStats(client: string, stats: ClientStats): void {
    this.clientStats.set(client, stats);
  }

  /** Opens (and with O.CREAT creates, with O.TRUNC empties) a file for one client link; the mode's permission bits only. */
  async open(peer: Peer, path: string, flags: number, mode: number, uid: number, gid: number): Promise<Attr> {
    let a: Attr;
    try {
      a = this.ns.getattr(path);
      if (flags & O.CREAT && flags & O.EXCL) throw new FsError('EEXIST', path);
    } catch (err) {
      if (!(err instanceof FsError && err.code === 'ENOENT' && flags & O.CREAT)) throw err;
      a = this.ns.mknod(path, S_IFREG | (mode & 0o7777), uid, gid);
    }
    const kind = a.mode & S_IFMT;
    if (kind === S_IFDIR && (flags & O.ACCMODE) !== O.RDONLY) throw new FsError('EISDIR', path);
    if (flags & O.TRUNC && kind === S_IFREG && (flags & O.ACCMODE) !== O.RDONLY) {
      await this.leases.settle(a.ino, peer.remote.id ?? null, false);
      a = await this.truncate(a.ino, 0);
    }
    // A link that dropped meanwhile has released its handles: the open is counted on the link its retry comes on.
    const opens = this.opens.get(peer);
    if (!opens) return a;
    this.ns.open(a.ino);
    opens.set(a.ino, (opens.get(a.ino) ?? 0) + 1);
    if ((flags & O.ACCMODE) !== O.RDONLY) this.writable.get(peer)?.add(a.ino);
    return a;
  }

  /**
   * Counts again the open handles a reconnected client still has (after a manager restart or a dropped link), with their
   * access mode: each group is checked again with the credentials it was opened with (the file's owner keeps any
   * access, as it may chmod the file anyway and a creating open ignores the mode). Returns the inodes that are gone,
   * and those whose access was refused: their handles are not restored.
   */
  reopen(peer: Peer, list: readonly Reopened[]): { missing: number[]; denied: number[] } {
    const opens = this.opens.get(peer);
    if (!opens) throw new FsError('EPERM', 'only clients hold open files');
    const missing: number[] = [];
    const denied: number[] = [];
    for (const { ino, count, accmode, cred } of list) {
      let attr: Attr;
      try {
        attr = this.ns.getattrIno(ino);
      } catch {
        missing.push(ino);
        continue;
      }
      if (!ownerOrRoot(cred, attr) && !permits(cred, attr, openMask(accmode))) {
        denied.push(ino);
        continue;
      }
      for (let i = 0; i < count; i++) this.ns.open(ino);
      opens.set(ino, (opens.get(ino) ?? 0) + count);
      if ((accmode & O.ACCMODE) !== O.RDONLY) this.writable.get(peer)?.add(ino);
    }
    return { missing, denied };
  }

  /** Sets a file's size; when it shrinks (or cutBeyond), cuts the data past it on the nodes before answering, so later growth reads zeros. */
  async truncate(ino: number, size: number, cutBeyond = false): Promise<Attr> {
    const { oldSize, attr } = this.ns.setSize(ino, size);
    if (size >= oldSize && !cutBeyond) return attr;
    await this.meta.synced(); // data is cut only once the new size is durable
    await this.cutData(ino, size);
    return attr;
  }

  /** Cuts the data of ino past size on the nodes (chunks wholly past it are emptied, the one across it shortened); the chunk map keeps them placed. */
  private async cutData(ino: number, size: number): Promise<void> {
    const cs = this.chunkSize;
    const keep = Math.ceil(size / cs); // chunks [0, keep) stay
    const gen = this.chunks.genOf(ino);
    const work: Array<Promise<unknown>> = [];
    for (const [index, replicas] of this.chunks.from(ino, Math.floor(size / cs))) {
      const len = index < keep ? size - index * cs : 0;
      for (const id of replicas) {
        const peer = this.members.get(id)?.peer;
        if (peer && !peer.closed) work.push(call(peer, Api.ChunkTruncate, { key: chunkKey(ino, index, gen), len }).catch(() => undefined));
      }
    }
    await Promise.all(work);
  }

  /**
   * Data a node holds past a file's size (a client wrote it and died before publishing the size) is cut once no lease
   * holder can still publish it: no WRITE lease renewed within its term + margin, none reclaimable after a restart.
   * Silent writers are recalled (fenced) first, and no new lease is granted on the file until the cut is done.
   */
  async collectBeyond(ino: number): Promise<void> {
    if (this.leases.inGrace() || this.leases.liveWriter(ino) || this.cutting.has(ino)) return;
    this.cutting.add(ino);
    try {
      await this.leases.withoutWriters(ino, async () => {
        let size: number;
        try {
          size = this.ns.getattrIno(ino).size;
        } catch {
          return; // removed meanwhile: its chunks go with it
        }
        await this.meta.synced();
        this.log(`inode ${ino}: cutting data its dead writer left past its size (${size} bytes)`);
        await this.cutData(ino, size);
      });
    } finally {
      this.cutting.delete(ino);
    }
  }

  /** Deletes a dead file's chunk data from the nodes. */
  afterRelease(r: Released): void {
    if (!r.freed) return;
    this.leases.forget(r.ino);
    this.dirs.forget(r.ino);
    const byNode = new Map<string, string[]>();
    const gen = this.chunks.genOf(r.ino);
    for (const [index, replicas] of this.chunks.drop(r.ino)) {
      for (const id of replicas) {
        const list = byNode.get(id) ?? [];
        list.push(chunkKey(r.ino, index, gen));
        byNode.set(id, list);
      }
    }
    if (byNode.size === 0) return;
    // Data goes only once the removal is durable: a crash before then brings the file back whole.
    this.meta.synced().then(
      () => {
        for (const [id, keys] of byNode) {
          const peer = this.members.get(id)?.peer;
          if (peer && !peer.closed) call(peer, Api.ChunkDelete, { keys }).catch((err: Error) => this.log(`deleting chunks on ${id}: ${err.message}`));
        }
      },
      () => undefined,
    );
  }

  /** Asks a client to flush and drop its lease on a file. */
  private async recall(client: string, ino: number): Promise<void> {
    const peer = this.clients.get(client);
    if (!peer || peer.closed) throw new FsError('ENOTCONN', `client ${client} is not connected`);
    await call(peer, Api.LeaseRecall, { ino }, undefined, 60_000);
  }

  /** Asks a client to drop what it cached of a directory (names: the entries that changed, when known). */
  private async recallDir(client: string, ino: number, names: string[] | undefined): Promise<void> {
    const peer = this.clients.get(client);
    if (!peer || peer.closed) throw new FsError('ENOTCONN', `client ${client} is not connected`);
    // names the change removed: the holder tells its kernel they are gone (notify_delete), not merely stale
    const gone = names?.filter((n) => this.ns.entryIno(ino, n) === undefined);
    await call(peer, Api.DirRecall, { ino, ...(names ? { names } : {}), ...(gone && gone.length > 0 ? { gone } : {}) }, undefined, 60_000);
  }

  /** Makes every live memory node refuse writes to ino older than epoch (a WRITE lease was taken from a silent holder). */
  private async fence(ino: number, epoch: number): Promise<void> {
    this.log(`fencing inode ${ino} at epoch ${epoch}: its writer stopped answering`);
    await Promise.all(this.members.alive().map((n) => call(n.peer!, Api.ChunkFence, { ino, epoch }, undefined, 5000).catch((err: Error) => this.log(`fence on ${n.id}: ${err.message}`))));
  }

  /** Resolves once the memory nodes the chunk map named at the start have registered again, or the wait (NODE_RETURN_MS) is over. */
  nodesReturned(): Promise<void> {
    return this.awaitedNodes.size > 0 ? this.nodesBack : Promise.resolve();
  }

  /** Where chunks [first, first+count) of a file live; with write, places the missing ones. */
  locate(ino: number, first: number, count: number, write: boolean): { size: number; chunks: ChunkLocation[]; nodes: NodeInfo[]; free: number; gen: number } {
    const a = this.ns.getattrIno(ino);
    if ((a.mode & S_IFMT) !== S_IFREG) throw new FsError('EINVAL', `inode ${ino} is not a regular file`);
    // No chunk lies past the largest file size: beyond it the index loop below could not even count.
    if (first + count > Math.ceil(Number.MAX_SAFE_INTEGER / this.chunkSize)) throw new FsError('EFBIG', `chunks ${first}+${count} of inode ${ino} lie past the largest file size`);
    const chunks: ChunkLocation[] = [];
    const used = new Set<string>();
    const bound = write ? placementBound(a.size, this.chunkSize, this.ns.quotas.roomFor(ino)) : 0;
    for (let index = first; index < first + count; index++) {
      let replicas = this.chunks.get(ino, index)?.filter((id) => this.members.isAlive(id));
      let ver = this.chunks.record(ino, index)?.ver ?? 1;
      if (write && (!replicas || replicas.length === 0)) {
        if (index >= bound) continue; // too far past the size or the quota room: left out, the writer extends first
        replicas = placeChunk(ino, index, this.placementCandidates(), this.effectiveReplicas());
        if (replicas.length === 0) throw new FsError('ENOSPC', this.members.alive().length ? 'every memory node is full' : 'no memory node in the pool');
        this.chunks.set(ino, index, replicas);
        ver = this.chunks.record(ino, index)?.ver ?? 1;
      }
      if (replicas === undefined) continue;
      if (replicas.length === 0) throw new FsError('EIO', `chunk ${index} of inode ${ino}: every replica is down`);
      chunks.push({ index, replicas, ver });
      for (const id of replicas) used.add(id);
    }
    const nodes = [...used].map((id) => ({ id, url: (this.members.get(id) as { url: string }).url }));
    return { size: a.size, chunks, nodes, free: this.statfs().free, gen: this.chunks.genOf(ino) };
  }

  /** The number of chunk indexes of the largest file (a capability for the whole file covers them all). */
  get allChunks(): number {
    return Math.ceil(MAX_FILE_SIZE / this.chunkSize);
  }

  /**
   * The capability for chunks [first, first+count) of ino: write (under the file's current lease epoch) when asked for
   * and the client holds the file's WRITE lease, read otherwise. Answered with its lifetime, as Locate carries it.
   */
  capFor(ino: number, first: number, count: number, gen: number, client: string | null, write: boolean): { cap: string; capMs: number } {
    const capMs = this.opts.capTtlMs ?? CAP_TTL_MS;
    const w = write && this.leases.holdsWrite(ino, client);
    const cap = issueCap(this.capKey, { ino, gen, first, count, write: w, epoch: w ? this.leases.epochOf(ino) : 0, exp: Date.now() + capMs });
    return { cap, capMs };
  }

  /**
   * A client could not reach replica `node` of a chunk it knew at version ver: the replica is replaced (a new one
   * placed and filled, the old one marked stale) unless that happened already. Answers the chunk's replicas now.
   */
  async replicaDown(ino: number, index: number, node: string, ver: number): Promise<{ replicas: string[]; ver: number; nodes: NodeInfo[] }> {
    const rec = this.chunks.record(ino, index);
    if (!rec) throw new FsError('ENOENT', `chunk ${index} of inode ${ino} is not placed`);
    if (rec.ver === ver && rec.replicas.includes(node)) {
      this.log(`chunk ${index} of inode ${ino}: a client cannot reach replica ${node}; replacing it`);
      await this.replicas.replace(ino, index, new Set([node]), true);
    } else await this.replicas.settled(ino, index, 1);
    const now = this.chunks.record(ino, index);
    const replicas = (now?.replicas ?? []).filter((id) => this.members.isAlive(id));
    if (replicas.length === 0) throw new FsError('EIO', `chunk ${index} of inode ${ino}: every replica is down`);
    const nodes = replicas.map((id) => ({ id, url: (this.members.get(id) as { url: string }).url }));
    return { replicas, ver: now?.ver ?? 1, nodes };
  }

  /** Live nodes that may take new chunks (not draining): the same list while nothing changes, so placement prepares it once. */
  private placementCandidates(): PlacementCandidate[] {
    const all = this.members.candidates();
    const draining = this.meta.state.draining;
    if (draining.size === 0) return all;
    const c = this.placeCache;
    if (c && c.from === all && c.draining === draining.size) return c.list;
    const list = all.filter((m) => !draining.has(m.id));
    this.placeCache = { from: all, draining: draining.size, list };
    return list;
  }

  /**
   * Before a write is located: chunks in range with a recorded replica on a node that is down get that replica
   * replaced (new version, a new node filled), so the write reaches R live replicas and the one that is away, were it
   * to come back, is at an older version and never read.
   */
  async replaceDown(ino: number, first: number, count: number): Promise<void> {
    const work: Array<Promise<void>> = [];
    for (const [index, replicas] of this.chunks.from(ino, first)) {
      if (index >= first + count) continue;
      const down = replicas.filter((id) => !this.members.isAlive(id));
      if (down.length > 0 && down.length < replicas.length) work.push(this.replicas.replace(ino, index, new Set(down), true));
    }
    await Promise.all(work);
  }

  /** Starts draining a memory node: no new replica goes there and every chunk it holds moves off; answers how many it holds now. */
  drain(node: string): number {
    if (!this.members.get(node)) throw new FsError('ENOENT', `no memory node ${node}`);
    if (!this.meta.state.draining.has(node)) {
      this.meta.run({ op: 'drain', node, on: true });
      this.log(`draining memory node ${node}`);
    }
    this.repairer.schedule(0);
    return this.chunksOn(node);
  }

  /**
   * Ends the drain of a node that holds no chunk any more once it left (or registers again: it is then a fresh node
   * that may take new chunks); a node still connected stays drained until it leaves, so it gets nothing new meanwhile.
   */
  drainDone(node: string, joining = false): void {
    if (!this.meta.state.draining.has(node) || this.chunksOn(node) > 0 || (!joining && this.members.isAlive(node))) return;
    this.meta.run({ op: 'drain', node, on: false });
    this.log(`memory node ${node} drained: it holds no chunk`);
  }

  /** Chunks the chunk map places on a node. */
  private chunksOn(node: string): number {
    let n = 0;
    this.chunks.forEachOnNode(node, () => n++);
    return n;
  }

  /** The healing figures of status: under-replicated chunks, stale replicas, orphaned bytes, repair and drain progress. */
  private healStatus(): Pick<PoolStatus, 'underReplicatedChunks' | 'staleReplicas' | 'orphanedBytes' | 'repair' | 'drains'> {
    let onDown = 0;
    this.chunks.forEach((_ino, _index, replicas) => {
      for (const id of replicas) if (!this.members.isAlive(id)) onDown++;
    });
    const c = this.replicas.counters;
    return {
      underReplicatedChunks: this.repairer.underReplicated(),
      staleReplicas: onDown + this.inventory.staleSeen(),
      orphanedBytes: this.inventory.orphanedBytes(),
      repair: { pending: this.repairer.pending, active: this.replicas.inProgress, copies: c.copies, bytesCopied: c.bytes },
      drains: [...this.meta.state.draining].map((node) => ({ node, chunks: this.chunksOn(node) })),
    };
  }
}
