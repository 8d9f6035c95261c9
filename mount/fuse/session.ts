/**
 * A FUSE session over /dev/fuse, without libfuse: mounts (as root, through
 * mount(8) with the device's descriptor), negotiates INIT, reads requests off
 * the event loop (reader.ts), decodes them, calls the file system's operation
 * table (ops.ts) and writes the replies; owns the notification queue
 * (notify.ts); unmounts with umount(8), lazily if busy. Knows nothing about
 * mempool.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import { closeSync, openSync, writeSync, writevSync } from 'fs';
import * as abi from './abi';
import { Op } from './abi';
import { NotifyQueue } from './notify';
import { DirEntryOut, DirSink, FuseFileSystem, LockRequest, RequestContext } from './ops';
import { ReaderKind, startReader, Reader } from './reader';
import { setReadAhead } from './bdi';

/** Largest READ/WRITE request we negotiate: 1 MiB (256 pages, the kernel's max_pages_limit here). */
export const MAX_WRITE = 1024 * 1024;
/** The kernel's read-ahead on the mount (KiB): a sequential reader's READs are max_write each, a few in flight. */
const READ_AHEAD_KB = 4096;

export interface SessionOptions {
  /** Shown as the mount's source in /proc/mounts. */
  fsname: string;
  /** The type becomes fuse.<subtype>. */
  subtype: string;
  maxWrite?: number;
  /** How requests are read (default: MEMPOOL_FUSE_READER or 'worker'). */
  reader?: ReaderKind;
  /** Reader threads (or outstanding threadpool reads); default 2. */
  readers?: number;
  /** Extra -o options (comma-separated). */
  extraOptions?: string;
  log?: (msg: string) => void;
  /** Logs every request and its answer to log. */
  debug?: boolean;
}

/** What the kernel and we agreed on at INIT. */
export interface Negotiated {
  minor: number;
  flags: bigint;
  maxWrite: number;
  has(bit: number): boolean;
}

const bit = (n: number) => 1n << BigInt(n);

/** What we ask for, when the kernel offers it. */
function wantedFlags(fs: FuseFileSystem): bigint {
  const B = abi.InitBit;
  let f =
    bit(B.ASYNC_READ) |
    bit(B.BIG_WRITES) |
    bit(B.MAX_PAGES) |
    bit(B.PARALLEL_DIROPS) |
    bit(B.DO_READDIRPLUS) |
    bit(B.READDIRPLUS_AUTO) |
    bit(B.EXPLICIT_INVAL_DATA) |
    bit(B.HANDLE_KILLPRIV_V2) |
    bit(B.DIRECT_IO_ALLOW_MMAP) |
    bit(B.EXPORT_SUPPORT) |
    bit(B.INIT_EXT);
  if (fs.getlk && fs.setlk) f |= bit(B.POSIX_LOCKS) | bit(B.FLOCK_LOCKS);
  return f;
}

class Ctx implements RequestContext {
  interrupted = false;
  private listeners: Array<() => void> | null = null;
  constructor(
    readonly unique: number,
    readonly nodeid: number,
    readonly uid: number,
    readonly gid: number,
    readonly pid: number,
  ) {}
  onInterrupt(cb: () => void): void {
    if (this.interrupted) return cb();
    (this.listeners ??= []).push(cb);
  }
  interrupt(): void {
    if (this.interrupted) return;
    this.interrupted = true;
    for (const cb of this.listeners ?? []) cb();
    this.listeners = null;
  }
}

/** errno of a thrown value: its numeric errno field, else EIO. */
function errnoOf(err: unknown): number {
  const e = (err as { errno?: unknown } | null)?.errno;
  return typeof e === 'number' && e > 0 ? e : 5;
}

const ENOSYS = 38;
const ERANGE = 34;
const EINVAL = 22;

export class FuseSession {
  readonly notify: NotifyQueue;
  /** Resolves once the device is gone: 'unmounted' (our unmount) or why the kernel ended it. */
  readonly closed: Promise<string>;
  negotiated: Negotiated | null = null;
  private markClosed: (why: string) => void = () => {};
  private reader: Reader | null = null;
  private readonly inflight = new Map<number, Ctx>();
  /** INTERRUPTs that arrived before their request (unique numbers above any request seen). */
  private readonly earlyInterrupts = new Set<number>();
  private highestUnique = 0;
  private unmounting: Promise<void> | null = null;
  private ready: ((err: Error | null) => void) | null = null;
  private readonly log: (msg: string) => void;
  private readonly maxWrite: number;
  private fdClosed = false;

  private constructor(
    private readonly fd: number,
    readonly mountpoint: string,
    private readonly fs: FuseFileSystem,
    private readonly opts: SessionOptions,
  ) {
    this.log = opts.log ?? ((m) => console.error(m));
    this.maxWrite = opts.maxWrite ?? MAX_WRITE;
    this.notify = new NotifyQueue(fd, this.log);
    this.closed = new Promise((res) => (this.markClosed = res));
  }

  /** Mounts fs on mountpoint (an absolute path); resolves once the kernel's INIT is answered. */
  static async mount(mountpoint: string, fs: FuseFileSystem, opts: SessionOptions): Promise<FuseSession> {
    const fd = openSync('/dev/fuse', 'r+');
    const s = new FuseSession(fd, mountpoint, fs, opts);
    const inited = new Promise<void>((res, rej) => (s.ready = (err) => (err ? rej(err) : res())));
    try {
      await s.runMount();
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    s.startReading();
    try {
      await inited;
    } catch (err) {
      await s.unmount().catch(() => undefined);
      throw err;
    }
    const why = setReadAhead(mountpoint, READ_AHEAD_KB);
    if (why) s.log(`mempool: kernel read-ahead left at its default: ${why}`);
    return s;
  }

  /** The mount(8) call: the device's descriptor is handed over at the same number (fd=N). */
  private runMount(): Promise<void> {
    const o = [`fd=${this.fd}`, 'rootmode=40000', 'user_id=0', 'group_id=0', 'allow_other', 'default_permissions'];
    if (this.opts.extraOptions) o.push(this.opts.extraOptions);
    const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'ignore', 'pipe'];
    while (stdio.length < this.fd) stdio.push('ignore');
    stdio[this.fd] = this.fd;
    return new Promise((res, rej) => {
      const child: ChildProcess = spawn('mount', ['-i', '-t', `fuse.${this.opts.subtype}`, '-o', o.join(','), this.opts.fsname, this.mountpoint], { stdio });
      let err = '';
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', (e) => rej(new Error(`cannot run mount: ${e.message}`)));
      child.on('close', (code) => (code === 0 ? res() : rej(new Error(`mount failed: ${err.trim() || `exit ${code}`}`))));
    });
  }

  private startReading(): void {
    this.reader = startReader(this.opts.reader ?? ((process.env.MEMPOOL_FUSE_READER as ReaderKind | undefined) || 'worker'), {
      fd: this.fd,
      bufSize: this.maxWrite + 4096 + abi.IN_HEADER_SIZE,
      parallel: this.opts.readers ?? 2,
      onRequest: (b) => this.dispatch(b),
      onEnd: (why) => this.ended(why),
    });
  }

  private ended(why: string): void {
    this.notify.close();
    this.ready?.(new Error(`the kernel ended the session before INIT (${why})`));
    this.ready = null;
    if (!this.fdClosed) {
      this.fdClosed = true;
      // Let queued notifications see the closed flag first; nothing else writes after the readers ended.
      setImmediate(() => closeSync(this.fd));
    }
    this.markClosed(this.unmounting ? 'unmounted' : why === 'ENODEV' ? 'lost' : why);
  }

  /** Unmounts (umount, then umount -l if busy) and waits for the readers to end. */
  unmount(): Promise<void> {
    if (this.unmounting) return this.unmounting;
    this.unmounting = (async () => {
      try {
        await run('umount', [this.mountpoint]);
      } catch {
        await run('umount', ['-l', this.mountpoint]).catch(() => undefined);
      }
      const t = setTimeout(() => {
        this.reader?.stop();
        this.ended('stopped');
      }, 3000);
      await this.closed;
      clearTimeout(t);
    })();
    return this.unmounting;
  }

  // ---- replies ----

  private write(b: Buffer | Buffer[], unique: number): void {
    try {
      if (Array.isArray(b)) writevSync(this.fd, b);
      else writeSync(this.fd, b);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOENT: the request was interrupted and is gone; ENODEV/EBADF: unmounted.
      if (code !== 'ENOENT' && code !== 'ENODEV' && code !== 'EBADF') this.log(`mempool: fuse reply to ${unique}: ${(err as Error).message}`);
    }
  }

  private replyError(unique: number, errno: number): void {
    if (!this.finish(unique)) return;
    const b = Buffer.allocUnsafe(abi.OUT_HEADER_SIZE);
    abi.putOutHeader(b, abi.OUT_HEADER_SIZE, -errno, unique);
    if (this.opts.debug) this.log(`fuse: ${unique} <- error ${errno}`);
    this.write(b, unique);
  }

  /** A reply whose body is size bytes written by fill. */
  private reply(unique: number, size: number, fill: (b: Buffer, off: number) => void): void {
    if (!this.finish(unique)) return;
    const b = Buffer.alloc(abi.OUT_HEADER_SIZE + size);
    abi.putOutHeader(b, b.length, 0, unique);
    fill(b, abi.OUT_HEADER_SIZE);
    if (this.opts.debug) this.log(`fuse: ${unique} <- ${size} bytes`);
    this.write(b, unique);
  }

  private replyData(unique: number, data: Buffer): void {
    if (!this.finish(unique)) return;
    const h = Buffer.allocUnsafe(abi.OUT_HEADER_SIZE);
    abi.putOutHeader(h, abi.OUT_HEADER_SIZE + data.length, 0, unique);
    if (this.opts.debug) this.log(`fuse: ${unique} <- ${data.length} data bytes`);
    this.write(data.length > 0 ? [h, data] : h, unique);
  }

  /** Forgets the request (no longer interruptible); always true. */
  private finish(unique: number): boolean {
    this.inflight.delete(unique);
    return true;
  }

  /** Runs an op and answers with its result or its errno. */
  private answer<T>(unique: number, work: (() => Promise<T>) | undefined, ok: (v: T) => void): void {
    if (!work) return this.replyError(unique, ENOSYS);
    let p: Promise<T>;
    try {
      p = work();
    } catch (err) {
      return this.replyError(unique, errnoOf(err));
    }
    p.then(ok, (err: unknown) => {
      const errno = errnoOf(err);
      if (errno === 5 && !(err as { errno?: unknown } | null)?.errno) this.log(`mempool: fuse request ${unique}: ${(err as Error)?.stack ?? String(err)}`);
      this.replyError(unique, errno);
    });
  }

  private entry(unique: number, work: (() => Promise<abi.EntryOut>) | undefined): void {
    this.answer(unique, work, (e) => this.reply(unique, abi.ENTRY_OUT_SIZE, (b, o) => abi.putEntryOut(b, o, e)));
  }

  private attr(unique: number, work: (() => Promise<abi.AttrOut>) | undefined): void {
    this.answer(unique, work, (a) => this.reply(unique, abi.ATTR_OUT_SIZE, (b, o) => abi.putAttrOut(b, o, a)));
  }

  private empty(unique: number, work: (() => Promise<void>) | undefined): void {
    this.answer(unique, work, () => this.reply(unique, 0, () => {}));
  }

  private open(unique: number, work: (() => Promise<abi.OpenOut>) | undefined): void {
    this.answer(unique, work, (o) => this.reply(unique, abi.OPEN_OUT_SIZE, (b, off) => abi.putOpenOut(b, off, o)));
  }

  /** getxattr/listxattr convention: size 0 asks for the length; too small is ERANGE. */
  private sized(unique: number, size: number, value: Buffer): void {
    if (size === 0) return this.reply(unique, 8, (b, o) => b.writeUInt32LE(value.length, o));
    if (value.length > size) return this.replyError(unique, ERANGE);
    this.replyData(unique, value);
  }

  // ---- requests ----

  private dispatch(b: Buffer): void {
    if (b.length < abi.IN_HEADER_SIZE) return;
    const h = abi.decodeInHeader(b);
    const fs = this.fs;
    const u = h.unique;
    const n = h.nodeid;
    const p = abi.IN_HEADER_SIZE; // start of the op's struct
    if (this.opts.debug) this.log(`fuse: ${u} -> op ${h.opcode} node ${n} len ${h.len}`);
    const ctx = new Ctx(u, n, h.uid, h.gid, h.pid);
    if (h.opcode !== Op.INTERRUPT) this.highestUnique = Math.max(this.highestUnique, u);
    if (this.earlyInterrupts.delete(u)) ctx.interrupt();
    if (h.opcode !== Op.FORGET && h.opcode !== Op.BATCH_FORGET && h.opcode !== Op.INTERRUPT) this.inflight.set(u, ctx);
    const name = (off: number) => abi.cstring(b, off)[0];
    try {
      switch (h.opcode) {
        case Op.INIT:
          return this.init(u, b, p);
        case Op.DESTROY:
          fs.destroy?.();
          return this.reply(u, 0, () => {});
        case Op.INTERRUPT: {
          // Parallel readers may hand us the INTERRUPT before its request: keep it for when the request comes.
          const target = abi.u64(b, p);
          const c = this.inflight.get(target);
          if (c) c.interrupt();
          else if (target > this.highestUnique) {
            if (this.earlyInterrupts.size >= 1024) this.earlyInterrupts.clear();
            this.earlyInterrupts.add(target);
          }
          return;
        }
        case Op.FORGET:
          fs.forget?.(n, abi.u64(b, p));
          return;
        case Op.BATCH_FORGET: {
          const count = b.readUInt32LE(p);
          for (let i = 0, off = p + 8; i < count && off + 16 <= b.length; i++, off += 16) fs.forget?.(abi.u64(b, off), abi.u64(b, off + 8));
          return;
        }
        case Op.LOOKUP:
          return this.entry(u, fs.lookup && (() => fs.lookup!(ctx, n, name(p))));
        case Op.GETATTR: {
          const flags = b.readUInt32LE(p);
          const fh = flags & abi.GETATTR_FH ? abi.u64(b, p + 8) : null;
          return this.attr(u, fs.getattr && (() => fs.getattr!(ctx, n, fh)));
        }
        case Op.SETATTR:
          return this.attr(u, fs.setattr && (() => fs.setattr!(ctx, n, abi.decodeSetattrIn(b, p))));
        case Op.READLINK:
          return this.answer(u, fs.readlink && (() => fs.readlink!(ctx, n)), (t) => this.replyData(u, t));
        case Op.SYMLINK: {
          const [nm, next] = abi.cstring(b, p);
          const target = name(next);
          return this.entry(u, fs.symlink && (() => fs.symlink!(ctx, n, nm, target)));
        }
        case Op.MKNOD:
          return this.entry(u, fs.mknod && (() => fs.mknod!(ctx, n, name(p + 16), b.readUInt32LE(p), b.readUInt32LE(p + 4), b.readUInt32LE(p + 8))));
        case Op.MKDIR:
          return this.entry(u, fs.mkdir && (() => fs.mkdir!(ctx, n, name(p + 8), b.readUInt32LE(p), b.readUInt32LE(p + 4))));
        case Op.UNLINK:
          return this.empty(u, fs.unlink && (() => fs.unlink!(ctx, n, name(p))));
        case Op.RMDIR:
          return this.empty(u, fs.rmdir && (() => fs.rmdir!(ctx, n, name(p))));
        case Op.RENAME:
        case Op.RENAME2: {
          const two = h.opcode === Op.RENAME2;
          const newDir = abi.u64(b, p);
          const flags = two ? b.readUInt32LE(p + 8) : 0;
          const [from, next] = abi.cstring(b, p + (two ? 16 : 8));
          const to = name(next);
          return this.empty(u, fs.rename && (() => fs.rename!(ctx, n, from, newDir, to, flags)));
        }
        case Op.LINK:
          return this.entry(u, fs.link && (() => fs.link!(ctx, abi.u64(b, p), n, name(p + 8))));
        case Op.OPEN:
          return this.open(u, fs.open && (() => fs.open!(ctx, n, b.readUInt32LE(p), b.readUInt32LE(p + 4))));
        case Op.OPENDIR:
          return this.open(u, fs.opendir && (() => fs.opendir!(ctx, n, b.readUInt32LE(p))));
        case Op.CREATE: {
          const flags = b.readUInt32LE(p);
          const mode = b.readUInt32LE(p + 4);
          const umask = b.readUInt32LE(p + 8);
          const openFlags = b.readUInt32LE(p + 12);
          return this.answer(u, fs.create && (() => fs.create!(ctx, n, name(p + 16), mode, umask, flags, openFlags)), (r) =>
            this.reply(u, abi.ENTRY_OUT_SIZE + abi.OPEN_OUT_SIZE, (out, o) => {
              abi.putEntryOut(out, o, r.entry);
              abi.putOpenOut(out, o + abi.ENTRY_OUT_SIZE, r.open);
            }),
          );
        }
        case Op.READ: {
          const fh = abi.u64(b, p);
          const off = abi.u64(b, p + 8);
          const size = b.readUInt32LE(p + 16);
          return this.answer(u, fs.read && (() => fs.read!(ctx, n, fh, off, size)), (d) => this.replyData(u, d.length > size ? d.subarray(0, size) : d));
        }
        case Op.WRITE: {
          const fh = abi.u64(b, p);
          const off = abi.u64(b, p + 8);
          const size = b.readUInt32LE(p + 16);
          const flags = b.readUInt32LE(p + 20);
          const start = p + 40;
          if (start + size > b.length) return this.replyError(u, EINVAL);
          const data = b.subarray(start, start + size);
          return this.answer(u, fs.write && (() => fs.write!(ctx, n, fh, off, data, flags)), (w) => this.reply(u, 8, (out, o) => out.writeUInt32LE(w, o)));
        }
        case Op.FALLOCATE:
          return this.empty(u, fs.fallocate && (() => fs.fallocate!(ctx, n, abi.u64(b, p), abi.u64(b, p + 8), abi.u64(b, p + 16), b.readUInt32LE(p + 24))));
        case Op.STATFS:
          return this.answer(u, fs.statfs && (() => fs.statfs!(ctx, n)), (s) => this.reply(u, abi.STATFS_OUT_SIZE, (out, o) => abi.putStatfs(out, o, s)));
        case Op.RELEASE:
          return this.empty(u, fs.release && (() => fs.release!(ctx, n, abi.u64(b, p), b.readUInt32LE(p + 8), b.readUInt32LE(p + 12), abi.u64(b, p + 16))));
        case Op.RELEASEDIR:
          return this.empty(u, fs.releasedir ? () => fs.releasedir!(ctx, n, abi.u64(b, p)) : () => Promise.resolve());
        case Op.FSYNC:
          return this.empty(u, fs.fsync && (() => fs.fsync!(ctx, n, abi.u64(b, p), (b.readUInt32LE(p + 8) & abi.FSYNC_FDATASYNC) !== 0)));
        case Op.FSYNCDIR:
          return this.empty(u, fs.fsyncdir && (() => fs.fsyncdir!(ctx, n, abi.u64(b, p), (b.readUInt32LE(p + 8) & abi.FSYNC_FDATASYNC) !== 0)));
        case Op.FLUSH:
          return this.empty(u, fs.flush && (() => fs.flush!(ctx, n, abi.u64(b, p), abi.u64(b, p + 16))));
        case Op.SETXATTR: {
          // Without SETXATTR_EXT the struct is the 8-byte compat one: size, flags.
          const size = b.readUInt32LE(p);
          const flags = b.readUInt32LE(p + 4);
          const [nm, next] = abi.cstring(b, p + 8);
          if (next + size > b.length) return this.replyError(u, EINVAL);
          const value = Buffer.from(b.subarray(next, next + size));
          return this.empty(u, fs.setxattr && (() => fs.setxattr!(ctx, n, nm, value, flags)));
        }
        case Op.GETXATTR: {
          const size = b.readUInt32LE(p);
          return this.answer(u, fs.getxattr && (() => fs.getxattr!(ctx, n, name(p + 8))), (v) => this.sized(u, size, v));
        }
        case Op.LISTXATTR: {
          const size = b.readUInt32LE(p);
          return this.answer(u, fs.listxattr && (() => fs.listxattr!(ctx, n)), (names) => this.sized(u, size, Buffer.concat(names.flatMap((x) => [x, Buffer.alloc(1)]))));
        }
        case Op.REMOVEXATTR:
          return this.empty(u, fs.removexattr && (() => fs.removexattr!(ctx, n, name(p))));
        case Op.ACCESS:
          return this.empty(u, fs.access && (() => fs.access!(ctx, n, b.readUInt32LE(p))));
        case Op.READDIR:
        case Op.READDIRPLUS: {
          const fh = abi.u64(b, p);
          const off = abi.u64(b, p + 8);
          const size = b.readUInt32LE(p + 16);
          const sink = new Sink(h.opcode === Op.READDIRPLUS, size);
          return this.answer(u, fs.readdir && (() => fs.readdir!(ctx, n, fh, off, sink)), () => this.replyData(u, sink.result()));
        }
        case Op.GETLK:
          return this.answer(u, fs.getlk && (() => fs.getlk!(ctx, n, lockRequest(b, p))), (l) => this.reply(u, abi.LK_OUT_SIZE, (out, o) => abi.putFileLock(out, o, l)));
        case Op.SETLK:
        case Op.SETLKW:
          return this.empty(u, fs.setlk && (() => fs.setlk!(ctx, n, lockRequest(b, p), h.opcode === Op.SETLKW)));
        default:
          // IOCTL, POLL, BMAP, LSEEK, COPY_FILE_RANGE, STATX, TMPFILE, SYNCFS…: the kernel falls back or reports EOPNOTSUPP.
          return this.replyError(u, ENOSYS);
      }
    } catch (err) {
      // A request too short for its struct (RangeError) or a synchronous bug: answer, never crash the mount.
      this.log(`mempool: fuse op ${h.opcode}: ${(err as Error).message}`);
      if (this.inflight.has(u)) this.replyError(u, err instanceof RangeError ? EINVAL : errnoOf(err));
    }
  }

  private init(unique: number, b: Buffer, p: number): void {
    const init = abi.decodeInitIn(b, p);
    if (init.major !== abi.KERNEL_VERSION || init.minor < 31) {
      this.replyError(unique, 71); // EPROTO
      this.ready?.(new Error(`kernel FUSE protocol ${init.major}.${init.minor} is too old (7.31 or newer needed)`));
      this.ready = null;
      return;
    }
    const minor = Math.min(init.minor, abi.KERNEL_MINOR);
    const offered = init.flags & bit(abi.InitBit.INIT_EXT) ? init.flags : init.flags & 0xffffffffn;
    const flags = (wantedFlags(this.fs) & offered) | (offered & bit(abi.InitBit.INIT_EXT));
    const maxPages = Math.ceil(this.maxWrite / 4096);
    const out: abi.InitOut = {
      major: abi.KERNEL_VERSION,
      minor,
      maxReadahead: init.maxReadahead,
      flags,
      maxBackground: 64,
      congestionThreshold: 48,
      maxWrite: this.maxWrite,
      timeGran: 1,
      maxPages,
    };
    this.negotiated = { minor, flags, maxWrite: this.maxWrite, has: (n) => (flags & bit(n)) !== 0n };
    this.fs.init?.();
    this.reply(unique, abi.INIT_OUT_SIZE, (o, off) => abi.putInitOut(o, off, out));
    this.ready?.(null);
    this.ready = null;
  }
}

function lockRequest(b: Buffer, p: number): LockRequest {
  return { fh: abi.u64(b, p), owner: abi.u64(b, p + 8), lock: abi.getFileLock(b, p + 16), flock: (b.readUInt32LE(p + 40) & abi.LK_FLOCK) !== 0 };
}

/** Packs READDIR(PLUS) records into a reply of at most size bytes. */
class Sink implements DirSink {
  private readonly buf: Buffer;
  private used = 0;
  constructor(
    readonly plus: boolean,
    size: number,
  ) {
    this.buf = Buffer.alloc(Math.min(size, 1 << 20));
  }
  add(e: DirEntryOut): boolean {
    const need = this.plus ? abi.direntplusSize(e.name.length) : abi.direntSize(e.name.length);
    if (this.used + need > this.buf.length) return false;
    let off = this.used;
    if (this.plus) {
      if (e.entry) abi.putEntryOut(this.buf, off, e.entry);
      else this.buf.fill(0, off, off + abi.ENTRY_OUT_SIZE);
      off += abi.ENTRY_OUT_SIZE;
    }
    abi.putDirent(this.buf, off, e.ino, e.next, (e.mode >>> 12) & 0xf, e.name);
    this.used += need;
    return true;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.used);
  }
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((res, rej) =>
    execFile(cmd, args, { timeout: 10_000 }, (err, _out, stderr) => (err ? rej(new Error(`${cmd} ${args.join(' ')}: ${String(stderr).trim() || err.message}`)) : res())),
  );
}
