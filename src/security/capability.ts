/**
 * Chunk capabilities: the manager's signed permission for one client to read (or read and write) a range of one
 * file's chunks, checked by memory nodes. A capability is a text token, a MAC (HMAC-SHA256) under a key that only
 * the manager and the memory nodes derive (from the node secret), over: the file's inode, its chunk key generation,
 * the chunk index range [first, first+count), read or write, the lease epoch writes must carry, and an expiry in
 * the manager's clock. Clients carry tokens opaquely (they may parse one to see what it allows, never make one).
 */
import { createHmac, timingSafeEqual } from 'crypto';
import { FsError } from '../errors';
import { CAP_CACHE, CAP_MAX, CAP_SKEW_MS } from '../limits';

/** What a capability allows. */
export interface CapFields {
  ino: number;
  /** The file's chunk key generation (chunk keys are ino:index:gen). */
  gen: number;
  /** First chunk index covered. */
  first: number;
  /** Number of chunk indexes covered. */
  count: number;
  /** Write (implies read: a writer's page cache reads what it merges into) or read only. */
  write: boolean;
  /** The lease epoch a write must carry (0 in a read capability). */
  epoch: number;
  /** Expiry, ms since the epoch by the manager's clock. */
  exp: number;
}

/** The capability key: derived from the node secret, which memory nodes and the manager hold and clients do not. */
export function capKey(nodeSecret: string): Buffer {
  return createHmac('sha256', nodeSecret).update('mempool chunk capability v1').digest();
}

function payload(f: CapFields): string {
  return `1.${f.ino}.${f.gen}.${f.first}.${f.count}.${f.write ? 'w' : 'r'}.${f.epoch}.${f.exp}`;
}

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

/** A token granting f, signed with key. */
export function issueCap(key: Buffer, f: CapFields): string {
  const p = payload(f);
  return `${p}.${mac(key, p)}`;
}

const TOKEN = /^1\.(\d{1,16})\.(\d{1,16})\.(\d{1,16})\.(\d{1,16})\.([rw])\.(\d{1,16})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/;

/** What a token says it allows (not verified: for clients, to know which requests it covers), or null when malformed. */
export function parseCap(token: string): CapFields | null {
  if (token.length > CAP_MAX) return null;
  const m = TOKEN.exec(token);
  if (!m) return null;
  const n = (i: number): number => Number(m[i]);
  const f = { ino: n(1), gen: n(2), first: n(3), count: n(4), write: m[5] === 'w', epoch: n(6), exp: n(7) };
  return [f.ino, f.gen, f.first, f.count, f.epoch, f.exp].every(Number.isSafeInteger) ? f : null;
}

/** One chunk request as a node sees it. */
export interface CapUse {
  ino: number;
  gen: number;
  index: number;
  write: boolean;
  /** The lease epoch a write carries. */
  epoch?: number;
}

/** Verifies tokens on a memory node: each distinct token is checked by HMAC once, then remembered (bounded). */
export class CapVerifier {
  private readonly verified = new Map<string, CapFields>();
  /** The manager's clock minus this node's (learned from heartbeat replies). */
  private offsetMs = 0;

  constructor(
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /** Learns the manager's clock: it answered `managerNow` to a request sent at `sentAt` and answered at `gotAt` (this node's clock). */
  learnClock(managerNow: number, sentAt: number, gotAt: number): void {
    this.offsetMs = managerNow - (sentAt + gotAt) / 2;
  }

  /** Throws EACCES unless token is a genuine, unexpired capability that allows use. */
  check(token: string | undefined, use: CapUse): void {
    if (token === undefined) throw new FsError('EACCES', 'chunk request without a capability');
    const f = this.fields(token);
    if (this.now() + this.offsetMs > f.exp + CAP_SKEW_MS) throw new FsError('EACCES', 'capability expired');
    if (f.ino !== use.ino || f.gen !== use.gen) throw new FsError('EACCES', `capability for inode ${f.ino} generation ${f.gen}, not ${use.ino} generation ${use.gen}`);
    if (use.index < f.first || use.index >= f.first + f.count) throw new FsError('EACCES', `capability covers chunks ${f.first}..${f.first + f.count - 1}, not ${use.index}`);
    if (use.write && !f.write) throw new FsError('EACCES', 'read capability used to write');
    if (use.write && (use.epoch ?? 0) !== f.epoch) throw new FsError('EACCES', `write under epoch ${use.epoch ?? 0}, the capability is for epoch ${f.epoch}`);
  }

  /** The fields of a genuine token (EACCES for a malformed or forged one). */
  private fields(token: string): CapFields {
    const known = this.verified.get(token);
    if (known) return known;
    const f = parseCap(token);
    if (!f) throw new FsError('EACCES', 'malformed capability');
    const dot = token.lastIndexOf('.');
    const got = Buffer.from(token.slice(dot + 1));
    const want = Buffer.from(mac(this.key, token.slice(0, dot)));
    if (got.length !== want.length || !timingSafeEqual(got, want)) throw new FsError('EACCES', 'forged capability');
    if (this.verified.size >= CAP_CACHE) {
      // forget the oldest (a Map keeps insertion order); it is verified again if it comes back
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, f);
    return f;
  }
}
