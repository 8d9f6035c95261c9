/**
 * PoolClient: the application-level API to a pool, and the layer the FUSE
 * mount sits on. Paths in, errno-carrying FsErrors out; metadata goes through
 * the manager, file data straight to and from the memory nodes.
 */
import { hostname } from 'os';
import { randomUUID } from 'crypto';
import { Errno, FsError } from '../errors';
import { Attr, DirEntry, PoolStatus, StatFs } from '../types';
import { Link, Meta, Msg } from '../../transport';
import { ChunkIO } from './chunk-io';

export interface PoolClientOptions {
  /** Cluster secret (default: MEMPOOL_SECRET or none). */
  secret?: string;
  /** Extra CA certificate (PEM) trusted for wss:// links. */
  ca?: Buffer;
  /** Shown in `mempool status`. */
  name?: string;
  /** Time to wait for the first connection to the manager, ms. */
  connectTimeoutMs?: number;
  /** Role announced to the manager: 'client' (default) or 'operator' (status only, holds no files). */
  role?: 'client' | 'operator';
}

/** Who creates a file: its owner ids (default: this process's). */
export interface Owner {
  uid: number;
  gid: number;
}

/** Open flags (Linux values) understood by open(). */
export const O = { RDONLY: 0, WRONLY: 1, RDWR: 2, CREAT: 0o100, EXCL: 0o200, TRUNC: 0o1000, APPEND: 0o2000 } as const;

interface OpenFile {
  ino: number;
  flags: number;
}

const MAX_IO = 64 * 1024 * 1024;

/** A connection to a pool. */
export class PoolClient {
  private readonly handles = new Map<number, OpenFile>();
  private readonly openCount = new Map<number, number>();
  private nextFh = 1;

  private constructor(
    private readonly manager: Link,
    private readonly io: ChunkIO,
  ) {}

  /** Connects to the manager at url (ws:// or wss://) and learns the pool's chunk size. */
  static async connect(url: string, opts: PoolClientOptions = {}): Promise<PoolClient> {
    const secret = opts.secret ?? (process.env.MEMPOOL_SECRET ?? '').trim();
    const hello = { role: opts.role ?? 'client', id: randomUUID(), name: opts.name ?? hostname() } as const;
    const dialOpts = { secret, hello, ca: opts.ca, maxPayload: 80 * 1024 * 1024 };
    const manager = new Link(url, dialOpts);
    let fatal: Error | null = null;
    manager.once('fatal', (err: Error) => (fatal = err));
    let peer;
    try {
      peer = await manager.peer(opts.connectTimeoutMs ?? 10_000);
    } catch (err) {
      manager.close();
      throw fatal ?? err;
    }
    const chunkSize = peer.remote.chunkSize;
    if (peer.remote.role !== 'manager' || !chunkSize) {
      manager.close();
      throw new FsError('EPROTO', `${url} is not a mempool manager`);
    }
    return new PoolClient(manager, new ChunkIO(manager, chunkSize, dialOpts));
  }

  /** The pool's chunk size in bytes. */
  get chunkSize(): number {
    return this.io.chunkSize;
  }

  /** Closes every link; open handles are released by the manager when the link drops. */
  async close(): Promise<void> {
    this.io.close();
    this.manager.close();
  }

  /** Attributes of a path (symlinks are not followed). */
  async getattr(path: string): Promise<Attr> {
    return this.attrCall(Msg.Getattr, { path });
  }

  /** Attributes of an open file, valid even after its last name was unlinked. */
  async fgetattr(fh: number): Promise<Attr> {
    return this.attrCall(Msg.GetattrIno, { ino: this.handle(fh).ino });
  }

  /** Directory entries with their attributes (no '.' or '..'). */
  async readdir(path: string): Promise<DirEntry[]> {
    const r = await this.manager.request(Msg.Readdir, { path });
    return r.meta.entries as DirEntry[];
  }

  /** Creates a directory. */
  async mkdir(path: string, mode = 0o755, owner: Owner = defaultOwner()): Promise<Attr> {
    return this.attrCall(Msg.Mkdir, { path, mode: mode & 0o7777, ...owner });
  }

  /** Creates a regular file, fifo, socket or device node (metadata only for the latter). */
  async mknod(path: string, mode: number, rdev = 0, owner: Owner = defaultOwner()): Promise<Attr> {
    return this.attrCall(Msg.Mknod, { path, mode, rdev, ...owner });
  }

  /** Creates a symbolic link at path pointing to target. */
  async symlink(target: string, path: string, owner: Owner = defaultOwner()): Promise<Attr> {
    return this.attrCall(Msg.Symlink, { target, path, ...owner });
  }

  /** The target of a symbolic link. */
  async readlink(path: string): Promise<string> {
    const r = await this.manager.request(Msg.Readlink, { path });
    return r.meta.target as string;
  }

  /** Removes a name; the data goes when the last name is gone and the last handle closed. */
  async unlink(path: string): Promise<void> {
    await this.manager.request(Msg.Unlink, { path });
  }

  /** Removes an empty directory. */
  async rmdir(path: string): Promise<void> {
    await this.manager.request(Msg.Rmdir, { path });
  }

  /** Renames atomically, replacing dst as POSIX rename(2) does (flags: 1 NOREPLACE, 2 EXCHANGE). */
  async rename(src: string, dst: string, flags = 0): Promise<void> {
    await this.manager.request(Msg.Rename, { src, dst, flags });
  }

  /** Adds a hard link dst to the file at src. */
  async link(src: string, dst: string): Promise<Attr> {
    return this.attrCall(Msg.Link, { src, dst });
  }

  /** Sets permission bits. */
  async chmod(path: string, mode: number): Promise<Attr> {
    return this.attrCall(Msg.Chmod, { path, mode: mode & 0o7777 });
  }

  /** Sets owner and group (-1 leaves one unchanged). */
  async chown(path: string, uid: number, gid: number): Promise<Attr> {
    return this.attrCall(Msg.Chown, { path, uid, gid });
  }

  /** Sets access and modification times, in ms since the epoch (negative before 1970). */
  async utimens(path: string, atimeMs: number, mtimeMs: number): Promise<Attr> {
    return this.attrCall(Msg.Utimens, { path, atimeMs: Math.trunc(atimeMs), mtimeMs: Math.trunc(mtimeMs) });
  }

  /** Sets a file's size; growth reads as zeros. */
  async truncate(path: string, size: number): Promise<Attr> {
    return this.attrCall(Msg.Truncate, { path, size });
  }

  /** Sets an open file's size. */
  async ftruncate(fh: number, size: number): Promise<Attr> {
    return this.attrCall(Msg.Truncate, { ino: this.handle(fh).ino, size });
  }

  /** Sets an extended attribute (flags: 1 CREATE, 2 REPLACE). */
  async setxattr(path: string, name: string, value: Buffer, flags = 0): Promise<void> {
    await this.manager.request(Msg.Setxattr, { path, name, flags }, value);
  }

  /** Reads an extended attribute; ENODATA when absent. */
  async getxattr(path: string, name: string): Promise<Buffer> {
    return (await this.manager.request(Msg.Getxattr, { path, name })).data;
  }

  /** Names of a file's extended attributes. */
  async listxattr(path: string): Promise<string[]> {
    return (await this.manager.request(Msg.Listxattr, { path })).meta.names as string[];
  }

  /** Removes an extended attribute. */
  async removexattr(path: string, name: string): Promise<void> {
    await this.manager.request(Msg.Removexattr, { path, name });
  }

  /** Pool capacity and usage. */
  async statfs(): Promise<StatFs> {
    return (await this.manager.request(Msg.Statfs)).meta as unknown as StatFs;
  }

  /** Full pool status: nodes, usage, files, clients. */
  async status(): Promise<PoolStatus> {
    return (await this.manager.request(Msg.Status)).meta as unknown as PoolStatus;
  }

  /** Opens a file (O_CREAT creates it with mode and owner) and returns a handle number. */
  async open(path: string, flags: number = O.RDONLY, mode = 0o644, owner: Owner = defaultOwner()): Promise<number> {
    const attr = await this.attrCall(Msg.Open, { path, flags, mode, ...owner });
    const fh = this.nextFh;
    this.nextFh = this.nextFh >= 0xfffffff0 ? 1 : this.nextFh + 1;
    this.handles.set(fh, { ino: attr.ino, flags });
    this.openCount.set(attr.ino, (this.openCount.get(attr.ino) ?? 0) + 1);
    return fh;
  }

  /** Creates (or truncates) and opens a file for writing. */
  async create(path: string, mode = 0o644, owner: Owner = defaultOwner()): Promise<number> {
    return this.open(path, O.RDWR | O.CREAT | O.TRUNC, mode, owner);
  }

  /** The inode number behind a handle. */
  inoOf(fh: number): number {
    return this.handle(fh).ino;
  }

  /** Reads up to length bytes at position; shorter at end of file. */
  async read(fh: number, position: number, length: number): Promise<Buffer> {
    checkRange(position, length);
    return this.io.read(this.handle(fh).ino, position, length);
  }

  /** Writes data at position (at end of file with O_APPEND); returns bytes written. */
  async write(fh: number, position: number, data: Buffer): Promise<number> {
    const h = this.handle(fh);
    if ((h.flags & 3) === 0) throw new FsError('EBADF', 'handle is read-only');
    if (h.flags & O.APPEND) position = (await this.attrCall(Msg.GetattrIno, { ino: h.ino })).size;
    checkRange(position, data.length);
    if (data.length === 0) return 0;
    await this.io.write(h.ino, position, data);
    await this.manager.request(Msg.Extend, { ino: h.ino, end: position + data.length });
    return data.length;
  }

  /** Makes written data durable in the pool (writes are already acknowledged by every replica). */
  async fsync(fh: number): Promise<void> {
    this.handle(fh);
  }

  /** Closes a handle. */
  async release(fh: number): Promise<void> {
    const h = this.handle(fh);
    this.handles.delete(fh);
    const n = (this.openCount.get(h.ino) ?? 1) - 1;
    if (n <= 0) {
      this.openCount.delete(h.ino);
      this.io.forget(h.ino);
    } else this.openCount.set(h.ino, n);
    await this.manager.request(Msg.Release, { ino: h.ino });
  }

  /** Reads a whole file. */
  async readFile(path: string): Promise<Buffer> {
    const fh = await this.open(path, O.RDONLY);
    try {
      const size = (await this.fgetattr(fh)).size;
      const parts: Buffer[] = [];
      for (let pos = 0; pos < size; ) {
        const part = await this.read(fh, pos, Math.min(16 * this.chunkSize, size - pos));
        if (part.length === 0) break;
        parts.push(part);
        pos += part.length;
      }
      return Buffer.concat(parts);
    } finally {
      await this.release(fh);
    }
  }

  /** Creates or replaces a file's content. */
  async writeFile(path: string, data: Buffer, mode = 0o644): Promise<void> {
    const fh = await this.create(path, mode);
    try {
      const step = 16 * this.chunkSize;
      for (let pos = 0; pos < data.length; pos += step) await this.write(fh, pos, data.subarray(pos, pos + step));
    } finally {
      await this.release(fh);
    }
  }

  private handle(fh: number): OpenFile {
    const h = this.handles.get(fh);
    if (!h) throw new FsError('EBADF', `no open file handle ${fh}`);
    return h;
  }

  private async attrCall(type: number, meta: Meta): Promise<Attr> {
    return (await this.manager.request(type, meta)).meta.attr as Attr;
  }
}

function defaultOwner(): Owner {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}

function checkRange(position: number, length: number): void {
  if (!Number.isSafeInteger(position) || position < 0) throw new FsError('EINVAL', `bad position ${position}`);
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_IO) throw new FsError('EINVAL', `bad length ${length}`);
  if (position + length > Number.MAX_SAFE_INTEGER) throw new FsError('EFBIG', 'file too large');
}

export { Errno };
