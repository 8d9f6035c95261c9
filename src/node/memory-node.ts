/**
 * The memory node: holds chunk data in its own RAM (a ChunkStore), serves
 * chunk reads and writes to clients, and registers with the manager, which
 * also sends it truncations and deletions over the same link.
 */
import { randomUUID } from 'crypto';
import { FsError } from '../errors';
import { ChunkStore } from './chunk-store';
import { Hello, Link, listen, Listener, Meta, Msg, Peer, ProtocolError, Reply } from '../../transport';
import { str, strList, uint } from '../../transport/fields';

export interface MemoryNodeOptions {
  managerUrl: string;
  /** Bytes of RAM this node contributes. */
  memory: number;
  /** Where clients reach this node; port 0 picks one. */
  host: string;
  port: number;
  /** Address advertised to clients when it differs from the listen host (e.g. listening on 0.0.0.0). */
  advertiseHost?: string;
  secret: string;
  tlsCert?: string;
  tlsKey?: string;
  ca?: Buffer;
  heartbeatMs?: number;
  log?: (msg: string) => void;
}

/** Largest chunk size a node accepts from a manager (also bounds every data frame). */
export const MAX_CHUNK_SIZE = 64 * 1024 * 1024;

/** The `ranges` field of a scattered chunk write: [offset, length] pairs inside a chunk whose lengths add up to the data. */
function ranges(meta: Meta, dataLength: number): Array<[number, number]> {
  const v = meta.ranges;
  if (!Array.isArray(v) || v.length === 0 || v.length > 65536) throw new ProtocolError('field "ranges" must be a list of [offset, length] pairs');
  let total = 0;
  const out: Array<[number, number]> = [];
  for (const r of v) {
    if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => Number.isSafeInteger(x) && x >= 0) || r[0] + r[1] > MAX_CHUNK_SIZE) {
      throw new ProtocolError('each range must be [offset, length] inside a chunk');
    }
    total += r[1];
    out.push([r[0], r[1]]);
  }
  if (total !== dataLength) throw new ProtocolError(`ranges add up to ${total} bytes, the data has ${dataLength}`);
  return out;
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

  constructor(private readonly opts: MemoryNodeOptions) {
    this.log = opts.log ?? ((m) => console.error(m));
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
      secret: this.opts.secret,
      tlsCert: this.opts.tlsCert,
      tlsKey: this.opts.tlsKey,
      maxPayload: MAX_CHUNK_SIZE + 1024 * 1024,
      hello: { role: 'node', id: this.id },
      accept: (h) => (h.role === 'client' || h.role === 'manager' ? null : `role ${h.role} has no business with a memory node`),
      log: this.log,
    });
    this.listener.on('peer', (peer: Peer) => peer.setHandler((t, m, d) => this.serve(t, m, d)));
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
        peer.setHandler((t, m, d) => this.serve(t, m, d));
        this.log(`registered with manager ${this.opts.managerUrl} as ${this.id} (${this.url})`);
        resolve();
      });
      this.link!.on('down', (reason: string) => this.log(`lost manager link: ${reason}; reconnecting`));
    });
    this.link.start();
    await registered;
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
    this.link.request(Msg.NodeHeartbeat, this.stats(), undefined, 5000).catch(() => undefined);
  }

  private serve(type: number, meta: Meta, data: Buffer): Reply | void {
    const store = this.store;
    if (!store) throw new FsError('EAGAIN', 'memory node not registered yet');
    switch (type) {
      case Msg.ChunkRead: {
        const out = store.read(str(meta, 'key', 64), uint(meta, 'off'), uint(meta, 'len', MAX_CHUNK_SIZE));
        return { data: out };
      }
      case Msg.ChunkWrite: {
        const off = uint(meta, 'off', MAX_CHUNK_SIZE);
        if (off + data.length > MAX_CHUNK_SIZE) throw new ProtocolError(`chunk write of ${data.length} bytes at ${off} is beyond any chunk`);
        const key = str(meta, 'key', 64);
        const fence = this.fences.get(parseInt(key, 10));
        if (fence !== undefined && uint(meta, 'epoch') < fence) throw new FsError('ESTALE', `write to ${key} from a fenced lease holder`);
        if (meta.ranges !== undefined) {
          // scattered pieces of one chunk: [[off, len], ...] over the data in order
          let at = 0;
          for (const [o, n] of ranges(meta, data.length)) {
            store.write(key, o, data.subarray(at, at + n));
            at += n;
          }
        } else store.write(key, off, data, true); // ws hands each message its own buffer: the store may keep it
        return { meta: { free: store.capacity - store.allocated } }; // lets writers see a node filling up at once
      }
      case Msg.ChunkTruncate:
        store.truncate(str(meta, 'key', 64), uint(meta, 'len', MAX_CHUNK_SIZE));
        return;
      case Msg.ChunkDelete:
        return { meta: { freed: store.delete(strList(meta, 'keys', 1 << 20, 64)) } };
      case Msg.ChunkFence: {
        const ino = uint(meta, 'ino');
        this.fences.set(ino, Math.max(this.fences.get(ino) ?? 0, uint(meta, 'epoch')));
        return;
      }
      case Msg.NodeStats:
        return { meta: this.stats() };
      default:
        throw new ProtocolError(`message type ${type} is not served by a memory node`);
    }
  }
}
