/**
 * Directory quotas (as CephFS and JuiceFS have them): a limit on the bytes (apparent size of regular files) and
 * on the inodes created below a directory, over its whole subtree. The limits are plain data (toJSON/load) kept
 * with the metadata; usage is derived from the tree by a walk when a limit is set or loaded, then kept current by
 * the namespace's hooks. A hard-linked file counts once under each quota root that holds at least one of its
 * links (as `du` counts it). Checks come before a mutation (EDQUOT), charges after it cannot fail any more.
 */
import { FsError } from '../errors';

/** The limits of one quota root; null means unlimited. */
export interface QuotaLimits {
  bytes: number | null;
  files: number | null;
}

/** One quota root as `quota get` and `mempool status` show it. */
export interface QuotaUsage extends QuotaLimits {
  ino: number;
  usedBytes: number;
  usedFiles: number;
}

/** The quota table as it is persisted: limits only (usage is derived). */
export type QuotaTable = Array<{ ino: number; bytes: number | null; files: number | null }>;

/** What the quotas need to know of the namespace tree. */
export interface QuotaTree {
  /** Directories that hold an entry for ino (a directory: its parent; the root and unlinked inodes: none). */
  entryDirs(ino: number): number[];
  /** Calls fn once per inode strictly below dir (hard links once), with its apparent size (0 for non-files). */
  forEachBelow(dir: number, fn: (ino: number, bytes: number) => void): void;
}

/** How an inode counts: its size in bytes (regular files; else 0), and whether it is a directory with entries. */
export interface Charged {
  ino: number;
  bytes: number;
  /** A non-empty directory: moving it across quota roots would need a walk of its subtree (EXDEV instead). */
  subtree: boolean;
}

interface Root extends QuotaLimits {
  usedBytes: number;
  usedFiles: number;
}

/** A set of pending usage changes, checked as a whole (a rename that replaces a file frees its bytes first). */
export class QuotaDelta {
  private readonly files = new Map<number, number>();
  private readonly bytes = new Map<number, number>();

  constructor(private readonly quotas: Quotas) {}

  /** Adds the change of one link of `node` moving from directory `from` to `to` (null: created or removed). */
  relink(node: Charged, from: number | null, to: number | null): this {
    if (!this.quotas.active) return this;
    const before = this.quotas.rootsOf(node.ino);
    const after = this.quotas.rootsOf(node.ino, from, to);
    const gained = [...after].filter((r) => !before.has(r));
    const lost = [...before].filter((r) => !after.has(r));
    if (node.subtree && (gained.length > 0 || lost.length > 0)) throw new FsError('EXDEV', `directory ${node.ino} would move across a quota boundary`);
    for (const r of gained) this.add(r, 1, node.bytes);
    for (const r of lost) this.add(r, -1, -node.bytes);
    return this;
  }

  /** Adds a size change of an existing inode. */
  resize(ino: number, oldBytes: number, newBytes: number): this {
    if (!this.quotas.active || oldBytes === newBytes) return this;
    for (const r of this.quotas.rootsOf(ino)) this.add(r, 0, newBytes - oldBytes);
    return this;
  }

  /** EDQUOT if any root would go over a limit through a growth here (usage already over a limit may only shrink). */
  check(): this {
    for (const [r, df] of this.files) if (df > 0 && this.quotas.wouldExceed(r, 'files', df)) throw new FsError('EDQUOT', `file quota of directory ${r}`);
    for (const [r, db] of this.bytes) if (db > 0 && this.quotas.wouldExceed(r, 'bytes', db)) throw new FsError('EDQUOT', `byte quota of directory ${r}`);
    return this;
  }

  /** Applies the changes to the usage figures. */
  apply(): void {
    for (const [r, df] of this.files) this.quotas.charge(r, df, 0);
    for (const [r, db] of this.bytes) this.quotas.charge(r, 0, db);
  }

  private add(root: number, files: number, bytes: number): void {
    if (files !== 0) this.files.set(root, (this.files.get(root) ?? 0) + files);
    if (bytes !== 0) this.bytes.set(root, (this.bytes.get(root) ?? 0) + bytes);
  }
}

/** The quota roots of a namespace with their limits and usage. */
export class Quotas {
  private readonly roots = new Map<number, Root>();
  private readonly idle = new QuotaDelta(this);

  constructor(private readonly tree: QuotaTree) {}

  /** True when any quota is set (every hook is a no-op otherwise). */
  get active(): boolean {
    return this.roots.size > 0;
  }

  /** Sets (or changes) the limits of directory dir; a field left undefined keeps its old value. Usage is derived by a walk. */
  set(dir: number, limits: Partial<QuotaLimits>): QuotaUsage {
    for (const v of [limits.bytes, limits.files]) {
      if (v !== undefined && v !== null && (!Number.isSafeInteger(v) || v < 0)) throw new FsError('EINVAL', `quota limit ${v}`);
    }
    const old = this.roots.get(dir);
    const root: Root = old ?? { bytes: null, files: null, ...this.walk(dir) };
    if (limits.bytes !== undefined) root.bytes = limits.bytes;
    if (limits.files !== undefined) root.files = limits.files;
    if (root.bytes === null && root.files === null) this.roots.delete(dir);
    else this.roots.set(dir, root);
    return this.usageOf(dir, root);
  }

  /** Removes the quota of dir (no error when it had none). */
  clear(dir: number): void {
    this.roots.delete(dir);
  }

  /** Forgets an inode that is gone (a removed quota root takes its quota with it). */
  forget(ino: number): void {
    if (this.roots.size > 0) this.roots.delete(ino);
  }

  /** The quota of dir, or null. */
  get(dir: number): QuotaUsage | null {
    const root = this.roots.get(dir);
    return root ? this.usageOf(dir, root) : null;
  }

  /** Every quota root with limits and usage. */
  list(): QuotaUsage[] {
    return [...this.roots].map(([ino, r]) => this.usageOf(ino, r));
  }

  /** Bytes ino may still grow by before some quota above it says no (Infinity without quotas). */
  roomFor(ino: number): number {
    if (!this.active) return Infinity;
    let room = Infinity;
    for (const r of this.rootsOf(ino)) {
      const q = this.roots.get(r);
      if (q && q.bytes !== null) room = Math.min(room, Math.max(0, q.bytes - q.usedBytes));
    }
    return room;
  }

  /** A new, empty set of usage changes (one shared, always empty set while no quota is set: no cost per call). */
  delta(): QuotaDelta {
    return this.active ? new QuotaDelta(this) : this.idle;
  }

  /** The limits, for persistence with the metadata. */
  toJSON(): QuotaTable {
    return [...this.roots].map(([ino, r]) => ({ ino, bytes: r.bytes, files: r.files }));
  }

  /** Replaces the table with saved limits and derives the usage of each root from the tree. */
  load(table: QuotaTable): void {
    this.roots.clear();
    for (const q of table) this.set(q.ino, { bytes: q.bytes, files: q.files });
  }

  /** Quota roots above ino's entries (the directories holding it and their ancestors); from/to substitute one entry's directory. */
  rootsOf(ino: number, from: number | null = null, to: number | null = null): Set<number> {
    const dirs = this.tree.entryDirs(ino);
    if (from !== null) {
      const i = dirs.indexOf(from);
      if (i >= 0) dirs.splice(i, 1);
    }
    if (to !== null) dirs.push(to);
    const out = new Set<number>();
    for (const d of dirs) this.addChain(d, out);
    return out;
  }

  /** True if adding n to root's usage of kind would pass its limit. */
  wouldExceed(root: number, kind: 'files' | 'bytes', n: number): boolean {
    const q = this.roots.get(root);
    if (!q) return false;
    const limit = q[kind];
    const used = kind === 'files' ? q.usedFiles : q.usedBytes;
    return limit !== null && used + n > limit;
  }

  /** Adds to a root's usage. */
  charge(root: number, files: number, bytes: number): void {
    const q = this.roots.get(root);
    if (!q) return;
    q.usedFiles = Math.max(0, q.usedFiles + files);
    q.usedBytes = Math.max(0, q.usedBytes + bytes);
  }

  /** Adds dir and every ancestor of it that is a quota root. */
  private addChain(dir: number, out: Set<number>): void {
    const seen = new Set<number>();
    for (let d: number | undefined = dir; d !== undefined && !seen.has(d); d = this.tree.entryDirs(d)[0]) {
      seen.add(d);
      if (this.roots.has(d)) out.add(d);
    }
  }

  /** Usage below dir, counted by a walk. */
  private walk(dir: number): { usedBytes: number; usedFiles: number } {
    let usedBytes = 0;
    let usedFiles = 0;
    this.tree.forEachBelow(dir, (_ino, bytes) => {
      usedFiles++;
      usedBytes += bytes;
    });
    return { usedBytes, usedFiles };
  }

  private usageOf(ino: number, r: Root): QuotaUsage {
    return { ino, bytes: r.bytes, files: r.files, usedBytes: r.usedBytes, usedFiles: r.usedFiles };
  }
}
