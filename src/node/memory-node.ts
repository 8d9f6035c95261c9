/**
 * The memory node: holds chunk data in its own RAM (a ChunkStore), serves
 * chunk reads and writes to clients, and registers with the manager, which
 * also sends it truncations and deletions over the same link.
 */
import { randomUUID } from 'crypto';
import { FsError } from '../errors';
import { ChunkStore } from './chunk-store';
import { Api, call, dispatcher, Handlers, Hello, Link, listen, Listener, nodeAccessKey, openNodeAccess, Peer, WithData } from '../../transport';
import { MAX_CHUNK_SIZE } from '../limits';
import { CapVerifier, capKey } from '../security/capability';
import { parseChunkKey } from '../types';

export interface MemoryNodeOptions {
  managerUrl: string;
  /** Bytes of RAM this node contributes. */
  memory: number;
  /** Where clients reach this node; port 0 picks one. */
  host: string;
  port: number;
  /** Address advertised to clients when it differs from the listen host (e.g. listening on 0.0.0.0). */
  advertiseHost?: string;
  /** The node secret: proves this node to the manager, and the manager to this node. */
  secret: string;
  /** The client secrets, when given: clients are served from the start instead of once the manager hands over their keys. */
  clientSecrets?: string[];
  tlsCert?: string;
  tlsKey?: string;
  ca?: Buffer;
  heartbeatMs?: number;
  log?: (msg: string) => void;
}

export { MAX_CHUNK_SIZE };

/** The ranges of a scattered chunk write: [offset, length] pairs inside a chunk whose lengths add up to the data (EINVAL otherwise). */
function checkRanges(ranges: Array<[number, number]>, dataLength: number): void {
  let total = 0;
  for (const [o, n] of ranges) {
    if (o + n > MAX_CHUNK_SIZE) throw new FsError('EINVAL', 'each range must be [offset, length] inside a chunk');
    total += n;
  }
  if (total !== dataLength) throw new FsError('EINVAL', `ranges add up to ${total} bytes, the data has ${dataLength}`);
}

/** Most chunks one ChunkList page names. */
const LIST_PAGE = 65536;

/**
 * EL2NSYNC unless the replica may serve I/O at version ver (absent: an unversioned caller, no check): a stale replica never
 * does; otherwise the versions must match (a write may also create a chunk this replica does not hold yet).
 */
function checkVersion(store: ChunkStore, key: string, ver: number | undefined): void {
  if (ver === undefined) return;
  const have = store.version(key);
  if (have === 0) throw new FsError('EL2NSYNC', `replica of ${key} is stale`);
  if (have === undefined) return; // absent (a hole, or a chunk this write creates), or written without versions
  if (have !== ver) throw new FsError('EL2NSYNC', `replica of ${key} is at version ${have}, not ${ver}`);
}

/** A running memory node. */
export class MemoryNode {
  readonly id = randomUUID();
  private store: ChunkStore | null = null;
  private listener: Listener | null = null;
  private link: Link | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly log: (msg: string) => void;
  /** Lowest write epoch still accepted per inode (set when a silent lease holder was fenced). */
  private readonly fences = new Map<number, number>();
  /** Lowest write epoch accepted for any inode: leases from before a manager restart or takeover that were not reclaimed in its grace. */
  private fenceBelow = 0;
  /** What each role proves on this node's listener: clients a node-access key (one per client secret; null until known), the manager the node secret. */
  private readonly secrets: { client: string[] | null; manager: string };
  /** Resolved once clients can be checked (the manager handed over their key, or the client secret was given). */
  private clientsReady: () => void = () => undefined;

  /** Checks the capability of every chunk request from a client (the key comes from the node secret). */
  private readonly caps: CapVerifier;

  constructor(private readonly opts: MemoryNodeOptions) {
    this.log = opts.log ?? ((m) => console.error(m));
    this.secrets = { client: opts.clientSecrets?.length ? opts.clientSecrets.map(nodeAccessKey) : null, manager: opts.secret };
    this.caps = new CapVerifier(capKey(opts.secret));
  }

  /** The URL clients use for chunk traffic. */
  get url(): string {
    if (!this.listener) throw new Error('memory node not started');
    if (!this.opts.advertiseHost) return this.listener.url;
    const u = new URL(this.listener.url);
    u.hostname = this.opts.advertiseHost;
    return u.toString().replace(/\/$/, '');
  }

  /** Listens for chunk traffic, then registers with the manager; resolves once registered. */
  async start(): Promise<void> {
    this.listener = await listen({
      host: this.opts.host,
      port: this.opts.port,
      secret: this.secrets,
      tlsCert: this.opts.tlsCert,
      tlsKey: this.opts.tlsKey,
      maxPayload: MAX_CHUNK_SIZE + 1024 * 1024,
      hello: { role: 'node', id: this.id },
      accept: (h) => (h.role === 'client' || h.role === 'manager' ? null : `role ${h.role} has no business with a memory node`),
      log: this.log,
    });
    this.listener.on('peer', (peer: Peer) => peer.setHandler(dispatcher(this.handlers(), 'a memory node')));
    const hello: Hello = { role: 'node', id: this.id, url: this.url, capacity: this.opts.memory };
    this.link = new Link(this.opts.managerUrl, { secret: this.opts.secret, hello, maxPayload: MAX_CHUNK_SIZE + 1024 * 1024, ca: this.opts.ca });
    const registered = new Promise<void>((resolve, reject) => {
      this.link!.once('fatal', reject);
      this.link!.on('up', (peer: Peer) => {
        const chunkSize = peer.remote.chunkSize;
        if (peer.remote.role !== 'manager' || !chunkSize || chunkSize > MAX_CHUNK_SIZE) {
          peer.close('not a manager');
          reject(new Error(`${this.opts.managerUrl} is not a mempool manager`));
          return;
        }
        if (!this.store) this.store = new ChunkStore({ capacity: this.opts.memory, chunkSize });
        peer.setHandler(dispatcher(this.handlers(), 'a memory node'));
        this.log(`registered with manager ${this.link!.url} as ${this.id} (${this.url})`);
        resolve();
      });
      this.link!.on('down', (reason: string) => this.log(`lost manager link: ${reason}; reconnecting`));
    });
    const served = new Promise<void>((resolve) => (this.clientsReady = resolve));
    if (this.secrets.client !== null) this.clientsReady();
    this.link.start();
    await registered;
    await served; // ready means ready for clients too
    this.heartbeat = setInterval(() => this.sendHeartbeat(), this.opts.heartbeatMs ?? 1000);
    this.heartbeat.unref();
  }

  /** Usage figures as reported to the manager and to `mempool status`. */
  stats(): { capacity: number; used: number; allocated: number; chunks: number } {
    const s = this.store;
    return { capacity: this.opts.memory, used: s?.used ?? 0, allocated: s?.allocated ?? 0, chunks: s?.count ?? 0 };
  }

  /** Stops serving and drops every link (data in RAM is gone with the process). */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.link?.close();
    await this.listener?.close();
  }

  private sendHeartbeat(): void {
    if (!this.link?.connected) return;
    const sentAt = Date.now();
    call(this.link, Api.NodeHeartbeat, this.stats(), undefined, 5000).then(
      (r) => r.now !== undefined && this.caps.learnClock(r.now, sentAt, Date.now()),
      () => undefined,
    );
  }

  /** EACCES unless a client's chunk request carries a capability for it (the manager's own requests need none). */
  private authorize(peer: Peer, key: string, cap: string | undefined, write: boolean, epoch?: number): void {
    if (peer.remote.role === 'manager') return;
    const k = parseChunkKey(key);
    if (!k) throw new FsError('EACCES', `chunk key ${key} is not one a capability can name`);
    this.caps.check(cap, { ino: k.ino, gen: k.gen, index: k.index, write, epoch });
  }

  /** The store, once registered with a manager (EAGAIN before). */
  private registered(): ChunkStore {
    if (!this.store) throw new FsError('EAGAIN', 'memory node not registered yet');
    return this.store;
  }

  /** Handlers for chunk traffic from clients and the manager (the table's roles decide who may send what). */
  private handlers(): Handlers {
    return {
      ChunkRead: ({ key, off, len, ver, cap }, { peer }) => {
        this.authorize(peer, key, cap, false);
        const store = this.registered();
        checkVersion(store, key, ver);
        return new WithData({}, store.read(key, off, len));
      },
      ChunkWrite: ({ key, off, epoch, ranges, ver, cap }, { data, peer }) => {
        this.authorize(peer, key, cap, true, epoch);
        const store = this.registered();
        if (off + data.length > MAX_CHUNK_SIZE) throw new FsError('EINVAL', `chunk write of ${data.length} bytes at ${off} is beyond any chunk`);
        const fence = this.fences.get(parseInt(key, 10));
        const holder = peer.remote.role !== 'manager'; // fences stop lease holders; the manager's repair copies carry versions instead
        if (holder && fence !== undefined && (epoch ?? 0) < fence) throw new FsError('ESTALE', `write to ${key} from a fenced lease holder`);
        if (holder && (epoch ?? 0) < this.fenceBelow) throw new FsError('ESTALE', `write to ${key} under a lease from before the manager restarted, not reclaimed in time`);
        checkVersion(store, key, ver);
        if (ver !== undefined && store.version(key) === undefined) store.setVersion(key, ver);
        if (ranges !== undefined) {
          // scattered pieces of one chunk: [[off, len], ...] over the data in order
          checkRanges(ranges, data.length);
          let at = 0;
          for (const [o, n] of ranges) {
            store.write(key, o, data.subarray(at, at + n));
            at += n;
          }
        } else store.write(key, off, data, true); // ws hands each message its own buffer: the store may keep it
        return { free: store.capacity - store.allocated }; // lets writers see a node filling up at once
      },
      ChunkTruncate: ({ key, len }) => {
        this.registered().truncate(key, len);
        return {};
      },
      ChunkDelete: ({ keys }) => ({ freed: this.registered().delete(keys) }),
      ChunkVersion: ({ key, ver }) => {
        this.registered().setVersion(key, ver);
        return {};
      },
      ChunkVersions: ({ keys }) => ({ vers: keys.map((k) => this.registered().version(k) ?? -1) }),
      ChunkList: ({ offset, limit }) => this.registered().list(offset, Math.min(limit ?? LIST_PAGE, LIST_PAGE)),
      ChunkFence: ({ ino, epoch }) => {
        this.fences.set(ino, Math.max(this.fences.get(ino) ?? 0, epoch));
        return {};
      },
      ChunkFenceBelow: ({ epoch }) => {
        this.fenceBelow = Math.max(this.fenceBelow, epoch);
        return {};
      },
      NodeStats: () => this.stats(),
      NodeAccess: ({ sealed }, { peer }) => {
        if (!peer.session) throw new FsError('EINVAL', 'no session to open the node-access key with');
        try {
          this.secrets.client = openNodeAccess(peer.session, sealed);
        } catch {
          throw new FsError('EINVAL', 'the node-access keys do not open under this link');
        }
        this.clientsReady();
        return {};
      },
    };
  }
}
