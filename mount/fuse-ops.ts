/**
 * The fuse-native operations of a mempool mount: each FUSE op becomes one or
 * a few PoolClient calls, and each error a negative errno. No file-system
 * logic lives here beyond what the kernel expects of a FUSE file system
 * (owner of new files, setgid directories, '.' and '..' in readdir).
 */
import { posix } from 'path';
import { Errno, FsError } from '../src/errors';
import { Owner, PoolClient } from '../src/client/pool-client';
import { O, S_IFDIR, S_IFMT } from '../src/posix';
import { Attr, StatFs } from '../src/types';
import { NAME_MAX } from '../src/limits';
import { callerContext, FhPath, FuseOps, FuseStat, FuseStatfs } from './fuse-binding';

/** statfs block size: the kernel's fields are 32-bit, so 4 KiB blocks cover 16 TiB. */
export const STATFS_BSIZE = 4096;
const UINT32_MAX = 0xffffffff;
/** xattr namespaces tmpfs supports (others: EOPNOTSUPP, as on tmpfs). */
const XATTR_PREFIXES = ['user.', 'trusted.', 'security.'];

/** Where the ops report errors that are not file-system errors (bugs, lost links). */
export type OpLogger = (message: string) => void;

/** Hooks the mount layer offers the layers above it. */
export interface FuseOpsOptions {
  log?: OpLogger;
  /** Called by flush (close of a descriptor); the place to push dirty pages once the page cache exists. */
  onFlush?: (fh: number) => Promise<void>;
}

/** fuse-native stat from a pool attribute (times in ms, may be negative). */
export function toFuseStat(a: Attr): FuseStat {
  return {
    mode: a.mode,
    uid: a.uid,
    gid: a.gid,
    size: a.size,
    nlink: a.nlink,
    ino: a.ino,
    rdev: a.rdev,
    blksize: STATFS_BSIZE,
    blocks: Math.ceil(a.size / 512),
    atime: a.atimeMs,
    mtime: a.mtimeMs,
    ctime: a.ctimeMs,
  };
}

/** statfs answer from the pool's capacity, in 4 KiB blocks (the kernel's fields are 32-bit). */
export function toFuseStatfs(s: StatFs): FuseStatfs {
  const clamp = (n: number) => Math.max(0, Math.min(UINT32_MAX, Math.floor(n)));
  const blocks = clamp(s.capacity / STATFS_BSIZE);
  const free = Math.min(blocks, clamp(s.free / STATFS_BSIZE));
  // the manager's --max-files when set (as tmpfs's nr_inodes), else plenty, shrinking as files are created
  const files = Math.min(0x7fffffff, s.maxFiles ?? 0x7fffffff);
  const ffree = clamp(files - s.files);
  return { bsize: STATFS_BSIZE, frsize: STATFS_BSIZE, blocks, bfree: free, bavail: free, files, ffree, favail: ffree, fsid: 0, flag: 0, namemax: NAME_MAX };
}

/** Builds the fuse-native ops object of a mount over client. */
export function createFuseOps(client: PoolClient, opts: FuseOpsOptions = {}): FuseOps {
  // The kernel's names are bytes and the binding hands them over as byte strings: the client must pass them through.
  if (client.names !== 'bytes') throw new Error("a mount's PoolClient must be connected with names: 'bytes'");
  const log = opts.log ?? ((m: string) => console.error(m));

  /** Runs an async op and answers the kernel: 0/value on success, -errno on failure. */
  function run<T>(op: string, what: FhPath | number, work: () => Promise<T>, done: (value: T) => void, fail: (errno: number) => void): void {
    let p: Promise<T>;
    try {
      p = work();
    } catch (err) {
      fail(-errnoFor(op, what, err));
      return;
    }
    p.then(done, (err: unknown) => fail(-errnoFor(op, what, err)));
  }

  function errnoFor(op: string, what: FhPath | number, err: unknown): number {
    if (err instanceof FsError) {
      if (err.errno === Errno.EIO || err.errno === Errno.ETIMEDOUT || err.errno === Errno.EPROTO) log(`mempool: ${op} ${what}: ${err.message}`);
      return err.errno;
    }
    log(`mempool: ${op} ${what}: unexpected error: ${(err as Error)?.stack ?? String(err)}`);
    return Errno.EIO;
  }

  /** Simple result ops: cb(0) or cb(-errno). */
  function plain(op: string, what: FhPath | number, work: () => Promise<unknown>, cb: (r: number) => void): void {
    run(op, what, work, () => cb(0), cb);
  }

  /** The caller's ids; call synchronously at the start of an op. */
  function caller(): Owner {
    const c = callerContext();
    return { uid: c.uid, gid: c.gid };
  }

  function nameTooLong(path: string): boolean {
    return posix.basename(path).length > NAME_MAX; // a byte string: one char per byte
  }

  return {
    init(cb) {
      cb(0);
    },

    statfs(_path, cb) {
      run(
        'statfs',
        '/',
        () => client.statfs(),
        (s) => cb(0, toFuseStatfs(s)),
        cb,
      );
    },

    getattr(path, cb) {
      run(
        'getattr',
        path,
        () => client.getattr(path),
        (a) => cb(0, toFuseStat(a)),
        cb,
      );
    },

    fgetattr(path, fh, cb) {
      run(
        'fgetattr',
        path ?? fh,
        () => (fh !== 0 || path === null ? client.fgetattr(fh) : client.getattr(path)),
        (a) => cb(0, toFuseStat(a)),
        cb,
      );
    },

    // With default_permissions the kernel checks permissions itself; access only needs the file to exist.
    access(path, _mode, cb) {
      plain('access', path, () => client.getattr(path), cb);
    },

    opendir(path, _flags, cb) {
      run(
        'opendir',
        path,
        () => client.getattr(path),
        (a) => ((a.mode & S_IFMT) === S_IFDIR ? cb(0, 0) : cb(-Errno.ENOTDIR)),
        cb,
      );
    },

    readdir(path, cb) {
      if (path === null) {
        cb(0, ['.', '..']); // an open directory that was removed: it is empty
        return;
      }
      const parent = posix.dirname(path);
      run(
        'readdir',
        path,
        () => Promise.all([client.readdir(path), client.getattr(path), path === '/' ? null : client.getattr(parent)]),
        ([entries, self, up]) => {
          const names = ['.', '..'];
          const stats = [toFuseStat(self), toFuseStat(up ?? self)];
          for (const e of entries) {
            names.push(e.name);
            stats.push(toFuseStat(e.attr));
          }
          cb(0, names, stats);
        },
        cb,
      );
    },

    releasedir(_path, _fh, cb) {
      cb(0);
    },

    fsyncdir(_path, _datasync, _fh, cb) {
      cb(0);
    },

    create(path, mode, cb, flags) {
      const who = caller();
      if (nameTooLong(path)) return cb(-Errno.ENAMETOOLONG);
      // The kernel already applied the umask; without the patched binding's flags assume O_RDWR.
      const openFlags = ((flags ?? O.RDWR) | O.CREAT) >>> 0;
      run(
        'create',
        path,
        // The manager gives the entry a setgid parent's group, as tmpfs does.
        () => client.open(path, openFlags, mode & 0o7777, who),
        (fh) => cb(0, fh),
        cb,
      );
    },

    open(path, flags, cb) {
      run(
        'open',
        path,
        () => client.open(path, flags),
        (fh) => cb(0, fh),
        cb,
      );
    },

    read(path, fh, buf, len, pos, cb) {
      run(
        'read',
        path ?? fh,
        () => client.read(fh, pos, len),
        (data) => {
          const n = Math.min(data.length, len);
          data.copy(buf, 0, 0, n);
          cb(n);
        },
        cb,
      );
    },

    write(path, fh, buf, len, pos, cb) {
      // PoolClient copies the data into its frame before answering, so buf may be used directly.
      run(
        'write',
        path ?? fh,
        () => client.write(fh, pos, len === buf.length ? buf : buf.subarray(0, len)),
        (n) => cb(n),
        cb,
      );
    },

    flush(path, fh, cb) {
      plain('flush', path ?? fh, () => (opts.onFlush ? opts.onFlush(fh) : Promise.resolve()), cb);
    },

    fsync(path, _datasync, fh, cb) {
      plain('fsync', path ?? fh, () => client.fsync(fh), cb);
    },

    release(path, fh, cb) {
      plain('release', path ?? fh, () => client.release(fh), cb);
    },

    truncate(path, size, cb) {
      plain('truncate', path, () => client.truncate(path, size), cb);
    },

    ftruncate(path, fh, size, cb) {
      plain('ftruncate', path ?? fh, () => (fh !== 0 || path === null ? client.ftruncate(fh, size) : client.truncate(path, size)), cb);
    },

    mkdir(path, mode, cb) {
      const who = caller();
      if (nameTooLong(path)) return cb(-Errno.ENAMETOOLONG);
      plain('mkdir', path, () => client.mkdir(path, mode & 0o7777, who), cb);
    },

    rmdir(path, cb) {
      plain('rmdir', path, () => client.rmdir(path), cb);
    },

    unlink(path, cb) {
      plain('unlink', path, () => client.unlink(path), cb);
    },

    rename(src, dest, cb) {
      if (nameTooLong(dest)) return cb(-Errno.ENAMETOOLONG);
      plain('rename', src, () => client.rename(src, dest), cb);
    },

    link(existing, newPath, cb) {
      if (nameTooLong(newPath)) return cb(-Errno.ENAMETOOLONG);
      plain('link', newPath, () => client.link(existing, newPath), cb);
    },

    symlink(target, path, cb) {
      const who = caller();
      if (nameTooLong(path)) return cb(-Errno.ENAMETOOLONG);
      plain('symlink', path, () => client.symlink(target, path, who), cb);
    },

    readlink(path, cb) {
      run(
        'readlink',
        path,
        () => client.readlink(path),
        (t) => cb(0, t),
        cb,
      );
    },

    mknod(path, mode, dev, cb) {
      const who = caller();
      if (nameTooLong(path)) return cb(-Errno.ENAMETOOLONG);
      plain('mknod', path, () => client.mknod(path, mode, dev, who), cb);
    },

    chmod(path, mode, cb) {
      plain('chmod', path, () => client.chmod(path, mode), cb);
    },

    chown(path, uid, gid, cb) {
      plain('chown', path, () => client.chown(path, uid, gid), cb);
    },

    utimens(path, atime, mtime, cb) {
      plain(
        'utimens',
        path,
        async () => {
          let a = atime;
          let m = mtime;
          if (a === null || m === null) {
            const cur = await client.getattr(path);
            a ??= cur.atimeMs;
            m ??= cur.mtimeMs;
          }
          return client.utimens(path, a, m);
        },
        cb,
      );
    },

    setxattr(path, name, value, _position, flags, cb) {
      if (!XATTR_PREFIXES.some((p) => name.startsWith(p))) return cb(-Errno.EOPNOTSUPP);
      // The manager copies the value into its frame before answering.
      plain('setxattr', path, () => client.setxattr(path, name, value, flags), cb);
    },

    getxattr(path, name, _position, cb) {
      if (!XATTR_PREFIXES.some((p) => name.startsWith(p))) return cb(-Errno.EOPNOTSUPP);
      run(
        'getxattr',
        path,
        () => client.getxattr(path, name),
        (v) => cb(0, v),
        cb,
      );
    },

    listxattr(path, cb) {
      run(
        'listxattr',
        path,
        () => client.listxattr(path),
        (names) => cb(0, names),
        cb,
      );
    },

    removexattr(path, name, cb) {
      if (!XATTR_PREFIXES.some((p) => name.startsWith(p))) return cb(-Errno.EOPNOTSUPP);
      plain('removexattr', path, () => client.removexattr(path, name), cb);
    },
  };
}
