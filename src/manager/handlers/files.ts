/** File calls: open and release, size changes and appends. */
import { FsError } from '../../errors';
import { Handlers } from '../../../transport';
import { MAX_FILE_SIZE } from '../../limits';
import type { Manager } from '../manager';
import { O, S_IFDIR, S_IFMT, S_IFREG } from '../../posix';
import { createdMode, existing, MAY_WRITE, mayCreate, need, openMask, walk } from '../access';
import { attrChanges, entryOf, parentAttr, recallDirs } from './dirs';

/** Handlers for open, release, truncate, extend and append reservations. */
export function fileHandlers(m: Manager): Handlers {
  const ns = m.ns;
  return {
    Open: async ({ path, flags, mode, uid, gid }, ctx) => {
      const { peer, remote } = ctx;
      const c = m.credOf(ctx, { uid, gid });
      const w = walk(ns, c, path);
      const existed = w.node !== null;
      if (!w.node) {
        // a file this call creates is opened whatever its mode says (as open(2) with O_CREAT)
        if (flags & O.CREAT && w.parent) mayCreate(c, w.parent, path);
      } else if (!(flags & O.CREAT && flags & O.EXCL) && !((w.node.mode & S_IFMT) === S_IFDIR && (flags & O.ACCMODE) !== O.RDONLY)) {
        need(c, w.node, openMask(flags), path); // (EEXIST and EISDIR come first, as the kernel orders them)
      }
      const attr = await m.open(peer, path, flags, existed ? mode : createdMode(c, w.parent, 0o100000 | mode) & 0o7777, c.uid, c.gid);
      const trunc = (flags & O.TRUNC) !== 0 && (flags & O.ACCMODE) !== O.RDONLY;
      await recallDirs(m, m.clientOf(remote), [existed ? null : entryOf(m, path), ...(trunc ? attrChanges(m, attr.ino) : [])]);
      return existed ? { attr } : { attr, ...parentAttr(m, path) };
    },
    Release: ({ ino }, { peer }) => {
      m.releaseOpen(peer, ino);
      return {};
    },
    Truncate: async ({ path, ino, size, cut, epoch }, ctx) => {
      const client = m.clientOf(ctx.remote);
      if (ino === undefined && path === undefined) throw new FsError('EINVAL', 'truncate needs a path or an inode');
      // by path: truncate(2), write permission (EISDIR and EINVAL first); by inode: ftruncate of a file open for writing
      if (path !== undefined) {
        const c = m.credOf(ctx);
        const { node } = existing(ns, c, path);
        if ((node.mode & S_IFMT) === S_IFREG) need(c, node, MAY_WRITE, path);
      } else m.mayUseData(ctx, ino as number, true);
      const target = ino ?? ns.lookupIno(path as string);
      ns.getattrIno(target);
      m.checkEpoch(target, epoch, client);
      // A WRITE holder is alone with the file (and its truncate may be the I/O a queued recall waits for).
      const writer = m.leases.holdsWrite(target, client);
      if (!writer) await m.leases.settle(target, client, false);
      const attr = await m.truncate(target, size, cut);
      // a WRITE holder's file is listed to other directory holders as uncached (they ask for its attributes)
      if (!writer) await recallDirs(m, client, attrChanges(m, target));
      return { attr };
    },
    // each group as the credentials it was opened with (those of the call when it names none)
    Reopen: ({ opens }, ctx) =>
      m.reopen(
        ctx.peer,
        opens.map((o) => ({ ...o, cred: m.credOf({ ...ctx, cred: o.cred ?? ctx.cred }) })),
      ),
    Extend: async ({ ino, end, mtimeMs, epoch, clamp }, ctx) => {
      const { remote } = ctx;
      m.mayUseData(ctx, ino, true);
      const client = m.clientOf(remote);
      m.checkEpoch(ino, epoch, client);
      // clamp: grow only as far as the directory quotas allow; the writer cuts what lies past it and reports EDQUOT
      const to = clamp ? Math.min(end, ns.getattrIno(ino).size + ns.quotas.roomFor(ino)) : end;
      const attr = ns.extend(ino, to, mtimeMs);
      if (!m.leases.holdsWrite(ino, client)) await recallDirs(m, client, attrChanges(m, ino));
      return { attr };
    },
    AppendReserve: async ({ ino, len, epoch }, ctx) => {
      m.mayUseData(ctx, ino, true);
      const client = m.clientOf(ctx.remote);
      // A holder's append may be the I/O a recall is waiting for: serve it at once rather than queue behind that recall.
      if (!m.leases.holds(ino, client)) await m.leases.settle(ino, client, true);
      m.checkEpoch(ino, epoch, client);
      const offset = ns.getattrIno(ino).size;
      if (offset + len > MAX_FILE_SIZE) throw new FsError('EFBIG', `append of ${len} bytes at ${offset}`);
      ns.extend(ino, offset + len);
      if (!m.leases.holdsWrite(ino, client)) await recallDirs(m, client, attrChanges(m, ino));
      return { offset };
    },
  };
}
