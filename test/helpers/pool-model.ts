/**
 * A reference model of a pool's files for integration tests: the expected
 * bytes of every inode, the names pointing at it, and how many bytes each of
 * its chunks holds on a memory node (to predict `mempool status` usage).
 */
import { createHash } from 'crypto';
import { PoolClient } from '../../src';

/** One inode as the model expects it. */
interface ModelInode {
  /** Backing buffer with slack; bytes [0, size) are the file. */
  buf: Buffer;
  size: number;
  /** Stored length of each chunk: the highest written byte offset + 1 inside it since the last truncation. */
  stored: Map<number, number>;
  names: Set<string>;
}

/** sha256 of a buffer, hex. */
export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Mirrors writes, truncations, renames, links and unlinks done through a PoolClient, and checks them. */
export class PoolModel {
  private readonly byPath = new Map<string, ModelInode>();

  constructor(
    private readonly client: PoolClient,
    readonly chunkSize: number,
  ) {}

  /** Paths of every file the model knows. */
  paths(): string[] {
    return [...this.byPath.keys()];
  }

  /** Number of live inodes. */
  inodeCount(): number {
    return new Set(this.byPath.values()).size;
  }

  /** Expected bytes of a path. */
  expected(path: string): Buffer {
    const node = this.inode(path);
    return node.buf.subarray(0, node.size);
  }

  /** Creates (or empties) a file; returns an open read-write handle. */
  async create(path: string): Promise<number> {
    const fh = await this.client.create(path);
    const existing = this.byPath.get(path);
    if (existing) this.cut(existing, 0);
    else this.byPath.set(path, { buf: Buffer.alloc(0), size: 0, stored: new Map(), names: new Set([path]) });
    return fh;
  }

  /** Writes data at pos through the handle and records it. */
  async write(path: string, fh: number, pos: number, data: Buffer): Promise<void> {
    const n = await this.client.write(fh, pos, data);
    if (n !== data.length) throw new Error(`short write: ${n} of ${data.length}`);
    this.recordWrite(path, pos, data);
  }

  /** Records a write that succeeded (used by callers that wrote through the client themselves). */
  recordWrite(path: string, pos: number, data: Buffer): void {
    const node = this.inode(path);
    const end = pos + data.length;
    if (end > node.size) this.resize(node, end);
    data.copy(node.buf, pos);
    const cs = this.chunkSize;
    for (let at = pos; at < end;) {
      const index = Math.floor(at / cs);
      const stop = Math.min(end, (index + 1) * cs);
      node.stored.set(index, Math.max(node.stored.get(index) ?? 0, stop - index * cs));
      at = stop;
    }
  }

  /** Creates a file with the given writes ([offset, bytes] in order), then closes it. */
  async writeFile(path: string, writes: Array<[number, Buffer]>): Promise<void> {
    const fh = await this.create(path);
    try {
      for (const [pos, data] of writes) await this.write(path, fh, pos, data);
    } finally {
      await this.client.release(fh);
    }
  }

  /** Sets a file's size (shrinking cuts stored chunks, growing adds zeros). */
  async truncate(path: string, size: number): Promise<void> {
    await this.client.truncate(path, size);
    this.cut(this.inode(path), size);
  }

  /** Renames src to dst, replacing dst's name as rename(2) does. */
  async rename(src: string, dst: string): Promise<void> {
    await this.client.rename(src, dst);
    const node = this.inode(src);
    this.dropName(dst);
    this.byPath.delete(src);
    node.names.delete(src);
    node.names.add(dst);
    this.byPath.set(dst, node);
  }

  /** Adds a hard link dst to src. */
  async link(src: string, dst: string): Promise<void> {
    await this.client.link(src, dst);
    const node = this.inode(src);
    node.names.add(dst);
    this.byPath.set(dst, node);
  }

  /** Removes a name. */
  async unlink(path: string): Promise<void> {
    await this.client.unlink(path);
    this.dropName(path);
  }

  /** Raw bytes the nodes should hold for every live inode (before replication). */
  storedBytes(): number {
    let sum = 0;
    for (const node of new Set(this.byPath.values())) for (const n of node.stored.values()) sum += n;
    return sum;
  }

  /** Reads a path back and throws with a precise reason unless it matches the model byte for byte. */
  async verify(path: string): Promise<void> {
    const want = this.expected(path);
    const got = await this.client.readFile(path);
    const attr = await this.client.getattr(path);
    if (attr.size !== want.length) throw new Error(`${path}: size ${attr.size}, expected ${want.length}`);
    if (got.length !== want.length) throw new Error(`${path}: read ${got.length} bytes, expected ${want.length}`);
    if (sha256(got) !== sha256(want)) {
      let i = 0;
      while (i < got.length && got[i] === want[i]) i++;
      throw new Error(`${path}: content differs first at byte ${i} (got ${got[i]}, expected ${want[i]})`);
    }
  }

  /** Verifies every path, a few at a time. */
  async verifyAll(parallel = 4): Promise<number> {
    const paths = this.paths();
    let next = 0;
    let bytes = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < paths.length) {
          const p = paths[next++]!; // next < paths.length was checked just above
          await this.verify(p);
          bytes += this.inode(p).size;
        }
      }),
    );
    return bytes;
  }

  private inode(path: string): ModelInode {
    const node = this.byPath.get(path);
    if (!node) throw new Error(`model: no file ${path}`);
    return node;
  }

  private dropName(path: string): void {
    const node = this.byPath.get(path);
    if (!node) return;
    node.names.delete(path);
    this.byPath.delete(path);
  }

  /** Sets the model size; bytes beyond the old size read as zeros. */
  private resize(node: ModelInode, size: number): void {
    if (size > node.buf.length) {
      const buf = Buffer.alloc(Math.max(size, Math.min(node.buf.length * 2, size + 64 * 1024 * 1024)));
      node.buf.copy(buf, 0, 0, node.size);
      node.buf = buf;
    } else if (size > node.size) node.buf.fill(0, node.size, size);
    node.size = size;
  }

  private cut(node: ModelInode, size: number): void {
    this.resize(node, size);
    const cs = this.chunkSize;
    for (const [index, len] of [...node.stored]) {
      const keep = Math.max(0, Math.min(len, size - index * cs));
      if (keep === 0) node.stored.delete(index);
      else node.stored.set(index, keep);
    }
  }
}
