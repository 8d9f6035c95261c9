/** Directory lease calls (acquire with a page of the listing, renew, release), and the recalls a change makes. */
import { FsError } from '../../errors';
import { Handlers } from '../../../transport';
import { READDIR_PAGE } from '../../limits';
import { S_IFDIR, S_IFMT } from '../../posix';
import type { DirChange } from '../dir-leases';
import type { Manager } from '../manager';
import type { Attr } from '../../types';
import { MAY_EXEC, MAY_READ, need } from '../access';

/** The directory and final name of a path (after the change: the directory still exists), or null when it does not resolve. */
export function entryOf(m: Manager, path: string): DirChange | null {
  const trimmed = path.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  if (cut < 0) return null;
  try {
    return { dir: m.ns.lookupIno(trimmed.slice(0, cut) || '/'), name: trimmed.slice(cut + 1) };
  } catch {
    return null;
  }
}

/**
 * The attributes of a path's directory as they are now, or undefined when it does not resolve: a creating or removing
 * call answers them, so that its client, holding that directory's lease, need not ask for its new times again.
 */
export function parentAttr(m: Manager, path: string): { parent?: Attr } {
  const e = entryOf(m, path);
  if (!e) return {};
  try {
    return { parent: m.ns.getattrIno(e.dir) };
  } catch {
    return {};
  }
}

/** The directories whose holders may cache ino's attributes: each directory with an entry for it, and a directory itself. */
export function attrChanges(m: Manager, ino: number): DirChange[] {
  const out: DirChange[] = m.ns.entryDirs(ino).map((dir) => ({ dir }));
  try {
    if ((m.ns.getattrIno(ino).mode & S_IFMT) === S_IFDIR) out.push({ dir: ino });
  } catch {
    // gone: nothing of it is cached any more
  }
  return out;
}

/** After a change by client: every other client caching an entry or attribute it touched drops it before the change is answered. */
export async function recallDirs(m: Manager, client: string | null, changes: ReadonlyArray<DirChange | null>): Promise<void> {
  const real = changes.filter((c): c is DirChange => c !== null);
  if (real.length > 0) await m.dirs.changed(client, real);
}

/** Handlers for the directory lease messages a client sends. */
export function dirHandlers(m: Manager): Handlers {
  const holder = (id: string | undefined): string => {
    if (!id) throw new FsError('EPERM', 'only a client with an id takes leases');
    return id;
  };
  return {
    DirLeaseAcquire: ({ ino, offset, limit }, ctx) => {
      const client = holder(ctx.remote.id);
      const dir = m.ns.getattrIno(ino);
      if ((dir.mode & S_IFMT) !== S_IFDIR) throw new FsError('ENOTDIR', `inode ${ino}`);
      // the holder lists the directory and looks names up in it from the listing: read and search permission
      need(m.credOf(ctx), dir, MAY_READ | MAY_EXEC, `inode ${ino}`);
      // granted and listed in one step: a change applied after this recalls the lease; one applied before is in the listing
      const grant = m.dirs.acquire(ino, client);
      const attr = m.ns.getattrIno(ino);
      const page = m.ns.readdirPageIno(ino, offset, Math.max(1, Math.min(limit ?? READDIR_PAGE, READDIR_PAGE)));
      const uncached = page.entries.filter((e) => m.leases.writers(e.attr.ino).some((c) => c !== client)).map((e) => e.name);
      return { ...grant, attr, ...page, uncached };
    },
    DirLeaseRenew: ({ inos }, { remote }) => ({ lost: m.dirs.renew(holder(remote.id), inos) }),
    DirLeaseRelease: ({ ino }, { remote }) => {
      m.dirs.release(ino, holder(remote.id));
      return {};
    },
  };
}
