/** The wire's messages: type numbers, and for each request its checks, reply and permitted senders. */
import {
  CAP_MAX,
  CHUNK_KEY_MAX,
  ID_MAX,
  ID_UNCHANGED,
  MAX_CHUNK_SIZE,
  MAX_DELETE,
  MAX_FILE_SIZE,
  MAX_CRED_GROUPS,
  MAX_LOCATE,
  MAX_RENEW,
  MODE_MAX,
  NODE_ACCESS_MAX,
  PATH_MAX,
  TEXT_MAX,
  TIME_MS_MAX,
  WIRE_PATH_MAX,
  XATTR_NAME_MAX,
} from '../src/limits';
import { bool, bytes, Check, def, empty, int, list, nullable, nullOr, obj, ObjCheck, oneOf, opt, str, tuple, uint } from './check';
import { Meta } from './frame';
import { O } from '../src/posix';

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
  // client -> manager: directory quotas (get also for operators, who change nothing)
  QuotaSet: 33,
  QuotaGet: 34,
  QuotaClear: 35,
  /** After a reconnection: the client's open handles, [ino, count] pairs, counted again (unlinked open files stay). */
  Reopen: 36,
  // client -> manager: data layout
  Locate: 40,
  Extend: 41,

  // client <-> manager: leases
  LeaseAcquire: 42,
  LeaseRenew: 43,
  LeaseRelease: 44,
  LeaseRecall: 45,
  AppendReserve: 46,
  LeaseReclaim: 47,

  // node -> manager
  NodeHeartbeat: 50,

  // client/manager -> node: chunk data
  ChunkRead: 60,
  ChunkWrite: 61,
  ChunkTruncate: 62,
  ChunkDelete: 63,
  NodeStats: 64,
  ChunkFence: 65,
  /** manager -> node, when the lease grace after a restart or takeover ends: refuse writes under any epoch below this one. */
  ChunkFenceBelow: 69,

  // client <-> manager: cluster-wide locks (flock and POSIX byte ranges)
  LockGet: 90,
  LockSet: 91,
  LockCancel: 92,
  LockRelease: 93,
  LockReclaim: 94,
  // client <-> manager: directory leases
  DirLeaseAcquire: 95,
  DirLeaseRenew: 96,
  DirLeaseRelease: 97,
  DirRecall: 98,

  // replicas that heal
  /** client -> manager: a replica of a chunk did not answer; the manager replaces it and answers the chunk's new replicas and version. */
  ReplicaDown: 100,
  /** manager -> node: sets a chunk's version (0: stale, its data freed and never served again). */
  ChunkVersion: 101,
  /** manager -> node: one page of the node's inventory (key, version, bytes), for orphan collection. */
  ChunkList: 102,
  /** operator -> manager: move every chunk off a memory node, then let it leave. */
  Drain: 103,
  /** manager -> node: the versions a node holds for some chunk keys (-1: not held), to reconcile a chunk map logged ahead of the nodes. */
  ChunkVersions: 104,

  // least privilege: roles
  /** manager -> node, over the node's link: the key clients prove to nodes (derived from the client secret), sealed for that link. */
  NodeAccess: 110,
} as const;

export type MsgType = (typeof Msg)[keyof typeof Msg];

const known = new Set<number>(Object.values(Msg));

/** True for a message type this version understands. */
export function isKnownType(type: number): boolean {
  return known.has(type);
}

/** Who is on the other end of a link, as declared in the handshake and proven by which secret it holds (client, node or operator secret; a manager proves the node secret to nodes). */
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
  /** A manager that stands by (another leads): it serves nothing, and names the leader's URL when it knows it. */
  standby?: boolean;
  /** The leading manager's URL, told by a standby. */
  leader?: string;
  /** The sender's identity key (base64 DER Ed25519, one per process): its id is bound to it, so another process cannot reuse a live id. */
  key?: string;
}

// ------------------------------------------------------------------ the typed message table

/** One request/reply pair: its type number, a check for each side, and the roles that may send the request (I: what a sender writes, Q: what a server gets). */
export interface Spec<Q extends Meta, R extends Meta, I extends Meta = Q> {
  readonly type: number;
  readonly req: ObjCheck<Q, I>;
  readonly res: Check<R>;
  readonly from: readonly Role[];
}

/** The checked request type of a spec (what a handler gets). */
export type ReqOf<S> = S extends Spec<infer Q, Meta, Meta> ? Q : never;
/** The reply type of a spec. */
export type ResOf<S> = S extends Spec<Meta, infer R, Meta> ? R : never;

function spec<Q extends Meta, R extends Meta, I extends Meta>(type: number, req: ObjCheck<Q, I>, res: Check<R>, from: readonly Role[]): Spec<Q, R, I> {
  return { type, req, res, from };
}

const CLIENT: readonly Role[] = ['client'];
const ANYONE: readonly Role[] = ['client', 'operator'];
const MANAGER: readonly Role[] = ['manager'];
const OPERATOR: readonly Role[] = ['operator'];

/** A full path from the pool root, as a byte string (unlimited in principle; past WIRE_PATH_MAX bytes, ENAMETOOLONG). */
const path = bytes(WIRE_PATH_MAX, 'ENAMETOOLONG');
/** An xattr name, as a byte string (past XATTR_NAME_MAX bytes, ERANGE as Linux answers). */
const xattrName = bytes(XATTR_NAME_MAX, 'ERANGE');
const ino = uint();
/** A file size or offset: negative is EINVAL, past the largest file size EFBIG. */
const fileSize = uint(MAX_FILE_SIZE, 'EINVAL', 'EFBIG');
/** A time in ms since the epoch, either side of it; past what a file keeps, EOVERFLOW. */
const timeMs = int(-TIME_MS_MAX, TIME_MS_MAX, 'EOVERFLOW');
/** The owner of a new file. */
const id = uint(ID_MAX);
/** chown's ids: -1 or 2^32-1 leave one unchanged. */
const chownId = int(-1, ID_UNCHANGED);
const mode = uint(MODE_MAX);
const flags = def(uint(0xffffffff), 0);
const epoch = opt(uint());
const text = str(TEXT_MAX, 'EINVAL');
const chunkKey = str(CHUNK_KEY_MAX, 'EINVAL');
const chunkLen = uint(MAX_CHUNK_SIZE);
/** A chunk capability token (src/security/capability.ts): one too long is no capability (EACCES). */
const cap = opt(str(CAP_MAX, 'EACCES'));
/** A paged answer's position: where the next page starts (absent on the last page). */
const next = opt(uint());
/** A paged request: where to start and how many at most (the server may send fewer). */
const page = { offset: def(uint(), 0), limit: opt(uint()) };

/** A lock owner: the kernel's lock_owner (a 64-bit number, as decimal text) or a handle id. */
const lockOwner = str(64, 'EINVAL');
/** A lock's type (F_RDLCK 0, F_WRLCK 1, F_UNLCK 2), its inclusive byte range and the pid that took it. */
const lockRange = { type: int(0, 2), start: uint(), end: uint(), pid: def(uint(0xffffffff), 0) };
/** A lock request: whose, which kind (flock: whole file) and what. */
const lockReq = { owner: lockOwner, flock: def(bool, false), ...lockRange };

/**
 * The caller's credentials, which any client request may carry as its `cred` field (the dispatcher checks it for every
 * message and hands it to the handler): the manager checks permissions with them and gives new files their ids.
 */
export const credCheck = obj({ uid: id, gid: id, groups: def(list(id, MAX_CRED_GROUPS), []) });

/** File attributes as the manager keeps them. */
export const attrCheck = obj({
  ino,
  mode,
  nlink: uint(),
  uid: uint(ID_UNCHANGED),
  gid: uint(ID_UNCHANGED),
  size: fileSize,
  rdev: uint(0xffffffff),
  atimeMs: timeMs,
  mtimeMs: timeMs,
  ctimeMs: timeMs,
});
const withAttr = obj({ attr: attrCheck });
/** A creating call's answer: the new entry's attributes, and its directory's after the change (when it still resolves). */
const withAttrs = obj({ attr: attrCheck, parent: opt(attrCheck) });
/** A removing call's answer: the directory's attributes after the change (when it still resolves). */
const withParent = obj({ parent: opt(attrCheck) });
const none = empty;

const statfs = obj({ capacity: uint(), used: uint(), free: uint(), files: uint(), maxFiles: opt(uint()), chunkSize: uint() });
/** A directory quota: limits (null: none) and the usage of its subtree. */
const quota = obj({ path, ino, bytes: nullOr(uint()), files: nullOr(uint()), usedBytes: uint(), usedFiles: uint() });
/** A memory node's usage figures (heartbeat and NodeStats). */
const nodeUsage = obj({ capacity: opt(uint()), used: uint(), allocated: uint(), chunks: uint() });
/** The only client figures the manager keeps and shows in status: bounded numbers, anything else is dropped. */
export const clientStatsCheck = obj({ hits: opt(uint()), misses: opt(uint()), cleanBytes: opt(uint()), dirtyBytes: opt(uint()) });
const clientStatus = obj({ id: text, name: text, connected: bool, leases: uint(), hits: opt(uint()), misses: opt(uint()), cleanBytes: opt(uint()), dirtyBytes: opt(uint()) });
const nodeStatus = obj({ id: text, url: text, capacity: uint(), used: uint(), allocated: uint(), chunks: uint(), alive: bool });
const status = obj({
  chunkSize: uint(),
  replicas: uint(),
  capacity: uint(),
  used: uint(),
  allocated: uint(),
  files: uint(),
  directories: uint(),
  chunks: uint(),
  clients: uint(),
  leases: obj({ held: uint(), recalls: uint(), expired: uint(), uncachedFiles: uint() }),
  repairs: uint(),
  quotas: opt(list(quota, 1 << 16)),
  /** Where the metadata is logged (journal, etcd and whether this manager leads), the last durable record, the epoch floor. */
  metadata: opt(
    obj({
      log: text,
      seq: uint(),
      epochFloor: uint(),
      revision: opt(text),
      leader: opt(text),
      standbys: opt(list(text, 64)),
      lastStart: opt(obj({ kind: oneOf('start', 'restart', 'takeover'), at: uint(), durationMs: uint(), records: uint(), previous: opt(text) })),
    }),
  ),
  clientDetails: list(clientStatus, 1 << 20),
  /** Where the next page of clientDetails starts (absent when every client was shown). */
  clientsNext: next,
  nodes: list(nodeStatus, 1 << 20),
  /** Chunks with fewer live replicas than the replication factor. */
  underReplicatedChunks: opt(uint()),
  /** Replicas that cannot be served: on nodes that are down, or found at a wrong version and not replaced yet. */
  staleReplicas: opt(uint()),
  /** Bytes on live nodes that no file references, found and not deleted yet. */
  orphanedBytes: opt(uint()),
  /** Re-replication: chunks waiting, being copied now, copies made and bytes copied so far. */
  repair: opt(obj({ pending: uint(), active: uint(), copies: uint(), bytesCopied: uint() })),
  /** Nodes being drained and the chunks each still holds. */
  drains: opt(list(obj({ node: text, chunks: uint() }), 1 << 16)),
});
/** Where a chunk lives and the version its replicas hold (absent from older managers). */
const location = obj({ index: uint(), replicas: list(text, 64), ver: opt(uint()) });

/**
 * Every message after the handshake (the handshake's own three are in Msg only). Servers register handlers by these
 * names; senders call with them; each side checks what it receives against the same spec.
 */
export const Api = {
  // client -> manager: namespace
  Getattr: spec(Msg.Getattr, obj({ path }), withAttr, CLIENT),
  GetattrIno: spec(Msg.GetattrIno, obj({ ino }), withAttr, CLIENT),
  Readdir: spec(Msg.Readdir, obj({ path, ...page }), obj({ entries: list(obj({ name: path, attr: attrCheck }), 1 << 20), next }), CLIENT),
  Mknod: spec(Msg.Mknod, obj({ path, mode, uid: id, gid: id, rdev: def(uint(0xffffffff), 0) }), withAttrs, CLIENT),
  Mkdir: spec(Msg.Mkdir, obj({ path, mode, uid: id, gid: id }), withAttrs, CLIENT),
  Symlink: spec(Msg.Symlink, obj({ target: bytes(PATH_MAX, 'ENAMETOOLONG'), path, uid: id, gid: id }), withAttrs, CLIENT),
  Readlink: spec(Msg.Readlink, obj({ path }), obj({ target: path }), CLIENT),
  Unlink: spec(Msg.Unlink, obj({ path }), withParent, CLIENT),
  Rmdir: spec(Msg.Rmdir, obj({ path }), withParent, CLIENT),
  Rename: spec(Msg.Rename, obj({ src: path, dst: path, flags }), none, CLIENT),
  Link: spec(Msg.Link, obj({ src: path, dst: path }), withAttrs, CLIENT),
  // killPriv: only clear SUID, and SGID with group exec, as a write or truncate by a writer does (mode ignored)
  Chmod: spec(Msg.Chmod, obj({ path, mode, killPriv: def(bool, false) }), withAttr, CLIENT),
  Chown: spec(Msg.Chown, obj({ path, uid: chownId, gid: chownId }), withAttr, CLIENT),
  // now: both times are the current time (touch), which write permission allows; explicit times need ownership
  Utimens: spec(Msg.Utimens, obj({ path, atimeMs: timeMs, mtimeMs: timeMs, now: def(bool, false) }), withAttr, CLIENT),
  Truncate: spec(Msg.Truncate, obj({ path: opt(path), ino: opt(ino), size: fileSize, cut: def(bool, false), epoch }), withAttr, CLIENT),
  Open: spec(Msg.Open, obj({ path, flags: uint(0xffffffff), mode: def(mode, 0o644), uid: def(id, 0), gid: def(id, 0) }), withAttrs, CLIENT),
  Release: spec(Msg.Release, obj({ ino }), none, CLIENT),
  // after a reconnection: the client's open handles, counted again (unlinked open files stay), by file, access mode
  // (O_ACCMODE) and the credentials they were opened with; the manager checks that access again (denied: not restored)
  Reopen: spec(
    Msg.Reopen,
    obj({ opens: list(obj({ ino, count: uint(1 << 20), accmode: def(uint(O.ACCMODE), 0), cred: opt(credCheck) }), 1 << 20) }),
    obj({ missing: list(ino, 1 << 20), denied: def(list(ino, 1 << 20), []) }),
    CLIENT,
  ),
  // the value travels as the frame's data
  Setxattr: spec(Msg.Setxattr, obj({ path, name: xattrName, flags }), none, CLIENT),
  Getxattr: spec(Msg.Getxattr, obj({ path, name: xattrName }), none, CLIENT),
  Listxattr: spec(Msg.Listxattr, obj({ path, ...page }), obj({ names: list(xattrName, 1 << 20), next }), CLIENT),
  Removexattr: spec(Msg.Removexattr, obj({ path, name: xattrName }), none, CLIENT),
  Statfs: spec(Msg.Statfs, none, statfs, ANYONE),
  // directory quotas: set and clear by clients (mempool quota, with the client secret), get by anyone; the operator role is read-only
  QuotaSet: spec(Msg.QuotaSet, obj({ path, bytes: nullable(uint()), files: nullable(uint()) }), obj({ quota }), CLIENT),
  QuotaGet: spec(Msg.QuotaGet, obj({ path }), obj({ quota: opt(quota) }), ANYONE),
  QuotaClear: spec(Msg.QuotaClear, obj({ path }), none, CLIENT),
  Status: spec(Msg.Status, obj({ clientsFrom: def(uint(), 0), clientsLimit: opt(uint()) }), status, ANYONE),

  // client -> manager: data layout
  Locate: spec(
    Msg.Locate,
    obj({ ino, first: uint(), count: uint(MAX_LOCATE), write: def(bool, false), epoch }),
    // cap: the capability for the chunks asked for (write only for the WRITE lease holder), valid capMs from its issue
    obj({ size: fileSize, chunks: list(location, MAX_LOCATE), nodes: list(obj({ id: text, url: text }), 1 << 16), free: uint(), gen: opt(uint()), cap, capMs: opt(uint()) }),
    CLIENT,
  ),
  // clamp: grow only as far as the directory quotas allow (the writer then cuts the rest and reports EDQUOT)
  Extend: spec(Msg.Extend, obj({ ino, end: fileSize, mtimeMs: opt(timeMs), epoch, clamp: def(bool, false) }), withAttr, CLIENT),

  // client <-> manager: leases
  LeaseAcquire: spec(
    Msg.LeaseAcquire,
    obj({ ino, mode: int(1, 2) }),
    // cap: with a WRITE lease, a write capability for every chunk of the file under the grant's epoch (valid capMs)
    obj({ mode: int(1, 2), cached: bool, epoch: uint(), termMs: uint(), continued: bool, attr: attrCheck, quotaEnd: opt(uint()), cap, capMs: opt(uint()) }),
    CLIENT,
  ),
  LeaseRenew: spec(Msg.LeaseRenew, obj({ inos: list(ino, MAX_RENEW), stats: opt(clientStatsCheck) }), obj({ lost: list(ino, MAX_RENEW) }), CLIENT),
  LeaseRelease: spec(Msg.LeaseRelease, obj({ ino }), none, CLIENT),
  LeaseRecall: spec(Msg.LeaseRecall, obj({ ino }), none, MANAGER),
  // after a reconnection: the leases the client held as [ino, mode] pairs, and the epoch each had (same order; its write-backs in
  // flight carry it and still land while the lease is held); those granted back come with their new epoch
  LeaseReclaim: spec(
    Msg.LeaseReclaim,
    obj({ leases: list(tuple(ino, int(1, 2)), MAX_RENEW), epochs: def(list(uint(), MAX_RENEW), []) }),
    obj({ granted: list(tuple(ino, uint()), MAX_RENEW) }),
    CLIENT,
  ),
  AppendReserve: spec(Msg.AppendReserve, obj({ ino, len: uint(MAX_FILE_SIZE, 'EINVAL', 'EFBIG'), epoch }), obj({ offset: fileSize }), CLIENT),

  // node -> manager
  // now: the manager's clock (ms since the epoch), from which nodes learn its offset to check capability expiry
  NodeHeartbeat: spec(Msg.NodeHeartbeat, nodeUsage, obj({ now: opt(uint()) }), ['node']),

  // client/manager -> node: chunk data (the data travels as the frame's data)
  // ver: the chunk version the caller was told; a replica at another version answers ESTALE (absent: no check)
  // cap: a client's capability for the chunk (EACCES without a valid one); the manager needs none
  ChunkRead: spec(Msg.ChunkRead, obj({ key: chunkKey, off: chunkLen, len: chunkLen, ver: opt(uint()), cap }), none, ['client', 'manager']),
  ChunkWrite: spec(Msg.ChunkWrite, obj({ key: chunkKey, off: chunkLen, epoch, ranges: opt(list(tuple(chunkLen, chunkLen), 65536, 'EINVAL')), ver: opt(uint()), cap }), obj({ free: opt(uint()) }), [
    'client',
    'manager',
  ]),
  ChunkTruncate: spec(Msg.ChunkTruncate, obj({ key: chunkKey, len: chunkLen }), none, MANAGER),
  ChunkDelete: spec(Msg.ChunkDelete, obj({ keys: list(chunkKey, MAX_DELETE) }), obj({ freed: uint() }), MANAGER),
  NodeStats: spec(Msg.NodeStats, none, nodeUsage, MANAGER),
  ChunkFence: spec(Msg.ChunkFence, obj({ ino, epoch: uint() }), none, MANAGER),
  ChunkFenceBelow: spec(Msg.ChunkFenceBelow, obj({ epoch: uint() }), none, MANAGER),

  // client <-> manager: cluster-wide locks. owner: the kernel's lock_owner (POSIX) or an open file description (flock).
  LockGet: spec(Msg.LockGet, obj({ ino, ...lockReq }), obj({ ...lockRange, client: opt(text), owner: opt(lockOwner) }), CLIENT),
  // wait: F_SETLKW (answered once granted: EINTR when cancelled by waitId, EDEADLK, ENOLCK past the waits one client may have)
  LockSet: spec(Msg.LockSet, obj({ ino, ...lockReq, wait: def(bool, false), waitId: opt(uint()) }), none, CLIENT),
  LockCancel: spec(Msg.LockCancel, obj({ waitId: uint() }), obj({ cancelled: bool }), CLIENT),
  // every lock of one owner on ino (flock: only that kind), of the client on ino, or (nothing named) of the client
  LockRelease: spec(Msg.LockRelease, obj({ ino: opt(ino), owner: opt(lockOwner), flock: opt(bool) }), none, CLIENT),
  // after a reconnection: the locks the client holds; lost lists the indexes of those not granted back
  LockReclaim: spec(Msg.LockReclaim, obj({ locks: list(obj({ ino, ...lockReq }), MAX_RENEW) }), obj({ lost: list(uint(), MAX_RENEW) }), CLIENT),

  // client <-> manager: directory leases (READ only): the holder answers lookups, stats and listings of the directory's entries itself.
  // The grant carries one page of the listing (offset: where it starts); uncached: entries whose attributes another client may be
  // changing (it holds their WRITE lease), which the holder must still ask for.
  DirLeaseAcquire: spec(
    Msg.DirLeaseAcquire,
    obj({ ino, ...page }),
    obj({ cached: bool, termMs: uint(), attr: attrCheck, entries: list(obj({ name: path, attr: attrCheck }), 1 << 20), next, uncached: list(path, 1 << 20) }),
    CLIENT,
  ),
  DirLeaseRenew: spec(Msg.DirLeaseRenew, obj({ inos: list(ino, MAX_RENEW) }), obj({ lost: list(ino, MAX_RENEW) }), CLIENT),
  DirLeaseRelease: spec(Msg.DirLeaseRelease, obj({ ino }), none, CLIENT),
  // names: the entries that changed (absent: anything in the directory, attributes included); gone: those of them that no longer exist
  DirRecall: spec(Msg.DirRecall, obj({ ino, names: opt(list(path, 1 << 16)), gone: opt(list(path, 1 << 16)) }), none, MANAGER),

  // replicas that heal
  ReplicaDown: spec(
    Msg.ReplicaDown,
    obj({ ino, index: uint(), node: text, ver: uint(), epoch }),
    obj({ replicas: list(text, 64), ver: uint(), nodes: list(obj({ id: text, url: text }), 64) }),
    CLIENT,
  ),
  ChunkVersion: spec(Msg.ChunkVersion, obj({ key: chunkKey, ver: uint() }), none, MANAGER),
  ChunkList: spec(Msg.ChunkList, obj({ ...page }), obj({ chunks: list(obj({ key: chunkKey, ver: uint(), bytes: uint() }), 1 << 20), next }), MANAGER),
  // the operator's one action: it moves chunks between nodes and changes no file (status, statfs and quota get are its reads)
  Drain: spec(Msg.Drain, obj({ node: text }), obj({ chunks: uint() }), OPERATOR),
  ChunkVersions: spec(Msg.ChunkVersions, obj({ keys: list(chunkKey, MAX_DELETE) }), obj({ vers: list(int(-1, Number.MAX_SAFE_INTEGER), MAX_DELETE) }), MANAGER),
  // sealed: the node-access keys (one per client secret), encrypted and authenticated under the link's session key (transport/auth.ts sealNodeAccess)
  NodeAccess: spec(Msg.NodeAccess, obj({ sealed: str(NODE_ACCESS_MAX, 'EINVAL') }), none, MANAGER),
} as const;

export type ApiName = keyof typeof Api;

/** Calls that change the manager's state: a client sends them with a request id, and the manager applies each id once. */
export const ONCE = new Set<number>([
  Msg.Mknod,
  Msg.Mkdir,
  Msg.Symlink,
  Msg.Unlink,
  Msg.Rmdir,
  Msg.Rename,
  Msg.Link,
  Msg.Chmod,
  Msg.Chown,
  Msg.Utimens,
  Msg.Truncate,
  Msg.Open,
  Msg.Setxattr,
  Msg.Removexattr,
  Msg.Extend,
  Msg.AppendReserve,
]);

/** Calls a client may simply send again after a dropped link: they change nothing (a lease granted twice to one client is one lease, a replica reported twice is replaced once). */
export const READ_ONLY = new Set<number>([Msg.Getattr, Msg.GetattrIno, Msg.Readdir, Msg.Readlink, Msg.Getxattr, Msg.Listxattr, Msg.Statfs, Msg.Status, Msg.Locate, Msg.LeaseAcquire, Msg.ReplicaDown]);

const byType = new Map<number, Spec<Meta, Meta, Meta>>(Object.values(Api).map((s) => [s.type, s as Spec<Meta, Meta, Meta>]));

/** The spec of a message type, or undefined (the handshake's types, unknown numbers). */
export function specOf(type: number): Spec<Meta, Meta, Meta> | undefined {
  return byType.get(type);
}
