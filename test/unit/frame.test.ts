import { randomBytes } from 'crypto';
import { decodeFrame, encodeFrame, FrameKind, HEADER_SIZE, MAGIC, MAX_META, ProtocolError } from '../../transport/frame';
import { Msg } from '../../transport/messages';

/** Builds a raw frame by hand, so the decoder can be fed headers the encoder would never write. */
function rawFrame(h: { magic?: number; kind?: number; type?: number; id?: number; status?: number; metaLen?: number; dataLen?: number }, meta: Buffer, data: Buffer): Buffer {
  const out = Buffer.alloc(HEADER_SIZE + meta.length + data.length);
  out.writeUInt8(h.magic ?? MAGIC, 0);
  out.writeUInt8(h.kind ?? FrameKind.Request, 1);
  out.writeUInt16LE(h.type ?? Msg.Getattr, 2);
  out.writeUInt32LE(h.id ?? 1, 4);
  out.writeInt32LE(h.status ?? 0, 8);
  out.writeUInt32LE(h.metaLen ?? meta.length, 12);
  out.writeUInt32LE(h.dataLen ?? data.length, 16);
  meta.copy(out, HEADER_SIZE);
  data.copy(out, HEADER_SIZE + meta.length);
  return out;
}

function expectProtocolError(msg: Buffer, re: RegExp): void {
  let caught: unknown;
  try {
    decodeFrame(msg);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ProtocolError);
  expect((caught as Error).message).toMatch(re);
}

describe('frame codec', () => {
  it('round-trips a request with metadata and raw data, byte-exact and unencoded', () => {
    const data = randomBytes(100_003);
    const meta = { key: 'f1.0', off: 4096, nested: { a: [1, 2, 3] }, text: 'héllo ✓' };
    const buf = encodeFrame(FrameKind.Request, Msg.ChunkWrite, 0xfffffffe, 0, meta, data);
    // Header, then the JSON metadata, then the data bytes themselves: no base64, no JSON.
    const metaLen = buf.readUInt32LE(12);
    expect(buf.length).toBe(HEADER_SIZE + metaLen + data.length);
    expect(buf.subarray(HEADER_SIZE + metaLen).equals(data)).toBe(true);
    expect(buf.includes(data.toString('base64').slice(0, 32))).toBe(false);

    const f = decodeFrame(buf);
    expect(f.kind).toBe(FrameKind.Request);
    expect(f.type).toBe(Msg.ChunkWrite);
    expect(f.id).toBe(0xfffffffe);
    expect(f.status).toBe(0);
    expect(f.meta).toEqual(meta);
    expect(f.data.equals(data)).toBe(true);
    // The data is a view into the received message, not a copy.
    expect(f.data.buffer).toBe(buf.buffer);
  });

  it('round-trips a response with an errno status and a message', () => {
    const buf = encodeFrame(FrameKind.Response, Msg.Open, 7, 28, { message: 'ENOSPC: pool is full' });
    const f = decodeFrame(buf);
    expect(f.kind).toBe(FrameKind.Response);
    expect(f.type).toBe(Msg.Open);
    expect(f.id).toBe(7);
    expect(f.status).toBe(28);
    expect(f.meta).toEqual({ message: 'ENOSPC: pool is full' });
    expect(f.data.length).toBe(0);
  });

  it('carries negative statuses and binary data with every byte value', () => {
    const data = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const f = decodeFrame(encodeFrame(FrameKind.Response, Msg.ChunkRead, 3, -5, undefined, data));
    expect(f.status).toBe(-5);
    expect(f.meta).toEqual({});
    expect(f.data.equals(data)).toBe(true);
  });

  it('encodes absent or empty metadata as {} and accepts metaLen 0', () => {
    expect(decodeFrame(encodeFrame(FrameKind.Request, Msg.Status, 1, 0, undefined)).meta).toEqual({});
    expect(decodeFrame(encodeFrame(FrameKind.Request, Msg.Status, 1, 0, {})).meta).toEqual({});
    expect(decodeFrame(rawFrame({}, Buffer.alloc(0), Buffer.from('xy'))).meta).toEqual({});
  });

  it('wraps request ids to 32 bits', () => {
    expect(decodeFrame(encodeFrame(FrameKind.Request, Msg.Status, 2 ** 32 + 5, 0, {})).id).toBe(5);
  });

  it('refuses to encode metadata above MAX_META', () => {
    expect(() => encodeFrame(FrameKind.Request, Msg.Status, 1, 0, { big: 'x'.repeat(MAX_META) })).toThrow(ProtocolError);
  });

  describe('decode rejects', () => {
    const meta = Buffer.from('{"path":"/a"}');
    const data = Buffer.from('0123456789');

    it('a message shorter than the header', () => {
      expectProtocolError(Buffer.alloc(0), /shorter than the 20-byte header/);
      expectProtocolError(rawFrame({}, meta, data).subarray(0, HEADER_SIZE - 1), /shorter/);
    });

    it('a bad magic byte', () => {
      expectProtocolError(rawFrame({ magic: 0x4e }, meta, data), /magic/);
    });

    it('an unknown frame kind', () => {
      expectProtocolError(rawFrame({ kind: 0 }, meta, data), /unknown frame kind 0/);
      expectProtocolError(rawFrame({ kind: 3 }, meta, data), /unknown frame kind 3/);
    });

    it('a metadata length above MAX_META, before looking further', () => {
      expectProtocolError(rawFrame({ metaLen: MAX_META + 1 }, meta, data), /metadata length .* exceeds/);
      expectProtocolError(rawFrame({ metaLen: 0xffffffff }, meta, data), /exceeds/);
    });

    it('header lengths that do not match the frame size', () => {
      const good = rawFrame({}, meta, data);
      expect(() => decodeFrame(good)).not.toThrow();
      // truncated: the header promises more than arrived
      expectProtocolError(good.subarray(0, good.length - 1), /do not match/);
      expectProtocolError(good.subarray(0, HEADER_SIZE), /do not match/);
      // extended: trailing bytes the header does not account for
      expectProtocolError(Buffer.concat([good, Buffer.from([0])]), /do not match/);
      // huge data length, and lengths whose sum would overflow 32 bits
      expectProtocolError(rawFrame({ dataLen: 0xffffffff }, meta, data), /do not match/);
      expectProtocolError(rawFrame({ metaLen: meta.length + 1, dataLen: data.length - 1 }, meta, data), /JSON/);
    });

    it('metadata that is not JSON', () => {
      expectProtocolError(rawFrame({}, Buffer.from('{"path":'), data), /not valid JSON/);
      expectProtocolError(rawFrame({}, Buffer.from([0xff, 0xfe, 0x00]), data), /not valid JSON/);
    });

    it('metadata that is JSON but not an object', () => {
      for (const text of ['[1,2]', '[]', 'null', '42', '"str"', 'true']) {
        expectProtocolError(rawFrame({}, Buffer.from(text), data), /not a JSON object/);
      }
    });

    it('random bytes (never crashes with anything but ProtocolError)', () => {
      for (let i = 0; i < 2000; i++) {
        const buf = randomBytes(Math.floor(Math.random() * 64));
        if (i % 2) buf[0] = MAGIC; // get past the first check half the time
        try {
          decodeFrame(buf);
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError);
        }
      }
    });
  });
});
