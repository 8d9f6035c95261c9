/**
 * The wire frame: a fixed 20-byte little-endian header, a JSON metadata part
 * and the raw data bytes (never encoded). Every decoded field is checked
 * before use, since every frame from the network is untrusted.
 *
 *   0  u8   magic 0x4d ('M')
 *   1  u8   kind (1 request, 2 response)
 *   2  u16  message type
 *   4  u32  request id
 *   8  i32  status: 0 or an errno (responses only)
 *  12  u32  metadata length
 *  16  u32  data length
 *  20  metadata (UTF-8 JSON object), then data
 */

export const HEADER_SIZE = 20;
export const MAGIC = 0x4d;
/** Largest metadata part accepted (directory listings are the largest). */
export const MAX_META = 32 * 1024 * 1024;

export const enum FrameKind {
  Request = 1,
  Response = 2,
}

/** JSON metadata of a frame: always an object. */
export type Meta = Record<string, unknown>;

export interface Frame {
  kind: FrameKind;
  type: number;
  id: number;
  status: number;
  meta: Meta;
  /** A view into the received message (no copy); copy what you keep. */
  data: Buffer;
}

/** Raised for a frame that breaks the protocol; the connection that sent it is closed. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const EMPTY = Buffer.alloc(0);
const EMPTY_META = Buffer.from('{}');

/**
 * Encodes a frame into one buffer (one copy of the data; Peer sends large data without this copy, see encodeHead),
 * with `tail` spare bytes after it (room for a MAC).
 */
export function encodeFrame(kind: FrameKind, type: number, id: number, status: number, meta: Meta | undefined, data?: Buffer, tail = 0): Buffer {
  const body = data ?? EMPTY;
  const head = encodeHead(kind, type, id, status, meta, body.length, body.length + tail);
  body.copy(head, head.length - tail - body.length);
  return head;
}

/** Encodes the header and metadata of a frame whose data is dataLength bytes, leaving `room` spare bytes at the end. */
export function encodeHead(kind: FrameKind, type: number, id: number, status: number, meta: Meta | undefined, dataLength: number, room = 0): Buffer {
  const metaBuf = meta && Object.keys(meta).length ? Buffer.from(JSON.stringify(meta)) : EMPTY_META;
  if (metaBuf.length > MAX_META) throw new ProtocolError(`metadata of ${metaBuf.length} bytes exceeds ${MAX_META}`);
  const out = Buffer.allocUnsafe(HEADER_SIZE + metaBuf.length + room);
  out.writeUInt8(MAGIC, 0);
  out.writeUInt8(kind, 1);
  out.writeUInt16LE(type, 2);
  out.writeUInt32LE(id >>> 0, 4);
  out.writeInt32LE(status, 8);
  out.writeUInt32LE(metaBuf.length, 12);
  out.writeUInt32LE(dataLength, 16);
  metaBuf.copy(out, HEADER_SIZE);
  return out;
}

/** Decodes and validates one ws message; throws ProtocolError on anything malformed. */
export function decodeFrame(msg: Buffer): Frame {
  if (msg.length < HEADER_SIZE) throw new ProtocolError(`frame of ${msg.length} bytes is shorter than the ${HEADER_SIZE}-byte header`);
  if (msg.readUInt8(0) !== MAGIC) throw new ProtocolError('bad magic byte');
  const kind = msg.readUInt8(1);
  if (kind !== FrameKind.Request && kind !== FrameKind.Response) throw new ProtocolError(`unknown frame kind ${kind}`);
  const metaLen = msg.readUInt32LE(12);
  const dataLen = msg.readUInt32LE(16);
  if (metaLen > MAX_META) throw new ProtocolError(`metadata length ${metaLen} exceeds ${MAX_META}`);
  if (HEADER_SIZE + metaLen + dataLen !== msg.length) {
    throw new ProtocolError(`lengths in header (${metaLen}+${dataLen}) do not match the frame size ${msg.length - HEADER_SIZE}`);
  }
  let meta: unknown;
  try {
    meta = metaLen ? JSON.parse(msg.toString('utf8', HEADER_SIZE, HEADER_SIZE + metaLen)) : {};
  } catch {
    throw new ProtocolError('metadata is not valid JSON');
  }
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw new ProtocolError('metadata is not a JSON object');
  return {
    kind,
    type: msg.readUInt16LE(2),
    id: msg.readUInt32LE(4),
    status: msg.readInt32LE(8),
    meta: meta as Meta,
    data: msg.subarray(HEADER_SIZE + metaLen),
  };
}
