/** Data shapes shared by manager, memory nodes and clients (and carried as JSON metadata on the wire). */

/** File attributes as the manager keeps them; times in milliseconds since the epoch (may be negative). */
export interface Attr {
  ino: number;
  /** File type and permission bits, as in st_mode. */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  /** Device number for character and block special files. */
  rdev: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** Who makes a request: its (file-system) user and group ids and its supplementary groups, as the kernel checks permissions. */
export interface Cred {
  uid: number;
  gid: number;
  groups: readonly number[];
}

/** One directory entry with its attributes (readdir answers both, saving a round trip per name). */
export interface DirEntry {
  name: string;
  attr: Attr;
}

/** Pool capacity as `df` shows it, in bytes and inodes. */
export interface StatFs {
  capacity: number;
  used: number;
  free: number;
  files: number;
  /** Most inodes the manager allows (its --max-files), when limited. */
  maxFiles?: number;
  chunkSize: number;
}

/** Where one chunk of a file lives: its index in the file and the memory nodes holding a replica. */
export interface ChunkLocation {
  index: number;
  /** Node ids, empty for a chunk never written (a hole). */
  replicas: string[];
  /** The version every replica holds (absent from managers before versions). */
  ver?: number;
}

/** A memory node as the manager advertises it to clients. */
export interface NodeInfo {
  id: string;
  url: string;
}

/** Per-node figures reported by `mempool status`. */
export interface NodeStatus extends NodeInfo {
  capacity: number;
  used: number;
  allocated: number;
  chunks: number;
  alive: boolean;
}

/** What `mempool status --json` prints. */
export interface PoolStatus {
  chunkSize: number;
  replicas: number;
  capacity: number;
  used: number;
  allocated: number;
  files: number;
  directories: number;
  /** Chunk copies held by the live memory nodes (each replica counts). */
  chunks: number;
  clients: number;
  /** Lease counters: held now, recalls and expiries so far, files in uncached mode. */
  leases: { held: number; recalls: number; expired: number; uncachedFiles: number };
  /** Chunk copies made to restore the replication factor after memory nodes died. */
  repairs: number;
  /** Directory quotas: limits (null: none) and usage of each quota root. */
  quotas?: QuotaStatus[];
  /** Where the metadata is logged ("volatile": nowhere), the last durable record, and the epoch floor of this manager run. */
  metadata?: MetadataStatus;
  /** Each client with its leases and the cache figures of its last heartbeat. */
  clientDetails: ClientStatus[];
  /** Where the next page of clientDetails starts; absent when every client is shown. */
  clientsNext?: number;
  nodes: NodeStatus[];
  /** Chunks with fewer live replicas than the replication factor. */
  underReplicatedChunks?: number;
  /** Replicas that cannot be served: on nodes that are down, or found at a wrong version and not replaced yet. */
  staleReplicas?: number;
  /** Bytes on live nodes that no file references, found and not deleted yet. */
  orphanedBytes?: number;
  /** Re-replication: chunks waiting, being copied now, copies made and bytes copied so far. */
  repair?: { pending: number; active: number; copies: number; bytesCopied: number };
  /** Nodes being drained and the chunks each still holds. */
  drains?: Array<{ node: string; chunks: number }>;
}

/** How this manager came to serve: a fresh start, a restart that replayed its journal, or a standby's takeover on etcd. */
export interface StartInfo {
  kind: 'start' | 'restart' | 'takeover';
  /** When it began serving (ms since the epoch). */
  at: number;
  /**
   * restart: from the process start to serving (replay included); takeover: from the moment this standby saw the old
   * leader's etcd key go (its lease ran out or it resigned) to serving.
   */
  durationMs: number;
  /** Records applied at the start (replayed from the journal, or caught up with by the standby). */
  records: number;
  /** takeover: the leader this manager replaced, as it advertised itself. */
  previous?: string;
}

/** The metadata log as status shows it. */
export interface MetadataStatus {
  log: string;
  /** Seq of the last durable record. */
  seq: number;
  epochFloor: number;
  /** etcd: the revision of the last append (the log head's mod revision). */
  revision?: string;
  /** etcd: the leading manager's URL and the standbys' (in campaign order: the first takes over next). */
  leader?: string;
  standbys?: string[];
  /** How this manager came to serve (its last start or takeover). */
  lastStart?: StartInfo;
}

/** The figures a client reports with its lease heartbeat: a fixed set of bounded numbers. */
export interface ClientStats {
  hits?: number;
  misses?: number;
  cleanBytes?: number;
  dirtyBytes?: number;
}

/** One directory quota as `mempool status` and `mempool quota get` show it. */
export interface QuotaStatus {
  path: string;
  ino: number;
  bytes: number | null;
  files: number | null;
  usedBytes: number;
  usedFiles: number;
}

/** One client as `mempool status` shows it. */
export interface ClientStatus extends ClientStats {
  id: string;
  name: string;
  connected: boolean;
  leases: number;
  hits?: number;
  misses?: number;
  cleanBytes?: number;
  dirtyBytes?: number;
}

/** Chunk key on a memory node: the file's never-reused inode number, the chunk index and the file's key generation (0: none, an older key). */
export function chunkKey(ino: number, index: number, gen = 0): string {
  return gen ? `${ino}:${index}:${gen}` : `${ino}:${index}`;
}

/** The parts of a chunk key, or null for a key this version did not make. */
export function parseChunkKey(key: string): { ino: number; index: number; gen: number } | null {
  const m = /^(\d{1,16}):(\d{1,16})(?::(\d{1,10}))?$/.exec(key);
  if (!m) return null;
  return { ino: Number(m[1]), index: Number(m[2]), gen: m[3] === undefined ? 0 : Number(m[3]) };
}
