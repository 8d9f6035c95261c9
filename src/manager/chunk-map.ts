/** Which memory nodes hold each chunk of each file: the manager's record of placement. */

/** The chunk map as a snapshot holds it: [ino, [[index, replicas], ...]] per file. */
export type ChunkMapImage = Array<[number, Array<[number, string[]]>]>;

/** Replica lists by file inode and chunk index. */
export class ChunkMap {
  private readonly files = new Map<number, Map<number, string[]>>();
  private total = 0;

  /** Replica node ids of one chunk, or undefined for a chunk never placed (a hole). */
  get(ino: number, index: number): string[] | undefined {
    return this.files.get(ino)?.get(index);
  }

  /** Records where a chunk lives. */
  set(ino: number, index: number, replicas: string[]): void {
    let chunks = this.files.get(ino);
    if (!chunks) this.files.set(ino, (chunks = new Map()));
    if (!chunks.has(index)) this.total++;
    chunks.set(index, replicas);
  }

  /** Forgets every chunk of a file and returns them (to delete their data on the nodes). */
  drop(ino: number): Map<number, string[]> {
    const chunks = this.files.get(ino) ?? new Map<number, string[]>();
    this.files.delete(ino);
    this.total -= chunks.size;
    return chunks;
  }

  /** The placed chunks of a file with index >= from (for truncation). */
  from(ino: number, from: number): Array<[number, string[]]> {
    return [...(this.files.get(ino) ?? [])].filter(([index]) => index >= from);
  }

  /** Number of placed chunks in the pool. */
  get count(): number {
    return this.total;
  }

  /** Calls fn for every placed chunk. */
  forEach(fn: (ino: number, index: number, replicas: string[]) => void): void {
    for (const [ino, chunks] of this.files) for (const [index, replicas] of chunks) fn(ino, index, replicas);
  }

  /** Calls fn for every chunk placed on a node (for status and re-replication). */
  forEachOnNode(nodeId: string, fn: (ino: number, index: number, replicas: string[]) => void): void {
    for (const [ino, chunks] of this.files) {
      for (const [index, replicas] of chunks) if (replicas.includes(nodeId)) fn(ino, index, replicas);
    }
  }

  /** Every placed chunk as plain data. */
  exportImage(): ChunkMapImage {
    return [...this.files].map(([ino, chunks]): [number, Array<[number, string[]]>] => [ino, [...chunks]]);
  }

  /** Replaces the whole map with an exported image. */
  importImage(image: ChunkMapImage): void {
    this.files.clear();
    this.total = 0;
    for (const [ino, chunks] of image) {
      this.files.set(ino, new Map(chunks));
      this.total += chunks.length;
    }
  }
}
