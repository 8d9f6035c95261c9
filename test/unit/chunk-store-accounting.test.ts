/** The chunk store counts the bytes it really holds (kept socket buffers whole, grown buffers at their real size) and never holds more than its capacity. */
import { ChunkStore } from '../../src/node/chunk-store';
import { FsError } from '../../src/errors';

const KiB = 1024;
const MiB = 1024 * KiB;

/** A buffer of n data bytes that sits in a larger backing store, as a chunk write's data sits in its received frame. */
function inFrame(n: number, extra: number): Buffer {
  const frame = Buffer.allocUnsafeSlow(n + extra);
  return frame.subarray(extra, extra + n).fill(7);
}

describe('chunk store accounting', () => {
  it('a kept (owned) buffer counts its whole backing store, not just the data', () => {
    const s = new ChunkStore({ capacity: 4 * MiB, chunkSize: MiB });
    const data = inFrame(MiB, 300);
    s.write('1.0', 0, data, true);
    expect(s.used).toBe(MiB);
    expect(s.allocated).toBe(MiB + 300);
    expect(s.delete(['1.0'])).toBe(MiB + 300);
    expect(s.allocated).toBe(0);
  });

  it('copies the data instead of keeping a buffer whose backing store does not fit; refuses when the data alone does not fit', () => {
    const s = new ChunkStore({ capacity: MiB + 100, chunkSize: MiB });
    s.write('1.0', 0, inFrame(MiB, 300), true);
    expect(s.allocated).toBe(MiB);
    expect(s.read('1.0', 0, MiB).buffer.byteLength).toBe(MiB);
    expect(() => s.write('1.1', 0, inFrame(MiB, 300), true)).toThrow(FsError);
    expect(s.allocated).toBe(MiB);
    expect(s.count).toBe(1);
  });

  it('geometric growth counts each buffer at the size really allocated and stays within capacity', () => {
    const cap = 3 * MiB + 100 * KiB;
    const s = new ChunkStore({ capacity: cap, chunkSize: MiB });
    const step = 100 * KiB;
    let chunks = 0;
    // Sequential 100 KiB appends to several chunks until the store is full.
    try {
      for (;;) {
        for (let at = 0; at + step <= MiB; at += step) s.write(`1.${chunks}`, at, Buffer.alloc(step, 1));
        chunks++;
      }
    } catch (err) {
      expect((err as FsError).code).toBe('ENOSPC');
    }
    expect(s.allocated).toBeLessThanOrEqual(cap);
    // Real bytes: the sum of the backing stores of what the store hands out for whole-chunk reads.
    let real = 0;
    for (let i = 0; i <= chunks; i++) {
      const view = s.read(`1.${i}`, 0, MiB);
      if (view.length) real += view.buffer.byteLength;
    }
    expect(s.allocated).toBe(real);
  });

  it('truncation that gives memory back lowers the count by the bytes really freed', () => {
    const s = new ChunkStore({ capacity: 4 * MiB, chunkSize: MiB });
    s.write('1.0', 0, Buffer.alloc(MiB, 1));
    const before = s.allocated;
    s.truncate('1.0', 10 * KiB);
    const view = s.read('1.0', 0, MiB);
    expect(view.length).toBe(10 * KiB);
    expect(s.allocated).toBe(view.buffer.byteLength);
    expect(s.allocated).toBeLessThan(before);
  });
});
