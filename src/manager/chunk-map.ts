/** Which memory nodes hold each chunk of each file, at which version: the manager's record of placement. */

/** One chunk as recorded: its replicas and the version every one of them holds (a replica at another version is stale). */
export interface ChunkRecord {
  replicas: string[];
  ver: number;
}

/** The chunk map as a snapshot holds it: [ino, [[index, replicas, version], ...], generation] per file (older snapshots lack versions and generations). */
export type ChunkMapImage = Array<[number, Array<[number, string[], number]>, number]>;

/** One file's chunks and the generation its chunk keys carry. */
interface FileChunks {
  gen: number;
  chunks: Map<number, ChunkRecord>;
}

/** Replica lists and versions by file inode and chunk index. */
export class ChunkMap {
  private readonly files = new Map<number, FileChunks>();
  private total = 0;

  /** Replica node ids of one chunk, or undefined for a chunk never placed (a hole); the same array until the chunk is set again. */
  get(ino: number, index: number): string[] | undefined {
    return this.files.get(ino)?.chunks.get(index)?.replicas;
  }

  /** Replicas and version of one chunk. */
  record(ino: number, index: number): ChunkRecord | undefined {
    return this.files.get(ino)?.chunks.get(index);
  }

  /** The generation a file's chunk keys carry (0: none placed yet, or placed before generations existed). */
  genOf(ino: number): number {
    return this.files.get(ino)?.gen ?? 0;
  }

  /** Records where a chunk lives and its version (default: the version it had, or 1); gen names a new file's generation. */
  set(ino: number, index: number, replicas: string[], ver?: number, gen = 0): void {
    let file = this.files.get(ino);
    if (!file) this.files.set(ino, (file = { gen, chunks: new Map() }));
    const old = file.chunks.get(index);
    if (!old) this.total++;
    file.chunks.set(index, { replicas, ver: ver ?? old?.ver ?? 1 });
  }

  /** Forgets every chunk of a file and returns them (to delete their data on the nodes). */
  drop(ino: number): Map<number, string[]> {
    const file = this.files.get(ino);
    this.files.delete(ino);
    const out = new Map<number, string[]>();
    if (!file) return out;
    this.total -= file.chunks.size;
    for (const [index, r] of file.chunks) out.set(index, r.replicas);
    return out;
  }

  /** The placed chunks of a file with index >= from (for truncation). */
  from(ino: number, from: number): Array<[number, string[]]> {
    const out: Array<[number, string[]]> = [];
    for (const [index, r] of this.files.get(ino)?.chunks ?? []) if (index >= from) out.push([index, r.replicas]);
    return out;
  }

  /** Number of placed chunks in the pool. */
  get count(): number {
    return this.total;
  }

  /** Calls fn for every placed chunk. */
  forEach(fn: (ino: number, index: number, replicas: string[], ver: number) => void): void {
    for (const [ino, file] of this.files) for (const [index, r] of file.chunks) fn(ino, index, r.replicas, r.ver);
  }

  /** Calls fn for every chunk placed on a node (for status and re-replication). */
  forEachOnNode(nodeId: string, fn: (ino: number, index: number, replicas: string[]) => void): void {
    for (const [ino, file] of this.files) {
      for (const [index, r] of file.chunks) if (r.replicas.includes(nodeId)) fn(ino, index, r.replicas);
    }
  }

  /** Every placed chunk as plain data. */
  exportImage(): ChunkMapImage {
    return [...this.files].map(([ino, file]): [number, Array<[number, string[], number]>, number] => [
      ino,
      [...file.chunks].map(([index, r]): [number, string[], number] => [index, r.replicas, r.ver]),
      file.gen,
    ]);
  }

  /** Replaces the whole map with an exported image (older images without versions or generations read as version 1, generation 0). */
  importImage(image: ChunkMapImage): void {
    this.files.clear();
    this.total = 0;
    for (const [ino, chunks, gen] of image) {
      const old = (n: number | undefined, dflt: number) => n ?? dflt; // absent in snapshots written before versions
      this.files.set(ino, { gen: old(gen, 0), chunks: new Map(chunks.map(([index, replicas, ver]) => [index, { replicas, ver: old(ver, 1) }])) });
      this.total += chunks.length;
    }
  }
}
