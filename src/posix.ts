/** POSIX (Linux) constants mempool speaks: open flags, file type bits, xattr and rename flags. Limits live in limits.ts. */

/** open(2) flags. */
export const O = { RDONLY: 0, WRONLY: 1, RDWR: 2, ACCMODE: 3, CREAT: 0o100, EXCL: 0o200, TRUNC: 0o1000, APPEND: 0o2000 } as const;

/** File type bits, as in st_mode. */
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

/** setxattr flag: fail with EEXIST if the attribute already exists. */
export const XATTR_CREATE = 1;
/** setxattr flag: fail with ENODATA if the attribute does not exist. */
export const XATTR_REPLACE = 2;
/** rename flag: fail with EEXIST if the destination exists. */
export const RENAME_NOREPLACE = 1;
/** rename flag: atomically swap source and destination (both must exist). */
export const RENAME_EXCHANGE = 2;

/** fallocate(2) modes mempool takes, as tmpfs: keep the size (reserve only), punch a hole (zeroes; needs KEEP_SIZE). */
export const FALLOC_FL_KEEP_SIZE = 1;
export const FALLOC_FL_PUNCH_HOLE = 2;

/** fcntl(2) lock types (struct flock l_type). */
export const F_RDLCK = 0;
export const F_WRLCK = 1;
export const F_UNLCK = 2;
/** flock(2) operations. */
export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;
/** The end of a byte-range lock that reaches to the end of the file (any length): the largest offset mempool keeps. */
export const LOCK_EOF = Number.MAX_SAFE_INTEGER;
