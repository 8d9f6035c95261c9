/** Connecting side of the transport: one-shot dial, and a Link that redials with backoff. */
import { EventEmitter } from 'events';
import WebSocket from 'ws';
import { Errno, FsError } from '../src/errors';
import { checkSecretStrength, processIdentity, TLS_CIPHERS, TLS_MIN_VERSION } from './auth';
import { Meta, ProtocolError } from './frame';
import { Inbox, offerHandshake } from './handshake';
import { Hello } from './messages';
import { Peer, PeerOptions } from './peer';

export interface DialOptions {
  secret: string;
  hello: Hello;
  maxPayload: number;
  /** Extra trusted CA certificate (PEM) for wss:// to a self-signed server. */
  ca?: Buffer;
  /** Time allowed for TCP, TLS, upgrade and authentication together. */
  timeoutMs?: number;
  peerOptions?: PeerOptions;
}

/** Node's codes for a server certificate that fails verification. */
const TLS_TRUST_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The far end is a standby manager: it serves nothing; leader is the leading manager's URL when it knows it. */
export class StandbyError extends FsError {
  constructor(
    url: string,
    readonly leader: string | undefined,
  ) {
    super('EAGAIN', `manager at ${url} is a standby${leader ? `; the leader is ${leader}` : ' and knows no leader yet'}`);
  }
}

/** Backoff step a link stays at while standbys answer (50 ms * 2^2 = about 200 ms between dials). */
const STANDBY_ATTEMPT = 2;

/** Splits a comma-separated list of manager URLs (one URL is a list of one). */
export function splitUrls(list: string): string[] {
  return list
    .split(',')
    .map((u) => u.trim().replace(/\/$/, ''))
    .filter((u) => u.length > 0);
}

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

/** Connects and authenticates once; rejects with FsError (ECONNREFUSED, EACCES, ETIMEDOUT). */
export async function dial(url: string, opts: DialOptions): Promise<Peer> {
  if (!/^wss?:\/\//.test(url)) throw new FsError('EINVAL', `not a ws:// or wss:// URL: ${url}`);
  const timeoutMs = opts.timeoutMs ?? 5000;
  // A zero mask lets ws skip masking (one copy of every byte sent): masking guards browsers' proxies against cache
  // poisoning by untrusted scripts; mempool's peers are mempool processes, and the secret authenticates them.
  checkSecretStrength(opts.secret, 'the dial options');
  const tls = url.startsWith('wss://');
  const ws = new WebSocket(url, {
    perMessageDeflate: false,
    maxPayload: opts.maxPayload,
    handshakeTimeout: timeoutMs,
    ca: opts.ca,
    generateMask: zeroMask,
    ...(tls ? { minVersion: TLS_MIN_VERSION, ciphers: TLS_CIPHERS } : {}),
  });
  const inbox = new Inbox(ws);
  // A peer with an id proves it with this process's identity key: the server binds the id to the key.
  const hello = opts.hello.id ? { ...opts.hello, key: processIdentity().publicKey } : opts.hello;
  try {
    // On ws:// every later frame carries a MAC under the session key; on wss:// TLS already protects each record.
    const { hello: remote, session } = await offerHandshake(ws, inbox, opts.secret, hello, timeoutMs, !tls);
    if (remote.standby) throw new StandbyError(url, remote.leader);
    return new Peer(ws, remote, opts.peerOptions, inbox.detach(), session);
  } catch (err) {
    ws.removeAllListeners();
    ws.on('error', () => undefined);
    ws.terminate();
    if (err instanceof FsError || err instanceof ProtocolError) throw err;
    const code = (err as { code?: string }).code;
    if (code && TLS_TRUST_ERRORS.has(code)) {
      // Not transient: redialling cannot make an untrusted certificate trusted, so fail at once (EACCES is fatal to a Link).
      throw new FsError('EACCES', `cannot trust the TLS certificate of ${url}: ${(err as Error).message} (trust it with --tls-ca FILE or MEMPOOL_TLS_CA)`);
    }
    throw new FsError(code === 'ECONNREFUSED' ? 'ECONNREFUSED' : 'EHOSTDOWN', `cannot connect to ${url}: ${(err as Error).message}`);
  }
}

/**
 * A link that stays up: dials in the background, redials with exponential
 * backoff after a drop, and emits 'up' (Peer) on every (re)connection,
 * 'down' (reason) on every drop, and 'fatal' (Error) when the secret is refused.
 * Given a comma-separated list of URLs (managers on etcd), it follows the leader:
 * a failed dial moves on to the next URL, and a standby's answer to the leader's.
 */
export class Link extends EventEmitter {
  /** Every URL this link may dial, in the order given. */
  readonly urls: string[];
  /** The URL dialled now (the leader's, once found). */
  private target: string;
  /** Dials refused in a row since the last connection (failFast: fatal once every URL refused). */
  private refusedInRow = 0;
  private readonly opts: DialOptions & { retryMaxMs: number };
  private current: Peer | null = null;
  private waiters: Array<(p: Peer | Error) => void> = [];
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private lastError: Error | null = null;
  private dialing = false;
  /** True once a connection has been up: from then on every failure is redialed. */
  private everUp = false;
  private readonly failFast: boolean;

  /**
   * With `failFast`, a refused first dial (nothing listens at the URL) is final: waiters get ECONNREFUSED at once and
   * 'fatal' is emitted, so a one-shot command reports a wrong URL instead of retrying; a link that was up once still redials.
   */
  constructor(url: string, opts: DialOptions & { retryMaxMs?: number; failFast?: boolean }) {
    super();
    this.urls = splitUrls(url);
    this.target = this.urls[0] ?? url;
    this.opts = { ...opts, retryMaxMs: opts.retryMaxMs ?? 2000 };
    this.failFast = opts.failFast ?? false;
  }

  /** The URL this link dials now (with several managers: the leader's once found). */
  get url(): string {
    return this.target;
  }

  /** Starts dialling (idempotent). */
  start(): void {
    if (!this.current && !this.retryTimer && !this.dialing) this.connectNow();
  }

  /** The connected peer, waiting up to waitMs for (re)connection. */
  async peer(waitMs = 10_000): Promise<Peer> {
    if (this.current && !this.current.closed) return this.current;
    if (this.stopped) throw new FsError('ENOTCONN', `link to ${this.url} is closed`);
    this.start();
    return new Promise<Peer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const why = this.lastError ? `: ${this.lastError.message}` : '';
        reject(new FsError('ENOTCONN', `no connection to ${this.url} within ${waitMs} ms${why}`));
      }, waitMs);
      const waiter = (p: Peer | Error) => {
        clearTimeout(timer);
        if (p instanceof Error) reject(p);
        else resolve(p);
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends a request over the current connection (waiting for one if it is down). */
  async request(type: number, meta: Meta = {}, data?: Buffer, timeoutMs?: number): Promise<{ meta: Meta; data: Buffer }> {
    const peer = await this.peer(timeoutMs);
    return peer.request(type, meta, data, timeoutMs);
  }

  /** True while a connection is up. */
  get connected(): boolean {
    return !!this.current && !this.current.closed;
  }

  /** Closes the link for good. */
  close(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.current?.close('link closed');
    this.current = null;
    this.flushWaiters(new FsError('ENOTCONN', `link to ${this.url} closed`));
  }

  private flushWaiters(result: Peer | Error): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w(result);
  }

  private connectNow(): void {
    this.retryTimer = null;
    this.dialing = true;
    dial(this.target, this.opts).then(
      (peer) => {
        this.dialing = false;
        if (this.stopped) {
          peer.close('link closed');
          return;
        }
        this.attempt = 0;
        this.refusedInRow = 0;
        this.lastError = null;
        this.everUp = true;
        this.current = peer;
        peer.once('close', (reason: string) => {
          if (this.current === peer) this.current = null;
          this.emit('down', reason);
          if (!this.stopped) this.scheduleRetry();
        });
        this.emit('up', peer);
        this.flushWaiters(peer);
      },
      (err: Error) => {
        this.dialing = false;
        this.lastError = err;
        if (this.stopped) return;
        const refused = err instanceof FsError && err.errno === Errno.ECONNREFUSED;
        this.refusedInRow = refused ? this.refusedInRow + 1 : 0;
        const refusedFirst = this.failFast && !this.everUp && refused && this.refusedInRow >= this.urls.length;
        if (err instanceof FsError && (err.errno === Errno.EACCES || refusedFirst)) {
          this.stopped = true;
          this.flushWaiters(err);
          this.emit('fatal', err);
          return;
        }
        this.nextTarget(err);
        // A standby answered: a leader is (about to be) elected, so keep redialling quickly instead of backing off to the maximum.
        if (err instanceof StandbyError) this.attempt = Math.min(this.attempt, STANDBY_ATTEMPT);
        this.scheduleRetry();
      },
    );
  }

  /** After a failed dial: the leader a standby named, else the next URL of the list. */
  private nextTarget(err: Error): void {
    if (err instanceof StandbyError && err.leader && err.leader !== this.target) {
      this.target = err.leader;
      return;
    }
    if (this.urls.length < 2) return;
    const i = this.urls.indexOf(this.target);
    this.target = this.urls[(i + 1) % this.urls.length] ?? this.target;
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    const delay = Math.min(this.opts.retryMaxMs, 50 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt++;
    this.retryTimer = setTimeout(() => this.connectNow(), delay);
    this.retryTimer.unref();
  }
}
