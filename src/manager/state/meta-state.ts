/**
 * The manager's logged state: namespace, chunk map, fencing epochs and counters (the next inode number lives
 * in the namespace). It changes only through apply(op); a snapshot plus the records after it rebuild it exactly.
 * Open counts and leases are not part of it: they belong to live client links.
 */
import type { Attr } from '../../types';
import type { Json } from '../log/meta-log';
import { ChunkMap, ChunkMapImage } from '../chunk-map';
import { Namespace, NamespaceImage, NamespaceOptions, Released } from '../namespace';
import type { QuotaLimits, QuotaUsage } from '../quota';
import { MetaOp } from './ops';

/** What applying each operation returns to the caller that made it. */
export interface OpResults {
  mknod: Attr;
  mkdir: Attr;
  symlink: Attr;
  link: Attr;
  unlink: Released;
  rmdir: void;
  rename: Released | null;
  chmod: Attr;
  chown: Attr;
  utimens: Attr;
  setSize: { oldSize: number; attr: Attr };
  extend: Attr;
  setxattr: void;
  removexattr: void;
  setQuota: QuotaUsage & { path: string };
  clearQuota: void;
  free: Released;
  chunk: void;
  dropChunks: Map<number, string[]>;
  drain: void;
  epoch: void;
  start: void;
  reply: void;
}

/** Replies to request ids kept for retries (the oldest go first). */
export const MAX_REPLIES = 20_000;

/** The state as a snapshot holds it. */
export type StateImage = {
  ns: NamespaceImage;
  chunks: ChunkMapImage;
  epochFloor: number;
  maxEpoch: number;
  replies?: Array<[string, string]>;
  draining?: string[];
};

/** Namespace + chunk map + epochs, changed only by apply(). */
export class MetaState {
  /** The time of the record being applied: the namespace's only clock. */
  private clock = 0;
  readonly ns: Namespace;
  readonly chunks = new ChunkMap();
  /** Epoch every file starts at under the current manager run (above every epoch handed out before it). */
  epochFloor = 0;
  /** Highest epoch ever handed out. */
  maxEpoch = 0;
  /** Replies (JSON) to recent request ids, by client id + rid, oldest first. */
  readonly replies = new Map<string, string>();
  /** Memory nodes being drained. */
  readonly draining = new Set<string>();

  constructor(rootMode: number, limits: Pick<NamespaceOptions, 'maxFiles' | 'maxXattrBytes' | 'maxXattrTotal'> = {}) {
    this.ns = new Namespace({ ...limits, rootMode, deferFree: true, now: () => this.clock });
  }

  /** Applies one operation; throws (changing nothing) if it is not valid on the current state. */
  apply<K extends MetaOp['op']>(op: Extract<MetaOp, { op: K }>): OpResults[K];
  apply(op: MetaOp): OpResults[MetaOp['op']] {
    const ns = this.ns;
    if ('now' in op) this.clock = op.now;
    switch (op.op) {
      case 'mknod':
        return ns.mknod(op.path, op.mode, op.uid, op.gid, op.rdev);
      case 'mkdir':
        return ns.mkdir(op.path, op.mode, op.uid, op.gid);
      case 'symlink':
        return ns.symlink(op.target, op.path, op.uid, op.gid);
      case 'link':
        return ns.link(op.src, op.dst);
      case 'unlink':
        return ns.unlink(op.path);
      case 'rmdir':
        return ns.rmdir(op.path);
      case 'rename':
        return ns.rename(op.src, op.dst, op.flags);
      case 'chmod':
        return ns.chmod(op.path, op.mode);
      case 'chown':
        return ns.chown(op.path, op.uid, op.gid);
      case 'utimens':
        return ns.utimens(op.path, op.atimeMs, op.mtimeMs);
      case 'setSize':
        return ns.setSize(op.ino, op.size);
      case 'extend':
        return ns.extend(op.ino, op.end, op.mtimeMs ?? undefined);
      case 'setxattr':
        return ns.setxattr(op.path, op.name, Buffer.from(op.value, 'base64'), op.flags);
      case 'removexattr':
        return ns.removexattr(op.path, op.name);
      case 'setQuota': {
        const limits: Partial<QuotaLimits> = {};
        if (op.bytes !== undefined) limits.bytes = op.bytes;
        if (op.files !== undefined) limits.files = op.files;
        return ns.setQuota(op.path, limits);
      }
      case 'clearQuota':
        return ns.clearQuota(op.path);
      case 'free':
        return ns.free(op.ino);
      case 'chunk':
        return this.chunks.set(op.ino, op.index, op.replicas, op.ver, op.gen);
      case 'dropChunks':
        return this.chunks.drop(op.ino);
      case 'drain':
        if (op.on) this.draining.add(op.node);
        else this.draining.delete(op.node);
        return;
      case 'epoch':
        this.maxEpoch = Math.max(this.maxEpoch, op.epoch);
        return;
      case 'start':
        if (this.epochFloor === 0) ns.utimens('/', op.now, op.now); // the first start of a fresh pool dates its root
        this.epochFloor = Math.max(this.epochFloor, this.maxEpoch) + 1;
        this.maxEpoch = this.epochFloor;
        return;
      case 'reply':
        this.replies.set(op.key, op.reply);
        if (this.replies.size > MAX_REPLIES) this.replies.delete(this.replies.keys().next().value as string);
        return;
    }
  }

  /** The whole state as plain data (copies: the live state may change while it is written out). */
  exportImage(): StateImage {
    return { ns: this.ns.exportImage(), chunks: this.chunks.exportImage(), epochFloor: this.epochFloor, maxEpoch: this.maxEpoch, replies: [...this.replies], draining: [...this.draining] };
  }

  /** Replaces the whole state with a snapshot's. */
  importImage(image: Json): void {
    const img: unknown = image;
    if (!isStateImage(img)) throw new Error('not a mempool state snapshot');
    this.ns.importImage(img.ns);
    this.chunks.importImage(img.chunks);
    this.epochFloor = img.epochFloor;
    this.maxEpoch = img.maxEpoch;
    this.replies.clear();
    for (const [k, v] of img.replies ?? []) this.replies.set(k, v);
    this.draining.clear();
    for (const id of img.draining ?? []) this.draining.add(id);
  }
}

/** Checks the outline of a snapshot's state (its checksum already vouched for the bytes). */
function isStateImage(x: unknown): x is StateImage {
  if (x === null || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  const ns = o.ns as Record<string, unknown> | null | undefined;
  return typeof o.epochFloor === 'number' && typeof o.maxEpoch === 'number' && Array.isArray(o.chunks) && !!ns && typeof ns.nextIno === 'number' && Array.isArray(ns.inodes);
}
