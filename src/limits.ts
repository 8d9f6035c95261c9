/** POSIX limits and mempool's own bounds, in one place: every layer (mount, client, wire, manager) checks against these. */

/** Largest file size and offset: the largest integer a JS number holds exactly (beyond it, EFBIG). */
export const MAX_FILE_SIZE = Number.MAX_SAFE_INTEGER;
/** Longest file name component, in bytes (NAME_MAX); names are bytes, any but NUL and '/'. */
export const NAME_MAX = 255;
/** Longest path argument or symlink target, in bytes (PATH_MAX minus the NUL); a mount's full paths may be longer. */
export const PATH_MAX = 4095;
/** Longest full path from the pool root carried on the wire, in bytes (deeper trees get ENAMETOOLONG, never a dropped link). */
export const WIRE_PATH_MAX = 4 * 1024 * 1024;
/** Longest xattr name, in bytes (XATTR_NAME_MAX). */
export const XATTR_NAME_MAX = 255;
/** Largest xattr value, in bytes (XATTR_SIZE_MAX). */
export const XATTR_SIZE_MAX = 65536;
/** Largest uid or gid (2^32 - 2: 2^32 - 1 is the "unchanged" marker of chown). */
export const ID_MAX = 0xfffffffe;
/** Most supplementary groups a request's credentials may carry (Linux NGROUPS_MAX); more is E2BIG. */
export const MAX_CRED_GROUPS = 65536;
/** The uid and gid a squashed root becomes (--squash-root): nobody / nogroup. */
export const NOBODY_ID = 65534;
/** Most client secrets a manager takes (each handshake tries every one; each node-access key is 43 characters in NodeAccess). */
export const MAX_CLIENT_SECRETS = 64;
/** Longest sealed NodeAccess value: the node-access keys of MAX_CLIENT_SECRETS client secrets, with room to spare. */
export const NODE_ACCESS_MAX = 16384;
/** chown's "leave unchanged" as the kernel passes it (and -1 as a program does). */
export const ID_UNCHANGED = 0xffffffff;
/** Largest st_mode (file type and permission bits). */
export const MODE_MAX = 0o177777;
/** Permission bits (chmod, mkdir). */
export const PERM_MAX = 0o7777;
/** Largest time in ms a file keeps (beyond it, EOVERFLOW): the largest integer a JS number holds exactly. */
export const TIME_MS_MAX = Number.MAX_SAFE_INTEGER;
/** Most chunks one Locate call may ask for. */
export const MAX_LOCATE = 4096;
/** Most directory entries one Readdir answer carries (names up to 255 bytes: a page stays far below the frame limit). */
export const READDIR_PAGE = 1000;
/** Most xattr names one Listxattr answer carries. */
export const LISTXATTR_PAGE = 1000;
/** Most clients one Status answer details. */
export const STATUS_CLIENTS_PAGE = 500;
/** Most inode numbers one lease heartbeat may carry. */
export const MAX_RENEW = 1 << 20;
/** Longest chunk key on a memory node ("ino:index"). */
export const CHUNK_KEY_MAX = 64;
/** Most chunk keys one ChunkDelete may carry. */
export const MAX_DELETE = 1 << 20;
/** Longest free-text field (names, ids, urls, error messages) in bytes. */
export const TEXT_MAX = 4096;
/** Largest chunk size a node accepts from a manager (also bounds every data frame). */
export const MAX_CHUNK_SIZE = 64 * 1024 * 1024;

/** The inode number of the pool's root directory (FUSE's root node id too). */
export const ROOT_INO = 1;

/** Longest chunk capability token a node accepts (a token is about 120 characters; past this, EACCES). */
export const CAP_MAX = 256;
/** Default lifetime of a chunk capability: twelve default lease terms, so a healthy client asks for a new one rarely. */
export const CAP_TTL_MS = 60_000;
/**
 * Clock skew a node tolerates past a capability's expiry, after correcting its clock by the offset it learns from
 * the manager's heartbeat replies (what is left: half a heartbeat round trip, and drift between heartbeats).
 */
export const CAP_SKEW_MS = 2_000;
/** Verified capabilities a node remembers (each is checked once by HMAC, then by a map lookup). */
export const CAP_CACHE = 16_384;

/**
 * After a restart or takeover: time beyond a lease's (or lock session's) term for its holder to reconnect and reclaim it
 * before the grace ends and unreclaimed holders are fenced (NFS's grace covers reconnection too; a loaded client took
 * longer than term + margin and lost its unflushed writes).
 */
export const RECLAIM_ALLOWANCE_MS = 10_000;
