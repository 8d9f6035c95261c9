/**
 * The namespace and chunk map as the manager uses them, under the method names it always used: reads go
 * straight to the state, every change is made as an operation record through MetaStore.run (applied, then
 * logged). Open counts are not logged: they are kept on the live namespace and decide when an inode that
 * lost its last link is freed, which is then an operation of its own.
 */
import type { Attr, DirEntry } from '../../types';
import type { Namespace, Released } from '../namespace';
import type { QuotaLimits, Quotas, QuotaUsage } from '../quota';
import { randomInt } from 'crypto';
import type { ChunkRecord } from '../chunk-map';
import type { MetaStore } from './meta-store';

/** A random key generation for a file's chunks: with the never-reused inode number, no chunk key of a new file can name an old file's data, even after a volatile manager restarted. */
function newGeneration(): number {
  return randomInt(1, 2 ** 31);
}

/** Namespace calls of the manager, each change logged. */
export class LoggedNamespace {
  constructor(private readonly store: MetaStore) {}

  private get raw() {
    return this.store.state.ns;
  }

  getattr(path: string): Attr {
    return this.raw.getattr(path);
  }
  getattrIno(ino: number): Attr {
    return this.raw.getattrIno(ino);
  }
  lookupIno(path: string): number {
    return this.raw.lookupIno(path);
  }
  /** A path walked with search(dir) run on each directory on the way (permission checks); see Namespace.resolve. */
  resolve(path: string, search: (dir: Readonly<Attr>) => void): ReturnType<Namespace['resolve']> {
    return this.raw.resolve(path, search);
  }
  readdir(path: string): DirEntry[] {
    return this.raw.readdir(path);
  }
  readdirPage(path: string, offset: number, limit: number): { entries: DirEntry[]; next?: number } {
    return this.raw.readdirPage(path, offset, limit);
  }
  readdirPageIno(ino: number, offset: number, limit: number): { entries: DirEntry[]; next?: number } {
    return this.raw.readdirPageIno(ino, offset, limit);
  }
  /** The inode directory dir names `name`, or undefined. */
  entryIno(dir: number, name: string): number | undefined {
    return this.raw.entryIno(dir, name);
  }
  /** Directories holding an entry for ino (a directory's parent, every link's directory for other kinds). */
  entryDirs(ino: number): number[] {
    return this.raw.entryDirs(ino);
  }
  /** The quota table, for reads (room left under a file's quotas); changes go through setQuota / clearQuota. */
  get quotas(): Quotas {
    return this.raw.quotas;
  }
  get maxFiles(): number {
    return this.raw.maxFiles;
  }
  getQuota(path: string): (QuotaUsage & { path: string }) | null {
    return this.raw.getQuota(path);
  }
  listQuotas(): Array<QuotaUsage & { path: string }> {
    return this.raw.listQuotas();
  }
  readlink(path: string): string {
    return this.raw.readlink(path);
  }
  getxattr(path: string, name: string): Buffer {
    return this.raw.getxattr(path, name);
  }
  listxattr(path: string): string[] {
    return this.raw.listxattr(path);
  }
  counts(): { files: number; directories: number; inodes: number } {
    return this.raw.counts();
  }
  forEachFile(fn: (ino: number, size: number) => void): void {
    this.raw.forEachFile(fn);
  }
  isOpen(ino: number): boolean {
    return this.raw.isOpen(ino);
  }
  /** Inodes without any link (unlinked while open before a restart). */
  orphans(): number[] {
    return this.raw.orphans();
  }

  mknod(path: string, mode: number, uid: number, gid: number, rdev = 0): Attr {
    return this.store.run({ op: 'mknod', path, mode, uid, gid, rdev, now: Date.now() });
  }
  mkdir(path: string, mode: number, uid: number, gid: number): Attr {
    return this.store.run({ op: 'mkdir', path, mode, uid, gid, now: Date.now() });
  }
  symlink(target: string, path: string, uid: number, gid: number): Attr {
    return this.store.run({ op: 'symlink', target, path, uid, gid, now: Date.now() });
  }
  link(src: string, dst: string): Attr {
    return this.store.run({ op: 'link', src, dst, now: Date.now() });
  }
  unlink(path: string): Released {
    return this.freeIfUnused(this.store.run({ op: 'unlink', path, now: Date.now() }).ino);
  }
  rmdir(path: string): void {
    this.store.run({ op: 'rmdir', path, now: Date.now() });
  }
  rename(src: string, dst: string, flags = 0): Released | null {
    const replaced = this.store.run({ op: 'rename', src, dst, flags, now: Date.now() });
    return replaced && !replaced.freed ? this.freeIfUnused(replaced.ino) : replaced;
  }
  chmod(path: string, mode: number): Attr {
    return this.store.run({ op: 'chmod', path, mode, now: Date.now() });
  }
  chown(path: string, uid: number, gid: number): Attr {
    return this.store.run({ op: 'chown', path, uid, gid, now: Date.now() });
  }
  utimens(path: string, atimeMs: number, mtimeMs: number): Attr {
    return this.store.run({ op: 'utimens', path, atimeMs, mtimeMs, now: Date.now() });
  }
  setSize(ino: number, size: number): { oldSize: number; attr: Attr } {
    return this.store.run({ op: 'setSize', ino, size, now: Date.now() });
  }
  extend(ino: number, end: number, mtimeMs?: number): Attr {
    return this.store.run({ op: 'extend', ino, end, mtimeMs: mtimeMs ?? null, now: Date.now() });
  }
  setxattr(path: string, name: string, value: Buffer, flags: number): void {
    this.store.run({ op: 'setxattr', path, name, value: value.toString('base64'), flags, now: Date.now() });
  }
  removexattr(path: string, name: string): void {
    this.store.run({ op: 'removexattr', path, name, now: Date.now() });
  }

  setQuota(path: string, limits: Partial<QuotaLimits>): QuotaUsage & { path: string } {
    return this.store.run({ op: 'setQuota', path, ...limits });
  }
  clearQuota(path: string): void {
    this.store.run({ op: 'clearQuota', path });
  }

  /** Counts an open handle (not logged: handles belong to live links). */
  open(ino: number): void {
    this.raw.open(ino);
  }
  /** Drops an open handle; the last one of an inode without links frees it (logged). */
  release(ino: number): Released {
    return this.freeIfUnused(this.raw.release(ino).ino);
  }
  /** Frees the inode (logged) if it has no link and no open handle left. */
  freeIfUnused(ino: number): Released {
    return this.raw.isUnused(ino) ? this.store.run({ op: 'free', ino }) : { ino, freed: false };
  }
}

/** Chunk map calls of the manager and the repairer, each change logged. */
export class LoggedChunkMap {
  constructor(private readonly store: MetaStore) {}

  private get raw() {
    return this.store.state.chunks;
  }

  get(ino: number, index: number): string[] | undefined {
    return this.raw.get(ino, index);
  }
  record(ino: number, index: number): ChunkRecord | undefined {
    return this.raw.record(ino, index);
  }
  genOf(ino: number): number {
    return this.raw.genOf(ino);
  }
  from(ino: number, from: number): Array<[number, string[]]> {
    return this.raw.from(ino, from);
  }
  get count(): number {
    return this.raw.count;
  }
  forEach(fn: (ino: number, index: number, replicas: string[], ver: number) => void): void {
    this.raw.forEach(fn);
  }
  forEachOnNode(nodeId: string, fn: (ino: number, index: number, replicas: string[]) => void): void {
    this.raw.forEachOnNode(nodeId, fn);
  }
  /** Records a chunk's replicas (and version; a file's first chunk also names its key generation). */
  set(ino: number, index: number, replicas: string[], ver?: number): void {
    const gen = this.raw.genOf(ino) === 0 && this.raw.from(ino, 0).length === 0 ? newGeneration() : undefined;
    this.store.run({ op: 'chunk', ino, index, replicas: [...replicas], ...(ver === undefined ? {} : { ver }), ...(gen === undefined ? {} : { gen }) });
  }
  drop(ino: number): Map<number, string[]> {
    if (this.raw.from(ino, 0).length === 0) return new Map();
    return this.store.run({ op: 'dropChunks', ino });
  }
}
