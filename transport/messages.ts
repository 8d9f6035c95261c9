/** Message type numbers: one per RPC. Unknown numbers close the connection. */
export const Msg = {
  // handshake (before any other frame)
  AuthChallenge: 1,
  AuthResponse: 2,
  AuthResult: 3,

  // client -> manager: namespace
  Getattr: 10,
  GetattrIno: 11,
  Readdir: 12,
  Mknod: 13,
  Mkdir: 14,
  Symlink: 15,
  Readlink: 16,
  Unlink: 17,
  Rmdir: 18,
  Rename: 19,
  Link: 20,
  Chmod: 21,
  Chown: 22,
  Utimens: 23,
  Truncate: 24,
  Open: 25,
  Release: 26,
  Setxattr: 27,
  Getxattr: 28,
  Listxattr: 29,
  Removexattr: 30,
  Statfs: 31,
  Status: 32,
  /** After a reconnection: the client's open handles, [ino, count] pairs, counted again (unlinked open files stay). */
  Reopen: 33,
  // client -> manager: data layout
  Locate: 40,
  Extend: 41,

  // client <-> manager: leases
  LeaseAcquire: 42,
  LeaseRenew: 43,
  LeaseRelease: 44,
  LeaseRecall: 45,
  AppendReserve: 46,

  // node -> manager
  NodeHeartbeat: 50,

  // client/manager -> node: chunk data
  ChunkRead: 60,
  ChunkWrite: 61,
  ChunkTruncate: 62,
  ChunkDelete: 63,
  NodeStats: 64,
  ChunkFence: 65,
} as const;

export type MsgType = (typeof Msg)[keyof typeof Msg];

const known = new Set<number>(Object.values(Msg));

/** True for a message type this version understands. */
export function isKnownType(type: number): boolean {
  return known.has(type);
}

/** Who is on the other end of a link, as declared (and proven by the secret) in the handshake. */
export type Role = 'client' | 'node' | 'manager' | 'operator';

/** What a connecting peer says about itself in the handshake. */
export interface Hello {
  role: Role;
  /** Stable id of a memory node or client. */
  id?: string;
  /** A memory node's URL for chunk traffic. */
  url?: string;
  /** A memory node's capacity in bytes. */
  capacity?: number;
  /** Human-readable name (host name, mount point). */
  name?: string;
  /** The pool's chunk size, announced by the manager. */
  chunkSize?: number;
}
