import { randomBytes } from 'crypto';
import { frameMac, GMAC_MIN, MAC_SIZE } from '../../transport/auth';
import { encodeFrame, FrameKind } from '../../transport/frame';

/** The per-frame MAC: HMAC-SHA256 for small frames, GMAC for large ones; both bound to the key, the sequence number and every byte. */
describe('frameMac', () => {
  const key = randomBytes(32);
  for (const size of [100, GMAC_MIN - 1, GMAC_MIN, 1 << 20]) {
    it(`${size} bytes: ${MAC_SIZE} bytes, the same over any split, different for another key, sequence number or byte`, () => {
      const body = randomBytes(size);
      const mac = frameMac(key, 7, [body]);
      expect(mac.length).toBe(MAC_SIZE);
      expect(frameMac(key, 7, [body.subarray(0, 20), body.subarray(20)]).equals(mac)).toBe(true);
      expect(frameMac(randomBytes(32), 7, [body]).equals(mac)).toBe(false);
      expect(frameMac(key, 8, [body]).equals(mac)).toBe(false);
      expect(frameMac(key, 7 + 0x100000000, [body]).equals(mac)).toBe(false);
      const changed = Buffer.from(body);
      changed[size - 1]! ^= 1;
      expect(frameMac(key, 7, [changed]).equals(mac)).toBe(false);
    });
  }
});

describe('encodeFrame with room for a MAC', () => {
  it('leaves `tail` spare bytes after the data, the frame itself unchanged', () => {
    const data = randomBytes(1000);
    const plain = encodeFrame(FrameKind.Response, 3, 9, 0, { a: 1 }, data);
    const roomy = encodeFrame(FrameKind.Response, 3, 9, 0, { a: 1 }, data, MAC_SIZE);
    expect(roomy.length).toBe(plain.length + MAC_SIZE);
    expect(roomy.subarray(0, plain.length).equals(plain)).toBe(true);
  });
});
