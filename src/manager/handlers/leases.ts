/** Lease calls from clients: acquire, batched renewal (with the client's whitelisted figures) and release. */
import { FsError } from '../../errors';
import { Handlers } from '../../../transport';
import { LeaseMode } from '../lease-table';
import { S_IFMT, S_IFREG } from '../../posix';
import type { Manager } from '../manager';
import { attrChanges, recallDirs } from './dirs';

/** True when ino is a regular file now. */
function isRegular(m: Manager, ino: number): boolean {
  try {
    return (m.ns.getattrIno(ino).mode & S_IFMT) === S_IFREG;
  } catch {
    return false;
  }
}

/** Handlers for the lease messages a client sends. */
export function leaseHandlers(m: Manager): Handlers {
  const holder = (id: string | undefined): string => {
    if (!id) throw new FsError('EPERM', 'only a client with an id takes leases');
    return id;
  };
  return {
    LeaseAcquire: async ({ ino, mode }, ctx) => {
      const client = holder(ctx.remote.id);
      if ((m.ns.getattrIno(ino).mode & S_IFMT) !== S_IFREG) throw new FsError('EINVAL', `inode ${ino} is not a regular file`);
      m.mayUseData(ctx, ino, mode === 2);
      const grant = await m.leases.acquire(ino, client, mode === 2 ? LeaseMode.Write : LeaseMode.Read);
      // its size and times may now change in the writer's cache: directory holders that cache them let go (and list it uncached from now on)
      if (grant.mode === LeaseMode.Write) await recallDirs(m, client, attrChanges(m, ino));
      const attr = m.ns.getattrIno(ino);
      const room = m.ns.quotas.roomFor(ino); // where a quota stops growth: the holder writes through past it
      // a WRITE holder gets a write capability for the whole file: it can write back what it cached while the manager is out of reach
      const cap = grant.mode === LeaseMode.Write ? m.capFor(ino, 0, m.allChunks, m.chunks.genOf(ino), client, true) : {};
      return { ...grant, attr, ...(room === Infinity ? {} : { quotaEnd: attr.size + room }), ...cap };
    },
    LeaseRenew: ({ inos, stats }, { remote }) => {
      const client = holder(remote.id);
      if (stats) m.reportClientStats(client, stats);
      return { lost: m.leases.renew(client, inos) };
    },
    LeaseReclaim: ({ leases, epochs }, { remote }) => {
      const client = holder(remote.id);
      // a file removed meanwhile is simply not granted back; epochs[i]: the epoch lease i had (its in-flight write-backs carry it)
      const files = leases.map(([ino, mode], i): [number, LeaseMode, number?] => [ino, mode === 2 ? LeaseMode.Write : LeaseMode.Read, epochs[i]]).filter(([ino]) => isRegular(m, ino));
      const granted = m.leases.reclaim(client, files);
      if (granted.length < leases.length) {
        const back = new Set(granted.map(([ino]) => ino));
        const refused = leases.filter(([ino]) => !back.has(ino)).map(([ino]) => ino);
        m.logLine(
          `client ${client} reclaimed too late or in conflict: leases on inodes ${refused.slice(0, 20).join(', ')}${refused.length > 20 ? ', …' : ''} not granted back (its unflushed writes to them are lost; it reports EIO)`,
        );
      }
      return { granted };
    },
    LeaseRelease: ({ ino }, { remote }) => {
      m.leases.release(ino, holder(remote.id));
      return {};
    },
  };
}
