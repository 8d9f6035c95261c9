/**
 * The operation records of the manager's state machine: every change to the namespace, the chunk map, the
 * fencing epochs and the counters is one of these, applied by MetaState.apply and appended to the MetaLog.
 * Everything nondeterministic (the time) travels in the record, so replay rebuilds the same state.
 */
import type { Json } from '../log/meta-log';

/** Time-stamped namespace changes (now: the manager's clock when the change was made, ms). */
export type NamespaceOp =
  | { op: 'mknod'; path: string; mode: number; uid: number; gid: number; rdev: number; now: number }
  | { op: 'mkdir'; path: string; mode: number; uid: number; gid: number; now: number }
  | { op: 'symlink'; target: string; path: string; uid: number; gid: number; now: number }
  | { op: 'link'; src: string; dst: string; now: number }
  | { op: 'unlink'; path: string; now: number }
  | { op: 'rmdir'; path: string; now: number }
  | { op: 'rename'; src: string; dst: string; flags: number; now: number }
  | { op: 'chmod'; path: string; mode: number; now: number }
  | { op: 'chown'; path: string; uid: number; gid: number; now: number }
  | { op: 'utimens'; path: string; atimeMs: number; mtimeMs: number; now: number }
  | { op: 'setSize'; ino: number; size: number; now: number }
  | { op: 'extend'; ino: number; end: number; mtimeMs: number | null; now: number }
  | { op: 'setxattr'; path: string; name: string; value: string; flags: number; now: number }
  | { op: 'removexattr'; path: string; name: string; now: number }
  /** Sets a directory's quota (a limit absent keeps its value, null removes it). */
  | { op: 'setQuota'; path: string; bytes?: number | null; files?: number | null }
  | { op: 'clearQuota'; path: string }
  /** Frees an inode that lost its last link and that nobody has open any more. */
  | { op: 'free'; ino: number };

/** Chunk placement, epochs and lifecycle. */
export type MetaOp =
  | NamespaceOp
  /** Records where one chunk lives and the version its replicas hold (absent: unchanged, or 1); gen: a new file's key generation. */
  | { op: 'chunk'; ino: number; index: number; replicas: string[]; ver?: number; gen?: number }
  /** A memory node starts (on) or stops being drained: no new replica goes there, and every one it holds moves elsewhere. */
  | { op: 'drain'; node: string; on: boolean }
  /** Forgets every chunk of a file. */
  | { op: 'dropChunks'; ino: number }
  /** A fencing epoch was handed out (a silent writer was fenced): later starts begin above it. */
  | { op: 'epoch'; epoch: number }
  /** A manager started on this state: raises the epoch floor above every epoch handed out before. */
  | { op: 'start'; now: number }
  /** The reply to a client's request id (client id + rid): a retry of it gets this reply instead of running again. */
  | { op: 'reply'; key: string; reply: string };

/** The operation names, for checking records read back from a log. */
const NAMES = new Set<string>([
  'mknod',
  'mkdir',
  'symlink',
  'link',
  'unlink',
  'rmdir',
  'rename',
  'chmod',
  'chown',
  'utimens',
  'setSize',
  'extend',
  'setxattr',
  'removexattr',
  'setQuota',
  'clearQuota',
  'free',
  'chunk',
  'dropChunks',
  'drain',
  'epoch',
  'start',
  'reply',
]);

/** A record read back from a log as an operation; throws on anything that is not one (a log this version cannot read). */
export function toOp(j: Json): MetaOp {
  if (j === null || typeof j !== 'object' || Array.isArray(j) || typeof j.op !== 'string' || !NAMES.has(j.op)) {
    throw new Error(`not a mempool operation record: ${JSON.stringify(j).slice(0, 200)}`);
  }
  return j as MetaOp;
}
