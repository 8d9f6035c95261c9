import { FsError } from '../../src/errors';
import { ChunkStore } from '../../src/node/chunk-store';

const KiB = 1024;
const MiB = 1024 * KiB;

/** A buffer of n bytes with a recognizable non-zero pattern starting at seed. */
function pattern(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = ((seed + i) % 251) + 1;
  return b;
}

/** Asserts byte equality cheaply (jest's toEqual walks large buffers element by element), naming the first difference. */
function expectBytes(actual: Buffer | null, expected: Buffer): void {
  expect(actual).not.toBeNull();
  const a = actual as Buffer;
  expect(a.length).toBe(expected.length);
  if (!a.equals(expected)) {
    let i = 0;
    while (a[i] === expected[i]) i++;
    throw new Error(`bytes differ at offset ${i}: got ${a[i]}, expected ${expected[i]}`);
  }
}

/** Catches the FsError thrown by fn, failing the test if it does not throw one. */
function fsErrorOf(fn: () => unknown): FsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FsError) return err;
    throw err;
  }
  throw new Error('expected an FsError');
}

describe('ChunkStore', () => {
  it('round-trips writes and reads at offsets', () => {
    const s = new ChunkStore({ capacity: 4 * MiB, chunkSize: MiB });
    s.write('1:0', 0, Buffer.from('hello world'));
    s.write('1:0', 6, Buffer.from('there'));
    expect(s.read('1:0', 0, 100).toString()).toBe('hello there');
    expect(s.read('1:0', 6, 3).toString()).toBe('the');
    expect(s.read('1:0', 11, 10)).toHaveLength(0);
    expect(s.read('1:0', 500, 10)).toHaveLength(0);
    expect(s.read('missing', 0, 10)).toHaveLength(0);
    expect(s.has('1:0')).toBe(true);
    expect(s.has('missing')).toBe(false);
    expect(s.count).toBe(1);
    expect(s.get('1:0')?.toString()).toBe('hello there');
    expect(s.get('missing')).toBeNull();
  });

  it('returns a view on read and a copy from get', () => {
    const s = new ChunkStore({ capacity: MiB, chunkSize: MiB });
    s.write('k', 0, Buffer.from('abc'));
    const copy = s.get('k');
    s.write('k', 0, Buffer.from('xyz'));
    expect(copy?.toString()).toBe('abc');
    expect(s.read('k', 0, 3).toString()).toBe('xyz');
  });

  it('reads holes as zeros', () => {
    const s = new ChunkStore({ capacity: MiB, chunkSize: MiB });
    s.write('k', 0, pattern(10));
    s.write('k', 100, pattern(5, 7));
    const r = s.read('k', 0, 200);
    expect(r).toHaveLength(105);
    expectBytes(r.subarray(0, 10), pattern(10));
    expectBytes(r.subarray(10, 100), Buffer.alloc(90));
    expectBytes(r.subarray(100), pattern(5, 7));
    // A first write far into a fresh chunk leaves zeros before it.
    s.write('j', 200 * KiB, pattern(3));
    expectBytes(s.read('j', 0, 200 * KiB), Buffer.alloc(200 * KiB));
  });

  it('keeps zeros between a truncation point and a later write beyond it', () => {
    const s = new ChunkStore({ capacity: MiB, chunkSize: MiB });
    s.write('k', 0, pattern(1000));
    s.truncate('k', 10);
    expect(s.used).toBe(10);
    expectBytes(s.read('k', 0, 1000), pattern(10));
    s.write('k', 500, pattern(4, 3));
    const r = s.read('k', 0, 1000);
    expect(r).toHaveLength(504);
    expectBytes(r.subarray(0, 10), pattern(10));
    expectBytes(r.subarray(10, 500), Buffer.alloc(490));
    expectBytes(r.subarray(500), pattern(4, 3));
  });

  it('treats growing truncate as a no-op and drops a chunk truncated to 0', () => {
    const s = new ChunkStore({ capacity: MiB, chunkSize: MiB });
    s.write('k', 0, pattern(10));
    s.truncate('k', 5000);
    expectBytes(s.read('k', 0, 6000), pattern(10));
    s.truncate('missing', 5);
    expect(s.has('missing')).toBe(false);
    s.truncate('k', 0);
    expect(s.has('k')).toBe(false);
    expect(s.used).toBe(0);
    expect(s.allocated).toBe(0);
    expect(s.count).toBe(0);
  });

  it('shrinks the buffer when truncation frees at least half', () => {
    const s = new ChunkStore({ capacity: 2 * MiB, chunkSize: MiB });
    s.write('k', 0, pattern(MiB));
    expect(s.allocated).toBe(MiB);
    s.truncate('k', 100 * KiB);
    expect(s.allocated).toBe(128 * KiB);
    expectBytes(s.read('k', 0, MiB), pattern(100 * KiB));
  });

  it('fails with ENOSPC leaving data and allocation unchanged', () => {
    const s = new ChunkStore({ capacity: 256 * KiB, chunkSize: MiB });
    s.write('a', 0, pattern(200 * KiB));
    const allocated = s.allocated;
    const used = s.used;
    const err = fsErrorOf(() => s.write('b', 0, pattern(100 * KiB)));
    expect(err.code).toBe('ENOSPC');
    const err2 = fsErrorOf(() => s.write('a', 200 * KiB, pattern(100 * KiB)));
    expect(err2.code).toBe('ENOSPC');
    expect(s.allocated).toBe(allocated);
    expect(s.used).toBe(used);
    expect(s.has('b')).toBe(false);
    expect(s.count).toBe(1);
    expectBytes(s.read('a', 0, MiB), pattern(200 * KiB));
  });

  it('falls back to exact-size buffers so the store fills to capacity', () => {
    const cap = 300 * KiB + 123;
    const s = new ChunkStore({ capacity: cap, chunkSize: MiB });
    s.write('a', 0, pattern(200 * KiB)); // 256 KiB with slack
    s.write('b', 0, pattern(cap - 256 * KiB)); // exactly the remainder, no slack
    expect(s.allocated).toBe(cap);
    expect(fsErrorOf(() => s.write('c', 0, Buffer.from('x'))).code).toBe('ENOSPC');
    // Writes inside already-allocated slack still succeed when full.
    s.write('a', 200 * KiB, pattern(56 * KiB));
    expect(s.used).toBe(cap);
    expectBytes(s.read('b', 0, MiB), pattern(cap - 256 * KiB));
  });

  it('frees memory on delete and reports bytes freed', () => {
    const s = new ChunkStore({ capacity: MiB, chunkSize: MiB });
    s.write('a', 0, pattern(100));
    s.write('b', 0, pattern(70 * KiB));
    const before = s.allocated;
    expect(before).toBe(64 * KiB + 128 * KiB);
    expect(s.delete(['a', 'nope'])).toBe(64 * KiB);
    expect(s.allocated).toBe(128 * KiB);
    expect(s.used).toBe(70 * KiB);
    expect(s.has('a')).toBe(false);
    expect(s.delete(['b', 'b'])).toBe(128 * KiB);
    expect(s.allocated).toBe(0);
    expect(s.used).toBe(0);
    expect(s.count).toBe(0);
    expect(s.delete([])).toBe(0);
  });

  it('tracks used (logical bytes) separately from allocated (buffer bytes)', () => {
    const s = new ChunkStore({ capacity: MiB, chunkSize: MiB });
    s.write('a', 10, pattern(10));
    expect(s.used).toBe(20);
    expect(s.allocated).toBe(64 * KiB);
    s.write('a', 0, pattern(5));
    expect(s.used).toBe(20);
    s.write('b', 0, pattern(1));
    expect(s.used).toBe(21);
    expect(s.allocated).toBe(128 * KiB);
    expect(s.capacity).toBe(MiB);
  });

  it('caps buffers at chunkSize when chunks are small', () => {
    const s = new ChunkStore({ capacity: 1000, chunkSize: 100 });
    s.write('a', 0, pattern(100));
    s.write('b', 50, pattern(10));
    expect(s.allocated).toBe(200);
    expect(s.used).toBe(160);
  });

  it('rejects out-of-range offsets with EINVAL', () => {
    const s = new ChunkStore({ capacity: 4 * MiB, chunkSize: MiB });
    expect(fsErrorOf(() => s.write('k', -1, pattern(1))).code).toBe('EINVAL');
    expect(fsErrorOf(() => s.write('k', MiB - 1, pattern(2))).code).toBe('EINVAL');
    expect(fsErrorOf(() => s.write('k', MiB + 1, Buffer.alloc(0))).code).toBe('EINVAL');
    expect(fsErrorOf(() => s.write('k', 1.5, pattern(2))).code).toBe('EINVAL');
    expect(fsErrorOf(() => s.read('k', -1, 2)).code).toBe('EINVAL');
    expect(fsErrorOf(() => s.read('k', 0, -2)).code).toBe('EINVAL');
    expect(fsErrorOf(() => s.truncate('k', -1)).code).toBe('EINVAL');
    expect(s.count).toBe(0);
    expect(s.allocated).toBe(0);
    s.write('k', MiB - 2, pattern(2));
    expect(s.used).toBe(MiB);
  });

  it('fills a 1 MiB chunk with sequential 128 KiB writes, copying O(log) times', () => {
    const s = new ChunkStore({ capacity: 8 * MiB, chunkSize: MiB });
    const data = pattern(MiB, 42);
    const sizes: number[] = [];
    for (let off = 0; off < MiB; off += 128 * KiB) {
      s.write('k', off, data.subarray(off, off + 128 * KiB));
      sizes.push(s.allocated);
    }
    expectBytes(s.read('k', 0, MiB), data);
    expectBytes(s.get('k'), data);
    expect(s.used).toBe(MiB);
    expect(s.allocated).toBe(MiB);
    // Distinct buffer sizes = number of allocations: 128K, 256K, 512K, 1M.
    expect(new Set(sizes).size).toBeLessThanOrEqual(4);
  });

  it('keeps many chunks independent', () => {
    const s = new ChunkStore({ capacity: 64 * MiB, chunkSize: MiB });
    for (let i = 0; i < 32; i++) s.write(`f:${i}`, (i * 977) % 4000, pattern(3000, i));
    for (let i = 0; i < 32; i++) {
      const off = (i * 977) % 4000;
      const r = s.read(`f:${i}`, 0, MiB);
      expectBytes(r.subarray(0, off), Buffer.alloc(off));
      expectBytes(r.subarray(off), pattern(3000, i));
    }
    expect(s.count).toBe(32);
  });
});
