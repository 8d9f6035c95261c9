/**
 * Mounts a pool with our FUSE layer (mount/fuse/, over /dev/fuse): cleans a
 * dead mount left at the mount point, records the mount for `mempool umount`,
 * and unmounts cleanly (flush first) on request or on SIGINT/SIGTERM.
 *
 * Never run a synchronous child process or a synchronous fs call on the
 * mount from this process: the FUSE requests it causes need this thread.
 */
import { promises as fsp } from 'fs';
import { resolve } from 'path';
import { PoolClient } from '../src/client/pool-client';
import { FuseSession, MAX_WRITE, SessionOptions } from './fuse/session';
import { MempoolFs, OpLogger } from './mempool-fs';
import { lazyUnmount, mountAt, readMounts, removeMountState, writeMountState } from './runtime';

/** Largest read and write request the kernel sends (max_pages: 1 MiB). */
export const MAX_IO = MAX_WRITE;

/** What mountPool takes. */
export interface MountOptions {
  /** Manager URL, recorded for `mempool umount` and logs. */
  url: string;
  /** Install SIGINT/SIGTERM handlers that unmount, close the client and exit 0 (default true). */
  handleSignals?: boolean;
  /** Logs every FUSE request. */
  debug?: boolean;
  /** The kernel caches file pages and attributes under leases (FOPEN_KEEP_CACHE and attribute timeouts, invalidated on recall); default on. */
  kernelCache?: boolean;
  /** The kernel caches entries and negative entries of a directory while its directory lease is held (the client must have dirLeases); default on. */
  dirLeases?: boolean;
  /** Log file of a daemonized mount, recorded in the state file. */
  logFile?: string;
  log?: OpLogger;
}

/** A live mount. */
export interface MountHandle {
  readonly mountpoint: string;
  /** The options of the FUSE session. */
  readonly fuseOptions: SessionOptions;
  /** Resolves once the mount is gone: 'unmounted' (unmount() or a signal) or 'lost' (unmounted by someone else, e.g. umount -l). */
  readonly closed: Promise<'unmounted' | 'lost'>;
  /** Flushes, unmounts and closes the client; safe to call more than once. */
  unmount(): Promise<void>;
}

/**
 * FUSE session options of a mempool mount. Correctness first: the kernel
 * checks permissions (default_permissions) for every user (allow_other); it
 * caches no attributes, names or data unless a lease allows it (zero
 * timeouts, direct I/O per open: mempool-fs.ts), so what another node
 * changed is seen at once. Node ids are the pool's inode numbers (hard links
 * share st_ino); unlinked open files stay usable through their handles.
 */
export function mempoolFuseOptions(debug = false, log?: OpLogger): SessionOptions {
  return { fsname: 'mempool', subtype: 'mempool', maxWrite: MAX_IO, debug, log };
}

/** Flushes every dirty byte in the client's page cache to the pool before unmount. */
async function flushDirty(client: PoolClient): Promise<void> {
  await client.flushAll();
}

/** Checks the mount point and clears a dead FUSE mount ("Transport endpoint is not connected") left there. */
export async function prepareMountpoint(mountpoint: string): Promise<void> {
  let st;
  try {
    st = await fsp.stat(mountpoint);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTCONN' || code === 'ECONNABORTED') {
      await lazyUnmount(mountpoint);
      st = await fsp.stat(mountpoint);
    } else if (code === 'ENOENT') {
      throw new Error(`mount point ${mountpoint} does not exist`, { cause: err });
    } else {
      throw new Error(`cannot use mount point ${mountpoint}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (!st.isDirectory()) throw new Error(`mount point ${mountpoint} is not a directory`);
  const existing = mountAt(await readMounts(), mountpoint);
  if (existing && existing.fstype.startsWith('fuse')) {
    throw new Error(`${mountpoint} is already mounted (${existing.fstype} from ${existing.source}); run: mempool umount ${mountpoint}`);
  }
  // Like tmpfs, mounting over a non-empty directory is allowed (its files are hidden while mounted).
}

/** Mounts the pool behind client on mountpoint; resolves once the kernel answered FUSE_INIT (the mount is usable). */
export async function mountPool(client: PoolClient, mountpoint: string, opts: MountOptions): Promise<MountHandle> {
  const mnt = resolve(mountpoint);
  await prepareMountpoint(mnt);
  const fuseOptions = mempoolFuseOptions(opts.debug, opts.log);
  const fs = new MempoolFs(client, { log: opts.log, kernelCache: opts.kernelCache, dirLeases: opts.dirLeases });
  const session = await FuseSession.mount(mnt, fs, fuseOptions).catch((err: Error) => {
    throw new Error(`cannot mount ${mnt}: ${err.message}`);
  });
  fs.attach(session.notify);
  writeMountState({ pid: process.pid, mountpoint: mnt, url: opts.url, log: opts.logFile });

  let closing: Promise<void> | null = null;
  let markClosed: (how: 'unmounted' | 'lost') => void = () => {};
  const closed = new Promise<'unmounted' | 'lost'>((res) => (markClosed = res));
  const onExit = () => removeMountState(mnt, process.pid);
  process.on('exit', onExit);

  const unmount = (): Promise<void> => {
    if (closing) return closing;
    closing = (async () => {
      try {
        await flushDirty(client);
      } catch (err) {
        (opts.log ?? console.error)(`mempool: flush before unmount failed: ${(err as Error).message}`);
      }
      clearInterval(watchdog);
      fs.detach();
      await session.unmount();
      removeMountState(mnt, process.pid);
      process.removeListener('exit', onExit);
      await client.close();
    })().finally(() => markClosed('unmounted'));
    return closing;
  };

  // A mount removed behind our back (fusermount -u, umount -l) ends the session but not this process: notice and stop.
  const lost = () => {
    if (closing) return;
    clearInterval(watchdog);
    (opts.log ?? console.error)(`mempool: ${mnt} was unmounted by someone else; stopping`);
    closing = client.close().finally(() => {
      removeMountState(mnt, process.pid);
      markClosed('lost');
    });
  };
  void session.closed.then(lost);
  const watchdog = setInterval(() => {
    readMounts().then(
      (m) => {
        if (!closing && !mountAt(m, mnt)) lost();
      },
      () => {},
    );
  }, 2000);
  watchdog.unref();

  // A FUSE daemon that dies leaves a dead mount behind: a stray rejection is logged, not fatal; a real crash unmounts first.
  process.on('unhandledRejection', (err) => (opts.log ?? console.error)(`mempool: unhandled rejection: ${(err as Error)?.stack ?? String(err)}`));
  process.once('uncaughtException', (err) => {
    (opts.log ?? console.error)(`mempool: crashed: ${err.stack ?? String(err)}; unmounting`);
    unmount().finally(() => process.exit(1));
  });

  if (opts.handleSignals !== false) {
    const onSignal = (sig: NodeJS.Signals) => {
      unmount()
        .then(() => process.exit(0))
        .catch((err: Error) => {
          console.error(`mempool: ${err.message} (on ${sig})`);
          process.exit(1);
        });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('SIGHUP', onSignal);
  }

  return { mountpoint: mnt, fuseOptions, closed, unmount };
}
