/**
 * Shared-secret mutual authentication by challenge and response (HMAC-SHA256), per-role secrets, the session keys
 * that authenticate every later frame on ws://, and the per-process identity key that binds a peer's id.
 * Both sides prove they hold the secret of the declared role; the secret itself never crosses the wire.
 */
import { createCipheriv, createDecipheriv, createHmac, createPublicKey, generateKeyPairSync, KeyObject, randomBytes, sign, timingSafeEqual, verify } from 'crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'fs';
import type { Role } from './messages';

/** Shortest secret accepted: 128 bits as base64/base64url (22 characters) or as hex (32 digits). */
export const MIN_SECRET_CHARS = 22;
export const MIN_SECRET_HEX = 32;

/** A fresh random challenge. */
export function newNonce(): string {
  return randomBytes(32).toString('hex');
}

/** The secret a peer of one role proves, or the list of secrets it may prove one of (e.g. several client secrets). */
export type RoleSecret = string | readonly string[];

/** The secret each role proves; a role without one is not served, null: not yet (try again later). A string: one secret for every role. */
export type RoleSecrets = string | Partial<Record<Role, RoleSecret | null>>;

/** The secrets a peer declaring `role` may prove (one of); undefined when this side serves no such role, null when not yet. */
export function secretsFor(secrets: RoleSecrets, role: Role): readonly string[] | null | undefined {
  const s = typeof secrets === 'string' ? secrets : secrets[role];
  return typeof s === 'string' ? [s] : s;
}

/** Throws unless the secret is empty (loopback only, checked by the listener) or at least 128 bits long. */
export function checkSecretStrength(secret: string, where: string): void {
  if (!secret) return;
  const hex = /^[0-9a-fA-F]+$/.test(secret);
  if (hex ? secret.length < MIN_SECRET_HEX : secret.length < MIN_SECRET_CHARS) {
    throw new Error(
      `the secret from ${where} is too short (${secret.length} characters): at least 128 bits are required, i.e. ${MIN_SECRET_CHARS} base64 characters or ${MIN_SECRET_HEX} hex digits (make one with: openssl rand -base64 32)`,
    );
  }
}

/**
 * The proof one side sends: HMAC of both nonces and the side's own hello (canonical JSON), bound to the side's
 * direction so a proof can't be reflected, and to the hello so a relay cannot change the role, id or url.
 */
export function proof(secret: string, direction: 'client' | 'server', first: string, second: string, hello: unknown): string {
  return createHmac('sha256', secret)
    .update(`mempool/2 ${direction} ${first} ${second} ${JSON.stringify(hello ?? null)}`)
    .digest('hex');
}

/** Compares a received proof with the expected one in constant time. */
export function proofMatches(expected: string, received: unknown): boolean {
  if (typeof received !== 'string' || received.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(received));
}

/**
 * Which candidate made a received proof (-1: none). Every candidate is computed and compared in constant time, whatever
 * matched, so the time taken tells nothing of which secret the peer holds or which others exist.
 */
export function provenSecret(candidates: readonly string[], received: unknown, proofOf: (secret: string) => string): number {
  let found = -1;
  candidates.forEach((secret, i) => {
    if (proofMatches(proofOf(secret), received) && found < 0) found = i;
  });
  return found;
}

/** The keys of one link: a base key from the secret and both nonces, and one frame-MAC key per direction. */
export interface Session {
  /** Keys the messages that carry key material (NodeAccess). */
  base: Buffer;
  /** MAC key of frames this side sends, and of frames it receives. */
  send: Buffer;
  recv: Buffer;
  /** True when each frame carries a MAC (ws://); false on wss://, where TLS gives integrity. */
  mac: boolean;
  /** Server side: which of its role's secrets the peer proved (their order as configured); 0 on the dialing side. */
  secretIndex: number;
}

/** Derives a link's session keys; `side` says which direction is "send". */
export function sessionKeys(secret: string, serverNonce: string, clientNonce: string, side: 'client' | 'server', mac: boolean, secretIndex = 0): Session {
  const base = createHmac('sha256', secret).update(`mempool/2 session ${serverNonce} ${clientNonce}`).digest();
  const c2s = createHmac('sha256', base).update('client to server').digest();
  const s2c = createHmac('sha256', base).update('server to client').digest();
  return side === 'client' ? { base, send: c2s, recv: s2c, mac, secretIndex } : { base, send: s2c, recv: c2s, mac, secretIndex };
}

/** Bytes of the MAC behind every frame on ws:// (HMAC-SHA256 truncated to 128 bits, or GMAC's 128-bit tag). */
export const MAC_SIZE = 16;

/** Frames of at least this many bytes carry a GMAC (about 4x HMAC-SHA256's throughput with AES-NI; slower to set up). */
export const GMAC_MIN = 64 * 1024;

/** Each direction's GMAC key, derived from its frame-MAC key (one key, one primitive). */
const gmacKeys = new WeakMap<Buffer, Buffer>();

/**
 * The MAC of one frame over its sequence number in its direction (stops replay and reordering) and its bytes:
 * HMAC-SHA256, or for a large frame AES-256-GMAC (GCM over no plaintext) under a key derived for it, with the sequence
 * number as the nonce (never repeated under one key: every link has its own keys, every frame its own number).
 */
export function frameMac(key: Buffer, seq: number, parts: readonly Buffer[]): Buffer {
  const s = Buffer.alloc(12);
  s.writeUInt32BE(Math.floor(seq / 0x100000000), 4);
  s.writeUInt32BE(seq >>> 0, 8);
  if (parts.reduce((n, p) => n + p.length, 0) >= GMAC_MIN) {
    let k = gmacKeys.get(key);
    if (!k) gmacKeys.set(key, (k = createHmac('sha256', key).update('mempool/2 gmac').digest()));
    const g = createCipheriv('aes-256-gcm', k, s);
    for (const p of parts) g.setAAD(p);
    g.final();
    return g.getAuthTag();
  }
  const h = createHmac('sha256', key);
  h.update(s.subarray(4));
  for (const p of parts) h.update(p);
  return h.digest().subarray(0, MAC_SIZE);
}

/**
 * The key clients prove to memory nodes: derived from the client secret, so nodes can check clients without holding
 * the client secret itself (the manager hands each node the keys of every client secret over the node's authenticated link).
 */
export function nodeAccessKey(clientSecret: string): string {
  return clientSecret ? createHmac('sha256', clientSecret).update('mempool/2 node access').digest('base64url') : '';
}

/** Encrypts and authenticates a short secret for one link (AES-256-GCM under a key from the session's base key). */
export function sealFor(session: Session, text: string): string {
  const key = createHmac('sha256', session.base).update('mempool/2 seal').digest();
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
}

/** Opens what sealFor sealed on the same link; throws if it was altered. */
export function openSealed(session: Session, sealed: string): string {
  const buf = Buffer.from(sealed, 'base64');
  if (buf.length < 28) throw new Error('sealed value too short');
  const key = createHmac('sha256', session.base).update('mempool/2 seal').digest();
  const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
  d.setAuthTag(buf.subarray(12, 28));
  return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
}

/** Seals, for one node's link, the node-access keys of every client secret (a JSON list). */
export function sealNodeAccess(session: Session, clientSecrets: readonly string[]): string {
  return sealFor(session, JSON.stringify(clientSecrets.map(nodeAccessKey)));
}

/** Opens what sealNodeAccess sealed: the keys clients may prove to this node; throws if altered or malformed. */
export function openNodeAccess(session: Session, sealed: string): string[] {
  const keys: unknown = JSON.parse(openSealed(session, sealed));
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k): k is string => typeof k === 'string')) throw new Error('not a list of node-access keys');
  return keys;
}

/** This process's identity key (Ed25519, made once per process): a peer's id is bound to it, so another process cannot take a live id. */
let identity: { privateKey: KeyObject; publicKey: string } | null = null;

/** The process's identity: its public key (base64 DER) to put in a hello, and the private key that signs each handshake. */
export function processIdentity(): { privateKey: KeyObject; publicKey: string } {
  if (!identity) {
    const pair = generateKeyPairSync('ed25519');
    identity = { privateKey: pair.privateKey, publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
  }
  return identity;
}

/** What an identity signature covers: both nonces and the id, so it cannot be replayed on another link. */
function idMessage(serverNonce: string, clientNonce: string, id: string): Buffer {
  return Buffer.from(`mempool/2 id ${serverNonce} ${clientNonce} ${id}`);
}

/** Signs a handshake with the process identity. */
export function signId(serverNonce: string, clientNonce: string, id: string): string {
  return sign(null, idMessage(serverNonce, clientNonce, id), processIdentity().privateKey).toString('base64');
}

/** True when sig proves the holder of the private half of `key` made it for this link and id. */
export function idSignatureValid(key: string, sig: unknown, serverNonce: string, clientNonce: string, id: string): boolean {
  if (typeof sig !== 'string' || sig.length > 200) return false;
  try {
    const pub = createPublicKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'spki' });
    if (pub.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, idMessage(serverNonce, clientNonce, id), pub, Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}

/** Reads a secret file, refusing one that group or others may read or write (the message names the file and the fix). */
export function readSecretFile(file: string): string {
  let text: string;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY);
  } catch (err) {
    throw new Error(`cannot read secret file ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`secret file ${file} is not a regular file`);
    if (st.mode & 0o077) {
      throw new Error(`secret file ${file} is accessible by group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}): run  chmod 600 ${file}`);
    }
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const secret = text.trim();
  if (!secret) throw new Error(`secret file ${file} is empty`);
  checkSecretStrength(secret, file);
  return secret;
}

/** Reads a secret from a file or MEMPOOL_SECRET (file wins); empty string when neither is set. */
export function loadSecret(secretFile?: string): string {
  if (secretFile) return readSecretFile(secretFile);
  const secret = (process.env.MEMPOOL_SECRET ?? '').trim();
  checkSecretStrength(secret, 'MEMPOOL_SECRET');
  return secret;
}

/** True for loopback host names and addresses, the only places a listener may run without a secret. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** TLS: only forward-secret AEAD suites (TLS 1.3's, and TLS 1.2's ECDHE with GCM or ChaCha20-Poly1305). */
export const TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');
export const TLS_MIN_VERSION = 'TLSv1.2';
