/** The authentication exchange that opens every link, before any other frame. */
import WebSocket from 'ws';
import { Errno, FsError } from '../src/errors';
import { idSignatureValid, newNonce, proof, proofMatches, provenSecret, RoleSecrets, secretsFor, Session, sessionKeys, signId } from './auth';
import { decodeFrame, encodeFrame, Frame, FrameKind, Meta, ProtocolError } from './frame';
import { Hello, Msg, Role } from './messages';

const ROLES: readonly Role[] = ['client', 'node', 'manager', 'operator'];

/**
 * Holds a socket's messages from the moment it exists until the Peer takes
 * over: ws may deliver the challenge in the same tick as 'open', and a request
 * in the same tick as the authentication result, with no listener yet.
 */
export class Inbox {
  private readonly queue: Array<[Buffer, boolean]> = [];
  private wake: (() => void) | null = null;
  private ended: Error | null = null;
  private readonly onMessage = (msg: Buffer, isBinary: boolean) => {
    this.queue.push([msg, isBinary]);
    this.wake?.();
  };
  private readonly onClose = (code: number, reason: Buffer) => {
    this.ended ??= new FsError('ENOTCONN', `connection closed during handshake (${code}${reason.length ? ': ' + reason.toString() : ''})`);
    this.wake?.();
  };
  // The socket's own error (ECONNREFUSED, a TLS failure...) goes up as is: dial() names the URL and picks the errno.
  private readonly onError = (err: Error) => {
    this.ended ??= err;
    this.wake?.();
  };

  constructor(private readonly ws: WebSocket) {
    ws.on('message', this.onMessage);
    ws.on('close', this.onClose);
    ws.on('error', this.onError);
  }

  /** The next frame, decoded; rejects on close, error or timeout. */
  async next(timeoutMs: number): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.ended) throw this.ended;
      const left = deadline - Date.now();
      if (left <= 0) throw new FsError('ETIMEDOUT', `handshake not completed within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    const [msg, isBinary] = this.queue.shift() as [Buffer, boolean];
    if (!isBinary) throw new ProtocolError('text frame during handshake');
    return decodeFrame(msg);
  }

  /** Stops listening and hands over messages that arrived after the handshake. */
  detach(): Array<[Buffer, boolean]> {
    this.ws.off('message', this.onMessage);
    this.ws.off('close', this.onClose);
    this.ws.off('error', this.onError);
    return this.queue.splice(0);
  }
}

/** Checks a Hello received from the network. */
export function parseHello(raw: unknown): Hello {
  if (!raw || typeof raw !== 'object') throw new ProtocolError('missing hello');
  const h = raw as Meta;
  if (typeof h.role !== 'string' || !ROLES.includes(h.role as Role)) throw new ProtocolError('hello has no valid role');
  const out: Hello = { role: h.role as Role };
  for (const k of ['id', 'url', 'name', 'leader', 'key'] as const) {
    const v = h[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.length > 1024) throw new ProtocolError(`hello field ${k} must be a short string`);
    out[k] = v;
  }
  for (const k of ['capacity', 'chunkSize'] as const) {
    const v = h[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ProtocolError(`hello field ${k} must be a non-negative integer`);
    out[k] = v;
  }
  if (h.standby !== undefined) {
    if (typeof h.standby !== 'boolean') throw new ProtocolError('hello field standby must be a boolean');
    out.standby = h.standby;
  }
  return out;
}

/** What a handshake establishes: the proven peer's hello and the link's session keys (on the server, with which secret it proved). */
export interface Handshaken {
  hello: Hello;
  session: Session;
}

/**
 * Server side: challenges the newly connected socket, checks the proof against the secrets of the role the peer
 * declares (the hello is covered by the proof; a role with several secrets: each is tried, in constant time) and, when
 * it names an id with an identity key, the signature that binds the id to that key; returns the proven hello and the
 * session, keyed by the secret the peer proved. Throws (after telling the peer) on failure.
 */
export async function acceptHandshake(
  ws: WebSocket,
  inbox: Inbox,
  secrets: RoleSecrets,
  ours: Hello,
  timeoutMs = 5000,
  mac = true,
  accept?: (hello: Hello) => string | null | Promise<string | null>,
): Promise<Handshaken> {
  const serverNonce = newNonce();
  ws.send(encodeFrame(FrameKind.Request, Msg.AuthChallenge, 0, 0, { version: 2, nonce: serverNonce }));
  const f = await inbox.next(timeoutMs);
  if (f.type !== Msg.AuthResponse) throw new ProtocolError(`expected an authentication response, got message type ${f.type}`);
  const clientNonce = f.meta.nonce;
  if (typeof clientNonce !== 'string' || !/^[0-9a-f]{64}$/.test(clientNonce)) throw new ProtocolError('bad client nonce');
  const hello = parseHello(f.meta.hello);
  const refuse: (why: string, errno?: 'EACCES' | 'EAGAIN') => never = (why, errno = 'EACCES') => {
    ws.send(encodeFrame(FrameKind.Response, Msg.AuthResult, 0, errno === 'EAGAIN' ? Errno.EAGAIN : Errno.EACCES, { message: why }));
    throw new FsError(errno, why);
  };
  const candidates = secretsFor(secrets, hello.role);
  if (candidates === undefined) refuse(`authentication failed: role ${hello.role} is not served here`);
  if (candidates === null) refuse(`role ${hello.role} is not served yet (a memory node serves clients once registered with a manager)`, 'EAGAIN');
  const index = provenSecret(candidates, f.meta.proof, (s) => proof(s, 'client', serverNonce, clientNonce, f.meta.hello));
  const secret = candidates[index];
  if (secret === undefined) refuse(`authentication failed: wrong or missing secret for role ${hello.role}`);
  if (hello.key !== undefined && (!hello.id || !idSignatureValid(hello.key, f.meta.idSig, serverNonce, clientNonce, hello.id))) {
    refuse('authentication failed: the identity signature does not match the identity key');
  }
  // A proven peer this server will not take (a role it does not serve, an id in use, a wrong URL) learns why in the result.
  const refusal = (await accept?.(hello)) ?? null;
  if (refusal) refuse(`refused: ${refusal}`);
  ws.send(encodeFrame(FrameKind.Response, Msg.AuthResult, 0, 0, { proof: proof(secret, 'server', clientNonce, serverNonce, ours), hello: ours as unknown as Meta }));
  return { hello, session: sessionKeys(secret, serverNonce, clientNonce, 'server', mac, index) };
}

/** Client side: answers the server's challenge (signing with the process identity when the hello carries its key), checks the server's own proof, and returns the server's Hello and the session. */
export async function offerHandshake(ws: WebSocket, inbox: Inbox, secret: string, ours: Hello, timeoutMs = 5000, mac = true): Promise<Handshaken> {
  const challenge = await inbox.next(timeoutMs);
  if (challenge.type !== Msg.AuthChallenge || typeof challenge.meta.nonce !== 'string' || !/^[0-9a-f]{64}$/.test(challenge.meta.nonce)) {
    throw new ProtocolError('server did not send a valid authentication challenge');
  }
  if (challenge.meta.version !== 2) throw new FsError('EPROTO', `server speaks handshake version ${String(challenge.meta.version)}, not 2: upgrade it`);
  const serverNonce = challenge.meta.nonce;
  const clientNonce = newNonce();
  const meta: Meta = { nonce: clientNonce, proof: proof(secret, 'client', serverNonce, clientNonce, ours), hello: ours as unknown as Meta };
  if (ours.id && ours.key) meta.idSig = signId(serverNonce, clientNonce, ours.id);
  ws.send(encodeFrame(FrameKind.Request, Msg.AuthResponse, 0, 0, meta));
  const result = await inbox.next(timeoutMs);
  if (result.type !== Msg.AuthResult) throw new ProtocolError('server did not send an authentication result');
  if (result.status !== 0) {
    // EAGAIN: the server cannot check this role yet, try again; anything else is a refusal
    throw new FsError(result.status === Errno.EAGAIN ? 'EAGAIN' : 'EACCES', typeof result.meta.message === 'string' ? result.meta.message : 'authentication failed');
  }
  if (!proofMatches(proof(secret, 'server', clientNonce, serverNonce, result.meta.hello), result.meta.proof)) {
    throw new FsError('EACCES', 'server failed to prove the shared secret');
  }
  return { hello: parseHello(result.meta.hello), session: sessionKeys(secret, serverNonce, clientNonce, 'client', mac) };
}
