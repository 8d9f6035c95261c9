/** A memory node's RAM store of chunk data, bounded by a hard capacity. */

import { FsError } from '../errors';

/** Sizing of a chunk store: the node's contributed bytes and the pool's chunk size. */
export interface ChunkStoreOptions {
  /** Most bytes of buffers the store may allocate. */
  capacity: number;
  /** Largest chunk, in bytes; writes past it are EINVAL. */
  chunkSize: number;
}

/** One chunk: a buffer with slack for growth, the chunk's logical length (bytes beyond len are garbage) and the bytes of memory it holds. */
interface Chunk {
  buf: Buffer;
  len: number;
  /** Bytes of memory this chunk pins: its buffer's whole backing store (a kept socket buffer may be larger than buf). */
  bytes: number;
  /** The version the manager last gave this replica (absent: written without versions). */
  ver?: number;
}

/** Buffers grow in steps of this many bytes (the usual FUSE write size is 128 KiB). */
const GROWTH_STEP = 64 * 1024;

const EMPTY = Buffer.alloc(0);

/** Rounds n up to a multiple of GROWTH_STEP. */
function roundUp(n: number): number {
  return Math.ceil(n / GROWTH_STEP) * GROWTH_STEP;
}

/** Throws EINVAL unless n is a non-negative integer; guards offsets and lengths from the wire. */
function checkNonNegative(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new FsError('EINVAL', `${what} ${n} must be a non-negative integer`);
}

/** Holds chunk bytes in RAM; buffers grow geometrically and never exceed the capacity in total. */
/** Smallest write kept as a chunk's storage without a copy (smaller ones may share a socket read buffer). */
const ADOPT_MIN = 256 * 1024;
/** Most bytes a kept buffer may pin beyond the data (a frame's header and metadata). */
const ADOPT_SLACK = 64 * 1024;

export class ChunkStore {
  private readonly chunks = new Map<string, Chunk>();
  /** Keys the manager declared stale: their data is gone and they are never served again, until deleted. */
  private readonly staleKeys = new Set<string>();
  /** Versions of chunks not stored yet (placed, never written): a write creating one keeps its version. */
  private readonly bare = new Map<string, number>();
  private readonly cap: number;
  private readonly chunkSize: number;
  private usedBytes = 0;
  private allocatedBytes = 0;

  /** Creates an empty store; throws EINVAL for a negative capacity or a non-positive chunk size. */
  constructor(opts: ChunkStoreOptions) {
    checkNonNegative('capacity', opts.capacity);
    if (!Number.isSafeInteger(opts.chunkSize) || opts.chunkSize <= 0) {
      throw new FsError('EINVAL', `chunk size ${opts.chunkSize} must be a positive integer`);
    }
    this.cap = opts.capacity;
    this.chunkSize = opts.chunkSize;
  }

  /** Bytes of chunk data held (sum of each chunk's logical length). */
  get used(): number {
    return this.usedBytes;
  }

  /** Bytes of buffers allocated (what counts against capacity). */
  get allocated(): number {
    return this.allocatedBytes;
  }

  /** Most bytes of buffers this store may allocate. */
  get capacity(): number {
    return this.cap;
  }

  /** Number of chunks held. */
  get count(): number {
    return this.chunks.size;
  }

  /**
   * Writes data at offset inside chunk key; ENOSPC if it would exceed capacity (nothing changed then), EINVAL if offset+len > chunkSize or offset < 0.
   * With `owned`, the caller gives the buffer up: a large write covering the whole chunk keeps it as the chunk's storage instead of copying.
   */
  write(key: string, offset: number, data: Buffer, owned = false): void {
    checkNonNegative('offset', offset);
    const end = offset + data.length;
    if (end > this.chunkSize) {
      throw new FsError('EINVAL', `write of ${data.length} bytes at ${offset} exceeds chunk size ${this.chunkSize}`);
    }
    if (data.length === 0) return;
    const chunk = this.chunks.get(key);
    const oldLen = chunk ? chunk.len : 0;
    const oldBytes = chunk ? chunk.bytes : 0;
    const pinned = data.buffer.byteLength;
    // The kept buffer pins its whole backing store (frame header and metadata included): that is what counts.
    // When that slack does not fit but the data does, the copy below (exactly `end` bytes if need be) still can.
    const base = this.allocatedBytes - oldBytes;
    if (owned && offset === 0 && end >= oldLen && end >= ADOPT_MIN && pinned <= end + ADOPT_SLACK && base + pinned <= this.cap) {
      this.allocatedBytes = base + pinned;
      this.usedBytes += end - oldLen;
      this.chunks.set(key, { buf: data, len: end, bytes: pinned, ver: chunk?.ver ?? this.takeBare(key) });
      return;
    }
    let buf: Buffer;
    if (chunk && end <= chunk.buf.length) {
      buf = chunk.buf;
    } else {
      buf = this.allocate(key, end, oldBytes, chunk ? chunk.buf.length : 0);
      if (chunk) chunk.buf.copy(buf, 0, 0, oldLen);
    }
    // Bytes between the old end and this write are a hole: they must read as zeros.
    if (offset > oldLen) buf.fill(0, oldLen, offset);
    data.copy(buf, offset);
    const newLen = Math.max(oldLen, end);
    this.usedBytes += newLen - oldLen;
    if (chunk) {
      chunk.buf = buf;
      chunk.len = newLen;
      chunk.bytes = buf.buffer.byteLength;
    } else {
      this.chunks.set(key, { buf, len: newLen, bytes: buf.buffer.byteLength, ver: this.takeBare(key) });
    }
  }

  /** Reads up to len bytes at offset; returns only the stored bytes (may be shorter than len, empty for a missing chunk or past the end); caller zero-fills holes. */
  read(key: string, offset: number, len: number): Buffer {
    checkNonNegative('offset', offset);
    checkNonNegative('length', len);
    const chunk = this.chunks.get(key);
    if (!chunk || offset >= chunk.len) return EMPTY;
    // A view, not a copy: valid until the next write/truncate/delete of this chunk.
    return chunk.buf.subarray(offset, Math.min(chunk.len, offset + len));
  }

  /** Cuts a chunk to len bytes (drops it when len is 0); growing is a no-op (holes read as zeros). */
  truncate(key: string, len: number): void {
    checkNonNegative('length', len);
    const chunk = this.chunks.get(key);
    if (!chunk || len >= chunk.len) return;
    if (len === 0) {
      this.delete([key]);
      return;
    }
    this.usedBytes -= chunk.len - len;
    chunk.len = len;
    // Give memory back when at least half the buffer would be freed; the smaller copy cannot exceed capacity.
    const newCap = Math.min(roundUp(len), this.chunkSize);
    if (newCap * 2 <= chunk.bytes) {
      const buf = Buffer.allocUnsafeSlow(newCap);
      chunk.buf.copy(buf, 0, 0, len);
      this.allocatedBytes += buf.buffer.byteLength - chunk.bytes;
      chunk.buf = buf;
      chunk.bytes = buf.buffer.byteLength;
    }
  }

  /** The version of a chunk: undefined when absent or unversioned, 0 when stale. */
  version(key: string): number | undefined {
    return this.staleKeys.has(key) ? 0 : (this.chunks.get(key)?.ver ?? this.bare.get(key));
  }

  /** The version a chunk not stored yet was given (and forgets it: the chunk now carries it). */
  private takeBare(key: string): number | undefined {
    const ver = this.bare.get(key);
    if (ver !== undefined) this.bare.delete(key);
    return ver;
  }

  /** True when the chunk was declared stale (it must not be read or written). */
  isStale(key: string): boolean {
    return this.staleKeys.has(key);
  }

  /** Sets a chunk's version (an absent chunk becomes an empty one at that version); 0 marks it stale and frees its data. */
  setVersion(key: string, ver: number): void {
    if (ver === 0) {
      this.delete([key]);
      this.staleKeys.add(key);
      return;
    }
    if (this.staleKeys.has(key)) return;
    const chunk = this.chunks.get(key);
    if (chunk) chunk.ver = ver;
    else this.bare.set(key, ver);
  }

  /** One page of the inventory in insertion order: key, version (0: stale, 1: unversioned), bytes pinned. */
  list(offset: number, limit: number): { chunks: Array<{ key: string; ver: number; bytes: number }>; next?: number } {
    const out: Array<{ key: string; ver: number; bytes: number }> = [];
    let i = 0;
    for (const [key, c] of this.chunks) {
      if (i++ < offset) continue;
      if (out.length >= limit) return { chunks: out, next: i - 1 };
      out.push({ key, ver: c.ver ?? 1, bytes: c.bytes });
    }
    for (const key of this.staleKeys) {
      if (i++ < offset) continue;
      if (out.length >= limit) return { chunks: out, next: i - 1 };
      out.push({ key, ver: 0, bytes: 0 });
    }
    for (const [key, ver] of this.bare) {
      if (i++ < offset) continue;
      if (out.length >= limit) return { chunks: out, next: i - 1 };
      out.push({ key, ver, bytes: 0 });
    }
    return { chunks: out };
  }

  /** Drops chunks (and stale marks), freeing their memory; unknown keys are ignored. Returns bytes freed (allocated buffer bytes). */
  delete(keys: string[]): number {
    let freed = 0;
    for (const key of keys) {
      this.staleKeys.delete(key);
      this.bare.delete(key);
      const chunk = this.chunks.get(key);
      if (!chunk) continue;
      this.chunks.delete(key);
      this.usedBytes -= chunk.len;
      this.allocatedBytes -= chunk.bytes;
      freed += chunk.bytes;
    }
    return freed;
  }

  /** Tells whether the store holds chunk key. */
  has(key: string): boolean {
    return this.chunks.has(key);
  }

  /** Returns a copy of the whole chunk's stored bytes (for re-replication), or null. */
  get(key: string): Buffer | null {
    const chunk = this.chunks.get(key);
    return chunk ? Buffer.from(chunk.buf.subarray(0, chunk.len)) : null;
  }

  /**
   * Allocates a buffer of at least `end` bytes to replace one of oldCap usable bytes that pinned oldBytes, accounting it
   * against capacity. Grows geometrically (at least doubling, 64 KiB steps, capped at chunkSize) so sequential writes
   * copy O(log) times; if that slack does not fit, falls back to exactly `end` bytes so the pool fills close to 100%;
   * else ENOSPC. The old buffer is released by the caller right after the copy.
   */
  private allocate(key: string, end: number, oldBytes: number, oldCap: number): Buffer {
    const base = this.allocatedBytes - oldBytes;
    let size = Math.min(roundUp(Math.max(end, oldCap * 2)), this.chunkSize);
    if (base + size > this.cap) size = end;
    if (base + size > this.cap) {
      throw new FsError('ENOSPC', `chunk ${key}: need ${size - oldBytes} more bytes, ${Math.max(0, this.cap - this.allocatedBytes)} free of ${this.cap}`);
    }
    // allocUnsafeSlow: an unpooled buffer, so a small chunk never pins a shared 8 KiB pool slab.
    const buf = Buffer.allocUnsafeSlow(size);
    this.allocatedBytes = base + size;
    return buf;
  }
}
