/** Namespace calls: lookups, creation, removal, renames and attribute changes of paths. */
import { Handlers } from '../../../transport';
import { READDIR_PAGE } from '../../limits';
import type { Manager } from '../manager';
import { attrChanges, entryOf, recallDirs } from './dirs';

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
    // Every change recalls the directory leases of other clients that may cache what it touched, before it is answered.
    Mknod: async ({ path, mode, uid, gid, rdev }, { remote }) => {
      const attr = ns.mknod(path, mode, uid, gid, rdev);
      await recallDirs(m, m.clientOf(remote), [entryOf(m, path)]);
      return { attr };
    },
    Mkdir: async ({ path, mode, uid, gid }, { remote }) => {
      const attr = ns.mkdir(path, mode, uid, gid);
      await recallDirs(m, m.clientOf(remote), [entryOf(m, path)]);
      return { attr };
    },
    Symlink: async ({ target, path, uid, gid }, { remote }) => {
      const attr = ns.symlink(target, path, uid, gid);
      await recallDirs(m, m.clientOf(remote), [entryOf(m, path)]);
      return { attr };
    },
    Readlink: ({ path }) => ({ target: ns.readlink(path) }),
    Unlink: async ({ path }, { remote }) => {
      const ino = ns.lookupIno(path);
      m.afterRelease(ns.unlink(path));
      await recallDirs(m, m.clientOf(remote), [entryOf(m, path), ...attrChanges(m, ino)]); // its other links' nlink
      return {};
    },
    Rmdir: async ({ path }, { remote }) => {
      const ino = ns.lookupIno(path);
      ns.rmdir(path);
      m.dirs.forget(ino);
      await recallDirs(m, m.clientOf(remote), [entryOf(m, path)]);
      return {};
    },
    Rename: async ({ src, dst, flags }, { remote }) => {
      let replaced: number | null = null;
      try {
        replaced = ns.lookupIno(dst);
      } catch {
        // no entry at dst
      }
      const released = ns.rename(src, dst, flags);
      if (released) m.afterRelease(released);
      await recallDirs(m, m.clientOf(remote), [entryOf(m, src), entryOf(m, dst), ...(replaced === null ? [] : attrChanges(m, replaced))]);
      return {};
    },
    Link: async ({ src, dst }, { remote }) => {
      const attr = ns.link(src, dst);
      await recallDirs(m, m.clientOf(remote), [entryOf(m, dst), ...attrChanges(m, attr.ino)]);
      return { attr };
    },
    Chmod: async ({ path, mode }, { remote }) => {
      const attr = ns.chmod(path, mode);
      await recallDirs(m, m.clientOf(remote), attrChanges(m, attr.ino));
      return { attr };
    },
    Chown: async ({ path, uid, gid }, { remote }) => {
      const attr = ns.chown(path, uid, gid);
      await recallDirs(m, m.clientOf(remote), attrChanges(m, attr.ino));
      return { attr };
    },
    Utimens: async ({ path, atimeMs, mtimeMs }, { remote }) => {
      const attr = ns.utimens(path, atimeMs, mtimeMs);
      await recallDirs(m, m.clientOf(remote), attrChanges(m, attr.ino));
      return { attr };
    },
  };
}
