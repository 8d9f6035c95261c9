/** Typed errors inside mempool; converted to negative errno values at the FUSE edge. */

/** POSIX errno numbers (Linux) that mempool produces. */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  /** A chunk replica is not at the version the caller was told (it missed a change, or the caller's locations are old): locate again. */
  EL2NSYNC: 45,
  ENODATA: 61,
  EPROTO: 71,
  EOVERFLOW: 75,
  EOPNOTSUPP: 95,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTDOWN: 112,
  ESTALE: 116,
  EDQUOT: 122,
} as const;

export type ErrnoName = keyof typeof Errno;

const names = new Map<number, ErrnoName>((Object.keys(Errno) as ErrnoName[]).map((k) => [Errno[k], k]));

/** A file-system error carrying a POSIX errno; the one error type that crosses module and wire boundaries. */
export class FsError extends Error {
  readonly errno: number;
  readonly code: string;
  constructor(code: ErrnoName | number, message?: string) {
    const errno = typeof code === 'number' ? code : Errno[code];
    const name = names.get(errno) ?? `E${errno}`;
    // An errno is an answer, not a bug: no stack trace (capturing one costs more than serving a lookup that misses).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(!message ? name : message.startsWith(`${name}:`) ? message : `${name}: ${message}`);
    Error.stackTraceLimit = limit;
    this.errno = errno;
    this.code = name;
    this.name = 'FsError';
  }
}

/** Returns the errno for any thrown value: FsError's own, EIO for everything else. */
export function errnoOf(err: unknown): number {
  if (err instanceof FsError) return err.errno;
  const e = err as { errno?: unknown; code?: unknown } | null;
  if (e && typeof e.code === 'string' && e.code in Errno) return Errno[e.code as ErrnoName];
  return Errno.EIO;
}
