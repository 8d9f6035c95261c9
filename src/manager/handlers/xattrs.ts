/** Extended attribute calls; listings are paged. */
import { Handlers, WithData } from '../../../transport';
import { LISTXATTR_PAGE } from '../../limits';
import type { Manager } from '../manager';
import { existing, mayXattr, showsXattr } from '../access';
import { attrChanges, recallDirs } from './dirs';

/** Handlers for setxattr, getxattr, listxattr (paged) and removexattr. */
export function xattrHandlers(m: Manager): Handlers {
  const ns = m.ns;
  return {
    Setxattr: async ({ path, name, flags }, ctx) => {
      const { data, remote } = ctx;
      const c = m.credOf(ctx);
      mayXattr(c, existing(ns, c, path).node, name, true, path);
      ns.setxattr(path, name, data, flags);
      await recallDirs(m, m.clientOf(remote), attrChanges(m, ns.lookupIno(path))); // its ctime
      return {};
    },
    Getxattr: ({ path, name }, ctx) => {
      const c = m.credOf(ctx);
      mayXattr(c, existing(ns, c, path).node, name, false, path);
      return new WithData({}, ns.getxattr(path, name));
    },
    Listxattr: ({ path, offset, limit }, ctx) => {
      const c = m.credOf(ctx);
      existing(ns, c, path);
      const all = ns.listxattr(path).filter((n) => showsXattr(c, n));
      const end = offset + Math.max(1, Math.min(limit ?? LISTXATTR_PAGE, LISTXATTR_PAGE));
      return end < all.length ? { names: all.slice(offset, end), next: end } : { names: all.slice(offset) };
    },
    Removexattr: async ({ path, name }, ctx) => {
      const { remote } = ctx;
      const c = m.credOf(ctx);
      mayXattr(c, existing(ns, c, path).node, name, true, path);
      ns.removexattr(path, name);
      await recallDirs(m, m.clientOf(remote), attrChanges(m, ns.lookupIno(path)));
      return {};
    },
  };
}
