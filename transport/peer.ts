/**
 * One authenticated link: multiplexed requests in both directions over one ws
 * connection, with timeouts, bounded send buffering and liveness pings.
 */
import { timingSafeEqual } from 'crypto';
import { EventEmitter } from 'events';
import WebSocket from 'ws';
import { Errno, FsError } from '../src/errors';
import { frameMac, MAC_SIZE, Session } from './auth';
import { decodeFrame, encodeFrame, encodeHead, Frame, FrameKind, Meta, ProtocolError } from './frame';
import { Hello, isKnownType } from './messages';

/** What a request handler answers: result metadata and optional raw data. */
export interface Reply {
  meta?: Meta;
  data?: Buffer;
}

/** Serves one incoming request; throw FsError for an errno reply, ProtocolError to drop the link. */
export type Handler = (type: number, meta: Meta, data: Buffer, peer: Peer) => Promise<Reply | void> | Reply | void;

export interface PeerOptions {
  /** Default request timeout in ms. */
  timeoutMs?: number;
  /** Interval between liveness pings in ms; a peer silent for two intervals is dropped. */
  pingMs?: number;
  /** Send buffering above which senders wait (bytes). */
  highWater?: number;
  /** Incoming requests served at once before the socket is paused. */
  maxInFlight?: number;
  /** Logs protocol violations and drops. */
  log?: (msg: string) => void;
}

/** MEMPOOL_PING_MS, when set to a whole number of ms (0 turns pings off): lets tests and slow links tune liveness without code. */
function envPingMs(): number | undefined {
  const v = process.env.MEMPOOL_PING_MS;
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

/** Data size from which a frame's data is sent as its own fragment instead of being copied behind the header. */
const ZERO_COPY_MIN = 64 * 1024;

/** An encoded frame: one buffer (with room for the MAC at its end when frames carry one), or header+metadata and data to send as two fragments of one ws message. */
type Outgoing = Buffer | [Buffer, Buffer];

interface Pending {
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** A request/response link over one authenticated WebSocket. */
export class Peer extends EventEmitter {
  /** What the remote side declared in the handshake. */
  readonly remote: Hello;
  private readonly ws: WebSocket;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private handler: Handler | null = null;
  private inFlight = 0;
  private drainWaiters: Array<() => void> = [];
  private alive = true;
  private pinger: NodeJS.Timeout | null = null;
  private closedReason: string | null = null;
  private readonly opts: Required<PeerOptions>;
  /** The link's keys from the handshake (frames carry a MAC when session.mac). */
  readonly session: Session | null;
  /** Frames sent and received so far: each direction's sequence number, covered by the frame's MAC. */
  private sentSeq = 0;
  private recvSeq = 0;

  /** Takes over an authenticated socket; `early` holds messages that arrived before the Peer existed. */
  constructor(ws: WebSocket, remote: Hello, opts: PeerOptions = {}, early: Array<[Buffer, boolean]> = [], session: Session | null = null) {
    super();
    this.ws = ws;
    this.remote = remote;
    this.session = session;
    this.opts = {
      timeoutMs: opts.timeoutMs ?? 10_000,
      pingMs: opts.pingMs ?? envPingMs() ?? 5_000,
      highWater: opts.highWater ?? 16 * 1024 * 1024,
      maxInFlight: opts.maxInFlight ?? 256,
      log: opts.log ?? ((m) => console.error(m)),
    };
    ws.removeAllListeners('message');
    ws.on('message', (msg: Buffer, isBinary: boolean) => this.onMessage(msg, isBinary));
    ws.on('close', (code: number, reason: Buffer) => this.onClose(`closed (${code}${reason.length ? ' ' + reason.toString() : ''})`));
    ws.on('error', (err: Error) => {
      // ws reports hostile input it caught itself (above maxPayload, bad opcode, bad UTF-8) as an error: log it like any violation.
      if (!this.closedReason) this.opts.log(`closing link to ${this.describe()}: ${err.message}`);
      this.onClose(`error: ${err.message}`);
    });
    ws.on('pong', () => {
      this.alive = true;
    });
    for (const [msg, bin] of early) this.onMessage(msg, bin);
    if (this.opts.pingMs > 0) {
      this.pinger = setInterval(() => this.checkAlive(), this.opts.pingMs);
      this.pinger.unref();
    }
  }

  /** True once the link is down; every later request fails with ENOTCONN. */
  get closed(): boolean {
    return this.closedReason !== null;
  }

  /** Installs the function that serves requests from the remote side. */
  setHandler(handler: Handler): void {
    this.handler = handler;
  }

  /** Sends a request and resolves with the reply; rejects with FsError (errno reply, ETIMEDOUT, ENOTCONN). */
  async request(type: number, meta: Meta = {}, data?: Buffer, timeoutMs?: number): Promise<{ meta: Meta; data: Buffer }> {
    if (this.closedReason) throw new FsError('ENOTCONN', `link to ${this.describe()} is down: ${this.closedReason}`);
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    const frame = this.encode(FrameKind.Request, type, id, 0, meta, data);
    const reply = new Promise<Frame>((resolve, reject) => {
      const ms = timeoutMs ?? this.opts.timeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new FsError('ETIMEDOUT', `no reply from ${this.describe()} within ${ms} ms (message type ${type})`));
      }, ms);
      this.pending.set(id, { resolve, reject, timer });
    });
    await this.send(frame);
    const f = await reply;
    if (f.status !== 0) {
      const message = typeof f.meta.message === 'string' ? f.meta.message : undefined;
      throw new FsError(f.status, message);
    }
    return { meta: f.meta, data: f.data };
  }

  /** Closes the link; pending requests fail with ENOTCONN. */
  close(reason = 'closed locally', code = 1000): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason.slice(0, 120));
    this.onClose(reason);
  }

  /** Drops the link at once, without a closing handshake (a dead or hostile peer). */
  terminate(reason: string): void {
    this.ws.terminate();
    this.onClose(reason);
  }

  /** Short text naming the remote side, for logs and errors. */
  describe(): string {
    return `${this.remote.role}${this.remote.id ? ' ' + this.remote.id : ''}`;
  }

  /** A request as one buffer, or (large data) as header+metadata and the caller's data, sent as two fragments of one message with no copy (the caller keeps its buffer unchanged until the reply). */
  private encode(kind: FrameKind, type: number, id: number, status: number, meta: Meta | undefined, data?: Buffer): Outgoing {
    if (data && data.length >= ZERO_COPY_MIN) return [encodeHead(kind, type, id, status, meta, data.length), data];
    return this.encodeWhole(kind, type, id, status, meta, data);
  }

  /** A frame as one buffer, with room for its MAC when frames carry one (filled in by send, no further copy). */
  private encodeWhole(kind: FrameKind, type: number, id: number, status: number, meta: Meta | undefined, data?: Buffer): Buffer {
    return encodeFrame(kind, type, id, status, meta, data, this.session?.mac ? MAC_SIZE : 0);
  }

  private async send(frame: Outgoing): Promise<void> {
    while (this.ws.bufferedAmount > this.opts.highWater && !this.closedReason) {
      await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
    if (this.closedReason) throw new FsError('ENOTCONN', `link to ${this.describe()} is down: ${this.closedReason}`);
    if (this.session?.mac) {
      // The MAC is made here, right before the socket queues the frame, so sequence numbers follow the wire's order.
      const parts = Buffer.isBuffer(frame) ? [frame.subarray(0, frame.length - MAC_SIZE)] : frame;
      const tag = frameMac(this.session.send, this.sentSeq++, parts);
      if (Buffer.isBuffer(frame)) {
        tag.copy(frame, frame.length - MAC_SIZE); // the room encodeWhole left
        this.ws.send(frame, { binary: true }, () => this.wakeSenders());
      } else {
        // Large data goes as its own fragment (no copy) between the header and the MAC, all queued in this tick.
        this.ws.send(frame[0], { binary: true, fin: false });
        this.ws.send(frame[1], { binary: true, fin: false });
        this.ws.send(tag, { binary: true, fin: true }, () => this.wakeSenders());
      }
    } else if (Buffer.isBuffer(frame)) {
      this.ws.send(frame, { binary: true }, () => this.wakeSenders());
    } else {
      // Both fragments are queued in this same tick, so no other message can come between them.
      this.ws.send(frame[0], { binary: true, fin: false });
      this.ws.send(frame[1], { binary: true, fin: true }, () => this.wakeSenders());
    }
  }

  private wakeSenders(): void {
    if (this.drainWaiters.length === 0) return;
    if (this.ws.bufferedAmount > this.opts.highWater / 2 && !this.closedReason) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private checkAlive(): void {
    if (this.closedReason) return;
    if (!this.alive) {
      // A starved process runs its timers before reading the sockets that woke it: judge only after one pass over pending input.
      setImmediate(() => {
        if (this.alive || this.closedReason) return;
        const why = `no pong from ${this.describe()} within ${2 * this.opts.pingMs} ms`;
        this.opts.log(`closing link to ${this.describe()}: ${why}`);
        this.terminate(why);
      });
      return;
    }
    this.alive = false;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
  }

  private onMessage(msg: Buffer, isBinary: boolean): void {
    // ws still delivers what arrives while a close is in progress; a link dropped for a violation serves nothing more.
    if (this.closedReason) return;
    this.alive = true;
    let frame: Frame;
    try {
      if (!isBinary) throw new ProtocolError('text frame');
      frame = decodeFrame(this.session?.mac ? this.unseal(msg) : msg);
      if (frame.kind === FrameKind.Request && !isKnownType(frame.type)) throw new ProtocolError(`unknown message type ${frame.type}`);
    } catch (err) {
      this.violation(err as Error);
      return;
    }
    if (frame.kind === FrameKind.Response) {
      const p = this.pending.get(frame.id);
      if (!p) return; // a reply that arrived after its timeout
      this.pending.delete(frame.id);
      clearTimeout(p.timer);
      p.resolve(frame);
      return;
    }
    void this.serve(frame);
  }

  private async serve(frame: Frame): Promise<void> {
    // The owner installs its handler right after construction; a request replayed from the handshake may come first.
    if (!this.handler) await new Promise((resolve) => setImmediate(resolve));
    if (!this.handler) {
      this.violation(new ProtocolError(`unexpected request type ${frame.type}`));
      return;
    }
    this.inFlight++;
    if (this.inFlight >= this.opts.maxInFlight && !this.ws.isPaused) this.ws.pause();
    let out: Outgoing;
    try {
      const reply = (await this.handler(frame.type, frame.meta, frame.data, this)) ?? {};
      // Replies are copied: their data may be a view of storage (a chunk) that a later request changes before the socket sends it.
      out = this.encodeWhole(FrameKind.Response, frame.type, frame.id, 0, reply.meta, reply.data);
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.violation(err);
        return;
      }
      const errno = err instanceof FsError ? err.errno : Errno.EIO;
      if (!(err instanceof FsError)) this.opts.log(`internal error serving type ${frame.type} for ${this.describe()}: ${(err as Error).stack ?? err}`);
      out = this.encodeWhole(FrameKind.Response, frame.type, frame.id, errno, { message: (err as Error).message });
    } finally {
      this.inFlight--;
      if (this.inFlight < this.opts.maxInFlight / 2 && this.ws.isPaused) this.ws.resume();
    }
    try {
      await this.send(out);
    } catch {
      // link went down while serving: nothing to answer
    }
  }

  /** A received message without its MAC; ProtocolError if the MAC is missing or wrong (altered, replayed or reordered). */
  private unseal(msg: Buffer): Buffer {
    const session = this.session as Session;
    if (msg.length < MAC_SIZE) throw new ProtocolError('frame too short for its MAC');
    const body = msg.subarray(0, msg.length - MAC_SIZE);
    const expected = frameMac(session.recv, this.recvSeq++, [body]);
    if (!timingSafeEqual(expected, msg.subarray(msg.length - MAC_SIZE))) throw new ProtocolError('frame MAC does not match (altered, replayed or reordered in flight)');
    return body;
  }

  private violation(err: Error): void {
    this.opts.log(`closing link to ${this.describe()}: ${err.message}`);
    this.close(`protocol error: ${err.message}`, 1002);
    // A hostile peer need not complete the closing handshake: drop the socket soon regardless.
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  private onClose(reason: string): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    if (this.pinger) clearInterval(this.pinger);
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new FsError('ENOTCONN', `link to ${this.describe()} went down: ${reason}`));
    }
    this.pending.clear();
    this.wakeSenders();
    for (const w of this.drainWaiters) w();
    this.drainWaiters = [];
    this.emit('close', reason);
  }
}
