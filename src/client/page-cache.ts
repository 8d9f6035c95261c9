/**
 * The client's page cache: fixed-size pages of file data, clean ones in an
 * LRU bounded in bytes (lru-cache), dirty ones held per file until flushed.
 * It only stores; when a page may be used is the lease protocol's business.
 */
import { LRUCache } from 'lru-cache';

/** A page written locally and not yet at the memory nodes. */
export interface DirtyPage {
  data: Buffer;
  /** Byte range of data written locally since the last flush. */
  lo: number;
  hi: number;
  /** True when bytes outside [lo, hi) are valid too (read from the nodes, or known zeros). */
  loaded: boolean;
  /** Bumped by every write into the page: a write-behind that sent an older version must not mark it clean. */
  version: number;
  /** data is a view of a buffer on its way to the nodes: a write copies it before changing it (the bytes sent must not change). */
  shared?: boolean;
}

/** Hit counters for status. */
export interface CacheStats {
  hits: number;
  misses: number;
  cleanBytes: number;
  dirtyBytes: number;
}

/** Pages of many files under one byte budget. */
export class PageCache {
  readonly pageSize: number;
  /** Dirty bytes above which writers must flush before adding more. */
  readonly dirtyLimit: number;
  private readonly clean: LRUCache<string, Buffer>;
  private readonly dirtyFiles = new Map<number, Map<number, DirtyPage>>();
  /** The clean pages of each file (kept with the LRU), so dropping or asking about one file scans only its pages. */
  private readonly cleanFiles = new Map<number, Set<number>>();
  /** Clean pages handed out as views (a reader may still hold them): a write copies them first. */
  private readonly lent = new WeakSet<Buffer>();
  private dirtyCount = 0;
  hits = 0;
  misses = 0;

  constructor(maxBytes: number, pageSize: number) {
    this.pageSize = pageSize;
    this.dirtyLimit = Math.max(4 * pageSize, Math.floor(maxBytes / 4));
    this.clean = new LRUCache<string, Buffer>({
      maxSize: Math.max(pageSize, maxBytes - this.dirtyLimit),
      sizeCalculation: () => pageSize,
      // An overwrite ('set') keeps the key; every other way out (evicted, deleted) takes it off its file's index.
      dispose: (_value, k, reason) => {
        if (reason !== 'set') this.unindex(k);
      },
    });
  }

  /** A clean page, counting a hit or a miss. */
  getClean(ino: number, page: number): Buffer | undefined {
    const b = this.clean.get(key(ino, page));
    if (b) this.hits++;
    else this.misses++;
    return b;
  }

  /** Stores a clean page (a full page; bytes past end of file are zeros). */
  putClean(ino: number, page: number, data: Buffer): void {
    this.setClean(ino, page, data);
  }

  /** Puts a clean page in the LRU and in its file's index. */
  private setClean(ino: number, page: number, data: Buffer): void {
    this.clean.set(key(ino, page), data);
    if (!this.clean.has(key(ino, page))) return; // larger than the whole budget: not kept
    let pages = this.cleanFiles.get(ino);
    if (!pages) this.cleanFiles.set(ino, (pages = new Set()));
    pages.add(page);
  }

  /** Takes a clean page that left the LRU off its file's index. */
  private unindex(k: string): void {
    const at = k.indexOf(':');
    const ino = Number(k.slice(0, at));
    const pages = this.cleanFiles.get(ino);
    if (!pages) return;
    pages.delete(Number(k.slice(at + 1)));
    if (pages.size === 0) this.cleanFiles.delete(ino);
  }

  /** The dirty page, if any. */
  getDirty(ino: number, page: number): DirtyPage | undefined {
    return this.dirtyFiles.get(ino)?.get(page);
  }

  /** Marks clean pages as handed out as views: they must never change in place. */
  lend(pages: Buffer[]): void {
    for (const p of pages) this.lent.add(p);
  }

  /** Makes a page dirty, starting from its clean page when cached (moved out of the LRU; copied if lent). */
  makeDirty(ino: number, page: number, beyondEof: boolean): DirtyPage {
    let pages = this.dirtyFiles.get(ino);
    if (!pages) this.dirtyFiles.set(ino, (pages = new Map()));
    let d = pages.get(page);
    if (d) return d;
    const k = key(ino, page);
    const clean = this.clean.get(k);
    this.clean.delete(k);
    // a page lent as a view is copied: what a reader holds never changes
    const data = clean && this.lent.has(clean) ? Buffer.from(clean) : clean;
    d = data ? { data, lo: 0, hi: 0, loaded: true, version: 0 } : { data: Buffer.alloc(this.pageSize), lo: 0, hi: 0, loaded: beyondEof, version: 0 };
    pages.set(page, d);
    this.dirtyCount++;
    return d;
  }

  /** Makes a page dirty with data (a whole page, kept as is: shared) in place of any cached copy. */
  adoptDirty(ino: number, page: number, data: Buffer): DirtyPage {
    this.dropRange(ino, page, page + 1);
    let pages = this.dirtyFiles.get(ino);
    if (!pages) this.dirtyFiles.set(ino, (pages = new Map()));
    const d: DirtyPage = { data, lo: 0, hi: this.pageSize, loaded: true, version: 0, shared: true };
    pages.set(page, d);
    this.dirtyCount++;
    return d;
  }

  /** Dirty pages of one file, by page index. */
  dirtyOf(ino: number): Map<number, DirtyPage> | undefined {
    return this.dirtyFiles.get(ino);
  }

  /** Files with dirty pages. */
  dirtyInodes(): number[] {
    return [...this.dirtyFiles.keys()];
  }

  /** Marks a flushed page clean: kept in the LRU when it holds the whole page, dropped otherwise. */
  markClean(ino: number, page: number, d: DirtyPage): void {
    const pages = this.dirtyFiles.get(ino);
    if (!pages || pages.get(page) !== d) return;
    pages.delete(page);
    this.dirtyCount--;
    if (pages.size === 0) this.dirtyFiles.delete(ino);
    if (d.loaded) this.setClean(ino, page, d.data);
  }

  /** Drops pages of a file at or after a page index (truncate), clean and dirty. */
  dropFrom(ino: number, fromPage: number): void {
    const pages = this.dirtyFiles.get(ino);
    if (pages) {
      for (const p of [...pages.keys()]) {
        if (p >= fromPage) {
          pages.delete(p);
          this.dirtyCount--;
        }
      }
      if (pages.size === 0) this.dirtyFiles.delete(ino);
    }
    for (const p of [...(this.cleanFiles.get(ino) ?? [])]) if (p >= fromPage) this.clean.delete(key(ino, p));
  }

  /** Drops pages [first, last) of a file, clean and dirty (a write that replaces them whole went straight to the nodes). */
  dropRange(ino: number, first: number, last: number): void {
    const pages = this.dirtyFiles.get(ino);
    for (let p = first; p < last; p++) {
      if (pages?.delete(p)) this.dirtyCount--;
      this.clean.delete(key(ino, p));
    }
    if (pages && pages.size === 0) this.dirtyFiles.delete(ino);
  }

  /** Drops every page of a file, dirty ones included (after a recall has flushed them, or a lost lease). */
  dropFile(ino: number): number {
    const lost = this.dirtyFiles.get(ino)?.size ?? 0;
    this.dirtyCount -= lost;
    this.dirtyFiles.delete(ino);
    this.dropClean(ino);
    return lost * this.pageSize;
  }

  /** Drops the clean pages of a file. */
  dropClean(ino: number): void {
    for (const p of [...(this.cleanFiles.get(ino) ?? [])]) this.clean.delete(key(ino, p));
  }

  /** True when some page of the file is cached. */
  holds(ino: number): boolean {
    if (this.dirtyFiles.has(ino)) return true;
    return this.cleanFiles.has(ino);
  }

  /** Bytes in dirty pages. */
  get dirtyBytes(): number {
    return this.dirtyCount * this.pageSize;
  }

  /** Counters for status. */
  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, cleanBytes: this.clean.calculatedSize, dirtyBytes: this.dirtyBytes };
  }
}

function key(ino: number, page: number): string {
  return `${ino}:${page}`;
}
