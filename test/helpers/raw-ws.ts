/** A bare `ws` connection for hostile-peer tests: speaks the handshake by hand, then sends whatever bytes a test wants. */
import WebSocket from 'ws';
import { generateKeyPairSync, KeyObject, sign } from 'crypto';
import { frameMac, MAC_SIZE, newNonce, processIdentity, proof, Session, sessionKeys } from '../../transport/auth';
import { decodeFrame, encodeFrame, Frame, FrameKind, Meta } from '../../transport/frame';
import { Msg } from '../../transport/messages';

/** A raw socket with every received message and its close collected. */
export interface RawConn {
  ws: WebSocket;
  /** Every message received so far, in order. */
  received: Buffer[];
  /** Resolves with the close code and reason (never rejects). */
  closed: Promise<{ code: number; reason: string }>;
  /** The next message received, its MAC checked and removed once a ws:// session is up (rejects after timeoutMs, on close, or on a bad MAC). */
  next(timeoutMs?: number): Promise<Buffer>;
  /** Sends one message; once a ws:// session is up, with the MAC the server expects (sequence numbers follow the calls). */
  send(msg: Buffer | string): void;
  /** Set by rawHandshake when the server accepted: the link's keys. */
  session: Session | null;
}

/** A zero mask lets ws send a frame without copying and masking it: a loaded test process must not spend seconds masking a 40 MiB frame while the peer's pings go unanswered. */
function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

/** Opens a raw ws connection (binary, no compression, no client-side payload limit) and waits until it is open. */
export async function rawConnect(url: string, ca?: Buffer): Promise<RawConn> {
  const ws = new WebSocket(url, { perMessageDeflate: false, ca, maxPayload: 0, generateMask: zeroMask });
  ws.on('error', () => undefined);
  const received: Buffer[] = [];
  let wake: (() => void) | null = null;
  ws.on('message', (m: Buffer) => {
    received.push(m);
    wake?.();
  });
  const closed = new Promise<{ code: number; reason: string }>((res) => {
    ws.on('close', (code: number, reason: Buffer) => {
      wake?.();
      res({ code, reason: reason.toString() });
    });
  });
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('close', () => rej(new Error(`could not open ${url}`)));
  });
  let read = 0;
  let sent = 0;
  let got = 0;
  const conn: RawConn = {
    ws,
    received,
    closed,
    session: null,
    send(msg: Buffer | string) {
      if (conn.session?.mac && Buffer.isBuffer(msg)) ws.send(Buffer.concat([msg, frameMac(conn.session.send, sent++, [msg])]));
      else ws.send(msg);
    },
    async next(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length <= read) {
        if (ws.readyState === WebSocket.CLOSED) throw new Error('connection closed');
        if (Date.now() > deadline) throw new Error(`no message within ${timeoutMs} ms`);
        await new Promise<void>((res) => {
          const t = setTimeout(res, 50);
          wake = () => {
            clearTimeout(t);
            res();
          };
        });
        wake = null;
      }
      const msg = received[read++]!; // the loop above waited until received.length > read
      if (!conn.session?.mac) return msg;
      const body = msg.subarray(0, msg.length - MAC_SIZE);
      if (!frameMac(conn.session.recv, got++, [body]).equals(msg.subarray(msg.length - MAC_SIZE))) throw new Error('bad MAC on a received frame');
      return body;
    },
  };
  return conn;
}

/** An identity key pair other than this process's own: a raw peer that pretends to be another process. */
export function otherIdentity(): { privateKey: KeyObject; publicKey: string } {
  const pair = generateKeyPairSync('ed25519');
  return { privateKey: pair.privateKey, publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
}

/**
 * Answers the server's challenge with a proof made from secret (then at once sends `pipelined`); returns the AuthResult frame (status 0 when
 * accepted). A hello with an id and no key gets the identity key (this process's unless `identity` is given) and its signature.
 */
export async function rawHandshake(
  conn: RawConn,
  secret: string,
  hello: Meta = { role: 'client', id: 'raw-test' },
  pipelined: Buffer[] = [],
  identity: { privateKey: KeyObject; publicKey: string } = processIdentity(),
): Promise<Frame> {
  const challenge = decodeFrame(await conn.next());
  if (challenge.type !== Msg.AuthChallenge || typeof challenge.meta.nonce !== 'string') throw new Error('expected an authentication challenge');
  const clientNonce = newNonce();
  if (typeof hello.id === 'string' && hello.key === undefined) hello = { ...hello, key: identity.publicKey };
  const idSig = typeof hello.id === 'string' ? sign(null, Buffer.from(`mempool/2 id ${challenge.meta.nonce} ${clientNonce} ${hello.id}`), identity.privateKey).toString('base64') : undefined;
  const meta = { nonce: clientNonce, proof: proof(secret, 'client', challenge.meta.nonce, clientNonce, hello), hello, idSig };
  conn.ws.send(encodeFrame(FrameKind.Request, Msg.AuthResponse, 0, 0, meta));
  for (const frame of pipelined) conn.ws.send(frame);
  const result = decodeFrame(await conn.next());
  if (result.type !== Msg.AuthResult) throw new Error(`expected an authentication result, got type ${result.type}`);
  if (result.status === 0) conn.session = sessionKeys(secret, challenge.meta.nonce, clientNonce, 'client', conn.ws.url.startsWith('ws://'));
  return result;
}

/** Opens a raw connection and authenticates it; throws unless the server accepted. */
export async function rawAuthenticated(url: string, secret: string, ca?: Buffer, hello?: Meta): Promise<RawConn> {
  const conn = await rawConnect(url, ca);
  const result = await rawHandshake(conn, secret, hello);
  if (result.status !== 0) throw new Error(`authentication refused: ${JSON.stringify(result.meta)}`);
  return conn;
}

/** Sends a request frame over a raw connection and waits for its response frame (by id). */
export async function rawRequest(conn: RawConn, type: number, id: number, meta: Meta, data?: Buffer, timeoutMs = 5000): Promise<Frame> {
  conn.send(encodeFrame(FrameKind.Request, type, id, 0, meta, data));
  for (;;) {
    const f = decodeFrame(await conn.next(timeoutMs));
    if (f.kind === FrameKind.Response && f.id === id) return f;
  }
}

/** Resolves with the close event, or rejects if the server keeps the connection open longer than timeoutMs. */
export async function expectClosed(conn: RawConn, timeoutMs = 5000): Promise<{ code: number; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`connection still open after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([conn.closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
