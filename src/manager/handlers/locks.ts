/**
 * Lock calls from clients: F_GETLK, F_SETLK(W) and flock, cancellation of a wait, release on close, reclaim after a restart.
 * Locks are on open files, as the kernel keeps them: a client locks or tests only a file it has open (EBADF otherwise).
 */
import { FsError } from '../../errors';
import { Handlers } from '../../../transport';
import { F_UNLCK, F_WRLCK } from '../../posix';
import type { Reclaim } from '../lock-table';
import type { Manager } from '../manager';

/** Handlers for the lock messages a client sends. */
export function lockHandlers(m: Manager): Handlers {
  const holder = (id: string | undefined): string => {
    if (!id) throw new FsError('EPERM', 'only a client with an id holds locks');
    return id;
  };
  /** A POSIX write lock needs the file open for writing; a read lock, a test or a flock any open. */
  const writeLock = (flock: boolean, type: number): boolean => !flock && type === F_WRLCK;
  return {
    LockGet: async ({ ino, owner, flock, type, start, end, pid }, { remote, peer }) => {
      const client = holder(remote.id);
      if (type === F_UNLCK) throw new FsError('EINVAL', 'F_GETLK of F_UNLCK');
      m.mayLock(peer, ino, false); // F_GETLK needs an open file, of any access mode
      const b = await m.locks.test(ino, { client, owner, flock, type, start, end, pid });
      return b ? { type: b.type, start: b.start, end: b.end, pid: b.pid, client: b.client, owner: b.owner } : { type: F_UNLCK, start, end, pid: 0 };
    },
    LockSet: async ({ ino, owner, flock, type, start, end, pid, wait, waitId }, { remote, peer }) => {
      const client = holder(remote.id);
      if (type !== F_UNLCK) m.mayLock(peer, ino, writeLock(flock, type)); // an unlock only drops the caller's own locks
      await m.locks.set(ino, { client, owner, flock, type, start, end, pid }, { wait, waitId, tag: peer });
      return {};
    },
    LockCancel: ({ waitId }, { remote }) => ({ cancelled: m.locks.cancel(holder(remote.id), waitId) }),
    LockRelease: ({ ino, owner, flock }, { remote }) => {
      const client = holder(remote.id);
      if (ino === undefined) m.locks.releaseClient(client);
      else if (owner === undefined) m.locks.releaseFile(client, ino);
      else m.locks.releaseOwner(ino, client, owner, flock);
      return {};
    },
    // a lock is reclaimed on a file the new link has open again (Reopen comes first); any other is lost
    LockReclaim: ({ locks }, { remote, peer }) => {
      const client = holder(remote.id);
      const lost: number[] = [];
      const live: Array<[number, Reclaim]> = [];
      locks.forEach((l, i) => (m.hasOpen(peer, l.ino, writeLock(l.flock, l.type)) ? live.push([i, { ...l, client }]) : lost.push(i)));
      for (const j of m.locks.reclaim(
        client,
        live.map(([, l]) => l),
      ))
        lost.push(live[j]?.[0] ?? j);
      return { lost: lost.sort((a, b) => a - b) };
    },
  };
}
