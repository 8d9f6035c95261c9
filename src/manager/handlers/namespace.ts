/** Namespace calls: lookups, creation, removal, renames and attribute changes of paths. */
import { FsError } from '../../errors';
import { Handlers } from '../../../transport';
import { READDIR_PAGE } from '../../limits';
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFMT } from '../../posix';
import type { Manager } from '../manager';
import {
  chmodMode,
  createdMode,
  creating,
  existing,
  isRoot,
  killedPrivs,
  MAY_READ,
  MAY_WRITE,
  mayChown,
  mayCreate,
  mayLink,
  mayUtimens,
  need,
  ownerOrRoot,
  permits,
  removing,
  renaming,
  walk,
} from '../access';
import { attrChanges, entryOf, parentAttr, recallDirs } from './dirs';

/** Handlers for the namespace messages. */
export function namespaceHandlers(m: Manager): Handlers {
  const ns = m.ns;
  return {
    Getattr: async ({ path }, ctx) => {
      existing(ns, m.credOf(ctx), path);
      const client = m.clientOf(ctx.remote);
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
    Readdir: ({ path, offset, limit }, ctx) => {
      const c = m.credOf(ctx);
      const { node } = existing(ns, c, path);
      if ((node.mode & S_IFMT) === S_IFDIR) need(c, node, MAY_READ, path);
      return ns.readdirPage(path, offset, Math.max(1, Math.min(limit ?? READDIR_PAGE, READDIR_PAGE)));
    },
    // Every change recalls the directory leases of other clients that may cache what it touched, before it is answered.
    Mknod: async ({ path, mode, uid, gid, rdev }, ctx) => {
      const { remote } = ctx;
      const c = m.credOf(ctx, { uid, gid });
      const dir = creating(ns, c, path);
      const kind = mode & S_IFMT;
      if ((kind === S_IFCHR || kind === S_IFBLK) && !isRoot(c)) throw new FsError('EPERM', `${path}: only root makes device nodes`);
      const attr = ns.mknod(path, createdMode(c, dir, kind ? mode : mode | 0o100000), c.uid, c.gid, rdev);
      await recallDirs(m, m.clientOf(remote), [entryOf(m, path)]);
      return { attr, ...parentAttr(m, path) };
    },
    Mkdir: async ({ path, mode, uid, gid }, ctx) => {
      const c = m.credOf(ctx, { uid, gid });
      creating(ns, c, path);
      const attr = ns.mkdir(path, mode, c.uid, c.gid);
      await recallDirs(m, m.clientOf(ctx.remote), [entryOf(m, path)]);
      return { attr, ...parentAttr(m, path) };
    },
    Symlink: async ({ target, path, uid, gid }, ctx) => {
      const c = m.credOf(ctx, { uid, gid });
      creating(ns, c, path);
      const attr = ns.symlink(target, path, c.uid, c.gid);
      await recallDirs(m, m.clientOf(ctx.remote), [entryOf(m, path)]);
      return { attr, ...parentAttr(m, path) };
    },
    Readlink: ({ path }, ctx) => {
      existing(ns, m.credOf(ctx), path);
      return { target: ns.readlink(path) };
    },
    Unlink: async ({ path }, ctx) => {
      removing(ns, m.credOf(ctx), path);
      const ino = ns.lookupIno(path);
      m.afterRelease(ns.unlink(path));
      await recallDirs(m, m.clientOf(ctx.remote), [entryOf(m, path), ...attrChanges(m, ino)]); // its other links' nlink
      return parentAttr(m, path);
    },
    Rmdir: async ({ path }, ctx) => {
      removing(ns, m.credOf(ctx), path);
      const ino = ns.lookupIno(path);
      ns.rmdir(path);
      m.dirs.forget(ino);
      await recallDirs(m, m.clientOf(ctx.remote), [entryOf(m, path)]);
      return parentAttr(m, path);
    },
    Rename: async ({ src, dst, flags }, ctx) => {
      renaming(ns, m.credOf(ctx), src, dst, flags);
      let replaced: number | null = null;
      try {
        replaced = ns.lookupIno(dst);
      } catch {
        // no entry at dst
      }
      const released = ns.rename(src, dst, flags);
      if (released) m.afterRelease(released);
      await recallDirs(m, m.clientOf(ctx.remote), [entryOf(m, src), entryOf(m, dst), ...(replaced === null ? [] : attrChanges(m, replaced))]);
      return {};
    },
    Link: async ({ src, dst }, ctx) => {
      // the kernel's order: the source's lookup, EEXIST, the protected-hardlink rule (EPERM), then write on the new directory
      const c = m.credOf(ctx);
      const from = existing(ns, c, src);
      const to = walk(ns, c, dst);
      if (to.node) throw new FsError('EEXIST', dst);
      mayLink(c, from.node, src);
      if (to.parent) mayCreate(c, to.parent, dst);
      const attr = ns.link(src, dst);
      await recallDirs(m, m.clientOf(ctx.remote), [entryOf(m, dst), ...attrChanges(m, attr.ino)]);
      return { attr, ...parentAttr(m, dst) };
    },
    Chmod: async ({ path, mode, killPriv }, ctx) => {
      const c = m.credOf(ctx);
      const { node } = existing(ns, c, path);
      let attr;
      if (killPriv) {
        // what a write or truncate does to a file its caller may write: SUID (and SGID with group exec) go
        if (!ownerOrRoot(c, node) && !permits(c, node, MAY_WRITE)) throw new FsError('EPERM', path);
        const kill = killedPrivs(node);
        attr = kill ? ns.chmod(path, node.mode & 0o7777 & ~kill) : ns.getattr(path);
      } else attr = ns.chmod(path, chmodMode(c, node, mode, path));
      await recallDirs(m, m.clientOf(ctx.remote), attrChanges(m, attr.ino));
      return { attr };
    },
    Chown: async ({ path, uid, gid }, ctx) => {
      const c = m.credOf(ctx);
      mayChown(c, existing(ns, c, path).node, uid, gid, path);
      let attr = ns.chown(path, uid, gid);
      // as chown(2) on Linux, by anyone: a file other than a directory loses SUID, and SGID with group exec
      const kill = killedPrivs(attr);
      if (kill) attr = ns.chmod(path, attr.mode & 0o7777 & ~kill);
      await recallDirs(m, m.clientOf(ctx.remote), attrChanges(m, attr.ino));
      return { attr };
    },
    Utimens: async ({ path, atimeMs, mtimeMs, now }, ctx) => {
      const c = m.credOf(ctx);
      mayUtimens(c, existing(ns, c, path).node, now, path);
      const attr = ns.utimens(path, atimeMs, mtimeMs);
      await recallDirs(m, m.clientOf(ctx.remote), attrChanges(m, attr.ino));
      return { attr };
    },
  };
}
