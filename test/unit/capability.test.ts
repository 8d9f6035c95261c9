/** The chunk capability module: tokens issued with the key verify; anything forged, expired or mismatching is EACCES. */
import { FsError } from '../../src/errors';
import { CAP_SKEW_MS } from '../../src/limits';
import { capKey, CapFields, CapUse, CapVerifier, issueCap, parseCap } from '../../src/security/capability';

const key = capKey('node secret');
const NOW = 1_700_000_000_000;
const fields: CapFields = { ino: 42, gen: 7, first: 4, count: 8, write: true, epoch: 3, exp: NOW + 60_000 };
const use: CapUse = { ino: 42, gen: 7, index: 4, write: true, epoch: 3 };

/** The errno a check throws ('' when it passes). */
function errnoOf(v: CapVerifier, token: string | undefined, u: Partial<CapUse> = {}): string {
  try {
    v.check(token, { ...use, ...u });
    return '';
  } catch (err) {
    if (!(err instanceof FsError)) throw err;
    return err.code;
  }
}

describe('chunk capabilities', () => {
  let now = NOW;
  const verifier = () => new CapVerifier(key, () => now);
  beforeEach(() => (now = NOW));

  it('derives a key of its own from the node secret (not the secret itself, different per secret)', () => {
    expect(key.length).toBe(32);
    expect(capKey('node secret').equals(key)).toBe(true);
    expect(capKey('other secret').equals(key)).toBe(false);
    expect(key.toString('utf8')).not.toContain('node secret');
  });

  it('parses back what it issued', () => {
    const t = issueCap(key, fields);
    expect(parseCap(t)).toEqual(fields);
    expect(parseCap(issueCap(key, { ...fields, write: false, epoch: 0 }))).toEqual({ ...fields, write: false, epoch: 0 });
    for (const bad of ['', 'x', t + 'x', t.replace('.w.', '.x.'), '2' + t.slice(1), t.replace(/^1\.42/, '1.-42'), 'a'.repeat(1000)]) expect(parseCap(bad)).toBeNull();
  });

  it('accepts a genuine token for every chunk of its range, to read and to write under its epoch', () => {
    const v = verifier();
    const t = issueCap(key, fields);
    for (let index = 4; index < 12; index++) {
      expect(errnoOf(v, t, { index })).toBe('');
      expect(errnoOf(v, t, { index, write: false, epoch: undefined })).toBe('');
    }
  });

  it('refuses a missing, malformed or forged token', () => {
    const v = verifier();
    const t = issueCap(key, fields);
    expect(errnoOf(v, undefined)).toBe('EACCES');
    expect(errnoOf(v, 'garbage')).toBe('EACCES');
    expect(errnoOf(v, issueCap(capKey('wrong secret'), fields))).toBe('EACCES');
    expect(errnoOf(v, t.replace('.4.8.', '.0.99.'))).toBe('EACCES'); // a widened range keeps the old MAC
    expect(errnoOf(v, t.slice(0, -2) + (t.endsWith('AA') ? 'BB' : 'AA'))).toBe('EACCES');
    expect(errnoOf(v, t.replace(/^1\.42\./, '1.042.'))).toBe('EACCES'); // the MAC covers the text as issued
  });

  it('refuses another inode, generation, a chunk outside the range, a read token to write, another epoch', () => {
    const v = verifier();
    const t = issueCap(key, fields);
    expect(errnoOf(v, t, { ino: 43 })).toBe('EACCES');
    expect(errnoOf(v, t, { gen: 8 })).toBe('EACCES');
    expect(errnoOf(v, t, { gen: 0 })).toBe('EACCES');
    expect(errnoOf(v, t, { index: 3 })).toBe('EACCES');
    expect(errnoOf(v, t, { index: 12 })).toBe('EACCES');
    expect(errnoOf(v, t, { epoch: 2 })).toBe('EACCES');
    expect(errnoOf(v, t, { epoch: 4 })).toBe('EACCES');
    expect(errnoOf(v, t, { epoch: undefined })).toBe('EACCES');
    const r = issueCap(key, { ...fields, write: false, epoch: 0 });
    expect(errnoOf(v, r, { write: false })).toBe('');
    expect(errnoOf(v, r, { epoch: 0 })).toBe('EACCES');
  });

  it('expires, with CAP_SKEW_MS of grace, by the clock corrected with the offset learned from the manager', () => {
    const v = verifier();
    const t = issueCap(key, fields);
    expect(errnoOf(v, t)).toBe(''); // also cached now: expiry is checked on every use all the same
    now = fields.exp + CAP_SKEW_MS;
    expect(errnoOf(v, t)).toBe('');
    now = fields.exp + CAP_SKEW_MS + 1;
    expect(errnoOf(v, t)).toBe('EACCES');
    // this node's clock runs 10 s behind the manager's: a token is expired 10 s earlier by the node's own clock
    now = fields.exp - 7_000;
    v.learnClock(now + 10_000, now - 5, now + 5);
    expect(errnoOf(v, t)).toBe('EACCES');
    now = fields.exp - 13_000;
    expect(errnoOf(v, t)).toBe('');
  });

  it('verifies each distinct token by HMAC once, and stays cheap per request (measured)', () => {
    const v = verifier();
    const tokens = Array.from({ length: 64 }, (_, i) => issueCap(key, { ...fields, first: i * 8, count: 8 }));
    const n = 200_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) v.check(tokens[i % 64], { ...use, index: (i % 64) * 8 });
    const cachedUs = ((performance.now() - t0) * 1000) / n;
    const t1 = performance.now();
    for (let i = 0; i < 2000; i++) new CapVerifier(key, () => now).check(tokens[i % 64], { ...use, index: (i % 64) * 8 });
    const uncachedUs = ((performance.now() - t1) * 1000) / 2000;
    process.stdout.write(`capability check: ${cachedUs.toFixed(2)} us cached, ${uncachedUs.toFixed(2)} us with HMAC\n`);
    expect(cachedUs).toBeLessThan(50); // a loose bound for a loaded machine; typically well under 1 us
  });
});
