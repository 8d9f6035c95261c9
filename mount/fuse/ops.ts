/**
 * The operation table a file system hands the FUSE session: one method per
 * request, node ids in, decoded structs out. Every method is optional (absent:
 * ENOSYS); a thrown or rejected error with a numeric `errno` becomes that
 * errno, anything else EIO. Names, link targets and xattr names are raw bytes.
 */
import { AttrOut, EntryOut, FileLock, OpenOut, SetattrIn, Statfs } from './abi';

/** Who asked, and the request's fate. */
export interface RequestContext {
  readonly unique: number;
  readonly nodeid: number;
  readonly uid: number;
  readonly gid: number;
  readonly pid: number;
  /** True once the kernel sent INTERRUPT for this request (the caller got a signal). */
  readonly interrupted: boolean;
  /** Runs cb when the kernel interrupts this request (at once if it already did). */
  onInterrupt(cb: () => void): void;
}

/** One entry handed to a READDIR(PLUS) answer. */
export interface DirEntryOut {
  name: Buffer;
  ino: number;
  /** st_mode (only the type bits are sent in READDIR). */
  mode: number;
  /** The offset the kernel passes back to continue after this entry. */
  next: number;
  /** READDIRPLUS only: the entry's lookup answer (counts as a lookup unless the name is '.' or '..'). */
  entry?: EntryOut;
}

/** Where readdir puts its entries: add() answers false when the reply is full (the entry was not sent). */
export interface DirSink {
  readonly plus: boolean;
  add(e: DirEntryOut): boolean;
}

/** A byte-range or flock lock request (LK/GETLK/SETLK/SETLKW). */
export interface LockRequest {
  fh: number;
  owner: number;
  lock: FileLock;
  /** LK_FLOCK: a flock(2) lock rather than a POSIX one. */
  flock: boolean;
}

/** What a file system implements. */
export interface FuseFileSystem {
  init?(): void;
  destroy?(): void;
  lookup?(ctx: RequestContext, parent: number, name: Buffer): Promise<EntryOut>;
  /** The kernel dropped nlookup references to nodeid (no reply; never fails). */
  forget?(nodeid: number, nlookup: number): void;
  getattr?(ctx: RequestContext, nodeid: number, fh: number | null): Promise<AttrOut>;
  setattr?(ctx: RequestContext, nodeid: number, s: SetattrIn): Promise<AttrOut>;
  readlink?(ctx: RequestContext, nodeid: number): Promise<Buffer>;
  symlink?(ctx: RequestContext, parent: number, name: Buffer, target: Buffer): Promise<EntryOut>;
  mknod?(ctx: RequestContext, parent: number, name: Buffer, mode: number, rdev: number, umask: number): Promise<EntryOut>;
  mkdir?(ctx: RequestContext, parent: number, name: Buffer, mode: number, umask: number): Promise<EntryOut>;
  unlink?(ctx: RequestContext, parent: number, name: Buffer): Promise<void>;
  rmdir?(ctx: RequestContext, parent: number, name: Buffer): Promise<void>;
  rename?(ctx: RequestContext, parent: number, name: Buffer, newParent: number, newName: Buffer, flags: number): Promise<void>;
  link?(ctx: RequestContext, nodeid: number, newParent: number, newName: Buffer): Promise<EntryOut>;
  open?(ctx: RequestContext, nodeid: number, flags: number, openFlags: number): Promise<OpenOut>;
  create?(ctx: RequestContext, parent: number, name: Buffer, mode: number, umask: number, flags: number, openFlags: number): Promise<{ entry: EntryOut; open: OpenOut }>;
  read?(ctx: RequestContext, nodeid: number, fh: number, offset: number, size: number): Promise<Buffer>;
  /** data is a copy the method may keep; answers the bytes written. */
  write?(ctx: RequestContext, nodeid: number, fh: number, offset: number, data: Buffer, writeFlags: number): Promise<number>;
  /** fallocate(2) on an open file (mode: FALLOC_FL_* bits). */
  fallocate?(ctx: RequestContext, nodeid: number, fh: number, offset: number, length: number, mode: number): Promise<void>;
  statfs?(ctx: RequestContext, nodeid: number): Promise<Statfs>;
  flush?(ctx: RequestContext, nodeid: number, fh: number, lockOwner: number): Promise<void>;
  release?(ctx: RequestContext, nodeid: number, fh: number, flags: number, releaseFlags: number, lockOwner: number): Promise<void>;
  fsync?(ctx: RequestContext, nodeid: number, fh: number, datasync: boolean): Promise<void>;
  setxattr?(ctx: RequestContext, nodeid: number, name: Buffer, value: Buffer, flags: number): Promise<void>;
  getxattr?(ctx: RequestContext, nodeid: number, name: Buffer): Promise<Buffer>;
  /** The attribute names (without their NULs). */
  listxattr?(ctx: RequestContext, nodeid: number): Promise<Buffer[]>;
  removexattr?(ctx: RequestContext, nodeid: number, name: Buffer): Promise<void>;
  access?(ctx: RequestContext, nodeid: number, mask: number): Promise<void>;
  opendir?(ctx: RequestContext, nodeid: number, flags: number): Promise<OpenOut>;
  readdir?(ctx: RequestContext, nodeid: number, fh: number, offset: number, out: DirSink): Promise<void>;
  releasedir?(ctx: RequestContext, nodeid: number, fh: number): Promise<void>;
  fsyncdir?(ctx: RequestContext, nodeid: number, fh: number, datasync: boolean): Promise<void>;
  /** Locks: the session asks the kernel to forward POSIX locks when getlk/setlk exist, flock locks when flock does too. */
  getlk?(ctx: RequestContext, nodeid: number, req: LockRequest): Promise<FileLock>;
  /** SETLK (wait false) and SETLKW (wait true; must end with EINTR when ctx is interrupted). */
  setlk?(ctx: RequestContext, nodeid: number, req: LockRequest, wait: boolean): Promise<void>;
}
