/** Accepting side of the transport: a ws (or wss) server whose connections become authenticated Peers. */
import { EventEmitter } from 'events';
import { readFileSync } from 'fs';
import http from 'http';
import https from 'https';
import { AddressInfo } from 'net';
import WebSocket, { WebSocketServer } from 'ws';
import { Admission, AdmissionLimits, admissionLimits } from './admission';
import { checkSecretStrength, isLoopback, RoleSecrets, TLS_CIPHERS, TLS_MIN_VERSION } from './auth';
import { acceptHandshake, Inbox } from './handshake';
import { limitedLog } from './log-limit';
import { Hello } from './messages';
import { Peer, PeerOptions } from './peer';

export interface ListenOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The secret each role must prove (a string: one for all; a list: any one of them); empty is allowed only on loopback. */
  secret: RoleSecrets;
  /** PEM certificate and key files: serve wss:// instead of ws://. */
  tlsCert?: string;
  tlsKey?: string;
  /** Largest ws message accepted (ws closes the link with 1009 beyond it). */
  maxPayload: number;
  /** What this side tells peers about itself. */
  hello: Hello;
  /** Returns a reason to refuse a proven peer (e.g. a role this server does not serve, an id in use), or null. */
  accept?: (hello: Hello) => string | null | Promise<string | null>;
  peerOptions?: PeerOptions;
  /** Connection caps and the authentication deadline (default: MEMPOOL_* environment, then DEFAULT_LIMITS). */
  limits?: Partial<AdmissionLimits>;
  log?: (msg: string) => void;
}

/** A listening transport endpoint; emits 'peer' (Peer) for each authenticated connection. */
export class Listener extends EventEmitter {
  readonly url: string;
  private readonly wss: WebSocketServer;
  private readonly server: http.Server | https.Server;
  /** Caps and deadlines of the sockets that have not authenticated yet. */
  readonly admission: Admission;
  readonly peers = new Set<Peer>();

  constructor(wss: WebSocketServer, server: http.Server | https.Server, url: string, admission: Admission) {
    super();
    this.wss = wss;
    this.server = server;
    this.url = url;
    this.admission = admission;
  }

  /** Stops accepting, drops every link and frees the port. */
  async close(): Promise<void> {
    for (const p of this.peers) p.close('server shutting down', 1001);
    for (const ws of this.wss.clients) ws.terminate();
    this.admission.close();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Starts a listener; refuses a non-loopback address without a secret. */
export async function listen(opts: ListenOptions): Promise<Listener> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const secrets = typeof opts.secret === 'string' ? [opts.secret] : Object.values(opts.secret).flatMap((s) => s ?? []);
  if (secrets.some((s) => s === '') && !isLoopback(opts.host)) {
    throw new Error(`refusing to listen on ${opts.host}:${opts.port} without a secret: set --secret-file FILE or MEMPOOL_SECRET (only loopback addresses may run without one)`);
  }
  for (const s of secrets) if (s) checkSecretStrength(s, 'the listener options');
  if (!!opts.tlsCert !== !!opts.tlsKey) throw new Error('--tls-cert and --tls-key go together');
  const limits = admissionLimits(opts.limits);
  // A flood of refused or idle connections must not flood the log: rejections share one rate-limited log.
  const logRejection = limitedLog(log, 'connection rejections');
  const admission = new Admission(limits, logRejection);
  // TLS: forward-secret AEAD suites only (see TLS_CIPHERS), the server's order first.
  const server = opts.tlsCert
    ? https.createServer({
        cert: readFileSync(opts.tlsCert),
        key: readFileSync(opts.tlsKey as string),
        handshakeTimeout: limits.authTimeoutMs,
        minVersion: TLS_MIN_VERSION,
        ciphers: TLS_CIPHERS,
        honorCipherOrder: true,
      })
    : http.createServer();
  // Every TCP socket is admitted (or refused) before TLS or HTTP sees a byte; its deadline runs until it authenticates.
  server.on('connection', (socket) => admission.admit(socket));
  server.headersTimeout = limits.authTimeoutMs;
  server.requestTimeout = limits.authTimeoutMs;
  server.on('request', (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('mempool speaks WebSocket here\n');
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: opts.maxPayload });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const listener = new Listener(wss, server, `${opts.tlsCert ? 'wss' : 'ws'}://${host}:${addr.port}`, admission);
  wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
    const from = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    ws.on('error', () => undefined);
    const inbox = new Inbox(ws);
    const left = admission.upgraded(req.socket);
    // On ws:// every later frame carries a MAC under the session key; on wss:// TLS already protects each record.
    acceptHandshake(ws, inbox, opts.secret, opts.hello, left, !opts.tlsCert, opts.accept)
      .then(({ hello, session }) => {
        admission.authenticated(req.socket);
        if (ws.readyState !== WebSocket.OPEN) return;
        const peer = new Peer(ws, hello, { log, ...opts.peerOptions }, inbox.detach(), session);
        listener.peers.add(peer);
        peer.once('close', () => listener.peers.delete(peer));
        listener.emit('peer', peer, from);
      })
      .catch((err: Error) => {
        // Stop queueing what the refused peer keeps sending while the close completes (it could be gigabytes).
        inbox.detach();
        logRejection(`rejected connection from ${from}: ${err.message}`);
        ws.close(4001, err.message.slice(0, 120));
        setTimeout(() => ws.terminate(), 1000).unref();
      });
  });
  return listener;
}
