/** Namespace calls: lookups, creation, removal, renames and attribute changes of paths. */
import { Handlers } from '../../../transport';
import { READDIR_PAGE } from '../../limits';
import type { Manager } from '../manager';

/** Handlers for the namespace messages. */
export function namespaceHandlers(m: Manager): Handlers {
  const ns = m.ns;
  return {
    Getattr: async ({ path }, { remote }) => {
      const client = m.clientOf(remote);
      const a = ns.getattr(path);
      if (!m.mayHaveForeignWriter(a.ino, client)) return { attr: a };
      await m.fresh(a.ino, client);
      // Meanwhile the name may have been renamed over (its inode freed): answer for the path as it is now, never ENOENT for a name that exists.
      try {
        return { attr: ns.getattrIno(a.ino) };
      } catch {
        return { attr: ns.getattr(path) };
      }
    },
    GetattrIno: async ({ ino }, { remote }) => ({ attr: ns.getattrIno(await m.fresh(ino, m.clientOf(remote))) }),
    Readdir: ({ path, offset, limit }) => ns.readdirPage(path, offset, Math.max(1, Math.min(limit ?? READDIR_PAGE, READDIR_PAGE))),
    Mknod: ({ path, mode, uid, gid, rdev }) => ({ attr: ns.mknod(path, mode, uid, gid, rdev) }),
    Mkdir: ({ path, mode, uid, gid }) => ({ attr: ns.mkdir(path, mode, uid, gid) }),
    Symlink: ({ target, path, uid, gid }) => ({ attr: ns.symlink(target, path, uid, gid) }),
    Readlink: ({ path }) => ({ target: ns.readlink(path) }),
    Unlink: ({ path }) => {
      m.afterRelease(ns.unlink(path));
      return {};
    },
    Rmdir: ({ path }) => {
      ns.rmdir(path);
      return {};
    },
    Rename: ({ src, dst, flags }) => {
      const replaced = ns.rename(src, dst, flags);
      if (replaced) m.afterRelease(replaced);
      return {};
    },
    Link: ({ src, dst }) => ({ attr: ns.link(src, dst) }),
    Chmod: ({ path, mode }) => ({ attr: ns.chmod(path, mode) }),
    Chown: ({ path, uid, gid }) => ({ attr: ns.chown(path, uid, gid) }),
    Utimens: ({ path, atimeMs, mtimeMs }) => ({ attr: ns.utimens(path, atimeMs, mtimeMs) }),
  };
}
