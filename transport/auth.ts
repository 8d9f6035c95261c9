/**
 * Shared-secret mutual authentication by challenge and response (HMAC-SHA256).
 * Both sides prove they hold the secret; the secret itself never crosses the wire.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'crypto';
import { readFileSync } from 'fs';

/** A fresh random challenge. */
export function newNonce(): string {
  return randomBytes(32).toString('hex');
}

/** The proof one side sends: HMAC of both nonces, bound to the side's direction so a proof can't be reflected. */
export function proof(secret: string, direction: 'client' | 'server', first: string, second: string): string {
  return createHmac('sha256', secret).update(`mempool/1 ${direction} ${first} ${second}`).digest('hex');
}

/** Compares a received proof with the expected one in constant time. */
export function proofMatches(expected: string, received: unknown): boolean {
  if (typeof received !== 'string' || received.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(received));
}

/** Reads the cluster secret from --secret-file or MEMPOOL_SECRET (file wins); empty string when neither is set. */
export function loadSecret(secretFile?: string): string {
  if (secretFile) {
    let text: string;
    try {
      text = readFileSync(secretFile, 'utf8');
    } catch (err) {
      throw new Error(`cannot read secret file ${secretFile}: ${(err as Error).message}`, { cause: err });
    }
    const secret = text.trim();
    if (!secret) throw new Error(`secret file ${secretFile} is empty`);
    return secret;
  }
  return (process.env.MEMPOOL_SECRET ?? '').trim();
}

/** True for loopback host names and addresses, the only places a listener may run without a secret. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
