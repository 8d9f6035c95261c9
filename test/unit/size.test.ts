import { formatSize, parseSize } from '../../src/size';

describe('parseSize', () => {
  const K = 1024;
  const M = K * 1024;
  const G = M * 1024;
  const T = G * 1024;

  it.each<[string, number]>([
    ['0', 0],
    ['4096', 4096],
    ['4096B', 4096],
    ['4096 b', 4096],
    ['512K', 512 * K],
    ['512k', 512 * K],
    ['512KB', 512 * K],
    ['512KiB', 512 * K],
    ['512kib', 512 * K],
    ['4M', 4 * M],
    ['4MiB', 4 * M],
    ['4mb', 4 * M],
    ['4G', 4 * G],
    ['4GiB', 4 * G],
    ['1T', T],
    ['1TiB', T],
    ['1.5G', 1.5 * G],
    ['1.5 GiB', 1.5 * G],
    ['.5K', 512],
    ['1.0001K', 1024],
    [' 64M ', 64 * M],
  ])('parses %j', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', '   ', 'abc', '-1', '-4M', 'NaN', 'Infinity', '4X', '4P', '4 MiBs', '4iB', '0.5', '1.5B', '0.0001K', '1e3', '9007199254740993', '100000T', '4M4'])(
    'rejects %j with a clear message',
    (text) => {
      expect(() => parseSize(text)).toThrow(Error);
      expect(() => parseSize(text)).toThrow(/^invalid size "[^"]*"(?: \([a-z ]+\))?: expected a number with an optional unit K, M, G, T \(binary\)/);
    },
  );

  it('accepts the largest safe integer of bytes', () => {
    expect(parseSize(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('formatSize', () => {
  it.each<[number, string]>([
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [512 * 1024 * 1024, '512 MiB'],
    [1.5 * 1024 ** 3, '1.5 GiB'],
    [1024 ** 4, '1 TiB'],
    [1024 ** 2 - 1, '1 MiB'],
    [1.25 * 1024 ** 3, '1.25 GiB'],
    [-2048, '-2 KiB'],
  ])('formats %d as %j', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });

  it('roundtrips through parseSize for whole units', () => {
    for (const s of ['512 MiB', '1.5 GiB', '4 KiB', '2 TiB']) {
      expect(formatSize(parseSize(s))).toBe(s);
    }
  });
});
